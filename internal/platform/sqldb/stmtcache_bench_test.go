package sqldb

import (
	"context"
	"database/sql"
	"testing"
)

const benchSchema = `
CREATE TABLE stock (sku TEXT PRIMARY KEY, qty INTEGER NOT NULL, price_units BIGINT NOT NULL, currency TEXT NOT NULL);
CREATE TABLE holds (sku TEXT PRIMARY KEY REFERENCES stock (sku), n INTEGER NOT NULL, updated_at TEXT NOT NULL);
INSERT INTO stock (sku, qty, price_units, currency) VALUES ('sku-1', 1000000000, 1299, 'EUR');
`

// benchOpen opens a store file with the production DSN, through the caching
// connector or, with plain, through the driver as sql.Open("sqlite") does:
// the path every transaction took before the cache.
func benchOpen(b *testing.B, plain bool) *sql.DB {
	b.Helper()
	dsn, _, err := sqliteDSN(b.TempDir(), "bench")
	if err != nil {
		b.Fatal(err)
	}
	var db *sql.DB
	if plain {
		db, err = sql.Open("sqlite", dsn)
	} else {
		connector, cerr := newStmtConnector(dsn)
		if cerr != nil {
			b.Fatal(cerr)
		}
		db = sql.OpenDB(connector)
	}
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { db.Close() })
	db.SetMaxOpenConns(1)
	if _, err := db.Exec(benchSchema); err != nil {
		b.Fatal(err)
	}
	return db
}

// A transaction of three statements, shaped like a reservation: read the
// stock, take from it, record the hold.
//
//	go test -run '^$' -bench SQLiteTx -count 10 ./internal/platform/sqldb/
func BenchmarkSQLiteTx(b *testing.B) {
	for _, bc := range []struct {
		name  string
		plain bool
	}{{"driver", true}, {"cached", false}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			db := benchOpen(b, bc.plain)
			for b.Loop() {
				err := func() error {
					tx, err := db.BeginTx(ctx, nil)
					if err != nil {
						return err
					}
					defer tx.Rollback()
					var qty, units int64
					var currency string
					err = tx.QueryRowContext(ctx, "SELECT qty, price_units, currency FROM stock WHERE sku = $1", "sku-1").Scan(&qty, &units, &currency)
					if err != nil {
						return err
					}
					if _, err := tx.ExecContext(ctx, "UPDATE stock SET qty = qty - $2 WHERE sku = $1 AND qty >= $2", "sku-1", 1); err != nil {
						return err
					}
					_, err = tx.ExecContext(ctx, `INSERT INTO holds (sku, n, updated_at) VALUES ($1, $2, $3)
						ON CONFLICT (sku) DO UPDATE SET n = holds.n + excluded.n, updated_at = excluded.updated_at`,
						"sku-1", 1, "2025-01-01T00:00:00Z")
					if err != nil {
						return err
					}
					return tx.Commit()
				}()
				if err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}

// One query outside a transaction: as text through the driver, from a
// *sql.Stmt (the DB-level cache this package had before), and from the
// connection's cache.
//
//	go test -run '^$' -bench SQLiteQuery -count 10 ./internal/platform/sqldb/
func BenchmarkSQLiteQuery(b *testing.B) {
	const q = "SELECT qty, price_units, currency FROM stock WHERE sku = $1"
	for _, bc := range []struct {
		name          string
		plain, sqlStm bool
	}{{"driver", true, false}, {"sqlstmt", true, true}, {"cached", false, false}} {
		b.Run(bc.name, func(b *testing.B) {
			ctx := context.Background()
			db := benchOpen(b, bc.plain)
			row := func() *sql.Row { return db.QueryRowContext(ctx, q, "sku-1") }
			if bc.sqlStm {
				st, err := db.PrepareContext(ctx, q)
				if err != nil {
					b.Fatal(err)
				}
				defer st.Close()
				row = func() *sql.Row { return st.QueryRowContext(ctx, "sku-1") }
			}
			var qty, units int64
			var currency string
			for b.Loop() {
				if err := row().Scan(&qty, &units, &currency); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
