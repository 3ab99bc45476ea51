// Package authn tells every Bazaar service who is calling. One HTTP
// middleware reads the caller's credentials — a session cookie from a
// browser, "Authorization: Bearer" from an API client, or a signed principal
// header from another Bazaar service — resolves them to a Principal and puts
// it on the request's context. Handlers ask FromContext; huma operations
// guard themselves with RequireUser and RequireRole.
//
// The package knows nothing of accounts: a Resolver (identity's Core in
// process, its HTTP client elsewhere) turns a token into a Principal.
//
// CSRF: browsers authenticate with a SameSite=Lax, HttpOnly cookie. Every
// unsafe request (POST, PUT, PATCH, DELETE) without a Bearer token is
// checked with the standard library's CrossOriginProtection (Sec-Fetch-Site,
// else Origin against Host), which also stops login CSRF; and a request
// authenticated by the cookie must echo X-CSRF-Token = CSRFToken(cookie), a
// value derived from the session token that identity hands to the shop's
// scripts at sign-in (body and a readable csrf_token cookie). Without it the
// request runs anonymously. Bearer requests are exempt: browsers never add
// that header by themselves.
//
// Between services the caller travels in X-Bazaar-Principal, HMAC-signed
// with the shared internal secret and bound to method, path and a one-minute
// expiry (see Signer and Transport); the middleware removes the header from
// every incoming request and believes it only when the signature verifies.
package authn

import (
	"context"
	"slices"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// Role is what an account may do. Roles are not ranked: a route that admits
// staff and admins names both.
type Role string

const (
	RoleCustomer Role = "customer"
	RoleStaff    Role = "staff"
	RoleAdmin    Role = "admin"
	// RoleService is a Bazaar service acting on its own behalf (a worker, a
	// consumer), vouched for by a signed principal header.
	RoleService Role = "service"
)

// Valid reports whether r is one of the account roles (not RoleService,
// which no account holds).
func (r Role) Valid() bool {
	return r == RoleCustomer || r == RoleStaff || r == RoleAdmin
}

// Source says how a principal was established; the CSRF rule depends on it.
type Source string

const (
	SourceCookie  Source = "cookie"  // a browser's session cookie
	SourceBearer  Source = "bearer"  // Authorization: Bearer
	SourceService Source = "service" // a signed X-Bazaar-Principal header
)

// Principal is the authenticated caller of a request.
type Principal struct {
	UserID    string `json:"user_id,omitempty"`
	Role      Role   `json:"role"`
	SessionID string `json:"session_id,omitempty"`
	// MFA is true when the session was opened with a second factor.
	MFA bool `json:"mfa,omitempty"`
	// Source is how this request proved it; not part of what a resolver
	// returns.
	Source Source `json:"source,omitempty"`
	// Service names the Bazaar service that vouched for the principal when
	// Source is SourceService.
	Service string `json:"service,omitempty"`
}

// IsUser reports whether the principal is a signed-in account.
func (p Principal) IsUser() bool { return p.UserID != "" && p.Role.Valid() }

// Has reports whether the principal holds one of roles.
func (p Principal) Has(roles ...Role) bool { return slices.Contains(roles, p.Role) }

// Resolver turns a session token into the principal it belongs to. It
// returns an error of kind Unauthenticated for a token that is unknown,
// expired or revoked, and another kind when it could not decide (the store
// is down).
type Resolver interface {
	Authenticate(ctx context.Context, token string) (Principal, error)
}

// ResolverFunc adapts a function to Resolver.
type ResolverFunc func(ctx context.Context, token string) (Principal, error)

func (f ResolverFunc) Authenticate(ctx context.Context, token string) (Principal, error) {
	return f(ctx, token)
}

// The errors of a guarded route and of the CSRF check.
var (
	ErrUnauthenticated = errs.Unauthenticated("unauthenticated", "sign in or send credentials for this route")
	ErrForbidden       = errs.Forbidden("forbidden", "your account may not use this route")
	ErrCSRF            = errs.Forbidden("csrf_rejected", "a cookie-authenticated write needs the X-CSRF-Token header from sign-in and must come from the shop's own origin")
)

type principalKey struct{}

// WithPrincipal returns ctx carrying p. Services use it to act for a user
// outside a request (a consumer) and tests to call a Core directly.
func WithPrincipal(ctx context.Context, p Principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

// FromContext returns the caller of ctx; ok is false for an anonymous request.
func FromContext(ctx context.Context) (p Principal, ok bool) {
	p, ok = ctx.Value(principalKey{}).(Principal)
	return p, ok
}

// User returns the signed-in account of ctx, or ErrUnauthenticated.
func User(ctx context.Context) (Principal, error) {
	p, ok := FromContext(ctx)
	if !ok || !p.IsUser() {
		return Principal{}, ErrUnauthenticated
	}
	return p, nil
}
