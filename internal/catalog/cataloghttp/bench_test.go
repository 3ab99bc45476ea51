package cataloghttp_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogdb"
	"github.com/bazaarshop/bazaar/internal/catalog/cataloghttp"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogtest"
	"github.com/bazaarshop/bazaar/internal/catalog/seed"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// BenchmarkHTTP serves the seeded demo shop (2,000 products) through the
// full router and middleware, in process, beside a trivial JSON handler on
// the same router: the ratio of their times is what the cache buys.
func BenchmarkHTTP(b *testing.B) {
	ctx := context.Background()
	db := sqldbtest.OpenSQLite(b)
	e := catalogtest.NewEnv(b, db, catalog.Options{})
	if _, err := seed.Load(ctx, catalogdb.New(db), seed.Options{Products: seed.DefaultProducts}); err != nil {
		b.Fatal(err)
	}
	e.Core.Changed(ctx)
	rt := web.NewRouter(web.Options{Title: "bench", Version: "1", Logger: catalogtest.Quiet})
	cataloghttp.Register(rt.API, e.Core, cataloghttp.Options{Admin: huma.Middlewares{web.RequireBearerToken(rt.API, "x")}})
	rt.Handle("GET /trivial", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		_, _ = io.WriteString(w, `{"ok":true}`)
	}))
	h := rt.Handler()
	page, err := e.Core.ListProducts(ctx, catalog.ListQuery{Category: "kurtas"})
	if err != nil {
		b.Fatal(err)
	}
	for _, c := range []struct{ name, path, etag string }{
		{"trivial", "/trivial", ""},
		{"list-category", "/api/v1/products?category=kurtas", ""},
		{"list-search", "/api/v1/products?q=silk+saree&color=red", ""},
		{"product", "/api/v1/products/" + page.Items[0].Slug, ""},
		{"list-revalidate", "/api/v1/products?category=kurtas", "etag"},
	} {
		b.Run(c.name, func(b *testing.B) {
			req := httptest.NewRequest("GET", c.path, nil)
			if c.etag != "" {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				req.Header.Set("If-None-Match", w.Header().Get("ETag"))
			}
			b.ReportAllocs()
			for b.Loop() {
				w := httptest.NewRecorder()
				h.ServeHTTP(w, req)
				if w.Code != 200 && w.Code != 304 {
					b.Fatalf("status %d: %s", w.Code, w.Body)
				}
			}
		})
	}
}
