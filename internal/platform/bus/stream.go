package bus

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/nats-io/nats.go/jetstream"
)

// DefaultDuplicateWindow is how long JetStream remembers a message id. The
// outbox relay republishes after a crash within seconds, so two minutes is
// ample; a producer that retries later than that must use its own keys.
const DefaultDuplicateWindow = 2 * time.Minute

// StreamConfig declares a stream a service owns, e.g. CATALOG on "catalog.>".
type StreamConfig struct {
	Name     string
	Subjects []string
	// Duplicates is the de-duplication window; zero means
	// DefaultDuplicateWindow.
	Duplicates time.Duration
	// MaxAge drops messages older than this; zero keeps them until the
	// limits below.
	MaxAge time.Duration
	// MaxBytes caps the stream's size, dropping the oldest; zero: no cap.
	MaxBytes int64
	// Replicas for a clustered server; zero means 1. The embedded server is
	// a single node and accepts only 1.
	Replicas int
	// Memory keeps the stream in memory instead of on disk (tests, caches).
	Memory bool
}

// DeadLetterStream holds the messages consumers gave up on, under
// "dlq.<stream>.<consumer>". Consume creates it when a consumer uses the
// default dead-letter subject.
var DeadLetterStream = StreamConfig{
	Name:     "DLQ",
	Subjects: []string{"dlq.>"},
	MaxAge:   30 * 24 * time.Hour,
}

func (c StreamConfig) toJS() jetstream.StreamConfig {
	dup := c.Duplicates
	if dup <= 0 {
		dup = DefaultDuplicateWindow
	}
	storage := jetstream.FileStorage
	if c.Memory {
		storage = jetstream.MemoryStorage
	}
	maxBytes := c.MaxBytes
	if maxBytes == 0 {
		maxBytes = -1
	}
	return jetstream.StreamConfig{
		Name:       c.Name,
		Subjects:   c.Subjects,
		Storage:    storage,
		Retention:  jetstream.LimitsPolicy,
		Duplicates: dup,
		MaxAge:     c.MaxAge,
		MaxBytes:   maxBytes,
		Replicas:   max(c.Replicas, 1),
		Discard:    jetstream.DiscardOld,
	}
}

// EnsureStream creates the stream or updates it to cfg; running it on every
// start-up, from many replicas at once, is safe. Changing a stream's storage
// type is refused by JetStream.
func (b *Bus) EnsureStream(ctx context.Context, cfg StreamConfig) error {
	if cfg.Name == "" || len(cfg.Subjects) == 0 {
		return errors.New("bus: a stream needs a name and subjects")
	}
	jc := cfg.toJS()
	_, err := b.js.CreateOrUpdateStream(ctx, jc)
	if errors.Is(err, jetstream.ErrStreamNameAlreadyInUse) {
		// Another replica created it between our update and create.
		_, err = b.js.CreateOrUpdateStream(ctx, jc)
	}
	if err != nil {
		return fmt.Errorf("ensure stream %s: %w", cfg.Name, mapErr(err))
	}
	return nil
}

// DeleteStream removes a stream with its messages and consumers; a missing
// stream is not an error.
func (b *Bus) DeleteStream(ctx context.Context, name string) error {
	err := b.js.DeleteStream(ctx, name)
	if err != nil && !errors.Is(err, jetstream.ErrStreamNotFound) {
		return fmt.Errorf("delete stream %s: %w", name, mapErr(err))
	}
	return nil
}

// ensureDeadLetterStream creates DeadLetterStream once per Bus.
func (b *Bus) ensureDeadLetterStream(ctx context.Context) error {
	b.dlqMu.Lock()
	defer b.dlqMu.Unlock()
	if b.dlqReady {
		return nil
	}
	if err := b.EnsureStream(ctx, DeadLetterStream); err != nil {
		return err
	}
	b.dlqReady = true
	return nil
}

// mapErr marks transport failures as ErrUnavailable and leaves API errors
// (bad config, missing stream) as they are.
func mapErr(err error) error {
	var apiErr *jetstream.APIError
	if errors.As(err, &apiErr) {
		return err
	}
	return ErrUnavailable.Wrap(err)
}
