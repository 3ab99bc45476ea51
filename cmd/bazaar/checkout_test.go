package main

import (
	"bytes"
	"fmt"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"
)

// A shopper's whole checkout against the real binary, in both modes: a
// guest cart paid by card, the Idempotency-Key rules, a declined card, who
// may see an order, and the order's event stream through a 3-D Secure
// challenge. Stock and the payment ledger are checked at the end.
func TestCheckoutJourney(t *testing.T) {
	inBothModes(t, func(t *testing.T, m shopMode) {
		s, p := openShop(t, m)
		defer p.stop(t)
		sku := s.skus(1)[0]
		const stock = 100
		s.setStock(sku, stock)
		paidUnits := 0

		// A guest pays by card.
		cart, err := s.guestCart(sku, 1)
		if err != nil {
			t.Fatal(err)
		}
		card, err := s.cardToken(cardOK)
		if err != nil {
			t.Fatal(err)
		}
		body := checkoutBody(cart.ID, "asha@example.com", cardPayment(card))
		first := s.must(s.do("POST", "/api/v1/checkout", body, "Idempotency-Key", "key-1", "X-Cart-Token", cart.Token), 202, "", "checkout")
		acc := decodeReply[accepted](t, first)
		if acc.OrderID == "" || acc.Status != "pending" || acc.OrderToken == "" || !strings.HasPrefix(acc.Number, "BZ-") ||
			acc.StatusURL != "/api/v1/orders/"+acc.OrderID || acc.EventsURL != "/api/v1/orders/"+acc.OrderID+"/events" {
			t.Fatalf("202 body: %s", first.Body)
		}
		if loc := first.Header.Get("Location"); loc != acc.StatusURL {
			t.Errorf("Location %q, want %q", loc, acc.StatusURL)
		}

		// The same key and body: the same answer.
		again := s.must(s.do("POST", "/api/v1/checkout", body, "Idempotency-Key", "key-1", "X-Cart-Token", cart.Token), 202, "", "replayed checkout")
		if !bytes.Equal(again.Body, first.Body) {
			t.Errorf("replay answered\n%s\nnot\n%s", again.Body, first.Body)
		}
		// The same key with another body.
		other := checkoutBody(cart.ID, "someone-else@example.com", cardPayment(card))
		s.must(s.do("POST", "/api/v1/checkout", other, "Idempotency-Key", "key-1", "X-Cart-Token", cart.Token), 422, "checkout_key_reused", "key reused")
		// No key at all.
		s.must(s.do("POST", "/api/v1/checkout", body, "X-Cart-Token", cart.Token), 400, "idempotency_key_required", "checkout without a key")

		// The order is paid within seconds, through awaiting_payment.
		start := time.Now()
		o, err := s.waitOrder(acc.OrderID, acc.OrderToken, "", 15*time.Second, func(o orderView) bool { return settled(o.Status) })
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: paid %s after the 202", m.name, time.Since(start).Round(time.Millisecond))
		if o.Status != "paid" || !slices.Equal(o.path(), []string{"pending", "awaiting_payment", "paid"}) {
			t.Fatalf("order %s, history %v, payment %+v", o.Status, o.path(), o.Payment)
		}
		if o.Number != acc.Number || o.Email != "asha@example.com" || o.CustomerID != "" || o.CartID != cart.ID ||
			len(o.Lines) != 1 || o.Lines[0].SKU != sku || o.Lines[0].Quantity != 1 {
			t.Errorf("order: %+v", o)
		}
		if o.Payment.Status != "captured" || o.Payment.Captured != o.Totals.Total || o.Totals.Total.Amount <= 0 || o.Totals.Total.Currency != "INR" {
			t.Errorf("payment %+v, total %+v", o.Payment, o.Totals.Total)
		}
		paidUnits++

		// Two tabs submit the same checkout at once: one order.
		cart2, err := s.guestCart(sku, 1)
		if err != nil {
			t.Fatal(err)
		}
		card2, err := s.cardToken(cardOK)
		if err != nil {
			t.Fatal(err)
		}
		body2 := checkoutBody(cart2.ID, "asha@example.com", cardPayment(card2))
		var dup [2]reply
		var dupErr [2]error
		var wg sync.WaitGroup
		for i := range dup {
			wg.Add(1)
			go func() {
				defer wg.Done()
				dup[i], dupErr[i] = s.checkout("key-2", cart2, body2)
			}()
		}
		wg.Wait()
		if dupErr[0] != nil || dupErr[1] != nil {
			t.Fatal(dupErr)
		}
		slices.SortFunc(dup[:], func(a, b reply) int { return a.Status - b.Status })
		switch {
		case dup[0].Status != 202:
			t.Fatalf("concurrent duplicates: %s and %s; want a 202", dup[0], dup[1])
		case dup[1].Status == 202 && !bytes.Equal(dup[0].Body, dup[1].Body):
			t.Fatalf("concurrent duplicates accepted two orders:\n%s\n%s", dup[0].Body, dup[1].Body)
		case dup[1].Status != 202 && (dup[1].Status != 409 || dup[1].code() != "checkout_in_progress"):
			t.Fatalf("concurrent duplicate: %s; want the same 202 or 409 checkout_in_progress", dup[1])
		}
		t.Logf("%s: concurrent duplicates answered %d and %d", m.name, dup[0].Status, dup[1].Status)
		acc2 := decodeReply[accepted](t, dup[0])
		if _, err := s.waitOrder(acc2.OrderID, acc2.OrderToken, "", 15*time.Second, func(o orderView) bool { return o.Status == "paid" }); err != nil {
			t.Fatal(err)
		}
		paidUnits++

		// A declined card: the order fails, the stock and the cart come back.
		cart3, err := s.guestCart(sku, 2)
		if err != nil {
			t.Fatal(err)
		}
		declined, err := s.cardToken(cardDeclined)
		if err != nil {
			t.Fatal(err)
		}
		r := s.must(s.do("POST", "/api/v1/checkout", checkoutBody(cart3.ID, "asha@example.com", cardPayment(declined)),
			"Idempotency-Key", "key-3", "X-Cart-Token", cart3.Token), 202, "", "checkout with a declined card")
		acc3 := decodeReply[accepted](t, r)
		o3, err := s.waitOrder(acc3.OrderID, acc3.OrderToken, "", 15*time.Second, func(o orderView) bool { return settled(o.Status) })
		if err != nil {
			t.Fatal(err)
		}
		if o3.Status != "payment_failed" || o3.Payment.FailureCode != "card_declined" || o3.Payment.Captured.Amount != 0 {
			t.Fatalf("declined order: %s, payment %+v, history %v", o3.Status, o3.Payment, o3.path())
		}
		cartBack := decodeReply[struct {
			Status string `json:"status"`
			Lines  []struct {
				SKU      string `json:"sku"`
				Quantity int64  `json:"quantity"`
			} `json:"lines"`
		}](t, s.must(s.do("GET", "/api/v1/carts/"+cart3.ID, nil, "X-Cart-Token", cart3.Token), 200, "", "cart after a declined card"))
		if cartBack.Status != "active" || len(cartBack.Lines) != 1 || cartBack.Lines[0].SKU != sku || cartBack.Lines[0].Quantity != 2 {
			t.Errorf("cart after a declined card: %+v", cartBack)
		}

		// Another guest, without the token or with a wrong one, sees nothing.
		for _, tok := range []string{"", "not-the-token", acc3.OrderToken} {
			what := fmt.Sprintf("another guest (token %q)", tok)
			s.must(s.do("GET", acc.StatusURL, nil, "X-Order-Token", tok), 404, "order_not_found", what+" reads the order")
			s.must(s.do("POST", acc.StatusURL+"/cancel", "{}", "X-Order-Token", tok), 404, "order_not_found", what+" cancels the order")
			s.must(s.do("GET", acc.EventsURL, nil, "X-Order-Token", tok), 404, "order_not_found", what+" follows the order")
			s.must(s.do("GET", acc.EventsURL+"?token="+url.QueryEscape(tok), nil), 404, "order_not_found", what+" follows the order by query")
			s.must(s.do("POST", acc.StatusURL+"/returns", map[string]any{"lines": []map[string]any{{"sku": sku, "quantity": 1}}, "reason": "x", "resolution": "refund"},
				"X-Order-Token", tok), 404, "order_not_found", what+" returns the order")
		}
		if o, _, _ := s.getOrder(acc.OrderID, acc.OrderToken, ""); o.Status != "paid" {
			t.Fatalf("the order is %s after others tried to cancel it", o.Status)
		}
		// Guests cannot list orders.
		if r := s.do("GET", "/api/v1/admin/orders", nil); r.Status != 401 && r.Status != 403 {
			t.Errorf("a guest listed orders: %s", r)
		}

		// Members: A orders; B cannot see, cancel or follow it, nor its payment.
		memberA := s.member(m, "member-a@example.com")
		memberB := s.member(m, "member-b@example.com")
		cartA, err := s.newCart(memberA)
		if err != nil {
			t.Fatal(err)
		}
		if err := s.addItem(cartA, memberA, sku, 1); err != nil {
			t.Fatal(err)
		}
		cardA, err := s.cardToken(cardOK)
		if err != nil {
			t.Fatal(err)
		}
		// The guest's key again: keys are the caller's own.
		r = s.must(s.do("POST", "/api/v1/checkout", checkoutBody(cartA.ID, "", cardPayment(cardA)),
			"Idempotency-Key", "key-1", "Authorization", bearer(memberA)), 202, "", "member checkout")
		accA := decodeReply[accepted](t, r)
		if accA.OrderID == acc.OrderID || accA.OrderToken != "" {
			t.Fatalf("member checkout: %s", r.Body)
		}
		oA, err := s.waitOrder(accA.OrderID, "", memberA, 15*time.Second, func(o orderView) bool { return o.Status == "paid" })
		if err != nil {
			t.Fatal(err)
		}
		if oA.CustomerID == "" || oA.Email != "member-a@example.com" {
			t.Errorf("member order: customer %q email %q", oA.CustomerID, oA.Email)
		}
		paidUnits++
		for _, who := range []struct{ name, token, bearer string }{
			{"member B", "", memberB}, {"a guest", "", ""}, {"a guest with another order's token", acc.OrderToken, ""},
		} {
			s.must(s.do("GET", accA.StatusURL, nil, "Authorization", bearer(who.bearer), "X-Order-Token", who.token), 404, "order_not_found", who.name+" reads A's order")
			s.must(s.do("POST", accA.StatusURL+"/cancel", "{}", "Authorization", bearer(who.bearer), "X-Order-Token", who.token), 404, "order_not_found", who.name+" cancels A's order")
			s.must(s.do("GET", accA.EventsURL, nil, "Authorization", bearer(who.bearer), "X-Order-Token", who.token), 404, "order_not_found", who.name+" follows A's order")
		}
		if r := s.do("GET", "/api/v1/payments/intents/"+oA.Payment.IntentID, nil, "Authorization", bearer(memberB)); r.Status != 404 && r.Status != 403 {
			t.Errorf("member B reads A's payment: %s", r)
		}
		if r := s.do("GET", "/api/v1/payments/intents?order_id="+accA.OrderID, nil, "Authorization", bearer(memberB)); r.Status == 200 && bytes.Contains(r.Body, []byte(oA.Payment.IntentID)) {
			t.Errorf("member B lists A's payment: %s", r)
		}
		if r := s.do("GET", "/api/v1/admin/orders", nil, "Authorization", bearer(memberB)); r.Status != 403 {
			t.Errorf("member B lists all orders: %s", r)
		}
		mine := decodeReply[struct {
			Items []orderView `json:"items"`
		}](t, s.must(s.do("GET", "/api/v1/me/orders", nil, "Authorization", bearer(memberB)), 200, "", "B's orders"))
		if len(mine.Items) != 0 {
			t.Errorf("member B's orders list %d orders", len(mine.Items))
		}
		mine = decodeReply[struct {
			Items []orderView `json:"items"`
		}](t, s.must(s.do("GET", "/api/v1/me/orders", nil, "Authorization", bearer(memberA)), 200, "", "A's orders"))
		if len(mine.Items) != 1 || mine.Items[0].ID != accA.OrderID {
			t.Errorf("member A's orders: %+v", mine.Items)
		}
		if o, _, _ := s.getOrder(accA.OrderID, "", memberA); o.Status != "paid" {
			t.Fatalf("A's order is %s after B tried to cancel it", o.Status)
		}

		// The event stream through a 3-D Secure challenge.
		cart4, err := s.guestCart(sku, 1)
		if err != nil {
			t.Fatal(err)
		}
		challenged, err := s.cardToken(card3DS)
		if err != nil {
			t.Fatal(err)
		}
		r = s.must(s.do("POST", "/api/v1/checkout", checkoutBody(cart4.ID, "asha@example.com", cardPayment(challenged)),
			"Idempotency-Key", "key-4", "X-Cart-Token", cart4.Token), 202, "", "checkout with a 3-D Secure card")
		acc4 := decodeReply[accepted](t, r)
		events, stop := s.follow(acc4.EventsURL, acc4.OrderToken, "")
		defer stop()
		next := func(what string) sseEvent {
			t.Helper()
			select {
			case ev, ok := <-events:
				if !ok {
					t.Fatalf("the stream ended waiting for %s", what)
				}
				if ev.Event != "order" || ev.Order.ID != acc4.OrderID || ev.ID == "" {
					t.Fatalf("event %+v", ev)
				}
				return ev
			case <-time.After(15 * time.Second):
				t.Fatalf("no event within 15s waiting for %s", what)
			}
			return sseEvent{}
		}
		ev := next("the first event")
		t.Logf("%s: first event id %s status %s", m.name, ev.ID, ev.Order.Status)
		for ev.Order.Status != "awaiting_payment" || ev.Order.Payment.NextAction == nil {
			if settled(ev.Order.Status) {
				t.Fatalf("3-D Secure order %s before the challenge: %+v", ev.Order.Status, ev.Order.Payment)
			}
			prev := ev.ID
			ev = next("the challenge")
			if a, b := atoi(prev), atoi(ev.ID); b <= a {
				t.Errorf("event ids go %s then %s", prev, ev.ID)
			}
		}
		challenge, err := url.Parse(ev.Order.Payment.NextAction.URL)
		if err != nil || ev.Order.Payment.NextAction.Type != "redirect" || challenge.Path == "" {
			t.Fatalf("next action %+v", ev.Order.Payment.NextAction)
		}
		// The shopper approves on the sandbox's bank page and is sent back.
		s.must(s.do("GET", challenge.Path+"/decide?decision=approve", nil), 303, "", "approve the challenge")
		for ev.Order.Status != "paid" {
			if settled(ev.Order.Status) {
				t.Fatalf("3-D Secure order %s, payment %+v", ev.Order.Status, ev.Order.Payment)
			}
			ev = next("paid")
		}
		if !slices.Equal(ev.Order.path(), []string{"pending", "awaiting_payment", "paid"}) {
			t.Errorf("3-D Secure order history %v", ev.Order.path())
		}
		paidUnits++
		stop()
		// Resuming from the last event id sends nothing old.
		resumed, stopResumed := s.follow(acc4.EventsURL+"?last_event_id="+ev.ID, acc4.OrderToken, "")
		select {
		case ev2, ok := <-resumed:
			if ok {
				t.Errorf("resumed from %s, got event %s (%s)", ev.ID, ev2.ID, ev2.Order.Status)
			}
		case <-time.After(300 * time.Millisecond):
		}
		stopResumed()

		// What was sold left stock; what failed did not hold any.
		lv := s.level(sku)
		if lv.OnHand != stock-int64(paidUnits) || lv.Reserved != 0 {
			t.Errorf("stock of %s: %+v; want %d on hand, 0 reserved", sku, lv, stock-paidUnits)
		}
		ledger := s.ledger()
		if !ledger.OK || ledger.captured() != int64(paidUnits)*o.Totals.Total.Amount {
			t.Errorf("ledger %+v; want balanced with %d captured", ledger, int64(paidUnits)*o.Totals.Total.Amount)
		}
	})
}

func atoi(s string) int {
	n, err := strconv.Atoi(s)
	if err != nil {
		return -1
	}
	return n
}
