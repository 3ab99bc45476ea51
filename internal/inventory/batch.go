package inventory

import (
	"context"
	"sync"
	"sync/atomic"
	"time"
)

// Reservations, commits, releases and expiries go through a batcher: group
// commit. Callers queue an operation; whoever finds a lane free takes every
// queued operation (up to MaxBatch) and runs them in one transaction, then
// hands each caller its own outcome. A hot SKU's row locks are then taken
// once per batch instead of once per reservation, and the commit's fsync is
// shared, while each operation still succeeds or fails on its own.
//
// There is no goroutine of its own: the callers run the batches. While a
// batch is in its transaction the next callers queue up, so batches grow
// with the load and a lone caller waits for nobody.

type opKind uint8

const (
	opReserve opKind = iota
	opCommit
	opRelease
	opExpire // the sweeper's release of a hold past its expiry
)

type op struct {
	kind  opKind
	ref   string
	lines []Line // opReserve: validated, sorted by SKU
	ttl   time.Duration

	state atomic.Int32 // opQueued, opTaken or opCancelled
	done  chan struct{}
	res   Reservation
	err   error
}

const (
	opQueued int32 = iota
	opTaken
	opCancelled
)

type batcher struct {
	mu     sync.Mutex
	queue  []*op
	lanes  chan int
	max    int
	window time.Duration
	run    func(ctx context.Context, lane int, ops []*op)
}

func newBatcher(lanes, maxBatch int, window time.Duration, run func(context.Context, int, []*op)) *batcher {
	b := &batcher{lanes: make(chan int, lanes), max: maxBatch, window: window, run: run}
	for i := range lanes {
		b.lanes <- i
	}
	return b
}

// do queues o and returns when a batch has run it. If ctx ends while o is
// still queued, o is dropped; once a batch took it, it runs to the end
// (its outcome is what a retry with the same reference will find).
func (b *batcher) do(ctx context.Context, o *op) error {
	o.done = make(chan struct{})
	b.mu.Lock()
	b.queue = append(b.queue, o)
	b.mu.Unlock()
	for {
		if o.state.Load() != opQueued {
			// A batch has it. Leading more batches from here would only
			// find an empty queue, again and again, on a free lane.
			<-o.done
			return nil
		}
		select {
		case <-o.done:
			return nil
		case lane := <-b.lanes:
			b.lead(ctx, lane)
			b.lanes <- lane
		case <-ctx.Done():
			if o.state.CompareAndSwap(opQueued, opCancelled) {
				return ctx.Err()
			}
			<-o.done
			return nil
		}
	}
}

// lead runs one batch on lane.
func (b *batcher) lead(ctx context.Context, lane int) {
	if b.window > 0 {
		time.Sleep(b.window)
	}
	ops := b.take()
	if len(ops) == 0 {
		return
	}
	// The batch belongs to every caller in it: one caller hanging up must
	// not fail the others.
	bctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 30*time.Second)
	defer cancel()
	b.run(bctx, lane, ops)
	for _, o := range ops {
		close(o.done)
	}
}

func (b *batcher) take() []*op {
	b.mu.Lock()
	defer b.mu.Unlock()
	var ops []*op
	i := 0
	for ; i < len(b.queue) && len(ops) < b.max; i++ {
		o := b.queue[i]
		b.queue[i] = nil
		if o.state.CompareAndSwap(opQueued, opTaken) {
			ops = append(ops, o)
		}
	}
	b.queue = b.queue[i:]
	if len(b.queue) == 0 {
		b.queue = nil // let the grown array go
	}
	return ops
}
