package bus

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"runtime/debug"
	"sync"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// Handler processes one message. Returning nil acknowledges it; returning an
// error (or panicking) asks for a redelivery after a backoff delay, until the
// consumer's MaxDeliver is reached and the message is dead-lettered. Handlers
// must be idempotent: delivery is at least once.
type Handler func(ctx context.Context, m *Msg) error

// Msg is one delivery of a stored message.
type Msg struct {
	Subject string
	Data    []byte
	Header  Header
	ID      string    // the publisher's de-duplication id, "" if none
	Attempt int       // 1 on the first delivery
	Seq     uint64    // sequence in the stream: stable across redeliveries
	Time    time.Time // when the stream stored it

	raw jetstream.Msg
}

// InProgress resets the ack timer. A handler that may run longer than the
// consumer's AckWait calls it periodically; otherwise the message is
// redelivered, possibly to another replica, while the first run is going.
func (m *Msg) InProgress() error { return m.raw.InProgress() }

// Event decodes the message as an Event envelope.
func (m *Msg) Event() (Event, error) {
	var ev Event
	if err := json.Unmarshal(m.Data, &ev); err != nil {
		return Event{}, fmt.Errorf("message %s seq %d is not an event: %w", m.Subject, m.Seq, err)
	}
	return ev, nil
}

// ConsumerConfig configures a durable consumer. Zero values take the
// defaults in the field comments.
type ConsumerConfig struct {
	Stream  string // required
	Durable string // required; replicas sharing it share the work
	Filter  string // subject filter within the stream; "" means all

	// Concurrency is how many handlers run at once in this process; 1.
	Concurrency int
	// Key, if set, serialises messages with the same key within this
	// process (e.g. the order id) while others run concurrently. Across
	// replicas of a durable it guarantees nothing: partition subjects for
	// that.
	Key func(*Msg) string

	// AckWait is how long a delivery may go unacknowledged before JetStream
	// redelivers it (a crashed process, a stuck handler); 30s.
	AckWait time.Duration
	// MaxDeliver is how many times the handler runs before the message is
	// dead-lettered; 5. Negative: retry forever.
	MaxDeliver int
	// Backoff[i] is the delay before the retry that follows failed attempt
	// i+1; the last entry repeats. Default 1s, 5s, 30s, 1m.
	Backoff []time.Duration
	// DeadLetterSubject receives given-up messages; default
	// "dlq.<Stream>.<Durable>" in DeadLetterStream (created on demand).
	// A stream capturing a custom subject is the caller's to create.
	DeadLetterSubject string
	// DeliverNew starts a new durable at the next message instead of the
	// first one in the stream.
	DeliverNew bool
	// MaxAckPending caps unacknowledged messages across all replicas; 0
	// leaves the server default (1000).
	MaxAckPending int

	// PollWait is how long one pull waits for messages; 5s.
	PollWait time.Duration
	// StopTimeout bounds how long Stop waits for running handlers before
	// cancelling their context; 25s (under Kubernetes' 30s grace period).
	StopTimeout time.Duration
}

var defaultBackoff = []time.Duration{time.Second, 5 * time.Second, 30 * time.Second, time.Minute}

func (c *ConsumerConfig) defaults() error {
	if c.Stream == "" || c.Durable == "" {
		return errors.New("bus: a consumer needs a stream and a durable name")
	}
	if c.Concurrency <= 0 {
		c.Concurrency = 1
	}
	if c.AckWait <= 0 {
		c.AckWait = 30 * time.Second
	}
	if c.MaxDeliver == 0 {
		c.MaxDeliver = 5
	}
	if len(c.Backoff) == 0 {
		c.Backoff = defaultBackoff
	}
	if c.PollWait <= 0 {
		c.PollWait = 5 * time.Second
	}
	if c.StopTimeout <= 0 {
		c.StopTimeout = 25 * time.Second
	}
	return nil
}

func (c *ConsumerConfig) backoff(attempt int) time.Duration {
	return c.Backoff[min(attempt, len(c.Backoff))-1]
}

// ErrStopTimeout is returned by Stop when handlers were still running after
// StopTimeout; their messages are redelivered after AckWait.
var ErrStopTimeout = errors.New("bus: consumer handlers still running at stop timeout")

// Consumer is a running durable consumer.
type Consumer struct {
	b    *Bus
	cfg  ConsumerConfig
	cons jetstream.Consumer
	h    Handler

	handlerCtx    context.Context // outlives ctx cancel: in-flight work finishes
	cancelHandler context.CancelFunc
	fetchCtx      context.Context // cancelled at stop: no new pulls
	stopFetch     context.CancelFunc

	slots    chan struct{} // one per in-flight message
	inflight sync.WaitGroup
	loopDone chan struct{}

	mu   sync.Mutex
	keys map[string][]*Msg // queued messages behind a running one, per key

	stopOnce sync.Once
	done     chan struct{}
	stopErr  error
}

// Consume creates or updates the durable consumer cfg describes and runs h
// on its messages until Stop is called or ctx is cancelled. Cancelling ctx
// starts the same graceful stop as Stop; call Stop to wait for it.
func (b *Bus) Consume(ctx context.Context, cfg ConsumerConfig, h Handler) (*Consumer, error) {
	if err := cfg.defaults(); err != nil {
		return nil, err
	}
	if cfg.MaxDeliver > 0 && cfg.DeadLetterSubject == "" {
		cfg.DeadLetterSubject = "dlq." + cfg.Stream + "." + cfg.Durable
		if err := b.ensureDeadLetterStream(ctx); err != nil {
			return nil, err
		}
	}
	jc := jetstream.ConsumerConfig{
		Durable:       cfg.Durable,
		FilterSubject: cfg.Filter,
		AckPolicy:     jetstream.AckExplicitPolicy,
		AckWait:       cfg.AckWait,
		// The server redelivers without limit; Consume counts attempts and
		// dead-letters itself, so a message whose last attempt died with
		// the process still reaches the dead-letter stream.
		MaxDeliver:    -1,
		MaxAckPending: cfg.MaxAckPending,
		DeliverPolicy: jetstream.DeliverAllPolicy,
	}
	if cfg.DeliverNew {
		jc.DeliverPolicy = jetstream.DeliverNewPolicy
	}
	cons, err := b.js.CreateOrUpdateConsumer(ctx, cfg.Stream, jc)
	if err != nil {
		return nil, fmt.Errorf("consumer %s/%s: %w", cfg.Stream, cfg.Durable, mapErr(err))
	}
	c := &Consumer{
		b: b, cfg: cfg, cons: cons, h: h,
		slots:    make(chan struct{}, cfg.Concurrency),
		loopDone: make(chan struct{}),
		keys:     map[string][]*Msg{},
		done:     make(chan struct{}),
	}
	c.handlerCtx, c.cancelHandler = context.WithCancel(context.WithoutCancel(ctx))
	c.fetchCtx, c.stopFetch = context.WithCancel(context.Background())
	go c.loop()
	go func() {
		select {
		case <-ctx.Done():
			c.stop()
		case <-c.done:
		}
	}()
	return c, nil
}

// Stop stops pulling new messages, waits up to StopTimeout for running
// handlers to finish and acknowledge, and returns. Messages fetched but not
// finished are redelivered after AckWait. Safe to call more than once.
func (c *Consumer) Stop() error {
	c.stop()
	<-c.done
	return c.stopErr
}

// Done is closed when the consumer has stopped.
func (c *Consumer) Done() <-chan struct{} { return c.done }

func (c *Consumer) stop() {
	c.stopOnce.Do(func() {
		c.stopFetch()
		go c.shutdown()
	})
}

func (c *Consumer) shutdown() {
	defer close(c.done)
	<-c.loopDone
	idle := make(chan struct{})
	go func() { c.inflight.Wait(); close(idle) }()
	select {
	case <-idle:
	case <-time.After(c.cfg.StopTimeout):
		c.stopErr = ErrStopTimeout
	}
	c.cancelHandler()
}

// loop pulls only as many messages as there are free handler slots, so a
// stopping consumer never holds a buffer of messages it will not handle.
func (c *Consumer) loop() {
	defer close(c.loopDone)
	for {
		select {
		case c.slots <- struct{}{}:
		case <-c.fetchCtx.Done():
			return
		}
		n := 1
	more:
		for n < cap(c.slots) {
			select {
			case c.slots <- struct{}{}:
				n++
			default:
				break more
			}
		}
		if c.fetchCtx.Err() != nil { // stopped while waiting for a slot
			return
		}
		got, err := c.fetch(n)
		for range n - got {
			<-c.slots
		}
		if c.fetchCtx.Err() != nil {
			return
		}
		if err != nil {
			if c.b.nc.IsClosed() {
				c.b.log.Error("bus: consumer stopped: connection closed", "stream", c.cfg.Stream, "consumer", c.cfg.Durable)
				return
			}
			c.b.log.Warn("bus: fetch failed", "stream", c.cfg.Stream, "consumer", c.cfg.Durable, "err", err)
			select {
			case <-time.After(time.Second):
			case <-c.fetchCtx.Done():
				return
			}
		}
	}
}

func (c *Consumer) fetch(n int) (int, error) {
	ctx, cancel := context.WithTimeout(c.fetchCtx, c.cfg.PollWait)
	defer cancel()
	batch, err := c.cons.Fetch(n, jetstream.FetchContext(ctx))
	if err != nil {
		return 0, err
	}
	got := 0
	for raw := range batch.Messages() {
		got++
		c.dispatch(raw)
	}
	err = batch.Error()
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		err = nil
	}
	return got, err
}

func (c *Consumer) dispatch(raw jetstream.Msg) {
	m := toMsg(raw)
	c.inflight.Add(1)
	if c.cfg.Key == nil {
		go func() {
			c.handle(m)
			c.release()
		}()
		return
	}
	key := c.cfg.Key(m)
	c.mu.Lock()
	if q, busy := c.keys[key]; busy {
		c.keys[key] = append(q, m)
		c.mu.Unlock()
		return
	}
	c.keys[key] = nil
	c.mu.Unlock()
	go func() {
		for {
			c.handle(m)
			c.release()
			c.mu.Lock()
			q := c.keys[key]
			if len(q) == 0 {
				delete(c.keys, key)
				c.mu.Unlock()
				return
			}
			m, c.keys[key] = q[0], q[1:]
			c.mu.Unlock()
		}
	}()
}

func (c *Consumer) release() {
	<-c.slots
	c.inflight.Done()
}

func toMsg(raw jetstream.Msg) *Msg {
	m := &Msg{Subject: raw.Subject(), Data: raw.Data(), Header: raw.Headers(), raw: raw, Attempt: 1}
	m.ID = m.Header.Get(jetstream.MsgIDHeader)
	if md, err := raw.Metadata(); err == nil {
		m.Attempt = int(md.NumDelivered)
		m.Seq = md.Sequence.Stream
		m.Time = md.Timestamp
	}
	return m
}

// handle runs the handler once and settles the message: ack, delayed nak, or
// dead letter.
func (c *Consumer) handle(m *Msg) {
	log := c.b.log.With("stream", c.cfg.Stream, "consumer", c.cfg.Durable, "subject", m.Subject, "seq", m.Seq, "attempt", m.Attempt)
	if c.cfg.MaxDeliver > 0 && m.Attempt > c.cfg.MaxDeliver {
		// The last attempt never settled: the process died or AckWait ran out.
		c.deadLetter(log, m, fmt.Errorf("not acknowledged after %d deliveries", m.Attempt-1))
		return
	}
	err := c.call(m)
	if err == nil {
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()
		if err := m.raw.DoubleAck(ctx); err != nil {
			log.Warn("bus: ack failed; the message will be redelivered", "err", err)
		}
		return
	}
	if c.handlerCtx.Err() != nil {
		// Cut short by a stop: let another replica have it now.
		_ = m.raw.Nak()
		return
	}
	if c.cfg.MaxDeliver > 0 && m.Attempt >= c.cfg.MaxDeliver {
		c.deadLetter(log, m, err)
		return
	}
	delay := c.cfg.backoff(m.Attempt)
	log.Warn("bus: handler failed; will retry", "err", err, "retry_in", delay)
	if err := m.raw.NakWithDelay(delay); err != nil {
		log.Warn("bus: nak failed; the message will be redelivered after AckWait", "err", err)
	}
}

func (c *Consumer) call(m *Msg) (err error) {
	defer func() {
		if p := recover(); p != nil {
			c.b.log.Error("bus: handler panicked", "stream", c.cfg.Stream, "consumer", c.cfg.Durable,
				"subject", m.Subject, "seq", m.Seq, "panic", p, "stack", string(debug.Stack()))
			err = fmt.Errorf("handler panic: %v", p)
		}
	}()
	return c.h(c.handlerCtx, m)
}
