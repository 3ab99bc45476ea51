package inventory

import (
	"context"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"log/slog"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// Options tune a Core. The zero value is usable.
type Options struct {
	// Clock is the time (time.Now); tests move it to expire holds.
	Clock func() time.Time
	// LowStockThreshold: an inventory.low event fires when a SKU's
	// available units fall to it or below (5). Negative: never.
	LowStockThreshold int64
	// DefaultTTL is a hold's life when the request names none (15 min);
	// MaxTTL the longest a request may ask for (24 h).
	DefaultTTL time.Duration
	MaxTTL     time.Duration

	// Lanes is how many reservation batches run at once; Slots the most
	// buckets a SKU is split into; 0 takes the store's Tuning. SlotUnits is
	// the stock per extra bucket (50): small SKUs keep one bucket.
	Lanes     int
	Slots     int
	SlotUnits int64
	// MaxBatch caps the operations in one batch transaction (512).
	MaxBatch int
	// BatchWindow makes a batch wait this long for company before it runs
	// (0: none; batches form while the previous one is in its transaction,
	// so a lone request is not delayed).
	BatchWindow time.Duration

	// AvailabilityTTL is how long Available trusts a SKU's figure from
	// memory when this process has not changed its stock (1 s); changes
	// made by other processes show after at most this long. Negative: no
	// cache.
	AvailabilityTTL time.Duration

	// SweepInterval is how often RunSweeper looks for expired holds (1 s).
	SweepInterval time.Duration
	Logger        *slog.Logger
}

func (o Options) withDefaults(t Tuning) Options {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.LowStockThreshold == 0 {
		o.LowStockThreshold = 5
	}
	if o.DefaultTTL <= 0 {
		o.DefaultTTL = 15 * time.Minute
	}
	if o.MaxTTL <= 0 {
		o.MaxTTL = 24 * time.Hour
	}
	if o.Lanes <= 0 {
		o.Lanes = max(t.Lanes, 1)
	}
	if o.Slots <= 0 {
		o.Slots = max(t.Slots, 1)
	}
	if o.SlotUnits <= 0 {
		o.SlotUnits = 50
	}
	if o.MaxBatch <= 0 {
		o.MaxBatch = 512
	}
	if o.SweepInterval <= 0 {
		o.SweepInterval = time.Second
	}
	if o.AvailabilityTTL == 0 {
		o.AvailabilityTTL = time.Second
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Core is the inventory service in-process.
type Core struct {
	store Store
	opts  Options
	batch *batcher

	fastMu sync.Mutex
	fast   map[string]bool // SKUs big enough to reserve from one lane's buckets

	stats struct{ batches, ops, fast, retries, misses atomic.Int64 }
}

// Stats counts what the reservation batcher did since NewCore.
type Stats struct {
	Batches     int64 // transactions that committed a batch
	Ops         int64 // operations in them
	FastBatches int64 // batches that reserved from their lane's buckets only
	Retries     int64 // transactions run again after losing a race
	FastMisses  int64 // batches run again with SKUs locked whole
}

// Stats returns the batcher's counters.
func (c *Core) Stats() Stats {
	return Stats{
		Batches: c.stats.batches.Load(), Ops: c.stats.ops.Load(), FastBatches: c.stats.fast.Load(),
		Retries: c.stats.retries.Load(), FastMisses: c.stats.misses.Load(),
	}
}

var _ Service = (*Core)(nil)

// NewCore returns a Core on store.
func NewCore(store Store, o Options) *Core {
	o = o.withDefaults(store.Tuning())
	if o.AvailabilityTTL > 0 {
		store = newCachedStore(store, o.AvailabilityTTL, o.Clock)
	}
	c := &Core{store: store, opts: o, fast: map[string]bool{}}
	c.batch = newBatcher(o.Lanes, o.MaxBatch, o.BatchWindow, c.runBatch)
	return c
}

// now is the clock at the precision both engines keep.
func (c *Core) now() time.Time { return c.opts.Clock().UTC().Truncate(time.Millisecond) }

// Available implements Service.
func (c *Core) Available(ctx context.Context, skus []string) (map[string]int64, error) {
	skus, err := normalSKUs(skus)
	if err != nil {
		return nil, err
	}
	got, err := c.store.Available(ctx, skus)
	if err != nil {
		return nil, fmt.Errorf("available: %w", err)
	}
	out := make(map[string]int64, len(skus))
	for _, s := range skus {
		out[s] = max(got[s], 0)
	}
	return out, nil
}

// Levels implements Service.
func (c *Core) Levels(ctx context.Context, skus []string) ([]StockLevel, error) {
	skus, err := normalSKUs(skus)
	if err != nil {
		return nil, err
	}
	lv, err := c.store.Levels(ctx, skus)
	if err != nil {
		return nil, fmt.Errorf("levels: %w", err)
	}
	return lv, nil
}

// Reservation implements Service.
func (c *Core) Reservation(ctx context.Context, ref string) (Reservation, error) {
	if err := ValidReference(ref); err != nil {
		return Reservation{}, err
	}
	h, err := c.store.Hold(ctx, ref)
	if err != nil {
		return Reservation{}, err
	}
	return h.Reservation, nil
}

// Movements implements Service.
func (c *Core) Movements(ctx context.Context, q MovementQuery) (MovementPage, error) {
	if err := ValidSKU(q.SKU); err != nil {
		return MovementPage{}, err
	}
	size := q.PageSize
	if size == 0 {
		size = 50
	}
	if size < 1 || size > 100 {
		return MovementPage{}, ErrInvalidPageSize.With(fmt.Sprintf("page_size %d is not between 1 and 100", q.PageSize))
	}
	before, err := decodeToken(q.PageToken)
	if err != nil {
		return MovementPage{}, err
	}
	ms, err := c.store.Movements(ctx, q.SKU, before, size+1)
	if err != nil {
		return MovementPage{}, fmt.Errorf("movements of %s: %w", q.SKU, err)
	}
	page := MovementPage{Items: ms}
	if len(ms) > size {
		page.Items = ms[:size]
		page.NextPageToken = encodeToken(ms[size-1].ID)
	}
	if page.Items == nil {
		page.Items = []Movement{}
	}
	return page, nil
}

// Page tokens carry the last movement id seen, behind a version byte so
// the format can change.
func encodeToken(id int64) string {
	var b [9]byte
	b[0] = 1
	binary.BigEndian.PutUint64(b[1:], uint64(id))
	return base64.RawURLEncoding.EncodeToString(b[:])
}

func decodeToken(t string) (int64, error) {
	if t == "" {
		return 0, nil
	}
	b, err := base64.RawURLEncoding.DecodeString(t)
	if err != nil || len(b) != 9 || b[0] != 1 {
		return 0, ErrInvalidPageToken
	}
	id := int64(binary.BigEndian.Uint64(b[1:]))
	if id <= 0 {
		return 0, ErrInvalidPageToken
	}
	return id, nil
}

// Locations implements Service.
func (c *Core) Locations(ctx context.Context) ([]Location, error) {
	return c.store.Locations(ctx)
}

// PutLocation implements Service: it creates or updates a location.
func (c *Core) PutLocation(ctx context.Context, l Location) (Location, error) {
	if err := ValidLocation(l.ID); err != nil {
		return Location{}, err
	}
	if l.Kind == "" {
		l.Kind = KindStore
	}
	if l.Kind != KindWarehouse && l.Kind != KindStore {
		return Location{}, errs.Invalid("invalid_location_kind", "kind %q is neither warehouse nor store", clip(l.Kind))
	}
	if l.Name == "" {
		l.Name = l.ID
	}
	if len(l.Name) > 200 {
		return Location{}, errs.Invalid("invalid_location_name", "a location name is at most 200 bytes")
	}
	if err := c.store.PutLocation(ctx, l); err != nil {
		return Location{}, fmt.Errorf("put location %s: %w", l.ID, err)
	}
	return l, nil
}
