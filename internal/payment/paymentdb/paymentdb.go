// Package paymentdb stores payments in SQLite or PostgreSQL. The schema and
// the SQL are the same on both engines (times as Unix microseconds, money as
// integer minor units); where they differ (row locks) the difference is a
// suffix chosen at New. Events go to the outbox table of the same database,
// in the transaction of the change.
package paymentdb

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the payment schema (owner "payment"). The store also needs
// outbox.Migrations; Migrate applies both.
var Migrations = sqldb.EmbeddedMigrations("payment", migrations, "migrations")

// Migrate applies the outbox's migrations and the payment schema's.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	return db.MigrateAll(ctx, outbox.Migrations, Migrations)
}

// Store implements payment.Store.
type Store struct {
	db        *sqldb.DB
	forUpdate string       // row lock suffix: PostgreSQL locks rows; SQLite's write transaction locks the file
	chain     bool         // PostgreSQL: write an intent and its history as one statement (chained.go)
	writes    *sqldb.Group // SQLite: the writes of a payment's steps are group-committed
	// PostgreSQL: the steps that arrive together are written together (batch.go).
	creates, updates *sqldb.Queue[*intentWrite]
	methods          *sqldb.Lookup[payment.StoredMethod]
}

var _ payment.Store = (*Store)(nil)

// New returns the store on db; run Migrate first.
func New(db *sqldb.DB) *Store {
	s := &Store{db: db}
	if db.Dialect() == sqldb.Postgres {
		s.forUpdate = " FOR UPDATE"
		s.chain = true
		s.creates = sqldb.NewQueue(256, 2, s.runCreates)
		s.updates = sqldb.NewQueue(256, 2, s.runUpdates)
		s.methods = sqldb.NewLookup(256, 2, s.getMethods)
	} else {
		s.writes = sqldb.NewGroup(db, 64, 1, nil)
	}
	return s
}

// exec runs q in tx, or on the pool when tx is nil. Neither engine needs
// the statement prepared here: pgx caches the statements of each
// PostgreSQL connection, and sqldb's connector those of each SQLite one
// (preparing through database/sql on PostgreSQL cost a Parse and a
// Deallocate round trip per call, as its connections go back to pgxpool
// after every use).
func (s *Store) exec(ctx context.Context, tx *sql.Tx, q string, args ...any) (sql.Result, error) {
	if tx == nil {
		return s.db.ExecContext(ctx, q, args...)
	}
	return tx.ExecContext(ctx, q, args...)
}

// queryRow is exec for a query of one row.
func (s *Store) queryRow(ctx context.Context, tx *sql.Tx, q string, args ...any) sqldb.Scanner {
	if tx == nil {
		return s.db.QueryRowContext(ctx, q, args...)
	}
	return tx.QueryRowContext(ctx, q, args...)
}

// errNoChange unwinds a transaction whose function had nothing to write.
var errNoChange = errors.New("paymentdb: no change")

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }

func microsPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMicro()
}

func fromMicrosPtr(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMicros(v.Int64)
	return &t
}

func b2i(b bool) int {
	if b {
		return 1
	}
	return 0
}

func toJSON(v any) (string, error) {
	b, err := json.Marshal(v)
	if err != nil {
		return "", fmt.Errorf("paymentdb: encode: %w", err)
	}
	return string(b), nil
}

// writeMutation writes what a create put beside the intent.
func (s *Store) writeMutation(ctx context.Context, tx *sql.Tx, intentID string, m *payment.Mutation) error {
	if m == nil {
		return nil
	}
	if err := s.insertTransitions(ctx, tx, intentID, m.Transitions); err != nil {
		return err
	}
	if err := s.insertLedger(ctx, tx, m.Ledger); err != nil {
		return err
	}
	return s.writeRest(ctx, tx, m)
}

// writeIntent writes it over the stored intent if that is still at version
// prev, with m's history (transitions and ledger lines) and, if
// withEvents, its events: on PostgreSQL as one statement (chained.go).
// written is false, and nothing was written, if the stored intent is at
// another version.
func (s *Store) writeIntent(ctx context.Context, tx *sql.Tx, it *payment.Intent, prev int, m *payment.Mutation, withEvents bool) (written bool, err error) {
	args, err := intentArgs(it)
	if err != nil {
		return false, err
	}
	update := updateArgs(args, prev)
	var msgs []outbox.Message
	if withEvents {
		if msgs, err = outbox.EventMessages(m.Events); err != nil {
			return false, err
		}
	}
	if s.chain && (len(m.Transitions) > 0 || len(m.Ledger) > 0 || len(msgs) > 0) {
		q, qargs := guardedStatement(update, m.Transitions, m.Ledger, msgs)
		var n int
		if err := s.queryRow(ctx, tx, q, qargs...).Scan(&n); err != nil {
			return false, fmt.Errorf("update intent %s: %w", it.ID, sqldb.MapError(err))
		}
		return n == 1, nil
	}
	res, err := s.exec(ctx, tx, updateIntent, update...)
	if err != nil {
		return false, fmt.Errorf("update intent %s: %w", it.ID, sqldb.MapError(err))
	}
	if n, _ := res.RowsAffected(); n != 1 {
		return false, nil
	}
	if err := s.insertTransitions(ctx, tx, it.ID, m.Transitions); err != nil {
		return false, err
	}
	return true, s.insertLedger(ctx, tx, m.Ledger)
}

// writeRest writes the rest of what an update put beside the intent: the
// webhook that caused it, refunds, events.
func (s *Store) writeRest(ctx context.Context, tx *sql.Tx, m *payment.Mutation) error {
	if m.Webhook != nil {
		w := m.Webhook
		_, err := s.exec(ctx, tx, `INSERT INTO webhook_events (provider, event_id, type, intent_id, received_at) VALUES ($1, $2, $3, $4, $5)`,
			w.Provider, w.EventID, w.Type, w.IntentID, micros(w.ReceivedAt))
		if err != nil {
			if errors.Is(sqldb.MapError(err), sqldb.ErrConflict) {
				return payment.ErrWebhookSeen
			}
			return fmt.Errorf("record webhook: %w", sqldb.MapError(err))
		}
	}
	for _, r := range m.Refunds {
		if err := s.upsertRefund(ctx, tx, r); err != nil {
			return err
		}
	}
	for _, ev := range m.Events {
		if err := outbox.AddEvent(ctx, tx, ev.Subject, ev.Event); err != nil {
			return err
		}
	}
	return nil
}

// onlyHistory reports whether m writes nothing but transitions and ledger
// lines: with the intent, that is one statement on PostgreSQL.
func onlyHistory(m *payment.Mutation) bool {
	return len(m.Refunds) == 0 && len(m.Events) == 0 && m.Webhook == nil
}

func (s *Store) insertTransitions(ctx context.Context, tx *sql.Tx, intentID string, ts []payment.IntentTransition) error {
	if len(ts) == 0 {
		return nil
	}
	q, args := multiInsert(transitionsInsert, 7, len(ts))
	for _, t := range ts {
		args = append(args, transitionRow(intentID, t)...)
	}
	if _, err := s.exec(ctx, tx, q, args...); err != nil {
		return fmt.Errorf("record transitions: %w", sqldb.MapError(err))
	}
	return nil
}

func (s *Store) insertLedger(ctx context.Context, tx *sql.Tx, ls []payment.LedgerLine) error {
	if len(ls) == 0 {
		return nil
	}
	q, args := multiInsert(ledgerInsert, 8, len(ls))
	for _, l := range ls {
		args = append(args, ledgerRow(l)...)
	}
	if _, err := s.exec(ctx, tx, q, args...); err != nil {
		return fmt.Errorf("post ledger entry: %w", sqldb.MapError(err))
	}
	return nil
}

// multiInsert is sqldb.MultiInsert with the query text kept: the store
// inserts the same few shapes over and over.
func multiInsert(prefix string, cols, rows int) (string, []any) {
	key := insertShape{prefix, rows}
	if q, ok := insertQueries.Load(key); ok {
		return q.(string), make([]any, 0, cols*rows)
	}
	q, args := sqldb.MultiInsert(prefix, cols, rows)
	insertQueries.Store(key, q)
	return q, args
}

type insertShape struct {
	prefix string
	rows   int
}

var insertQueries sync.Map // insertShape -> string
