package identitytest

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Harness is one identity.Service under test with the levers a test needs
// that the Service does not offer.
type Harness struct {
	Service identity.Service
	Clock   *Clock
	// Mailbox lists queued mail, the newest first.
	Mailbox func(ctx context.Context) ([]identity.Mail, error)
	// CreateAdmin makes an admin (Core.CreateAdmin).
	CreateAdmin func(ctx context.Context, email, password string) (identity.User, error)
	// OrderPaid and CartItemAdded feed bus events (Core.Handle…).
	OrderPaid     func(ctx context.Context, eventID string, o identity.OrderPaid) error
	CartItemAdded func(ctx context.Context, eventID string, e identity.CartItemAdded) error
}

// The options a suite's Core must be made with (beyond Options(clock)): a
// small per-IP limit, so the suite can reach it.
const SuiteMaxIPFailures = 30

// SuiteOptions returns the Core options ServiceSuite expects.
func SuiteOptions(clock *Clock) identity.Options {
	o := Options(clock)
	o.MaxIPFailures = SuiteMaxIPFailures
	return o
}

// Password is a password the rules accept.
const Password = "correct horse battery staple"

type suite struct {
	t   *testing.T
	h   Harness
	ctx context.Context
	n   int
}

// ServiceSuite is what every identity.Service must do: Core in process
// and the HTTP client alike. newHarness returns a fresh service each time.
func ServiceSuite(t *testing.T, newHarness func(t *testing.T) Harness) {
	tests := []struct {
		name string
		fn   func(s *suite)
	}{
		{"sign up, verify, sign in", testSignUpFlow},
		{"sign-up and reset do not reveal accounts", testNoEnumeration},
		{"an unverified address cannot sign in and gets a new link", testUnverified},
		{"a squatter's sign-up is overridden", testSquatter},
		{"bad input", testBadInput},
		{"mailed tokens: forged, used, expired", testTokens},
		{"sessions expire and sign-out revokes at once", testSessionExpiry},
		{"staff sessions are shorter", testStaffSessions},
		{"throttling per account", testThrottleAccount},
		{"throttling per IP", testThrottleIP},
		{"password reset", testPasswordReset},
		{"TOTP", testTOTP},
		{"profile", testProfile},
		{"addresses and ownership", testAddresses},
		{"roles", testRoles},
		{"recommendations follow behaviour", testRecommendations},
		{"export and erasure", testErasure},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			tc.fn(&suite{t: t, h: newHarness(t), ctx: context.Background()})
		})
	}
}

func (s *suite) email() string {
	s.n++
	return fmt.Sprintf("shopper%d-%d@example.com", s.n, time.Now().UnixNano()%1e6)
}

func (s *suite) must(err error) {
	s.t.Helper()
	if err != nil {
		s.t.Fatal(err)
	}
}

func (s *suite) is(err, want error) {
	s.t.Helper()
	if !errors.Is(err, want) {
		s.t.Fatalf("err = %v, want %v", err, want)
	}
}

func (s *suite) kind(err error, k errs.Kind) {
	s.t.Helper()
	if errs.KindOf(err) != k {
		s.t.Fatalf("err = %v (kind %v), want kind %v", err, errs.KindOf(err), k)
	}
}

func (s *suite) as(sess identity.Session) context.Context {
	return authn.WithPrincipal(s.ctx, sess.Principal())
}

func (s *suite) mails() []identity.Mail {
	s.t.Helper()
	m, err := s.h.Mailbox(s.ctx)
	s.must(err)
	return m
}

func (s *suite) token(to, path string) string {
	s.t.Helper()
	tok := TokenFrom(s.mails(), to, path)
	if tok == "" {
		s.t.Fatalf("no %s mail to %s", path, to)
	}
	return tok
}

// account signs up and verifies a customer and returns its session.
func (s *suite) account(email string) identity.Session {
	s.t.Helper()
	s.must(s.h.Service.SignUp(s.ctx, identity.SignUpInput{Email: email, Password: Password, Name: "Asha"}, identity.ClientMeta{}))
	sess, err := s.h.Service.VerifyEmail(s.ctx, s.token(email, "/verify-email"), identity.ClientMeta{})
	s.must(err)
	return sess
}

func (s *suite) signIn(email, password string, meta identity.ClientMeta) (identity.Session, error) {
	return s.h.Service.SignIn(s.ctx, identity.SignInInput{Email: email, Password: password}, meta)
}

func testSignUpFlow(s *suite) {
	email := s.email()
	s.must(s.h.Service.SignUp(s.ctx, identity.SignUpInput{Email: "  " + strings.ToUpper(email) + " ", Password: Password, Name: "Asha Rao", Phone: "+91 98123 45678"}, identity.ClientMeta{}))
	sess, err := s.h.Service.VerifyEmail(s.ctx, s.token(email, "/verify-email"), identity.ClientMeta{UserAgent: "test"})
	s.must(err)
	if sess.Token == "" || sess.User.Email != email || !sess.User.EmailVerified || sess.User.Role != authn.RoleCustomer || sess.User.Phone != "+919812345678" {
		s.t.Fatalf("session %+v", sess)
	}
	p, err := s.h.Service.Authenticate(s.ctx, sess.Token)
	s.must(err)
	if p.UserID != sess.User.ID || p.SessionID != sess.ID || p.Role != authn.RoleCustomer {
		s.t.Fatalf("principal %+v", p)
	}
	again, err := s.signIn(strings.ToUpper(email), Password, identity.ClientMeta{})
	s.must(err)
	if again.Token == sess.Token || again.ID == sess.ID {
		s.t.Fatal("sign-in reused a session")
	}
	me, err := s.h.Service.Me(s.as(again))
	s.must(err)
	if me.ID != sess.User.ID || me.Name != "Asha Rao" {
		s.t.Fatalf("me %+v", me)
	}
	list, err := s.h.Service.Sessions(s.as(again))
	s.must(err)
	if len(list) != 2 {
		s.t.Fatalf("sessions %+v", list)
	}
	_, err = s.h.Service.Me(s.ctx)
	s.is(err, authn.ErrUnauthenticated)
}

func testNoEnumeration(s *suite) {
	known := s.email()
	s.account(known)
	before := len(s.mails())
	// A second sign-up with a registered address answers the same.
	s.must(s.h.Service.SignUp(s.ctx, identity.SignUpInput{Email: known, Password: "another good password", Name: "Mallory"}, identity.ClientMeta{}))
	m := s.mails()
	if len(m) != before+1 || m[0].To != known || strings.Contains(m[0].Body, "token=") {
		s.t.Fatalf("a duplicate sign-up should mail the owner a notice without a link: %+v", m[0])
	}
	if _, err := s.signIn(known, "another good password", identity.ClientMeta{}); !errors.Is(err, identity.ErrInvalidCredentials) {
		s.t.Fatalf("the duplicate sign-up changed the password: %v", err)
	}
	// Unknown address and wrong password: the same error, word for word.
	_, errUnknown := s.signIn(s.email(), Password, identity.ClientMeta{})
	_, errWrong := s.signIn(known, "not the password", identity.ClientMeta{})
	s.is(errUnknown, identity.ErrInvalidCredentials)
	s.is(errWrong, identity.ErrInvalidCredentials)
	if errUnknown.Error() != errWrong.Error() {
		s.t.Fatalf("failures differ: %q vs %q", errUnknown, errWrong)
	}
	// Reset answers nil either way; only the real account gets mail.
	before = len(s.mails())
	s.must(s.h.Service.RequestPasswordReset(s.ctx, "nobody-"+s.email(), identity.ClientMeta{}))
	if len(s.mails()) != before {
		s.t.Fatal("mail for an unknown address")
	}
	s.must(s.h.Service.RequestPasswordReset(s.ctx, known, identity.ClientMeta{}))
	if len(s.mails()) != before+1 {
		s.t.Fatal("no reset mail")
	}
}

func testUnverified(s *suite) {
	email := s.email()
	s.must(s.h.Service.SignUp(s.ctx, identity.SignUpInput{Email: email, Password: Password, Name: "Asha"}, identity.ClientMeta{}))
	first := s.token(email, "/verify-email")
	_, err := s.signIn(email, Password, identity.ClientMeta{})
	s.is(err, identity.ErrInvalidCredentials)
	second := s.token(email, "/verify-email")
	if second == first {
		s.t.Fatal("no new link after signing in unverified")
	}
	_, err = s.h.Service.VerifyEmail(s.ctx, first, identity.ClientMeta{})
	s.is(err, identity.ErrInvalidToken)
	_, err = s.h.Service.VerifyEmail(s.ctx, second, identity.ClientMeta{})
	s.must(err)
	_, err = s.signIn(email, Password, identity.ClientMeta{})
	s.must(err)
	// Resend answers the same for verified, unverified and unknown.
	s.must(s.h.Service.ResendVerification(s.ctx, email, identity.ClientMeta{}))
	s.must(s.h.Service.ResendVerification(s.ctx, s.email(), identity.ClientMeta{}))
}

func testSquatter(s *suite) {
	email := s.email()
	s.must(s.h.Service.SignUp(s.ctx, identity.SignUpInput{Email: email, Password: "squatter password 1", Name: "Mallory"}, identity.ClientMeta{}))
	squatterLink := s.token(email, "/verify-email")
	s.must(s.h.Service.SignUp(s.ctx, identity.SignUpInput{Email: email, Password: Password, Name: "Asha"}, identity.ClientMeta{}))
	_, err := s.h.Service.VerifyEmail(s.ctx, squatterLink, identity.ClientMeta{})
	s.is(err, identity.ErrInvalidToken)
	sess, err := s.h.Service.VerifyEmail(s.ctx, s.token(email, "/verify-email"), identity.ClientMeta{})
	s.must(err)
	if sess.User.Name != "Asha" {
		s.t.Fatalf("name %q", sess.User.Name)
	}
	_, err = s.signIn(email, "squatter password 1", identity.ClientMeta{})
	s.is(err, identity.ErrInvalidCredentials)
	_, err = s.signIn(email, Password, identity.ClientMeta{})
	s.must(err)
}

func testBadInput(s *suite) {
	long := strings.Repeat("x", 300)
	cases := []struct {
		name string
		in   identity.SignUpInput
		code string
	}{
		{"no at", identity.SignUpInput{Email: "asha.example.com", Password: Password, Name: "A"}, "validation_failed"},
		{"display name", identity.SignUpInput{Email: "Asha <asha@example.com>", Password: Password, Name: "A"}, "validation_failed"},
		{"no domain dot", identity.SignUpInput{Email: "asha@example", Password: Password, Name: "A"}, "validation_failed"},
		{"bad domain", identity.SignUpInput{Email: "asha@-example.com", Password: Password, Name: "A"}, "validation_failed"},
		{"too long email", identity.SignUpInput{Email: long + "@example.com", Password: Password, Name: "A"}, "validation_failed"},
		{"empty name", identity.SignUpInput{Email: "a@example.com", Password: Password, Name: "  "}, "validation_failed"},
		{"long name", identity.SignUpInput{Email: "a@example.com", Password: Password, Name: strings.Repeat("n", 101)}, "validation_failed"},
		{"control characters", identity.SignUpInput{Email: "a@example.com", Password: Password, Name: "A\x00B"}, "validation_failed"},
		{"bad phone", identity.SignUpInput{Email: "a@example.com", Password: Password, Name: "A", Phone: "call me"}, "validation_failed"},
		{"short password", identity.SignUpInput{Email: "a@example.com", Password: "short1", Name: "A"}, "weak_password"},
		{"long password", identity.SignUpInput{Email: "a@example.com", Password: strings.Repeat("p", 129), Name: "A"}, "weak_password"},
		{"common password", identity.SignUpInput{Email: "a@example.com", Password: "Password123", Name: "A"}, "weak_password"},
		{"common password 2", identity.SignUpInput{Email: "a@example.com", Password: "iloveyou", Name: "A"}, "weak_password"},
		{"password is the email", identity.SignUpInput{Email: "asha.rao@example.com", Password: "asha.rao@example.com", Name: "A"}, "weak_password"},
	}
	for _, c := range cases {
		err := s.h.Service.SignUp(s.ctx, c.in, identity.ClientMeta{})
		if errs.KindOf(err) != errs.KindInvalid || errs.CodeOf(err) != c.code {
			s.t.Errorf("%s: err = %v, want %s", c.name, err, c.code)
		}
	}
	// 8 characters, 128 characters and non-ASCII are fine.
	for _, pw := range []string{"zq7!kLm2", strings.Repeat("ü", 128)} {
		s.must(s.h.Service.SignUp(s.ctx, identity.SignUpInput{Email: s.email(), Password: pw, Name: "A"}, identity.ClientMeta{}))
	}
	// Oversized sign-in input is just a failure.
	_, err := s.signIn(long+"@example.com", Password, identity.ClientMeta{})
	s.is(err, identity.ErrInvalidCredentials)
}

func testTokens(s *suite) {
	email := s.email()
	s.must(s.h.Service.SignUp(s.ctx, identity.SignUpInput{Email: email, Password: Password, Name: "A"}, identity.ClientMeta{}))
	tok := s.token(email, "/verify-email")
	for _, forged := range []string{"", "bzt_", tok[:len(tok)-1] + "A", strings.Repeat("a", 47), "bzs_" + tok[4:]} {
		if forged == tok {
			continue
		}
		_, err := s.h.Service.VerifyEmail(s.ctx, forged, identity.ClientMeta{})
		s.is(err, identity.ErrInvalidToken)
	}
	s.h.Clock.Advance(49 * time.Hour)
	_, err := s.h.Service.VerifyEmail(s.ctx, tok, identity.ClientMeta{})
	s.is(err, identity.ErrInvalidToken)
	s.must(s.h.Service.ResendVerification(s.ctx, email, identity.ClientMeta{}))
	fresh := s.token(email, "/verify-email")
	_, err = s.h.Service.VerifyEmail(s.ctx, fresh, identity.ClientMeta{})
	s.must(err)
	_, err = s.h.Service.VerifyEmail(s.ctx, fresh, identity.ClientMeta{})
	s.is(err, identity.ErrInvalidToken)
	// Session tokens: forged ones are refused.
	for _, forged := range []string{"", "bzs_x", "bzs_" + strings.Repeat("A", 43), fresh} {
		_, err := s.h.Service.Authenticate(s.ctx, forged)
		s.is(err, identity.ErrInvalidSession)
	}
}

func testSessionExpiry(s *suite) {
	email := s.email()
	s.account(email)
	// Idle: 14 days without use.
	idle, err := s.signIn(email, Password, identity.ClientMeta{})
	s.must(err)
	s.h.Clock.Advance(13 * 24 * time.Hour)
	_, err = s.h.Service.Authenticate(s.ctx, idle.Token)
	s.must(err) // used: the idle clock restarts
	s.h.Clock.Advance(13 * 24 * time.Hour)
	_, err = s.h.Service.Authenticate(s.ctx, idle.Token)
	s.must(err)
	s.h.Clock.Advance(14*24*time.Hour + time.Second)
	_, err = s.h.Service.Authenticate(s.ctx, idle.Token)
	s.is(err, identity.ErrInvalidSession)

	// Absolute: 30 days however busy.
	busy, err := s.signIn(email, Password, identity.ClientMeta{})
	s.must(err)
	for range 3 {
		s.h.Clock.Advance(10 * 24 * time.Hour)
		_, err = s.h.Service.Authenticate(s.ctx, busy.Token)
		if err != nil {
			break
		}
	}
	s.is(err, identity.ErrInvalidSession)

	// Sign-out ends this session at once; the others live.
	a, err := s.signIn(email, Password, identity.ClientMeta{})
	s.must(err)
	b, err := s.signIn(email, Password, identity.ClientMeta{})
	s.must(err)
	_, err = s.h.Service.Authenticate(s.ctx, a.Token) // cached now
	s.must(err)
	s.must(s.h.Service.SignOut(s.as(a)))
	_, err = s.h.Service.Authenticate(s.ctx, a.Token)
	s.is(err, identity.ErrInvalidSession)
	_, err = s.h.Service.Authenticate(s.ctx, b.Token)
	s.must(err)
	c, err := s.signIn(email, Password, identity.ClientMeta{})
	s.must(err)
	s.must(s.h.Service.SignOutAll(s.as(c)))
	for _, x := range []identity.Session{b, c} {
		_, err = s.h.Service.Authenticate(s.ctx, x.Token)
		s.is(err, identity.ErrInvalidSession)
	}
}

func testStaffSessions(s *suite) {
	email := s.email()
	_, err := s.h.CreateAdmin(s.ctx, email, Password)
	s.must(err)
	sess, err := s.signIn(email, Password, identity.ClientMeta{})
	s.must(err)
	if !sess.ExpiresAt.Equal(s.h.Clock.Now().Add(12 * time.Hour)) {
		s.t.Fatalf("admin session ends %v", sess.ExpiresAt)
	}
	s.h.Clock.Advance(31 * time.Minute)
	_, err = s.h.Service.Authenticate(s.ctx, sess.Token)
	s.is(err, identity.ErrInvalidSession)
}

func testThrottleAccount(s *suite) {
	email := s.email()
	s.account(email)
	for i := range 10 {
		_, err := s.signIn(email, fmt.Sprintf("wrong password %d", i), identity.ClientMeta{})
		s.is(err, identity.ErrInvalidCredentials)
	}
	// The 11th attempt is refused even with the right password, and says
	// when to come back.
	_, err := s.signIn(email, Password, identity.ClientMeta{})
	s.is(err, identity.ErrThrottled)
	if d, ok := identity.RetryAfterOf(err); ok && (d <= 0 || d > 30*time.Minute) {
		s.t.Fatalf("retry after %v", d)
	}
	// Another account is not affected.
	other := s.email()
	s.account(other)
	_, err = s.signIn(other, Password, identity.ClientMeta{})
	s.must(err)
	// Not a permanent lockout: after the window moves on, the owner gets in.
	s.h.Clock.Advance(31 * time.Minute)
	_, err = s.signIn(email, Password, identity.ClientMeta{})
	s.must(err)
	// A success clears the count.
	for range 9 {
		_, _ = s.signIn(email, "wrong again", identity.ClientMeta{})
	}
	_, err = s.signIn(email, Password, identity.ClientMeta{})
	s.must(err)
	for range 9 {
		_, _ = s.signIn(email, "wrong again", identity.ClientMeta{})
	}
	_, err = s.signIn(email, Password, identity.ClientMeta{})
	s.must(err)
}

func testThrottleIP(s *suite) {
	email := s.email()
	s.account(email)
	attacker := identity.ClientMeta{IP: "203.0.113.9"}
	for i := range SuiteMaxIPFailures {
		_, err := s.signIn(fmt.Sprintf("victim%d@example.com", i), "guess", attacker)
		s.is(err, identity.ErrInvalidCredentials)
	}
	_, err := s.signIn(email, Password, attacker)
	s.is(err, identity.ErrThrottled)
	_, err = s.signIn(email, Password, identity.ClientMeta{IP: "198.51.100.7"})
	s.must(err)
}

func testPasswordReset(s *suite) {
	email := s.email()
	old := s.account(email)
	s.must(s.h.Service.RequestPasswordReset(s.ctx, email, identity.ClientMeta{}))
	tok := s.token(email, "/reset-password")
	s.is(s.h.Service.ResetPassword(s.ctx, tok, "password1"), identity.ErrWeakPassword)
	s.must(s.h.Service.ResetPassword(s.ctx, tok, "a new long passphrase"))
	s.is(s.h.Service.ResetPassword(s.ctx, tok, "a newer long passphrase"), identity.ErrInvalidToken)
	_, err := s.h.Service.Authenticate(s.ctx, old.Token)
	s.is(err, identity.ErrInvalidSession)
	_, err = s.signIn(email, Password, identity.ClientMeta{})
	s.is(err, identity.ErrInvalidCredentials)
	_, err = s.signIn(email, "a new long passphrase", identity.ClientMeta{})
	s.must(err)
	// Reset links expire after an hour.
	s.must(s.h.Service.RequestPasswordReset(s.ctx, email, identity.ClientMeta{}))
	tok = s.token(email, "/reset-password")
	s.h.Clock.Advance(61 * time.Minute)
	s.is(s.h.Service.ResetPassword(s.ctx, tok, "yet another passphrase"), identity.ErrInvalidToken)
}

func testTOTP(s *suite) {
	email := s.email()
	sess := s.account(email)
	ctx := s.as(sess)
	_, err := s.h.Service.EnrolTOTP(s.ctx)
	s.is(err, authn.ErrUnauthenticated)
	s.is(s.h.Service.ConfirmTOTP(ctx, "123456"), identity.ErrTOTPNotPending)
	e, err := s.h.Service.EnrolTOTP(ctx)
	s.must(err)
	if !strings.HasPrefix(e.URI, "otpauth://totp/") || !strings.Contains(e.URI, "secret="+e.Secret) {
		s.t.Fatalf("enrolment %+v", e)
	}
	s.is(s.h.Service.ConfirmTOTP(ctx, "000000"), identity.ErrInvalidTOTP)
	s.must(s.h.Service.ConfirmTOTP(ctx, identity.TOTPCode(e.Secret, s.h.Clock.Now())))
	_, err = s.h.Service.EnrolTOTP(ctx)
	s.is(err, identity.ErrTOTPEnabled)
	me, err := s.h.Service.Me(ctx)
	s.must(err)
	if !me.TOTPEnabled {
		s.t.Fatal("not enabled")
	}

	// Sign-in now needs the code; the confirming code cannot be replayed.
	_, err = s.signIn(email, Password, identity.ClientMeta{})
	s.is(err, identity.ErrTOTPRequired)
	in := identity.SignInInput{Email: email, Password: Password, TOTP: identity.TOTPCode(e.Secret, s.h.Clock.Now())}
	_, err = s.h.Service.SignIn(s.ctx, in, identity.ClientMeta{})
	s.is(err, identity.ErrInvalidTOTP)
	s.h.Clock.Advance(30 * time.Second)
	in.TOTP = identity.TOTPCode(e.Secret, s.h.Clock.Now())
	mfa, err := s.h.Service.SignIn(s.ctx, in, identity.ClientMeta{})
	s.must(err)
	if !mfa.MFA {
		s.t.Fatal("session not marked MFA")
	}
	p, err := s.h.Service.Authenticate(s.ctx, mfa.Token)
	s.must(err)
	if !p.MFA {
		s.t.Fatal("principal not MFA")
	}
	_, err = s.h.Service.SignIn(s.ctx, in, identity.ClientMeta{})
	s.is(err, identity.ErrInvalidTOTP) // replay
	// A code from the previous step is still accepted (clock drift).
	s.h.Clock.Advance(30 * time.Second)
	in.TOTP = identity.TOTPCode(e.Secret, s.h.Clock.Now().Add(30*time.Second))
	_, err = s.h.Service.SignIn(s.ctx, in, identity.ClientMeta{})
	s.must(err)
	// Wrong password with a right code is still a plain failure.
	s.h.Clock.Advance(2 * time.Minute)
	_, err = s.h.Service.SignIn(s.ctx, identity.SignInInput{Email: email, Password: "not it at all", TOTP: identity.TOTPCode(e.Secret, s.h.Clock.Now())}, identity.ClientMeta{})
	s.is(err, identity.ErrInvalidCredentials)

	mctx := s.as(mfa)
	s.is(s.h.Service.DisableTOTP(mctx, "999999"), identity.ErrInvalidTOTP)
	s.must(s.h.Service.DisableTOTP(mctx, identity.TOTPCode(e.Secret, s.h.Clock.Now())))
	_, err = s.signIn(email, Password, identity.ClientMeta{})
	s.must(err)
	s.is(s.h.Service.DisableTOTP(mctx, "123456"), identity.ErrTOTPNotEnabled)
}

func testProfile(s *suite) {
	email := s.email()
	sess := s.account(email)
	ctx := s.as(sess)
	name, phone := "Asha R.", "+91-98765-43210"
	u, err := s.h.Service.UpdateMe(ctx, identity.UserPatch{Name: &name, Phone: &phone,
		Preferences: &identity.Preferences{Sizes: []string{"M", "M", "32"}, FavouriteCategories: []string{"kurtas"}, MarketingOptIn: true}})
	s.must(err)
	if u.Name != name || u.Phone != "+919876543210" || len(u.Preferences.Sizes) != 2 || !u.Preferences.MarketingOptIn {
		s.t.Fatalf("updated %+v", u)
	}
	me, err := s.h.Service.Me(ctx)
	s.must(err)
	if me.Preferences.FavouriteCategories[0] != "kurtas" || me.Name != name {
		s.t.Fatalf("read back %+v", me)
	}
	bad := []identity.UserPatch{
		{Name: ptr("")},
		{Name: ptr(strings.Repeat("n", 101))},
		{Phone: ptr("12")},
		{Preferences: &identity.Preferences{FavouriteCategories: []string{"Not A Slug!"}}},
		{Preferences: &identity.Preferences{Sizes: make([]string, 21)}},
	}
	for i, p := range bad {
		_, err := s.h.Service.UpdateMe(ctx, p)
		if errs.KindOf(err) != errs.KindInvalid {
			s.t.Errorf("bad patch %d: %v", i, err)
		}
	}
	// Changing the password needs the current one and ends other sessions.
	other, err := s.signIn(email, Password, identity.ClientMeta{})
	s.must(err)
	s.is(s.h.Service.ChangePassword(ctx, "not the password", "brand new passphrase"), identity.ErrWrongPassword)
	s.is(s.h.Service.ChangePassword(ctx, Password, "qwertyuiop"), identity.ErrWeakPassword)
	s.must(s.h.Service.ChangePassword(ctx, Password, "brand new passphrase"))
	_, err = s.h.Service.Authenticate(s.ctx, other.Token)
	s.is(err, identity.ErrInvalidSession)
	_, err = s.h.Service.Authenticate(s.ctx, sess.Token)
	s.must(err)
	_, err = s.signIn(email, "brand new passphrase", identity.ClientMeta{})
	s.must(err)
}

func ptr[T any](v T) *T { return &v }

func (s *suite) newAddress(ctx context.Context, name string) identity.Address {
	s.t.Helper()
	a, err := s.h.Service.CreateAddress(ctx, identity.AddressInput{Name: ptr(name), Phone: ptr("9812345678"), Line1: ptr("12 MG Road"),
		City: ptr("Bengaluru"), State: ptr("Karnataka"), PostalCode: ptr("560 001")})
	s.must(err)
	return a
}

func testAddresses(s *suite) {
	alice, bob := s.account(s.email()), s.account(s.email())
	actx, bctx := s.as(alice), s.as(bob)
	first := s.newAddress(actx, "Home")
	if !first.DefaultShipping || !first.DefaultBilling || first.Country != "IN" || first.PostalCode != "560001" {
		s.t.Fatalf("first address %+v", first)
	}
	second, err := s.h.Service.CreateAddress(actx, identity.AddressInput{Name: ptr("Office"), Phone: ptr("+442071234567"), Line1: ptr("1 High St"),
		City: ptr("London"), State: ptr("London"), PostalCode: ptr("sw1a 1aa"), Country: ptr("gb"), DefaultShipping: ptr(true)})
	s.must(err)
	if second.Country != "GB" || second.PostalCode != "SW1A 1AA" || !second.DefaultShipping || second.DefaultBilling {
		s.t.Fatalf("second %+v", second)
	}
	list, err := s.h.Service.Addresses(actx)
	s.must(err)
	if len(list) != 2 || list[0].ID != second.ID || list[1].DefaultShipping || !list[1].DefaultBilling {
		s.t.Fatalf("defaults moved wrongly: %+v", list)
	}
	up, err := s.h.Service.UpdateAddress(actx, first.ID, identity.AddressInput{Line2: ptr("Flat 4"), DefaultShipping: ptr(true)})
	s.must(err)
	if up.Line2 != "Flat 4" || !up.DefaultShipping || up.City != "Bengaluru" {
		s.t.Fatalf("updated %+v", up)
	}

	// Another user's address id is a 404, for every route that takes one.
	_, err = s.h.Service.Address(bctx, first.ID)
	s.is(err, identity.ErrAddressNotFound)
	_, err = s.h.Service.UpdateAddress(bctx, first.ID, identity.AddressInput{City: ptr("Pune")})
	s.is(err, identity.ErrAddressNotFound)
	s.is(s.h.Service.DeleteAddress(bctx, first.ID), identity.ErrAddressNotFound)
	got, err := s.h.Service.Address(actx, first.ID)
	s.must(err)
	if got.City != "Bengaluru" {
		s.t.Fatal("bob changed alice's address")
	}
	if list, _ := s.h.Service.Addresses(bctx); len(list) != 0 {
		s.t.Fatalf("bob sees %v", list)
	}
	_, err = s.h.Service.Address(actx, "not-an-id")
	s.is(err, identity.ErrAddressNotFound)

	bad := []identity.AddressInput{
		{Name: ptr("X"), Phone: ptr("9812345678"), Line1: ptr("a"), City: ptr("c"), State: ptr("s"), PostalCode: ptr("060001")},
		{Name: ptr("X"), Phone: ptr("9812345678"), Line1: ptr("a"), City: ptr("c"), State: ptr("s"), PostalCode: ptr("56001")},
		{Name: ptr("X"), Phone: ptr("9812345678"), Line1: ptr("a"), City: ptr("c"), State: ptr("s"), PostalCode: ptr("56000A")},
		{Name: ptr("X"), Phone: ptr("9812345678"), Line1: ptr("a"), City: ptr("c"), State: ptr("s")},
		{Name: ptr("X"), Phone: ptr("9812345678"), Line1: ptr("a"), City: ptr("c"), State: ptr("s"), PostalCode: ptr("1234"), Country: ptr("India")},
		{Name: ptr("X"), Phone: ptr("9812345678"), Line1: ptr(strings.Repeat("l", 201)), City: ptr("c"), State: ptr("s"), PostalCode: ptr("560001")},
		{Name: ptr("X"), Line1: ptr("a"), City: ptr("c"), State: ptr("s"), PostalCode: ptr("560001")},
		{Name: ptr("X"), Phone: ptr("9812345678"), Line1: ptr("a"), City: ptr("c"), State: ptr("s"), PostalCode: ptr("!!"), Country: ptr("US")},
	}
	for i, in := range bad {
		_, err := s.h.Service.CreateAddress(actx, in)
		if errs.KindOf(err) != errs.KindInvalid {
			s.t.Errorf("bad address %d: %v", i, err)
		}
	}
	_, err = s.h.Service.UpdateAddress(actx, first.ID, identity.AddressInput{PostalCode: ptr("000000")})
	s.kind(err, errs.KindInvalid)

	// A PIN code from another state: Mumbai's with Karnataka.
	_, err = s.h.Service.CreateAddress(actx, identity.AddressInput{Name: ptr("X"), Phone: ptr("9812345678"), Line1: ptr("a"),
		City: ptr("Mumbai"), State: ptr("KA"), PostalCode: ptr("400001")})
	s.is(err, identity.ErrPostalCodeStateMismatch)
	if e := errs.As(err); len(e.Fields) != 1 || e.Fields[0].Field != "postal_code" {
		s.t.Fatalf("mismatch fields %+v", e.Fields)
	}
	// With other problems it is one of validation_failed's fields.
	_, err = s.h.Service.CreateAddress(actx, identity.AddressInput{Phone: ptr("9812345678"), Line1: ptr("a"),
		City: ptr("Mumbai"), State: ptr("Karnataka"), PostalCode: ptr("400001")})
	s.is(err, identity.ErrInvalidInput)
	if e := errs.As(err); len(e.Fields) != 2 || e.Fields[0].Field != "name" || e.Fields[1].Field != "postal_code" {
		s.t.Fatalf("fields %+v", e.Fields)
	}
	// Changing only the state checks it against the PIN code kept.
	_, err = s.h.Service.UpdateAddress(actx, first.ID, identity.AddressInput{State: ptr("Maharashtra")})
	s.is(err, identity.ErrPostalCodeStateMismatch)
	moved, err := s.h.Service.UpdateAddress(actx, first.ID, identity.AddressInput{City: ptr("Mumbai"), State: ptr("27"), PostalCode: ptr("400 001")})
	s.must(err)
	if moved.PostalCode != "400001" || moved.State != "27" {
		s.t.Fatalf("moved to Mumbai: %+v", moved)
	}
	// Moving the address abroad checks the code against the new country.
	_, err = s.h.Service.UpdateAddress(actx, first.ID, identity.AddressInput{Country: ptr("US"), PostalCode: ptr("94105-1234")})
	s.must(err)

	s.must(s.h.Service.DeleteAddress(actx, first.ID))
	_, err = s.h.Service.Address(actx, first.ID)
	s.is(err, identity.ErrAddressNotFound)
	for range 49 {
		s.newAddress(actx, "More")
	}
	_, err = s.h.Service.CreateAddress(actx, identity.AddressInput{Name: ptr("One too many"), Phone: ptr("9812345678"), Line1: ptr("a"),
		City: ptr("c"), State: ptr("s"), PostalCode: ptr("560001")})
	s.is(err, identity.ErrTooManyAddresses)
}

func testRoles(s *suite) {
	customer := s.account(s.email())
	cctx := s.as(customer)
	_, err := s.h.Service.Users(cctx, identity.UserQuery{})
	s.is(err, authn.ErrForbidden)
	_, err = s.h.Service.SetRole(cctx, customer.User.ID, authn.RoleAdmin)
	s.is(err, authn.ErrForbidden)
	_, err = s.h.Service.Users(s.ctx, identity.UserQuery{})
	s.is(err, authn.ErrUnauthenticated)

	adminEmail := s.email()
	admin, err := s.h.CreateAdmin(s.ctx, adminEmail, Password)
	s.must(err)
	if admin.Role != authn.RoleAdmin || !admin.EmailVerified {
		s.t.Fatalf("admin %+v", admin)
	}
	_, err = s.h.CreateAdmin(s.ctx, "x@example.com", "password")
	s.is(err, identity.ErrWeakPassword)
	asess, err := s.signIn(adminEmail, Password, identity.ClientMeta{})
	s.must(err)
	actx := s.as(asess)
	page, err := s.h.Service.Users(actx, identity.UserQuery{Email: customer.User.Email})
	s.must(err)
	if len(page.Items) != 1 || page.Items[0].ID != customer.User.ID {
		s.t.Fatalf("users %+v", page)
	}
	staff, err := s.h.Service.SetRole(actx, customer.User.ID, authn.RoleStaff)
	s.must(err)
	if staff.Role != authn.RoleStaff {
		s.t.Fatalf("role %s", staff.Role)
	}
	// The promoted account's sessions ended: its next sign-in carries the role.
	_, err = s.h.Service.Authenticate(s.ctx, customer.Token)
	s.is(err, identity.ErrInvalidSession)
	ssess, err := s.signIn(customer.User.Email, Password, identity.ClientMeta{})
	s.must(err)
	sctx := s.as(ssess)
	if _, err := s.h.Service.User(sctx, admin.ID); err != nil {
		s.t.Fatalf("staff read a user: %v", err)
	}
	_, err = s.h.Service.SetRole(sctx, admin.ID, authn.RoleCustomer)
	s.is(err, authn.ErrForbidden)
	_, err = s.h.Service.SetRole(actx, admin.ID, authn.RoleCustomer)
	s.is(err, identity.ErrLastAdmin)
	s.is(s.h.Service.DeleteMe(actx, Password), identity.ErrLastAdmin)
	_, err = s.h.Service.SetRole(actx, admin.ID, "root")
	s.kind(err, errs.KindInvalid)
	_, err = s.h.Service.User(actx, "00000000-0000-7000-8000-000000000000")
	s.is(err, identity.ErrUserNotFound)
	// Paging walks every account once.
	for range 3 {
		s.account(s.email())
	}
	seen := map[string]bool{}
	q := identity.UserQuery{PageSize: 2}
	for {
		page, err := s.h.Service.Users(actx, q)
		s.must(err)
		for _, u := range page.Items {
			if seen[u.ID] {
				s.t.Fatalf("%s listed twice", u.ID)
			}
			seen[u.ID] = true
		}
		if page.NextPageToken == "" {
			break
		}
		q.PageToken = page.NextPageToken
	}
	if len(seen) != 5 {
		s.t.Fatalf("listed %d accounts, want 5", len(seen))
	}
}

func (s *suite) order(id, user, device string, products ...string) {
	s.t.Helper()
	o := identity.OrderPaid{OrderID: id, UserID: user, DeviceID: device, Total: money.MustNew(100000, "INR"), PaidAt: s.h.Clock.Now()}
	for _, p := range products {
		o.Items = append(o.Items, identity.OrderItem{ProductID: p, SKU: p + "-M", Category: "cat-" + p[:1], Quantity: 1, Price: money.MustNew(50000, "INR")})
	}
	s.must(s.h.OrderPaid(s.ctx, "ev-"+id, o))
}

func productIDs(rs []identity.Recommendation) []string {
	out := make([]string, len(rs))
	for i, r := range rs {
		out[i] = r.ProductID
	}
	return out
}

func testRecommendations(s *suite) {
	// Shop history: a and b sell together, c and d together; z is the
	// bestseller on its own.
	s.order("o1", "", "device-other-1", "a1", "b1")
	s.order("o2", "", "device-other-2", "a1", "b1")
	s.order("o3", "", "device-other-3", "c1", "d1")
	for i := range 4 {
		s.order(fmt.Sprintf("z%d", i), "", "", "z1")
	}
	s.must(s.h.CartItemAdded(s.ctx, "cart-1", identity.CartItemAdded{CartID: "c", DeviceID: "device-other-4", ProductID: "e1", Quantity: 1}))
	// Redelivered events change nothing.
	s.order("o1", "", "device-other-1", "a1", "b1")

	const guest = "guest-device-0001"
	r, err := s.h.Service.Recommendations(s.ctx, guest, 5)
	s.must(err)
	if r.Strategy != "bestsellers" || len(r.Items) == 0 || r.Items[0].ProductID != "z1" || r.Items[0].Reason != "bestseller" {
		s.t.Fatalf("a new guest: %+v", r)
	}
	_, err = s.h.Service.Recommendations(s.ctx, "", 5) // nobody at all: bestsellers too
	s.must(err)

	// Viewing a1 brings b1, bought with it, to the top.
	s.must(s.h.Service.RecordEvent(s.ctx, guest, identity.EventInput{Type: identity.EventView, ProductID: "a1", Category: "cat-a"}))
	r, err = s.h.Service.Recommendations(s.ctx, guest, 5)
	s.must(err)
	if r.Strategy != "personal" || r.Items[0].ProductID != "b1" || r.Items[0].Reason != "bought_together" || len(r.RecentlyViewed) != 1 || r.RecentlyViewed[0] != "a1" {
		s.t.Fatalf("after viewing a1: %+v", r)
	}
	for _, id := range productIDs(r.Items) {
		if id == "a1" {
			s.t.Fatal("the viewed product is recommended back")
		}
	}
	// Viewing c1 as well brings d1 in.
	s.h.Clock.Advance(time.Minute)
	s.must(s.h.Service.RecordEvent(s.ctx, guest, identity.EventInput{Type: identity.EventView, ProductID: "c1"}))
	r, err = s.h.Service.Recommendations(s.ctx, guest, 5)
	s.must(err)
	top := productIDs(r.Items)
	if len(top) < 2 || !(top[0] == "d1" || top[1] == "d1") || r.RecentlyViewed[0] != "c1" {
		s.t.Fatalf("after viewing c1: %+v", r)
	}
	// Co-views: another guest who viewed c1 and then x1 makes x1 a suggestion
	// for whoever views c1.
	s.must(s.h.Service.RecordEvent(s.ctx, "guest-device-0002", identity.EventInput{Type: identity.EventView, ProductID: "c1"}))
	s.must(s.h.Service.RecordEvent(s.ctx, "guest-device-0002", identity.EventInput{Type: identity.EventView, ProductID: "x1"}))
	r, _ = s.h.Service.Recommendations(s.ctx, guest, 10)
	var coViewed bool
	for _, it := range r.Items {
		coViewed = coViewed || (it.ProductID == "x1" && it.Reason == "viewed_together")
	}
	if !coViewed {
		s.t.Fatalf("co-viewed x1 missing: %+v", r)
	}

	// Bad events.
	s.is(s.h.Service.RecordEvent(s.ctx, "", identity.EventInput{Type: identity.EventView, ProductID: "a1"}), identity.ErrNoActor)
	for _, in := range []identity.EventInput{{Type: "purchase", ProductID: "a1"}, {Type: identity.EventView}, {Type: identity.EventSearch},
		{Type: identity.EventView, ProductID: "a1", Category: "Bad Slug"}, {Type: identity.EventView, ProductID: strings.Repeat("p", 65)}} {
		s.kind(s.h.Service.RecordEvent(s.ctx, guest, in), errs.KindInvalid)
	}
	s.must(s.h.Service.RecordEvent(s.ctx, guest, identity.EventInput{Type: identity.EventSearch, Query: "red kurta"}))

	// Signing in on the device takes its history into the account, and a
	// purchase lands in the history.
	email := s.email()
	s.account(email)
	sess, err := s.signIn(email, Password, identity.ClientMeta{DeviceID: guest})
	s.must(err)
	ctx := s.as(sess)
	r, err = s.h.Service.Recommendations(ctx, "", 5)
	s.must(err)
	if len(r.RecentlyViewed) != 2 || r.Strategy != "personal" {
		s.t.Fatalf("after sign-in: %+v", r)
	}
	s.order("o9", sess.User.ID, "", "b1", "e1")
	ps, err := s.h.Service.Purchases(ctx)
	s.must(err)
	if len(ps) != 1 || ps[0].OrderID != "o9" || len(ps[0].Items) != 2 || ps[0].Total.Amount != 100000 {
		s.t.Fatalf("purchases %+v", ps)
	}
	r, _ = s.h.Service.Recommendations(ctx, "", 10)
	for _, id := range productIDs(r.Items) {
		if id == "b1" || id == "e1" {
			s.t.Fatalf("bought products recommended again: %v", productIDs(r.Items))
		}
	}
	// Favourite categories count.
	u, err := s.h.Service.UpdateMe(ctx, identity.UserPatch{Preferences: &identity.Preferences{FavouriteCategories: []string{"cat-z"}}})
	s.must(err)
	_ = u
	r, _ = s.h.Service.Recommendations(ctx, "", 10)
	var fav bool
	for _, it := range r.Items {
		fav = fav || (it.ProductID == "z1" && it.Reason == "favourite_category")
	}
	if !fav {
		s.t.Fatalf("favourite category missing: %+v", r)
	}
	_, err = s.h.Service.Purchases(s.ctx)
	s.is(err, authn.ErrUnauthenticated)
}

func testErasure(s *suite) {
	email := s.email()
	sess := s.account(email)
	ctx := s.as(sess)
	s.newAddress(ctx, "Home")
	s.must(s.h.Service.RecordEvent(ctx, "", identity.EventInput{Type: identity.EventSearch, Query: "wedding lehenga"}))
	s.order("o-erase", sess.User.ID, "", "a1")
	x, err := s.h.Service.Export(ctx)
	s.must(err)
	if x.User.Email != email || len(x.Addresses) != 1 || len(x.Events) != 2 || len(x.Purchases) != 1 || len(x.Sessions) != 1 {
		s.t.Fatalf("export %+v", x)
	}
	s.is(s.h.Service.DeleteMe(ctx, "wrong password"), identity.ErrWrongPassword)
	s.must(s.h.Service.DeleteMe(ctx, Password))
	_, err = s.h.Service.Authenticate(s.ctx, sess.Token)
	s.is(err, identity.ErrInvalidSession)
	_, err = s.h.Service.Me(ctx)
	s.is(err, identity.ErrUserNotFound)
	_, err = s.signIn(email, Password, identity.ClientMeta{})
	s.is(err, identity.ErrInvalidCredentials)
	for _, m := range s.mails() {
		if m.To == email {
			s.t.Fatal("mail to the erased address kept")
		}
	}
	// The address is free for a new account.
	again := s.account(email)
	if again.User.ID == sess.User.ID {
		s.t.Fatal("erased account revived")
	}
	x, err = s.h.Service.Export(s.as(again))
	s.must(err)
	if len(x.Addresses) != 0 || len(x.Events) != 0 || len(x.Purchases) != 0 {
		s.t.Fatalf("new account inherited data: %+v", x)
	}
}
