// Package cartdb keeps carts, promotions, purchase limits and redemptions in
// SQLite or PostgreSQL. The statements are the same on both engines except
// for row locks, which only PostgreSQL needs (an SQLite write transaction
// holds the database's one write lock from BEGIN).
package cartdb

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

//go:embed migrations
var migrationsFS embed.FS

// Migrations creates the cart's tables (goose version table goose_cart).
// The store also needs the outbox's tables: see Migrate.
var Migrations = sqldb.EmbeddedMigrations("cart", migrationsFS, "migrations")

// Migrate applies the cart's migrations and the outbox's to db.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	return db.MigrateAll(ctx, Migrations, outbox.Migrations)
}

// Store is the cart's data in one database. It implements cart.Store.
type Store struct {
	db *sqldb.DB
	pg bool
	// wmu queues this process's writers to an SQLite file, which has one
	// writer at a time: waiting here is first come, first served, where
	// SQLite's busy handler would sleep and retry in growing steps (tens
	// of milliseconds under load).
	wmu sync.Mutex
	// writes are group-committed: many carts' writes in one transaction.
	writes *sqldb.Group
	reads  *sqldb.Lookup[cart.Record] // PostgreSQL: reads by id, batched
}

var _ cart.Store = (*Store)(nil)

// New returns a store on db, which must have been migrated (Migrate).
func New(db *sqldb.DB) *Store {
	s := &Store{db: db, pg: db.Dialect() == sqldb.Postgres}
	if s.pg {
		s.writes = sqldb.NewGroup(db, maxGroup, pgLanes, nil)
		s.reads = sqldb.NewLookup(maxGroup, pgLanes, s.carts)
	} else {
		s.writes = sqldb.NewGroup(db, maxGroup, 1, &s.wmu)
	}
	return s
}

// maxGroup is the most cart writes committed in one transaction; on
// PostgreSQL, pgLanes transactions run at once.
const (
	maxGroup = 128
	pgLanes  = 4
)

// DB returns the database the store is in.
func (s *Store) DB() *sqldb.DB { return s.db }

// InTx implements cart.Store. The transaction is group-committed with
// other callers' (sqldb.Group): fn's statements run under the batch's
// context, whatever context fn passes them, and fn may run twice.
func (s *Store) InTx(ctx context.Context, fn func(tx cart.Tx) error) error {
	return s.writes.InTx(ctx, func(ctx context.Context, t *sql.Tx) error {
		return fn(&tx{s: s, q: sqldb.Bound(ctx, t), tx: t, ctx: ctx})
	})
}

// writing takes the SQLite write queue and returns its release.
func (s *Store) writing() func() {
	if s.pg {
		return func() {}
	}
	s.wmu.Lock()
	return s.wmu.Unlock
}

// lock is the clause that locks rows read in a transaction.
func (s *Store) lock() string {
	if s.pg {
		return " FOR UPDATE"
	}
	return ""
}

// ms converts between times and the stored milliseconds.
func ms(t time.Time) int64 { return t.UnixMilli() }

func msPtr(t *time.Time) any {
	if t == nil {
		return nil
	}
	return t.UnixMilli()
}

func fromMS(v int64) time.Time { return time.UnixMilli(v).UTC() }

func fromNullMS(v sql.NullInt64) *time.Time {
	if !v.Valid {
		return nil
	}
	t := fromMS(v.Int64)
	return &t
}

func nullString(s string) any {
	if s == "" {
		return nil
	}
	return s
}

// mapErr maps driver errors and wraps them with what was being done.
func mapErr(what string, err error) error {
	if err == nil {
		return nil
	}
	err = sqldb.MapError(err)
	var e *errs.Error
	if errors.As(err, &e) {
		return err
	}
	return fmt.Errorf("%s: %w", what, err)
}

// body is the JSON document of a cart row: lines with amounts in minor
// units of the row's currency and times in milliseconds, decoded in one
// pass.
type body struct {
	Lines   []lineDB      `json:"lines"`
	Codes   []string      `json:"codes"`
	Address *cart.Address `json:"address,omitempty"`
}

type lineDB struct {
	ID       string `json:"id"`
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
	Price    int64  `json:"price"`
	AddedAt  int64  `json:"added_at"`
}

func toDB(r cart.Record) body {
	b := body{Lines: make([]lineDB, len(r.Lines)), Codes: r.Codes, Address: r.Address}
	for i, l := range r.Lines {
		b.Lines[i] = lineDB{ID: l.ID, SKU: l.SKU, Quantity: l.Quantity, Price: l.Price.Amount, AddedAt: ms(l.AddedAt)}
	}
	return b
}

func toCore(b body, currency string) ([]cart.StoredLine, []string) {
	lines := make([]cart.StoredLine, len(b.Lines))
	for i, l := range b.Lines {
		lines[i] = cart.StoredLine{ID: l.ID, SKU: l.SKU, Quantity: l.Quantity,
			Price: money.Money{Amount: l.Price, Currency: currency}, AddedAt: fromMS(l.AddedAt)}
	}
	codes := b.Codes
	if codes == nil {
		codes = []string{}
	}
	return lines, codes
}

const cartColumns = `id, user_id, token_hash, device_id, status, currency, body, closed_ref, version, created_at, updated_at, expires_at`

func scanCart(row interface{ Scan(...any) error }) (cart.Record, error) {
	var (
		r                cart.Record
		user, hash       sql.NullString
		raw              string
		created, updated int64
		expires          sql.NullInt64
		status           string
	)
	if err := row.Scan(&r.ID, &user, &hash, &r.DeviceID, &status, &r.Currency, &raw, &r.ClosedRef, &r.Version, &created, &updated, &expires); err != nil {
		if sqldb.IsNoRows(err) {
			return cart.Record{}, cart.ErrCartNotFound
		}
		return cart.Record{}, mapErr("read cart", err)
	}
	var b body
	// A row that cannot be decoded is returned with its id alone.
	if err := json.Unmarshal([]byte(raw), &b); err != nil {
		return cart.Record{ID: r.ID}, fmt.Errorf("decode cart %s: %w", r.ID, err)
	}
	if _, err := money.LookupCurrency(r.Currency); err != nil {
		return cart.Record{ID: r.ID}, fmt.Errorf("cart %s: %w", r.ID, err)
	}
	r.UserID, r.TokenHash, r.Status = user.String, hash.String, cart.Status(status)
	r.Lines, r.Codes = toCore(b, r.Currency)
	r.Address = b.Address
	r.CreatedAt, r.UpdatedAt, r.ExpiresAt = fromMS(created), fromMS(updated), fromNullMS(expires)
	return r, nil
}

func encodeBody(r cart.Record) (string, error) {
	raw, err := json.Marshal(toDB(r))
	return string(raw), err
}

// Cart implements cart.Store.
// On PostgreSQL the reads that arrive together are one query (sqldb.Lookup):
// every checkout and every cart page reads its cart.
func (s *Store) Cart(ctx context.Context, id string) (cart.Record, error) {
	if s.reads != nil {
		return s.reads.Get(ctx, id, cart.ErrCartNotFound)
	}
	return scanCart(s.db.QueryRowContext(ctx, `SELECT `+cartColumns+` FROM carts WHERE id = $1`, id))
}

// carts reads the carts of ids, by id.
func (s *Store) carts(ctx context.Context, ids []string) (map[string]sqldb.Fetched[cart.Record], error) {
	out, err := sqldb.FetchRows(ctx, s.db, `SELECT `+cartColumns+` FROM carts WHERE id = ANY ($1)`, ids,
		func(row sqldb.Scanner) (string, cart.Record, error) {
			r, err := scanCart(row)
			return r.ID, r, err
		})
	return out, mapErr("read carts", err)
}

// UserCart implements cart.Store.
func (s *Store) UserCart(ctx context.Context, userID string) (cart.Record, error) {
	return scanCart(s.db.QueryRowContext(ctx, `SELECT `+cartColumns+` FROM carts WHERE user_id = $1 AND status = 'active'`, userID))
}

// DeleteExpired implements cart.Store.
func (s *Store) DeleteExpired(ctx context.Context, now, closedBefore time.Time, limit int) (int, error) {
	defer s.writing()()
	res, err := s.db.ExecContext(ctx, `DELETE FROM carts WHERE id IN (
		SELECT id FROM carts
		WHERE (status = 'active' AND expires_at IS NOT NULL AND expires_at <= $1)
		   OR (status <> 'active' AND updated_at < $2)
		LIMIT $3)`, ms(now), ms(closedBefore), limit)
	if err != nil {
		return 0, mapErr("delete expired carts", err)
	}
	n, err := res.RowsAffected()
	return int(n), err
}

// Emit implements cart.Tx: the event goes to the outbox in this
// transaction, on the subject given.
func (t *tx) Emit(ctx context.Context, subject string, data any) error {
	ev, err := bus.NewEvent(subject, data)
	if err != nil {
		return err
	}
	return outbox.AddEvent(t.ctx, t.tx, subject, ev)
}

// tx is a write transaction.
type tx struct {
	s   *Store
	q   sqldb.Execer // tx, bound to ctx
	tx  *sql.Tx
	ctx context.Context // the transaction's, not its callers'
}

var _ cart.Tx = (*tx)(nil)

func (t *tx) Cart(ctx context.Context, id string) (cart.Record, error) {
	return scanCart(t.q.QueryRowContext(ctx, `SELECT `+cartColumns+` FROM carts WHERE id = $1`+t.s.lock(), id))
}

func (t *tx) UserCart(ctx context.Context, userID string) (cart.Record, error) {
	return scanCart(t.q.QueryRowContext(ctx, `SELECT `+cartColumns+` FROM carts WHERE user_id = $1 AND status = 'active'`+t.s.lock(), userID))
}

func (t *tx) InsertCart(ctx context.Context, r cart.Record) error {
	b, err := encodeBody(r)
	if err != nil {
		return err
	}
	_, err = t.q.ExecContext(ctx, `INSERT INTO carts (`+cartColumns+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12)`,
		r.ID, nullString(r.UserID), nullString(r.TokenHash), r.DeviceID, string(r.Status), r.Currency, b, r.ClosedRef,
		r.Version, ms(r.CreatedAt), ms(r.UpdatedAt), msPtr(r.ExpiresAt))
	return mapErr("insert cart", err)
}

func (t *tx) CloseCart(ctx context.Context, id, ref string, at, guestExpiry time.Time) (cart.Record, bool, error) {
	r, err := scanCart(t.q.QueryRowContext(ctx, `UPDATE carts SET status = $2, closed_ref = $3, version = version + 1,
		updated_at = $4, expires_at = CASE WHEN user_id IS NULL THEN $5 ELSE expires_at END
		WHERE id = $1 AND status = 'active' RETURNING `+cartColumns, id, string(cart.StatusOrdered), ref, ms(at), ms(guestExpiry)))
	if errors.Is(err, cart.ErrCartNotFound) {
		return cart.Record{}, false, nil
	}
	return r, err == nil, err
}

func (t *tx) UpdateCart(ctx context.Context, r cart.Record) error {
	b, err := encodeBody(r)
	if err != nil {
		return err
	}
	res, err := t.q.ExecContext(ctx, `UPDATE carts SET user_id = $2, token_hash = $3, device_id = $4, status = $5, body = $6,
		closed_ref = $7, version = $8, updated_at = $9, expires_at = $10 WHERE id = $1`,
		r.ID, nullString(r.UserID), nullString(r.TokenHash), r.DeviceID, string(r.Status), b, r.ClosedRef,
		r.Version, ms(r.UpdatedAt), msPtr(r.ExpiresAt))
	if err != nil {
		return mapErr("update cart", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cart.ErrCartNotFound
	}
	return nil
}
