package inventory

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// Reserve implements Service.
func (c *Core) Reserve(ctx context.Context, r ReserveRequest) (Reservation, error) {
	if err := ValidReference(r.Reference); err != nil {
		return Reservation{}, err
	}
	lines, err := normalLines(r.Lines)
	if err != nil {
		return Reservation{}, err
	}
	ttl := r.TTL
	if ttl == 0 {
		ttl = c.opts.DefaultTTL
	}
	if ttl < time.Second || ttl > c.opts.MaxTTL {
		return Reservation{}, ErrInvalidTTL.With(fmt.Sprintf("ttl %s is not between 1s and %s", r.TTL, c.opts.MaxTTL))
	}
	return c.submit(ctx, &op{kind: opReserve, ref: r.Reference, lines: lines, ttl: ttl})
}

// Commit implements Service.
func (c *Core) Commit(ctx context.Context, ref string) (Reservation, error) {
	if err := ValidReference(ref); err != nil {
		return Reservation{}, err
	}
	return c.submit(ctx, &op{kind: opCommit, ref: ref})
}

// Release implements Service.
func (c *Core) Release(ctx context.Context, ref string) (Reservation, error) {
	if err := ValidReference(ref); err != nil {
		return Reservation{}, err
	}
	return c.submit(ctx, &op{kind: opRelease, ref: ref})
}

func (c *Core) submit(ctx context.Context, o *op) (Reservation, error) {
	if err := c.batch.do(ctx, o); err != nil {
		return Reservation{}, err
	}
	return o.res, o.err
}

// fastMiss aborts a batch that found a SKU's lane buckets too few or too
// low: it runs again with those SKUs locked whole.
type fastMiss struct{ skus []string }

func (f *fastMiss) Error() string { return "fast path missed " + strings.Join(f.skus, ",") }

type outcome struct {
	res Reservation
	err error
}

// runBatch runs ops in one transaction, retrying it when a concurrent
// transaction got in the way; a batch that fails otherwise is split so one
// bad operation cannot fail the others.
func (c *Core) runBatch(ctx context.Context, lane int, ops []*op) {
	full := map[string]bool{}
	for attempt := 0; ; attempt++ {
		out, fast, err := c.tryBatch(ctx, lane, ops, full)
		var miss *fastMiss
		switch {
		case err == nil:
			c.stats.batches.Add(1)
			c.stats.ops.Add(int64(len(ops)))
			if fast {
				c.stats.fast.Add(1)
			}
			for i, o := range ops {
				o.res, o.err = out[i].res, out[i].err
			}
			return
		case errors.As(err, &miss):
			// Each miss locks more SKUs whole, so this ends.
			c.stats.misses.Add(1)
			for _, s := range miss.skus {
				full[s] = true
				c.setFast(s, false)
			}
			attempt--
			continue
		case retryable(err) && attempt < 8 && ctx.Err() == nil:
			c.stats.retries.Add(1)
			time.Sleep(time.Duration(rand.IntN(1<<attempt)+1) * time.Millisecond)
			continue
		case len(ops) > 1:
			for _, o := range ops {
				c.runBatch(ctx, lane, []*op{o})
			}
			return
		default:
			for _, o := range ops {
				o.err = fmt.Errorf("inventory batch: %w", err)
			}
			return
		}
	}
}

// retryable reports the errors of a transaction that lost a race: a
// deadlock or serialization failure, a busy SQLite, or two transactions
// inserting the same reservation.
func retryable(err error) bool {
	switch errs.CodeOf(err) {
	case "concurrent_update", "store_busy", "already_exists":
		return true
	}
	return false
}

func (c *Core) tryBatch(ctx context.Context, lane int, ops []*op, full map[string]bool) (out []outcome, fast bool, err error) {
	err = c.store.Update(ctx, func(tx Tx) error {
		out = make([]outcome, len(ops))
		// Holds that commits, releases and expiries change are locked
		// first: they say which buckets to lock. Reserves are looked up
		// after the buckets are locked, so a batch that waited for another
		// one holding the same SKU sees the reservations that one made.
		var lock, read []string
		for _, o := range ops {
			if o.kind == opReserve {
				read = append(read, o.ref)
			} else {
				lock = append(lock, o.ref)
			}
		}
		holds, err := tx.Holds(ctx, sortedSet(lock), true)
		if err != nil {
			return err
		}
		w := c.newWork(c.now(), holds)
		q := c.plan(w, lane, ops, full)
		read = slices.DeleteFunc(read, func(ref string) bool { return holds[ref] != nil })
		buckets, more, err := tx.Buckets(ctx, q, sortedSet(read))
		if err != nil {
			return err
		}
		for ref, h := range more {
			holds[ref] = h
		}
		w.load(buckets, q.All)
		fast = len(q.Home) > 0
		var miss []string
		for _, s := range q.Home {
			if len(w.sku(s).buckets) == 0 {
				miss = append(miss, s)
			}
		}
		if miss != nil {
			return &fastMiss{miss}
		}
		for i, o := range ops {
			res, err := w.do(o)
			var m *fastMiss
			if errors.As(err, &m) {
				return m
			}
			out[i] = outcome{res, err}
		}
		if err := c.afterBatch(w, q.Home); err != nil {
			return err
		}
		return w.apply(ctx, tx)
	})
	return out, fast, err
}

func sortedSet(s []string) []string {
	slices.Sort(s)
	return slices.Compact(s)
}

// plan chooses the buckets a batch locks. A reservation of a SKU known to
// be large (see setFast) locks only its lane's buckets, so batches on other
// lanes reserve the same SKU at the same time; everything that can give
// units back, and every SKU not known to be large, locks the SKU whole.
// Commits lock just the buckets their units are in: they change no
// availability.
func (c *Core) plan(w *work, lane int, ops []*op, full map[string]bool) BucketQuery {
	all, home := map[string]bool{}, map[string]bool{}
	rows := map[BucketKey]bool{}
	lanes := c.opts.Lanes
	for _, o := range ops {
		h := w.holds[o.ref]
		switch o.kind {
		case opReserve:
			if h != nil {
				continue
			}
			for _, l := range o.lines {
				if lanes > 1 && !full[l.SKU] && c.isFast(l.SKU) {
					home[l.SKU] = true
				} else {
					all[l.SKU] = true
				}
			}
		case opCommit:
			if h == nil || h.Status != StatusHeld {
				continue
			}
			if w.now.Before(h.ExpiresAt) {
				for _, a := range h.Allocations {
					rows[a.key()] = true
				}
				continue
			}
			for _, l := range h.Lines {
				all[l.SKU] = true
			}
		case opRelease, opExpire:
			if h == nil || h.Status != StatusHeld {
				continue
			}
			for _, l := range h.Lines {
				all[l.SKU] = true
			}
		}
	}
	var q BucketQuery
	for s := range all {
		q.All = append(q.All, s)
	}
	for s := range home {
		if !all[s] {
			q.Home = append(q.Home, s)
		}
	}
	for k := range rows {
		if !all[k.SKU] {
			q.Rows = append(q.Rows, k)
		}
	}
	slices.Sort(q.All)
	slices.Sort(q.Home)
	if len(q.Home) > 0 {
		q.Lane, q.Lanes = lane, lanes
	}
	return q
}

// do applies one operation to the batch's rows. An error that is the
// operation's own outcome (insufficient stock, not found) leaves the rows as
// they were; a *fastMiss aborts the batch.
func (w *work) do(o *op) (Reservation, error) {
	h := w.holds[o.ref]
	if o.kind == opReserve {
		if h != nil {
			if !slices.Equal(h.Lines, o.lines) {
				return Reservation{}, ErrReferenceReused.With(fmt.Sprintf("reference %s already holds other lines", o.ref))
			}
			return h.Reservation, nil
		}
		return w.reserve(o)
	}
	if h == nil {
		return Reservation{}, ErrReservationNotFound.With(fmt.Sprintf("no reservation %s", o.ref))
	}
	if err := w.needWhole(h, o.kind); err != nil {
		return Reservation{}, err
	}
	expired := h.Status == StatusHeld && !w.now.Before(h.ExpiresAt)
	switch o.kind {
	case opCommit:
		switch {
		case h.Status == StatusCommitted:
			return h.Reservation, nil
		case h.Status == StatusReleased:
			return Reservation{}, ErrReservationReleased.With(fmt.Sprintf("reservation %s was released", o.ref))
		case h.Status == StatusExpired:
			return Reservation{}, ErrReservationExpired.With(fmt.Sprintf("reservation %s expired at %s", o.ref, h.ExpiresAt.Format(time.RFC3339)))
		case expired:
			if err := w.giveBack(h, StatusExpired); err != nil {
				return Reservation{}, err
			}
			return Reservation{}, ErrReservationExpired.With(fmt.Sprintf("reservation %s expired at %s", o.ref, h.ExpiresAt.Format(time.RFC3339)))
		}
		if err := w.check(h); err != nil {
			return Reservation{}, err
		}
		for _, a := range h.Allocations {
			b := w.byKey[a.key()]
			b.OnHand -= a.Quantity
			b.Reserved -= a.Quantity
		}
		w.moved(h.Allocations, -1, ReasonSale, h.Reference)
		w.setStatus(h, StatusCommitted)
		return h.Reservation, nil
	case opRelease:
		switch h.Status {
		case StatusReleased, StatusExpired:
			return h.Reservation, nil
		case StatusCommitted:
			return Reservation{}, ErrReservationCommitted.With(fmt.Sprintf("reservation %s was committed", o.ref))
		}
		if err := w.giveBack(h, StatusReleased); err != nil {
			return Reservation{}, err
		}
		return h.Reservation, nil
	case opExpire:
		if expired {
			if err := w.giveBack(h, StatusExpired); err != nil {
				return Reservation{}, err
			}
		}
		return h.Reservation, nil
	}
	return Reservation{}, fmt.Errorf("unknown operation %d", o.kind)
}

// needWhole asks for a batch with the hold's SKUs locked whole when the
// operation may give units back and the batch holds only part of them
// (a hold made earlier in the same batch on the fast path).
func (w *work) needWhole(h *Hold, k opKind) error {
	if h.Status != StatusHeld || (k == opCommit && w.now.Before(h.ExpiresAt)) {
		return nil
	}
	var miss []string
	for _, l := range h.Lines {
		if !w.sku(l.SKU).complete {
			miss = append(miss, l.SKU)
		}
	}
	if miss != nil {
		return &fastMiss{miss}
	}
	return nil
}

func (w *work) reserve(o *op) (Reservation, error) {
	var unknown, short []errs.FieldError
	var miss []string
	for i, l := range o.lines {
		sw := w.sku(l.SKU)
		if len(sw.buckets) == 0 {
			unknown = append(unknown, errs.FieldError{Field: fmt.Sprintf("lines/%d/sku", i), Message: fmt.Sprintf("no stock record for SKU %s", l.SKU)})
			continue
		}
		if have := sw.sellable(); have < l.Quantity {
			if !sw.complete {
				miss = append(miss, l.SKU)
				continue
			}
			short = append(short, errs.FieldError{Field: fmt.Sprintf("lines/%d/quantity", i), Message: fmt.Sprintf("%d of SKU %s asked for, %d available", l.Quantity, l.SKU, max(have, 0))})
		}
	}
	switch {
	case miss != nil:
		return Reservation{}, &fastMiss{miss}
	case unknown != nil:
		e := ErrUnknownSKU.With(unknown[0].Message)
		e.Fields = unknown
		return Reservation{}, e
	case short != nil:
		e := ErrInsufficientStock.With(short[0].Message)
		e.Fields = short
		return Reservation{}, e
	}
	h := &Hold{Reservation: Reservation{
		Reference: o.ref, Status: StatusHeld, Lines: o.lines,
		ExpiresAt: w.now.Add(o.ttl), CreatedAt: w.now, UpdatedAt: w.now,
	}}
	for _, l := range o.lines {
		h.Allocations = append(h.Allocations, w.sku(l.SKU).take(l.Quantity)...)
	}
	w.holds[o.ref] = h
	w.fresh[o.ref] = true
	w.newHolds = append(w.newHolds, h)
	return h.Reservation, nil
}

// moved records movements of allocations' units, one per SKU and location.
func (w *work) moved(as []Allocation, sign int64, reason, ref string) {
	type key struct{ sku, loc string }
	sums := map[key]int64{}
	var order []key
	for _, a := range as {
		k := key{a.SKU, a.Location}
		if _, ok := sums[k]; !ok {
			order = append(order, k)
		}
		sums[k] += a.Quantity
	}
	for _, k := range order {
		w.movements = append(w.movements, Movement{SKU: k.sku, Location: k.loc, Delta: sign * sums[k], Reason: reason, Reference: ref, At: w.now})
	}
}

// afterBatch checks the fast-path SKUs stayed clear of the low-stock
// threshold (else no lane could tell whether an event is due, and the batch
// runs again with them whole) and, with several lanes, spreads each whole
// SKU's units over its buckets and learns which SKUs are large.
func (c *Core) afterBatch(w *work, home []string) error {
	thr := max(c.opts.LowStockThreshold, 0)
	var miss []string
	for _, s := range home {
		if w.sku(s).sellable() <= thr {
			miss = append(miss, s)
		}
	}
	if miss != nil {
		return &fastMiss{miss}
	}
	if c.opts.Lanes <= 1 {
		return nil
	}
	for s, sw := range w.skus {
		if !sw.complete || len(sw.buckets) == 0 {
			continue
		}
		if c.lopsided(sw) {
			w.rebalance(s)
		}
		c.setFast(s, c.large(sw))
	}
	return nil
}

// laneUnits sums the SKU's available sellable units per lane.
func (c *Core) laneUnits(sw *skuWork) []int64 {
	per := make([]int64, c.opts.Lanes)
	for _, b := range sw.buckets {
		if b.Sellable {
			per[b.Slot%c.opts.Lanes] += b.Available()
		}
	}
	return per
}

// lopsided reports whether some lane has under half its share of the
// SKU's units: only then is rewriting every bucket worth it.
func (c *Core) lopsided(sw *skuWork) bool {
	per := c.laneUnits(sw)
	var total int64
	for _, n := range per {
		total += n
	}
	for _, n := range per {
		if 2*n*int64(len(per)) < total {
			return true
		}
	}
	return false
}

// large reports whether every lane has well more than the low-stock
// threshold in its own sellable buckets of the SKU.
func (c *Core) large(sw *skuWork) bool {
	per := c.laneUnits(sw)
	floor := 2*max(c.opts.LowStockThreshold, 0) + 16
	for _, n := range per {
		if n <= floor {
			return false
		}
	}
	return true
}

// maxFast bounds the SKUs remembered as large.
const maxFast = 1 << 16

func (c *Core) isFast(sku string) bool {
	c.fastMu.Lock()
	defer c.fastMu.Unlock()
	return c.fast[sku]
}

func (c *Core) setFast(sku string, on bool) {
	c.fastMu.Lock()
	defer c.fastMu.Unlock()
	if on {
		if len(c.fast) >= maxFast {
			clear(c.fast) // a hint: forgetting costs one whole-SKU batch each
		}
		c.fast[sku] = true
	} else {
		delete(c.fast, sku)
	}
}
