package identity

import (
	"context"
	"time"
)

// Retention of data nobody needs any more.
const (
	processedKeep = 30 * 24 * time.Hour  // longer than any redelivery
	eventsKeep    = 180 * 24 * time.Hour // behaviour older than this says little
)

// Sweep deletes expired sessions and tokens, old mail, old de-duplication
// records and old behaviour, once.
func (c *Core) Sweep(ctx context.Context) (int64, error) {
	now := c.now()
	return c.store.Sweep(ctx, Retention{
		Now:             now,
		MailBefore:      now.Add(-mailKeep),
		ProcessedBefore: now.Add(-processedKeep),
		EventsBefore:    now.Add(-eventsKeep),
	})
}

// RunHousekeeping sweeps every hour until ctx ends.
func (c *Core) RunHousekeeping(ctx context.Context) error {
	t := time.NewTicker(time.Hour)
	defer t.Stop()
	for {
		if n, err := c.Sweep(ctx); err != nil && ctx.Err() == nil {
			c.log().WarnContext(ctx, "identity: sweep failed; will retry", "error", err)
		} else if n > 0 {
			c.log().InfoContext(ctx, "identity: swept expired records", "rows", n)
		}
		select {
		case <-ctx.Done():
			return nil
		case <-t.C:
		}
	}
}
