package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/logging"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// BenchmarkMiddlewareStack measures what the shared middleware (request id,
// access log line, metrics, recovery, limits, problem routing) adds to one
// request, against the same handler on a bare ServeMux. Compare the two as a
// ratio from one run; the machine is noisy.
func BenchmarkMiddlewareStack(b *testing.B) {
	hello := func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}
	bare := http.NewServeMux()
	bare.HandleFunc("GET /api/v1/things/{id}", hello)

	rt := web.NewRouter(web.Options{
		Title: "bench", Version: "1",
		Logger:  logging.New(io.Discard, logging.FormatJSON, slog.LevelInfo),
		Metrics: web.NewMetrics(),
	})
	rt.Handle("GET /api/v1/things/{id}", http.HandlerFunc(hello))
	full := rt.Handler()

	for _, c := range []struct {
		name string
		h    http.Handler
	}{{"bare_mux", bare}, {"full_stack", full}} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", "/api/v1/things/42", nil)
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				c.h.ServeHTTP(w, req)
				if w.Code != 200 {
					b.Fatalf("status %d", w.Code)
				}
			}
		})
	}
}
