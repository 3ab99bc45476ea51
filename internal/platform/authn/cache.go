package authn

import (
	"crypto/sha256"
	"sync"
	"time"
)

// tokenCache remembers resolved tokens for a few seconds. Keys are hashes,
// so a heap dump does not hold live tokens longer than the requests did.
type tokenCache struct {
	mu    sync.Mutex
	items map[[32]byte]cached
	max   int
	ttl   time.Duration
	now   func() time.Time
}

type cached struct {
	p       Principal
	expires time.Time
}

func newTokenCache(size int, ttl time.Duration, now func() time.Time) *tokenCache {
	if size <= 0 {
		size = 10_000
	}
	return &tokenCache{items: make(map[[32]byte]cached), max: size, ttl: ttl, now: now}
}

func (c *tokenCache) get(token string) (Principal, bool) {
	k := sha256.Sum256([]byte(token))
	c.mu.Lock()
	defer c.mu.Unlock()
	e, ok := c.items[k]
	if !ok {
		return Principal{}, false
	}
	if !c.now().Before(e.expires) {
		delete(c.items, k)
		return Principal{}, false
	}
	return e.p, true
}

func (c *tokenCache) put(token string, p Principal) {
	k := sha256.Sum256([]byte(token))
	now := c.now()
	c.mu.Lock()
	defer c.mu.Unlock()
	if len(c.items) >= c.max {
		// Drop the expired entries, and if that is not enough, any: map
		// order is random, and the dropped ones are merely resolved again.
		for key, e := range c.items {
			if !now.Before(e.expires) || len(c.items) >= c.max {
				delete(c.items, key)
			}
			if len(c.items) < c.max*9/10 {
				break
			}
		}
	}
	c.items[k] = cached{p: p, expires: now.Add(c.ttl)}
}
