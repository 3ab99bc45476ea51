// Package sqldbtest runs store tests on every SQL dialect Bazaar supports.
package sqldbtest

import (
	"context"
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/testenv"
	"github.com/jackc/pgx/v5"
)

// ForEachDialect runs fn as a subtest on a fresh SQLite store and, when the
// test PostgreSQL is configured, on a fresh PostgreSQL schema that is dropped
// afterwards.
func ForEachDialect(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	t.Helper()
	t.Run("sqlite", func(t *testing.T) { fn(t, OpenSQLite(t)) })
	t.Run("postgres", func(t *testing.T) { fn(t, OpenPostgres(t)) })
}

// OpenSQLite opens a store in a temporary directory, closed at cleanup.
func OpenSQLite(t testing.TB) *sqldb.DB {
	t.Helper()
	db, err := sqldb.Open(context.Background(), t.TempDir(), "test")
	if err != nil {
		t.Fatalf("open sqlite: %v", err)
	}
	t.Cleanup(func() { db.Close() })
	return db
}

// OpenPostgres opens a store in a new schema of the test PostgreSQL, dropped
// at cleanup; it skips when none is configured.
func OpenPostgres(t testing.TB) *sqldb.DB {
	t.Helper()
	url := testenv.PostgresURL(t)
	schema := testenv.Name("t")
	ctx := context.Background()
	db, err := sqldb.Open(ctx, url, schema)
	if err != nil {
		t.Fatalf("open postgres: %v", err)
	}
	t.Cleanup(func() {
		db.Close()
		if conn, err := pgx.Connect(ctx, url); err == nil {
			_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
			conn.Close(ctx)
		}
	})
	return db
}

// Open opens a fresh store of the dialect, as OpenSQLite or OpenPostgres
// do: for suites whose every case wants an empty database.
func Open(t testing.TB, d sqldb.Dialect) *sqldb.DB {
	t.Helper()
	if d == sqldb.Postgres {
		return OpenPostgres(t)
	}
	return OpenSQLite(t)
}

// Strings runs q on db and returns its one text column, in order.
func Strings(t testing.TB, db sqldb.Execer, q string, args ...any) []string {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), q, args...)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	if err := rows.Err(); err != nil {
		t.Fatal(err)
	}
	return out
}
