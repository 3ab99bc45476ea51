// Package inventorydb stores inventory in SQLite or PostgreSQL. The SQL of
// each engine is in its own file (sqlite.go, postgres.go); this file holds
// what both share: the flow of a call and the converters between rows and
// inventory types.
package inventorydb

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations is the inventory schema (owner "inventory").
var Migrations = sqldb.EmbeddedMigrations("inventory", migrations, "migrations")

// Migrate applies the inventory migrations and the outbox's, which the
// store writes its events to.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	return db.MigrateAll(ctx, outbox.Migrations, Migrations)
}

// Store implements inventory.Store. Events go to the outbox table of the
// same database (see package outbox), in the transaction of the change.
type Store struct {
	db *sqldb.DB
	q  *queries
	pg bool
}

var _ inventory.Store = (*Store)(nil)

// New returns the store on db; run Migrate first.
func New(db *sqldb.DB) *Store {
	s := &Store{db: db, q: &sqliteQueries}
	if db.Dialect() == sqldb.Postgres {
		s.q, s.pg = &postgresQueries, true
	}
	return s
}

// Tuning implements inventory.Store. SQLite has one writer, so batches run
// one at a time, in one bucket per SKU. On PostgreSQL, see postgresLanes.
func (s *Store) Tuning() inventory.Tuning {
	if s.pg {
		return inventory.Tuning{Lanes: postgresLanes, Slots: postgresSlots}
	}
	return inventory.Tuning{Lanes: 1, Slots: 1}
}

// queries is the SQL that differs between the engines. Lists are passed as
// one parameter: an array in PostgreSQL, a JSON array in SQLite.
type queries struct {
	available, levels, hold, holds, holdsForUpdate, buckets string
	adjustment, location, locations, expired, movements     string
	existingLevels                                          string
}

// Update implements inventory.Store.
func (s *Store) Update(ctx context.Context, fn func(inventory.Tx) error) error {
	if s.pg {
		return s.updatePostgres(ctx, fn)
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error { return fn(&sqliteTx{s: s, tx: tx}) })
}

// list is a list parameter.
func (s *Store) list(v []string) any {
	if v == nil {
		v = []string{}
	}
	if s.pg {
		return v
	}
	b, _ := json.Marshal(v)
	return string(b)
}

// ts is a time parameter: timestamptz in PostgreSQL, Unix ms in SQLite.
func (s *Store) ts(t time.Time) any {
	if s.pg {
		return t.UTC()
	}
	return t.UnixMilli()
}

// dbTime scans what ts wrote.
type dbTime struct{ t *time.Time }

func (d dbTime) Scan(v any) error {
	switch x := v.(type) {
	case time.Time:
		*d.t = x.UTC()
	case int64:
		*d.t = time.UnixMilli(x).UTC()
	default:
		return fmt.Errorf("inventorydb: cannot scan %T as a time", v)
	}
	return nil
}

func wrap(what string, err error) error {
	if err == nil {
		return nil
	}
	return fmt.Errorf("%s: %w", what, sqldb.MapError(err))
}

// Available implements inventory.Store.
func (s *Store) Available(ctx context.Context, skus []string) (map[string]int64, error) {
	rows, err := s.db.QueryContext(ctx, s.q.available, s.list(skus))
	if err != nil {
		return nil, wrap("available", err)
	}
	defer rows.Close()
	out := make(map[string]int64, len(skus))
	for rows.Next() {
		var sku string
		var n int64
		if err := rows.Scan(&sku, &n); err != nil {
			return nil, wrap("available", err)
		}
		out[sku] = n
	}
	return out, wrap("available", rows.Err())
}

// Levels implements inventory.Store.
func (s *Store) Levels(ctx context.Context, skus []string) ([]inventory.StockLevel, error) {
	rows, err := s.db.QueryContext(ctx, s.q.levels, s.list(skus))
	if err != nil {
		return nil, wrap("levels", err)
	}
	defer rows.Close()
	out := []inventory.StockLevel{}
	for rows.Next() {
		var l inventory.StockLevel
		if err := rows.Scan(&l.SKU, &l.Location, &l.OnHand, &l.Reserved); err != nil {
			return nil, wrap("levels", err)
		}
		l.Available = l.OnHand - l.Reserved
		out = append(out, l)
	}
	return out, wrap("levels", rows.Err())
}

// Hold implements inventory.Store.
func (s *Store) Hold(ctx context.Context, ref string) (inventory.Hold, error) {
	h, err := scanHold(s.db.QueryRowContext(ctx, s.q.hold, ref))
	if sqldb.IsNoRows(err) {
		return inventory.Hold{}, inventory.ErrReservationNotFound.With(fmt.Sprintf("no reservation %s", ref))
	}
	if err != nil {
		return inventory.Hold{}, wrap("reservation "+ref, err)
	}
	return *h, nil
}

// scanHold reads reference, status, allocations, expires_at, created_at,
// updated_at.
func scanHold(r sqldb.Scanner) (*inventory.Hold, error) {
	var h inventory.Hold
	var allocs []byte
	err := r.Scan(&h.Reference, &h.Status, &allocs, dbTime{&h.ExpiresAt}, dbTime{&h.CreatedAt}, dbTime{&h.UpdatedAt})
	if err != nil {
		return nil, err
	}
	if err := json.Unmarshal(allocs, &h.Allocations); err != nil {
		return nil, fmt.Errorf("reservation %s: bad allocations: %w", h.Reference, err)
	}
	h.Lines = linesOf(h.Allocations)
	return &h, nil
}

// linesOf sums allocations per SKU, in the order the SKUs first appear
// (the order of the reservation's lines).
func linesOf(as []inventory.Allocation) []inventory.Line {
	var out []inventory.Line
	for _, a := range as {
		if n := len(out); n > 0 && out[n-1].SKU == a.SKU {
			out[n-1].Quantity += a.Quantity
			continue
		}
		out = append(out, inventory.Line{SKU: a.SKU, Quantity: a.Quantity})
	}
	return out
}

// ExpiredHolds implements inventory.Store.
func (s *Store) ExpiredHolds(ctx context.Context, now time.Time, limit int) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, s.q.expired, s.ts(now), limit)
	if err != nil {
		return nil, wrap("expired holds", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var ref string
		if err := rows.Scan(&ref); err != nil {
			return nil, wrap("expired holds", err)
		}
		out = append(out, ref)
	}
	return out, wrap("expired holds", rows.Err())
}

// Movements implements inventory.Store.
func (s *Store) Movements(ctx context.Context, sku string, before int64, limit int) ([]inventory.Movement, error) {
	if before <= 0 {
		before = 1<<63 - 1
	}
	rows, err := s.db.QueryContext(ctx, s.q.movements, sku, before, limit)
	if err != nil {
		return nil, wrap("movements", err)
	}
	defer rows.Close()
	var out []inventory.Movement
	for rows.Next() {
		m, err := scanMovement(rows)
		if err != nil {
			return nil, wrap("movements", err)
		}
		out = append(out, m)
	}
	return out, wrap("movements", rows.Err())
}

func scanMovement(r sqldb.Scanner) (inventory.Movement, error) {
	var m inventory.Movement
	err := r.Scan(&m.ID, &m.SKU, &m.Location, &m.Delta, &m.Reason, &m.Reference, dbTime{&m.At})
	return m, err
}

// Locations implements inventory.Store.
func (s *Store) Locations(ctx context.Context) ([]inventory.Location, error) {
	rows, err := s.db.QueryContext(ctx, s.q.locations)
	if err != nil {
		return nil, wrap("locations", err)
	}
	defer rows.Close()
	out := []inventory.Location{}
	for rows.Next() {
		var l inventory.Location
		if err := rows.Scan(&l.ID, &l.Name, &l.Kind, &l.Sellable); err != nil {
			return nil, wrap("locations", err)
		}
		out = append(out, l)
	}
	return out, wrap("locations", rows.Err())
}

// PutLocation implements inventory.Store.
func (s *Store) PutLocation(ctx context.Context, l inventory.Location) error {
	_, err := s.db.ExecContext(ctx, `
		INSERT INTO locations (id, name, kind, sellable) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET name = excluded.name, kind = excluded.kind, sellable = excluded.sellable`,
		l.ID, l.Name, l.Kind, l.Sellable)
	return wrap("put location", err)
}

// importer is what ImportNew needs beyond inventory.Tx.
type importer interface {
	existing(ctx context.Context, skus []string) (map[[2]string]bool, error)
}

// ImportNew implements inventory.Store.
func (s *Store) ImportNew(ctx context.Context, levels []inventory.NewStock, at time.Time) ([]inventory.NewStock, error) {
	var existing []inventory.NewStock
	err := s.Update(ctx, func(tx inventory.Tx) error {
		existing = existing[:0]
		skus := make([]string, len(levels))
		for i, l := range levels {
			skus[i] = l.SKU
		}
		have, err := tx.(importer).existing(ctx, skus)
		if err != nil {
			return err
		}
		var c inventory.Changes
		for _, l := range levels {
			if have[[2]string{l.SKU, l.Location}] {
				existing = append(existing, l)
				continue
			}
			for slot, n := range l.OnHand {
				c.NewBuckets = append(c.NewBuckets, inventory.Bucket{SKU: l.SKU, Location: l.Location, Slot: slot, OnHand: n})
			}
			c.Movements = append(c.Movements, inventory.Movement{SKU: l.SKU, Location: l.Location, Delta: l.Total(), Reason: inventory.ReasonImport, At: at})
		}
		return tx.Apply(ctx, c)
	})
	return existing, err
}

// allocationsJSON is a hold's allocations column.
func allocationsJSON(h inventory.Hold) (string, error) {
	b, err := json.Marshal(h.Allocations)
	if err != nil {
		return "", fmt.Errorf("reservation %s: %w", h.Reference, err)
	}
	return string(b), nil
}

// rowKey names a bucket in one string; SKUs and location ids hold no '/'.
func rowKey(k inventory.BucketKey) string { return fmt.Sprintf("%s/%s/%d", k.SKU, k.Location, k.Slot) }

// bucketArgs are the parameters of the buckets query.
func (s *Store) bucketArgs(q inventory.BucketQuery) ([]any, bool) {
	union := make([]string, 0, len(q.All)+len(q.Home)+len(q.Rows))
	union = append(union, q.All...)
	union = append(union, q.Home...)
	rowKeys := make([]string, len(q.Rows))
	for i, k := range q.Rows {
		union = append(union, k.SKU)
		rowKeys[i] = rowKey(k)
	}
	if len(union) == 0 {
		return nil, false
	}
	return []any{s.list(union), s.list(q.All), s.list(q.Home), max(q.Lanes, 1), q.Lane, s.list(rowKeys)}, true
}

func scanBuckets(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) ([]inventory.Bucket, error) {
	var out []inventory.Bucket
	for rows.Next() {
		var b inventory.Bucket
		if err := rows.Scan(&b.SKU, &b.Location, &b.Slot, &b.OnHand, &b.Reserved, &b.Sellable); err != nil {
			return nil, err
		}
		out = append(out, b)
	}
	return out, rows.Err()
}

func scanHolds(rows interface {
	Next() bool
	Scan(...any) error
	Err() error
}) (map[string]*inventory.Hold, error) {
	out := map[string]*inventory.Hold{}
	for rows.Next() {
		h, err := scanHold(rows)
		if err != nil {
			return nil, err
		}
		out[h.Reference] = h
	}
	return out, rows.Err()
}

// busEvent wraps an inventory event in the bus envelope.
func busEvent(e inventory.Event) (bus.Event, error) {
	data, err := json.Marshal(e.Data)
	if err != nil {
		return bus.Event{}, fmt.Errorf("event %s: %w", e.Type, err)
	}
	return bus.Event{ID: ids.New(), Type: e.Type, Time: e.At.UTC(), Data: data}, nil
}
