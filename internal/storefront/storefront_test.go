package storefront_test

import (
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/bazaarshop/bazaar/internal/storefront"
)

var built = fstest.MapFS{
	"index.html":              {Data: []byte(`<!doctype html><div id="root"></div><script src="/assets/index-abc123.js"></script>`)},
	"assets/index-abc123.js":  {Data: []byte(`console.log("shop")`)},
	"assets/index-abc123.css": {Data: []byte(`body{}`)},
	"favicon.svg":             {Data: []byte(`<svg/>`)},
}

func get(t *testing.T, h http.Handler, method, target string) *http.Response {
	t.Helper()
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, httptest.NewRequest(method, target, nil))
	return rec.Result()
}

func body(t *testing.T, r *http.Response) string {
	t.Helper()
	b, err := io.ReadAll(r.Body)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestServesBuiltStorefront(t *testing.T) {
	h := storefront.New(built)
	tests := []struct {
		name, method, target string
		status               int
		cache, typ, contains string
	}{
		{"landing", "GET", "/", 200, "no-cache", "text/html", `<div id="root">`},
		{"index by name", "GET", "/index.html", 200, "no-cache", "text/html", `<div id="root">`},
		{"page path falls back to index", "GET", "/p/red-kurta", 200, "no-cache", "text/html", `<div id="root">`},
		{"deep page with query", "GET", "/c/kurtas?color=red&sort=price_asc", 200, "no-cache", "text/html", `<div id="root">`},
		{"order page", "GET", "/orders/0194-abc", 200, "no-cache", "text/html", `<div id="root">`},
		{"head of a page", "HEAD", "/cart", 200, "no-cache", "text/html", ""},
		{"hashed script", "GET", "/assets/index-abc123.js", 200, "public, max-age=31536000, immutable", "javascript", `console.log`},
		{"hashed style", "GET", "/assets/index-abc123.css", 200, "public, max-age=31536000, immutable", "text/css", `body{}`},
		{"missing asset is a 404, not index.html", "GET", "/assets/index-old999.js", 404, "", "text/plain", "not found"},
		{"root file", "GET", "/favicon.svg", 200, "public, max-age=3600", "image/svg+xml", "<svg/>"},
		{"api path is never the storefront's", "GET", "/api/v1/nope", 404, "", "text/plain", "not found"},
		{"operator path", "GET", "/metrics", 404, "", "text/plain", "not found"},
		{"media path", "GET", "/media/placeholder/x.svg", 404, "", "text/plain", "not found"},
		{"writes are refused", "POST", "/cart", 405, "", "text/plain", ""},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			r := get(t, h, tc.method, tc.target)
			if r.StatusCode != tc.status {
				t.Fatalf("status %d, want %d", r.StatusCode, tc.status)
			}
			if got := r.Header.Get("Cache-Control"); got != tc.cache {
				t.Errorf("Cache-Control %q, want %q", got, tc.cache)
			}
			if got := r.Header.Get("Content-Type"); !strings.Contains(got, tc.typ) {
				t.Errorf("Content-Type %q, want it to contain %q", got, tc.typ)
			}
			if b := body(t, r); !strings.Contains(b, tc.contains) {
				t.Errorf("body %q does not contain %q", b, tc.contains)
			}
		})
	}
}

func TestNotBuiltSaysHowToBuild(t *testing.T) {
	h := storefront.New(fstest.MapFS{".gitkeep": {Data: nil}})
	for _, target := range []string{"/", "/p/red-kurta"} {
		r := get(t, h, "GET", target)
		if r.StatusCode != http.StatusServiceUnavailable {
			t.Errorf("%s: status %d, want 503", target, r.StatusCode)
		}
		if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
			t.Errorf("%s: Content-Type %q", target, r.Header.Get("Content-Type"))
		}
		if b := body(t, r); !strings.Contains(b, "The storefront is not built: run <code>make run</code> (or <code>make storefront</code>)") {
			t.Errorf("%s: body does not say how to build it:\n%s", target, b)
		}
	}
	if r := get(t, h, "GET", "/api/v1/nope"); r.StatusCode != http.StatusNotFound {
		t.Errorf("api path: status %d, want 404", r.StatusCode)
	}
}

// The embedded dist/ is either the placeholder (not built) or a real build
// with index.html; both must be served without a panic.
func TestHandlerServesEmbeddedDist(t *testing.T) {
	r := get(t, storefront.Handler(), "GET", "/")
	if r.StatusCode != http.StatusOK && r.StatusCode != http.StatusServiceUnavailable {
		t.Fatalf("status %d", r.StatusCode)
	}
	if !strings.HasPrefix(r.Header.Get("Content-Type"), "text/html") {
		t.Errorf("Content-Type %q", r.Header.Get("Content-Type"))
	}
}

func TestIsReserved(t *testing.T) {
	for p, want := range map[string]bool{
		"/api/v1/products": true, "/api": true, "/healthz": true, "/readyz": true, "/metrics": true,
		"/media/placeholder/a.svg": true, "/": false, "/apiary": false, "/p/metrics": false, "/cart": false,
	} {
		if got := storefront.IsReserved(p); got != want {
			t.Errorf("IsReserved(%q) = %v, want %v", p, got, want)
		}
	}
}
