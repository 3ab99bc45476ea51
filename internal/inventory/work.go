package inventory

import (
	"cmp"
	"context"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"
)

// work is one transaction's view of the rows it locked: the buckets and
// reservations, changed in memory by the rules and written back at the end.
type work struct {
	c     *Core
	now   time.Time
	holds map[string]*Hold
	fresh map[string]bool // holds created by this transaction
	skus  map[string]*skuWork
	byKey map[BucketKey]*Bucket
	orig  map[BucketKey]Bucket // values as loaded; absent for new buckets

	newHolds  []*Hold
	statuses  map[string]HoldStatus
	movements []Movement
}

// skuWork is what a transaction holds of one SKU.
type skuWork struct {
	buckets []*Bucket // locked, ordered by location (DefaultLocation first) and slot
	// complete: every bucket of the SKU is locked, so its totals are exact
	// and it may emit events. Otherwise it holds only some buckets of the
	// lane (a fast-path SKU) and may only take units from them.
	complete bool
	before   int64 // sellable available units as loaded (complete SKUs)
}

func (c *Core) newWork(now time.Time, holds map[string]*Hold) *work {
	if holds == nil {
		holds = map[string]*Hold{}
	}
	return &work{
		c: c, now: now, holds: holds, fresh: map[string]bool{},
		skus: map[string]*skuWork{}, byKey: map[BucketKey]*Bucket{}, orig: map[BucketKey]Bucket{},
		statuses: map[string]HoldStatus{},
	}
}

// load takes in the buckets a query locked. SKUs in complete have every
// bucket; the rest only some.
func (w *work) load(buckets []Bucket, complete []string) {
	for _, s := range complete {
		w.sku(s).complete = true
	}
	for i := range buckets {
		b := &buckets[i]
		w.orig[b.Key()] = *b
		w.addBucket(b)
	}
	for _, sw := range w.skus {
		if sw.complete {
			sw.before = sw.sellable()
		}
	}
}

func (w *work) sku(s string) *skuWork {
	sw := w.skus[s]
	if sw == nil {
		sw = &skuWork{}
		w.skus[s] = sw
	}
	return sw
}

func (w *work) addBucket(b *Bucket) {
	w.byKey[b.Key()] = b
	sw := w.sku(b.SKU)
	sw.buckets = append(sw.buckets, b)
	slices.SortFunc(sw.buckets, func(x, y *Bucket) int {
		return cmp.Or(cmpLocation(x.Location, y.Location), cmp.Compare(x.Slot, y.Slot))
	})
}

// cmpLocation orders the online warehouse first: it is where web orders
// ship from, so holds draw on it before stores.
func cmpLocation(a, b string) int {
	switch {
	case a == b:
		return 0
	case a == DefaultLocation:
		return -1
	case b == DefaultLocation:
		return 1
	}
	return strings.Compare(a, b)
}

func (sw *skuWork) sellable() int64 {
	var n int64
	for _, b := range sw.buckets {
		if b.Sellable {
			n += b.Available()
		}
	}
	return n
}

// take holds q units of the SKU in its sellable buckets, starting at a
// random slot of each location so concurrent holders spread over the
// buckets, spilling to the next. The caller checked there are enough.
func (sw *skuWork) take(q int64) []Allocation {
	var out []Allocation
	bs := sw.buckets
	for i := 0; i < len(bs) && q > 0; {
		j := i
		for j < len(bs) && bs[j].Location == bs[i].Location {
			j++
		}
		group := bs[i:j]
		start := rand.IntN(len(group))
		for k := 0; k < len(group) && q > 0; k++ {
			b := group[(start+k)%len(group)]
			n := min(b.Available(), q)
			if !b.Sellable || n <= 0 {
				continue
			}
			b.Reserved += n
			q -= n
			out = append(out, Allocation{SKU: b.SKU, Location: b.Location, Slot: b.Slot, Quantity: n})
		}
		i = j
	}
	return out
}

// setStatus records a reservation's new status.
func (w *work) setStatus(h *Hold, s Status) {
	h.Status, h.UpdatedAt = s, w.now
	if !w.fresh[h.Reference] {
		w.statuses[h.Reference] = HoldStatus{Reference: h.Reference, Status: s, At: w.now}
	}
}

// giveBack returns a hold's units to available.
func (w *work) giveBack(h *Hold, s Status) error {
	if err := w.check(h); err != nil {
		return err
	}
	for _, a := range h.Allocations {
		w.byKey[a.key()].Reserved -= a.Quantity
	}
	w.setStatus(h, s)
	return nil
}

// check makes sure every bucket a hold uses is locked.
func (w *work) check(h *Hold) error {
	for _, a := range h.Allocations {
		if w.byKey[a.key()] == nil {
			return fmt.Errorf("reservation %s: bucket %s/%s/%d is not locked", h.Reference, a.SKU, a.Location, a.Slot)
		}
	}
	return nil
}

func (a Allocation) key() BucketKey { return BucketKey{a.SKU, a.Location, a.Slot} }

// rebalance spreads each complete SKU's available units evenly over its
// buckets at every location, so that every lane finds units in its own.
func (w *work) rebalance(sku string) {
	sw := w.skus[sku]
	for i := 0; i < len(sw.buckets); {
		j := i
		for j < len(sw.buckets) && sw.buckets[j].Location == sw.buckets[i].Location {
			j++
		}
		spread(sw.buckets[i:j])
		i = j
	}
}

// spread sets the buckets' on_hand so their available units differ by at
// most one, keeping each bucket's reserved units (they belong to holds).
func spread(bs []*Bucket) {
	var avail int64
	for _, b := range bs {
		avail += b.Available()
	}
	n := int64(len(bs))
	for i, b := range bs {
		share := avail / n
		if int64(i) < avail%n {
			share++
		}
		b.OnHand = b.Reserved + share
	}
}

// events compares each complete SKU's sellable units with what it had.
// They do not depend on how operations were batched: a fall from above the
// threshold straight to zero is low, then out of stock.
func (w *work) events() []Event {
	thr := w.c.opts.LowStockThreshold
	var out []Event
	for s, sw := range w.skus {
		if !sw.complete {
			continue
		}
		before, after := sw.before, sw.sellable()
		emit := func(typ string) {
			out = append(out, Event{Type: typ, At: w.now, Data: StockEvent{SKU: s, Available: max(after, 0), Threshold: max(thr, 0)}})
		}
		if thr >= 0 && before > thr && after <= thr {
			emit(EventLow)
		}
		if before > 0 && after <= 0 {
			emit(EventOutOfStock)
		}
		if before <= 0 && after > 0 {
			emit(EventBackInStock)
		}
	}
	slices.SortStableFunc(out, func(a, b Event) int { return strings.Compare(a.Data.SKU, b.Data.SKU) })
	return out
}

// changes is what the transaction writes.
func (w *work) changes() Changes {
	var c Changes
	for k, b := range w.byKey {
		o, ok := w.orig[k]
		switch {
		case !ok:
			c.NewBuckets = append(c.NewBuckets, *b)
		case o.OnHand != b.OnHand || o.Reserved != b.Reserved:
			c.Buckets = append(c.Buckets, *b)
		}
	}
	byKey := func(a, b Bucket) int {
		return cmp.Or(strings.Compare(a.SKU, b.SKU), strings.Compare(a.Location, b.Location), cmp.Compare(a.Slot, b.Slot))
	}
	slices.SortFunc(c.Buckets, byKey)
	slices.SortFunc(c.NewBuckets, byKey)
	// Inserted in reference order, so two transactions inserting the same
	// references wait for each other in one order and never in a cycle.
	for _, h := range w.newHolds {
		c.NewHolds = append(c.NewHolds, *h)
	}
	slices.SortFunc(c.NewHolds, func(a, b Hold) int { return strings.Compare(a.Reference, b.Reference) })
	for _, s := range w.statuses {
		c.Statuses = append(c.Statuses, s)
	}
	slices.SortFunc(c.Statuses, func(a, b HoldStatus) int { return strings.Compare(a.Reference, b.Reference) })
	c.Movements = w.movements
	c.Events = w.events()
	return c
}

func (w *work) apply(ctx context.Context, tx Tx) error {
	c := w.changes()
	if c.Empty() {
		return nil
	}
	return tx.Apply(ctx, c)
}
