// Package catalogdb keeps the catalogue in SQLite or PostgreSQL. Both engines
// run the same statements where the SQL is standard (listing, facets and the
// search index are plain joins and aggregates, so their results are identical
// by construction); where an engine needs its own form (row locks, bulk copy,
// collations) the two forms sit side by side, chosen by the dialect.
package catalogdb

import (
	"context"
	"database/sql"
	"embed"
	"errors"
	"fmt"
	"strconv"
	"strings"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

//go:embed migrations
var migrationsFS embed.FS

// Migrations creates the catalogue's tables (goose version table
// goose_catalog). The store also needs the outbox table: see Migrate.
var Migrations = sqldb.EmbeddedMigrations("catalog", migrationsFS, "migrations")

// Migrate applies the catalogue's migrations and the outbox's to db.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	return db.MigrateAll(ctx, Migrations, outbox.Migrations)
}

// Store is the catalogue in one database. It implements catalog.Store.
type Store struct {
	db *sqldb.DB
	pg bool
}

var _ catalog.Store = (*Store)(nil)

// New returns a store on db, which must have been migrated (Migrate).
func New(db *sqldb.DB) *Store {
	return &Store{db: db, pg: db.Dialect() == sqldb.Postgres}
}

// DB returns the database the store is in.
func (s *Store) DB() *sqldb.DB { return s.db }

// Write implements catalog.Store.
func (s *Store) Write(ctx context.Context, fn func(tx catalog.Tx) error) error {
	return s.db.InTx(ctx, func(t *sql.Tx) error {
		return fn(&tx{s: s, tx: t})
	})
}

// tx is a write transaction; its reads lock product rows on PostgreSQL
// (SQLite's transactions hold the one write lock from BEGIN).
type tx struct {
	s  *Store
	tx *sql.Tx
}

var _ catalog.Tx = (*tx)(nil)

// Emit implements catalog.Tx: the event goes to the outbox table in this
// transaction, on the subject named by its type.
func (t *tx) Emit(ctx context.Context, ev catalog.Event) error {
	be, err := bus.NewEvent(ev.Type, ev.Data)
	if err != nil {
		return err
	}
	return outbox.AddEvent(ctx, t.tx, ev.Type, be)
}

// forUpdate is the clause that locks rows read in a transaction.
func (s *Store) forUpdate() string {
	if s.pg {
		return " FOR UPDATE"
	}
	return ""
}

// binary names the byte-wise collation, so MIN over labels picks the same
// spelling on both engines.
func (s *Store) binary() string {
	if s.pg {
		return `COLLATE "C"`
	}
	return "COLLATE BINARY"
}

// args builds a statement's placeholder list.
type args []any

// add appends v and returns its placeholder.
func (a *args) add(v any) string {
	*a = append(*a, v)
	return "$" + strconv.Itoa(len(*a))
}

// list appends every value and returns "($1, $2, …)".
func (a *args) list(vs []string) string {
	ps := make([]string, len(vs))
	for i, v := range vs {
		ps[i] = a.add(v)
	}
	return "(" + strings.Join(ps, ", ") + ")"
}

func dbErr(what string, err error) error {
	if err == nil {
		return nil
	}
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%s: %w", what, sqldb.MapError(err))
}

// isUnique reports a unique violation, as sqldb.MapError classifies it.
func isUnique(err error) bool {
	return errors.Is(sqldb.MapError(err), sqldb.ErrConflict)
}

func errsCode(err error) string { return errs.CodeOf(err) }
