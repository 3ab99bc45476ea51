package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"math"
	"slices"
	"strconv"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// harness is one implementation under the conformance suite.
type harness struct {
	c   Cache
	ttl time.Duration // short enough to wait out
	// advance moves a fake clock past a TTL; real-time harnesses do nothing
	// and the suite polls until the key is gone.
	advance func(time.Duration)
}

// expire lets key's TTL run out and waits until the cache agrees.
func (h harness) expire(t *testing.T, key string) {
	t.Helper()
	h.advance(h.ttl + time.Millisecond)
	eventually(t, func() bool {
		_, ok, err := h.c.Get(context.Background(), key)
		return err == nil && !ok
	}, "%q to expire", key)
}

func eventually(t *testing.T, cond func() bool, format string, args ...any) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out waiting for "+format, args...)
		}
		time.Sleep(2 * time.Millisecond)
	}
}

// loaderOf finds the flight state behind a cache or a view of one.
func loaderOf(c Cache) *loader {
	switch c := c.(type) {
	case *Memory:
		return &c.loader
	case *Redis:
		return &c.loader
	case *namespaced:
		return loaderOf(c.base)
	}
	panic(fmt.Sprintf("no loader in %T", c))
}

func runConformance(t *testing.T, newHarness func(t *testing.T) harness) {
	tests := []struct {
		name string
		fn   func(t *testing.T, h harness)
	}{
		{"GetSetDelete", testGetSetDelete},
		{"Values", testValues},
		{"ValuesAreCopied", testValuesAreCopied},
		{"TTL", testTTL},
		{"SetNX", testSetNX},
		{"IncrBy", testIncrBy},
		{"IncrByTTL", testIncrByTTL},
		{"IncrByConcurrent", testIncrByConcurrent},
		{"GetOrLoad", testGetOrLoad},
		{"GetOrLoadSingleFlight", testGetOrLoadSingleFlight},
		{"GetOrLoadCallerGivesUp", testGetOrLoadCallerGivesUp},
		{"Ping", func(t *testing.T, h harness) {
			if err := h.c.Ping(context.Background()); err != nil {
				t.Fatal(err)
			}
		}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) { tt.fn(t, newHarness(t)) })
	}
}

func mustGet(t *testing.T, c Cache, key string) ([]byte, bool) {
	t.Helper()
	v, ok, err := c.Get(context.Background(), key)
	if err != nil {
		t.Fatalf("Get(%q): %v", key, err)
	}
	return v, ok
}

func mustSet(t *testing.T, c Cache, key string, val []byte, ttl time.Duration) {
	t.Helper()
	if err := c.Set(context.Background(), key, val, ttl); err != nil {
		t.Fatalf("Set(%q): %v", key, err)
	}
}

func wantValue(t *testing.T, c Cache, key, want string) {
	t.Helper()
	v, ok := mustGet(t, c, key)
	if !ok || string(v) != want {
		t.Fatalf("Get(%q) = %q, %v; want %q", key, v, ok, want)
	}
}

func wantMissing(t *testing.T, c Cache, key string) {
	t.Helper()
	if v, ok := mustGet(t, c, key); ok {
		t.Fatalf("Get(%q) = %q, want a miss", key, v)
	}
}

func testGetSetDelete(t *testing.T, h harness) {
	ctx := context.Background()
	wantMissing(t, h.c, "a")
	mustSet(t, h.c, "a", []byte("one"), 0)
	mustSet(t, h.c, "b", []byte("two"), 0)
	wantValue(t, h.c, "a", "one")
	mustSet(t, h.c, "a", []byte("uno"), 0)
	wantValue(t, h.c, "a", "uno")
	if err := h.c.Delete(ctx, "a", "b", "never-set"); err != nil {
		t.Fatal(err)
	}
	wantMissing(t, h.c, "a")
	wantMissing(t, h.c, "b")
	if err := h.c.Delete(ctx); err != nil {
		t.Fatalf("Delete of no keys: %v", err)
	}
}

func testValues(t *testing.T, h harness) {
	big := bytes.Repeat([]byte("0123456789abcdef"), 8<<10) // 128 KiB
	for key, val := range map[string][]byte{
		"empty":     {},
		"binary":    {0, 0xff, 0xfe, 0, '\n', 0x80},
		"big":       big,
		"ключ/ü:*?": []byte("unicode keys and glob characters"),
	} {
		mustSet(t, h.c, key, val, 0)
		got, ok := mustGet(t, h.c, key)
		if !ok || !bytes.Equal(got, val) {
			t.Errorf("Get(%q) = %d bytes, %v; want the %d bytes set", key, len(got), ok, len(val))
		}
	}
}

func testValuesAreCopied(t *testing.T, h harness) {
	buf := []byte("original")
	mustSet(t, h.c, "k", buf, 0)
	copy(buf, "mutated!")
	wantValue(t, h.c, "k", "original")
	got, _ := mustGet(t, h.c, "k")
	copy(got, "mutated!")
	wantValue(t, h.c, "k", "original")
}

func testTTL(t *testing.T, h harness) {
	mustSet(t, h.c, "short", []byte("v"), h.ttl)
	mustSet(t, h.c, "forever", []byte("v"), 0)
	mustSet(t, h.c, "cleared", []byte("v"), h.ttl)
	mustSet(t, h.c, "cleared", []byte("w"), 0) // a Set replaces the TTL too
	mustSet(t, h.c, "long", []byte("v"), time.Hour)
	wantValue(t, h.c, "short", "v")
	h.expire(t, "short")
	wantValue(t, h.c, "forever", "v")
	wantValue(t, h.c, "cleared", "w")
	wantValue(t, h.c, "long", "v")
}

func testSetNX(t *testing.T, h harness) {
	ctx := context.Background()
	setnx := func(key, val string, ttl time.Duration) bool {
		t.Helper()
		ok, err := h.c.SetNX(ctx, key, []byte(val), ttl)
		if err != nil {
			t.Fatalf("SetNX(%q): %v", key, err)
		}
		return ok
	}
	if !setnx("lock", "owner-1", 0) {
		t.Fatal("SetNX on an empty key did not set")
	}
	if setnx("lock", "owner-2", 0) {
		t.Fatal("SetNX on a held key set it")
	}
	wantValue(t, h.c, "lock", "owner-1")
	if err := h.c.Delete(ctx, "lock"); err != nil {
		t.Fatal(err)
	}
	if !setnx("lock", "owner-2", 0) {
		t.Fatal("SetNX after Delete did not set")
	}

	if !setnx("lease", "a", h.ttl) {
		t.Fatal("SetNX with TTL did not set")
	}
	if setnx("lease", "b", h.ttl) {
		t.Fatal("SetNX on a live lease set it")
	}
	h.expire(t, "lease")
	if !setnx("lease", "b", h.ttl) {
		t.Fatal("SetNX after the lease expired did not set")
	}
	wantValue(t, h.c, "lease", "b")
}

func testIncrBy(t *testing.T, h harness) {
	ctx := context.Background()
	steps := []struct {
		n, want int64
	}{{1, 1}, {5, 6}, {-10, -4}, {0, -4}}
	for _, s := range steps {
		got, err := h.c.IncrBy(ctx, "n", s.n, 0)
		if err != nil || got != s.want {
			t.Fatalf("IncrBy(%d) = %d, %v; want %d", s.n, got, err, s.want)
		}
	}
	wantValue(t, h.c, "n", "-4")

	mustSet(t, h.c, "text", []byte("abc"), 0)
	mustSet(t, h.c, "max", []byte(strconv.FormatInt(math.MaxInt64, 10)), 0)
	mustSet(t, h.c, "set-number", []byte("41"), 0)
	for _, key := range []string{"text", "max"} {
		_, err := h.c.IncrBy(ctx, key, 1, 0)
		if !errors.Is(err, ErrNotCounter) || errs.KindOf(err) != errs.KindConflict {
			t.Errorf("IncrBy(%q) err = %v, want %v", key, err, ErrNotCounter)
		}
	}
	wantValue(t, h.c, "max", strconv.FormatInt(math.MaxInt64, 10))
	if got, err := h.c.IncrBy(ctx, "set-number", 1, 0); err != nil || got != 42 {
		t.Errorf("IncrBy on a number written by Set = %d, %v; want 42", got, err)
	}
}

func testIncrByTTL(t *testing.T, h harness) {
	ctx := context.Background()
	incr := func(ttl time.Duration) int64 {
		t.Helper()
		v, err := h.c.IncrBy(ctx, "window", 1, ttl)
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
	if got := incr(h.ttl); got != 1 {
		t.Fatalf("first IncrBy = %d", got)
	}
	// A later call with a longer TTL must not move the window's end.
	if got := incr(time.Hour); got != 2 {
		t.Fatalf("second IncrBy = %d", got)
	}
	h.expire(t, "window")
	if got := incr(h.ttl); got != 1 {
		t.Fatalf("IncrBy in a new window = %d, want 1", got)
	}

	// A counter made without a TTL gets one from the first IncrBy that has one.
	mustSet(t, h.c, "plain", []byte("7"), 0)
	if v, err := h.c.IncrBy(ctx, "plain", 1, h.ttl); err != nil || v != 8 {
		t.Fatalf("IncrBy on plain = %d, %v", v, err)
	}
	h.expire(t, "plain")
}

func testIncrByConcurrent(t *testing.T, h harness) {
	const workers, each = 4, 100
	var wg sync.WaitGroup
	got := make([][]int64, workers)
	for w := range workers {
		wg.Go(func() {
			for range each {
				v, err := h.c.IncrBy(context.Background(), "hits", 1, time.Hour)
				if err != nil {
					t.Error(err)
					return
				}
				got[w] = append(got[w], v)
			}
		})
	}
	wg.Wait()
	all := slices.Concat(got...)
	slices.Sort(all)
	for i, v := range all {
		if v != int64(i+1) {
			t.Fatalf("the %dth increment returned %d: increments were lost or repeated", i+1, v)
		}
	}
}

func testGetOrLoad(t *testing.T, h harness) {
	ctx := context.Background()
	var loads atomic.Int64
	load := func(context.Context) ([]byte, error) {
		return []byte("v" + strconv.FormatInt(loads.Add(1), 10)), nil
	}
	for range 3 {
		v, err := h.c.GetOrLoad(ctx, "k", h.ttl, load)
		if err != nil || string(v) != "v1" {
			t.Fatalf("GetOrLoad = %q, %v; want v1", v, err)
		}
	}
	if loads.Load() != 1 {
		t.Fatalf("%d loads for one key, want 1", loads.Load())
	}
	wantValue(t, h.c, "k", "v1")
	h.expire(t, "k")
	if v, err := h.c.GetOrLoad(ctx, "k", h.ttl, load); err != nil || string(v) != "v2" {
		t.Fatalf("GetOrLoad after expiry = %q, %v; want v2", v, err)
	}

	boom := errs.NotFound("no_such_product", "no such product")
	var failed atomic.Int64
	fail := func(context.Context) ([]byte, error) { failed.Add(1); return nil, boom }
	for range 2 {
		if _, err := h.c.GetOrLoad(ctx, "missing", h.ttl, fail); !errors.Is(err, boom) {
			t.Fatalf("GetOrLoad with a failing load: err = %v", err)
		}
	}
	if failed.Load() != 2 {
		t.Fatalf("a failed load was cached: %d loads for 2 calls", failed.Load())
	}
	wantMissing(t, h.c, "missing")

	_, err := h.c.GetOrLoad(ctx, "panics", h.ttl, func(context.Context) ([]byte, error) { panic("bug in load") })
	if errs.KindOf(err) != errs.KindInternal {
		t.Fatalf("GetOrLoad with a panicking load: err = %v, want an internal error", err)
	}
}

func testGetOrLoadSingleFlight(t *testing.T, h harness) {
	const callers = 16
	var loads atomic.Int64
	release := make(chan struct{})
	load := func(context.Context) ([]byte, error) {
		loads.Add(1)
		<-release
		return []byte("hot"), nil
	}
	var wg sync.WaitGroup
	results := make([][]byte, callers)
	for i := range callers {
		wg.Go(func() {
			v, err := h.c.GetOrLoad(context.Background(), "hot", time.Hour, load)
			if err != nil {
				t.Error(err)
			}
			results[i] = v
		})
	}
	// Every caller has missed and queued on the flight before the load ends;
	// a caller that queues after it ends finds the value already cached.
	l := loaderOf(h.c)
	eventually(t, func() bool { return l.waiting.Load() == callers }, "%d callers to wait on the load", callers)
	close(release)
	wg.Wait()
	if n := loads.Load(); n != 1 {
		t.Fatalf("%d concurrent misses ran %d loads, want 1", callers, n)
	}
	for i, v := range results {
		if string(v) != "hot" {
			t.Fatalf("caller %d got %q", i, v)
		}
	}
	results[0][0] = 'X' // each caller owns its copy
	if string(results[1]) != "hot" {
		t.Fatal("callers share one value slice")
	}
}

func testGetOrLoadCallerGivesUp(t *testing.T, h harness) {
	release := make(chan struct{})
	loadErr := make(chan error, 1)
	load := func(ctx context.Context) ([]byte, error) {
		<-release
		loadErr <- ctx.Err()
		return []byte("v"), nil
	}
	leaderCtx, cancel := context.WithCancel(context.Background())
	leader := make(chan error, 1)
	go func() {
		_, err := h.c.GetOrLoad(leaderCtx, "k", time.Hour, load)
		leader <- err
	}()
	l := loaderOf(h.c)
	eventually(t, func() bool { return l.waiting.Load() == 1 }, "the first caller to start the load")
	follower := make(chan []byte, 1)
	go func() {
		v, _ := h.c.GetOrLoad(context.Background(), "k", time.Hour, load)
		follower <- v
	}()
	eventually(t, func() bool { return l.waiting.Load() == 2 }, "the second caller to join")

	cancel()
	if err := <-leader; !errors.Is(err, context.Canceled) {
		t.Fatalf("the caller that gave up got %v, want context.Canceled", err)
	}
	close(release)
	if err := <-loadErr; err != nil {
		t.Fatalf("the load saw its context end with the first caller: %v", err)
	}
	if v := <-follower; string(v) != "v" {
		t.Fatalf("the caller still waiting got %q", v)
	}
}

// testClosed checks a cache, not a view, after Close.
func testClosed(t *testing.T, c Cache) {
	ctx := context.Background()
	if err := c.Close(); err != nil {
		t.Fatal(err)
	}
	if err := c.Close(); err != nil {
		t.Fatalf("second Close: %v", err)
	}
	checks := map[string]error{
		"Ping": c.Ping(ctx),
		"Set":  c.Set(ctx, "k", []byte("v"), 0),
	}
	_, _, checks["Get"] = c.Get(ctx, "k")
	_, checks["SetNX"] = c.SetNX(ctx, "k", nil, 0)
	_, checks["IncrBy"] = c.IncrBy(ctx, "k", 1, 0)
	checks["Delete"] = c.Delete(ctx, "k")
	_, checks["GetOrLoad"] = c.GetOrLoad(ctx, "k", 0, func(context.Context) ([]byte, error) {
		t.Error("GetOrLoad loaded on a closed cache")
		return nil, nil
	})
	for op, err := range checks {
		if !errors.Is(err, ErrClosed) {
			t.Errorf("%s after Close: err = %v, want %v", op, err, ErrClosed)
		}
	}
}
