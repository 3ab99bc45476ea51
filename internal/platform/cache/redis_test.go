package cache

import (
	"context"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/testenv"
)

func openTestRedis(t testing.TB) *Redis {
	url := testenv.RedisURL(t)
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	r, err := OpenRedis(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return r
}

// namespaceForTest gives a test keys of its own and deletes them afterwards.
func namespaceForTest(t testing.TB, r *Redis) Cache {
	prefix := testenv.Name("cachetest")
	t.Cleanup(func() {
		ctx := context.Background()
		iter := r.client.Scan(ctx, 0, prefix+":*", 1000).Iterator()
		var keys []string
		for iter.Next(ctx) {
			keys = append(keys, iter.Val())
		}
		if err := iter.Err(); err != nil {
			t.Errorf("scan %s: %v", prefix, err)
		}
		if len(keys) > 0 {
			if err := r.client.Del(ctx, keys...).Err(); err != nil {
				t.Errorf("clean up %s: %v", prefix, err)
			}
		}
	})
	return Namespace(r, prefix)
}

func TestRedisConformance(t *testing.T) {
	r := openTestRedis(t)
	runConformance(t, func(t *testing.T) harness {
		return harness{c: namespaceForTest(t, r), ttl: 150 * time.Millisecond, advance: func(time.Duration) {}}
	})
}

func TestRedisIncrByTTL(t *testing.T) {
	r := openTestRedis(t)
	c := namespaceForTest(t, r)
	ctx := context.Background()
	if _, err := c.IncrBy(ctx, "w", 1, time.Minute); err != nil {
		t.Fatal(err)
	}
	if _, err := c.IncrBy(ctx, "w", 1, time.Hour); err != nil {
		t.Fatal(err)
	}
	ttl, err := r.client.PTTL(ctx, c.(*namespaced).prefix+"w").Result()
	if err != nil {
		t.Fatal(err)
	}
	if ttl <= 0 || ttl > time.Minute {
		t.Errorf("PTTL = %v, want the first call's minute", ttl)
	}
	// A sub-millisecond TTL must still expire, not become "no expiry".
	if err := c.Set(ctx, "tiny", []byte("v"), time.Microsecond); err != nil {
		t.Fatal(err)
	}
	eventually(t, func() bool {
		_, ok, err := c.Get(ctx, "tiny")
		return err == nil && !ok
	}, "a 1µs TTL to expire")
}

func TestRedisOpen(t *testing.T) {
	url := testenv.RedisURL(t)
	c, err := Open(context.Background(), url)
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := c.(*Redis); !ok {
		t.Errorf("Open(redis URL) = %T, want *Redis", c)
	}
	testClosed(t, c)
}
