package outbox

import (
	"context"
	"database/sql"
	"fmt"
	"log/slog"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// Publisher is what the relay needs of the bus; *bus.Bus is one.
type Publisher interface {
	Publish(ctx context.Context, subject, msgID string, data []byte, h bus.Header) (bus.PubAck, error)
}

var _ Publisher = (*bus.Bus)(nil)

// RelayOptions tunes a Relay; zero values take the defaults.
type RelayOptions struct {
	// Interval between polls when idle or after a failure; 500ms. Notify
	// skips the wait.
	Interval time.Duration
	// BatchSize is how many rows one pass publishes; 100.
	BatchSize int
	// Logger receives publish failures; nil: slog.Default().
	Logger *slog.Logger
}

// Relay publishes committed outbox rows in id order and deletes them.
//
// Several relays may run on one store. On PostgreSQL each pass locks its
// rows (FOR UPDATE SKIP LOCKED), so relays share the work; on SQLite, which
// has one writer, a pass reads without holding the write lock while it
// publishes, so two relays may publish the same row and JetStream keeps one.
// Either way order is by id within one relay's pass only: ids are taken at
// insert, not at commit, and relays interleave. Consumers must not rely on
// order across aggregates.
type Relay struct {
	db   *sqldb.DB
	pub  Publisher
	opts RelayOptions
	wake chan struct{}
}

// NewRelay returns a relay for db's outbox, publishing through pub.
func NewRelay(db *sqldb.DB, pub Publisher, opts RelayOptions) *Relay {
	if opts.Interval <= 0 {
		opts.Interval = 500 * time.Millisecond
	}
	if opts.BatchSize <= 0 {
		opts.BatchSize = 100
	}
	if opts.Logger == nil {
		opts.Logger = slog.Default()
	}
	return &Relay{db: db, pub: pub, opts: opts, wake: make(chan struct{}, 1)}
}

// Notify wakes the relay now instead of at its next poll; call it after
// committing a transaction that added messages. It never blocks.
func (r *Relay) Notify() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run relays until ctx is cancelled, then returns nil. Failures (the bus or
// the store down) are logged and retried at the poll interval; rows stay
// until they are published.
func (r *Relay) Run(ctx context.Context) error {
	failing := false
	for {
		n, err := r.pass(ctx)
		if ctx.Err() != nil {
			return nil
		}
		switch {
		case err != nil:
			if !failing {
				r.opts.Logger.Warn("outbox: relay failing; will retry", "store", r.db.Schema(), "err", err)
			}
			failing = true
		case failing:
			r.opts.Logger.Info("outbox: relay recovered", "store", r.db.Schema())
			failing = false
		}
		if err == nil && n == r.opts.BatchSize {
			continue // more rows are likely waiting
		}
		t := time.NewTimer(r.opts.Interval)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil
		case <-r.wake:
			t.Stop()
		case <-t.C:
		}
	}
}

// Flush relays until the outbox is empty or a pass fails; for shutdown
// hooks and tools.
func (r *Relay) Flush(ctx context.Context) error {
	for {
		n, err := r.pass(ctx)
		if err != nil || n < r.opts.BatchSize {
			return err
		}
	}
}

type row struct {
	id int64
	Message
}

// pass publishes one batch and deletes what it published, returning how
// many rows it found.
func (r *Relay) pass(ctx context.Context) (int, error) {
	if r.db.Dialect() == sqldb.Postgres {
		return r.passLocked(ctx)
	}
	rows, err := r.load(ctx, r.db, "")
	if err != nil {
		return 0, err
	}
	done, pubErr := r.publish(ctx, rows)
	if len(done) > 0 {
		err := r.db.InTx(ctx, func(tx *sql.Tx) error { return r.delete(ctx, tx, done) })
		if err != nil {
			return len(rows), err
		}
	}
	return len(rows), pubErr
}

func (r *Relay) passLocked(ctx context.Context) (int, error) {
	var n int
	var pubErr error
	err := r.db.InTx(ctx, func(tx *sql.Tx) error {
		rows, err := r.load(ctx, tx, " FOR UPDATE SKIP LOCKED")
		if err != nil {
			return err
		}
		n = len(rows)
		var done []int64
		done, pubErr = r.publish(ctx, rows)
		return r.delete(ctx, tx, done)
	})
	if err != nil {
		return n, err
	}
	return n, pubErr
}

func (r *Relay) load(ctx context.Context, q sqldb.Execer, lock string) ([]row, error) {
	rs, err := q.QueryContext(ctx, `SELECT id, subject, msg_id, data FROM outbox ORDER BY id LIMIT $1`+lock, r.opts.BatchSize)
	if err != nil {
		return nil, fmt.Errorf("outbox load: %w", sqldb.MapError(err))
	}
	defer rs.Close()
	var rows []row
	for rs.Next() {
		var x row
		if err := rs.Scan(&x.id, &x.Subject, &x.MsgID, &x.Data); err != nil {
			return nil, fmt.Errorf("outbox load: %w", err)
		}
		rows = append(rows, x)
	}
	if err := rs.Err(); err != nil {
		return nil, fmt.Errorf("outbox load: %w", sqldb.MapError(err))
	}
	return rows, nil
}

// BatchPublisher is a Publisher that sends a batch without waiting for
// each receipt in turn (*bus.Bus is one): the relay then pays one round
// trip per pass instead of one per row.
type BatchPublisher interface {
	PublishAll(ctx context.Context, msgs []bus.Outgoing) (stored int, err error)
}

var _ BatchPublisher = (*bus.Bus)(nil)

// publish sends rows in order and returns the ids of those stored, up to
// the first failure. With a BatchPublisher the rows after a failed one are
// already on their way, so one of them may be stored before the failed row
// is sent again on the next pass; consumers de-duplicate and act on the
// state they read, so they do not depend on that order. Without one, a
// later row never overtakes an earlier one.
func (r *Relay) publish(ctx context.Context, rows []row) ([]int64, error) {
	done := make([]int64, 0, len(rows))
	if bp, ok := r.pub.(BatchPublisher); ok && len(rows) > 1 {
		msgs := make([]Message, len(rows))
		for i, x := range rows {
			msgs[i] = x.Message
		}
		n, err := bp.PublishAll(ctx, msgs)
		for _, x := range rows[:n] {
			done = append(done, x.id)
		}
		if err != nil {
			if n < len(rows) {
				return done, fmt.Errorf("outbox publish %s %s: %w", rows[n].Subject, rows[n].MsgID, err)
			}
			return done, fmt.Errorf("outbox publish: %w", err)
		}
		return done, nil
	}
	for _, x := range rows {
		if _, err := r.pub.Publish(ctx, x.Subject, x.MsgID, x.Data, nil); err != nil {
			return done, fmt.Errorf("outbox publish %s %s: %w", x.Subject, x.MsgID, err)
		}
		done = append(done, x.id)
	}
	return done, nil
}

func (r *Relay) delete(ctx context.Context, tx *sql.Tx, ids []int64) error {
	if len(ids) == 0 {
		return nil
	}
	args := make([]any, len(ids))
	for i, id := range ids {
		args[i] = id
	}
	if _, err := tx.ExecContext(ctx, `DELETE FROM outbox WHERE id IN (`+sqldb.Placeholders(1, len(ids))+`)`, args...); err != nil {
		return fmt.Errorf("outbox delete: %w", sqldb.MapError(err))
	}
	return nil
}
