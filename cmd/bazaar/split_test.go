package main

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/jackc/pgx/v5"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/testenv"
)

// The production shape: services split over two processes on PostgreSQL and
// an external NATS. Catalog and cart run in one process and reach identity
// and inventory in the other over HTTP, through the same interfaces they use
// in-process, with the caller's identity signed between them.
func TestServicesSplitAcrossProcesses(t *testing.T) {
	pgURL := testenv.PostgresURL(t)
	natsURL := testenv.NATSURL(t)
	dbURL := freshDatabase(t, pgURL)
	clearStreams(t, natsURL)
	t.Cleanup(func() { clearStreams(t, natsURL) })

	common := []string{
		"BAZAAR_DATABASE_URL=" + dbURL,
		"BAZAAR_NATS_URL=" + natsURL,
		"BAZAAR_INTERNAL_SECRET=" + strings.Repeat("s3cr3t-", 6),
	}
	back := startBinary(t, t.TempDir(), common, "--services", "identity,inventory")
	back.waitReady(t)
	front := startBinary(t, t.TempDir(), append(common,
		"BAZAAR_IDENTITY_URL="+back.url, "BAZAAR_INVENTORY_URL="+back.url), "--services", "catalog,cart")
	front.waitReady(t)
	defer back.stop(t)
	defer front.stop(t)

	if _, body, _ := get(t, back.url+"/readyz"); !strings.Contains(body, `"services":["identity","inventory"]`) {
		t.Errorf("back readyz: %s", body)
	}
	if _, body, _ := get(t, front.url+"/readyz"); !strings.Contains(body, `"services":["catalog","cart"]`) {
		t.Errorf("front readyz: %s", body)
	}
	// The back process does not serve the catalog.
	if status, _, _ := get(t, back.url+"/api/v1/products"); status != http.StatusNotFound {
		t.Errorf("back serves products: %d", status)
	}

	// A product page on the front carries live availability from inventory
	// in the back process (stock the seeder imported there over HTTP).
	var page struct {
		Items []struct{ Slug string } `json:"items"`
	}
	getJSON(t, front.url+"/api/v1/products?in_stock=true&page_size=1", &page)
	if len(page.Items) != 1 {
		t.Fatalf("no products listed")
	}
	var product struct {
		Variants []struct {
			SKU       string `json:"sku"`
			Available *int64 `json:"available"`
		} `json:"variants"`
	}
	getJSON(t, front.url+"/api/v1/products/"+page.Items[0].Slug, &product)
	var sku string
	for _, v := range product.Variants {
		if v.Available != nil && *v.Available > 0 {
			sku = v.SKU
			break
		}
	}
	if sku == "" {
		t.Fatalf("no variant shows availability from the inventory process: %+v", product)
	}
	var avail map[string]any
	getJSON(t, back.url+"/api/v1/inventory?sku="+url.QueryEscape(sku), &avail)

	// A guest cart on the front prices the line from the catalog beside it
	// and checks stock with inventory in the other process.
	resp, err := http.Post(front.url+"/api/v1/carts", "application/json", strings.NewReader(`{}`))
	if err != nil {
		t.Fatal(err)
	}
	var created struct{ ID, Token string }
	_ = json.NewDecoder(resp.Body).Decode(&created)
	resp.Body.Close()
	if created.Token == "" {
		t.Fatalf("cart: %d %+v", resp.StatusCode, created)
	}
	req, _ := http.NewRequest("POST", front.url+"/api/v1/carts/"+created.ID+"/items", strings.NewReader(`{"sku":"`+sku+`","quantity":1}`))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("X-Cart-Token", created.Token)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode >= 300 || !strings.Contains(string(body), sku) {
		t.Fatalf("add to cart: %d %s", resp.StatusCode, body)
	}
}

func getJSON(t *testing.T, u string, out any) {
	t.Helper()
	resp, err := http.Get(u)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != 200 {
		b, _ := io.ReadAll(resp.Body)
		t.Fatalf("GET %s: %d %s", u, resp.StatusCode, b)
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		t.Fatalf("GET %s: %v", u, err)
	}
}

// freshDatabase creates a database for one test and drops it afterwards, so
// the services' schemas (named after them) cannot meet another run's.
func freshDatabase(t testing.TB, pgURL string) string {
	t.Helper()
	ctx := context.Background()
	name := testenv.Name("bazaar_split")
	conn, err := pgx.Connect(ctx, pgURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, "CREATE DATABASE "+name); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		c, err := pgx.Connect(ctx, pgURL)
		if err != nil {
			return
		}
		defer c.Close(ctx)
		_, _ = c.Exec(ctx, "DROP DATABASE IF EXISTS "+name+" WITH (FORCE)")
	})
	u, err := url.Parse(pgURL)
	if err != nil {
		t.Fatal(err)
	}
	u.Path = "/" + name
	return u.String()
}

// clearStreams removes the services' streams from the shared NATS server,
// so a run starts without another run's events, durable consumers and
// checkout idempotency records.
func clearStreams(t testing.TB, natsURL string) {
	t.Helper()
	b, err := bus.Connect(context.Background(), natsURL)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	for _, s := range []string{"IDENTITY", "INVENTORY", "CATALOG", "CARTS", "ORDERS", "PAYMENT", "KV_CHECKOUT_KEYS"} {
		_ = b.DeleteStream(context.Background(), s)
	}
}
