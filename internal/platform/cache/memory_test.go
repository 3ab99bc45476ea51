package cache

import (
	"context"
	"errors"
	"fmt"
	"math/rand/v2"
	"strings"
	"sync"
	"testing"
	"time"
)

// fakeClock is the only fake here: time is the edge of the world.
type fakeClock struct {
	mu  sync.Mutex
	now time.Time
}

func newFakeClock() *fakeClock { return &fakeClock{now: time.Unix(1_700_000_000, 0)} }

func (c *fakeClock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *fakeClock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func newTestMemory(t *testing.T, opts MemoryOptions) (*Memory, *fakeClock) {
	clock := newFakeClock()
	opts.Now = clock.Now
	if opts.CleanupInterval == 0 {
		opts.CleanupInterval = -1
	}
	m := NewMemory(opts)
	t.Cleanup(func() { m.Close() })
	return m, clock
}

func TestMemoryConformance(t *testing.T) {
	runConformance(t, func(t *testing.T) harness {
		m, clock := newTestMemory(t, MemoryOptions{})
		return harness{c: m, ttl: time.Minute, advance: clock.Advance}
	})
}

func TestMemoryNamespacedConformance(t *testing.T) {
	runConformance(t, func(t *testing.T) harness {
		m, clock := newTestMemory(t, MemoryOptions{})
		return harness{c: Namespace(m, "svc"), ttl: time.Minute, advance: clock.Advance}
	})
}

func TestMemoryClosed(t *testing.T) {
	m := NewMemory(MemoryOptions{CleanupInterval: time.Millisecond})
	mustSet(t, m, "k", []byte("v"), 0)
	testClosed(t, m)
	if m.Len() != 0 {
		t.Errorf("Close kept %d entries", m.Len())
	}
}

func TestMemoryEvictsLeastRecentlyUsed(t *testing.T) {
	m, _ := newTestMemory(t, MemoryOptions{Shards: 1, MaxEntries: 3})
	for _, k := range []string{"a", "b", "c"} {
		mustSet(t, m, k, []byte(k), 0)
	}
	wantValue(t, m, "a", "a") // a is now the most recently used
	mustSet(t, m, "d", []byte("d"), 0)
	wantMissing(t, m, "b")
	for _, k := range []string{"a", "c", "d"} {
		wantValue(t, m, k, k)
	}
	// Overwriting counts as a use.
	mustSet(t, m, "a", []byte("a2"), 0)
	mustSet(t, m, "e", []byte("e"), 0)
	wantMissing(t, m, "c")
	wantValue(t, m, "a", "a2")
	if m.Len() != 3 {
		t.Errorf("Len = %d, want 3", m.Len())
	}
}

func TestMemoryByteBound(t *testing.T) {
	const val = 1000
	per := int64(val + 1 + entryOverhead)
	m, _ := newTestMemory(t, MemoryOptions{Shards: 1, MaxBytes: 3 * per})
	for i := range 10 {
		mustSet(t, m, fmt.Sprint(i), make([]byte, val), 0)
	}
	if m.Len() != 3 {
		t.Errorf("Len = %d, want 3 entries of %d bytes under a %d-byte bound", m.Len(), per, 3*per)
	}
	for _, k := range []string{"7", "8", "9"} {
		if _, ok := mustGet(t, m, k); !ok {
			t.Errorf("newest entry %s was evicted", k)
		}
	}

	mustSet(t, m, "9", []byte("small"), 0)
	err := m.Set(context.Background(), "9", make([]byte, 4*per), 0)
	if !errors.Is(err, ErrTooLarge) {
		t.Fatalf("Set of a value over the bound: err = %v, want %v", err, ErrTooLarge)
	}
	wantMissing(t, m, "9") // the old value is stale after a Set, stored or not
	if _, err := m.SetNX(context.Background(), "lock", make([]byte, 4*per), 0); !errors.Is(err, ErrTooLarge) {
		t.Fatalf("SetNX of a value over the bound: err = %v", err)
	}
}

func TestMemoryBoundsAcrossShards(t *testing.T) {
	tests := []struct {
		name string
		opts MemoryOptions
	}{
		{"entries", MemoryOptions{MaxEntries: 1000, Shards: 32}},
		{"fewer entries than shards", MemoryOptions{MaxEntries: 5, Shards: 32}},
		{"bytes", MemoryOptions{MaxBytes: 64 << 10, Shards: 8}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			m, _ := newTestMemory(t, tt.opts)
			for i := range 20_000 {
				mustSet(t, m, fmt.Sprintf("key-%d", i), []byte("some value"), 0)
			}
			var entries int
			var used int64
			for i := range m.shards {
				entries += len(m.shards[i].items)
				used += m.shards[i].bytes
			}
			if tt.opts.MaxEntries > 0 && (entries > tt.opts.MaxEntries || entries < tt.opts.MaxEntries*9/10) {
				t.Errorf("%d entries under a bound of %d", entries, tt.opts.MaxEntries)
			}
			if tt.opts.MaxBytes > 0 && (used > tt.opts.MaxBytes || used < tt.opts.MaxBytes*9/10) {
				t.Errorf("%d bytes under a bound of %d", used, tt.opts.MaxBytes)
			}
			if entries != m.Len() {
				t.Errorf("Len = %d, shards hold %d", m.Len(), entries)
			}
		})
	}
}

func TestMemoryRemoveExpired(t *testing.T) {
	m, clock := newTestMemory(t, MemoryOptions{})
	for i := range 10 {
		mustSet(t, m, fmt.Sprint("short", i), []byte("v"), time.Second)
		mustSet(t, m, fmt.Sprint("long", i), []byte("v"), time.Hour)
	}
	mustSet(t, m, "forever", []byte("v"), 0)
	if n := m.RemoveExpired(); n != 0 {
		t.Fatalf("RemoveExpired before any TTL ran out removed %d", n)
	}
	clock.Advance(time.Second)
	if n := m.RemoveExpired(); n != 10 {
		t.Fatalf("RemoveExpired removed %d, want 10", n)
	}
	if m.Len() != 11 {
		t.Fatalf("Len = %d, want 11", m.Len())
	}
	var used int64
	for i := range m.shards {
		used += m.shards[i].bytes
	}
	if want := 11 * (int64(len("long0")+1) + entryOverhead); used != want+int64(len("forever")-len("long0")) {
		t.Errorf("byte count %d after removals, want %d", used, want+int64(len("forever")-len("long0")))
	}
}

func TestMemorySweeper(t *testing.T) {
	m, clock := newTestMemory(t, MemoryOptions{CleanupInterval: time.Millisecond})
	mustSet(t, m, "k", []byte("v"), time.Second)
	mustSet(t, m, "keep", []byte("v"), 0)
	clock.Advance(2 * time.Second)
	// Nobody reads k: only the sweeper can drop it.
	eventually(t, func() bool { return m.Len() == 1 }, "the sweeper to drop the expired entry")
}

func TestMemoryConcurrentUse(t *testing.T) {
	m, _ := newTestMemory(t, MemoryOptions{MaxEntries: 200, Shards: 4})
	ctx := context.Background()
	var wg sync.WaitGroup
	for w := range 8 {
		wg.Go(func() {
			r := rand.New(rand.NewPCG(uint64(w), 0))
			for range 2000 {
				key := fmt.Sprint("k", r.IntN(500))
				var err error
				switch r.IntN(5) {
				case 0:
					err = m.Set(ctx, key, []byte(key), time.Duration(r.IntN(3))*time.Second)
				case 1:
					_, err = m.SetNX(ctx, key, []byte(key), 0)
				case 2:
					err = m.Delete(ctx, key)
				case 3:
					_, err = m.IncrBy(ctx, "n"+key, 1, time.Second)
				default:
					var v []byte
					var ok bool
					v, ok, err = m.Get(ctx, key)
					if ok && string(v) != key {
						t.Errorf("Get(%s) = %q", key, v)
					}
				}
				if err != nil {
					t.Error(err)
					return
				}
			}
		})
	}
	wg.Wait()
	if m.Len() > 200 {
		t.Errorf("Len = %d over the bound of 200", m.Len())
	}
}

func TestNamespace(t *testing.T) {
	m, _ := newTestMemory(t, MemoryOptions{})
	ctx := context.Background()
	cat, ord := Namespace(m, "catalog"), Namespace(m, "order")
	mustSet(t, cat, "p:1", []byte("shirt"), 0)
	mustSet(t, ord, "p:1", []byte("order one"), 0)
	wantValue(t, m, "catalog:p:1", "shirt")
	wantValue(t, Namespace(Namespace(m, "catalog"), "p"), "1", "shirt")
	if err := ord.Delete(ctx, "p:1"); err != nil {
		t.Fatal(err)
	}
	wantValue(t, cat, "p:1", "shirt")
	wantMissing(t, ord, "p:1")
	if err := cat.Close(); err != nil {
		t.Fatal(err)
	}
	if err := m.Ping(ctx); err != nil {
		t.Fatalf("closing a view closed the cache: %v", err)
	}
}

func TestOpen(t *testing.T) {
	ctx := context.Background()
	for _, url := range []string{"", "memory"} {
		c, err := Open(ctx, url)
		if err != nil {
			t.Fatalf("Open(%q): %v", url, err)
		}
		if _, ok := c.(*Memory); !ok {
			t.Errorf("Open(%q) = %T, want *Memory", url, c)
		}
		c.Close()
	}
	for _, url := range []string{"http://cache:80", "postgres://u:hunter2@db/x", "hunter2", "redis://:hunter2@host:port/0"} {
		_, err := Open(ctx, url)
		if err == nil {
			t.Errorf("Open(%q) succeeded", url)
			continue
		}
		if strings.Contains(err.Error(), "hunter2") {
			t.Errorf("Open(%q) error shows the secret: %v", url, err)
		}
	}

	// Nothing listens on port 1: start-up must fail fast and say why.
	ctx, cancel := context.WithTimeout(ctx, 10*time.Second)
	defer cancel()
	_, err := Open(ctx, "redis://:hunter2@127.0.0.1:1/0?max_retries=-1")
	if !errors.Is(err, ErrUnavailable) || strings.Contains(err.Error(), "hunter2") {
		t.Errorf("Open of an unreachable Redis: err = %v, want %v without the password", err, ErrUnavailable)
	}
}
