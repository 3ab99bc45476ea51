// Package identitydb keeps identity's data in SQLite or PostgreSQL. The SQL
// is the same on both engines: $n placeholders, ON CONFLICT upserts,
// RETURNING, times as unix milliseconds.
package identitydb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"time"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations is identity's schema. Its store also needs outbox.Migrations
// (identity publishes through an outbox); Migrate applies both.
var Migrations = sqldb.EmbeddedMigrations("identity", migrations, "migrations")

// Migrate applies identity's migrations and the outbox's to db.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	return db.MigrateAll(ctx, Migrations, outbox.Migrations)
}

// Store implements identity.Store.
type Store struct {
	db *sqldb.DB
	q  sqldb.Execer
	tx *sql.Tx // set inside InTx
}

var _ identity.Store = (*Store)(nil)

// New returns a store on db, migrated with Migrate.
func New(db *sqldb.DB) *Store { return &Store{db: db, q: db.DB} }

// InTx runs fn in a transaction; nested calls join the outer one.
func (s *Store) InTx(ctx context.Context, fn func(identity.Store) error) error {
	if s.tx != nil {
		return fn(s)
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		return fn(&Store{db: s.db, q: tx, tx: tx})
	})
}

// Publish adds ev to the outbox in the current transaction.
func (s *Store) Publish(ctx context.Context, subject string, ev bus.Event) error {
	if s.tx == nil {
		return errors.New("identitydb: Publish outside a transaction")
	}
	return outbox.AddEvent(ctx, s.tx, subject, ev)
}

func ms(t time.Time) int64 { return t.UnixMilli() }

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func strArgs(head []any, vals []string) []any {
	for _, v := range vals {
		head = append(head, v)
	}
	return head
}

// wrap adds what failed to an error, mapping driver errors to Bazaar's.
func wrap(op string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("identitydb: %s: %w", op, sqldb.MapError(err))
}

func affected(res sql.Result) int64 {
	n, err := res.RowsAffected()
	if err != nil {
		return 0
	}
	return n
}
