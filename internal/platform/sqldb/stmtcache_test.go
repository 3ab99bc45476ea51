package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

const cacheSchema = `
CREATE TABLE widgets (id INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE);
CREATE TABLE parts (id INTEGER PRIMARY KEY, widget_id INTEGER NOT NULL REFERENCES widgets (id));
INSERT INTO widgets (id, name) VALUES (1, 'a'), (2, 'b'), (3, 'c');
`

// cacheConn opens a store in a temporary directory, creates cacheSchema with
// one multi-statement Exec, and returns one of its connections, whose
// statement cache the tests can look into.
func cacheConn(t *testing.T) (*DB, *sql.Conn) {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, t.TempDir(), "shop")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	c, err := db.Conn(ctx)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { c.Close() })
	if _, err := c.ExecContext(ctx, cacheSchema); err != nil {
		t.Fatalf("multi-statement exec: %v", err)
	}
	return db, c
}

type cacheStats struct{ prepared, bypassed, cached int }

func statsOf(t *testing.T, c *sql.Conn) (s cacheStats) {
	t.Helper()
	err := c.Raw(func(dc any) error {
		sc, ok := dc.(*stmtConn)
		if !ok {
			return fmt.Errorf("the connection is a %T, not the caching wrapper", dc)
		}
		sc.mu.Lock()
		defer sc.mu.Unlock()
		s = cacheStats{sc.prepared, sc.bypassed, len(sc.stmts)}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func (s cacheStats) minus(o cacheStats) cacheStats {
	return cacheStats{s.prepared - o.prepared, s.bypassed - o.bypassed, s.cached - o.cached}
}

// Statements inside a transaction, the case database/sql's own *sql.Stmt
// cache missed, compile once per connection and text.
func TestStmtCacheReusesInsideTx(t *testing.T) {
	ctx := context.Background()
	_, c := cacheConn(t)
	if s := statsOf(t, c); s.prepared != 0 || s.cached != 0 {
		t.Fatalf("the multi-statement schema was cached: %+v", s)
	}
	before := statsOf(t, c)
	for round := range 3 {
		tx, err := c.BeginTx(ctx, nil)
		if err != nil {
			t.Fatal(err)
		}
		for i := range 5 {
			id := 10 + round*5 + i
			if _, err := tx.ExecContext(ctx, "INSERT INTO widgets (id, name) VALUES ($1, $2)", id, fmt.Sprint("w", id)); err != nil {
				t.Fatal(err)
			}
			var name string
			if err := tx.QueryRowContext(ctx, "SELECT name FROM widgets WHERE id = $1", id).Scan(&name); err != nil || name != fmt.Sprint("w", id) {
				t.Fatalf("read back %d: %q, %v", id, name, err)
			}
		}
		if err := tx.Commit(); err != nil {
			t.Fatal(err)
		}
	}
	var n int
	for range 3 {
		if err := c.QueryRowContext(ctx, "SELECT count(*) FROM widgets").Scan(&n); err != nil {
			t.Fatal(err)
		}
	}
	if n != 18 {
		t.Fatalf("%d widgets, want 18", n)
	}
	if d := statsOf(t, c).minus(before); d != (cacheStats{prepared: 3, cached: 3}) {
		t.Fatalf("30 runs of 2 texts in transactions and 3 of one outside: %+v, want 3 compiled and cached", d)
	}
}

// A query run while rows of the same text are still open compiles a copy of
// its own; the open rows go on undisturbed, and the cached statement serves
// again once they are closed.
func TestStmtCacheNestedQueriesInTx(t *testing.T) {
	ctx := context.Background()
	_, c := cacheConn(t)
	tx, err := c.BeginTx(ctx, nil)
	if err != nil {
		t.Fatal(err)
	}
	defer tx.Rollback()
	const all = "SELECT id, name FROM widgets ORDER BY id"
	before := statsOf(t, c)
	rows, err := tx.QueryContext(ctx, all)
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for rows.Next() {
		var id int
		var name string
		if err := rows.Scan(&id, &name); err != nil {
			t.Fatal(err)
		}
		// The same text, nested: its statement is busy.
		var n int
		inner, err := tx.QueryContext(ctx, all)
		if err != nil {
			t.Fatal(err)
		}
		for inner.Next() {
			n++
		}
		if err := inner.Close(); err != nil || n != 3 {
			t.Fatalf("nested run of the same text: %d rows, %v", n, err)
		}
		// Another text, and a write, between two rows of the outer query.
		var again string
		if err := tx.QueryRowContext(ctx, "SELECT name FROM widgets WHERE id = $1", id).Scan(&again); err != nil || again != name {
			t.Fatalf("nested lookup of %d: %q, %v", id, again, err)
		}
		if _, err := tx.ExecContext(ctx, "INSERT INTO parts (id, widget_id) VALUES ($1, $1)", id); err != nil {
			t.Fatal(err)
		}
		got = append(got, name)
	}
	if err := rows.Close(); err != nil {
		t.Fatal(err)
	}
	if strings.Join(got, ",") != "a,b,c" {
		t.Fatalf("outer rows %v, want a,b,c", got)
	}
	if d := statsOf(t, c).minus(before); d != (cacheStats{prepared: 3, bypassed: 3, cached: 3}) {
		t.Fatalf("stats %+v, want 3 texts compiled once and the 3 nested runs of the busy one beside the cache", d)
	}
	var n int
	if err := tx.QueryRowContext(ctx, "SELECT count(*) FROM ("+all+")").Scan(&n); err != nil || n != 3 {
		t.Fatal(n, err)
	}
	if rows, err = tx.QueryContext(ctx, all); err != nil {
		t.Fatal(err)
	}
	rows.Close()
	if d := statsOf(t, c).minus(before); d.bypassed != 3 || d.prepared != 4 {
		t.Fatalf("stats %+v: the freed statement was not reused", d)
	}
}

// SQLite recompiles a statement whose tables changed; a statement whose table
// is gone fails as the text would, and works again once the table is back.
func TestStmtCacheAfterSchemaChange(t *testing.T) {
	ctx := context.Background()
	_, c := cacheConn(t)
	const q = "SELECT * FROM widgets WHERE id = $1"
	columns := func() ([]string, error) {
		rows, err := c.QueryContext(ctx, q, 1)
		if err != nil {
			return nil, err
		}
		defer rows.Close()
		return rows.Columns()
	}
	if cols, err := columns(); err != nil || len(cols) != 2 {
		t.Fatalf("columns %v, %v", cols, err)
	}
	if _, err := c.ExecContext(ctx, "ALTER TABLE widgets ADD COLUMN colour TEXT NOT NULL DEFAULT 'red'"); err != nil {
		t.Fatal(err)
	}
	cols, err := columns()
	if err != nil || strings.Join(cols, ",") != "id,name,colour" {
		t.Fatalf("after ALTER TABLE: columns %v, %v", cols, err)
	}

	if _, err := c.ExecContext(ctx, "DROP TABLE parts"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.ExecContext(ctx, "DROP TABLE widgets"); err != nil {
		t.Fatal(err)
	}
	_, err = columns()
	var sqErr *sqlite.Error
	if !errors.As(err, &sqErr) || sqErr.Code() != sqlite3.SQLITE_ERROR || !strings.Contains(err.Error(), "no such table") {
		t.Fatalf("a cached statement on a dropped table: %v, want SQLITE_ERROR no such table", err)
	}
	if _, err := c.ExecContext(ctx, "CREATE TABLE widgets (id INTEGER PRIMARY KEY, label TEXT)"); err != nil {
		t.Fatal(err)
	}
	if cols, err := columns(); err != nil || strings.Join(cols, ",") != "id,label" {
		t.Fatalf("after re-creating the table: columns %v, %v", cols, err)
	}
}

// Constraint failures and lock failures of cached statements map to the same
// errors as before, and the statement serves again afterwards.
func TestStmtCacheErrorsMapTheSame(t *testing.T) {
	ctx := context.Background()
	db, c := cacheConn(t)
	const insert = "INSERT INTO widgets (id, name) VALUES ($1, $2)"
	for i := range 3 { // the first run compiles, the later ones are cached
		_, err := c.ExecContext(ctx, insert, 100+i, "a")
		if !errors.Is(MapError(err), ErrConflict) {
			t.Fatalf("run %d: duplicate name gave %v, want ErrConflict", i, err)
		}
		_, err = c.ExecContext(ctx, "INSERT INTO parts (id, widget_id) VALUES ($1, $2)", 100+i, 99)
		if errs.CodeOf(MapError(err)) != "reference_violation" {
			t.Fatalf("run %d: missing reference gave %v", i, err)
		}
	}
	if _, err := c.ExecContext(ctx, insert, 100, "new"); err != nil {
		t.Fatalf("the statement after a failure: %v", err)
	}

	// A second store on the same file that may not wait for the lock: its
	// write fails with SQLITE_BUSY while the first holds the write lock, on
	// a cached statement as on a fresh one, and succeeds once it is free.
	connector, err := newStmtConnector("file:" + db.path + "?_pragma=busy_timeout(0)")
	if err != nil {
		t.Fatal(err)
	}
	other := sql.OpenDB(connector)
	defer other.Close()
	other.SetMaxOpenConns(1)
	if _, err := other.ExecContext(ctx, insert, 200, "warm"); err != nil {
		t.Fatal(err)
	}
	tx, err := c.BeginTx(ctx, nil) // _txlock=immediate: the write lock now
	if err != nil {
		t.Fatal(err)
	}
	for i := range 2 {
		_, err = other.ExecContext(ctx, insert, 201, "busy")
		if got := MapError(err); errs.KindOf(got) != errs.KindUnavailable || errs.CodeOf(got) != "store_busy" {
			t.Fatalf("run %d under a held write lock: %v, want store_busy", i, err)
		}
	}
	if err := tx.Rollback(); err != nil {
		t.Fatal(err)
	}
	if _, err := other.ExecContext(ctx, insert, 201, "free"); err != nil {
		t.Fatalf("after the lock is free: %v", err)
	}
}

// A query whose context ends fails with the context's error and leaves its
// statement ready for the next run.
func TestStmtCacheCanceledQuery(t *testing.T) {
	_, c := cacheConn(t)
	// Long enough to outlive the deadline: a recursive count to 10^8.
	const slow = "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1) SELECT count(*) FROM n"
	ctx, cancel := context.WithTimeout(context.Background(), 50*time.Millisecond)
	defer cancel()
	var n int
	err := c.QueryRowContext(ctx, slow, 100_000_000).Scan(&n)
	if !errors.Is(err, context.DeadlineExceeded) {
		t.Fatalf("canceled query: %v, want the deadline", err)
	}
	if err := c.QueryRowContext(context.Background(), slow, 10).Scan(&n); err != nil || n != 10 {
		t.Fatalf("the statement after its cancellation: %d, %v", n, err)
	}
}

// Texts built per call (IN lists of every length) never hold more than
// maxConnStmts statements, and a query in steady use stays compiled.
func TestStmtCacheBound(t *testing.T) {
	ctx := context.Background()
	_, c := cacheConn(t)
	before := statsOf(t, c)
	const hot = "SELECT name FROM widgets WHERE id = $1"
	for i := 1; i <= 2*maxConnStmts; i++ {
		q := "SELECT count(*) FROM widgets WHERE id IN ($1" + strings.Repeat(", $1", i) + ")"
		var n int
		if err := c.QueryRowContext(ctx, q, 1).Scan(&n); err != nil || n != 1 {
			t.Fatalf("IN list of %d: %d, %v", i, n, err)
		}
		var name string
		if err := c.QueryRowContext(ctx, hot, 2).Scan(&name); err != nil || name != "b" {
			t.Fatalf("hot query: %q, %v", name, err)
		}
	}
	d := statsOf(t, c).minus(before)
	if d.cached != maxConnStmts {
		t.Fatalf("%d statements cached, want the bound %d", d.cached, maxConnStmts)
	}
	if d.prepared != 2*maxConnStmts+1 {
		t.Fatalf("%d compiled, want each IN list once and the hot query once (%d)", d.prepared, 2*maxConnStmts+1)
	}
}

// Everything else a connection offers still reaches the driver: sqlite.Limit
// through Unwrap, column types, the memory database, and (*sql.DB).Driver.
func TestStmtCacheForwards(t *testing.T) {
	ctx := context.Background()
	db, c := cacheConn(t)
	if _, err := sqlite.Limit(c, sqlite3.SQLITE_LIMIT_LENGTH, -1); err != nil {
		t.Fatalf("sqlite.Limit through the wrapper: %v", err)
	}
	for range 2 {
		rows, err := c.QueryContext(ctx, "SELECT id, name FROM widgets")
		if err != nil {
			t.Fatal(err)
		}
		types, err := rows.ColumnTypes()
		rows.Close()
		if err != nil || len(types) != 2 || types[0].DatabaseTypeName() != "INTEGER" || types[1].DatabaseTypeName() != "TEXT" {
			t.Fatalf("column types %v, %v", types, err)
		}
	}
	dc, err := db.Driver().Open("file:" + filepath.Join(t.TempDir(), "x.db"))
	if err != nil {
		t.Fatal(err)
	}
	if _, ok := dc.(*stmtConn); !ok {
		t.Errorf("(*sql.DB).Driver opens a %T", dc)
	}
	dc.Close()

	mem, err := Open(ctx, "sqlite::memory:", "shop")
	if err != nil {
		t.Fatal(err)
	}
	defer mem.Close()
	err = mem.InTx(ctx, func(tx *sql.Tx) error {
		_, err := tx.ExecContext(ctx, "CREATE TABLE t (x INTEGER)")
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
}

// A query that fails between rows leaves its statement in the driver's hands
// with arguments it has freed: the statement is dropped, and the next run of
// the text compiles afresh.
func TestStmtCacheDropsStatementFailedMidway(t *testing.T) {
	ctx := context.Background()
	_, c := cacheConn(t)
	// abs of the smallest int64 overflows: on the second row only.
	const q = "SELECT CASE WHEN id = 2 THEN abs($1) ELSE id END FROM widgets ORDER BY id"
	run := func(arg int64) (int, error) {
		rows, err := c.QueryContext(ctx, q, arg)
		if err != nil {
			return 0, err
		}
		defer rows.Close()
		n := 0
		for rows.Next() {
			n++
		}
		return n, rows.Err()
	}
	if n, err := run(1); err != nil || n != 3 {
		t.Fatalf("%d rows, %v", n, err)
	}
	before := statsOf(t, c)
	if _, err := run(-1 << 63); err == nil || !strings.Contains(err.Error(), "overflow") {
		t.Fatalf("abs overflow: %v, want integer overflow", err)
	}
	if n, err := run(1); err != nil || n != 3 {
		t.Fatalf("after the failure: %d rows, %v", n, err)
	}
	if d := statsOf(t, c).minus(before); d.prepared != 1 || d.cached != 0 {
		t.Fatalf("stats %+v: the failed statement was kept", d)
	}
}
