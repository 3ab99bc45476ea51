package inventoryhttp_test

import (
	"context"
	"encoding/json"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/inventory/inventoryhttp"
	"github.com/bazaarshop/bazaar/internal/inventory/inventorytest"
	"github.com/bazaarshop/bazaar/internal/platform/problem"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

const token = "s3cret"

func serve(t *testing.T) (*httptest.Server, *inventorytest.Env) {
	t.Helper()
	e := inventorytest.NewEnv(t, sqldbtest.OpenSQLite(t), inventory.Options{})
	rt := web.NewRouter(web.Options{Title: "t", Version: "1", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	inventoryhttp.Register(rt.API, e.Core, inventoryhttp.Options{Admin: huma.Middlewares{web.RequireBearerToken(rt.API, token)}})
	srv := httptest.NewServer(rt.Handler())
	t.Cleanup(srv.Close)
	return srv, e
}

func call(t *testing.T, method, url, auth, body string) (int, []byte) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth != "" {
		req.Header.Set("Authorization", "Bearer "+auth)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 && resp.Header.Get("Content-Type") != problem.ContentType {
		t.Errorf("%s %s: %d with content type %q", method, url, resp.StatusCode, resp.Header.Get("Content-Type"))
	}
	return resp.StatusCode, b
}

func TestRoutes(t *testing.T) {
	srv, e := serve(t)
	ctx := context.Background()
	if _, err := e.Core.SetOnHand(ctx, inventory.SetOnHand{SKU: "KURTA-M-RED", OnHand: 7}); err != nil {
		t.Fatal(err)
	}
	base := srv.URL + "/api/v1"
	cases := []struct {
		name, method, path, auth, body string
		status                         int
		code                           string // problem code, or a fragment of the body
	}{
		{"availability is public", "GET", "/inventory?sku=KURTA-M-RED&sku=NONE", "", "", 200, `{"items":[{"sku":"KURTA-M-RED","available":7},{"sku":"NONE","available":0}]}`},
		{"availability needs a sku", "GET", "/inventory", "", "", 400, "too_many_skus"},
		{"admin needs a token", "PUT", "/admin/inventory/stock/KURTA-M-RED/online", "", `{"on_hand":3}`, 401, "unauthenticated"},
		{"admin needs the token", "PUT", "/admin/inventory/stock/KURTA-M-RED/online", "wrong", `{"on_hand":3}`, 403, "forbidden"},
		{"reserve is guarded", "POST", "/internal/inventory/reservations", "", `{"reference":"o1","lines":[{"sku":"KURTA-M-RED","quantity":1}]}`, 401, "unauthenticated"},
		{"set on hand", "PUT", "/admin/inventory/stock/KURTA-M-RED/online", token, `{"on_hand":9}`, 200, `"on_hand":9`},
		{"adjust", "POST", "/admin/inventory/stock/KURTA-M-RED/online/adjustments", token, `{"delta":-1,"reason":"damaged"}`, 200, `"available":8`},
		{"zero units", "POST", "/internal/inventory/reservations", token, `{"reference":"o1","lines":[{"sku":"KURTA-M-RED","quantity":0}]}`, 400, "invalid_quantity"},
		{"no lines", "POST", "/internal/inventory/reservations", token, `{"reference":"o1","lines":[]}`, 400, "empty_lines"},
		{"unknown sku", "POST", "/internal/inventory/reservations", token, `{"reference":"o1","lines":[{"sku":"NOPE","quantity":1}]}`, 404, "unknown_sku"},
		{"too many", "POST", "/internal/inventory/reservations", token, `{"reference":"o1","lines":[{"sku":"KURTA-M-RED","quantity":9}]}`, 409, "insufficient_stock"},
		{"malformed", "POST", "/internal/inventory/reservations", token, `{"reference":`, 400, "invalid_json"},
		{"reserve", "POST", "/internal/inventory/reservations", token, `{"reference":"o1","lines":[{"sku":"KURTA-M-RED","quantity":2}],"ttl_seconds":60}`, 200, `"status":"held"`},
		{"commit", "POST", "/internal/inventory/reservations/o1/commit", token, "", 200, `"status":"committed"`},
		{"history", "GET", "/admin/inventory/stock/KURTA-M-RED/movements?page_size=2", token, "", 200, `"next_page_token":"`},
		{"history page size", "GET", "/admin/inventory/stock/KURTA-M-RED/movements?page_size=500", token, "", 400, "invalid_page_size"},
		{"levels", "GET", "/admin/inventory/levels?sku=KURTA-M-RED", token, "", 200, `"on_hand":6`},
		{"import", "POST", "/admin/inventory/import", token, `{"levels":[{"sku":"SAREE-1","on_hand":4}]}`, 200, `"imported":1`},
		{"location", "PUT", "/admin/inventory/locations/store-delhi", token, `{"name":"Delhi","sellable":false}`, 200, `"kind":"store"`},
		{"missing reservation", "GET", "/internal/inventory/reservations/o9", token, "", 404, "reservation_not_found"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, body := call(t, c.method, base+c.path, c.auth, c.body)
			if status != c.status {
				t.Fatalf("status %d, want %d: %s", status, c.status, body)
			}
			if status >= 400 {
				var p problem.Problem
				if err := json.Unmarshal(body, &p); err != nil || p.Code != c.code {
					t.Fatalf("problem %s, want code %s", body, c.code)
				}
				return
			}
			if !strings.Contains(string(body), c.code) {
				t.Fatalf("body %s does not contain %s", body, c.code)
			}
		})
	}
}

func TestOpenAPINamesTheOperations(t *testing.T) {
	srv, _ := serve(t)
	_, body := call(t, "GET", srv.URL+"/api/v1/openapi.json", "", "")
	for _, id := range []string{"get-availability", "set-on-hand", "adjust-stock", "list-stock-movements", "import-stock", "reserve-stock", "commit-reservation", "release-reservation"} {
		if !strings.Contains(string(body), `"operationId":"`+id+`"`) {
			t.Errorf("openapi.json lacks %s", id)
		}
	}
}
