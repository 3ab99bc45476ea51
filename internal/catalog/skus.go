package catalog

import (
	"context"
	"fmt"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

const maxLookup = 200

// LookupSKUs implements Service. The cart prices every read and every
// checkout with it, so it answers from this process's SKU cache when it
// can (see skuCache) and asks the store only for the SKUs it misses.
func (c *Core) LookupSKUs(ctx context.Context, skus []string) ([]SKUInfo, error) {
	if len(skus) > maxLookup {
		return nil, invalidField(ErrInvalidFilter, "sku", fmt.Sprintf("at most %d SKUs at once", maxLookup))
	}
	norm := make([]string, 0, len(skus))
	for i, s := range skus {
		n, err := normSKU("sku/"+strconv.Itoa(i), s)
		if err != nil {
			return nil, err
		}
		norm = append(norm, n)
	}
	slices.Sort(norm)
	norm = slices.Compact(norm)
	if len(norm) == 0 {
		return []SKUInfo{}, nil
	}
	key := c.skuGeneration(ctx)
	if key == "" { // no shared generation to tell when the cache is stale: the store answers
		return c.lookupStore(ctx, norm)
	}
	infos, missing := c.skus.get(key, c.opts.Now(), c.opts.CacheTTL, norm)
	if len(missing) > 0 {
		loaded, err := c.lookupStore(ctx, missing)
		if err != nil {
			return nil, err
		}
		// Cache what was loaded only if no write was seen meanwhile: data
		// read before a commit must not land in the generation after it.
		if c.skuGeneration(ctx) == key {
			c.skus.put(key, c.opts.Now(), c.opts.CacheTTL, missing, loaded)
		}
		infos = append(infos, loaded...)
		slices.SortFunc(infos, func(a, b SKUInfo) int { return strings.Compare(a.SKU, b.SKU) })
	}
	for i := range infos {
		infos[i] = infos[i].clone() // the cached copy is shared
	}
	return infos, nil
}

func (c *Core) lookupStore(ctx context.Context, skus []string) ([]SKUInfo, error) {
	infos, err := c.store.SKUs(ctx, skus)
	if err != nil {
		return nil, fmt.Errorf("lookup skus: %w", err)
	}
	if infos == nil {
		infos = []SKUInfo{}
	}
	return infos, nil
}

// skuGeneration names the catalogue version the SKU cache may serve: the
// shared generation (which any replica's committed write replaces, seen
// here within genMaxAge) and this process's own write count (so that a
// write here shows at once even when replacing the shared token failed).
// "" when there is no shared cache, or it is failing.
func (c *Core) skuGeneration(ctx context.Context) string {
	gen := c.generation(ctx)
	if gen == "" {
		return ""
	}
	return gen + "/" + strconv.FormatInt(c.localGen.Load(), 10)
}

// skuCache keeps what LookupSKUs answered, by SKU, for one catalogue
// generation: a committed write moves the generation and so empties it, the
// way it makes every cached listing unreachable. Unknown SKUs are kept too
// (a write that adds one moves the generation). Its entries live at most
// Options.CacheTTL, the bound the shared cache's entries have, in case
// another replica could not replace the shared generation.
type skuCache struct {
	mu   sync.RWMutex
	gen  string
	born time.Time
	m    map[string]skuEntry
}

type skuEntry struct {
	info  SKUInfo
	known bool
}

// skuCacheMax bounds the entries kept: at about 1 KB each, 50,000 SKUs
// take about 50 MB.
const skuCacheMax = 50000

// get returns the cached infos of skus (sorted, distinct) in generation gen,
// in order, and the SKUs it does not hold.
func (s *skuCache) get(gen string, now time.Time, ttl time.Duration, skus []string) ([]SKUInfo, []string) {
	s.mu.RLock()
	defer s.mu.RUnlock()
	if !s.valid(gen, now, ttl) {
		return make([]SKUInfo, 0, len(skus)), skus
	}
	infos := make([]SKUInfo, 0, len(skus))
	var missing []string
	for _, sku := range skus {
		e, ok := s.m[sku]
		switch {
		case !ok:
			missing = append(missing, sku)
		case e.known:
			infos = append(infos, e.info)
		}
	}
	return infos, missing
}

// put records what the store said of skus in generation gen: infos for the
// known ones, and that the others are unknown.
func (s *skuCache) put(gen string, now time.Time, ttl time.Duration, skus []string, infos []SKUInfo) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.valid(gen, now, ttl) || len(s.m)+len(skus) > skuCacheMax {
		s.gen, s.born, s.m = gen, now, make(map[string]skuEntry, len(skus))
	}
	for _, sku := range skus {
		s.m[sku] = skuEntry{}
	}
	for _, i := range infos {
		s.m[i.SKU] = skuEntry{info: i.clone(), known: true}
	}
}

// valid says whether the entries held belong to gen and are younger than
// ttl.
func (s *skuCache) valid(gen string, now time.Time, ttl time.Duration) bool {
	age := now.Sub(s.born)
	return s.m != nil && s.gen == gen && age >= 0 && age < ttl
}

// clone copies what an SKUInfo shares by reference.
func (i SKUInfo) clone() SKUInfo {
	i.Categories = slices.Clone(i.Categories)
	i.Collections = slices.Clone(i.Collections)
	if i.CompareAt != nil {
		ca := *i.CompareAt
		i.CompareAt = &ca
	}
	if i.Image != nil {
		img := *i.Image
		i.Image = &img
	}
	return i
}
