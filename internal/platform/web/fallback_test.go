package web_test

import (
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/logging"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// The fallback (the storefront) answers page paths nobody else routes;
// unknown API routes and wrong methods keep their problem documents.
func TestFallbackAnswersOnlyUnroutedPages(t *testing.T) {
	rt := web.NewRouter(web.Options{Title: "test", Version: "1", Logger: logging.New(io.Discard, logging.FormatJSON, slog.LevelInfo)})
	rt.Handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "ok") }))
	rt.Handle("POST /api/v1/things", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) { io.WriteString(w, "made") }))
	rt.SetFallback(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "text/html")
		io.WriteString(w, "page "+r.URL.Path)
	}))
	srv := httptest.NewServer(rt.Handler())
	defer srv.Close()
	cases := []struct {
		method, path string
		status       int
		typ, body    string
	}{
		{"GET", "/", 200, "text/html", "page /"},
		{"GET", "/p/red-kurta", 200, "text/html", "page /p/red-kurta"},
		{"HEAD", "/cart", 200, "text/html", ""},
		{"GET", "/healthz", 200, "text/plain", "ok"},
		{"POST", "/api/v1/things", 200, "text/plain", "made"},
		{"GET", "/api/v1/nope", 404, "application/problem+json", "route_not_found"},
		{"GET", "/api/v1", 404, "application/problem+json", "route_not_found"},
		{"GET", "/api/v1/things", 405, "application/problem+json", "method_not_allowed"},
		{"POST", "/cart", 404, "application/problem+json", "route_not_found"},
	}
	for _, c := range cases {
		req, _ := http.NewRequest(c.method, srv.URL+c.path, nil)
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != c.status || !strings.HasPrefix(resp.Header.Get("Content-Type"), c.typ) || !strings.Contains(string(b), c.body) {
			t.Errorf("%s %s: %d %s %q; want %d %s containing %q", c.method, c.path, resp.StatusCode, resp.Header.Get("Content-Type"), b, c.status, c.typ, c.body)
		}
	}
}
