package cataloghttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/catalog/cataloghttp"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogtest"
	"github.com/bazaarshop/bazaar/internal/platform/idempotency"
	"github.com/bazaarshop/bazaar/internal/platform/problem"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

func newServer(t *testing.T) (*catalogtest.Env, *catalogtest.Fixture) {
	t.Helper()
	e := catalogtest.NewEnv(t, sqldbtest.OpenSQLite(t), catalog.Options{}).OverHTTP(t)
	return e, catalogtest.NewFixture(t, e.Service)
}

type reply struct {
	status int
	header http.Header
	body   []byte
	prob   problem.Problem
}

func call(t *testing.T, method, url, body string, header ...string) reply {
	t.Helper()
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Set(header[i], header[i+1])
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := reply{status: resp.StatusCode, header: resp.Header}
	r.body, _ = io.ReadAll(resp.Body)
	if r.status >= 400 {
		if ct := resp.Header.Get("Content-Type"); ct != problem.ContentType {
			t.Errorf("%s %s: %d with content type %q", method, url, r.status, ct)
		}
		if err := json.Unmarshal(r.body, &r.prob); err != nil {
			t.Fatalf("%s %s: not a problem: %s", method, url, r.body)
		}
	}
	return r
}

const bearer = "Bearer " + catalogtest.AdminToken

func TestConditionalReads(t *testing.T) {
	e, _ := newServer(t)
	for _, path := range []string{"/api/v1/products?sort=price_asc", "/api/v1/products/cotton-anarkali-kurta",
		"/api/v1/categories", "/api/v1/collections", "/api/v1/search/suggest?q=kur"} {
		t.Run(path, func(t *testing.T) {
			first := call(t, "GET", e.URL+path, "")
			etag := first.header.Get("ETag")
			if first.status != 200 || etag == "" || first.header.Get("Cache-Control") != "public, max-age=1" ||
				first.header.Get("Content-Type") != "application/json" {
				t.Fatalf("status %d, headers %v", first.status, first.header)
			}
			if !json.Valid(first.body) {
				t.Fatalf("body %s", first.body)
			}
			again := call(t, "GET", e.URL+path, "", "If-None-Match", etag)
			if again.status != http.StatusNotModified || len(again.body) != 0 || again.header.Get("ETag") != etag {
				t.Fatalf("revalidation: status %d, %d bytes, etag %q", again.status, len(again.body), again.header.Get("ETag"))
			}
			other := call(t, "GET", e.URL+path, "", "If-None-Match", `"stale", W/`+etag)
			if other.status != http.StatusNotModified {
				t.Fatalf("weak match in a list: %d", other.status)
			}
		})
	}
	t.Run("a price change changes the etag", func(t *testing.T) {
		before := call(t, "GET", e.URL+"/api/v1/products/cotton-anarkali-kurta", "")
		r := call(t, "POST", e.URL+"/api/v1/admin/prices", `{"changes":[{"sku":"KRT-ANK-S","price":{"amount":119900,"currency":"INR"}}]}`,
			"Authorization", bearer)
		if r.status != http.StatusNoContent {
			t.Fatalf("set prices: %d %s", r.status, r.body)
		}
		after := call(t, "GET", e.URL+"/api/v1/products/cotton-anarkali-kurta", "", "If-None-Match", before.header.Get("ETag"))
		if after.status != 200 || !bytes.Contains(after.body, []byte(`"amount":119900`)) {
			t.Fatalf("after the change: %d %s", after.status, after.body)
		}
	})
}

func TestBadRequests(t *testing.T) {
	e, f := newServer(t)
	kurta := f.Products["silk-straight-kurta"]
	cases := []struct {
		name, method, path, body string
		auth                     bool
		status                   int
		code                     string
	}{
		{"unknown parameter", "GET", "/api/v1/products?colour=red", "", false, 400, "unknown_parameter"},
		{"unknown sort", "GET", "/api/v1/products?sort=cheap", "", false, 400, "invalid_sort"},
		{"page size", "GET", "/api/v1/products?page_size=101", "", false, 400, "invalid_page_size"},
		{"page size text", "GET", "/api/v1/products?page_size=ten", "", false, 400, "invalid_page_size"},
		{"page token", "GET", "/api/v1/products?page_token=abc!", "", false, 400, "invalid_page_token"},
		{"in stock", "GET", "/api/v1/products?in_stock=maybe", "", false, 400, "invalid_filter"},
		{"price", "GET", "/api/v1/products?price_min=12.5", "", false, 400, "invalid_filter"},
		{"category", "GET", "/api/v1/products?category=menswear", "", false, 400, "unknown_category"},
		{"status is staff only", "GET", "/api/v1/products?status=draft", "", false, 400, "unknown_parameter"},
		{"draft product", "GET", "/api/v1/products/linen-shirt-dress", "", false, 404, "product_not_found"},
		{"no token", "POST", "/api/v1/admin/products", `{}`, false, 401, "unauthenticated"},
		{"wrong token", "GET", "/api/v1/admin/products/" + kurta.ID, "", false, 403, "forbidden"},
		{"malformed json", "POST", "/api/v1/admin/products", `{"title":`, true, 400, "invalid_json"},
		{"unknown field", "POST", "/api/v1/admin/products", `{"title":"A","category":"kurtas","colour":"red"}`, true, 400, "validation_failed"},
		{"negative price", "POST", "/api/v1/admin/products",
			`{"title":"A","category":"kurtas","variants":[{"sku":"A-1","price":{"amount":-5,"currency":"INR"}}]}`, true, 400, "invalid_price"},
		{"fractional price", "POST", "/api/v1/admin/products",
			`{"title":"A","category":"kurtas","variants":[{"sku":"A-1","price":{"amount":5.5,"currency":"INR"}}]}`, true, 400, "validation_failed"},
		{"duplicate sku", "POST", "/api/v1/admin/products",
			`{"title":"A","category":"kurtas","variants":[{"sku":"KRT-ANK-S","price":{"amount":5,"currency":"INR"}}]}`, true, 409, "sku_taken"},
		{"duplicate slug", "PATCH", "/api/v1/admin/products/" + kurta.ID, `{"slug":"cotton-anarkali-kurta"}`, true, 409, "slug_taken"},
		{"status transition", "PATCH", "/api/v1/admin/products/" + f.Products["embroidered-kurta-set"].ID, `{"status":"active"}`, true, 409, "invalid_status_transition"},
		{"unknown product", "POST", "/api/v1/admin/products/0190e0a0-0000-7000-8000-000000000000/archive", "", true, 404, "product_not_found"},
		{"unknown sku in prices", "POST", "/api/v1/admin/prices", `{"changes":[{"sku":"NOPE","price":{"amount":5,"currency":"INR"}}]}`, true, 400, "unknown_sku"},
		{"non-empty category", "DELETE", "/api/v1/admin/categories/" + f.Categories["kurtas"].ID, "", true, 409, "category_not_empty"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var hdr []string
			if c.auth {
				hdr = []string{"Authorization", bearer}
			} else if c.name == "wrong token" {
				hdr = []string{"Authorization", "Bearer nope"}
			}
			r := call(t, c.method, e.URL+c.path, c.body, hdr...)
			if r.status != c.status || r.prob.Code != c.code {
				t.Fatalf("%d %q, want %d %q: %s", r.status, r.prob.Code, c.status, c.code, r.body)
			}
		})
	}
}

func TestAdminStatuses(t *testing.T) {
	e, _ := newServer(t)
	r := call(t, "POST", e.URL+"/api/v1/admin/products",
		`{"title":"Block Print Kurta","category":"kurtas","status":"active","variants":[{"sku":"KRT-BLK-M","size":"M","color":"Indigo","price":{"amount":99900,"currency":"INR"}}]}`,
		"Authorization", bearer)
	if r.status != http.StatusCreated || r.header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d %v %s", r.status, r.header, r.body)
	}
	var p catalog.Product
	if err := json.Unmarshal(r.body, &p); err != nil || p.Slug != "block-print-kurta" || p.Variants[0].SKU != "KRT-BLK-M" {
		t.Fatalf("created %+v, %v", p, err)
	}
	r = call(t, "GET", e.URL+"/api/v1/products?q=block+print", "")
	if r.status != 200 || !bytes.Contains(r.body, []byte(`"slug":"block-print-kurta"`)) {
		t.Fatalf("search for the new product: %d %s", r.status, r.body)
	}
	r = call(t, "GET", e.URL+"/api/v1/admin/products?status=draft", "", "Authorization", bearer)
	if r.status != 200 || !bytes.Contains(r.body, []byte(`linen-shirt-dress`)) {
		t.Fatalf("staff listing of drafts: %d %s", r.status, r.body)
	}
}

// An admin POST retried with the same Idempotency-Key runs once: the
// middleware the wiring puts in front replays the first answer.
func TestIdempotentCreate(t *testing.T) {
	db := sqldbtest.OpenSQLite(t)
	e := catalogtest.NewEnv(t, db, catalog.Options{})
	if _, err := db.Migrate(context.Background(), idempotency.Migrations); err != nil {
		t.Fatal(err)
	}
	rt := web.NewRouter(web.Options{Title: "catalog", Version: "test", Logger: catalogtest.Quiet})
	cataloghttp.Register(rt.API, e.Core, cataloghttp.Options{Admin: huma.Middlewares{web.RequireBearerToken(rt.API, catalogtest.AdminToken)}})
	srv := httptest.NewServer(idempotency.Middleware(idempotency.NewStore(db), idempotency.Options{})(rt.Handler()))
	t.Cleanup(srv.Close)
	catalogtest.NewFixture(t, e.Service)
	body := `{"title":"Ikat Kurta","category":"kurtas","variants":[{"sku":"KRT-IKT-M","price":{"amount":89900,"currency":"INR"}}]}`
	first := call(t, "POST", srv.URL+"/api/v1/admin/products", body, "Authorization", bearer, "Idempotency-Key", "k-1")
	again := call(t, "POST", srv.URL+"/api/v1/admin/products", body, "Authorization", bearer, "Idempotency-Key", "k-1")
	if first.status != 201 || again.status != 201 || !bytes.Equal(first.body, again.body) || again.header.Get("Idempotent-Replayed") != "true" {
		t.Fatalf("first %d, retry %d (replayed %q)\n%s\n%s", first.status, again.status, again.header.Get("Idempotent-Replayed"), first.body, again.body)
	}
	other := call(t, "POST", srv.URL+"/api/v1/admin/products", strings.Replace(body, "Ikat", "Ajrakh", 1), "Authorization", bearer, "Idempotency-Key", "k-1")
	if other.status != 422 {
		t.Fatalf("same key, other body: %d", other.status)
	}
	page, err := e.Service.ListProducts(context.Background(), catalog.ListQuery{Status: catalog.StatusDraft, Q: "ikat"})
	if err != nil || page.Total != 1 {
		t.Fatalf("ikat kurtas: %d, %v", page.Total, err)
	}
}

func TestOpenAPIAndMedia(t *testing.T) {
	e, _ := newServer(t)
	r := call(t, "GET", e.URL+"/api/v1/openapi.json", "")
	var doc struct {
		Paths map[string]map[string]struct {
			Responses map[string]struct {
				Content map[string]struct {
					Schema struct {
						Ref string `json:"$ref"`
					} `json:"schema"`
				} `json:"content"`
			} `json:"responses"`
		} `json:"paths"`
	}
	if err := json.Unmarshal(r.body, &doc); err != nil {
		t.Fatal(err)
	}
	for _, p := range []string{"/api/v1/products", "/api/v1/products/{id}", "/api/v1/categories", "/api/v1/search/suggest",
		"/api/v1/skus", "/api/v1/admin/products", "/api/v1/admin/prices", "/api/v1/admin/categories/{id}"} {
		if doc.Paths[p] == nil {
			t.Errorf("openapi lacks %s", p)
		}
	}
	if ref := doc.Paths["/api/v1/products"]["get"].Responses["200"].Content["application/json"].Schema.Ref; !strings.HasSuffix(ref, "/CatalogProductPage") {
		t.Errorf("list-products documents %q, want the CatalogProductPage schema", ref)
	}
	svg := call(t, "GET", e.URL+"/media/placeholder/kurta-red-1.svg", "")
	if svg.status != 200 || svg.header.Get("Content-Type") != "image/svg+xml" || !bytes.HasPrefix(svg.body, []byte("<svg")) {
		t.Fatalf("placeholder: %d %v", svg.status, svg.header)
	}
	for _, bad := range []string{"kurta.svg", "kurta-red-1.png", "..%2Fetc-red-1.svg"} {
		if r := call(t, "GET", e.URL+"/media/placeholder/"+bad, ""); r.status != 404 {
			t.Errorf("%s: %d", bad, r.status)
		}
	}
}
