// Package orderdb stores orders in SQLite or PostgreSQL. The schema and the
// SQL are the same on both engines (times as Unix microseconds, money as
// integer minor units); where they differ (row locks) the difference is a
// suffix chosen at New. An order is one row: the columns queries filter and
// sort on, and a JSON document (doc) for the rest. Its history is a table of
// transitions, and its events go to the outbox table of the same database,
// all in the transaction of the change.
package orderdb

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"sync"

	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the order schema (owner "order", version table
// goose_order). The store also needs outbox.Migrations; Migrate applies
// both.
var Migrations = sqldb.EmbeddedMigrations("order", migrations, "migrations")

// Migrate applies the outbox's migrations and the order schema's.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	return db.MigrateAll(ctx, outbox.Migrations, Migrations)
}

// Store implements order.Store.
type Store struct {
	db        *sqldb.DB
	forUpdate string // row lock suffix: PostgreSQL locks rows; SQLite's write transaction locks the file
	// wmu queues this process's writers to an SQLite file, which has one
	// writer at a time: waiting here is first come, first served, where
	// SQLite's busy handler sleeps and retries in growing steps.
	wmu *sync.Mutex

	creates *sqldb.Queue[*createOp]    // group commit of new orders (create.go)
	updates *sqldb.Queue[*updateOp]    // PostgreSQL: updates from known orders, batched (batch.go)
	reads   *sqldb.Lookup[order.Order] // PostgreSQL: orders with their history, batched (read.go)
}

var _ order.Store = (*Store)(nil)

// New returns the store on db; run Migrate first.
func New(db *sqldb.DB) *Store {
	s := &Store{db: db}
	s.creates = sqldb.NewQueue(maxCreateBatch, 1, s.createBatch)
	if db.Dialect() == sqldb.Postgres {
		s.forUpdate = " FOR UPDATE"
		s.updates = sqldb.NewQueue(maxUpdateBatch, 2, s.runUpdates)
		s.reads = sqldb.NewLookup(maxUpdateBatch, 2, s.wholeOrders)
	} else {
		s.wmu = new(sync.Mutex)
	}
	return s
}

// inWriteTx runs fn in a transaction that writes.
func (s *Store) inWriteTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	if s.wmu != nil {
		s.wmu.Lock()
		defer s.wmu.Unlock()
	}
	return s.db.InTx(ctx, fn)
}

// Page sizes of List.
const (
	defaultPageSize = 20
	maxPageSize     = 100
)

// defaultDueLimit is Due's limit when none is given.
const defaultDueLimit = 100

// errPageToken: the page token was not made by List. (The code is the
// catalog's, listed in docs/errors.md.)
var errPageToken = errs.Invalid("invalid_page_token", "the page_token is malformed or belongs to another query")

// writeMutation writes what a create or an update put beside the order.
func writeMutation(ctx context.Context, tx *sql.Tx, orderID string, m *order.Mutation) error {
	if m == nil {
		return nil
	}
	if err := insertTransitions(ctx, tx, orderID, m.Transitions); err != nil {
		return err
	}
	for _, ev := range m.Events {
		if err := outbox.AddEvent(ctx, tx, ev.Subject, ev.Event); err != nil {
			return err
		}
	}
	return nil
}

func insertTransitions(ctx context.Context, tx *sql.Tx, orderID string, ts []order.Transition) error {
	rows := make([]transitionRow, len(ts))
	for i, t := range ts {
		rows[i] = transitionRow{orderID, t}
	}
	return insertTransitionRows(ctx, tx, rows)
}

// transitionRow is a transition and the order it belongs to.
type transitionRow struct {
	orderID string
	t       order.Transition
}

// insertTransitionRows writes transitions of any orders in one statement.
func insertTransitionRows(ctx context.Context, tx *sql.Tx, ts []transitionRow) error {
	if len(ts) == 0 {
		return nil
	}
	q, args := sqldb.MultiInsert("INSERT INTO order_transitions (order_id, seq, from_status, to_status, reason, actor, note, at) VALUES ", 8, len(ts))
	for _, r := range ts {
		t := r.t
		args = append(args, r.orderID, t.Seq, string(t.From), string(t.To), t.Reason, t.Actor, t.Note, micros(t.At))
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("record order %s transitions: %w", ts[0].orderID, sqldb.MapError(err))
	}
	return nil
}
