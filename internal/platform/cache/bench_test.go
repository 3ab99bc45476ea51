package cache

import (
	"context"
	"fmt"
	"testing"
)

func benchmarkGet(b *testing.B, c Cache) {
	ctx := context.Background()
	keys := make([]string, 1024)
	for i := range keys {
		keys[i] = fmt.Sprint("bench-", i)
		if err := c.Set(ctx, keys[i], make([]byte, 256), 0); err != nil {
			b.Fatal(err)
		}
	}
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			if _, ok, err := c.Get(ctx, keys[i%len(keys)]); err != nil || !ok {
				b.Fatalf("Get: %v %v", ok, err)
			}
			i++
		}
	})
}

func BenchmarkMemoryGet(b *testing.B) {
	m := NewMemory(MemoryOptions{})
	defer m.Close()
	benchmarkGet(b, m)
}

func BenchmarkRedisGet(b *testing.B) {
	benchmarkGet(b, namespaceForTest(b, openTestRedis(b)))
}
