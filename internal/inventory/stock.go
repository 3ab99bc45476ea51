package inventory

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"slices"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// SetOnHand implements Service.
func (c *Core) SetOnHand(ctx context.Context, s SetOnHand) (StockLevel, error) {
	s.Location = locationOr(s.Location)
	if err := validStockChange(s.SKU, s.Location, s.Reference); err != nil {
		return StockLevel{}, err
	}
	if s.OnHand < 0 {
		return StockLevel{}, ErrInvalidQuantity.With(fmt.Sprintf("on_hand %d is negative", s.OnHand))
	}
	lv, err := c.setMany(ctx, []SetOnHand{s})
	if err != nil {
		return StockLevel{}, err
	}
	return lv[0], nil
}

// Adjust implements Service.
func (c *Core) Adjust(ctx context.Context, a Adjustment) (StockLevel, error) {
	a.Location = locationOr(a.Location)
	if err := validStockChange(a.SKU, a.Location, a.Reference); err != nil {
		return StockLevel{}, err
	}
	if err := validReason(a.Reason); err != nil {
		return StockLevel{}, err
	}
	if a.Reason == ReasonSet || a.Reason == ReasonImport || a.Reason == ReasonSale {
		return StockLevel{}, ErrInvalidReason.With(fmt.Sprintf("reason %q is the service's own; name the adjustment's cause", a.Reason))
	}
	if a.Delta == 0 {
		return StockLevel{}, ErrInvalidQuantity.With("an adjustment's delta must not be zero")
	}
	var out StockLevel
	err := c.retry(ctx, func() error {
		return c.store.Update(ctx, func(tx Tx) error {
			if _, err := tx.Location(ctx, a.Location); err != nil {
				return err
			}
			var done *Movement
			if a.Reference != "" {
				m, ok, err := tx.Adjustment(ctx, a.SKU, a.Location, a.Reference)
				if err != nil {
					return err
				}
				if ok && (m.Delta != a.Delta || m.Reason != a.Reason) {
					return ErrAdjustmentReused.With(fmt.Sprintf("reference %s was used for %+d %s", a.Reference, m.Delta, m.Reason))
				}
				if ok {
					done = &m
				}
			}
			w, err := c.lockWhole(ctx, tx, []string{a.SKU})
			if err != nil {
				return err
			}
			sw := w.sku(a.SKU)
			if len(sw.buckets) == 0 {
				return ErrUnknownSKU.With(fmt.Sprintf("no stock record for SKU %s; set its on-hand first", a.SKU))
			}
			if done != nil {
				out = w.level(a.SKU, a.Location)
				return nil
			}
			cur := w.level(a.SKU, a.Location)
			if err := w.setLocation(ctx, tx, a.SKU, a.Location, cur.OnHand+a.Delta, a.Reason, a.Reference); err != nil {
				return err
			}
			out = w.level(a.SKU, a.Location)
			return w.apply(ctx, tx)
		})
	})
	return out, err
}

func validStockChange(sku, loc, ref string) error {
	if err := ValidSKU(sku); err != nil {
		return err
	}
	if err := ValidLocation(loc); err != nil {
		return err
	}
	if ref != "" {
		return ValidReference(ref)
	}
	return nil
}

// setMany sets on_hand of several SKUs and locations in one transaction.
func (c *Core) setMany(ctx context.Context, sets []SetOnHand) ([]StockLevel, error) {
	var out []StockLevel
	err := c.retry(ctx, func() error {
		return c.store.Update(ctx, func(tx Tx) error {
			out = out[:0]
			var skus []string
			locs := map[string]bool{}
			for _, s := range sets {
				skus = append(skus, s.SKU)
				if !locs[s.Location] {
					if _, err := tx.Location(ctx, s.Location); err != nil {
						return err
					}
					locs[s.Location] = true
				}
			}
			slices.Sort(skus)
			w, err := c.lockWhole(ctx, tx, slices.Compact(skus))
			if err != nil {
				return err
			}
			for _, s := range sets {
				if err := w.setLocation(ctx, tx, s.SKU, s.Location, s.OnHand, ReasonSet, s.Reference); err != nil {
					return err
				}
				out = append(out, w.level(s.SKU, s.Location))
			}
			return w.apply(ctx, tx)
		})
	})
	return out, err
}

// lockWhole locks every bucket of skus.
func (c *Core) lockWhole(ctx context.Context, tx Tx, skus []string) (*work, error) {
	bs, _, err := tx.Buckets(ctx, BucketQuery{All: skus}, nil)
	if err != nil {
		return nil, err
	}
	w := c.newWork(c.now(), nil)
	w.load(bs, skus)
	return w, nil
}

// setLocation sets the SKU's on_hand at loc to n, splitting the available
// units evenly over its buckets there (adding buckets as the stock grows),
// and records the movement.
func (w *work) setLocation(ctx context.Context, tx Tx, sku, loc string, n int64, reason, ref string) error {
	cur := w.level(sku, loc)
	if n < cur.Reserved {
		return ErrBelowReserved.With(fmt.Sprintf("SKU %s at %s would have %d on hand with %d held", sku, loc, n, cur.Reserved))
	}
	var at []*Bucket
	sellable := false
	for _, b := range w.sku(sku).buckets {
		if b.Location == loc {
			at = append(at, b)
			sellable = b.Sellable
		}
	}
	if len(at) == 0 {
		l, err := tx.Location(ctx, loc)
		if err != nil {
			return err
		}
		sellable = l.Sellable
	}
	for slot := len(at); slot < w.c.slotsFor(n); slot++ {
		b := &Bucket{SKU: sku, Location: loc, Slot: slot, Sellable: sellable}
		w.addBucket(b)
		at = append(at, b)
	}
	at[0].OnHand += n - cur.OnHand // spread keeps the sum; this sets it
	spread(at)
	w.movements = append(w.movements, Movement{SKU: sku, Location: loc, Delta: n - cur.OnHand, Reason: reason, Reference: ref, At: w.now})
	return nil
}

// slotsFor is how many buckets n units deserve.
func (c *Core) slotsFor(n int64) int {
	return int(min(max(n/c.opts.SlotUnits, 1), int64(c.opts.Slots)))
}

// level sums the SKU's buckets at loc.
func (w *work) level(sku, loc string) StockLevel {
	lv := StockLevel{SKU: sku, Location: loc}
	for _, b := range w.sku(sku).buckets {
		if b.Location == loc {
			lv.OnHand += b.OnHand
			lv.Reserved += b.Reserved
		}
	}
	lv.Available = lv.OnHand - lv.Reserved
	return lv
}

// retry runs fn again when its transaction lost a race.
func (c *Core) retry(ctx context.Context, fn func() error) error {
	for attempt := 0; ; attempt++ {
		err := fn()
		if err == nil || !retryable(err) || attempt >= 8 || ctx.Err() != nil {
			return err
		}
		time.Sleep(time.Duration(rand.IntN(1<<attempt)+1) * time.Millisecond)
	}
}

// importChunk is how many levels Import writes per transaction.
const importChunk = 5000

// Import implements Service.
func (c *Core) Import(ctx context.Context, levels []StockLevel) error {
	locs, err := c.store.Locations(ctx)
	if err != nil {
		return fmt.Errorf("import: %w", err)
	}
	levels = slices.Clone(levels)
	known := map[string]bool{}
	for _, l := range locs {
		known[l.ID] = true
	}
	for i := range levels {
		l := &levels[i]
		l.Location = locationOr(l.Location)
		if err := ValidSKU(l.SKU); err != nil {
			return fieldErr(err, fmt.Sprintf("levels/%d/sku", i))
		}
		if !known[l.Location] {
			return fieldErr(ErrUnknownLocation.With(fmt.Sprintf("no location %q", clip(l.Location))), fmt.Sprintf("levels/%d/location", i))
		}
		if l.OnHand < 0 {
			return fieldErr(ErrInvalidQuantity.With(fmt.Sprintf("on_hand of %s is %d", l.SKU, l.OnHand)), fmt.Sprintf("levels/%d/on_hand", i))
		}
	}
	for start := 0; start < len(levels); start += importChunk {
		chunk := lastWins(levels[start:min(start+importChunk, len(levels))])
		news := make([]NewStock, len(chunk))
		for i, l := range chunk {
			n := c.slotsFor(l.OnHand)
			split := make([]int64, n)
			for j := range split {
				split[j] = l.OnHand / int64(n)
				if int64(j) < l.OnHand%int64(n) {
					split[j]++
				}
			}
			news[i] = NewStock{SKU: l.SKU, Location: l.Location, OnHand: split}
		}
		var existing []NewStock
		err := c.retry(ctx, func() error {
			var err error
			existing, err = c.store.ImportNew(ctx, news, c.now())
			return err
		})
		if err != nil {
			return fmt.Errorf("import levels %d to %d: %w", start, start+len(chunk), err)
		}
		if len(existing) == 0 {
			continue
		}
		sets := make([]SetOnHand, len(existing))
		for i, e := range existing {
			sets[i] = SetOnHand{SKU: e.SKU, Location: e.Location, OnHand: e.Total()}
		}
		if _, err := c.setMany(ctx, sets); err != nil {
			return fmt.Errorf("import levels %d to %d: %w", start, start+len(chunk), err)
		}
	}
	return nil
}

// lastWins drops all but the last level of each SKU and location.
func lastWins(levels []StockLevel) []StockLevel {
	type key struct{ sku, loc string }
	last := make(map[key]int, len(levels))
	for i, l := range levels {
		last[key{l.SKU, l.Location}] = i
	}
	if len(last) == len(levels) {
		return levels
	}
	out := make([]StockLevel, 0, len(last))
	for i, l := range levels {
		if last[key{l.SKU, l.Location}] == i {
			out = append(out, l)
		}
	}
	return out
}

func fieldErr(err error, field string) error {
	var e *errs.Error
	if !errors.As(err, &e) {
		return err
	}
	c := *e
	c.Fields = []errs.FieldError{{Field: field, Message: e.Detail}}
	return &c
}
