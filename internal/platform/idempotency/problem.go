package idempotency

import (
	"encoding/json"
	"net/http"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// writeProblem is a small RFC 9457 writer, standing in until the shared one
// is wired through Options.WriteError.
func writeProblem(w http.ResponseWriter, _ *http.Request, err error) {
	e := errs.As(err)
	status := statusOf(e.Kind)
	w.Header().Set("Content-Type", "application/problem+json")
	w.Header().Set("X-Content-Type-Options", "nosniff")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(struct {
		Type   string `json:"type"`
		Title  string `json:"title"`
		Status int    `json:"status"`
		Detail string `json:"detail,omitempty"`
		Code   string `json:"code"`
	}{"about:blank", http.StatusText(status), status, e.Detail, e.Code})
}

func statusOf(k errs.Kind) int {
	switch k {
	case errs.KindInvalid:
		return http.StatusBadRequest
	case errs.KindUnauthenticated:
		return http.StatusUnauthorized
	case errs.KindForbidden:
		return http.StatusForbidden
	case errs.KindNotFound:
		return http.StatusNotFound
	case errs.KindMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case errs.KindConflict:
		return http.StatusConflict
	case errs.KindTooLarge:
		return http.StatusRequestEntityTooLarge
	case errs.KindUnprocessable:
		return http.StatusUnprocessableEntity
	case errs.KindTooManyRequests:
		return http.StatusTooManyRequests
	case errs.KindUnavailable:
		return http.StatusServiceUnavailable
	case errs.KindTimeout:
		return http.StatusGatewayTimeout
	}
	return http.StatusInternalServerError
}
