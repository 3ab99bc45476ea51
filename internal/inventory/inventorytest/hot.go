package inventorytest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/inventory"
)

// HotSKU is the flash sale: shoppers goroutines at once reserve one unit
// each of a SKU with units on hand, under their own references, while a
// tenth of them send their request a second time. Exactly units holds are
// made, nothing goes negative, a repeated reference never holds twice; then
// commits, releases (each sent twice) and the sweeper account for every
// unit, and a second wave sells exactly what came back.
func HotSKU(t *testing.T, e *Env, units int64, shoppers int) {
	t.Helper()
	ctx, svc := context.Background(), e.Service
	const sku = "FLASH-SAREE-1"
	const ttl = 10 * time.Minute
	set(t, svc, sku, "", units)

	type result struct {
		r   inventory.Reservation
		err error
	}
	repeats := shoppers / 10
	first := make([]result, shoppers)
	again := make([]result, repeats)
	var wg sync.WaitGroup
	start := make(chan struct{})
	try := func(i int, into *result) {
		defer wg.Done()
		<-start
		into.r, into.err = svc.Reserve(ctx, inventory.ReserveRequest{
			Reference: fmt.Sprintf("hot-%05d", i), Lines: []inventory.Line{{SKU: sku, Quantity: 1}}, TTL: ttl,
		})
	}
	for i := range shoppers {
		wg.Add(1)
		go try(i, &first[i])
	}
	for i := range repeats {
		wg.Add(1)
		go try(i, &again[i])
	}
	close(start)
	wg.Wait()

	var held []string
	for i, r := range first {
		switch {
		case r.err == nil:
			if r.r.Status != inventory.StatusHeld || r.r.Quantity(sku) != 1 {
				t.Fatalf("hot-%05d: %+v", i, r.r)
			}
			held = append(held, r.r.Reference)
		case !errors.Is(r.err, inventory.ErrInsufficientStock):
			t.Fatalf("hot-%05d: %v", i, r.err)
		}
	}
	for i, r := range again {
		f := first[i]
		if (r.err == nil) != (f.err == nil) || (r.err == nil && !r.r.CreatedAt.Equal(f.r.CreatedAt)) {
			t.Fatalf("hot-%05d sent twice: %+v / %v and %+v / %v", i, f.r, f.err, r.r, r.err)
		}
	}
	if int64(len(held)) != units {
		t.Fatalf("%d holds of %d units", len(held), units)
	}
	wantLevel(t, level(t, svc, sku, "online"), units, units)
	Invariants(t, e.DB)
	var rows int64
	if err := e.DB.QueryRowContext(ctx, `SELECT count(*) FROM reservations WHERE status = 'held'`).Scan(&rows); err != nil || rows != units {
		t.Fatalf("%d held reservations in the store (%v), want %d", rows, err, units)
	}

	// Settle: commit 30%, release 20%, let the rest expire; every call twice.
	slices.Sort(held)
	commits, releases := held[:units*3/10], held[units*3/10:units/2]
	expire := held[units/2:]
	errc := make(chan error, 2*len(held))
	for range 2 {
		for _, ref := range commits {
			wg.Go(func() {
				if r, err := svc.Commit(ctx, ref); err != nil || r.Status != inventory.StatusCommitted {
					errc <- fmt.Errorf("commit %s: %+v %v", ref, r, err)
				}
			})
		}
		for _, ref := range releases {
			wg.Go(func() {
				if r, err := svc.Release(ctx, ref); err != nil || r.Status != inventory.StatusReleased {
					errc <- fmt.Errorf("release %s: %+v %v", ref, r, err)
				}
			})
		}
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	sold := int64(len(commits))
	wantLevel(t, level(t, svc, sku, "online"), units-sold, int64(len(expire)))
	Invariants(t, e.DB)

	e.Clock.Advance(ttl + time.Second)
	if n := must(e.Core.SweepExpired(ctx))(t); n != len(expire) {
		t.Fatalf("swept %d, want %d", n, len(expire))
	}
	wantLevel(t, level(t, svc, sku, "online"), units-sold, 0)
	var sales int64
	if err := e.DB.QueryRowContext(ctx, `SELECT coalesce(sum(delta), 0) FROM movements WHERE sku = $1 AND reason = 'sale'`, sku).Scan(&sales); err != nil || -sales != sold {
		t.Fatalf("sales movements %d (%v), want -%d", sales, err, sold)
	}
	evs := StockEvents(t, e.Events(t), sku)
	want := []string{inventory.EventBackInStock, inventory.EventLow, inventory.EventOutOfStock, inventory.EventBackInStock}
	if units <= 5 {
		want = slices.Delete(want, 1, 2)
	}
	if !slices.Equal(evs, want) {
		t.Fatalf("events %v, want %v", evs, want)
	}

	// The second wave finds exactly the units that came back.
	var got sync.Map
	for i := range shoppers {
		wg.Go(func() {
			r, err := svc.Reserve(ctx, inventory.ReserveRequest{
				Reference: fmt.Sprintf("wave2-%05d", i), Lines: []inventory.Line{{SKU: sku, Quantity: 1}}, TTL: ttl,
			})
			switch {
			case err == nil:
				got.Store(r.Reference, true)
			case !errors.Is(err, inventory.ErrInsufficientStock):
				t.Errorf("wave2-%05d: %v", i, err)
			}
		})
	}
	wg.Wait()
	n := int64(0)
	got.Range(func(_, _ any) bool { n++; return true })
	if n != units-sold {
		t.Fatalf("second wave held %d, want %d", n, units-sold)
	}
	wantLevel(t, level(t, svc, sku, "online"), units-sold, units-sold)
	Invariants(t, e.DB)
}
