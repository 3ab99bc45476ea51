// Package sqldb opens Bazaar's relational stores: an SQLite file in the
// embedded mode, PostgreSQL in production. Each service owns its own store (a
// file per service in SQLite, a schema per service in PostgreSQL) and its own
// migrations, one set per dialect. Queries use $1-style placeholders, which
// both engines accept; SQL that differs between engines lives in per-dialect
// files of the owning service, not behind a query builder.
package sqldb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"net/url"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/pgxpool"
	"github.com/jackc/pgx/v5/stdlib"
)

// Dialect names the SQL engine behind a DB.
type Dialect string

const (
	SQLite   Dialect = "sqlite"
	Postgres Dialect = "postgres"
)

// DB is a handle on one service's store.
type DB struct {
	*sql.DB
	dialect Dialect
	schema  string // the PostgreSQL schema, or the SQLite file name's stem
	path    string // the SQLite file (or memory database name)
	pool    *pgxpool.Pool
}

// Dialect reports the engine.
func (db *DB) Dialect() Dialect { return db.dialect }

// Schema is the service's namespace: the PostgreSQL schema or the SQLite file stem.
func (db *DB) Schema() string { return db.schema }

var schemaName = regexp.MustCompile(`^[a-z][a-z0-9_]{0,62}$`)

// Open opens the store of one service.
//
// For PostgreSQL, url is the server URL ("postgres://…"); the service's tables
// live in a schema named after it, created if missing. For the embedded mode,
// url is a directory ("./data") or an "sqlite:" URL naming a directory, and the
// store is the file <dir>/<service>.db; "sqlite::memory:" gives a private
// in-memory database (tests).
func Open(ctx context.Context, rawURL, service string) (*DB, error) {
	if !schemaName.MatchString(service) {
		return nil, fmt.Errorf("sqldb: bad service name %q", service)
	}
	switch {
	case strings.HasPrefix(rawURL, "postgres://"), strings.HasPrefix(rawURL, "postgresql://"):
		return openPostgres(ctx, rawURL, service)
	default:
		return openSQLite(ctx, rawURL, service)
	}
}

// DialectOf tells which engine a database URL selects, without opening it.
func DialectOf(rawURL string) Dialect {
	if strings.HasPrefix(rawURL, "postgres://") || strings.HasPrefix(rawURL, "postgresql://") {
		return Postgres
	}
	return SQLite
}

func openSQLite(ctx context.Context, rawURL, service string) (*DB, error) {
	dsn, path, err := sqliteDSN(rawURL, service)
	if err != nil {
		return nil, err
	}
	// The connector caches compiled statements per connection (stmtcache.go).
	connector, err := newStmtConnector(dsn)
	if err != nil {
		return nil, fmt.Errorf("sqldb: open sqlite: %w", err)
	}
	sdb := sql.OpenDB(connector)
	// SQLite has one writer at a time; a small pool keeps readers parallel
	// without piling up writers on the busy timeout.
	sdb.SetMaxOpenConns(8)
	sdb.SetMaxIdleConns(8)
	sdb.SetConnMaxIdleTime(0)
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		return nil, fmt.Errorf("sqldb: open sqlite %s: %w", service, err)
	}
	return &DB{DB: sdb, dialect: SQLite, schema: service, path: path}, nil
}

// sqliteDSN returns the driver's data source name for the service's store
// under rawURL, and the store's file (or memory database name), creating the
// directory it lives in.
func sqliteDSN(rawURL, service string) (dsn, path string, err error) {
	dir := strings.TrimPrefix(strings.TrimPrefix(rawURL, "sqlite://"), "sqlite:")
	// WAL lets readers run beside the single writer; busy_timeout makes a
	// writer wait for the lock instead of failing; _txlock=immediate takes the
	// write lock at BEGIN, so two read-then-write transactions cannot deadlock.
	const pragmas = "_pragma=journal_mode(WAL)&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_pragma=synchronous(NORMAL)&_txlock=immediate"
	if dir == ":memory:" {
		// A named shared-cache memory database, so every pooled connection sees
		// the same tables.
		path = fmt.Sprintf("%s-%d", service, time.Now().UnixNano())
		return "file:" + path + "?mode=memory&cache=shared&_pragma=foreign_keys(1)&_pragma=busy_timeout(10000)&_txlock=immediate", path, nil
	}
	if dir == "" {
		dir = "."
	}
	if err := os.MkdirAll(dir, 0o750); err != nil {
		return "", "", fmt.Errorf("sqldb: create data dir: %w", err)
	}
	path = filepath.Join(dir, service+".db")
	if abs, err := filepath.Abs(path); err == nil {
		path = abs
	}
	return "file:" + path + "?" + pragmas, path, nil
}

func openPostgres(ctx context.Context, rawURL, service string) (*DB, error) {
	// Create the service's schema first, on a short-lived connection. The
	// URL is parsed as a pool's, so pool settings (pool_max_conns) in it are
	// accepted here too.
	poolCfg, err := pgxpool.ParseConfig(rawURL)
	if err != nil {
		return nil, fmt.Errorf("sqldb: bad postgres url: %w", err)
	}
	admin, err := pgx.ConnectConfig(ctx, poolCfg.ConnConfig)
	if err != nil {
		return nil, unavailable("postgres", err)
	}
	_, err = admin.Exec(ctx, "CREATE SCHEMA IF NOT EXISTS "+pgx.Identifier{service}.Sanitize())
	admin.Close(ctx)
	if err != nil && !isUniqueViolation(err) { // concurrent CREATE SCHEMA races on the catalog
		return nil, fmt.Errorf("sqldb: create schema %s: %w", service, err)
	}

	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, fmt.Errorf("sqldb: bad postgres url: %w", err)
	}
	q := u.Query()
	q.Set("search_path", service+",public") // public: extensions such as pg_trgm
	u.RawQuery = q.Encode()
	cfg, err := pgxpool.ParseConfig(u.String())
	if err != nil {
		return nil, fmt.Errorf("sqldb: bad postgres url: %w", err)
	}
	if !q.Has("pool_max_conns") {
		// pgx's default (the CPU count, at least 4) starves concurrent
		// transactions on a small machine; 8 per service keeps a process
		// running all of them under PostgreSQL's default 100 connections.
		cfg.MaxConns = 8
	}
	pool, err := pgxpool.NewWithConfig(ctx, cfg)
	if err != nil {
		return nil, unavailable("postgres", err)
	}
	sdb := stdlib.OpenDBFromPool(pool)
	if err := sdb.PingContext(ctx); err != nil {
		sdb.Close()
		pool.Close()
		return nil, unavailable("postgres", err)
	}
	return &DB{DB: sdb, dialect: Postgres, schema: service, pool: pool}, nil
}

// Close closes the handle and, for PostgreSQL, its pool.
func (db *DB) Close() error {
	err := db.DB.Close()
	if db.pool != nil {
		db.pool.Close()
	}
	return err
}

// InTx runs fn in a transaction, committing if it returns nil and rolling back
// otherwise (or if it panics). The error from fn is returned unchanged.
func (db *DB) InTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := db.BeginTx(ctx, nil)
	if err != nil {
		return MapError(fmt.Errorf("begin: %w", err))
	}
	defer func() {
		if p := recover(); p != nil {
			_ = tx.Rollback()
			panic(p)
		}
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	if err = tx.Commit(); err != nil {
		return MapError(fmt.Errorf("commit: %w", err))
	}
	return nil
}

// Execer is what *sql.DB, *sql.Conn and *sql.Tx share; store code that can
// run inside or outside a transaction takes one.
type Execer interface {
	ExecContext(ctx context.Context, query string, args ...any) (sql.Result, error)
	QueryContext(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRowContext(ctx context.Context, query string, args ...any) *sql.Row
}

var (
	_ Execer = (*sql.DB)(nil)
	_ Execer = (*sql.Tx)(nil)
)

// ErrNoRows is returned by helpers when a query found nothing.
var ErrNoRows = sql.ErrNoRows

// IsNoRows reports whether err means a query found nothing.
func IsNoRows(err error) bool { return errors.Is(err, sql.ErrNoRows) }

// Placeholders returns "$from, $from+1, …" for n values.
func Placeholders(from, n int) string {
	b := make([]byte, 0, n*5)
	for i := range n {
		if i > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '$')
		b = strconv.AppendInt(b, int64(from+i), 10)
	}
	return string(b)
}

// MultiInsert builds "prefix ($1, $2), ($3, $4)" for rows of cols values,
// and an argument slice with room for them: one round trip for many rows.
func MultiInsert(prefix string, cols, rows int) (string, []any) {
	b := make([]byte, 0, len(prefix)+rows*cols*5)
	b = append(b, prefix...)
	n := 1
	for r := 0; r < rows; r++ {
		if r > 0 {
			b = append(b, ", "...)
		}
		b = append(b, '(')
		for c := 0; c < cols; c++ {
			if c > 0 {
				b = append(b, ", "...)
			}
			b = fmt.Appendf(b, "$%d", n)
			n++
		}
		b = append(b, ')')
	}
	return string(b), make([]any, 0, rows*cols)
}
