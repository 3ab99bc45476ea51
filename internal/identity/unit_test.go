package identity

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/cache"
)

func TestProductionPasswordParamsAreTheDefault(t *testing.T) {
	var o Options
	o.defaults()
	if o.Password != (PasswordParams{Memory: 19456, Time: 2, Threads: 1}) {
		t.Fatalf("default Argon2id parameters %+v, want OWASP's m=19456 KiB t=2 p=1", o.Password)
	}
	h := newHasher(o.Password, 1, time.Second)
	enc, err := h.hash(context.Background(), "some password")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(enc, "$argon2id$v=19$m=19456,t=2,p=1$") {
		t.Fatalf("hash %q", enc)
	}
}

func TestHasher(t *testing.T) {
	ctx := context.Background()
	h := newHasher(TestPasswordParams, 1, 20*time.Millisecond)
	enc, err := h.hash(ctx, "pässwörd of mine")
	if err != nil {
		t.Fatal(err)
	}
	if again, _ := h.hash(ctx, "pässwörd of mine"); again == enc {
		t.Fatal("no salt: two hashes of one password are equal")
	}
	if ok, stale, err := h.verify(ctx, enc, "pässwörd of mine"); !ok || stale || err != nil {
		t.Fatalf("verify: %v %v %v", ok, stale, err)
	}
	if ok, _, _ := h.verify(ctx, enc, "passwörd of mine"); ok {
		t.Fatal("wrong password verified")
	}
	if ok, _, err := h.verify(ctx, "", "no such account"); ok || err != nil {
		t.Fatalf("the dummy hash verified: %v %v", ok, err)
	}
	other := newHasher(PasswordParams{Memory: 128, Time: 1, Threads: 1}, 1, time.Second)
	if ok, stale, _ := other.verify(ctx, enc, "pässwörd of mine"); !ok || !stale {
		t.Fatalf("a hash with old parameters: ok %v stale %v", ok, stale)
	}
	for _, bad := range []string{"plain", "$argon2i$v=19$m=64,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=99999999,t=1,p=1$c2FsdA$aGFzaA", "$argon2id$v=19$m=64,t=1,p=1$!!$aGFzaA"} {
		if _, _, err := h.verify(ctx, bad, "x"); !errors.Is(err, errBadHash) {
			t.Errorf("%q: %v", bad, err)
		}
	}
	// With every slot taken, a hash waits HashWait and then says busy.
	h.slots <- struct{}{}
	start := time.Now()
	if _, err := h.hash(ctx, "x"); !errors.Is(err, ErrBusy) {
		t.Fatalf("full: %v", err)
	}
	if time.Since(start) < 20*time.Millisecond {
		t.Fatal("did not wait for a slot")
	}
	<-h.slots
	if _, err := h.hash(ctx, "x"); err != nil {
		t.Fatalf("after release: %v", err)
	}
}

func TestCommonPasswords(t *testing.T) {
	if n := CommonPasswordCount(); n != 10000 {
		t.Fatalf("%d common passwords shipped, want 10000", n)
	}
	for _, pw := range []string{"password", "PASSWORD", "iloveyou", "1qaz2wsx", "qwertyuiop", "sunshine"} {
		if !commonPassword(pw) {
			t.Errorf("%q not refused", pw)
		}
	}
	if commonPassword("correct horse battery staple") {
		t.Error("a passphrase refused")
	}
}

// RFC 6238 appendix B, SHA-1, truncated to 6 digits.
func TestTOTPVectors(t *testing.T) {
	secret := b32.EncodeToString([]byte("12345678901234567890"))
	for unix, want := range map[int64]string{59: "287082", 1111111109: "081804", 1111111111: "050471", 1234567890: "005924", 2000000000: "279037", 20000000000: "353130"} {
		if got := TOTPCode(secret, time.Unix(unix, 0)); got != want {
			t.Errorf("T=%d: %s, want %s", unix, got, want)
		}
	}
	now := time.Unix(1111111111, 0)
	step := now.Unix() / 30
	if got := checkTOTP(secret, "050471", now, 0); got != step {
		t.Fatalf("current code: step %d", got)
	}
	if got := checkTOTP(secret, "050471", now, step); got != 0 {
		t.Fatal("replayed code accepted")
	}
	if got := checkTOTP(secret, TOTPCode(secret, now.Add(-30*time.Second)), now, 0); got != step-1 {
		t.Fatal("previous step refused")
	}
	if got := checkTOTP(secret, TOTPCode(secret, now.Add(-90*time.Second)), now, 0); got != 0 {
		t.Fatal("a code three steps old accepted")
	}
	if got := checkTOTP(secret, "05047", now, 0); got != 0 {
		t.Fatal("short code accepted")
	}
}

func TestSealer(t *testing.T) {
	s := newSealer([]byte("a key"))
	sealed := s.seal("JBSWY3DPEHPK3PXP")
	if !strings.HasPrefix(sealed, "g1:") || strings.Contains(sealed, "JBSWY3DPEHPK3PXP") {
		t.Fatalf("sealed %q", sealed)
	}
	if got, err := s.open(sealed); err != nil || got != "JBSWY3DPEHPK3PXP" {
		t.Fatalf("open: %q %v", got, err)
	}
	if _, err := newSealer([]byte("another key")).open(sealed); err == nil {
		t.Fatal("opened with the wrong key")
	}
	if _, err := newSealer(nil).open(sealed); err == nil {
		t.Fatal("opened without a key")
	}
	if _, err := s.open(sealed[:len(sealed)-2] + "AA"); err == nil {
		t.Fatal("tampered value opened")
	}
	plain := newSealer(nil).seal("X")
	if got, err := s.open(plain); err != nil || got != "X" {
		t.Fatalf("unsealed values stay readable after a key is set: %q %v", got, err)
	}
}

func TestLimiterNeverExceedsTheLimitInAWindow(t *testing.T) {
	now := time.Date(2026, 1, 1, 10, 14, 0, 0, time.UTC)
	l := &limiter{c: cache.NewMemory(cache.MemoryOptions{CleanupInterval: -1}), now: func() time.Time { return now }, log: discardLogger()}
	r := rule{"t", 3, 15 * time.Minute}
	ctx := context.Background()
	for i := range 3 {
		if w := l.allow(ctx, r, "k"); w != 0 {
			t.Fatalf("event %d refused", i)
		}
	}
	// The three stay countable until the next window ends: 1m + 15m.
	if w := l.allow(ctx, r, "k"); w != 16*time.Minute {
		t.Fatalf("4th event: wait %v, want 16m", w)
	}
	if w := l.allow(ctx, r, "other"); w != 0 {
		t.Fatal("keys share counts")
	}
	// A minute later the window has moved on but still overlaps the three.
	now = now.Add(time.Minute)
	if w := l.wait(ctx, r, "k"); w != 15*time.Minute {
		t.Fatalf("next window: wait %v", w)
	}
	now = now.Add(15 * time.Minute)
	if w := l.allow(ctx, r, "k"); w != 0 {
		t.Fatalf("after two windows: wait %v", w)
	}
	l.reset(ctx, r, "k")
	for range 3 {
		l.add(ctx, r, "k")
	}
	if w := l.wait(ctx, r, "k"); w == 0 {
		t.Fatal("not blocked after 3")
	}
	l.reset(ctx, r, "k")
	if w := l.wait(ctx, r, "k"); w != 0 {
		t.Fatal("reset did not clear")
	}
}

func TestValidation(t *testing.T) {
	for email, ok := range map[string]bool{
		"asha@example.com": true, "a.b+tag@sub.example.co.in": true, "admin@localhost": true,
		"": false, "asha": false, "asha@": false, "@example.com": false, "asha@example": false, "asha@exa_mple.com": false,
		"asha@-x.com": false, "Asha <asha@example.com>": false, "a b@example.com": false, "\"a b\"@example.com": false,
		strings.Repeat("a", 65) + "@example.com": false, "asha@example.com.": false,
	} {
		if got := validEmail(email) == ""; got != ok {
			t.Errorf("validEmail(%q) = %v, want %v", email, got, ok)
		}
	}
	for _, c := range []struct{ code, country, want string }{
		{"560001", "IN", "560001"}, {"560 001", "IN", "560001"}, {"110011", "IN", "110011"},
		{"060001", "IN", ""}, {"56001", "IN", ""}, {"5600011", "IN", ""}, {"56O001", "IN", ""},
		{"sw1a 1aa", "GB", "SW1A 1AA"}, {"94105-1234", "US", "94105-1234"}, {"10115", "DE", "10115"},
		{"!", "US", ""}, {"x", "US", ""}, {strings.Repeat("1", 13), "US", ""},
	} {
		got, msg := normalizePostalCode(c.code, c.country)
		if (msg == "") != (c.want != "") || (c.want != "" && got != c.want) {
			t.Errorf("postal code %q in %s: %q %q, want %q", c.code, c.country, got, msg, c.want)
		}
	}
	for in, want := range map[string]string{"+91 98123 45678": "+919812345678", "(080) 2222-3333": "08022223333", "": "", "12": "!", "+91abc": "!"} {
		got, msg := normalizePhone(in)
		if (want == "!") != (msg != "") || (want != "!" && got != want) {
			t.Errorf("phone %q: %q %q", in, got, msg)
		}
	}
}
