package catalog

import (
	"context"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// The index follows the store by updated_at: every write that changes what
// a listing shows moves the updated_at of the products it touches, and a
// sync rescans the products updated since the previous sync began, less a
// margin for transactions that committed late and for clocks that differ
// between replicas. (Not since the newest updated_at seen: after a bulk
// load that would rescan the load's last seconds at every sync.)
const (
	syncLookback = 10 * time.Second
	// pollEvery bounds staleness when there is no shared cache to announce
	// writes: a replica rescans at most this long after another one wrote.
	pollEvery = time.Second
)

type indexSync struct {
	mu       sync.Mutex // one build or sync at a time
	building sync.Once
	ready    atomic.Bool // read without mu: a build holds mu for seconds
	gen      string      // the cache generation synced to
	local    int64       // Core.localGen synced to
	at       time.Time   // when the last build or sync started
}

// BuildIndex loads the in-memory listing index from the store. Until it is
// built, listings are answered by the store's SQL. The wiring may call it
// at start-up; otherwise the first listing starts it in the background.
func (c *Core) BuildIndex(ctx context.Context) error {
	if c.ix == nil {
		return nil
	}
	s := &c.ix.sync
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.ready.Load() {
		return nil
	}
	start := c.opts.Now()
	gen, local := c.generation(ctx), c.localGen.Load()
	t, err := c.tree(ctx)
	if err != nil {
		return err
	}
	if _, err := c.scanInto(ctx, time.Time{}, t); err != nil {
		return fmt.Errorf("build listing index: %w", err)
	}
	s.gen, s.local, s.at = gen, local, start
	s.ready.Store(true)
	c.opts.Logger.InfoContext(ctx, "catalog: listing index built", "products", c.ix.size(), "took", c.opts.Now().Sub(start).Round(time.Millisecond))
	return nil
}

func (c *Core) scanInto(ctx context.Context, since time.Time, t *tree) (int, error) {
	n := 0
	err := c.store.Scan(ctx, since, func(p Product, cols []string) error {
		c.ix.put(p, cols, IndexTerms(p, t.pathNames(p.Category.ID)))
		n++
		return nil
	})
	return n, err
}

// listingIndex returns the index, synced with the store, or nil when
// listings must go to the store (no index, not built yet, or failing).
func (c *Core) listingIndex(ctx context.Context) *index {
	if c.ix == nil {
		return nil
	}
	s := &c.ix.sync
	if !s.ready.Load() {
		s.building.Do(func() {
			go func() {
				ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 10*time.Minute)
				defer cancel()
				if err := c.BuildIndex(ctx); err != nil {
					c.opts.Logger.ErrorContext(ctx, "catalog: listing index not built; listings stay on the store", "err", err)
				}
			}()
		})
		return nil
	}
	if err := c.syncIndex(ctx); err != nil {
		c.opts.Logger.WarnContext(ctx, "catalog: listing index sync failed; answering from the store", "err", err)
		return nil
	}
	return c.ix
}

// syncIndex rescans what changed if the generation or a local write says
// something did, or, without a shared generation, once per pollEvery.
func (c *Core) syncIndex(ctx context.Context) error {
	s := &c.ix.sync
	gen, local, now := c.generation(ctx), c.localGen.Load(), c.opts.Now()
	s.mu.Lock()
	defer s.mu.Unlock()
	if gen == s.gen && local == s.local && (gen != "" || now.Sub(s.at) < pollEvery) {
		return nil
	}
	t, err := c.tree(ctx)
	if err != nil {
		return err
	}
	if _, err := c.scanInto(ctx, s.at.Add(-syncLookback), t); err != nil {
		return err
	}
	s.gen, s.local, s.at = gen, local, now
	return nil
}

// IndexReady reports whether listings are answered from the in-memory
// index (false while it builds, and with Options.NoIndex).
func (c *Core) IndexReady() bool { return c.ix != nil && c.ix.sync.ready.Load() }
