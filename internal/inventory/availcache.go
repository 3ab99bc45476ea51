package inventory

import (
	"context"
	"slices"
	"sync"
	"time"
)

// Every cart read and every checkout's quote asks how many units of its
// SKUs are available; in a sale that is thousands of the same question a
// second, and the answer changes only when a bucket does. cachedStore
// answers Available from memory. A transaction of this process that
// changes buckets it read (under their locks) moves the cached figure by
// what it changed once it commits, so a checkout storm on a few SKUs does
// not send every quote to the database (forgetting the SKU at each
// reservation did); a change it cannot account for forgets the SKU. Other
// processes' changes (more inventory replicas) show after at most the
// TTL, which also bounds how long a cached figure goes unchecked. The
// figure is for display and the quote's early "sold out"; a reservation
// always checks the buckets under their locks.
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

// move adds a committed transaction's change to each SKU's figure, where
// the figure is cached and good; either way a read under way across the
// commit is not kept.
func (s *cachedStore) move(deltas map[string]int64) {
	s.mu.Lock()
	defer s.mu.Unlock()
	for sku, d := range deltas {
		e := s.skus[sku]
		if e == nil {
			continue
		}
		good := e.cachedVer == e.ver
		e.ver++
		if good && e.n >= 0 {
			e.n += d
			e.cachedVer = e.ver
		}
	}
}

// Update follows the buckets the transaction reads and writes, and once it
// has ended moves the figures of the SKUs it changed (committed) or
// forgets them (not committed, or changed blind).
func (s *cachedStore) Update(ctx context.Context, fn func(Tx) error) error {
	var n *noteTx
	err := s.Store.Update(ctx, func(tx Tx) error {
		n = &noteTx{Tx: tx} // a store may run fn again: only the last run counts
		return fn(n)
	})
	if n == nil {
		return err
	}
	if err != nil {
		s.forget(n.touched())
		return err
	}
	s.forget(n.blind)
	s.move(n.deltas)
	return nil
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

// noteTx follows a transaction's buckets: what it read (locked), and by
// how much its writes change each SKU's sellable units.
type noteTx struct {
	Tx
	seen   map[BucketKey]Bucket // as read or last written in this transaction
	deltas map[string]int64     // SKU -> change of its sellable units
	blind  []string             // SKUs with a bucket written but not read
}

func (t *noteTx) Buckets(ctx context.Context, q BucketQuery, read []string) ([]Bucket, map[string]*Hold, error) {
	bs, holds, err := t.Tx.Buckets(ctx, q, read)
	if err == nil {
		if t.seen == nil {
			t.seen = make(map[BucketKey]Bucket, len(bs))
		}
		for _, b := range bs {
			if _, ok := t.seen[b.Key()]; !ok { // a write in this transaction is newer
				t.seen[b.Key()] = b
			}
		}
	}
	return bs, holds, err
}

func (t *noteTx) Apply(ctx context.Context, c Changes) error {
	if t.deltas == nil {
		t.deltas = map[string]int64{}
	}
	for _, b := range c.Buckets {
		was, ok := t.seen[b.Key()]
		if !ok {
			t.blind = append(t.blind, b.SKU)
			continue
		}
		t.note(was, b)
	}
	for _, b := range c.NewBuckets {
		t.blind = append(t.blind, b.SKU) // new stock: read it afresh
	}
	return t.Tx.Apply(ctx, c)
}

// note records bucket was becoming now. A bucket's location is sellable or
// not for the whole transaction (a location change forgets everything).
func (t *noteTx) note(was, now Bucket) {
	now.Sellable = was.Sellable
	t.seen[now.Key()] = now
	if was.Sellable {
		t.deltas[now.SKU] += now.Available() - was.Available()
	}
}

// touched is every SKU the transaction wrote.
func (t *noteTx) touched() []string {
	out := slices.Clone(t.blind)
	for sku := range t.deltas {
		out = append(out, sku)
	}
	return out
}
