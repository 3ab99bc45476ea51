package catalog

import (
	"context"
	"encoding/json"
	"strconv"
	"time"
)

// Caching works by generation: every cached read is stored under a key that
// includes the current catalogue generation, a token kept in the cache
// itself. A committed write replaces the token, so every reader — in this
// process or, with Redis, in any replica — stops finding the old entries at
// once and they expire on their own. A price change is visible on the next
// request, not after a TTL.
//
// A reader that loaded old data concurrently with a write can only store it
// under the old generation, which nobody reads any more.

const genKey = "gen"

// genMaxAge is how long a process trusts the generation it last read. It
// saves a round trip to Redis on every request; another replica's write
// shows here at most this much later. This process's own writes show at
// once.
const genMaxAge = 250 * time.Millisecond

type genState struct {
	gen string
	at  time.Time
}

// generation returns the current generation token, or "" when the cache is
// absent or failing (and the read goes to the store).
func (c *Core) generation(ctx context.Context) string {
	if c.cache == nil {
		return ""
	}
	now := c.opts.Now()
	if g := c.gen.Load(); g != nil {
		if age := now.Sub(g.at); age >= 0 && age < genMaxAge {
			return g.gen
		}
	}
	gen := c.readGeneration(ctx)
	if gen != "" {
		c.gen.Store(&genState{gen: gen, at: now})
	}
	return gen
}

func (c *Core) readGeneration(ctx context.Context) string {
	v, ok, err := c.cache.Get(ctx, genKey)
	if err != nil {
		c.opts.Logger.WarnContext(ctx, "catalog: cache unavailable; reading through", "err", err)
		return ""
	}
	if ok {
		return string(v)
	}
	// Never set, or evicted: start from a token no earlier generation used.
	fresh := c.newID()
	if _, err := c.cache.SetNX(ctx, genKey, []byte(fresh), 0); err != nil {
		return ""
	}
	if v, ok, err := c.cache.Get(ctx, genKey); err == nil && ok {
		return string(v)
	}
	return ""
}

func (c *Core) bumpGeneration(ctx context.Context) {
	if c.cache == nil {
		return
	}
	// Not bound to the request: a client that hangs up after the commit
	// must not leave the cache serving the old catalogue.
	ctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 2*time.Second)
	defer cancel()
	gen := c.newID()
	if err := c.cache.Set(ctx, genKey, []byte(gen), 0); err != nil {
		c.gen.Store(nil)
		c.opts.Logger.ErrorContext(ctx, "catalog: could not invalidate the cache; reads may be stale until their TTL", "err", err)
		return
	}
	c.gen.Store(&genState{gen: gen, at: c.opts.Now()})
}

// cachedJSON returns the JSON of the value load produces for key in the
// current generation, loading and caching it on a miss.
func (c *Core) cachedJSON(ctx context.Context, key string, load func(ctx context.Context) (any, error)) ([]byte, error) {
	gen := c.generation(ctx)
	if gen == "" {
		v, err := load(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	}
	return c.cache.GetOrLoad(ctx, key+"@"+gen, c.opts.CacheTTL, func(ctx context.Context) ([]byte, error) {
		v, err := load(ctx)
		if err != nil {
			return nil, err
		}
		return json.Marshal(v)
	})
}

// cached is cachedJSON decoded into a T; without a cache it is load.
func cached[T any](ctx context.Context, c *Core, key string, load func(ctx context.Context) (T, error)) (T, error) {
	var zero T
	if c.cache == nil {
		return load(ctx)
	}
	b, err := c.cachedJSON(ctx, key, func(ctx context.Context) (any, error) { return load(ctx) })
	if err != nil {
		return zero, err
	}
	var v T
	if err := json.Unmarshal(b, &v); err != nil {
		return zero, err
	}
	return v, nil
}

// memoized keeps a value derived from the store in memory for as long as
// the generation stays the same. Without a cache there is no shared
// generation, so it keeps the value only while this process has made no
// write and for at most maxAge.
func memoized[T any](ctx context.Context, c *Core, name string, load func(ctx context.Context) (T, error)) (T, error) {
	gen := c.generation(ctx)
	if gen == "" {
		gen = "local" + strconv.FormatInt(c.localGen.Load(), 10) + "/" + strconv.FormatInt(c.now().Unix()/memoMaxAgeSeconds, 10)
	}
	c.memoMu.Lock()
	e, ok := c.memo[name]
	c.memoMu.Unlock()
	if ok && e.gen == gen {
		return e.val.(T), nil
	}
	v, err := load(ctx)
	if err != nil {
		var zero T
		return zero, err
	}
	c.memoMu.Lock()
	c.memo[name] = memoEntry{gen: gen, val: v}
	c.memoMu.Unlock()
	return v, nil
}

// memoMaxAgeSeconds bounds how stale a memo may be without a shared cache:
// another replica's write shows within this time.
const memoMaxAgeSeconds = 5
