package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"path/filepath"
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

func TestMapErrorConstraints(t *testing.T) {
	migrated(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		for _, q := range []string{
			"INSERT INTO widgets (id, name) VALUES (1, 'a')",
			"INSERT INTO parts (id, widget_id, qty) VALUES (1, 1, 5)",
		} {
			if _, err := db.ExecContext(ctx, q); err != nil {
				t.Fatalf("seed: %v", err)
			}
		}
		tests := []struct {
			name     string
			query    string
			code     string
			conflict bool // errors.Is(err, sqldb.ErrConflict)
		}{
			{"unique", "INSERT INTO widgets (id, name) VALUES (2, 'a')", "already_exists", true},
			{"primary key", "INSERT INTO widgets (id, name) VALUES (1, 'b')", "already_exists", true},
			{"missing reference", "INSERT INTO parts (id, widget_id, qty) VALUES (2, 99, 1)", "reference_violation", false},
			{"reference in use", "DELETE FROM widgets WHERE id = 1", "reference_violation", false},
			{"check", "UPDATE parts SET qty = -1 WHERE id = 1", "constraint_violation", false},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				_, raw := db.ExecContext(ctx, tt.query)
				if raw == nil {
					t.Fatal("the statement succeeded; the constraint is not enforced")
				}
				err := sqldb.MapError(raw)
				if got := errs.KindOf(err); got != errs.KindConflict {
					t.Errorf("kind %v, want conflict (%v)", got, raw)
				}
				if got := errs.CodeOf(err); got != tt.code {
					t.Errorf("code %q, want %q (%v)", got, tt.code, raw)
				}
				if errors.Is(err, sqldb.ErrConflict) != tt.conflict {
					t.Errorf("errors.Is(err, ErrConflict) = %v, want %v", !tt.conflict, tt.conflict)
				}
				if !errors.Is(err, raw) {
					t.Error("the driver error must stay in the chain")
				}
			})
		}
	})
}

func TestMapErrorPassesOthersThrough(t *testing.T) {
	if sqldb.MapError(nil) != nil {
		t.Fatal("MapError(nil) != nil")
	}
	plain := errors.New("plain")
	if sqldb.MapError(plain) != plain {
		t.Fatal("an error that is not a driver error must come back unchanged")
	}
	if got := errs.KindOf(sqldb.MapError(context.DeadlineExceeded)); got != errs.KindUnavailable {
		t.Fatalf("deadline exceeded mapped to %v, want unavailable", got)
	}

	migrated(t, func(t *testing.T, db *sqldb.DB) {
		_, raw := db.ExecContext(context.Background(), "SELECT * FROM no_such_table")
		if raw == nil || sqldb.MapError(raw) != raw {
			t.Fatalf("a syntax or schema error must come back unchanged, got %v", sqldb.MapError(raw))
		}
	})
}

// Two transactions that read the same row and both write it: the later
// writer must be told to retry, on both engines, with the same code.
func TestMapErrorConcurrentUpdate(t *testing.T) {
	ctx := context.Background()
	t.Run("sqlite", func(t *testing.T) {
		dir := t.TempDir()
		db, err := sqldb.Open(ctx, dir, "shop")
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		if _, err := db.Migrate(ctx, shop); err != nil {
			t.Fatal(err)
		}
		// A plain connection with a deferred BEGIN, as any other SQLite
		// client might use; sqldb's own transactions take the lock at BEGIN.
		raw := openRaw(t, filepath.Join(dir, "shop.db"))
		tx, err := raw.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM widgets").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO widgets (id, name) VALUES (1, 'a')"); err != nil {
			t.Fatal(err)
		}
		_, err = tx.ExecContext(ctx, "INSERT INTO widgets (id, name) VALUES (2, 'b')")
		assertCode(t, sqldb.MapError(err), errs.KindConflict, "concurrent_update")
	})
	t.Run("postgres", func(t *testing.T) {
		db := sqldbtest.OpenPostgres(t)
		if _, err := db.Migrate(ctx, shop); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO counters (name, n) VALUES ('c', 0)"); err != nil {
			t.Fatal(err)
		}
		tx, err := db.BeginTx(ctx, &sql.TxOptions{Isolation: sql.LevelSerializable})
		if err != nil {
			t.Fatal(err)
		}
		defer tx.Rollback()
		var n int
		if err := tx.QueryRowContext(ctx, "SELECT n FROM counters WHERE name = 'c'").Scan(&n); err != nil {
			t.Fatal(err)
		}
		if _, err := db.ExecContext(ctx, "UPDATE counters SET n = n + 1 WHERE name = 'c'"); err != nil {
			t.Fatal(err)
		}
		_, err = tx.ExecContext(ctx, "UPDATE counters SET n = $1 WHERE name = 'c'", n+1)
		assertCode(t, sqldb.MapError(err), errs.KindConflict, "concurrent_update")
	})
}

// A writer that finds the write lock taken and may not wait gets SQLITE_BUSY.
func TestMapErrorSQLiteBusy(t *testing.T) {
	ctx := context.Background()
	dir := t.TempDir()
	db, err := sqldb.Open(ctx, dir, "shop")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, shop); err != nil {
		t.Fatal(err)
	}
	tx, err := db.BeginTx(ctx, nil) // takes the write lock at BEGIN
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	raw := openRaw(t, filepath.Join(dir, "shop.db"))
	_, err = raw.ExecContext(ctx, "INSERT INTO widgets (id, name) VALUES (1, 'a')")
	assertCode(t, sqldb.MapError(err), errs.KindUnavailable, "store_busy")
}

// openRaw opens an SQLite file without sqldb's settings and with no busy wait.
func openRaw(t *testing.T, path string) *sql.DB {
	t.Helper()
	raw, err := sql.Open("sqlite", "file:"+path+"?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	raw.SetMaxOpenConns(1)
	t.Cleanup(func() { raw.Close() })
	return raw
}

func assertCode(t *testing.T, err error, kind errs.Kind, code string) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %v %s", kind, code)
	}
	if errs.KindOf(err) != kind || errs.CodeOf(err) != code {
		t.Fatalf("got %v/%s (%v), want %v/%s", errs.KindOf(err), errs.CodeOf(err), err, kind, code)
	}
}
