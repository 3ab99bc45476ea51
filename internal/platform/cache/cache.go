// Package cache is Bazaar's key-value cache: read-through caching, rate-limit
// counters, short locks and idempotency markers. One interface has two
// implementations: Memory, in-process, for the embedded mode, and Redis for
// production, where every replica shares it.
//
// Invalidation: Delete on Redis removes a key for every replica at once. The
// in-process cache is per process; a replica cannot see another's Delete, so
// data cached in memory must be fine to serve until its TTL runs out (or the
// deployment runs one process, as the embedded mode does).
//
// A cache is allowed to forget: Memory evicts least recently used entries
// when full, and Redis may be configured to. Never keep in it the only copy
// of something that matters.
package cache

import (
	"context"
	"fmt"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// Cache stores byte values under string keys with a time to live. A ttl of
// zero or less means no expiry.
type Cache interface {
	// Get returns the value under key; ok is false when there is none.
	Get(ctx context.Context, key string) (val []byte, ok bool, err error)
	// Set stores val under key, replacing any value and its ttl.
	Set(ctx context.Context, key string, val []byte, ttl time.Duration) error
	// SetNX stores val only if key holds nothing, and reports whether it did:
	// the building block of locks and idempotency markers.
	SetNX(ctx context.Context, key string, val []byte, ttl time.Duration) (bool, error)
	// Delete removes keys; missing keys are not an error.
	Delete(ctx context.Context, keys ...string) error
	// IncrBy adds n to the integer counter under key (a missing key counts
	// as 0) and returns the new value. ttl is applied when the counter has
	// no expiry, that is when IncrBy creates it, so later calls do not push
	// the expiry back: a fixed-window rate limit is IncrBy(key, 1, window).
	// The value reads back through Get as decimal text.
	IncrBy(ctx context.Context, key string, n int64, ttl time.Duration) (int64, error)
	// GetOrLoad returns the value under key, or calls load, stores its
	// result for ttl and returns it. Concurrent misses of one key in a
	// process share a single load. A cache that fails is bypassed, not
	// reported: the data still comes from load. An error from load is
	// returned and not cached.
	GetOrLoad(ctx context.Context, key string, ttl time.Duration, load LoadFunc) ([]byte, error)
	// Ping reports whether the cache can serve, for /readyz.
	Ping(ctx context.Context) error
	// Close releases the cache. Later calls fail with ErrClosed.
	Close() error
}

// LoadFunc produces the value for a key that is not cached.
type LoadFunc func(ctx context.Context) ([]byte, error)

var (
	// ErrClosed is returned by a cache after Close.
	ErrClosed = errs.Unavailable("cache_closed", "the cache is closed")
	// ErrUnavailable is returned when the cache server cannot be reached.
	ErrUnavailable = errs.Unavailable("cache_unavailable", "the cache is unavailable")
	// ErrNotCounter is returned by IncrBy when the value is not an integer
	// or the sum would overflow int64.
	ErrNotCounter = errs.E(errs.KindConflict, "cache_not_counter", "the cached value is not a counter or would overflow")
	// ErrTooLarge is returned by the in-process cache for a value bigger
	// than one shard's share of MaxBytes.
	ErrTooLarge = errs.E(errs.KindTooLarge, "cache_value_too_large", "the value is too large to cache")
)

// Open opens the cache a URL names: the in-process cache for "" or "memory",
// Redis for "redis://", "rediss://" or "unix://" URLs. Opening Redis pings
// it, so a wrong address stops start-up with ErrUnavailable.
func Open(ctx context.Context, url string) (Cache, error) {
	scheme, _, _ := strings.Cut(url, "://")
	switch {
	case url == "" || url == "memory":
		return NewMemory(MemoryOptions{}), nil
	case scheme == "redis" || scheme == "rediss" || scheme == "unix":
		return OpenRedis(ctx, url)
	}
	if !strings.Contains(url, "://") {
		scheme = "" // not a URL: do not echo what may be a secret
	}
	return nil, fmt.Errorf("cache: unsupported URL scheme %q: want redis://, rediss://, unix:// or empty for in-process", scheme)
}
