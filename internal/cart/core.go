package cart

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"fmt"
	"hash/fnv"
	"log/slog"
	"sync"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart/pricing"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/cache"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// Options configure Core. Catalog and Inventory are required.
type Options struct {
	Catalog   Catalog
	Inventory Inventory
	// Cache holds cart records read-through (SQL stays the record): the
	// in-process cache in the embedded mode, Redis in production. Nil: every
	// read goes to the store. See Core for what a stale entry can do.
	Cache cache.Cache
	// CacheTTL bounds how long a cached record may be served (10 minutes).
	CacheTTL time.Duration
	// Rules are the tax and shipping tables (pricing.IndiaGST()). NewCore
	// panics on rules that do not Validate: check configured ones first.
	Rules *pricing.Rules
	Clock func() time.Time // time.Now
	// NewID makes cart, line and promotion ids (ids.New).
	NewID  func() string
	Logger *slog.Logger

	GuestTTL        time.Duration // a guest cart lives this long after its last change (30 days)
	ClosedRetention time.Duration // merged and ordered carts are kept this long (30 days)
	SweepInterval   time.Duration // how often RunExpiry sweeps (1 hour)
	// PromotionTTL is how long a replica serves its in-memory copy of the
	// live promotions and purchase limits before reloading (5 s). Changes
	// made through this Core are seen at once.
	PromotionTTL time.Duration

	MaxLines    int   // lines per cart (50)
	MaxQuantity int64 // units per line (10)
	MaxCoupons  int   // codes per cart (5)
	LowStock    int64 // "only N left" from this many units down (5)

	// OnCommit is called after a commit that queued an event, e.g. to wake
	// the outbox relay (outbox.Relay.Notify).
	OnCommit func()
}

func (o *Options) defaults() {
	if o.Rules == nil {
		r := pricing.IndiaGST()
		o.Rules = &r
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.NewID == nil {
		o.NewID = ids.New
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.CacheTTL, 10*time.Minute)
	def(&o.GuestTTL, 30*24*time.Hour)
	def(&o.ClosedRetention, 30*24*time.Hour)
	def(&o.SweepInterval, time.Hour)
	def(&o.PromotionTTL, 5*time.Second)
	if o.MaxLines <= 0 {
		o.MaxLines = 50
	}
	if o.MaxQuantity <= 0 {
		o.MaxQuantity = 10
	}
	if o.MaxCoupons <= 0 {
		o.MaxCoupons = 5
	}
	if o.LowStock <= 0 {
		o.LowStock = 5
	}
}

// Core is the cart's rules over a Store. It implements Service.
//
// With a cache, a read that raced a write may put the record it read
// before the write back into the cache after the write refreshed it; that
// stale record is served until CacheTTL at most. Writes never use the
// cache: they read and lock the record in their transaction.
type Core struct {
	store Store
	opts  Options
	cache cache.Cache

	mu       sync.Mutex // guards the snapshot below
	snapAt   time.Time
	promos   []Promotion
	limits   map[string]PurchaseLimit
	snapping chan struct{} // closed when the load in progress ends
	snapGen  uint64        // bumped by invalidateSnapshot

	// cacheMu serialises, per cart (striped by id), the refresh of its
	// cached record after a commit, so that two writers finishing out of
	// order cannot leave the older version in the cache.
	cacheMu [64]sync.Mutex

	redeems *sqldb.Queue[*redeemOp] // redemptions batched, if the store can (redeembatch.go)
}

var _ Service = (*Core)(nil)

// NewCore returns a Core over store.
func NewCore(store Store, opts Options) *Core {
	opts.defaults()
	if opts.Catalog == nil || opts.Inventory == nil {
		panic("cart: NewCore needs Options.Catalog and Options.Inventory")
	}
	if err := opts.Rules.Validate(); err != nil {
		panic("cart: " + err.Error())
	}
	c := &Core{store: store, opts: opts}
	c.redeems = newRedeemQueue(store, c.runRedeems)
	if opts.Cache != nil {
		c.cache = cache.Namespace(opts.Cache, "cart")
	}
	return c
}

// Rules returns the tax and shipping tables in force.
func (c *Core) Rules() *pricing.Rules { return c.opts.Rules }

func (c *Core) now() time.Time { return c.opts.Clock().UTC().Truncate(time.Millisecond) }

// newToken makes a guest cart's secret and the hash that is stored.
func newToken() (token, hash string) {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("cart: " + err.Error())
	}
	token = base64.RawURLEncoding.EncodeToString(b[:])
	return token, hashToken(token)
}

func hashToken(token string) string {
	sum := sha256.Sum256([]byte(token))
	return hex.EncodeToString(sum[:])
}

// authorize checks that the caller of ctx may use r: its member, or the
// holder of its token. Anyone else learns nothing, not even that it exists.
func (c *Core) authorize(ctx context.Context, r Record, token string) error {
	if r.UserID != "" {
		if p, ok := authn.FromContext(ctx); ok && p.IsUser() && p.UserID == r.UserID {
			return nil
		}
		return ErrCartNotFound
	}
	if token == "" || r.TokenHash == "" ||
		subtle.ConstantTimeCompare([]byte(hashToken(token)), []byte(r.TokenHash)) != 1 {
		return ErrCartNotFound
	}
	if r.ExpiresAt != nil && !c.now().Before(*r.ExpiresAt) {
		return ErrCartNotFound
	}
	return nil
}

// cacheKey names a cart's cached record; userKey a member's cart id.
func cacheKey(id string) string   { return "c:" + id }
func userKey(uid string) string   { return "u:" + uid }
func validID(id string) bool      { return ids.Valid(id) == nil }
func (c *Core) log() *slog.Logger { return c.opts.Logger }

// load reads a cart through the cache.
func (c *Core) load(ctx context.Context, id string) (Record, error) {
	if !validID(id) {
		return Record{}, ErrCartNotFound
	}
	if c.cache == nil {
		return c.store.Cart(ctx, id)
	}
	raw, err := c.cache.GetOrLoad(ctx, cacheKey(id), c.opts.CacheTTL, func(ctx context.Context) ([]byte, error) {
		r, err := c.store.Cart(ctx, id)
		if err != nil {
			return nil, err
		}
		return encodeRecord(r)
	})
	if err != nil {
		return Record{}, err
	}
	r, err := decodeRecord(raw)
	if err != nil {
		// A garbled entry is dropped and read again from the record.
		_ = c.cache.Delete(ctx, cacheKey(id))
		return c.store.Cart(ctx, id)
	}
	return r, nil
}

// loadUser reads a member's active cart through the cache.
func (c *Core) loadUser(ctx context.Context, uid string) (Record, error) {
	if c.cache == nil {
		return c.store.UserCart(ctx, uid)
	}
	raw, err := c.cache.GetOrLoad(ctx, userKey(uid), c.opts.CacheTTL, func(ctx context.Context) ([]byte, error) {
		r, err := c.store.UserCart(ctx, uid)
		if err != nil {
			return nil, err
		}
		return []byte(r.ID), nil
	})
	if err != nil {
		return Record{}, err
	}
	r, err := c.load(ctx, string(raw))
	if err == nil && (r.UserID != uid || r.Status != StatusActive) {
		// The mapping is stale (the cart was closed): ask the record.
		_ = c.cache.Delete(ctx, userKey(uid))
		return c.store.UserCart(ctx, uid)
	}
	return r, err
}

// stored refreshes the cache after a commit: the new records replace the
// old, and a member's mapping to a cart that closed is dropped.
func (c *Core) stored(ctx context.Context, recs ...Record) {
	if c.cache == nil {
		return
	}
	ctx = context.WithoutCancel(ctx)
	for _, r := range recs {
		c.storeNewer(ctx, r)
		if r.UserID != "" && r.Status != StatusActive {
			_ = c.cache.Delete(ctx, userKey(r.UserID))
		}
	}
}

// storeNewer caches r unless the cache already holds a newer version of
// the cart (another writer committed after r and stored first).
func (c *Core) storeNewer(ctx context.Context, r Record) {
	h := fnv.New32a()
	_, _ = h.Write([]byte(r.ID))
	mu := &c.cacheMu[h.Sum32()%uint32(len(c.cacheMu))]
	mu.Lock()
	defer mu.Unlock()
	key := cacheKey(r.ID)
	if raw, ok, err := c.cache.Get(ctx, key); err == nil && ok {
		if old, err := decodeRecord(raw); err == nil && old.Version > r.Version {
			return
		}
	}
	raw, err := encodeRecord(r)
	if err != nil {
		_ = c.cache.Delete(ctx, key)
		return
	}
	if err := c.cache.Set(ctx, key, raw, c.opts.CacheTTL); err != nil {
		_ = c.cache.Delete(ctx, key)
	}
}

func (c *Core) committed(emitted bool) {
	if emitted && c.opts.OnCommit != nil {
		c.opts.OnCommit()
	}
}

// snapshot returns the live promotions and the purchase limits, reloading
// them from the store when older than PromotionTTL. One load runs at a
// time; callers meanwhile get the previous copy, or wait for the first.
func (c *Core) snapshot(ctx context.Context) ([]Promotion, map[string]PurchaseLimit, error) {
	for {
		c.mu.Lock()
		fresh := !c.snapAt.IsZero() && c.opts.Clock().Sub(c.snapAt) < c.opts.PromotionTTL
		if fresh || (c.snapping != nil && !c.snapAt.IsZero()) {
			p, l := c.promos, c.limits
			c.mu.Unlock()
			return p, l, nil
		}
		if c.snapping != nil {
			wait := c.snapping
			c.mu.Unlock()
			select {
			case <-wait:
				continue
			case <-ctx.Done():
				return nil, nil, ctx.Err()
			}
		}
		done := make(chan struct{})
		c.snapping = done
		gen := c.snapGen
		c.mu.Unlock()

		promos, limits, err := c.loadSnapshot(ctx)
		c.mu.Lock()
		c.snapping = nil
		close(done)
		if err != nil {
			c.mu.Unlock()
			return nil, nil, err
		}
		c.promos, c.limits, c.snapAt = promos, limits, c.opts.Clock()
		if gen != c.snapGen {
			// A change committed while this load ran: it may predate it.
			c.snapAt = time.Time{}
		}
		c.mu.Unlock()
		return promos, limits, nil
	}
}

func (c *Core) loadSnapshot(ctx context.Context) ([]Promotion, map[string]PurchaseLimit, error) {
	now := c.now()
	promos, err := c.store.LivePromotions(ctx, now)
	if err != nil {
		return nil, nil, fmt.Errorf("load promotions: %w", err)
	}
	list, err := c.store.PurchaseLimits(ctx)
	if err != nil {
		return nil, nil, fmt.Errorf("load purchase limits: %w", err)
	}
	limits := make(map[string]PurchaseLimit, len(list))
	for _, l := range list {
		limits[l.SKU] = l
	}
	return promos, limits, nil
}

// invalidateSnapshot makes the next read reload promotions and limits.
func (c *Core) invalidateSnapshot() {
	c.mu.Lock()
	c.snapAt = time.Time{}
	c.snapGen++
	c.mu.Unlock()
}

// activeLimit returns the purchase limit of sku in force at now.
func activeLimit(limits map[string]PurchaseLimit, sku string, now time.Time) (PurchaseLimit, bool) {
	l, ok := limits[sku]
	if !ok || (l.StartsAt != nil && now.Before(*l.StartsAt)) || (l.EndsAt != nil && !now.Before(*l.EndsAt)) {
		return PurchaseLimit{}, false
	}
	return l, true
}

// remaining is how many more units of each limited SKU the caller may
// put in r: the limit less what a member bought in the limit's window.
// SKUs without a limit are absent.
func (c *Core) remaining(ctx context.Context, r Record, limits map[string]PurchaseLimit, skus []string) (map[string]int64, error) {
	now := c.now()
	out := map[string]int64{}
	since := map[string]time.Time{}
	for _, sku := range skus {
		l, ok := activeLimit(limits, sku, now)
		if !ok {
			continue
		}
		out[sku] = l.MaxPerCustomer
		if r.UserID != "" {
			s := time.Time{}
			if l.StartsAt != nil {
				s = *l.StartsAt
			}
			since[sku] = s
		}
	}
	if len(since) == 0 {
		return out, nil
	}
	bought, err := c.store.Purchased(ctx, r.UserID, since)
	if err != nil {
		return nil, err
	}
	for sku, n := range bought {
		out[sku] = max(out[sku]-n, 0)
	}
	return out, nil
}

// isNotFound reports whether err is a store's "no such cart".
func isNotFound(err error) bool { return errors.Is(err, ErrCartNotFound) }
