package main

import (
	"context"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/bazaarshop/bazaar/internal/platform/ids"
)

// Checkout needs neither the order database nor the workers: with the
// order schema gone, shoppers still get their 202s; reading an order is a
// 503 meanwhile, never a 500; when the schema is back the workers drain
// the backlog and every accepted order is paid.
func TestCheckoutWhileOrderDatabaseIsDown(t *testing.T) {
	m := productionMode(t)
	s, p := openShop(t, m)
	defer p.stop(t)
	sku := s.skus(1)[0]
	s.setStock(sku, 100)

	ctx := context.Background()
	conn, err := pgx.Connect(ctx, m.dbURL)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close(ctx)
	if _, err := conn.Exec(ctx, `ALTER SCHEMA "order" RENAME TO order_down`); err != nil {
		t.Fatal(err)
	}
	restored := false
	defer func() {
		if !restored {
			_, _ = conn.Exec(ctx, `ALTER SCHEMA order_down RENAME TO "order"`)
		}
	}()

	var placed []accepted
	for range 10 {
		c, err := s.guestCart(sku, 1)
		if err != nil {
			t.Fatal(err)
		}
		tok, err := s.cardToken(cardOK)
		if err != nil {
			t.Fatal(err)
		}
		r, err := s.checkout(ids.New(), c, checkoutBody(c.ID, "down@example.com", cardPayment(tok)))
		if err != nil {
			t.Fatal(err)
		}
		placed = append(placed, decodeReply[accepted](t, s.must(r, 202, "", "checkout with the order database down")))
	}
	r := s.do("GET", "/api/v1/orders/"+placed[0].OrderID, nil, "X-Order-Token", placed[0].OrderToken)
	if r.Status != 503 || r.code() != "order_unavailable" {
		t.Errorf("reading an order while its database is down: %s", r)
	}

	time.Sleep(2 * time.Second) // the workers fail and back off meanwhile
	if _, err := conn.Exec(ctx, `ALTER SCHEMA order_down RENAME TO "order"`); err != nil {
		t.Fatal(err)
	}
	restored = true
	for _, a := range placed {
		o, err := s.waitOrder(a.OrderID, a.OrderToken, "", 60*time.Second, func(o orderView) bool { return settled(o.Status) })
		if err != nil || o.Status != "paid" {
			t.Fatalf("order %s after the database came back: %s %v", a.OrderID, o.Status, err)
		}
	}
	if lv := s.level(sku); lv.OnHand != 90 || lv.Reserved != 0 {
		t.Errorf("stock after the backlog: %+v, want 90 on hand and none held", lv)
	}
}
