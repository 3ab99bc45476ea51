package order

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"hash/fnv"
	"strings"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
)

// Durable consumer names: every worker process shares them, so JetStream
// hands each message to one worker at a time.
const (
	DurableRequests = "order-worker-requests"
	DurablePayments = "order-worker-payments"
)

// RunWorkers consumes order requests and payment events, and sweeps unpaid
// orders past their deadline and abandoned checkouts, until ctx ends. Run
// it in any number of processes. Until the streams exist (their owners not
// started yet) it retries every few seconds.
func (c *Core) RunWorkers(ctx context.Context) error {
	if c.opts.Bus == nil || c.opts.Payments == nil || c.opts.Stock == nil || c.opts.Carts == nil {
		return errors.New("order: RunWorkers needs Bus, Payments, Stock and Carts")
	}
	retry := []time.Duration{time.Second, 2 * time.Second, 5 * time.Second, 10 * time.Second}
	specs := []struct {
		cfg    bus.ConsumerConfig
		handle bus.Handler
	}{
		{bus.ConsumerConfig{
			Stream: Stream.Name, Durable: DurableRequests, Filter: SubjectRequested + ".>",
			Concurrency: c.opts.Workers, Key: orderOfSubject, AckWait: ackWait,
			MaxDeliver: -1, Backoff: retry, // an accepted order is never given up on
		}, c.consumeRequest},
		{bus.ConsumerConfig{
			// "payment.*": not the events of changes a worker made itself and
			// settled from the answer (payment.AnsweredSuffix).
			Stream: payment.Stream.Name, Durable: DurablePayments, Filter: "payment.*",
			Concurrency: c.opts.Workers, AckWait: ackWait, MaxDeliver: -1, Backoff: retry,
		}, c.consumePayment},
	}
	var running []*bus.Consumer
	defer func() {
		for _, r := range running {
			if err := r.Stop(); err != nil {
				c.log.Warn("order: consumer stop", "error", err)
			}
		}
	}()
	pending := specs
	for len(pending) > 0 {
		next := pending[:0:0]
		for _, s := range pending {
			cons, err := c.opts.Bus.Consume(ctx, s.cfg, s.handle)
			if err != nil {
				c.log.WarnContext(ctx, "order: cannot consume yet; retrying", "stream", s.cfg.Stream, "error", err)
				next = append(next, s)
				continue
			}
			running = append(running, cons)
		}
		pending = next
		if len(pending) == 0 {
			break
		}
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(3 * time.Second):
		}
	}
	c.runSweeper(ctx)
	return nil
}

// ackWait is how soon a message held by a worker that died is handed to
// another. Handlers taking longer (a slow provider) say they are alive
// every ackWait/3 (heartbeat), so the wait stays short without
// redelivering work in progress.
const ackWait = 15 * time.Second

// heartbeat tells JetStream that m is still being worked on until the
// returned stop is called.
func heartbeat(m *bus.Msg) (stop func()) {
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(ackWait / 3)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				_ = m.InProgress()
			}
		}
	}()
	return func() { close(done) }
}

func orderOfSubject(m *bus.Msg) string { return m.Subject[strings.LastIndexByte(m.Subject, '.')+1:] }

func (c *Core) consumeRequest(ctx context.Context, m *bus.Msg) error {
	defer heartbeat(m)()
	var r Request
	if err := json.Unmarshal(m.Data, &r); err != nil || r.OrderID == "" {
		// A request that cannot be read can never be processed: let it go
		// to the dead letters after the retries (it is a bug, and the
		// checkout that wrote it is recorded there).
		return fmt.Errorf("order request %s unreadable: %v", m.Subject, err)
	}
	return c.handleRequest(ctx, r)
}

func (c *Core) consumePayment(ctx context.Context, m *bus.Msg) error {
	defer heartbeat(m)()
	ev, err := m.Event()
	if err != nil {
		return nil // not an event of ours
	}
	var pe payment.IntentEvent
	if err := ev.Decode(&pe); err != nil || pe.OrderID == "" {
		return nil
	}
	err = c.drive(ctx, pe.OrderID)
	if isNotFound(err) {
		return nil // a payment not made by an order
	}
	return err
}

// handleRequest creates the order of an accepted request (once: a
// redelivered request finds it) and drives it as far as it goes now.
func (c *Core) handleRequest(ctx context.Context, r Request) error {
	o := orderOf(r)
	m := &Mutation{}
	c.record(&o, m, "", "checkout", "shopper", "")
	o.UpdatedAt = r.AcceptedAt
	m.Transitions[0].At = r.AcceptedAt
	if err := c.emit(&o, m, EventCreated, ""); err != nil {
		return err
	}
	err := c.store.Create(ctx, &o, m)
	switch {
	case errors.Is(err, ErrOrderExists):
		return c.drive(ctx, r.OrderID)
	case err != nil:
		return err
	}
	c.committed(o.ID, m.Transitions)
	// Just created: drive it from what was written, without reading it back.
	unlock := c.lockOrder(o.ID)
	defer unlock()
	return c.driveLocked(ctx, o.ID, &o)
}

// runSweeper expires unpaid orders past their deadline and cleans up
// abandoned checkouts until ctx ends.
func (c *Core) runSweeper(ctx context.Context) {
	t := time.NewTicker(c.opts.SweepInterval)
	defer t.Stop()
	lastIntake := time.Time{}
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := c.ExpireDue(ctx); err != nil && ctx.Err() == nil {
			c.log.Warn("order: expiry sweep", "error", err)
		}
		if time.Since(lastIntake) >= c.opts.IntakeTimeout/2 {
			lastIntake = time.Now()
			if err := c.SweepIntake(ctx); err != nil && ctx.Err() == nil {
				c.log.Warn("order: intake sweep", "error", err)
			}
		}
	}
}

// ExpireDue expires the orders whose payment deadline passed and returns
// how many it looked at.
func (c *Core) ExpireDue(ctx context.Context) (int, error) {
	due, err := c.store.Due(ctx, []Status{StatusAwaitingPayment}, c.now(), 100)
	if err != nil {
		return 0, err
	}
	for _, o := range due {
		if err := c.expire(ctx, o.ID); err != nil {
			c.log.Warn("order: expire", "order_id", o.ID, "error", err)
		}
	}
	return len(due), nil
}

// SweepIntake settles checkouts whose process died between claiming the
// key and answering: if the request reached the bus the claim is marked
// done; otherwise what it held is given back and the key freed.
func (c *Core) SweepIntake(ctx context.Context) error {
	kv, err := c.keys(ctx)
	if err != nil {
		return err
	}
	lister, err := kv.ListKeys(ctx)
	if err != nil {
		if errors.Is(err, jetstream.ErrNoKeysFound) {
			return nil
		}
		return err
	}
	defer lister.Stop()
	for key := range lister.Keys() {
		entry, err := kv.Get(ctx, key)
		if err != nil {
			continue
		}
		var rec intakeRecord
		if json.Unmarshal(entry.Value(), &rec) != nil || rec.State != intakeClaimed ||
			c.now().Sub(rec.ClaimedAt) < c.opts.IntakeTimeout {
			continue
		}
		if c.published(ctx, rec.OrderID) {
			rec.State = intakeDone
			raw, _ := json.Marshal(rec)
			_, _ = kv.Update(ctx, key, raw, entry.Revision())
			continue
		}
		if err := c.undoIntake(ctx, rec.OrderID); err != nil {
			c.log.Warn("order: undo abandoned checkout", "order_id", rec.OrderID, "error", err)
			continue
		}
		_ = kv.Delete(ctx, key, jetstream.LastRevision(entry.Revision()))
		c.log.Info("order: abandoned checkout released", "order_id", rec.OrderID)
	}
	return nil
}

// pastPayment remembers orders this process saw leave pending and
// awaiting_payment, so that the payment events that follow their
// settlement cost no read. Two generations of at most pastPaymentSize ids
// bound the memory; forgetting one only costs a read.
type pastPayment struct {
	mu        sync.Mutex
	cur, prev map[string]struct{}
}

const pastPaymentSize = 50_000

func (p *pastPayment) has(id string) bool {
	p.mu.Lock()
	defer p.mu.Unlock()
	_, in := p.cur[id]
	if !in {
		_, in = p.prev[id]
	}
	return in
}

func (p *pastPayment) add(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.cur == nil || len(p.cur) >= pastPaymentSize {
		p.prev, p.cur = p.cur, make(map[string]struct{}, 1024)
	}
	p.cur[id] = struct{}{}
}

// orderLocks serialises the work on one order within this process (the
// request and payment consumers and the sweeper may all touch it); across
// processes the store's locked updates and idempotent calls do. Many more
// locks than workers, so that orders rarely wait for an unrelated one.
type orderLocks [1024]sync.Mutex

func (c *Core) lockOrder(id string) func() {
	h := fnv.New32a()
	_, _ = h.Write([]byte(id))
	mu := &c.locks[h.Sum32()%uint32(len(c.locks))]
	mu.Lock()
	return mu.Unlock
}
