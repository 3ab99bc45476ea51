package cache

import (
	"context"
	"time"
)

// Namespace returns a view of c whose keys are prefixed "name:", so services
// sharing one Redis cannot collide: Namespace(c, "catalog").Set(ctx, "p:1",
// …) writes "catalog:p:1". Views nest. Closing a view does nothing: whoever
// opened c closes it.
func Namespace(c Cache, name string) Cache {
	return &namespaced{base: c, prefix: name + ":"}
}

type namespaced struct {
	base   Cache
	prefix string
}

func (n *namespaced) Get(ctx context.Context, key string) ([]byte, bool, error) {
	return n.base.Get(ctx, n.prefix+key)
}

func (n *namespaced) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	return n.base.Set(ctx, n.prefix+key, val, ttl)
}

func (n *namespaced) SetNX(ctx context.Context, key string, val []byte, ttl time.Duration) (bool, error) {
	return n.base.SetNX(ctx, n.prefix+key, val, ttl)
}

func (n *namespaced) Delete(ctx context.Context, keys ...string) error {
	full := make([]string, len(keys))
	for i, k := range keys {
		full[i] = n.prefix + k
	}
	return n.base.Delete(ctx, full...)
}

func (n *namespaced) IncrBy(ctx context.Context, key string, by int64, ttl time.Duration) (int64, error) {
	return n.base.IncrBy(ctx, n.prefix+key, by, ttl)
}

func (n *namespaced) GetOrLoad(ctx context.Context, key string, ttl time.Duration, load LoadFunc) ([]byte, error) {
	return n.base.GetOrLoad(ctx, n.prefix+key, ttl, load)
}

func (n *namespaced) Ping(ctx context.Context) error { return n.base.Ping(ctx) }

func (n *namespaced) Close() error { return nil }
