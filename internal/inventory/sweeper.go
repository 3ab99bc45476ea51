package inventory

import (
	"context"
	"fmt"
	"sync"
	"time"
)

// sweepBatch is how many expired holds one sweep pass hands to the batcher.
const sweepBatch = 500

// RunSweeper returns expired holds to stock every SweepInterval until ctx
// ends; then it returns nil. Failures are logged and tried again on the next
// tick. Several replicas may sweep at once: expiring is idempotent.
func (c *Core) RunSweeper(ctx context.Context) error {
	t := time.NewTicker(c.opts.SweepInterval)
	defer t.Stop()
	for {
		if _, err := c.SweepExpired(ctx); err != nil && ctx.Err() == nil {
			c.opts.Logger.WarnContext(ctx, "inventory: sweeping expired holds failed", "err", err)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}

// SweepExpired expires every hold whose time ran out and returns how many
// it expired.
func (c *Core) SweepExpired(ctx context.Context) (int, error) {
	total := 0
	for {
		refs, err := c.store.ExpiredHolds(ctx, c.now(), sweepBatch)
		if err != nil {
			return total, fmt.Errorf("sweep: %w", err)
		}
		if len(refs) == 0 {
			return total, nil
		}
		ops := make([]*op, len(refs))
		var wg sync.WaitGroup
		for i, ref := range refs {
			ops[i] = &op{kind: opExpire, ref: ref}
			wg.Go(func() { _ = c.batch.do(ctx, ops[i]) })
		}
		wg.Wait()
		n := 0
		for _, o := range ops {
			if o.err != nil {
				return total, fmt.Errorf("sweep %s: %w", o.ref, o.err)
			}
			if o.res.Status == StatusExpired {
				n++
			}
		}
		if err := ctx.Err(); err != nil {
			return total + n, err
		}
		total += n
		if n == 0 {
			// Listed but not expired: another replica got there, or the
			// clock is behind the store's. Try again next tick.
			return total, nil
		}
	}
}
