// Package bus is Bazaar's event bus: NATS JetStream, either embedded in the
// process (nats-server as a library, file store under the data directory) or
// an external cluster. A *Bus looks the same in both modes, so services never
// know which one they run on.
//
// What it gives a service:
//   - streams it declares idempotently (EnsureStream), with a de-duplication
//     window;
//   - Publish with a de-duplication id (the JetStream Nats-Msg-Id header): the
//     same id published twice within the window is stored once;
//   - durable pull consumers with explicit acks (Consume): a handler returning
//     nil acks, an error (or a panic) naks with a growing delay, and after
//     MaxDeliver attempts the message is copied to a dead-letter stream and
//     dropped from the original consumer;
//   - graceful stop of consumers, for SIGTERM.
//
// Delivery is at least once: handlers must be idempotent (the message ID and
// the stream sequence are there to make that easy). The transactional outbox
// that makes "write the row and its event" atomic is in package bus/outbox.
package bus

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"path/filepath"
	"sync"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/nats-io/nats.go"
	"github.com/nats-io/nats.go/jetstream"
)

// Header carries message headers; keys are case-sensitive in NATS, unlike
// HTTP, so always use the same spelling.
type Header = nats.Header

// ErrUnavailable is the sentinel behind every "the bus did not answer" error;
// /readyz and callers that want to retry match it with errors.Is.
var ErrUnavailable = errs.Unavailable("bus_unavailable", "the event bus is unavailable")

// Bus is a connection to JetStream. It is safe for concurrent use; one Bus
// per process is enough.
type Bus struct {
	nc     *nats.Conn
	js     jetstream.JetStream
	log    *slog.Logger
	srv    *Server // the embedded server this Bus owns, shut down by Close
	closed chan struct{}

	closeOnce sync.Once
	closeErr  error

	dlqMu    sync.Mutex
	dlqReady bool
}

// Config says how Open reaches JetStream.
type Config struct {
	// URL of an external NATS server ("nats://host:4222", comma-separated
	// for a cluster). Empty selects the embedded server.
	URL string
	// DataDir is the embedded server's data directory; its store is
	// DataDir/nats. Ignored with URL.
	DataDir string
	// Listen, for the embedded server only, also opens a TCP listener
	// ("127.0.0.1:4222"), e.g. for the nats CLI. Empty means no port at all.
	Listen string
	// Name is the client name shown in the server's connection list.
	Name string
	// Logger receives server warnings and consumer failures; nil means
	// slog.Default().
	Logger *slog.Logger
}

// Open connects to the external server named by cfg.URL or, without one,
// starts the embedded server and connects to it in-process. Close on the
// returned Bus also shuts an embedded server down.
func Open(ctx context.Context, cfg Config) (*Bus, error) {
	if cfg.URL != "" {
		return connect(ctx, cfg.URL, cfg.Name, cfg.Logger)
	}
	if cfg.DataDir == "" {
		return nil, errors.New("bus: embedded mode needs a data directory")
	}
	srv, err := StartEmbedded(EmbeddedOptions{
		Dir:    filepath.Join(cfg.DataDir, "nats"),
		Listen: cfg.Listen,
		Logger: cfg.Logger,
	})
	if err != nil {
		return nil, err
	}
	b, err := srv.connect(ctx, cfg.Name, cfg.Logger)
	if err != nil {
		srv.Shutdown()
		return nil, err
	}
	b.srv = srv
	return b, nil
}

// Connect connects to an external NATS server with JetStream enabled. The
// connection reconnects forever after it was first established; ctx bounds
// only that first attempt.
func Connect(ctx context.Context, url string) (*Bus, error) {
	return connect(ctx, url, "", nil)
}

func connect(ctx context.Context, url, name string, log *slog.Logger, extra ...nats.Option) (*Bus, error) {
	if log == nil {
		log = slog.Default()
	}
	b := &Bus{log: log, closed: make(chan struct{})}
	opts := []nats.Option{
		nats.Name(name),
		nats.MaxReconnects(-1),
		nats.DrainTimeout(10 * time.Second),
		nats.ClosedHandler(func(*nats.Conn) { close(b.closed) }),
		nats.DisconnectErrHandler(func(_ *nats.Conn, err error) {
			if err != nil {
				log.Warn("bus: disconnected", "err", err)
			}
		}),
		nats.ReconnectHandler(func(*nats.Conn) { log.Info("bus: reconnected") }),
	}
	if d, ok := ctx.Deadline(); ok {
		opts = append(opts, nats.Timeout(time.Until(d)))
	}
	nc, err := nats.Connect(url, append(opts, extra...)...)
	if err != nil {
		return nil, ErrUnavailable.Wrap(fmt.Errorf("connect to nats: %w", err))
	}
	js, err := jetstream.New(nc)
	if err != nil {
		nc.Close()
		return nil, fmt.Errorf("bus: jetstream: %w", err)
	}
	b.nc, b.js = nc, js
	if err := b.Ready(ctx); err != nil {
		nc.Close()
		return nil, err
	}
	return b, nil
}

// Ready reports whether the connection is up and JetStream answers; it is
// the bus part of /readyz.
func (b *Bus) Ready(ctx context.Context) error {
	if s := b.nc.Status(); s != nats.CONNECTED {
		return ErrUnavailable.Wrap(fmt.Errorf("nats connection is %s", s))
	}
	if _, err := b.js.AccountInfo(ctx); err != nil {
		return ErrUnavailable.Wrap(fmt.Errorf("jetstream: %w", err))
	}
	return nil
}

// Close drains the connection (pending publishes are flushed, open fetches
// end) and closes it, then shuts down the embedded server Open started.
// Stop consumers first: Close does not wait for their handlers.
func (b *Bus) Close() error {
	b.closeOnce.Do(func() {
		if err := b.nc.Drain(); err != nil {
			b.nc.Close()
		}
		select {
		case <-b.closed:
		case <-time.After(15 * time.Second):
			b.nc.Close()
			b.closeErr = errors.New("bus: drain timed out")
		}
		if b.srv != nil {
			b.srv.Shutdown()
		}
	})
	return b.closeErr
}

// JetStream exposes the underlying JetStream context for what this package
// does not wrap (stream and consumer info in tests, key-value buckets).
func (b *Bus) JetStream() jetstream.JetStream { return b.js }

// Conn exposes the underlying NATS connection (core request/reply).
func (b *Bus) Conn() *nats.Conn { return b.nc }
