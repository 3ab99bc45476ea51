package main

import (
	"encoding/json"
	"fmt"
	"os"
	"strconv"
	"sync"
	"testing"
	"time"
)

// A flash sale: 500 shoppers, each with a cart holding the one SKU and a
// tokenised card, check out at the same moment for 50 units. Exactly 50
// are accepted and paid, everyone else is told it sold out, and the books
// close: no units on hand or held, the ledger balanced with 50 captures.
func TestFlashSale(t *testing.T) {
	// BAZAAR_TEST_FLASH_BUYERS and _UNITS size a bigger sale for measuring
	// (go test ./cmd/bazaar -run FlashSale/embedded -v).
	buyers, units := envInt("BAZAAR_TEST_FLASH_BUYERS", 500), envInt("BAZAAR_TEST_FLASH_UNITS", 50)
	inBothModes(t, func(t *testing.T, m shopMode) {
		s, p := openShop(t, m)
		defer p.stop(t)
		sku := s.skus(1)[0]
		s.setStock(sku, int64(units))

		// Every buyer's cart and card, ready before the sale opens.
		setup := time.Now()
		carts := make([]cartRef, buyers)
		cards := make([]string, buyers)
		err := parallel(buyers, 16, func(i int) error {
			var err error
			if carts[i], err = s.guestCart(sku, 1); err != nil {
				return err
			}
			cards[i], err = s.cardToken(cardOK)
			return err
		})
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d carts and cards ready in %s", m.name, buyers, time.Since(setup).Round(time.Millisecond))

		// The sale opens: everyone at once.
		var (
			answers  tally
			mu       sync.Mutex
			accepted []accepted
			others   []string
			wg       sync.WaitGroup
			gate     = make(chan struct{})
		)
		for i := range buyers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				<-gate
				r, err := s.checkout(fmt.Sprintf("sale-%d", i), carts[i], checkoutBody(carts[i].ID, fmt.Sprintf("buyer%d@example.com", i), cardPayment(cards[i])))
				answers.add(r, err)
				mu.Lock()
				defer mu.Unlock()
				switch {
				case err != nil:
					others = append(others, err.Error())
				case r.Status == 202:
					a, derr := decodeAccepted(r)
					if derr != nil {
						others = append(others, derr.Error())
						return
					}
					accepted = append(accepted, a)
				case r.Status == 409 && r.code() == "out_of_stock":
				default:
					others = append(others, r.String())
				}
			}()
		}
		start := time.Now()
		close(gate)
		wg.Wait()
		answered := time.Since(start)
		t.Logf("%s: %d buyers answered in %s: %s", m.name, buyers, answered.Round(time.Millisecond), &answers)
		if len(others) > 0 {
			t.Errorf("%d answers were neither 202 nor 409 out_of_stock, e.g. %s", len(others), others[0])
		}
		if len(accepted) != units {
			t.Fatalf("%d checkouts accepted for %d units (%s)", len(accepted), units, &answers)
		}

		// Every accepted order is paid, and no other order exists.
		paid, err := s.waitPaid(units, 30*time.Second)
		if err != nil {
			t.Fatal(err)
		}
		t.Logf("%s: %d orders paid %s after the sale opened", m.name, len(paid), time.Since(start).Round(time.Millisecond))
		all, err := s.adminOrders("")
		if err != nil {
			t.Fatal(err)
		}
		want := map[string]bool{}
		for _, a := range accepted {
			want[a.OrderID] = true
		}
		var total int64
		for _, o := range all {
			if !want[o.ID] || o.Status != "paid" {
				t.Errorf("order %s: %s (accepted: %v)", o.ID, o.Status, want[o.ID])
			}
			if o.Payment.Captured != o.Totals.Total {
				t.Errorf("order %s captured %+v of %+v", o.ID, o.Payment.Captured, o.Totals.Total)
			}
			total += o.Totals.Total.Amount
			delete(want, o.ID)
		}
		// The shop's metrics count the same: each order placed and paid once.
		if to := s.orderMoves(t); to["pending"] != units || to["paid"] != units {
			t.Errorf("bazaar_order_transitions_total = %v, want %d pending and %d paid", to, units, units)
		}
		if len(all) != units || len(want) != 0 {
			t.Errorf("%d orders exist, %d accepted ones missing", len(all), len(want))
		}

		if lv := s.level(sku); lv.OnHand != 0 || lv.Reserved != 0 || lv.Available != 0 {
			t.Errorf("stock after the sale: %+v; want none on hand or held", lv)
		}
		if its, err := s.allIntents(); err != nil || len(its) != units {
			t.Errorf("%d payment intents for %d orders (%v)", len(its), units, err)
		}
		if l := s.ledger(); !l.OK || l.captured() != total {
			t.Errorf("ledger %+v; want balanced with %d captured", l, total)
		}
	})
}

func decodeAccepted(r reply) (accepted, error) {
	var a accepted
	if err := json.Unmarshal(r.Body, &a); err != nil || a.OrderID == "" {
		return a, fmt.Errorf("202 body %s: %v", r.Body, err)
	}
	return a, nil
}

// envInt reads a test knob from the environment.
func envInt(name string, def int) int {
	if v, err := strconv.Atoi(os.Getenv(name)); err == nil && v > 0 {
		return v
	}
	return def
}
