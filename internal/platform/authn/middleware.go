package authn

import (
	"context"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// DefaultCookie names the session cookie; the idempotency middleware's
// default SessionCookie is the same name.
const DefaultCookie = "session"

// HeaderCSRF carries the CSRF token of a cookie-authenticated write.
const HeaderCSRF = "X-CSRF-Token"

// CSRFCookie is the readable cookie that holds the CSRF token for scripts.
const CSRFCookie = "csrf_token"

// Options configure the middleware. The zero value reads the "session"
// cookie and Bearer tokens, caches nothing and accepts no service headers.
type Options struct {
	// CookieName is the session cookie (DefaultCookie).
	CookieName string
	// ServiceSecrets verify X-Bazaar-Principal headers: the current secret
	// first, then any still accepted during a rotation. None: every such
	// header is ignored.
	ServiceSecrets [][]byte
	// TrustedOrigins may send cookie-authenticated writes besides the
	// request's own origin ("https://admin.example.com").
	TrustedOrigins []string
	// CacheTTL keeps resolved tokens in process for this long, sparing a
	// call to the resolver per request. A revoked session is still accepted
	// here until its entry expires, so keep it to seconds, and 0 (no cache)
	// where the resolver is identity's Core, which caches itself and
	// revokes at once.
	CacheTTL time.Duration
	// CacheSize bounds the cache (10,000 entries).
	CacheSize int
	// WriteError answers a rejected request (web.WriteError).
	WriteError func(w http.ResponseWriter, r *http.Request, err error)
	// Now is the clock (time.Now).
	Now    func() time.Time
	Logger *slog.Logger
}

// Middleware returns the authentication layer. For each request it
//
//   - removes any X-Bazaar-Principal header and, if it verifies, takes the
//     principal from it (a call from another Bazaar service);
//   - otherwise resolves "Authorization: Bearer <token>", or else the
//     session cookie, through r;
//   - refuses unsafe methods (POST, PUT, PATCH, DELETE) that a browser sent
//     cross-origin (Sec-Fetch-Site, else Origin against Host: the standard
//     library's CrossOriginProtection), unless they carry a Bearer token;
//   - gives unsafe methods authenticated by the cookie no principal unless
//     the X-CSRF-Token header equals CSRFToken(cookie): a script on another
//     site can neither read that token nor set a custom header without a
//     CORS grant (double submit bound to the session). Such a request runs
//     as an anonymous one, so no handler can act with the cookie's
//     authority, and RequireUser and RequireRole answer 403 csrf_rejected.
//
// Requests without valid credentials pass on anonymously; RequireUser and
// RequireRole turn them away where an account is needed. If the resolver
// fails (identity down), the request also goes on anonymously, so public
// pages keep working, and a guarded route answers 503 rather than 401 so the
// client does not throw its session away.
func Middleware(r Resolver, o Options) func(http.Handler) http.Handler {
	if o.CookieName == "" {
		o.CookieName = DefaultCookie
	}
	if o.WriteError == nil {
		o.WriteError = web.WriteError
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	cop := http.NewCrossOriginProtection()
	for _, origin := range o.TrustedOrigins {
		if err := cop.AddTrustedOrigin(origin); err != nil {
			panic("authn: " + err.Error())
		}
	}
	m := &middleware{resolver: r, opts: o, cop: cop}
	if o.CacheTTL > 0 {
		m.cache = newTokenCache(o.CacheSize, o.CacheTTL, o.Now)
	}
	return func(next http.Handler) http.Handler {
		return http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
			m.serve(w, req, next)
		})
	}
}

type middleware struct {
	resolver Resolver
	opts     Options
	cop      *http.CrossOriginProtection
	cache    *tokenCache
}

type (
	unverifiedKey struct{}
	csrfKey       struct{}
)

func (m *middleware) serve(w http.ResponseWriter, r *http.Request, next http.Handler) {
	signed := r.Header.Values(HeaderPrincipal)
	if len(signed) > 0 {
		r.Header.Del(HeaderPrincipal)
		if len(signed) == 1 {
			p, err := verifyService(m.opts.ServiceSecrets, signed[0], r.Method, r.URL.EscapedPath(), m.opts.Now())
			if err == nil {
				next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
				return
			}
			m.opts.Logger.WarnContext(r.Context(), "authn: ignored an unverifiable principal header", "error", err, "remote", r.RemoteAddr)
		}
	}

	unsafe := !isSafe(r.Method)
	token, source := bearer(r)
	if source == "" && unsafe {
		if err := m.cop.Check(r); err != nil {
			m.opts.WriteError(w, r, ErrCSRF.With("cross-origin writes are refused: "+err.Error()))
			return
		}
	}
	if source == "" {
		if c, err := r.Cookie(m.opts.CookieName); err == nil && c.Value != "" {
			token, source = c.Value, SourceCookie
		}
	}
	if source == "" {
		next.ServeHTTP(w, r)
		return
	}
	p, err := m.resolve(r.Context(), token)
	if err != nil {
		ctx := r.Context()
		if errs.KindOf(err) != errs.KindUnauthenticated {
			m.opts.Logger.WarnContext(ctx, "authn: could not resolve credentials", "error", err)
			ctx = context.WithValue(ctx, unverifiedKey{}, err)
		}
		next.ServeHTTP(w, r.WithContext(ctx))
		return
	}
	if source == SourceCookie && unsafe && !validCSRF(r.Header.Get(HeaderCSRF), token) {
		// Not refused here: the request goes on without the cookie's
		// authority, so nothing can act on it (a sign-in form still works
		// in a browser that holds a session), and a guarded route answers
		// csrf_rejected.
		next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), csrfKey{}, true)))
		return
	}
	p.Source, p.Service = source, ""
	next.ServeHTTP(w, r.WithContext(WithPrincipal(r.Context(), p)))
}

func (m *middleware) resolve(ctx context.Context, token string) (Principal, error) {
	if m.cache != nil {
		if p, ok := m.cache.get(token); ok {
			return p, nil
		}
	}
	p, err := m.resolver.Authenticate(ctx, token)
	if err != nil {
		return Principal{}, err
	}
	if !p.IsUser() {
		return Principal{}, ErrUnauthenticated
	}
	if m.cache != nil {
		m.cache.put(token, p)
	}
	return p, nil
}

func bearer(r *http.Request) (string, Source) {
	h := r.Header.Get("Authorization")
	if len(h) > 7 && strings.EqualFold(h[:7], "Bearer ") {
		if t := strings.TrimSpace(h[7:]); t != "" {
			return t, SourceBearer
		}
	}
	return "", ""
}

func isSafe(method string) bool {
	return method == http.MethodGet || method == http.MethodHead || method == http.MethodOptions
}

// CSRFToken is the token a cookie-authenticated write must echo in
// X-CSRF-Token. It is derived from the session token, so it needs no
// storage, changes with every session, and cannot be computed by anyone who
// does not hold the session already.
func CSRFToken(sessionToken string) string {
	sum := sha256.Sum256([]byte("bazaar-csrf-v1\x00" + sessionToken))
	return base64.RawURLEncoding.EncodeToString(sum[:])
}

func validCSRF(got, sessionToken string) bool {
	if got == "" {
		return false
	}
	return subtle.ConstantTimeCompare([]byte(got), []byte(CSRFToken(sessionToken))) == 1
}

func csrfFailed(ctx context.Context) bool {
	failed, _ := ctx.Value(csrfKey{}).(bool)
	return failed
}

// unverified reports the resolver failure that left ctx anonymous, if any.
func unverified(ctx context.Context) error {
	err, _ := ctx.Value(unverifiedKey{}).(error)
	return err
}
