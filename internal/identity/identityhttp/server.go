// Package identityhttp serves identity.Service over HTTP (Register) and
// calls it over HTTP (Client), so other services cannot tell whether
// identity runs in their process or elsewhere.
package identityhttp

import (
	"context"
	"net"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
)

// Headers and cookies of the API besides the session's.
const (
	HeaderDeviceID = "X-Device-Id"
	DeviceCookie   = "device_id"
)

// Options configure the routes.
type Options struct {
	// Dev registers GET /api/v1/dev/mail, the development mailbox (needs
	// Mailbox). Never in production: it lists live sign-in links.
	Dev bool
	// Mailbox lists the outbox for the dev route (Core.DevMail).
	Mailbox func(ctx context.Context, limit int) ([]identity.Mail, error)
	// CookieName is the session cookie (authn.DefaultCookie); the authn
	// middleware must read the same one.
	CookieName string
	// TrustProxy takes the client's address from the last X-Forwarded-For
	// entry (the one the edge appended) instead of the connection's: set it
	// only behind a proxy that always sets the header.
	TrustProxy bool
	// SecureCookies forces the Secure flag even on localhost; without it
	// cookies are Secure everywhere but on localhost and 127.0.0.1, where
	// development runs over plain HTTP.
	SecureCookies bool
}

type server struct {
	svc  identity.Service
	opts Options
	api  huma.API
}

type metaKey struct{}

// reqMeta is what handlers need of the raw request.
type reqMeta struct {
	client   identity.ClientMeta
	host     string
	session  string // the session cookie's value
	deviceOK bool   // the device id came from the request (not minted)
}

// Register adds identity's routes to api.
func Register(api huma.API, svc identity.Service, opts Options) {
	if opts.CookieName == "" {
		opts.CookieName = authn.DefaultCookie
	}
	s := &server{svc: svc, opts: opts, api: api}
	s.registerAuth()
	s.registerMe()
	s.registerAddresses()
	s.registerBehaviour()
	s.registerAdmin()
	if opts.Dev && opts.Mailbox != nil {
		s.registerDev()
	}
}

// meta is a middleware of every operation: it records the client's
// address, agent, device and session cookie for the handler.
func (s *server) meta(ctx huma.Context, next func(huma.Context)) {
	m := reqMeta{host: ctx.Host()}
	m.client.IP = s.clientIP(ctx)
	m.client.UserAgent = ctx.Header("User-Agent")
	m.client.DeviceID = ctx.Header(HeaderDeviceID)
	for _, c := range huma.ReadCookies(ctx) {
		switch c.Name {
		case s.opts.CookieName:
			m.session = c.Value
		case DeviceCookie:
			if m.client.DeviceID == "" {
				m.client.DeviceID = c.Value
			}
		}
	}
	if !identity.ValidDeviceID(m.client.DeviceID) {
		m.client.DeviceID = ""
	}
	m.deviceOK = m.client.DeviceID != ""
	next(huma.WithValue(ctx, metaKey{}, &m))
}

func metaOf(ctx context.Context) *reqMeta {
	if m, ok := ctx.Value(metaKey{}).(*reqMeta); ok {
		return m
	}
	return &reqMeta{}
}

func (s *server) clientIP(ctx huma.Context) string {
	if s.opts.TrustProxy {
		if xff := ctx.Header("X-Forwarded-For"); xff != "" {
			parts := strings.Split(xff, ",")
			if ip := net.ParseIP(strings.TrimSpace(parts[len(parts)-1])); ip != nil {
				return ip.String()
			}
		}
	}
	host, _, err := net.SplitHostPort(ctx.RemoteAddr())
	if err != nil {
		return ctx.RemoteAddr()
	}
	return host
}

// op declares an operation with the meta middleware and any guards.
func (s *server) op(id, method, path, summary string, status int, guards ...func(huma.Context, func(huma.Context))) huma.Operation {
	return huma.Operation{
		OperationID:   id,
		Method:        method,
		Path:          path,
		Summary:       summary,
		Tags:          []string{"identity"},
		DefaultStatus: status,
		Middlewares:   append(huma.Middlewares{s.meta}, guards...),
	}
}

func (s *server) user() func(huma.Context, func(huma.Context)) { return authn.RequireUser(s.api) }

// fail adds Retry-After to a throttled error.
func fail(err error) error {
	if d, ok := identity.RetryAfterOf(err); ok {
		secs := max(int(d/time.Second), 1)
		return huma.ErrorWithHeaders(err, http.Header{"Retry-After": {strconv.Itoa(secs)}})
	}
	return err
}

// secure reports whether cookies for host need the Secure flag: everywhere
// but a development host on the loopback.
func (s *server) secure(host string) bool {
	if s.opts.SecureCookies {
		return true
	}
	h := host
	if hh, _, err := net.SplitHostPort(host); err == nil {
		h = hh
	}
	h = strings.Trim(h, "[]")
	if h == "localhost" || strings.HasSuffix(h, ".localhost") {
		return false
	}
	ip := net.ParseIP(h)
	return ip == nil || !ip.IsLoopback()
}

// sessionCookies sets the session cookie (HttpOnly) and the CSRF cookie
// (readable by the shop's scripts, which echo it in X-CSRF-Token).
func (s *server) sessionCookies(host, token string, expires time.Time) []http.Cookie {
	secure := s.secure(host)
	maxAge := max(int(time.Until(expires)/time.Second), 60)
	return []http.Cookie{
		{Name: s.opts.CookieName, Value: token, Path: "/", MaxAge: maxAge, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode},
		{Name: authn.CSRFCookie, Value: authn.CSRFToken(token), Path: "/", MaxAge: maxAge, Secure: secure, SameSite: http.SameSiteLaxMode},
	}
}

func (s *server) clearCookies(host string) []http.Cookie {
	secure := s.secure(host)
	return []http.Cookie{
		{Name: s.opts.CookieName, Value: "", Path: "/", MaxAge: -1, HttpOnly: true, Secure: secure, SameSite: http.SameSiteLaxMode},
		{Name: authn.CSRFCookie, Value: "", Path: "/", MaxAge: -1, Secure: secure, SameSite: http.SameSiteLaxMode},
	}
}
