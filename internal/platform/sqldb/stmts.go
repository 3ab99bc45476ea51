package sqldb

import (
	"context"
	"database/sql"
	"sync"
)

// SQLite compiles every statement it runs (sqlite3_prepare), and a query
// passed as text is compiled afresh each time: a profile of checkout spent a
// third of its CPU there. The store's fixed queries are therefore prepared
// once and reused (database/sql keeps one compiled copy per connection).
// PostgreSQL needs none of this: pgx caches statements per connection.

// maxStmts bounds the cache: stores' queries are fixed text, but a query
// built per call (an IN list of varying length) must not grow it forever.
const maxStmts = 512

type stmtCache struct {
	mu sync.RWMutex
	m  map[string]*sql.Stmt
}

// stmt returns the prepared statement for query, or nil to run it as text
// (not SQLite, the cache full, or the prepare failed: the error will show
// when the query runs).
func (db *DB) stmt(ctx context.Context, query string) *sql.Stmt {
	if db.dialect != SQLite {
		return nil
	}
	c := &db.stmts
	c.mu.RLock()
	st, full := c.m[query], len(c.m) >= maxStmts
	c.mu.RUnlock()
	if st != nil || full {
		return st
	}
	st, err := db.DB.PrepareContext(context.WithoutCancel(ctx), query)
	if err != nil {
		return nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if prev := c.m[query]; prev != nil {
		st.Close()
		return prev
	}
	if c.m == nil {
		c.m = map[string]*sql.Stmt{}
	}
	c.m[query] = st
	return st
}

// QueryContext runs a query, from a prepared statement on SQLite.
func (db *DB) QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if st := db.stmt(ctx, query); st != nil {
		return st.QueryContext(ctx, args...)
	}
	return db.DB.QueryContext(ctx, query, args...)
}

// QueryRowContext runs a query expected to return at most one row.
func (db *DB) QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row {
	if st := db.stmt(ctx, query); st != nil {
		return st.QueryRowContext(ctx, args...)
	}
	return db.DB.QueryRowContext(ctx, query, args...)
}

// ExecContext runs a statement that returns no rows.
func (db *DB) ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if st := db.stmt(ctx, query); st != nil {
		return st.ExecContext(ctx, args...)
	}
	return db.DB.ExecContext(ctx, query, args...)
}

// TxStmt returns query prepared for tx: the cached statement bound to the
// transaction's connection on SQLite, nil otherwise (run the text).
func (db *DB) TxStmt(ctx context.Context, tx *sql.Tx, query string) *sql.Stmt {
	if st := db.stmt(ctx, query); st != nil {
		return tx.StmtContext(ctx, st)
	}
	return nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for _, st := range c.m {
		st.Close()
	}
	c.m = nil
}
