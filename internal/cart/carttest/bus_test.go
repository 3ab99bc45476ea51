package carttest_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/cart/carttest"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/bustest"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// TestItemAddedReachesTheBus relays an add-to-cart through the outbox to
// JetStream and reads it back as identity's personalisation consumer does
// (identity.CartItemAdded has these JSON fields).
func TestItemAddedReachesTheBus(t *testing.T) {
	b := bustest.Embedded(t)
	ctx := context.Background()
	if err := b.EnsureStream(ctx, cart.Stream); err != nil {
		t.Fatal(err)
	}
	e := carttest.NewEnv(t, sqldbtest.OpenSQLite(t), cart.Options{})
	relay := outbox.NewRelay(e.DB, b, outbox.RelayOptions{})
	u := carttest.Member(ctx, "0190a000-0000-7000-8000-0000000000c1")
	m, err := e.Service.MyCart(u)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.AddItem(u, m.ID, "", cart.AddItem{SKU: carttest.Saree, Quantity: 2}); err != nil {
		t.Fatal(err)
	}
	if err := relay.Flush(ctx); err != nil {
		t.Fatal(err)
	}
	s, err := b.JetStream().Stream(ctx, cart.Stream.Name)
	if err != nil {
		t.Fatal(err)
	}
	msg, err := s.GetLastMsgForSubject(ctx, cart.SubjectItemAdded)
	if err != nil {
		t.Fatal(err)
	}
	var ev bus.Event
	if err := json.Unmarshal(msg.Data, &ev); err != nil {
		t.Fatal(err)
	}
	var got struct {
		CartID    string    `json:"cart_id"`
		UserID    string    `json:"user_id"`
		DeviceID  string    `json:"device_id"`
		ProductID string    `json:"product_id"`
		SKU       string    `json:"sku"`
		Category  string    `json:"category"`
		Quantity  int       `json:"quantity"`
		At        time.Time `json:"at"`
	}
	if err := ev.Decode(&got); err != nil {
		t.Fatal(err)
	}
	if ev.Type != cart.SubjectItemAdded || got.CartID != m.ID || got.UserID == "" || got.SKU != carttest.Saree ||
		got.ProductID == "" || got.Category != "sarees" || got.Quantity != 2 || got.At.IsZero() {
		t.Fatalf("event %+v: %+v", ev, got)
	}
	if n, _ := outbox.Pending(ctx, e.DB); n != 0 {
		t.Fatalf("%d events left in the outbox", n)
	}
}
