package sqldb

import (
	"context"
	"sync"
	"time"
)

// Queue gathers callers' items into batches that one of the callers runs:
// the queue behind group commit (Group, and stores that write a batch as
// a few multi-row statements). A caller queues its item; if fewer than
// lanes batches are running, it takes everything queued (up to maxBatch)
// and runs it, again and again until the queue is empty. Batches form
// while the previous one runs, so a lone caller waits for nobody, and
// there is no goroutine of the Queue's own.
type Queue[T any] struct {
	max, lanes int
	run        func(ctx context.Context, batch []T)

	mu      sync.Mutex
	queue   []queued[T]
	running int // callers leading batches
}

// BatchTimeout bounds the run of one batch of a Queue.
const BatchTimeout = 30 * time.Second

type queued[T any] struct {
	item T
	done chan struct{}
}

// NewQueue returns a Queue whose batches run is given, at most maxBatch
// items each, at most lanes at once. run's ctx is a leading caller's,
// without its cancellation (a batch belongs to all its callers) and with
// a deadline of BatchTimeout, so that a database that stops answering
// fails the batch instead of holding its callers for ever.
func NewQueue[T any](maxBatch, lanes int, run func(ctx context.Context, batch []T)) *Queue[T] {
	return &Queue[T]{max: max(maxBatch, 1), lanes: max(lanes, 1), run: run}
}

// Do queues item and returns once a batch holding it has run.
func (q *Queue[T]) Do(ctx context.Context, item T) {
	e := queued[T]{item: item, done: make(chan struct{})}
	q.mu.Lock()
	q.queue = append(q.queue, e)
	lead := q.running < q.lanes
	if lead {
		q.running++
	}
	q.mu.Unlock()
	if lead {
		q.lead(context.WithoutCancel(ctx))
	}
	<-e.done
}

// lead runs batches until the queue is empty.
func (q *Queue[T]) lead(ctx context.Context) {
	for {
		q.mu.Lock()
		n := min(len(q.queue), q.max)
		if n == 0 {
			q.running--
			q.queue = nil // let the grown array go
			q.mu.Unlock()
			return
		}
		taken := q.queue[:n:n]
		q.queue = q.queue[n:]
		q.mu.Unlock()
		batch := make([]T, n)
		for i, e := range taken {
			batch[i] = e.item
		}
		bctx, cancel := context.WithTimeout(ctx, BatchTimeout)
		q.run(bctx, batch)
		cancel()
		for _, e := range taken {
			close(e.done)
		}
	}
}
