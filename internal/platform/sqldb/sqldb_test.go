package sqldb_test

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"sync"
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/testenv"
)

func TestDialectOf(t *testing.T) {
	tests := []struct {
		url  string
		want sqldb.Dialect
	}{
		{"postgres://u@h/db", sqldb.Postgres},
		{"postgresql://u@h/db?sslmode=disable", sqldb.Postgres},
		{"./data", sqldb.SQLite},
		{"sqlite:./data", sqldb.SQLite},
		{"sqlite::memory:", sqldb.SQLite},
		{"", sqldb.SQLite},
	}
	for _, tt := range tests {
		if got := sqldb.DialectOf(tt.url); got != tt.want {
			t.Errorf("DialectOf(%q) = %s, want %s", tt.url, got, tt.want)
		}
	}
}

func TestOpenRejectsBadServiceName(t *testing.T) {
	for _, name := range []string{"", "Catalog", "cat-alog", "1cat", "a;drop"} {
		if db, err := sqldb.Open(context.Background(), t.TempDir(), name); err == nil {
			db.Close()
			t.Errorf("Open accepted service name %q", name)
		}
	}
}

// Pragmas in the DSN apply to each connection as it is opened, so every
// pooled connection is checked, all held at once to force distinct ones.
func TestSQLiteConnectionSettings(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, t.TempDir(), "shop")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	const conns = 8
	held := make([]*sql.Conn, conns)
	for i := range held {
		c, err := db.Conn(ctx)
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		held[i] = c
	}
	for i, c := range held {
		var journal string
		var foreignKeys, busyTimeout, synchronous int
		for _, p := range []struct {
			pragma string
			dest   any
		}{
			{"journal_mode", &journal},
			{"foreign_keys", &foreignKeys},
			{"busy_timeout", &busyTimeout},
			{"synchronous", &synchronous},
		} {
			if err := c.QueryRowContext(ctx, "PRAGMA "+p.pragma).Scan(p.dest); err != nil {
				t.Fatalf("conn %d: PRAGMA %s: %v", i, p.pragma, err)
			}
		}
		if journal != "wal" || foreignKeys != 1 || busyTimeout < 1000 || synchronous != 1 {
			t.Errorf("conn %d: journal_mode=%s foreign_keys=%d busy_timeout=%d synchronous=%d; want wal, 1, >=1000, 1 (NORMAL)",
				i, journal, foreignKeys, busyTimeout, synchronous)
		}
	}
}

// Read-then-write increments from many goroutines: each transaction takes
// the write lock at BEGIN and waits its turn, so none fails with SQLITE_BUSY
// and no increment is lost.
func TestSQLiteConcurrentWriters(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, t.TempDir(), "shop")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, shop); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO counters (name, n) VALUES ('c', 0)"); err != nil {
		t.Fatal(err)
	}
	const writers, each = 8, 50
	var wg sync.WaitGroup
	errc := make(chan error, writers*each)
	for range writers {
		wg.Go(func() {
			for range each {
				errc <- db.InTx(ctx, func(tx *sql.Tx) error {
					var n int
					if err := tx.QueryRowContext(ctx, "SELECT n FROM counters WHERE name = 'c'").Scan(&n); err != nil {
						return err
					}
					_, err := tx.ExecContext(ctx, "UPDATE counters SET n = $1 WHERE name = 'c'", n+1)
					return err
				})
			}
		})
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		if err != nil {
			t.Fatalf("concurrent InTx: %v", sqldb.MapError(err))
		}
	}
	var n int
	if err := db.QueryRowContext(ctx, "SELECT n FROM counters WHERE name = 'c'").Scan(&n); err != nil {
		t.Fatal(err)
	}
	if n != writers*each {
		t.Fatalf("counter = %d, want %d", n, writers*each)
	}
}

func TestSQLiteReopenKeepsData(t *testing.T) {
	ctx := context.Background()
	dir := filepath.Join(t.TempDir(), "data") // Open creates it
	db, err := sqldb.Open(ctx, "sqlite:"+dir, "shop")
	if err != nil {
		t.Fatal(err)
	}
	if _, err := db.Migrate(ctx, shop); err != nil {
		t.Fatal(err)
	}
	if _, err := db.ExecContext(ctx, "INSERT INTO widgets (id, name) VALUES (1, 'kept')"); err != nil {
		t.Fatal(err)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if _, err := os.Stat(filepath.Join(dir, "shop.db")); err != nil {
		t.Fatalf("the store is not the file <dir>/<service>.db: %v", err)
	}

	db, err = sqldb.Open(ctx, dir, "shop")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if v := version(t, db, shop); v != 3 {
		t.Fatalf("version %d after reopen, want 3", v)
	}
	var name string
	if err := db.QueryRowContext(ctx, "SELECT name FROM widgets WHERE id = 1").Scan(&name); err != nil || name != "kept" {
		t.Fatalf("after reopen: %q, %v; want the row written before", name, err)
	}
}

// Every pooled connection must see the same in-memory database.
func TestSQLiteMemoryIsSharedAcrossConnections(t *testing.T) {
	ctx := context.Background()
	db, err := sqldb.Open(ctx, "sqlite::memory:", "shop")
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, shop); err != nil {
		t.Fatal(err)
	}
	a, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer a.Close()
	b, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	defer b.Close()
	if _, err := a.ExecContext(ctx, "INSERT INTO widgets (id, name) VALUES (1, 'x')"); err != nil {
		t.Fatal(err)
	}
	var n int
	if err := b.QueryRowContext(ctx, "SELECT count(*) FROM widgets").Scan(&n); err != nil || n != 1 {
		t.Fatalf("second connection sees %d widgets (%v), want 1", n, err)
	}

	other, err := sqldb.Open(ctx, "sqlite::memory:", "shop")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	if tableExists(t, other, "widgets") {
		t.Fatal("two in-memory stores must not share tables")
	}
}

// Two services with the same table names live side by side in one database.
func TestPostgresSchemaPerService(t *testing.T) {
	url := testenv.PostgresURL(t)
	ctx := context.Background()
	services := []string{testenv.Name("svc"), testenv.Name("svc")}
	dbs := make([]*sqldb.DB, len(services))
	for i, service := range services {
		t.Cleanup(func() { dropSchema(url, service) })
		db, err := sqldb.Open(ctx, url, service)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		if db.Schema() != service {
			t.Fatalf("Schema() = %q, want %q", db.Schema(), service)
		}
		if _, err := db.Migrate(ctx, shop); err != nil {
			t.Fatalf("migrate %s: %v", service, err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO widgets (id, name) VALUES (1, $1)", service); err != nil {
			t.Fatal(err)
		}
		dbs[i] = db
	}
	for i, db := range dbs {
		var name, schema string
		if err := db.QueryRowContext(ctx, "SELECT name FROM widgets").Scan(&name); err != nil || name != services[i] {
			t.Errorf("%s reads %q (%v), want only its own row", services[i], name, err)
		}
		q := "SELECT table_schema FROM information_schema.tables WHERE table_name = 'widgets' AND table_schema = $1"
		if err := db.QueryRowContext(ctx, q, services[i]).Scan(&schema); err != nil {
			t.Errorf("widgets is not in schema %s: %v", services[i], err)
		}
	}
}
