package identity_test

import (
	"context"
	"encoding/json"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/identity/identitytest"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/bustest"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// TestConsumesOrdersAndCartsFromTheBus publishes order.paid and
// cart.item_added as the order and cart services will, and watches them
// reach purchase history and recommendations.
func TestConsumesOrdersAndCartsFromTheBus(t *testing.T) {
	bustest.ForEachMode(t, func(t *testing.T, b *bus.Bus) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		orders := bustest.Stream(t, b, "orders")
		carts := bustest.Stream(t, b, "carts")
		opts := identitytest.Options(identitytest.NewClock())
		opts.Bus = b
		opts.OrdersStream, opts.OrderPaidSubject = orders.Name, bustest.Subject(orders)+".paid"
		opts.CartsStream, opts.CartItemAddedSubject = carts.Name, bustest.Subject(carts)+".item_added"
		core := identitytest.NewCore(t, sqldbtest.OpenSQLite(t), opts)
		done := make(chan error, 1)
		go func() { done <- core.RunConsumers(ctx) }()

		user, err := core.CreateAdmin(ctx, "buyer@example.com", identitytest.Password)
		if err != nil {
			t.Fatal(err)
		}
		as := authn.WithPrincipal(ctx, authn.Principal{UserID: user.ID, Role: user.Role})
		publish := func(subject, typ string, data any) {
			ev, err := bus.NewEvent(typ, data)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.PublishEvent(ctx, subject, ev); err != nil {
				t.Fatal(err)
			}
		}
		publish(opts.OrderPaidSubject, identity.SubjectOrderPaid, identity.OrderPaid{OrderID: "o1", UserID: user.ID, PaidAt: time.Now(),
			Total: money.MustNew(259800, "INR"), Items: []identity.OrderItem{
				{ProductID: "kurta-1", SKU: "K1-M", Category: "kurtas", Quantity: 2, Price: money.MustNew(129900, "INR")}}})
		publish(opts.CartItemAddedSubject, identity.SubjectCartItemAdded, identity.CartItemAdded{CartID: "c1", DeviceID: "device-abc-123", ProductID: "saree-9", Quantity: 1, At: time.Now()})
		// A producer's bug (no prices) must not poison the consumer.
		publish(opts.OrderPaidSubject, identity.SubjectOrderPaid, json.RawMessage(`{"order_id":"o2","user_id":"`+user.ID+`","items":[{"product_id":"kurta-2","quantity":1}]}`))

		bustest.Wait(t, 10*time.Second, "purchases to arrive", func() bool {
			ps, err := core.Purchases(as)
			return err == nil && len(ps) == 2
		})
		bustest.Wait(t, 10*time.Second, "the add-to-cart to count", func() bool {
			r, err := core.Recommendations(ctx, "another-device-1", 5)
			if err != nil {
				return false
			}
			for _, it := range r.Items {
				if it.ProductID == "saree-9" {
					return true
				}
			}
			return false
		})
		ps, _ := core.Purchases(as)
		if ps[1].OrderID != "o1" && ps[0].OrderID != "o1" {
			t.Fatalf("purchases %+v", ps)
		}
		cancel()
		select {
		case err := <-done:
			if err != nil {
				t.Fatal(err)
			}
		case <-time.After(30 * time.Second):
			t.Fatal("RunConsumers did not stop")
		}
	})
}
