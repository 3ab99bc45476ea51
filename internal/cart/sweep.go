package cart

import (
	"context"
	"time"
)

// sweepBatch bounds one delete, so a sweep never holds the store long.
const sweepBatch = 500

// Sweep deletes guest carts past their expiry and merged or ordered carts
// past ClosedRetention, and reports how many went.
func (c *Core) Sweep(ctx context.Context) (int, error) {
	now := c.now()
	total := 0
	for {
		n, err := c.store.DeleteExpired(ctx, now, now.Add(-c.opts.ClosedRetention), sweepBatch)
		total += n
		if err != nil || n < sweepBatch {
			return total, err
		}
	}
}

// RunExpiry sweeps every SweepInterval until ctx ends. A failed sweep is
// logged and tried again at the next tick.
func (c *Core) RunExpiry(ctx context.Context) error {
	t := time.NewTicker(c.opts.SweepInterval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
			n, err := c.Sweep(ctx)
			if err != nil && ctx.Err() == nil {
				c.log().WarnContext(ctx, "cart: sweep failed", "error", err)
			} else if n > 0 {
				c.log().InfoContext(ctx, "cart: swept expired carts", "carts", n)
			}
		}
	}
}
