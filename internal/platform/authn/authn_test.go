package authn_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

var secret = []byte("0123456789abcdef0123456789abcdef")

// resolver knows two tokens; "down" makes it fail as an unreachable
// identity service would.
type resolver struct {
	calls atomic.Int64
	down  atomic.Bool
}

func (r *resolver) Authenticate(ctx context.Context, token string) (authn.Principal, error) {
	r.calls.Add(1)
	if r.down.Load() {
		return authn.Principal{}, errs.Unavailable("service_unavailable", "identity is down")
	}
	switch token {
	case "tok-alice":
		return authn.Principal{UserID: "alice", Role: authn.RoleCustomer, SessionID: "s1"}, nil
	case "tok-root":
		return authn.Principal{UserID: "root", Role: authn.RoleAdmin, SessionID: "s2", MFA: true}, nil
	}
	return authn.Principal{}, errs.Unauthenticated("invalid_session", "no such session")
}

type whoOut struct {
	Body struct {
		Principal *authn.Principal `json:"principal"`
		Header    string           `json:"header"`
	}
}

// server serves: a public GET and POST that echo the caller, a route for
// any user, an admin route and a service-only route.
func server(t *testing.T, r authn.Resolver, o authn.Options) *httptest.Server {
	t.Helper()
	o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	rt := web.NewRouter(web.Options{Title: "t", Version: "1", Logger: o.Logger,
		Middleware: []func(http.Handler) http.Handler{authn.Middleware(r, o)}})
	who := func(ctx context.Context, _ *struct{}) (*whoOut, error) {
		out := &whoOut{}
		if p, ok := authn.FromContext(ctx); ok {
			out.Body.Principal = &p
		}
		return out, nil
	}
	reg := func(method, path string, mw ...func(huma.Context, func(huma.Context))) {
		huma.Register(rt.API, huma.Operation{OperationID: method + path, Method: method, Path: path, Middlewares: mw}, who)
	}
	reg("GET", "/api/v1/public")
	reg("POST", "/api/v1/public")
	reg("POST", "/api/v1/me", authn.RequireUser(rt.API))
	reg("GET", "/api/v1/me", authn.RequireUser(rt.API))
	reg("GET", "/api/v1/admin", authn.RequireRole(rt.API, authn.RoleAdmin))
	reg("GET", "/api/v1/internal", authn.RequireService(rt.API))
	rt.Handle("GET /plain", authn.Require(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		// The principal header must never reach a handler.
		io.WriteString(w, r.Header.Get(authn.HeaderPrincipal))
	}), authn.RoleAdmin))
	srv := httptest.NewServer(rt.Handler())
	t.Cleanup(srv.Close)
	return srv
}

type result struct {
	status int
	code   string
	who    *authn.Principal
	header http.Header
	body   string
}

func call(t *testing.T, method, url string, hdr map[string]string) result {
	t.Helper()
	req, _ := http.NewRequest(method, url, nil)
	for k, v := range hdr {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	raw, _ := io.ReadAll(resp.Body)
	res := result{status: resp.StatusCode, header: resp.Header, body: string(raw)}
	var doc struct {
		Code      string           `json:"code"`
		Principal *authn.Principal `json:"principal"`
	}
	_ = json.Unmarshal(raw, &doc)
	res.code, res.who = doc.Code, doc.Principal
	return res
}

func TestMiddlewareResolvesCredentials(t *testing.T) {
	r := &resolver{}
	srv := server(t, r, authn.Options{})
	cookie := "session=tok-alice"
	cases := []struct {
		name, method, path string
		hdr                map[string]string
		status             int
		code               string
		user               string
		source             authn.Source
	}{
		{"anonymous public", "GET", "/api/v1/public", nil, 200, "", "", ""},
		{"bearer", "GET", "/api/v1/public", map[string]string{"Authorization": "Bearer tok-alice"}, 200, "", "alice", authn.SourceBearer},
		{"bearer any case", "GET", "/api/v1/public", map[string]string{"Authorization": "bearer tok-alice"}, 200, "", "alice", authn.SourceBearer},
		{"cookie", "GET", "/api/v1/public", map[string]string{"Cookie": cookie}, 200, "", "alice", authn.SourceCookie},
		{"bearer beats cookie", "GET", "/api/v1/public", map[string]string{"Cookie": cookie, "Authorization": "Bearer tok-root"}, 200, "", "root", authn.SourceBearer},
		{"unknown token is anonymous", "GET", "/api/v1/public", map[string]string{"Authorization": "Bearer forged"}, 200, "", "", ""},
		{"user route anonymous", "GET", "/api/v1/me", nil, 401, "unauthenticated", "", ""},
		{"user route forged token", "GET", "/api/v1/me", map[string]string{"Authorization": "Bearer forged"}, 401, "unauthenticated", "", ""},
		{"user route signed in", "GET", "/api/v1/me", map[string]string{"Cookie": cookie}, 200, "", "alice", authn.SourceCookie},
		{"admin route as customer", "GET", "/api/v1/admin", map[string]string{"Cookie": cookie}, 403, "forbidden", "", ""},
		{"admin route anonymous", "GET", "/api/v1/admin", nil, 401, "unauthenticated", "", ""},
		{"admin route as admin", "GET", "/api/v1/admin", map[string]string{"Authorization": "Bearer tok-root"}, 200, "", "root", authn.SourceBearer},
		{"plain admin handler as customer", "GET", "/plain", map[string]string{"Cookie": cookie}, 403, "forbidden", "", ""},
		{"service route as user", "GET", "/api/v1/internal", map[string]string{"Authorization": "Bearer tok-root"}, 403, "forbidden", "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := call(t, c.method, srv.URL+c.path, c.hdr)
			if res.status != c.status || res.code != c.code {
				t.Fatalf("status %d code %q, want %d %q: %s", res.status, res.code, c.status, c.code, res.body)
			}
			if c.status == 401 && res.header.Get("WWW-Authenticate") == "" {
				t.Errorf("401 without WWW-Authenticate")
			}
			if c.status != 200 {
				return
			}
			got := ""
			if res.who != nil {
				got = res.who.UserID
				if res.who.Source != c.source {
					t.Errorf("source %q, want %q", res.who.Source, c.source)
				}
			}
			if got != c.user {
				t.Errorf("user %q, want %q", got, c.user)
			}
		})
	}
}

func TestResolverDownIs503OnGuardedRoutesOnly(t *testing.T) {
	r := &resolver{}
	r.down.Store(true)
	srv := server(t, r, authn.Options{})
	bearer := map[string]string{"Authorization": "Bearer tok-alice"}
	if res := call(t, "GET", srv.URL+"/api/v1/public", bearer); res.status != 200 || res.who != nil {
		t.Fatalf("public route with identity down: %d %+v", res.status, res.who)
	}
	if res := call(t, "GET", srv.URL+"/api/v1/me", bearer); res.status != 503 || res.code != "authentication_unavailable" {
		t.Fatalf("guarded route with identity down: %d %q", res.status, res.code)
	}
}

func TestCSRF(t *testing.T) {
	srv := server(t, &resolver{}, authn.Options{TrustedOrigins: []string{"https://admin.example.com"}})
	token := authn.CSRFToken("tok-alice")
	cookie := "session=tok-alice"
	cases := []struct {
		name   string
		method string
		path   string
		hdr    map[string]string
		status int
		code   string
		user   string
	}{
		{"cookie write without token", "POST", "/api/v1/me", map[string]string{"Cookie": cookie}, 403, "csrf_rejected", ""},
		{"cookie write with wrong token", "POST", "/api/v1/me", map[string]string{"Cookie": cookie, authn.HeaderCSRF: authn.CSRFToken("tok-root")}, 403, "csrf_rejected", ""},
		{"cookie write with token", "POST", "/api/v1/me", map[string]string{"Cookie": cookie, authn.HeaderCSRF: token}, 200, "", "alice"},
		{"cookie write with token from another site", "POST", "/api/v1/me", map[string]string{"Cookie": cookie, authn.HeaderCSRF: token, "Sec-Fetch-Site": "cross-site"}, 403, "csrf_rejected", ""},
		{"cookie write, same origin", "POST", "/api/v1/me", map[string]string{"Cookie": cookie, authn.HeaderCSRF: token, "Sec-Fetch-Site": "same-origin"}, 200, "", "alice"},
		{"cookie write from a trusted origin", "POST", "/api/v1/me", map[string]string{"Cookie": cookie, authn.HeaderCSRF: token, "Sec-Fetch-Site": "same-site", "Origin": "https://admin.example.com"}, 200, "", "alice"},
		{"cookie read needs no token", "GET", "/api/v1/me", map[string]string{"Cookie": cookie}, 200, "", "alice"},
		{"cookie write without token to a public route runs anonymously", "POST", "/api/v1/public", map[string]string{"Cookie": cookie}, 200, "", ""},
		{"anonymous write from another origin (login CSRF)", "POST", "/api/v1/public", map[string]string{"Origin": "https://evil.example"}, 403, "csrf_rejected", ""},
		{"anonymous write without browser headers", "POST", "/api/v1/public", nil, 200, "", ""},
		{"bearer write from another site", "POST", "/api/v1/me", map[string]string{"Authorization": "Bearer tok-alice", "Sec-Fetch-Site": "cross-site"}, 200, "", "alice"},
		{"expired cookie write is anonymous", "POST", "/api/v1/public", map[string]string{"Cookie": "session=stale"}, 200, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			res := call(t, c.method, srv.URL+c.path, c.hdr)
			if res.status != c.status || res.code != c.code {
				t.Fatalf("status %d code %q, want %d %q: %s", res.status, res.code, c.status, c.code, res.body)
			}
			got := ""
			if res.who != nil {
				got = res.who.UserID
			}
			if got != c.user {
				t.Errorf("user %q, want %q", got, c.user)
			}
		})
	}
}

func TestServicePrincipal(t *testing.T) {
	r := &resolver{}
	other := []byte("another-secret-another-secret-xx")
	srv := server(t, r, authn.Options{ServiceSecrets: [][]byte{secret, other}})
	signer, err := authn.NewSigner("cart", secret)
	if err != nil {
		t.Fatal(err)
	}
	alice := &authn.Principal{UserID: "alice", Role: authn.RoleCustomer, SessionID: "s1"}
	root := &authn.Principal{UserID: "root", Role: authn.RoleAdmin}
	rotated, _ := authn.NewSigner("order", other)
	wrong, _ := authn.NewSigner("cart", []byte("not-the-secret-not-the-secret-xx"))

	t.Run("user forwarded", func(t *testing.T) {
		res := call(t, "GET", srv.URL+"/api/v1/me", map[string]string{authn.HeaderPrincipal: signer.Sign(alice, "GET", "/api/v1/me")})
		if res.status != 200 || res.who == nil || res.who.UserID != "alice" || res.who.Source != authn.SourceService || res.who.Service != "cart" {
			t.Fatalf("%d %+v", res.status, res.who)
		}
	})
	t.Run("previous secret still verifies", func(t *testing.T) {
		res := call(t, "GET", srv.URL+"/api/v1/admin", map[string]string{authn.HeaderPrincipal: rotated.Sign(root, "GET", "/api/v1/admin")})
		if res.status != 200 || res.who.Service != "order" {
			t.Fatalf("%d %+v", res.status, res.who)
		}
	})
	t.Run("service alone passes service routes only", func(t *testing.T) {
		res := call(t, "GET", srv.URL+"/api/v1/internal", map[string]string{authn.HeaderPrincipal: signer.Sign(nil, "GET", "/api/v1/internal")})
		if res.status != 200 || res.who.Role != authn.RoleService || res.who.UserID != "" {
			t.Fatalf("%d %+v", res.status, res.who)
		}
		res = call(t, "GET", srv.URL+"/api/v1/me", map[string]string{authn.HeaderPrincipal: signer.Sign(nil, "GET", "/api/v1/me")})
		if res.status != 401 {
			t.Fatalf("service without user on a user route: %d", res.status)
		}
	})
	t.Run("service writes need no CSRF token", func(t *testing.T) {
		res := call(t, "POST", srv.URL+"/api/v1/me", map[string]string{authn.HeaderPrincipal: signer.Sign(alice, "POST", "/api/v1/me"), "Cookie": "session=tok-root"})
		if res.status != 200 || res.who.UserID != "alice" {
			t.Fatalf("%d %+v %s", res.status, res.who, res.body)
		}
	})

	good := signer.Sign(root, "GET", "/api/v1/admin")
	payload := strings.Split(good, ".")[1]
	forged := map[string]string{
		"wrong secret":     wrong.Sign(root, "GET", "/api/v1/admin"),
		"other path":       signer.Sign(root, "GET", "/api/v1/public"),
		"other method":     signer.Sign(root, "POST", "/api/v1/admin"),
		"unsigned":         "v1." + payload + ".",
		"tampered payload": "v1." + payload + "x." + strings.Split(good, ".")[2],
		"garbage":          "hello",
		"made up by hand":  `v1.eyJzdmMiOiJjYXJ0IiwidXNyIjp7InVzZXJfaWQiOiJyb290Iiwicm9sZSI6ImFkbWluIn0sImV4cCI6OTk5OTk5OTk5OX0.AAAA`,
	}
	for name, h := range forged {
		t.Run("ignored: "+name, func(t *testing.T) {
			res := call(t, "GET", srv.URL+"/api/v1/admin", map[string]string{authn.HeaderPrincipal: h})
			if res.status != 401 {
				t.Fatalf("forged header admitted: %d %+v", res.status, res.who)
			}
			// Stripped before any handler sees it, and the caller's own
			// credentials still count.
			res = call(t, "GET", srv.URL+"/plain", map[string]string{authn.HeaderPrincipal: h, "Authorization": "Bearer tok-root"})
			if res.status != 200 || res.body != "" {
				t.Fatalf("header reached the handler: %d %q", res.status, res.body)
			}
		})
	}
}

func TestServicePrincipalExpires(t *testing.T) {
	now := time.Now()
	srv := server(t, &resolver{}, authn.Options{ServiceSecrets: [][]byte{secret}, Now: func() time.Time { return now }})
	signer, _ := authn.NewSigner("cart", secret)
	h := signer.Sign(&authn.Principal{UserID: "root", Role: authn.RoleAdmin}, "GET", "/api/v1/admin")
	if res := call(t, "GET", srv.URL+"/api/v1/admin", map[string]string{authn.HeaderPrincipal: h}); res.status != 200 {
		t.Fatalf("fresh header refused: %d", res.status)
	}
	now = now.Add(authn.ServiceTTL + time.Minute)
	if res := call(t, "GET", srv.URL+"/api/v1/admin", map[string]string{authn.HeaderPrincipal: h}); res.status != 401 {
		t.Fatalf("expired header admitted: %d", res.status)
	}
}

func TestTransportSignsWithContextPrincipal(t *testing.T) {
	srv := server(t, &resolver{}, authn.Options{ServiceSecrets: [][]byte{secret}})
	signer, _ := authn.NewSigner("cart", secret)
	cl := web.NewClient(srv.URL)
	cl.HTTP.Transport = authn.NewTransport(nil, signer)
	var out struct {
		Principal *authn.Principal `json:"principal"`
	}
	ctx := authn.WithPrincipal(context.Background(), authn.Principal{UserID: "alice", Role: authn.RoleCustomer, Source: authn.SourceCookie})
	if err := cl.Do(ctx, web.Call{Method: "GET", Path: "/api/v1/me"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Principal == nil || out.Principal.UserID != "alice" || out.Principal.Service != "cart" {
		t.Fatalf("%+v", out.Principal)
	}
	if err := cl.Do(authn.AsService(ctx), web.Call{Method: "GET", Path: "/api/v1/internal"}, &out); err != nil {
		t.Fatal(err)
	}
	if out.Principal.Role != authn.RoleService {
		t.Fatalf("as service: %+v", out.Principal)
	}
	// Without the transport the same client is a stranger.
	plain := web.NewClient(srv.URL)
	err := plain.Do(ctx, web.Call{Method: "GET", Path: "/api/v1/me"}, &out)
	if !errors.Is(err, authn.ErrUnauthenticated) {
		t.Fatalf("unsigned call: %v", err)
	}
}

func TestNewSignerRefusesWeakSecrets(t *testing.T) {
	if _, err := authn.NewSigner("cart", []byte("short")); err == nil {
		t.Fatal("short secret accepted")
	}
	if _, err := authn.NewSigner("Cart Service", secret); err == nil {
		t.Fatal("bad service name accepted")
	}
}

func TestCacheSparesResolver(t *testing.T) {
	r := &resolver{}
	now := time.Now()
	srv := server(t, r, authn.Options{CacheTTL: 5 * time.Second, Now: func() time.Time { return now }})
	hdr := map[string]string{"Authorization": "Bearer tok-alice"}
	for range 3 {
		if res := call(t, "GET", srv.URL+"/api/v1/me", hdr); res.status != 200 {
			t.Fatal(res.status)
		}
	}
	if n := r.calls.Load(); n != 1 {
		t.Fatalf("resolver called %d times, want 1", n)
	}
	now = now.Add(6 * time.Second)
	call(t, "GET", srv.URL+"/api/v1/me", hdr)
	if n := r.calls.Load(); n != 2 {
		t.Fatalf("after the TTL: resolver called %d times, want 2", n)
	}
	// Failures are not cached: a token that becomes valid works at once.
	call(t, "GET", srv.URL+"/api/v1/me", map[string]string{"Authorization": "Bearer nope"})
	call(t, "GET", srv.URL+"/api/v1/me", map[string]string{"Authorization": "Bearer nope"})
	if n := r.calls.Load(); n != 4 {
		t.Fatalf("failures cached: %d calls", n)
	}
}
