package bus_test

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/bustest"
	"github.com/bazaarshop/bazaar/internal/platform/testenv"
	"github.com/nats-io/nats.go/jetstream"
)

// env is one bus under test, with a way to restart it: the embedded server
// stops and starts again on the same store; an external connection is
// closed and reopened.
type env struct {
	bus     *bus.Bus
	restart func(t *testing.T)
	// second opens another, independent connection (another "process").
	second func(t *testing.T) *bus.Bus
}

func forEachMode(t *testing.T, fn func(t *testing.T, e *env)) {
	t.Run("embedded", func(t *testing.T) {
		dir := t.TempDir()
		e := &env{}
		var srv *bus.Server
		start := func(t *testing.T) {
			var err error
			srv, err = bus.StartEmbedded(bus.EmbeddedOptions{Dir: dir})
			if err != nil {
				t.Fatal(err)
			}
			if e.bus, err = srv.Connect(context.Background()); err != nil {
				t.Fatal(err)
			}
		}
		start(t)
		t.Cleanup(func() { e.bus.Close(); srv.Shutdown() })
		e.restart = func(t *testing.T) {
			e.bus.Close()
			srv.Shutdown()
			start(t)
		}
		e.second = func(t *testing.T) *bus.Bus {
			b, err := srv.Connect(context.Background())
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { b.Close() })
			return b
		}
		fn(t, e)
	})
	t.Run("external", func(t *testing.T) {
		url := testenv.NATSURL(t)
		e := &env{}
		open := func(t *testing.T) *bus.Bus {
			b, err := bus.Connect(context.Background(), url)
			if err != nil {
				t.Fatal(err)
			}
			return b
		}
		e.bus = open(t)
		t.Cleanup(func() { e.bus.Close() })
		e.restart = func(t *testing.T) { e.bus.Close(); e.bus = open(t) }
		e.second = func(t *testing.T) *bus.Bus {
			b := open(t)
			t.Cleanup(func() { b.Close() })
			return b
		}
		fn(t, e)
	})
}

// stream creates a unique stream deleted at cleanup through whichever Bus
// is current then.
func (e *env) stream(t *testing.T) (name, subject string) {
	t.Helper()
	name = testenv.Name("T")
	subject = strings.ToLower(name)
	if err := e.bus.EnsureStream(context.Background(), bus.StreamConfig{Name: name, Subjects: []string{subject + ".>"}}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { bustest.Cleanup(t, e.bus, name) })
	return name, subject
}

// consume starts a consumer stopped at cleanup (before the stream goes).
func consume(t *testing.T, b *bus.Bus, cfg bus.ConsumerConfig, h bus.Handler) *bus.Consumer {
	t.Helper()
	c, err := b.Consume(context.Background(), cfg, h)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Stop() })
	return c
}

func publish(t *testing.T, b *bus.Bus, subject, id, data string) bus.PubAck {
	t.Helper()
	ack, err := b.Publish(context.Background(), subject, id, []byte(data), nil)
	if err != nil {
		t.Fatal(err)
	}
	return ack
}

func consumerInfo(t *testing.T, b *bus.Bus, stream, durable string) *jetstream.ConsumerInfo {
	t.Helper()
	c, err := b.JetStream().Consumer(context.Background(), stream, durable)
	if err != nil {
		t.Fatal(err)
	}
	info, err := c.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info
}

func streamMsgs(t *testing.T, b *bus.Bus, stream string) uint64 {
	t.Helper()
	s, err := b.JetStream().Stream(context.Background(), stream)
	if err != nil {
		t.Fatal(err)
	}
	info, err := s.Info(context.Background())
	if err != nil {
		t.Fatal(err)
	}
	return info.State.Msgs
}

// waitAcked waits until the consumer has acknowledged everything up to seq.
func waitAcked(t *testing.T, b *bus.Bus, stream, durable string, seq uint64) {
	t.Helper()
	bustest.Wait(t, 10*time.Second, fmt.Sprintf("ack floor %d", seq), func() bool {
		info := consumerInfo(t, b, stream, durable)
		return info.AckFloor.Stream >= seq && info.NumAckPending == 0
	})
}

func recv(t *testing.T, ch <-chan *bus.Msg) *bus.Msg {
	t.Helper()
	select {
	case m := <-ch:
		return m
	case <-time.After(10 * time.Second):
		t.Fatal("no message within 10s")
		return nil
	}
}

// fast keeps retries and redeliveries short in tests.
func fast(stream, durable string) bus.ConsumerConfig {
	return bus.ConsumerConfig{
		Stream: stream, Durable: durable,
		AckWait:  time.Second,
		Backoff:  []time.Duration{20 * time.Millisecond},
		PollWait: time.Second,
	}
}

func TestPublishConsume(t *testing.T) {
	forEachMode(t, func(t *testing.T, e *env) {
		stream, subj := e.stream(t)
		for i := 1; i <= 3; i++ {
			ack := publish(t, e.bus, subj+".item", "id-"+strconv.Itoa(i), "data-"+strconv.Itoa(i))
			if ack.Stream != stream || ack.Seq != uint64(i) || ack.Duplicate {
				t.Fatalf("ack %d = %+v", i, ack)
			}
		}
		got := make(chan *bus.Msg, 10)
		consume(t, e.bus, fast(stream, "worker"), func(_ context.Context, m *bus.Msg) error {
			got <- m
			return nil
		})
		for i := 1; i <= 3; i++ {
			m := recv(t, got)
			want := bus.Msg{Subject: subj + ".item", Data: []byte("data-" + strconv.Itoa(i)), ID: "id-" + strconv.Itoa(i), Attempt: 1, Seq: uint64(i)}
			if m.Subject != want.Subject || string(m.Data) != string(want.Data) || m.ID != want.ID || m.Attempt != 1 || m.Seq != want.Seq || m.Time.IsZero() {
				t.Fatalf("message %d = %+v, want %+v", i, m, want)
			}
		}
		waitAcked(t, e.bus, stream, "worker", 3)
	})
}

func TestEventEnvelope(t *testing.T) {
	b := bustest.Embedded(t)
	cfg := bustest.Stream(t, b, "ev")
	type payload struct {
		SKU    string `json:"sku"`
		Amount int64  `json:"amount"`
	}
	ev, err := bus.NewEvent("catalog.price.changed", payload{SKU: "TEE-1", Amount: 129900})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := b.PublishEvent(ctx, bustest.Subject(cfg)+".price", ev); err != nil {
		t.Fatal(err)
	}
	if ack, err := b.PublishEvent(ctx, bustest.Subject(cfg)+".price", ev); err != nil || !ack.Duplicate {
		t.Fatalf("second PublishEvent: ack %+v, err %v; want a duplicate", ack, err)
	}
	got := make(chan *bus.Msg, 1)
	consume(t, b, fast(cfg.Name, "ev"), func(_ context.Context, m *bus.Msg) error { got <- m; return nil })
	m := recv(t, got)
	back, err := m.Event()
	if err != nil {
		t.Fatal(err)
	}
	var p payload
	if err := back.Decode(&p); err != nil {
		t.Fatal(err)
	}
	if back.ID != ev.ID || m.ID != ev.ID || back.Type != ev.Type || !back.Time.Equal(ev.Time) || p != (payload{"TEE-1", 129900}) {
		t.Fatalf("event = %+v (%+v), msg id %q; want %+v", back, p, m.ID, ev)
	}
}

func TestDurableAcrossRestart(t *testing.T) {
	forEachMode(t, func(t *testing.T, e *env) {
		stream, subj := e.stream(t)
		var handled atomic.Int32
		got := make(chan *bus.Msg, 10)
		h := func(_ context.Context, m *bus.Msg) error {
			handled.Add(1)
			got <- m
			return nil
		}
		publish(t, e.bus, subj+".a", "m1", "one")
		c := consume(t, e.bus, fast(stream, "durable"), h)
		if m := recv(t, got); string(m.Data) != "one" {
			t.Fatalf("first message %q", m.Data)
		}
		waitAcked(t, e.bus, stream, "durable", 1)
		if err := c.Stop(); err != nil {
			t.Fatal(err)
		}
		publish(t, e.bus, subj+".a", "m2", "two")

		e.restart(t)

		if n := streamMsgs(t, e.bus, stream); n != 2 {
			t.Fatalf("stream holds %d messages after restart, want 2", n)
		}
		consume(t, e.bus, fast(stream, "durable"), h)
		if m := recv(t, got); string(m.Data) != "two" || m.Attempt != 1 {
			t.Fatalf("after restart got %q attempt %d, want the unacked \"two\" first", m.Data, m.Attempt)
		}
		waitAcked(t, e.bus, stream, "durable", 2)
		if n := handled.Load(); n != 2 {
			t.Fatalf("handler ran %d times, want 2 (no acked message again)", n)
		}
	})
}

func TestDeduplication(t *testing.T) {
	forEachMode(t, func(t *testing.T, e *env) {
		stream, subj := e.stream(t)
		first := publish(t, e.bus, subj+".x", "same", "a")
		again := publish(t, e.bus, subj+".x", "same", "b")
		other := publish(t, e.bus, subj+".x", "other", "c")
		if first.Duplicate || !again.Duplicate || again.Seq != first.Seq || other.Duplicate || other.Seq != first.Seq+1 {
			t.Fatalf("acks %+v %+v %+v", first, again, other)
		}
		if n := streamMsgs(t, e.bus, stream); n != 2 {
			t.Fatalf("stream holds %d messages, want 2", n)
		}
	})
}

// PublishAll stores a batch in order, reports the stored prefix up to a
// failure, and a second send of the same ids stores nothing new.
func TestPublishAll(t *testing.T) {
	forEachMode(t, func(t *testing.T, e *env) {
		stream, subj := e.stream(t)
		ctx := context.Background()
		var msgs []bus.Outgoing
		for i := range 5 {
			msgs = append(msgs, bus.Outgoing{Subject: subj + ".item", MsgID: "all-" + strconv.Itoa(i), Data: []byte(strconv.Itoa(i))})
		}
		if n, err := e.bus.PublishAll(ctx, msgs); n != 5 || err != nil {
			t.Fatalf("PublishAll = %d, %v; want 5, nil", n, err)
		}
		if n, err := e.bus.PublishAll(ctx, msgs); n != 5 || err != nil {
			t.Fatalf("PublishAll again = %d, %v; want 5, nil", n, err)
		}
		if got := streamMsgs(t, e.bus, stream); got != 5 {
			t.Fatalf("stream holds %d messages after two sends, want 5", got)
		}
		for i := 1; i <= 5; i++ {
			m, err := e.bus.JetStream().Stream(ctx, stream)
			if err != nil {
				t.Fatal(err)
			}
			raw, err := m.GetMsg(ctx, uint64(i))
			if err != nil || string(raw.Data) != strconv.Itoa(i-1) {
				t.Fatalf("message %d = %v, %v; want the batch in order", i, raw, err)
			}
		}
		broken := []bus.Outgoing{
			{Subject: subj + ".item", MsgID: "b-0", Data: []byte("x")},
			{Subject: "nowhere." + subj, MsgID: "b-1", Data: []byte("x")}, // no stream captures it
			{Subject: subj + ".item", MsgID: "b-2", Data: []byte("x")},
		}
		n, err := e.bus.PublishAll(ctx, broken)
		if n != 1 || !errors.Is(err, bus.ErrUnavailable) {
			t.Fatalf("PublishAll with a lost message = %d, %v; want 1, ErrUnavailable", n, err)
		}
	})
}

func TestDuplicateWindowConfigurable(t *testing.T) {
	b := bustest.Embedded(t)
	name := testenv.Name("W")
	cfg := bus.StreamConfig{Name: name, Subjects: []string{strings.ToLower(name) + ".>"}, Duplicates: 5 * time.Second}
	ctx := context.Background()
	for range 2 { // a second EnsureStream is an idempotent update
		if err := b.EnsureStream(ctx, cfg); err != nil {
			t.Fatal(err)
		}
	}
	s, err := b.JetStream().Stream(ctx, name)
	if err != nil {
		t.Fatal(err)
	}
	if got := s.CachedInfo().Config.Duplicates; got != 5*time.Second {
		t.Fatalf("duplicate window %s, want 5s", got)
	}
	cfg.Duplicates = 0
	if err := b.EnsureStream(ctx, cfg); err != nil {
		t.Fatal(err)
	}
	s, _ = b.JetStream().Stream(ctx, name)
	if got := s.CachedInfo().Config.Duplicates; got != bus.DefaultDuplicateWindow {
		t.Fatalf("duplicate window %s, want the default", got)
	}
}

func TestRedeliveryAfterNack(t *testing.T) {
	forEachMode(t, func(t *testing.T, e *env) {
		stream, subj := e.stream(t)
		publish(t, e.bus, subj+".x", "r1", "retry me")
		type attempt struct {
			n   int
			seq uint64
			at  time.Time
		}
		got := make(chan attempt, 10)
		cfg := fast(stream, "retry")
		cfg.Backoff = []time.Duration{100 * time.Millisecond, 300 * time.Millisecond}
		consume(t, e.bus, cfg, func(_ context.Context, m *bus.Msg) error {
			got <- attempt{m.Attempt, m.Seq, time.Now()}
			switch m.Attempt {
			case 1:
				panic("handler bug") // a panic counts as a failure
			case 2:
				return errors.New("temporary")
			}
			return nil
		})
		var as []attempt
		for range 3 {
			select {
			case a := <-got:
				as = append(as, a)
			case <-time.After(10 * time.Second):
				t.Fatalf("only %d attempts", len(as))
			}
		}
		for i, a := range as {
			if a.n != i+1 || a.seq != 1 {
				t.Fatalf("attempt %d = %+v", i+1, a)
			}
		}
		if d := as[1].at.Sub(as[0].at); d < 100*time.Millisecond {
			t.Errorf("second attempt after %s, want the 100ms backoff", d)
		}
		if d := as[2].at.Sub(as[1].at); d < 300*time.Millisecond {
			t.Errorf("third attempt after %s, want the 300ms backoff", d)
		}
		waitAcked(t, e.bus, stream, "retry", 1)
	})
}

// crash starts a consumer on its own connection whose handler never
// returns, waits for the message, and kills the connection without stopping
// anything, as a dying process would.
func crash(t *testing.T, e *env, cfg bus.ConsumerConfig) *bus.Msg {
	t.Helper()
	other := e.second(t)
	got := make(chan *bus.Msg, 1)
	hang := make(chan struct{})
	t.Cleanup(func() { close(hang) })
	if _, err := other.Consume(context.Background(), cfg, func(_ context.Context, m *bus.Msg) error {
		got <- m
		<-hang
		return nil
	}); err != nil {
		t.Fatal(err)
	}
	m := recv(t, got)
	other.Conn().Close()
	return m
}

func TestRedeliveryAfterCrash(t *testing.T) {
	forEachMode(t, func(t *testing.T, e *env) {
		stream, subj := e.stream(t)
		publish(t, e.bus, subj+".x", "c1", "survive a crash")
		cfg := fast(stream, "crashy")
		first := crash(t, e, cfg)

		got := make(chan *bus.Msg, 1)
		start := time.Now()
		consume(t, e.bus, cfg, func(_ context.Context, m *bus.Msg) error { got <- m; return nil })
		m := recv(t, got)
		if m.Seq != first.Seq || m.Attempt != 2 || string(m.Data) != "survive a crash" {
			t.Fatalf("redelivered %+v, want seq %d attempt 2", m, first.Seq)
		}
		if time.Since(start) > 5*time.Second {
			t.Errorf("redelivery took %s with a 1s AckWait", time.Since(start))
		}
		waitAcked(t, e.bus, stream, "crashy", 1)
	})
}

// deadLetter waits for the dead letter of stream/durable.
func deadLetter(t *testing.T, b *bus.Bus, stream, durable string) *jetstream.RawStreamMsg {
	t.Helper()
	s, err := b.JetStream().Stream(context.Background(), bus.DeadLetterStream.Name)
	if err != nil {
		t.Fatal(err)
	}
	var m *jetstream.RawStreamMsg
	bustest.Wait(t, 10*time.Second, "the dead letter", func() bool {
		m, err = s.GetLastMsgForSubject(context.Background(), "dlq."+stream+"."+durable)
		return err == nil
	})
	return m
}

func TestDeadLetter(t *testing.T) {
	forEachMode(t, func(t *testing.T, e *env) {
		stream, subj := e.stream(t)
		publish(t, e.bus, subj+".poison", "p1", "poison")
		var calls atomic.Int32
		cfg := fast(stream, "dl")
		cfg.MaxDeliver = 3
		consume(t, e.bus, cfg, func(_ context.Context, m *bus.Msg) error {
			calls.Add(1)
			return fmt.Errorf("boom %d\nsecond line", m.Attempt)
		})
		dl := deadLetter(t, e.bus, stream, "dl")
		want := map[string]string{
			bus.HeaderDLQError:    "boom 3 second line",
			bus.HeaderDLQSubject:  subj + ".poison",
			bus.HeaderDLQStream:   stream,
			bus.HeaderDLQConsumer: "dl",
			bus.HeaderDLQSeq:      "1",
			bus.HeaderDLQAttempts: "3",
			bus.HeaderDLQMsgID:    "p1",
		}
		for k, v := range want {
			if got := dl.Header.Get(k); got != v {
				t.Errorf("dead letter header %s = %q, want %q", k, got, v)
			}
		}
		if string(dl.Data) != "poison" {
			t.Errorf("dead letter data %q", dl.Data)
		}
		waitAcked(t, e.bus, stream, "dl", 1)
		if n := calls.Load(); n != 3 {
			t.Fatalf("handler ran %d times, want MaxDeliver=3", n)
		}
	})
}

func TestDeadLetterAfterCrashOnLastAttempt(t *testing.T) {
	forEachMode(t, func(t *testing.T, e *env) {
		stream, subj := e.stream(t)
		publish(t, e.bus, subj+".x", "k1", "kills the process")
		cfg := fast(stream, "last")
		cfg.MaxDeliver = 1
		crash(t, e, cfg)

		var calls atomic.Int32
		consume(t, e.bus, cfg, func(context.Context, *bus.Msg) error { calls.Add(1); return nil })
		dl := deadLetter(t, e.bus, stream, "last")
		if got := dl.Header.Get(bus.HeaderDLQError); got != "not acknowledged after 1 deliveries" {
			t.Fatalf("dead letter error %q", got)
		}
		waitAcked(t, e.bus, stream, "last", 1)
		if n := calls.Load(); n != 0 {
			t.Fatalf("handler ran %d times after the last attempt died", n)
		}
	})
}

func TestGracefulStop(t *testing.T) {
	forEachMode(t, func(t *testing.T, e *env) {
		stream, subj := e.stream(t)
		publish(t, e.bus, subj+".x", "g1", "in flight")
		started := make(chan struct{})
		release := make(chan struct{})
		var finished, calls atomic.Int32
		c := consume(t, e.bus, fast(stream, "graceful"), func(context.Context, *bus.Msg) error {
			calls.Add(1)
			close(started)
			<-release
			finished.Store(1)
			return nil
		})
		<-started
		publish(t, e.bus, subj+".x", "g2", "arrives during stop")
		stopped := make(chan error, 1)
		go func() { stopped <- c.Stop() }()
		time.AfterFunc(200*time.Millisecond, func() { close(release) })
		if err := <-stopped; err != nil {
			t.Fatalf("Stop: %v", err)
		}
		if finished.Load() != 1 {
			t.Fatal("Stop returned before the in-flight handler finished")
		}
		info := consumerInfo(t, e.bus, stream, "graceful")
		if info.AckFloor.Stream != 1 || info.NumAckPending != 0 || info.NumPending != 1 || calls.Load() != 1 {
			t.Fatalf("after stop: ack floor %d, ack pending %d, pending %d, calls %d; want 1, 0, 1, 1",
				info.AckFloor.Stream, info.NumAckPending, info.NumPending, calls.Load())
		}
	})
}

func TestStopTimeoutCancelsHandlers(t *testing.T) {
	b := bustest.Embedded(t)
	cfg := bustest.Stream(t, b, "st")
	publish(t, b, bustest.Subject(cfg)+".x", "s1", "slow")
	started := make(chan struct{})
	var sawCancel atomic.Bool
	cc := fast(cfg.Name, "slow")
	cc.StopTimeout = 100 * time.Millisecond
	c := consume(t, b, cc, func(ctx context.Context, _ *bus.Msg) error {
		close(started)
		<-ctx.Done()
		sawCancel.Store(true)
		return ctx.Err()
	})
	<-started
	if err := c.Stop(); !errors.Is(err, bus.ErrStopTimeout) {
		t.Fatalf("Stop = %v, want ErrStopTimeout", err)
	}
	bustest.Wait(t, 5*time.Second, "the handler's context to be cancelled", sawCancel.Load)
}

func TestStopOnContextCancel(t *testing.T) {
	b := bustest.Embedded(t)
	cfg := bustest.Stream(t, b, "cc")
	ctx, cancel := context.WithCancel(context.Background())
	c, err := b.Consume(ctx, fast(cfg.Name, "ctx"), func(context.Context, *bus.Msg) error { return nil })
	if err != nil {
		t.Fatal(err)
	}
	cancel()
	select {
	case <-c.Done():
	case <-time.After(5 * time.Second):
		t.Fatal("consumer still running 5s after its context was cancelled")
	}
	if err := c.Stop(); err != nil {
		t.Fatal(err)
	}
}

func TestKeyedConcurrency(t *testing.T) {
	b := bustest.Embedded(t)
	cfg := bustest.Stream(t, b, "key")
	subj := bustest.Subject(cfg)
	for i := range 4 {
		for _, k := range []string{"a", "b"} {
			publish(t, b, subj+"."+k, "", strconv.Itoa(i))
		}
	}
	var (
		mu      sync.Mutex
		running = map[string]int{}
		order   = map[string][]string{}
		overlap = false
		done    = make(chan struct{}, 8)
		bStart  = make(chan struct{})
		once    sync.Once
	)
	cc := fast(cfg.Name, "keyed")
	cc.Concurrency = 4
	cc.Key = func(m *bus.Msg) string { return m.Subject[strings.LastIndexByte(m.Subject, '.')+1:] }
	consume(t, b, cc, func(_ context.Context, m *bus.Msg) error {
		k := cc.Key(m)
		mu.Lock()
		running[k]++
		if running[k] > 1 {
			overlap = true
		}
		order[k] = append(order[k], string(m.Data))
		mu.Unlock()
		if k == "b" {
			once.Do(func() { close(bStart) })
		} else if string(m.Data) == "0" {
			// Key a's first message waits for key b to start: proof
			// that different keys run at the same time.
			select {
			case <-bStart:
			case <-time.After(5 * time.Second):
				t.Error("key b never ran while key a was busy")
			}
		}
		time.Sleep(5 * time.Millisecond)
		mu.Lock()
		running[k]--
		mu.Unlock()
		done <- struct{}{}
		return nil
	})
	for range 8 {
		recvDone(t, done)
	}
	mu.Lock()
	defer mu.Unlock()
	if overlap {
		t.Error("two messages with the same key ran at once")
	}
	for _, k := range []string{"a", "b"} {
		if got := strings.Join(order[k], ","); got != "0,1,2,3" {
			t.Errorf("key %s handled in order %s", k, got)
		}
	}
}

func recvDone(t *testing.T, ch <-chan struct{}) {
	t.Helper()
	select {
	case <-ch:
	case <-time.After(10 * time.Second):
		t.Fatal("handler did not finish within 10s")
	}
}
