package inventory

import (
	"context"
	"sync"
	"time"
)

// Every cart read and every checkout's quote asks how many units of its
// SKUs are available; in a sale that is thousands of the same question a
// second, and the answer changes only when a bucket does. cachedStore
// answers Available from memory, and forgets a SKU when a transaction of
// this process changes one of its buckets. Other processes' changes (more
// inventory replicas) show after at most the TTL. The figure is for
// display and the quote's early "sold out"; a reservation always checks
// the buckets under their locks.
type cachedStore struct {
	Store
	ttl   time.Duration
	clock func() time.Time

	mu   sync.Mutex
	skus map[string]*availEntry
}

// availEntry is a SKU's cached figure. ver counts the changes seen; the
// figure is good while cachedVer == ver, so a read that raced a change
// (read before the commit, stored after it) is never used.
type availEntry struct {
	ver, cachedVer uint64
	n              int64 // -1: no stock record
	at             time.Time
}

// maxCachedSKUs bounds the memory; past it the cache starts afresh.
const maxCachedSKUs = 200_000

func newCachedStore(s Store, ttl time.Duration, clock func() time.Time) *cachedStore {
	return &cachedStore{Store: s, ttl: ttl, clock: clock, skus: map[string]*availEntry{}}
}

// Available answers from memory what it can and reads the rest.
func (s *cachedStore) Available(ctx context.Context, skus []string) (map[string]int64, error) {
	now := s.clock()
	out := make(map[string]int64, len(skus))
	var missing []string
	var vers []uint64
	s.mu.Lock()
	if len(s.skus)+len(skus) > maxCachedSKUs {
		s.skus = map[string]*availEntry{}
	}
	for _, sku := range skus {
		e := s.skus[sku]
		if e != nil && e.cachedVer == e.ver && now.Sub(e.at) < s.ttl {
			if e.n >= 0 {
				out[sku] = e.n
			}
			continue
		}
		if e == nil {
			// Made now, so that a change committed during the read is seen.
			e = &availEntry{}
			s.skus[sku] = e
		}
		missing = append(missing, sku)
		vers = append(vers, e.ver)
	}
	s.mu.Unlock()
	if len(missing) == 0 {
		return out, nil
	}
	got, err := s.Store.Available(ctx, missing)
	if err != nil {
		return nil, err
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	for i, sku := range missing {
		n, ok := got[sku]
		if ok {
			out[sku] = n
		} else {
			n = -1
		}
		e := s.skus[sku]
		if e != nil && e.ver == vers[i] { // no change committed since the read began
			e.n, e.at, e.cachedVer = n, now, e.ver
		}
	}
	return out, nil
}

// forget marks skus changed.
func (s *cachedStore) forget(skus []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for _, sku := range skus {
		if e := s.skus[sku]; e != nil {
			e.ver++
		}
	}
}

// Update notes the SKUs whose buckets the transaction writes and forgets
// them once it has ended (committed or not).
func (s *cachedStore) Update(ctx context.Context, fn func(Tx) error) error {
	var changed []string
	defer func() { s.forget(changed) }()
	return s.Store.Update(ctx, func(tx Tx) error {
		changed = changed[:0] // a store may run fn again
		return fn(noteTx{Tx: tx, changed: &changed})
	})
}

// ImportNew forgets the imported SKUs.
func (s *cachedStore) ImportNew(ctx context.Context, levels []NewStock, at time.Time) ([]NewStock, error) {
	skus := make([]string, len(levels))
	for i, l := range levels {
		skus[i] = l.SKU
	}
	defer s.forget(skus)
	return s.Store.ImportNew(ctx, levels, at)
}

// PutLocation forgets everything: a location that stops (or starts)
// selling changes every SKU stocked there.
func (s *cachedStore) PutLocation(ctx context.Context, l Location) error {
	defer func() {
		s.mu.Lock()
		defer s.mu.Unlock()
		for _, e := range s.skus {
			e.ver++
		}
	}()
	return s.Store.PutLocation(ctx, l)
}

// noteTx records the SKUs of the buckets a transaction applies.
type noteTx struct {
	Tx
	changed *[]string
}

func (t noteTx) Apply(ctx context.Context, c Changes) error {
	for _, b := range c.Buckets {
		*t.changed = append(*t.changed, b.SKU)
	}
	for _, b := range c.NewBuckets {
		*t.changed = append(*t.changed, b.SKU)
	}
	return t.Tx.Apply(ctx, c)
}
