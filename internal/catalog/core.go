package catalog

import (
	"context"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/cache"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
)

// Options configures Core. The zero value works: no cache, no live
// availability, INR, the system clock.
type Options struct {
	// Availability answers live stock for product pages; nil uses the
	// catalogue's own in-stock flags.
	Availability Availability
	// Cache holds listings, product pages and the category tree; nil
	// disables caching. Core prefixes its keys with "catalog:".
	Cache cache.Cache
	// CacheTTL bounds how long a cached read lives (60 s). A write makes
	// every cached read unreachable at once, whatever the TTL.
	CacheTTL time.Duration
	// Currency every price must be in ("INR").
	Currency string
	// PriceBuckets are the lower bounds of the price facet's buckets in
	// minor units, ascending, starting at 0.
	PriceBuckets []int64
	// Now is the clock (time.Now).
	Now func() time.Time
	// NewID mints ids (ids.New).
	NewID func() string
	// OnCommit is called after every committed write, e.g. to wake the
	// outbox relay.
	OnCommit func()
	// Logger receives failures that do not fail a request (inventory or the
	// cache being down); nil: slog.Default().
	Logger *slog.Logger
	// NoIndex answers every listing with the store's SQL instead of the
	// in-memory listing index (which holds about 1.2 KB per product: 120 MB
	// for 100,000 products).
	NoIndex bool
}

// DefaultPriceBuckets: under ₹500, ₹500–1,000, ₹1,000–2,000, ₹2,000–5,000,
// ₹5,000–10,000, ₹10,000 and above.
var DefaultPriceBuckets = []int64{0, 500_00, 1000_00, 2000_00, 5000_00, 10000_00}

// Core is the catalogue's rules over a Store. It implements Service.
type Core struct {
	store Store
	opts  Options
	cache cache.Cache // nil: no caching

	localGen atomic.Int64 // bumped by every local write, for in-memory memos
	gen      atomic.Pointer[genState]
	hot      hotCache
	hotProds hotProducts
	skus     skuCache // LookupSKUs answers of the current generation

	memoMu sync.Mutex
	memo   map[string]memoEntry

	ix *index // nil with Options.NoIndex
}

type memoEntry struct {
	gen string
	val any
}

var _ Service = (*Core)(nil)

// NewCore returns a Core keeping the catalogue in store.
func NewCore(store Store, opts Options) *Core {
	if opts.Currency == "" {
		opts.Currency = "INR"
	}
	if opts.CacheTTL <= 0 {
		opts.CacheTTL = time.Minute
	}
	if len(opts.PriceBuckets) == 0 {
		opts.PriceBuckets = DefaultPriceBuckets
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.NewID == nil {
		opts.NewID = ids.New
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	c := &Core{store: store, opts: opts, memo: map[string]memoEntry{}}
	if !opts.NoIndex {
		c.ix = newIndex()
	}
	if opts.Cache != nil {
		c.cache = cache.Namespace(opts.Cache, "catalog")
	}
	return c
}

func (c *Core) newID() string { return c.opts.NewID() }

func (c *Core) now() time.Time { return c.opts.Now().UTC().Truncate(time.Microsecond) }

// Store returns the store Core works on, for the seed loader and tools.
func (c *Core) Store() Store { return c.store }

// write runs fn in a store transaction and, once it commits, makes every
// cached read stale and tells OnCommit.
func (c *Core) write(ctx context.Context, fn func(tx Tx) error) error {
	if err := c.store.Write(ctx, fn); err != nil {
		return err
	}
	c.Changed(ctx)
	return nil
}

// Changed makes every cached read stale. Core calls it after its own
// writes; call it after writing to the store behind Core's back (the seed
// loader does).
func (c *Core) Changed(ctx context.Context) {
	c.localGen.Add(1)
	c.bumpGeneration(ctx)
	if c.opts.OnCommit != nil {
		c.opts.OnCommit()
	}
}
