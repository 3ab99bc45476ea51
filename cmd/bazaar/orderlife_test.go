package main

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/ids"
)

// After payment: staff pack, ship and deliver; the shopper returns for a
// refund, exchanges for another size, cancels a paid order and one still
// awaiting its 3-D Secure challenge; an unpaid order expires. Every step
// moves the money, the stock and the mail the way a shop's books expect.
func TestOrderLifecycle(t *testing.T) {
	s, p := openShop(t, embeddedMode(), "--order-payment-timeout", "1s")
	defer p.stop(t)
	skus := s.skus(4)
	sku, other, third, fourth := skus[0], skus[1], skus[2], skus[3]
	for _, k := range skus {
		s.setStock(k, 20)
	}

	t.Run("ship deliver return refund", func(t *testing.T) {
		s := s.with(t)
		o, tok := s.paidOrder(t, sku, 2)
		s.admin409(o.ID, "ship", map[string]any{"carrier": "Delhivery", "tracking_number": "DL1"}) // not packed yet
		s.adminMove(t, o.ID, "pack", nil, "packed")
		s.adminMove(t, o.ID, "ship", map[string]any{"carrier": "Delhivery", "tracking_number": "DL123", "tracking_url": "https://example.com/t/DL123"}, "shipped")
		s.must(s.do("POST", "/api/v1/orders/"+o.ID+"/cancel", map[string]any{}, "X-Order-Token", tok), 409, "order_illegal_transition", "cancel a shipped order")
		s.adminMove(t, o.ID, "deliver", nil, "delivered")
		before := s.level(sku).OnHand

		r := s.must(s.do("POST", "/api/v1/orders/"+o.ID+"/returns", map[string]any{
			"lines": []map[string]any{{"sku": sku, "quantity": 1}}, "reason": "too large", "resolution": "refund",
		}, "X-Order-Token", tok), 201, "", "request a return")
		full := decodeReply[lifeOrder](t, r)
		if full.Status != "return_requested" || len(full.Returns) != 1 {
			t.Fatalf("after the request: %s %+v", full.Status, full.Returns)
		}
		ret := full.Returns[0]
		if want := full.Lines[0].Total.Amount / 2; ret.RefundAmount.Amount != want {
			t.Errorf("refund amount %d, want half the line: %d", ret.RefundAmount.Amount, want)
		}
		s.must(s.do("POST", "/api/v1/orders/"+o.ID+"/returns", map[string]any{
			"lines": []map[string]any{{"sku": sku, "quantity": 1}}, "reason": "again", "resolution": "refund",
		}, "X-Order-Token", tok), 409, "return_open", "a second open return")
		s.adminMove(t, o.ID, "returns/"+ret.ID+"/decision", map[string]any{"approve": true}, "return_approved")
		done := s.adminMove(t, o.ID, "returns/"+ret.ID+"/receive", nil, "refunded")
		if done.Totals.Refunded.Amount != ret.RefundAmount.Amount || done.Returns[0].Status != "refunded" {
			t.Errorf("refunded %d (return %s), want %d", done.Totals.Refunded.Amount, done.Returns[0].Status, ret.RefundAmount.Amount)
		}
		if got := s.level(sku).OnHand; got != before+1 {
			t.Errorf("on hand %d after the return, want %d", got, before+1)
		}
		its, err := s.intentsOf(o.ID)
		if err != nil || len(its) != 1 || its[0].AmountRefunded.Amount != ret.RefundAmount.Amount {
			t.Errorf("intent after the refund: %+v %v", its, err)
		}
		s.waitMail(t, "shipped", "DL123")
		s.waitMail(t, "refund", "")
	})

	t.Run("exchange for another size", func(t *testing.T) {
		s := s.with(t)
		o, tok := s.paidOrder(t, other, 1)
		for _, step := range []string{"pack", "ship", "deliver"} {
			s.adminMove(t, o.ID, step, map[string]any{"carrier": "BlueDart", "tracking_number": "BD9"}, "")
		}
		r := s.must(s.do("POST", "/api/v1/orders/"+o.ID+"/returns", map[string]any{
			"lines": []map[string]any{{"sku": other, "quantity": 1}}, "reason": "wrong size", "resolution": "exchange",
			"exchange_lines": []map[string]any{{"sku": third, "quantity": 1}},
		}, "X-Order-Token", tok), 201, "", "request an exchange")
		ret := decodeReply[lifeOrder](t, r).Returns[0]
		thirdBefore := s.level(third)
		approved := s.adminMove(t, o.ID, "returns/"+ret.ID+"/decision", map[string]any{"approve": true}, "return_approved")
		repl := approved.Returns[0].ReplacementOrderID
		if repl == "" {
			t.Fatalf("no replacement order: %+v", approved.Returns[0])
		}
		ro, err := s.waitOrder(repl, tok, "", 10*time.Second, func(o orderView) bool { return settled(o.Status) })
		if err != nil || ro.Status != "paid" || ro.Totals.Total.Amount != 0 || len(ro.Lines) != 1 || ro.Lines[0].SKU != third {
			t.Fatalf("replacement: %+v %v", ro, err)
		}
		if after := s.level(third); after.OnHand != thirdBefore.OnHand-1 {
			t.Errorf("replacement stock: on hand %d, was %d", after.OnHand, thirdBefore.OnHand)
		}
		received := s.adminMove(t, o.ID, "returns/"+ret.ID+"/receive", nil, "returned")
		if received.Returns[0].Status != "exchanged" || received.Totals.Refunded.Amount != 0 {
			t.Errorf("exchange received: %+v refunded %d", received.Returns[0], received.Totals.Refunded.Amount)
		}
	})

	t.Run("cancel a paid order", func(t *testing.T) {
		s := s.with(t)
		before := s.level(fourth).OnHand
		o, tok := s.paidOrder(t, fourth, 2)
		if got := s.level(fourth).OnHand; got != before-2 {
			t.Fatalf("on hand %d after the sale, want %d", got, before-2)
		}
		r := s.must(s.do("POST", "/api/v1/orders/"+o.ID+"/cancel", map[string]any{"reason": "changed my mind"}, "X-Order-Token", tok), 200, "", "cancel")
		c := decodeReply[lifeOrder](t, r)
		if c.Status != "cancelled" || c.Totals.Refunded.Amount != c.Totals.Total.Amount {
			t.Errorf("cancelled order: %s refunded %d of %d", c.Status, c.Totals.Refunded.Amount, c.Totals.Total.Amount)
		}
		if got := s.level(fourth).OnHand; got != before {
			t.Errorf("on hand %d after the cancellation, want %d", got, before)
		}
		s.must(s.do("POST", "/api/v1/orders/"+o.ID+"/cancel", map[string]any{}, "X-Order-Token", tok), 409, "order_illegal_transition", "cancel twice")
	})

	t.Run("cancel while awaiting 3-D Secure", func(t *testing.T) {
		s := s.with(t)
		before := s.level(sku)
		acc, _ := s.placeOrder(t, sku, 1, card3DS)
		o, err := s.waitOrder(acc.OrderID, acc.OrderToken, "", 10*time.Second, func(o orderView) bool { return o.Status == "awaiting_payment" })
		if err != nil || o.Payment.NextAction == nil {
			t.Fatalf("3-D Secure order: %+v %v", o, err)
		}
		s.must(s.do("POST", "/api/v1/orders/"+o.ID+"/cancel", map[string]any{}, "X-Order-Token", acc.OrderToken), 200, "", "cancel")
		its, _ := s.intentsOf(o.ID)
		if len(its) != 1 || its[0].Status != "cancelled" {
			t.Errorf("intent after cancel: %+v", its)
		}
		if after := s.level(sku); after.Available != before.Available || after.Reserved != before.Reserved {
			t.Errorf("stock after cancel %+v, before %+v", after, before)
		}
	})

	t.Run("unpaid order expires", func(t *testing.T) {
		s := s.with(t)
		before := s.level(other)
		acc, _ := s.placeOrder(t, other, 1, card3DS) // nobody answers the challenge
		o, err := s.waitOrder(acc.OrderID, acc.OrderToken, "", 20*time.Second, func(o orderView) bool { return o.Status == "expired" })
		if err != nil {
			t.Fatal(err)
		}
		if o.Payment.Captured.Amount != 0 {
			t.Errorf("expired order captured %d", o.Payment.Captured.Amount)
		}
		if after := s.level(other); after.Available != before.Available {
			t.Errorf("available %d after expiry, want %d", after.Available, before.Available)
		}
	})

	t.Run("staff routes need staff", func(t *testing.T) {
		s := s.with(t)
		s.must(s.do("GET", "/api/v1/admin/orders", nil), 401, "", "anonymous admin listing")
		s.must(s.do("POST", "/api/v1/admin/orders/"+ids.New()+"/pack", map[string]any{}), 401, "", "anonymous pack")
		list := decodeReply[struct {
			Items []lifeOrder `json:"items"`
		}](t, s.must(s.do("GET", "/api/v1/admin/orders?status=refunded", nil, s.asAdmin()...), 200, "", "admin listing"))
		if len(list.Items) != 1 {
			t.Errorf("refunded orders listed: %d, want 1", len(list.Items))
		}
	})
}

// with is s reporting to tb (a subtest).
func (s *shop) with(tb testing.TB) *shop {
	c := *s
	c.tb = tb
	return &c
}

// lifeOrder is the part of an order the lifecycle test reads.
type lifeOrder struct {
	ID     string `json:"id"`
	Status string `json:"status"`
	Lines  []struct {
		SKU   string `json:"sku"`
		Total amount `json:"total"`
	} `json:"lines"`
	Totals struct {
		Total    amount `json:"total"`
		Refunded amount `json:"refunded"`
	} `json:"totals"`
	Returns []struct {
		ID                 string `json:"id"`
		Status             string `json:"status"`
		RefundAmount       amount `json:"refund_amount"`
		ReplacementOrderID string `json:"replacement_order_id"`
	} `json:"returns"`
}

// placeOrder checks out qty of sku with a card and returns the 202.
func (s *shop) placeOrder(t *testing.T, sku string, qty int64, card string) (accepted, cartRef) {
	t.Helper()
	c, err := s.guestCart(sku, qty)
	if err != nil {
		t.Fatal(err)
	}
	tok, err := s.cardToken(card)
	if err != nil {
		t.Fatal(err)
	}
	r, err := s.checkout(ids.New(), c, checkoutBody(c.ID, "life@example.com", cardPayment(tok)))
	if err != nil {
		t.Fatal(err)
	}
	return decodeReply[accepted](t, s.must(r, 202, "", "checkout")), c
}

// paidOrder places an order with a good card and waits until it is paid.
func (s *shop) paidOrder(t *testing.T, sku string, qty int64) (orderView, string) {
	t.Helper()
	acc, _ := s.placeOrder(t, sku, qty, cardOK)
	o, err := s.waitOrder(acc.OrderID, acc.OrderToken, "", 10*time.Second, func(o orderView) bool { return settled(o.Status) })
	if err != nil || o.Status != "paid" {
		t.Fatalf("order %s: %s %v", acc.OrderID, o.Status, err)
	}
	return o, acc.OrderToken
}

// adminMove posts a staff action and checks the order's new status.
func (s *shop) adminMove(t *testing.T, id, action string, body any, want string) lifeOrder {
	t.Helper()
	if body == nil {
		body = map[string]any{}
	}
	r := s.must(s.do("POST", "/api/v1/admin/orders/"+id+"/"+action, body, s.asAdmin()...), 200, "", action)
	o := decodeReply[lifeOrder](t, r)
	if want != "" && o.Status != want {
		t.Fatalf("%s: status %s, want %s", action, o.Status, want)
	}
	return o
}

func (s *shop) admin409(id, action string, body any) {
	s.tb.Helper()
	s.must(s.do("POST", "/api/v1/admin/orders/"+id+"/"+action, body, s.asAdmin()...), 409, "order_illegal_transition", action+" out of order")
}

// waitMail waits for a mail whose subject mentions about (and whose body
// holds text) in the dev mailbox.
func (s *shop) waitMail(t *testing.T, about, text string) {
	t.Helper()
	var seen []string
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(100 * time.Millisecond) {
		var box struct {
			Items []struct {
				Subject string `json:"subject"`
				Body    string `json:"body"`
			} `json:"items"`
		}
		if err := json.Unmarshal(s.do("GET", "/api/v1/dev/mail", nil).Body, &box); err != nil {
			t.Fatal(err)
		}
		seen = seen[:0]
		for _, m := range box.Items {
			seen = append(seen, m.Subject)
			if strings.Contains(strings.ToLower(m.Subject), about) && strings.Contains(m.Body, text) {
				return
			}
		}
	}
	t.Errorf("no %q mail with %q; subjects: %s", about, text, fmt.Sprint(seen))
}
