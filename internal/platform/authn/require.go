package authn

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/problem"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// ErrUnavailable answers a guarded route when the caller's credentials could
// not be checked (the identity service is down).
var ErrUnavailable = errs.Unavailable("authentication_unavailable", "your sign-in could not be checked just now; retry shortly")

// check is the rule every guard shares: a signed-in account, holding one of
// roles when any are given. A request vouched for by a service without a
// user (RoleService) passes only where RoleService is listed.
func check(ctx context.Context, roles []Role) *errs.Error {
	p, ok := FromContext(ctx)
	if !ok {
		if csrfFailed(ctx) {
			return ErrCSRF
		}
		if err := unverified(ctx); err != nil {
			return ErrUnavailable.Wrap(err)
		}
		return ErrUnauthenticated
	}
	if len(roles) == 0 {
		if !p.IsUser() {
			return ErrUnauthenticated
		}
		return nil
	}
	if !p.Has(roles...) {
		if !p.IsUser() {
			return ErrUnauthenticated // a service without a user: nobody to authorise
		}
		return ErrForbidden
	}
	return nil
}

// RequireUser is a huma middleware admitting signed-in accounts only (401
// otherwise). Put it on an operation: huma.Operation{Middlewares:
// huma.Middlewares{authn.RequireUser(api)}}.
func RequireUser(api huma.API) func(huma.Context, func(huma.Context)) {
	return guard(api, nil)
}

// RequireRole is a huma middleware admitting principals holding one of roles:
// 401 for an anonymous caller, 403 for one without the role.
func RequireRole(api huma.API, roles ...Role) func(huma.Context, func(huma.Context)) {
	if len(roles) == 0 {
		panic("authn: RequireRole needs at least one role")
	}
	return guard(api, roles)
}

// RequireService admits only calls another Bazaar service vouched for (a
// valid X-Bazaar-Principal), with or without a user: internal routes.
func RequireService(api huma.API) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		if p, ok := FromContext(ctx.Context()); !ok || p.Source != SourceService {
			writeHuma(api, ctx, ErrForbidden.With("this route is for Bazaar services only"))
			return
		}
		next(ctx)
	}
}

func guard(api huma.API, roles []Role) func(huma.Context, func(huma.Context)) {
	return func(ctx huma.Context, next func(huma.Context)) {
		if err := check(ctx.Context(), roles); err != nil {
			writeHuma(api, ctx, err)
			return
		}
		next(ctx)
	}
}

// Require wraps a plain handler with the same rule as RequireRole (or
// RequireUser when no roles are given).
func Require(next http.Handler, roles ...Role) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := check(r.Context(), roles); err != nil {
			if err.Kind == errs.KindUnauthenticated {
				w.Header().Set("WWW-Authenticate", `Bearer realm="bazaar"`)
			}
			web.WriteError(w, r, err)
			return
		}
		next.ServeHTTP(w, r)
	})
}

func writeHuma(api huma.API, ctx huma.Context, err *errs.Error) {
	if err.Kind == errs.KindUnauthenticated {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="bazaar"`)
	}
	p := problem.From(err, web.RequestID(ctx.Context()), ctx.URL().Path)
	_ = huma.WriteErr(api, ctx, p.Status, p.Detail, err)
}
