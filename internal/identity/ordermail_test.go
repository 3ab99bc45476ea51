package identity_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/identity/identitytest"
	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/bustest"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// TestOrderEventsBecomeMail publishes the order service's own events
// (order.Event) and watches the confirmation, the shipping notice and the
// refund notice reach the mail outbox once each, and order.paid reach the
// buyer's purchase history.
func TestOrderEventsBecomeMail(t *testing.T) {
	bustest.ForEachMode(t, func(t *testing.T, b *bus.Bus) {
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		orders := bustest.Stream(t, b, "orders")
		subject := bustest.Subject(orders)
		opts := identitytest.Options(identitytest.NewClock())
		opts.Bus = b
		opts.PublicURL = "https://shop.example"
		opts.OrdersStream = orders.Name
		opts.OrderPaidSubject, opts.OrderShippedSubject, opts.OrderRefundedSubject = subject+".paid", subject+".shipped", subject+".refunded"
		opts.CartsStream = bustest.Stream(t, b, "carts").Name
		core := identitytest.NewCore(t, sqldbtest.OpenSQLite(t), opts)
		done := make(chan error, 1)
		go func() { done <- core.RunConsumers(ctx) }()

		user, err := core.CreateAdmin(ctx, "buyer@example.com", identitytest.Password)
		if err != nil {
			t.Fatal(err)
		}
		inr := func(n int64) money.Money { return money.MustNew(n, "INR") }
		paidAt := time.Date(2025, 11, 2, 9, 30, 0, 0, time.UTC)
		ev := order.Event{
			OrderID: "0190a000-0000-7000-8000-0000000000aa", Number: "BZ-ABCDE-FGHIJ", CustomerID: user.ID, Email: "Buyer@Example.com",
			Status: order.StatusPaid, From: order.StatusAwaitingPayment, Seq: 3, Total: inr(269800),
			Items: []order.EventItem{
				{SKU: "KUR-001-M", ProductID: "kurta-1", Title: "Mustard Kurta", Quantity: 2, Total: inr(259800)},
				{SKU: "SOCK-1", ProductID: "socks-1", Quantity: 1, Total: inr(10000)},
			},
			At: paidAt,
		}
		publish := func(subj, typ string, data order.Event) {
			t.Helper()
			e, err := bus.NewEvent(typ, data)
			if err != nil {
				t.Fatal(err)
			}
			if _, err := b.PublishEvent(ctx, subj, e); err != nil {
				t.Fatal(err)
			}
		}
		publish(opts.OrderPaidSubject, order.EventPaid, ev)
		shipped := ev
		shipped.Status, shipped.From, shipped.Seq = order.StatusShipped, order.StatusPacked, 5
		shipped.Tracking = &order.Tracking{Carrier: "Delhivery", Number: "DL123\r\nBcc: x@evil.example", URL: "https://track.example/DL123"}
		publish(opts.OrderShippedSubject, order.EventShipped, shipped)
		refunded := ev
		refunded.Status, refunded.Seq, refunded.Amount, refunded.Refunded = order.StatusRefunded, 9, inr(10000), inr(10000)
		publish(opts.OrderRefundedSubject, order.EventRefunded, refunded)

		var mails []identity.Mail
		bustest.Wait(t, 10*time.Second, "three order mails", func() bool {
			all, err := core.DevMail(ctx, 100)
			mails = mails[:0]
			for _, m := range all {
				if m.To == "buyer@example.com" && strings.Contains(m.Subject, "BZ-ABCDE-FGHIJ") {
					mails = append(mails, m)
				}
			}
			return err == nil && len(mails) == 3
		})
		bySubject := map[string]identity.Mail{}
		for _, m := range mails {
			bySubject[m.Subject] = m
		}
		confirm, ok := bySubject["Your order BZ-ABCDE-FGHIJ is confirmed"]
		if !ok || !strings.Contains(confirm.Body, "2 × Mustard Kurta  ₹2,598.00") || !strings.Contains(confirm.Body, "1 × SOCK-1  ₹100.00") ||
			!strings.Contains(confirm.Body, "Total: ₹2,698.00") || !strings.Contains(confirm.Body, "https://shop.example/orders/"+ev.OrderID) {
			t.Errorf("confirmation %+v", confirm)
		}
		ship, ok := bySubject["Your order BZ-ABCDE-FGHIJ has shipped"]
		if !ok || !strings.Contains(ship.Body, "Carrier: Delhivery") || !strings.Contains(ship.Body, "Track it: https://track.example/DL123") ||
			strings.Contains(ship.Body, "\r") || strings.Contains(ship.Body, "DL123\nBcc") {
			t.Errorf("shipping notice %q", ship.Body)
		}
		if _, ok := bySubject["We have refunded ₹100.00 for order BZ-ABCDE-FGHIJ"]; !ok {
			t.Errorf("no refund notice: %v", mails)
		}

		// order.paid, in the order service's shape, also made purchase
		// history: the customer is the user, the unit price is the line's.
		as := authn.WithPrincipal(ctx, authn.Principal{UserID: user.ID, Role: user.Role})
		bustest.Wait(t, 10*time.Second, "the purchase", func() bool {
			ps, err := core.Purchases(as)
			return err == nil && len(ps) == 1
		})
		ps, _ := core.Purchases(as)
		if p := ps[0]; p.OrderID != ev.OrderID || !p.PaidAt.Equal(paidAt) || p.Total != inr(269800) || len(p.Items) != 2 {
			t.Errorf("purchase %+v", p)
		} else {
			for _, it := range p.Items {
				if it.ProductID == "kurta-1" && (it.Price != inr(129900) || it.Quantity != 2) {
					t.Errorf("item %+v", it)
				}
			}
		}

		// A redelivered event mails nothing more; one without a usable
		// address is dropped without an error.
		for range 2 {
			if err := core.HandleOrderMail(ctx, "ev-1", identity.OrderMailShipped, identity.OrderMail{OrderID: "o2", Number: "BZ-2", Email: "guest@example.com"}); err != nil {
				t.Fatal(err)
			}
		}
		if err := core.HandleOrderMail(ctx, "ev-2", identity.OrderMailPaid, identity.OrderMail{OrderID: "o3", Email: "not an address"}); err != nil {
			t.Fatal(err)
		}
		all, _ := core.DevMail(ctx, 100)
		n := 0
		for _, m := range all {
			if m.To == "guest@example.com" {
				n++
			}
		}
		if n != 1 || len(all) != 4 {
			t.Errorf("%d mails to the guest, %d in all, want 1 and 4", n, len(all))
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
