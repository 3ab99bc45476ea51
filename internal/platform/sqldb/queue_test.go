package sqldb_test

import (
	"context"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// Every item runs once, in a batch of at most maxBatch, with at most lanes
// batches at once, and Do returns only after its item's batch has run.
func TestQueueBatchesEveryItemOnce(t *testing.T) {
	const items, maxBatch, lanes = 2000, 16, 3
	var (
		mu      sync.Mutex
		ran     = make(map[int]int)
		running atomic.Int32
		most    atomic.Int32
		batches atomic.Int32
	)
	q := sqldb.NewQueue(maxBatch, lanes, func(_ context.Context, batch []int) {
		n := running.Add(1)
		defer running.Add(-1)
		for m := most.Load(); n > m && !most.CompareAndSwap(m, n); m = most.Load() {
		}
		if len(batch) > maxBatch {
			t.Errorf("a batch of %d", len(batch))
		}
		batches.Add(1)
		mu.Lock()
		for _, i := range batch {
			ran[i]++
		}
		mu.Unlock()
	})
	var wg sync.WaitGroup
	for i := range items {
		wg.Add(1)
		go func() {
			defer wg.Done()
			q.Do(context.Background(), i)
			mu.Lock()
			defer mu.Unlock()
			if ran[i] != 1 {
				t.Errorf("item %d: Do returned after %d runs", i, ran[i])
			}
		}()
	}
	wg.Wait()
	if len(ran) != items {
		t.Fatalf("%d items ran, want %d", len(ran), items)
	}
	if m := most.Load(); m > lanes {
		t.Fatalf("%d batches ran at once, at most %d allowed", m, lanes)
	}
	t.Logf("%d items in %d batches", items, batches.Load())
}

// A batch runs without its leader's cancellation but with a deadline: a
// database that stops answering fails the batch, not its callers' wait.
func TestQueueBatchDeadline(t *testing.T) {
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	var deadline time.Time
	var ok bool
	var err error
	q := sqldb.NewQueue(8, 1, func(ctx context.Context, batch []int) {
		deadline, ok = ctx.Deadline()
		err = ctx.Err()
	})
	q.Do(ctx, 1)
	if err != nil || !ok || time.Until(deadline) > sqldb.BatchTimeout || time.Until(deadline) < sqldb.BatchTimeout/2 {
		t.Fatalf("batch ctx: err %v, deadline %v in %v", err, ok, time.Until(deadline))
	}
}
