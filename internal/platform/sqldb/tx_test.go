package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

func countWidgets(t *testing.T, db *sqldb.DB) int {
	t.Helper()
	var n int
	if err := db.QueryRowContext(context.Background(), "SELECT count(*) FROM widgets").Scan(&n); err != nil {
		t.Fatalf("count widgets: %v", err)
	}
	return n
}

func insertWidgets(ctx context.Context, tx *sql.Tx, names ...string) error {
	for i, name := range names {
		if _, err := tx.ExecContext(ctx, "INSERT INTO widgets (id, name) VALUES ($1, $2)", i+1, name); err != nil {
			return err
		}
	}
	return nil
}

func TestInTx(t *testing.T) {
	migrated(t, func(t *testing.T, db *sqldb.DB) {
		// A transaction left open would hold SQLite's write lock, and the next
		// one would wait for it: bound every step so a leak fails fast.
		ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
		defer cancel()

		t.Run("error rolls back everything", func(t *testing.T) {
			sentinel := errors.New("rule broken")
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				if err := insertWidgets(ctx, tx, "a", "b"); err != nil {
					return err
				}
				return sentinel
			})
			if err != sentinel {
				t.Fatalf("InTx returned %v, want fn's error unchanged", err)
			}
			if n := countWidgets(t, db); n != 0 {
				t.Fatalf("%d widgets after rollback, want 0", n)
			}
		})

		t.Run("panic rolls back and re-panics", func(t *testing.T) {
			type boom struct{ n int }
			var recovered any
			func() {
				defer func() { recovered = recover() }()
				_ = db.InTx(ctx, func(tx *sql.Tx) error {
					if err := insertWidgets(ctx, tx, "a", "b"); err != nil {
						t.Errorf("insert: %v", err)
					}
					panic(boom{42})
				})
			}()
			if recovered != (boom{42}) {
				t.Fatalf("recovered %v, want the original panic value", recovered)
			}
			if n := countWidgets(t, db); n != 0 {
				t.Fatalf("%d widgets after a panic, want 0", n)
			}
		})

		t.Run("nil commits", func(t *testing.T) {
			err := db.InTx(ctx, func(tx *sql.Tx) error { return insertWidgets(ctx, tx, "a", "b") })
			if err != nil {
				t.Fatalf("InTx: %v", err)
			}
			if n := countWidgets(t, db); n != 2 {
				t.Fatalf("%d widgets after commit, want 2", n)
			}
		})

		t.Run("failed statement inside rolls back the earlier ones", func(t *testing.T) {
			err := db.InTx(ctx, func(tx *sql.Tx) error {
				if _, err := tx.ExecContext(ctx, "INSERT INTO widgets (id, name) VALUES (10, 'c')"); err != nil {
					return err
				}
				_, err := tx.ExecContext(ctx, "INSERT INTO widgets (id, name) VALUES (11, 'a')")
				return sqldb.MapError(err)
			})
			if !errors.Is(err, sqldb.ErrConflict) {
				t.Fatalf("InTx = %v, want a conflict", err)
			}
			if n := countWidgets(t, db); n != 2 {
				t.Fatalf("%d widgets, want the 2 committed before", n)
			}
		})
	})
}

func TestIsNoRows(t *testing.T) {
	migrated(t, func(t *testing.T, db *sqldb.DB) {
		var name string
		err := db.QueryRowContext(context.Background(), "SELECT name FROM widgets WHERE id = $1", 99).Scan(&name)
		if !sqldb.IsNoRows(err) || !sqldb.IsNoRows(fmt.Errorf("get widget: %w", err)) {
			t.Fatalf("IsNoRows(%v) = false", err)
		}
		if sqldb.IsNoRows(errors.New("other")) || sqldb.IsNoRows(nil) {
			t.Fatal("IsNoRows is true for an unrelated error")
		}
	})
}
