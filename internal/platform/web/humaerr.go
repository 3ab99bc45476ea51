package web

import (
	"context"
	"errors"
	"net/http"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/problem"
)

// huma builds every error response through NewError/NewErrorWithContext;
// pointing them here makes the errors of typed operations (a handler's
// *errs.Error, huma's own validation and parse failures) the same problem
// documents as everywhere else.
func init() {
	huma.NewErrorWithContext = func(ctx huma.Context, status int, msg string, list ...error) huma.StatusError {
		reqID, instance := "", ""
		if ctx != nil {
			reqID = RequestID(ctx.Context())
			u := ctx.URL()
			instance = u.Path
		}
		p := problem.From(humaError(status, msg, list), reqID, instance)
		if p.Status >= 500 {
			logCause(ctx, p)
		}
		return p
	}
	huma.NewError = func(status int, msg string, list ...error) huma.StatusError {
		return huma.NewErrorWithContext(nil, status, msg, list...)
	}
}

// humaError classifies what huma hands over: a handler's own error passes
// through; huma's validation and parse failures become Invalid with fields.
func humaError(status int, msg string, list []error) error {
	for _, e := range list {
		var be *errs.Error
		if errors.As(e, &be) {
			return be
		}
		var mbe *http.MaxBytesError
		if errors.As(e, &mbe) {
			return errs.E(errs.KindTooLarge, "body_too_large", "the request body is larger than %d bytes", mbe.Limit)
		}
	}
	switch {
	case status == http.StatusRequestEntityTooLarge:
		return errs.E(errs.KindTooLarge, "body_too_large", "%s", msg)
	case status == http.StatusUnprocessableEntity || status == http.StatusBadRequest:
		// huma answers 400 when the body does not parse and 422 when it
		// breaks the schema; both mean "fix your request", so both are 400.
		e := &errs.Error{Kind: errs.KindInvalid, Code: "validation_failed"}
		for _, item := range list {
			var d *huma.ErrorDetail
			if !errors.As(item, &d) {
				continue
			}
			if status == http.StatusBadRequest && d.Location == "body" {
				e.Code = "invalid_json"
				e.Detail = "the request body is not valid JSON: " + d.Message
				e.Fields = nil
				return e
			}
			// d.Value is not copied: it may echo secrets (a card number).
			e.Fields = append(e.Fields, errs.FieldError{Field: d.Location, Message: d.Message})
		}
		if len(e.Fields) == 0 {
			e.Code, e.Detail = "invalid_request", msg
			return e
		}
		e.Detail = "the request has invalid fields: " + fieldList(e.Fields)
		return e
	case status == http.StatusNotAcceptable:
		return errs.E(errs.KindInvalid, "not_acceptable", "%s", msg)
	case status == http.StatusUnsupportedMediaType:
		return errs.E(errs.KindInvalid, "unsupported_media_type", "%s", msg)
	case status >= 500:
		return errs.Internal(errors.Join(append([]error{errors.New(msg)}, list...)...))
	default:
		return &errs.Error{Kind: problem.KindOf(status), Code: strings.ReplaceAll(strings.ToLower(http.StatusText(status)), " ", "_"), Detail: msg}
	}
}

func fieldList(fs []errs.FieldError) string {
	parts := make([]string, 0, len(fs))
	for _, f := range fs {
		parts = append(parts, f.Field+": "+f.Message)
	}
	return strings.Join(parts, "; ")
}

func logCause(ctx huma.Context, p *problem.Problem) {
	c := context.Background()
	if ctx != nil {
		c = ctx.Context()
	}
	Logger(c).ErrorContext(c, "request failed", "status", p.Status, "code", p.Code, "error", p.Cause())
}
