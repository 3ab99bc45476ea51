package sqldb

import (
	"context"
	"database/sql/driver"
	"fmt"
	"strings"
	"sync"

	"modernc.org/sqlite"
)

// SQLite compiles every statement it runs (sqlite3_prepare), and a query
// passed as text is compiled afresh each time: a profile of checkout spent
// 14% of its CPU compiling the statements of its transactions alone. Each
// SQLite connection therefore keeps the statements it has compiled, by query
// text, and runs a text it has seen before from its compiled copy, inside a
// transaction or outside, with no change to the callers. It sits below
// database/sql, as a wrapper of the driver's connections, because a
// transaction is pinned to one connection and database/sql's own *sql.Stmt
// would have to be rebound to it (Tx.Stmt) at every call.
//
// PostgreSQL needs none of this: pgx caches statements per connection.

// maxConnStmts bounds each connection's cache: the stores' queries are fixed
// text, but a query built per call (an IN list of varying length) must not
// grow it forever. The least recently used statement makes room.
const maxConnStmts = 256

// sqliteConn is what the wrapper needs of the driver's connection: the
// optional interfaces database/sql looks for, which a wrapper must forward or
// hide (see sqlite.NewConnector). NamedValueChecker is deliberately absent:
// the driver lacks it, and database/sql's default argument conversion must
// stay the same.
type sqliteConn interface {
	driver.Conn
	driver.ConnPrepareContext
	driver.ConnBeginTx
	driver.ExecerContext
	driver.QueryerContext
	driver.Pinger
	driver.SessionResetter
	driver.Validator
}

// sqliteStmt is what the driver's prepared statements implement.
type sqliteStmt interface {
	driver.Stmt
	driver.StmtExecContext
	driver.StmtQueryContext
}

// sqliteRows is what the driver's rows implement; database/sql's ColumnTypes
// uses the optional methods, so the wrapper forwards them all.
type sqliteRows interface {
	driver.Rows
	driver.RowsColumnTypeDatabaseTypeName
	driver.RowsColumnTypeLength
	driver.RowsColumnTypeNullable
	driver.RowsColumnTypePrecisionScale
	driver.RowsColumnTypeScanType
}

// stmtConnector opens the driver's connections wrapped in a stmtConn.
type stmtConnector struct {
	inner driver.Connector
}

func newStmtConnector(dsn string) (driver.Connector, error) {
	inner, err := sqlite.NewConnector(dsn)
	if err != nil {
		return nil, err
	}
	return stmtConnector{inner}, nil
}

func (c stmtConnector) Connect(ctx context.Context) (driver.Conn, error) {
	dc, err := c.inner.Connect(ctx)
	if err != nil {
		return nil, err
	}
	return wrapConn(dc)
}

func (c stmtConnector) Driver() driver.Driver { return stmtDriver{c.inner.Driver()} }

// stmtDriver is the driver (*sql.DB).Driver reports: its connections cache
// statements too.
type stmtDriver struct{ inner driver.Driver }

func (d stmtDriver) Open(name string) (driver.Conn, error) {
	dc, err := d.inner.Open(name)
	if err != nil {
		return nil, err
	}
	return wrapConn(dc)
}

func wrapConn(dc driver.Conn) (driver.Conn, error) {
	sc, ok := dc.(sqliteConn)
	if !ok {
		dc.Close()
		return nil, fmt.Errorf("sqldb: the sqlite driver's connection %T lacks an interface the statement cache needs", dc)
	}
	return &stmtConn{sqliteConn: sc, stmts: map[string]*cachedStmt{}}, nil
}

// stmtConn is a driver connection whose ExecContext and QueryContext run from
// compiled statements kept by query text. Everything else is the driver's.
//
// database/sql never uses a connection from two goroutines at once (it holds
// the connection's lock around every call, Rows.Close included); mu is there
// so that a mistake in that reasoning is a race report, not corrupt memory.
type stmtConn struct {
	sqliteConn
	mu    sync.Mutex
	stmts map[string]*cachedStmt // nil once closed
	clock uint64                 // counts uses, for least-recently-used eviction

	// For tests: statements compiled for the cache, and runs that bypassed it
	// (text not cached, or its statement busy).
	prepared, bypassed int
}

// cachedStmt is one compiled statement. A statement runs one query at a time:
// busy while a Rows from it is open, so a second run of the same text (a
// query nested in the iteration of its own rows) compiles its own copy.
type cachedStmt struct {
	st    sqliteStmt
	query string
	busy  bool
	used  uint64
}

var (
	_ driver.Connector = stmtConnector{}
	_ sqliteConn       = (*stmtConn)(nil)
	_ sqliteRows       = (*stmtRows)(nil)
)

// Unwrap returns the driver's connection, for sqlite.Limit and any caller of
// sql.Conn.Raw that needs the driver's own methods.
func (c *stmtConn) Unwrap() driver.Conn { return c.sqliteConn }

// cacheable tells whether query may be kept compiled. A text with a ';' may
// be a script (a migration file): the driver compiles a script one statement
// at a time, at every run, so there is nothing to keep.
func cacheable(query string) bool { return strings.IndexByte(query, ';') < 0 }

// acquire returns the compiled statement for query, marked busy, compiling
// it on a miss; nil (and no error) when the text is not to be cached or its
// statement is busy, and the caller runs it through the driver's connection
// as it would without the cache. An error is the one compiling the text gave,
// the same the driver would return running it.
func (c *stmtConn) acquire(ctx context.Context, query string) (*cachedStmt, error) {
	if !cacheable(query) {
		return nil, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if c.stmts == nil {
		return nil, driver.ErrBadConn
	}
	c.clock++
	if e := c.stmts[query]; e != nil {
		if e.busy {
			c.bypassed++
			return nil, nil
		}
		e.busy, e.used = true, c.clock
		return e, nil
	}
	if len(c.stmts) >= maxConnStmts && !c.evictLocked() {
		c.bypassed++
		return nil, nil
	}
	ds, err := c.sqliteConn.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	st, ok := ds.(sqliteStmt)
	if !ok {
		ds.Close()
		return nil, fmt.Errorf("sqldb: the sqlite driver's statement %T lacks StmtExecContext or StmtQueryContext", ds)
	}
	c.prepared++
	e := &cachedStmt{st: st, query: query, busy: true, used: c.clock}
	c.stmts[query] = e
	return e, nil
}

// evictLocked finalizes the least recently used statement not in use, and
// reports whether it found one.
func (c *stmtConn) evictLocked() bool {
	var lru *cachedStmt
	for _, e := range c.stmts {
		if !e.busy && (lru == nil || e.used < lru.used) {
			lru = e
		}
	}
	if lru == nil {
		return false
	}
	delete(c.stmts, lru.query)
	lru.st.Close()
	return true
}

// release marks e free again; discard drops it from the cache and finalizes
// it instead, for a statement that may not have been reset cleanly.
func (c *stmtConn) release(e *cachedStmt, discard bool) {
	c.mu.Lock()
	defer c.mu.Unlock()
	e.busy = false
	if c.stmts == nil {
		// Closed while a Rows was open, which database/sql does not do: the
		// driver's connection is gone, and the statement with it.
		return
	}
	if discard {
		delete(c.stmts, e.query)
		e.st.Close()
	}
}

// ExecContext runs query from its compiled statement. The driver resets the
// statement and unbinds its text and blob arguments after every run,
// failed or not, so the next run starts clean.
func (c *stmtConn) ExecContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Result, error) {
	e, err := c.acquire(ctx, query)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return c.sqliteConn.ExecContext(ctx, query, args)
	}
	defer c.release(e, false)
	return e.st.ExecContext(ctx, args)
}

// QueryContext runs query from its compiled statement, which stays busy until
// the Rows is closed; the driver resets it then.
func (c *stmtConn) QueryContext(ctx context.Context, query string, args []driver.NamedValue) (driver.Rows, error) {
	e, err := c.acquire(ctx, query)
	if err != nil {
		return nil, err
	}
	if e == nil {
		return c.sqliteConn.QueryContext(ctx, query, args)
	}
	dr, err := e.st.QueryContext(ctx, args)
	if err != nil {
		// The driver has reset the statement on every failure path.
		c.release(e, false)
		return nil, err
	}
	r, ok := dr.(sqliteRows)
	if !ok {
		dr.Close()
		c.release(e, true)
		return nil, fmt.Errorf("sqldb: the sqlite driver's rows %T lack a column type method", dr)
	}
	return &stmtRows{sqliteRows: r, c: c, e: e}, nil
}

// Close finalizes the compiled statements, then closes the connection.
func (c *stmtConn) Close() error {
	c.mu.Lock()
	for _, e := range c.stmts {
		if !e.busy {
			// A finalize reports the failure of the statement's last run,
			// already reported then: only the connection's close matters.
			_ = e.st.Close()
		}
	}
	c.stmts = nil
	c.mu.Unlock()
	return c.sqliteConn.Close()
}

// stmtRows frees its statement for the next run when closed.
type stmtRows struct {
	sqliteRows
	c      *stmtConn
	e      *cachedStmt
	closed bool
}

func (r *stmtRows) Close() error {
	if r.closed {
		return nil
	}
	r.closed = true
	err := r.sqliteRows.Close()
	// On an error the driver skips unbinding the arguments, whose buffers it
	// has freed: such a statement is not run again.
	r.c.release(r.e, err != nil)
	return err
}
