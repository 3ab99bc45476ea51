package carthttp_test

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"testing"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/cart/carttest"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// send makes a raw request, as a browser or curl would: no signed
// principal, so the caller is an anonymous guest.
func send(t *testing.T, method, url, token string, body any) (*http.Response, []byte) {
	t.Helper()
	var r io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		r = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if token != "" {
		req.Header.Set(cart.HeaderToken, token)
	}
	// The authn middleware refuses cross-site writes; a same-origin fetch
	// says so.
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, b
}

type problem struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
	Detail string `json:"detail"`
	Errors []struct {
		Field string `json:"field"`
	} `json:"errors"`
}

func TestHTTP(t *testing.T) {
	e := carttest.NewEnv(t, sqldbtest.OpenSQLite(t), cart.Options{}).OverHTTP(t)
	base := e.URL + "/api/v1"

	resp, body := send(t, http.MethodPost, base+"/carts", "", nil)
	if resp.StatusCode != http.StatusCreated || resp.Header.Get("Cache-Control") != "no-store" {
		t.Fatalf("create: %d %s", resp.StatusCode, body)
	}
	var c cart.Cart
	if err := json.Unmarshal(body, &c); err != nil || c.Token == "" || len(c.Token) < 40 {
		t.Fatalf("create body %s", body)
	}
	token := c.Token
	wrong := "A" + token[1:]
	if token[0] == 'A' {
		wrong = "B" + token[1:]
	}
	cartURL := base + "/carts/" + c.ID

	resp, body = send(t, http.MethodPost, cartURL+"/items", token, map[string]any{"sku": carttest.Kurta, "quantity": 2})
	if resp.StatusCode != http.StatusOK || !strings.Contains(string(body), `"subtotal":{"amount":259800,"currency":"INR"}`) {
		t.Fatalf("add: %d %s", resp.StatusCode, body)
	}
	if err := json.Unmarshal(body, &c); err != nil || strings.Contains(string(body), token) {
		t.Fatal("an answer other than the creation carries the token")
	}

	cases := []struct {
		name, method, url, token string
		body                     any
		status                   int
		code                     string
	}{
		{"quantity zero", http.MethodPost, cartURL + "/items", token, map[string]any{"sku": carttest.Socks, "quantity": 0}, 400, "invalid_quantity"},
		{"quantity as a string", http.MethodPost, cartURL + "/items", token, map[string]any{"sku": carttest.Socks, "quantity": "2"}, 400, "validation_failed"},
		{"unknown SKU", http.MethodPost, cartURL + "/items", token, map[string]any{"sku": carttest.NoSuchSKU, "quantity": 1}, 404, "unknown_sku"},
		{"archived", http.MethodPost, cartURL + "/items", token, map[string]any{"sku": carttest.OldTee, "quantity": 1}, 409, "product_unavailable"},
		{"sold out", http.MethodPost, cartURL + "/items", token, map[string]any{"sku": carttest.SoldOut, "quantity": 1}, 409, "out_of_stock"},
		{"no token", http.MethodGet, cartURL, "", nil, 404, "cart_not_found"},
		{"wrong token", http.MethodGet, cartURL, wrong, nil, 404, "cart_not_found"},
		{"unknown line", http.MethodPatch, cartURL + "/items/0190a000-0000-7000-8000-000000000000", token, map[string]any{"quantity": 1}, 404, "line_not_found"},
		{"unknown coupon", http.MethodPost, cartURL + "/promotions", token, map[string]any{"code": "NOPE123"}, 404, "coupon_not_found"},
		{"bad address", http.MethodPut, cartURL + "/shipping-address", token, map[string]any{"state": "MH", "postal_code": "12"}, 400, "invalid_address"},
		{"my cart as a guest", http.MethodGet, base + "/me/cart", "", nil, 401, "unauthenticated"},
		{"admin as a guest", http.MethodGet, base + "/admin/promotions", "", nil, 401, "unauthenticated"},
		{"redeem from outside", http.MethodPost, base + "/internal/cart/redemptions", "", map[string]any{"reference": "x", "cart_id": c.ID}, 403, "forbidden"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := send(t, tc.method, tc.url, tc.token, tc.body)
			var p problem
			if err := json.Unmarshal(body, &p); err != nil || resp.StatusCode != tc.status || p.Code != tc.code ||
				resp.Header.Get("Content-Type") != "application/problem+json" {
				t.Fatalf("%d %s %s", resp.StatusCode, resp.Header.Get("Content-Type"), body)
			}
			if strings.Contains(string(body), token) {
				t.Fatal("the token is echoed in an error")
			}
		})
	}
	resp, body = send(t, http.MethodPut, cartURL+"/shipping-address", token, map[string]any{"state": "Kerala", "postal_code": "0"})
	var p problem
	_ = json.Unmarshal(body, &p)
	if resp.StatusCode != 400 || len(p.Errors) != 1 || p.Errors[0].Field != "postal_code" {
		t.Fatalf("address problem %s", body)
	}

	resp, body = send(t, http.MethodGet, cartURL, token, nil)
	var after cart.Cart
	if err := json.Unmarshal(body, &after); err != nil || resp.StatusCode != 200 || after.Version != c.Version {
		t.Fatalf("the rejected requests changed the cart: v%d → v%d", c.Version, after.Version)
	}

	logs := e.Logs()
	if !strings.Contains(logs, `"route":"GET /api/v1/carts/{id}"`) {
		t.Fatalf("the access log did not record the reads:\n%s", logs)
	}
	if strings.Contains(logs, token) {
		t.Fatal("the cart token appears in the logs")
	}
}

// TestOpenAPI checks that the routes the storefront relies on are the ones
// served.
func TestOpenAPI(t *testing.T) {
	e := carttest.NewEnv(t, sqldbtest.OpenSQLite(t), cart.Options{}).OverHTTP(t)
	resp, body := send(t, http.MethodGet, e.URL+"/api/v1/openapi.json", "", nil)
	if resp.StatusCode != 200 {
		t.Fatalf("%d", resp.StatusCode)
	}
	var doc struct {
		Paths map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(body, &doc); err != nil {
		t.Fatal(err)
	}
	for _, r := range []string{
		"post /api/v1/carts", "get /api/v1/carts/{id}", "post /api/v1/carts/{id}/items",
		"patch /api/v1/carts/{id}/items/{line_id}", "delete /api/v1/carts/{id}/items/{line_id}",
		"post /api/v1/carts/{id}/promotions", "delete /api/v1/carts/{id}/promotions/{code}",
		"put /api/v1/carts/{id}/shipping-address", "get /api/v1/me/cart", "post /api/v1/me/cart/merge",
		"get /api/v1/carts/{id}/quote", "get /api/v1/admin/promotions", "post /api/v1/admin/promotions",
		"get /api/v1/admin/promotions/{id}", "put /api/v1/admin/promotions/{id}", "delete /api/v1/admin/promotions/{id}",
		"get /api/v1/admin/purchase-limits", "put /api/v1/admin/purchase-limits/{sku}",
		"delete /api/v1/admin/purchase-limits/{sku}", "post /api/v1/internal/cart/redemptions",
		"delete /api/v1/internal/cart/redemptions/{reference}",
	} {
		method, path, _ := strings.Cut(r, " ")
		if _, ok := doc.Paths[path][method]; !ok {
			t.Errorf("the OpenAPI document lacks %s", r)
		}
	}
}
