// Package web is Bazaar's HTTP layer: a standard ServeMux with huma/v2 for
// typed operations and the OpenAPI document, the middleware every service
// shares, and the client base that services' HTTP clients build on.
package web

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
)

// HeaderRequestID carries the request id in and out.
const HeaderRequestID = "X-Request-Id"

// reqInfo is what the middleware learns about a request as it goes down the
// stack and what the outer layers (metrics, access log) read on the way back.
type reqInfo struct {
	id      string
	pattern string // the ServeMux pattern that matched, "" for 404/405
	log     *slog.Logger
}

type infoKey struct{}

// RequestID returns the id of the request ctx belongs to, or "".
func RequestID(ctx context.Context) string {
	if ri, ok := ctx.Value(infoKey{}).(*reqInfo); ok {
		return ri.id
	}
	return ""
}

// Logger returns the logger of the request ctx belongs to (slog.Default
// outside a request). Log with its *Context methods so lines carry the id.
func Logger(ctx context.Context) *slog.Logger {
	if ri, ok := ctx.Value(infoKey{}).(*reqInfo); ok && ri.log != nil {
		return ri.log
	}
	return slog.Default()
}

// routePattern reports the matched route for metrics, or a fixed label for
// unmatched requests so that random URLs cannot blow up metric cardinality.
func routePattern(r *http.Request) string {
	if ri, ok := r.Context().Value(infoKey{}).(*reqInfo); ok && ri.pattern != "" {
		return ri.pattern
	}
	return "unmatched"
}

func newRequestID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	return hex.EncodeToString(b[:])
}

// validRequestID accepts a caller's id only if it is short and plain, so it
// is safe to echo in headers and logs.
func validRequestID(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_' || c == '.') {
			return false
		}
	}
	return true
}
