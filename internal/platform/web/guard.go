package web

import (
	"crypto/subtle"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/problem"
)

// The errors of a guarded route: no credentials, or credentials without the right.
var (
	ErrUnauthenticated = errs.Unauthenticated("unauthenticated", "sign in or send credentials for this route")
	ErrForbidden       = errs.Forbidden("forbidden", "your account may not use this route")
)

// RequireBearerToken is a huma middleware that admits only requests carrying
// "Authorization: Bearer <token>". It guards the admin API until accounts and
// roles exist; a service takes its admin guard as huma.Middlewares from the
// wiring, so the guard can change without touching the service. An empty
// token admits nobody.
func RequireBearerToken(api huma.API, token string) func(huma.Context, func(huma.Context)) {
	want := []byte(token)
	return func(ctx huma.Context, next func(huma.Context)) {
		got, ok := strings.CutPrefix(ctx.Header("Authorization"), "Bearer ")
		if !ok || got == "" {
			writeHumaError(api, ctx, ErrUnauthenticated)
			return
		}
		if len(want) == 0 || subtle.ConstantTimeCompare([]byte(got), want) != 1 {
			writeHumaError(api, ctx, ErrForbidden)
			return
		}
		next(ctx)
	}
}

// writeHumaError answers from inside a huma middleware.
func writeHumaError(api huma.API, ctx huma.Context, err *errs.Error) {
	p := problem.From(err, RequestID(ctx.Context()), ctx.URL().Path)
	if err.Kind == errs.KindUnauthenticated {
		ctx.SetHeader("WWW-Authenticate", `Bearer realm="bazaar"`)
	}
	_ = huma.WriteErr(api, ctx, p.Status, p.Detail, err)
}
