package main

import (
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// The order workers in their own process, killed with SIGKILL again and
// again while they drain a backlog. Process A serves the API (checkout
// included) without workers; process B runs only the order-worker role and
// reaches cart, inventory and payment in A over HTTP. Checkout answers 202
// while no worker runs; then B starts and is killed at random moments 4
// times, restarted each time, while more orders come in. In the end every
// accepted order is paid exactly once: no order lost or duplicated, one
// intent per order captured once for the order's total, the ledger
// balanced, and the stock sold equal to the units ordered.
//
// Not tested here: the order database down while checkout runs (checkout
// does not touch it, by design; a test needs a PostgreSQL it may stop).
func TestOrderWorkersSurviveSIGKILL(t *testing.T) {
	m := productionMode(t)
	const (
		backlog = 60 // placed before any worker runs
		during  = 60 // placed while workers are being killed
		kills   = 4
		onHand  = 1000
	)
	secret := "BAZAAR_INTERNAL_SECRET=" + strings.Repeat("s3cr3t-", 6)
	m.env = append(m.env, secret)
	s, api := openShop(t, m, "--services", "identity,inventory,catalog,payment,cart,order")
	defer api.stop(t)
	workerEnv := append(append([]string(nil), m.env...),
		"BAZAAR_CART_URL="+api.url, "BAZAAR_INVENTORY_URL="+api.url, "BAZAAR_PAYMENT_URL="+api.url)
	startWorker := func() *process {
		return startBinary(t, t.TempDir(), workerEnv, "--services", "order-worker")
	}

	skus := s.skus(3)
	for _, sku := range skus {
		s.setStock(sku, onHand)
	}
	// Carts and cards for every order, before anything is timed.
	n := backlog + during
	carts := make([]cartRef, n)
	cards := make([]string, n)
	if err := parallel(n, 8, func(i int) error {
		var err error
		if carts[i], err = s.guestCart(skus[i%len(skus)], int64(1+i%2)); err != nil {
			return err
		}
		cards[i], err = s.cardToken(cardOK)
		return err
	}); err != nil {
		t.Fatal(err)
	}
	var (
		mu       sync.Mutex
		accepted = map[string]accepted{} // order id -> 202
		units    = map[string]int64{}    // sku -> units accepted
		failures []string
	)
	place := func(i int) {
		r, err := s.checkout(fmt.Sprintf("kill-%d", i), carts[i], checkoutBody(carts[i].ID, fmt.Sprintf("k%d@example.com", i), cardPayment(cards[i])))
		mu.Lock()
		defer mu.Unlock()
		if err != nil || r.Status != 202 {
			failures = append(failures, fmt.Sprintf("checkout %d: %v %s", i, err, r))
			return
		}
		a, err := decodeAccepted(r)
		if err != nil {
			failures = append(failures, err.Error())
			return
		}
		if _, dup := accepted[a.OrderID]; dup {
			failures = append(failures, "two checkouts got order "+a.OrderID)
		}
		accepted[a.OrderID] = a
		units[skus[i%len(skus)]] += int64(1 + i%2)
	}

	// The backlog: no worker runs, checkout answers 202 all the same.
	if err := parallel(backlog, 8, func(i int) error { place(i); return nil }); err != nil {
		t.Fatal(err)
	}
	if len(failures) > 0 {
		t.Fatalf("%d checkouts failed without workers, e.g. %s", len(failures), failures[0])
	}
	// An accepted order reads as pending (from its request) to its guest,
	// and as nothing to anybody else.
	for id, a := range accepted {
		o, r, err := s.getOrder(id, a.OrderToken, "")
		if err != nil || r.Status != 200 || o.Status != "pending" || o.Number != a.Number {
			t.Fatalf("order %s before any worker ran: %v %s", id, err, r)
		}
		s.must(s.do("GET", a.StatusURL, nil), 404, "order_not_found", "another guest reads a pending order")
		s.must(s.do("GET", a.StatusURL, nil, "X-Order-Token", "wrong"), 404, "order_not_found", "a wrong token reads a pending order")
		break
	}
	if all, err := s.adminOrders(""); err != nil || len(all) != 0 {
		t.Fatalf("orders created without a worker: %d %v", len(all), err)
	}

	// Workers start and die at random moments while more orders arrive.
	start := time.Now()
	producing := make(chan struct{})
	go func() {
		defer close(producing)
		for i := backlog; i < n; i++ {
			place(i)
			time.Sleep(15 * time.Millisecond)
		}
	}()
	paidSoFar := 0
	for k := range kills {
		w := startWorker()
		// Kill it mid-drain: once it has paid an order (or after 3 s), at
		// a random moment within the next 150 ms.
		for deadline := time.Now().Add(3 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
			if paid, err := s.adminOrders("paid"); err == nil && len(paid) > paidSoFar {
				break
			}
		}
		time.Sleep(time.Duration(rand.N(150)) * time.Millisecond)
		if err := w.cmd.Process.Kill(); err != nil {
			t.Fatal(err)
		}
		<-w.done
		paid, _ := s.adminOrders("paid")
		t.Logf("kill %d at %s: %d orders paid so far", k+1, time.Since(start).Round(time.Millisecond), len(paid))
		paidSoFar = len(paid)
	}
	<-producing
	w := startWorker()
	defer w.stop(t)
	if len(failures) > 0 {
		t.Fatalf("%d checkouts failed, e.g. %s", len(failures), failures[0])
	}

	// Everything accepted settles: paid, once. What a killed worker had
	// fetched is redelivered when its ack wait (a minute) runs out.
	if paid, err := s.waitPaid(len(accepted), 5*time.Second); err != nil {
		t.Logf("5 s after the last restart %d of %d orders are paid; the rest wait for redelivery", len(paid), len(accepted))
	}
	paid, err := s.waitPaid(len(accepted), 150*time.Second)
	if err != nil {
		t.Fatal(err)
	}
	t.Logf("all %d orders paid %s after the first worker started (%d killed mid-drain; a delivery a killed worker held waits out the ack wait)",
		len(paid), time.Since(start).Round(time.Millisecond), kills)
	all, err := s.adminOrders("")
	if err != nil {
		t.Fatal(err)
	}
	if len(all) != len(accepted) {
		t.Errorf("%d orders for %d accepted checkouts", len(all), len(accepted))
	}
	seen := map[string]bool{}
	var total int64
	sold := map[string]int64{}
	for _, o := range all {
		a, ok := accepted[o.ID]
		switch {
		case !ok:
			t.Errorf("order %s was never accepted", o.ID)
		case seen[o.ID]:
			t.Errorf("order %s listed twice", o.ID)
		case o.Status != "paid" || o.Number != a.Number:
			t.Errorf("order %s: %s %s, history %v", o.ID, o.Status, o.Number, o.path())
		}
		seen[o.ID] = true
		total += o.Totals.Total.Amount
		for _, l := range o.Lines {
			sold[l.SKU] += l.Quantity
		}
	}
	// One payment per order, captured once, for the order's total.
	err = parallel(len(all), 8, func(i int) error {
		o := all[i]
		its, err := s.intentsOf(o.ID)
		if err != nil {
			return err
		}
		if len(its) != 1 {
			return fmt.Errorf("order %s has %d payment intents", o.ID, len(its))
		}
		it := its[0]
		captures := 0
		for _, tr := range it.Transitions {
			if tr.To == "captured" {
				captures++
			}
		}
		if it.ID != o.Payment.IntentID || it.Status != "captured" || it.AmountCaptured != o.Totals.Total || it.AmountRefunded.Amount != 0 || captures > 1 {
			return fmt.Errorf("order %s (total %+v): intent %+v", o.ID, o.Totals.Total, it)
		}
		return nil
	})
	if err != nil {
		t.Error(err)
	}
	// No payment without its order.
	intents, err := s.allIntents()
	if err != nil {
		t.Fatal(err)
	}
	for _, it := range intents {
		if _, ok := accepted[it.OrderID]; !ok {
			t.Errorf("intent %s (%s) is for order %q, which was never accepted", it.ID, it.Status, it.OrderID)
		}
	}
	if len(intents) != len(all) {
		t.Errorf("%d payment intents for %d orders", len(intents), len(all))
	}
	if l := s.ledger(); !l.OK || l.captured() != total {
		t.Errorf("ledger %+v; want balanced with %d captured", l, total)
	}
	for _, sku := range skus {
		if sold[sku] != units[sku] {
			t.Errorf("%s: orders hold %d units, checkouts accepted %d", sku, sold[sku], units[sku])
		}
		if lv := s.level(sku); lv.OnHand != onHand-units[sku] || lv.Reserved != 0 {
			t.Errorf("stock of %s: %+v; want %d on hand, none held", sku, lv, onHand-units[sku])
		}
	}
}
