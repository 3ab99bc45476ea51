package identityhttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/cookiejar"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/identity/identitytest"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
)

// browser is an HTTP client with a cookie jar against a stack.
type browser struct {
	t    *testing.T
	s    *stack
	http *http.Client
	csrf string
}

func (s *stack) browser(t *testing.T) *browser {
	jar, _ := cookiejar.New(nil)
	return &browser{t: t, s: s, http: &http.Client{Jar: jar}}
}

type reply struct {
	status int
	header http.Header
	body   map[string]any
	raw    string
}

func (r reply) code() string { s, _ := r.body["code"].(string); return s }

func (b *browser) do(method, path string, body any, hdr ...string) reply {
	b.t.Helper()
	var rd io.Reader
	switch v := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(v)
	default:
		raw, _ := json.Marshal(v)
		rd = bytes.NewReader(raw)
	}
	req, _ := http.NewRequest(method, b.s.srv.URL+path, rd)
	if rd != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		if hdr[i] == "Host" {
			req.Host = hdr[i+1]
			continue
		}
		req.Header.Set(hdr[i], hdr[i+1])
	}
	resp, err := b.http.Do(req)
	if err != nil {
		b.t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	r := reply{status: resp.StatusCode, header: resp.Header, raw: string(raw)}
	_ = json.Unmarshal(raw, &r.body)
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != "application/problem+json" {
		b.t.Errorf("%s %s: %d with content type %q", method, path, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return r
}

func (b *browser) expect(r reply, status int, code string) {
	b.t.Helper()
	if r.status != status || (code != "" && r.code() != code) {
		b.t.Fatalf("status %d code %q, want %d %q: %s", r.status, r.code(), status, code, r.raw)
	}
}

// signUp makes a verified account through the API and signs the browser in.
func (b *browser) signUp(email string) {
	b.t.Helper()
	b.expect(b.do("POST", "/api/v1/auth/signup", map[string]string{"email": email, "password": identitytest.Password, "name": "Asha"}), 202, "")
	mails, err := b.s.core.DevMail(context.Background(), 100)
	if err != nil {
		b.t.Fatal(err)
	}
	r := b.do("POST", "/api/v1/auth/verify-email", map[string]string{"token": identitytest.TokenFrom(mails, email, "/verify-email")})
	b.expect(r, 200, "")
	b.csrf, _ = r.body["csrf_token"].(string)
}

func cookie(h http.Header, name string) *http.Cookie {
	for _, line := range h.Values("Set-Cookie") {
		c, err := http.ParseSetCookie(line)
		if err == nil && c.Name == name {
			return c
		}
	}
	return nil
}

func TestBrowserSession(t *testing.T) {
	s := newStack(t, true)
	b := s.browser(t)
	r := b.do("POST", "/api/v1/auth/signup", map[string]string{"email": "asha@example.com", "password": identitytest.Password, "name": "Asha"})
	b.expect(r, 202, "")
	if r.body["status"] != "check_your_email" {
		t.Fatalf("sign-up body %v", r.body)
	}
	mails := b.do("GET", "/api/v1/dev/mail", nil)
	b.expect(mails, 200, "")
	raw, _ := json.Marshal(mails.body["items"])
	if !strings.Contains(string(raw), "/verify-email?token=bzt_") {
		t.Fatalf("no link in the dev mailbox: %s", raw)
	}
	dm, _ := s.core.DevMail(context.Background(), 10)
	r = b.do("POST", "/api/v1/auth/verify-email", map[string]string{"token": identitytest.TokenFrom(dm, "asha@example.com", "/verify-email")})
	b.expect(r, 200, "")
	sc := cookie(r.header, "session")
	if sc == nil || !sc.HttpOnly || sc.SameSite != http.SameSiteLaxMode || sc.Secure || sc.Path != "/" || sc.MaxAge < 29*24*3600 {
		t.Fatalf("session cookie %+v", sc)
	}
	cc := cookie(r.header, authn.CSRFCookie)
	if cc == nil || cc.HttpOnly || cc.Value != r.body["csrf_token"] || cc.Value != authn.CSRFToken(sc.Value) {
		t.Fatalf("csrf cookie %+v, body %v", cc, r.body["csrf_token"])
	}
	if _, ok := r.body["token"]; ok {
		t.Fatal("a cookie session exposed its token in the body")
	}
	b.csrf = cc.Value

	me := b.do("GET", "/api/v1/me", nil)
	b.expect(me, 200, "")
	if me.body["email"] != "asha@example.com" || me.header.Get("X-CSRF-Token") != b.csrf {
		t.Fatalf("me %v, csrf header %q", me.body, me.header.Get("X-CSRF-Token"))
	}
	// Writes with the cookie need the CSRF token.
	b.expect(b.do("PATCH", "/api/v1/me", map[string]string{"name": "Asha R"}), 403, "csrf_rejected")
	b.expect(b.do("PATCH", "/api/v1/me", map[string]string{"name": "Asha R"}, authn.HeaderCSRF, "wrong"), 403, "csrf_rejected")
	b.expect(b.do("PATCH", "/api/v1/me", map[string]string{"name": "Asha R"}, authn.HeaderCSRF, b.csrf, "Sec-Fetch-Site", "cross-site"), 403, "csrf_rejected")
	b.expect(b.do("PATCH", "/api/v1/me", map[string]string{"name": "Asha R"}, authn.HeaderCSRF, b.csrf), 200, "")
	b.expect(b.do("POST", "/api/v1/auth/signout", nil), 403, "csrf_rejected")
	out := b.do("POST", "/api/v1/auth/signout", nil, authn.HeaderCSRF, b.csrf)
	b.expect(out, 204, "")
	if c := cookie(out.header, "session"); c == nil || c.MaxAge >= 0 {
		t.Fatalf("sign-out did not clear the cookie: %+v", c)
	}
	// Revoked on the server: the old cookie value is dead even if replayed.
	b.expect(b.do("GET", "/api/v1/me", nil, "Cookie", "session="+sc.Value), 401, "unauthenticated")
	b.expect(b.do("GET", "/api/v1/me", nil), 401, "unauthenticated")
}

func TestBearerSession(t *testing.T) {
	s := newStack(t, false)
	b := s.browser(t)
	b.signUp("bea@example.com")
	r := b.do("POST", "/api/v1/auth/signin", map[string]string{"email": "bea@example.com", "password": identitytest.Password, "session": "bearer"})
	b.expect(r, 200, "")
	tok, _ := r.body["token"].(string)
	if !strings.HasPrefix(tok, "bzs_") || len(r.header.Values("Set-Cookie")) != 0 || r.body["csrf_token"] != nil {
		t.Fatalf("bearer sign-in: token %q cookies %v", tok, r.header.Values("Set-Cookie"))
	}
	api := s.browser(t) // no cookies
	b.expect(api.do("GET", "/api/v1/me", nil, "Authorization", "Bearer "+tok), 200, "")
	// Bearer writes need no CSRF token, even with a cross-site header.
	b.expect(api.do("PATCH", "/api/v1/me", map[string]string{"name": "B"}, "Authorization", "Bearer "+tok, "Sec-Fetch-Site", "cross-site"), 200, "")
	b.expect(api.do("POST", "/api/v1/auth/signout-all", nil, "Authorization", "Bearer "+tok), 204, "")
	b.expect(api.do("GET", "/api/v1/me", nil, "Authorization", "Bearer "+tok), 401, "unauthenticated")
}

func TestCookiesAreSecureOffLocalhost(t *testing.T) {
	s := newStack(t, false)
	b := s.browser(t)
	b.signUp("sec@example.com")
	for host, secure := range map[string]bool{"shop.example.com": true, "localhost:8080": false, "127.0.0.1:8080": false, "[::1]:8080": false, "10.0.0.5": true} {
		r := b.do("POST", "/api/v1/auth/signin", map[string]string{"email": "sec@example.com", "password": identitytest.Password}, "Host", host)
		b.expect(r, 200, "")
		for _, name := range []string{"session", authn.CSRFCookie} {
			if c := cookie(r.header, name); c == nil || c.Secure != secure {
				t.Errorf("host %s: %s cookie %+v, want Secure=%v", host, name, c, secure)
			}
		}
	}
}

func TestThrottleAnswers429(t *testing.T) {
	s := newStack(t, false)
	b := s.browser(t)
	b.signUp("t@example.com")
	for range 10 {
		b.expect(b.do("POST", "/api/v1/auth/signin", map[string]string{"email": "t@example.com", "password": "wrong password"}), 401, "invalid_credentials")
	}
	r := b.do("POST", "/api/v1/auth/signin", map[string]string{"email": "t@example.com", "password": identitytest.Password})
	b.expect(r, 429, "too_many_attempts")
	secs, err := strconv.Atoi(r.header.Get("Retry-After"))
	if err != nil || secs <= 0 || secs > 1800 {
		t.Fatalf("Retry-After %q", r.header.Get("Retry-After"))
	}
	s.clock.Advance(time.Duration(secs) * time.Second)
	b.expect(b.do("POST", "/api/v1/auth/signin", map[string]string{"email": "t@example.com", "password": identitytest.Password}), 200, "")
}

func TestBadInputAndAbuseAreProblems(t *testing.T) {
	s := newStack(t, false)
	alice, bob := s.browser(t), s.browser(t)
	alice.signUp("alice@example.com")
	bob.signUp("bob@example.com")
	addr := alice.do("POST", "/api/v1/me/addresses", map[string]string{"name": "Home", "phone": "9812345678", "line1": "1 MG Road", "city": "Bengaluru", "state": "KA", "postal_code": "560001"},
		authn.HeaderCSRF, alice.csrf)
	alice.expect(addr, 201, "")
	if addr.header.Get("Location") != "/api/v1/me/addresses/"+addr.body["id"].(string) {
		t.Fatalf("Location %q", addr.header.Get("Location"))
	}
	aliceAddr := "/api/v1/me/addresses/" + addr.body["id"].(string)
	anon := s.browser(t)
	signer, _ := authn.NewSigner("cart", []byte("not-the-secret-not-the-secret-xx"))
	forged := signer.Sign(&authn.Principal{UserID: "someone", Role: authn.RoleAdmin}, "GET", "/api/v1/admin/users")

	cases := []struct {
		name         string
		b            *browser
		method, path string
		body         any
		hdr          []string
		status       int
		code         string
	}{
		{"invalid email", anon, "POST", "/api/v1/auth/signup", map[string]string{"email": "not-an-email", "password": identitytest.Password, "name": "A"}, nil, 400, "validation_failed"},
		{"common password", anon, "POST", "/api/v1/auth/signup", map[string]string{"email": "x@example.com", "password": "password1", "name": "A"}, nil, 400, "weak_password"},
		{"malformed json", anon, "POST", "/api/v1/auth/signup", `{"email":`, nil, 400, "invalid_json"},
		{"unknown field", anon, "POST", "/api/v1/auth/signup", map[string]string{"email": "x@example.com", "password": identitytest.Password, "name": "A", "role": "admin"}, nil, 400, "validation_failed"},
		{"oversized field", alice, "PATCH", "/api/v1/me", map[string]string{"name": strings.Repeat("n", 101)}, []string{authn.HeaderCSRF, alice.csrf}, 400, "validation_failed"},
		{"oversized body", anon, "POST", "/api/v1/auth/signup", map[string]string{"email": "x@example.com", "password": identitytest.Password, "name": strings.Repeat("n", 70<<10)}, nil, 413, "body_too_large"},
		{"forged verification token", anon, "POST", "/api/v1/auth/verify-email", map[string]string{"token": "bzt_forged"}, nil, 400, "invalid_token"},
		{"forged session cookie", anon, "GET", "/api/v1/me", nil, []string{"Cookie", "session=bzs_" + strings.Repeat("x", 43)}, 401, "unauthenticated"},
		{"forged bearer", anon, "GET", "/api/v1/me", nil, []string{"Authorization", "Bearer nope"}, 401, "unauthenticated"},
		{"forged principal header", anon, "GET", "/api/v1/admin/users", nil, []string{authn.HeaderPrincipal, forged}, 401, "unauthenticated"},
		{"customer on an admin route", alice, "GET", "/api/v1/admin/users", nil, nil, 403, "forbidden"},
		{"customer changing a role", alice, "PATCH", "/api/v1/admin/users/" + addr.body["id"].(string), map[string]string{"role": "admin"}, []string{authn.HeaderCSRF, alice.csrf}, 403, "forbidden"},
		{"anonymous on an admin route", anon, "GET", "/api/v1/admin/users", nil, nil, 401, "unauthenticated"},
		{"another user's address", bob, "GET", aliceAddr, nil, nil, 404, "address_not_found"},
		{"another user's address, patched", bob, "PATCH", aliceAddr, map[string]string{"city": "Pune"}, []string{authn.HeaderCSRF, bob.csrf}, 404, "address_not_found"},
		{"another user's address, deleted", bob, "DELETE", aliceAddr, nil, []string{authn.HeaderCSRF, bob.csrf}, 404, "address_not_found"},
		{"bad PIN code", alice, "POST", "/api/v1/me/addresses", map[string]string{"name": "H", "phone": "9812345678", "line1": "1", "city": "c", "state": "s", "postal_code": "012345"}, []string{authn.HeaderCSRF, alice.csrf}, 400, "validation_failed"},
		{"event without a type", anon, "POST", "/api/v1/me/events", map[string]string{"product_id": "p1"}, nil, 400, "validation_failed"},
		{"dev mailbox in production", anon, "GET", "/api/v1/dev/mail", nil, nil, 404, "route_not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			c.b.t = t
			r := c.b.do(c.method, c.path, c.body, c.hdr...)
			c.b.expect(r, c.status, c.code)
			if strings.Contains(r.raw, "argon2") || strings.Contains(r.raw, "bzs_") {
				t.Fatalf("a secret leaked: %s", r.raw)
			}
		})
	}
	// Alice's address survived Bob's attempts.
	alice.t = t
	got := alice.do("GET", aliceAddr, nil)
	alice.expect(got, 200, "")
	if got.body["city"] != "Bengaluru" {
		t.Fatalf("address %v", got.body)
	}
}

func TestSessionExpiresOverHTTP(t *testing.T) {
	s := newStack(t, false)
	b := s.browser(t)
	b.signUp("exp@example.com")
	b.expect(b.do("GET", "/api/v1/me", nil), 200, "")
	s.clock.Advance(15 * 24 * time.Hour)
	b.expect(b.do("GET", "/api/v1/me", nil), 401, "unauthenticated")
}

func TestGuestsGetADeviceID(t *testing.T) {
	s := newStack(t, false)
	b := s.browser(t)
	r := b.do("POST", "/api/v1/me/events", map[string]string{"type": "view", "product_id": "p1"})
	b.expect(r, 202, "")
	dc := cookie(r.header, "device_id")
	if dc == nil || !dc.HttpOnly || dc.Value != r.body["device_id"] {
		t.Fatalf("device cookie %+v body %v", dc, r.body)
	}
	r = b.do("POST", "/api/v1/me/events", map[string]string{"type": "view", "product_id": "p2"})
	b.expect(r, 202, "")
	if cookie(r.header, "device_id") != nil {
		t.Fatal("a second device id minted")
	}
	rec := b.do("GET", "/api/v1/me/recommendations", nil)
	b.expect(rec, 200, "")
	if rv, _ := rec.body["recently_viewed"].([]any); len(rv) != 2 || rv[0] != "p2" {
		t.Fatalf("recommendations %v", rec.body)
	}
	// The header works as well as the cookie.
	other := s.browser(t)
	rec = other.do("GET", "/api/v1/me/recommendations?limit=3", nil, "X-Device-Id", dc.Value)
	if rv, _ := rec.body["recently_viewed"].([]any); len(rv) != 2 {
		t.Fatalf("by header %v", rec.body)
	}
}

func TestDeleteMeAndExport(t *testing.T) {
	s := newStack(t, false)
	b := s.browser(t)
	b.signUp("gone@example.com")
	x := b.do("GET", "/api/v1/me/export", nil)
	b.expect(x, 200, "")
	if !strings.HasPrefix(x.header.Get("Content-Disposition"), "attachment") || x.body["user"].(map[string]any)["email"] != "gone@example.com" {
		t.Fatalf("export %v %v", x.header, x.body)
	}
	b.expect(b.do("DELETE", "/api/v1/me", map[string]string{"password": "wrong"}, authn.HeaderCSRF, b.csrf), 403, "wrong_password")
	r := b.do("DELETE", "/api/v1/me", map[string]string{"password": identitytest.Password}, authn.HeaderCSRF, b.csrf)
	b.expect(r, 204, "")
	b.expect(b.do("GET", "/api/v1/me", nil), 401, "unauthenticated")
}

func TestOpenAPIDocumentsTheRoutes(t *testing.T) {
	s := newStack(t, false)
	r := s.browser(t).do("GET", "/api/v1/openapi.json", nil)
	paths, _ := r.body["paths"].(map[string]any)
	for _, p := range []string{"/api/v1/auth/signup", "/api/v1/auth/signin", "/api/v1/me", "/api/v1/me/addresses/{id}", "/api/v1/me/recommendations", "/api/v1/admin/users/{id}"} {
		if paths[p] == nil {
			t.Errorf("%s missing from the OpenAPI document", p)
		}
	}
	if paths["/api/v1/internal/authenticate"] != nil || paths["/api/v1/dev/mail"] != nil {
		t.Error("internal or dev routes documented")
	}
}
