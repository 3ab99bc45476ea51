package inventorydb

import (
	"context"
	"database/sql"
	"fmt"

	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// SQLite has no arrays: a list parameter is a JSON array read with
// json_each. Its transactions take the one write lock at BEGIN, so nothing
// here locks rows.
var sqliteQueries = queries{
	available: `
		SELECT s.sku, sum(s.on_hand - s.reserved)
		FROM stock s JOIN locations l ON l.id = s.location
		WHERE s.sku IN (SELECT value FROM json_each($1)) AND l.sellable
		GROUP BY s.sku`,
	levels: `
		SELECT sku, location, sum(on_hand), sum(reserved)
		FROM stock WHERE sku IN (SELECT value FROM json_each($1))
		GROUP BY sku, location ORDER BY sku, location`,
	hold: `
		SELECT reference, status, allocations, expires_at, created_at, updated_at
		FROM reservations WHERE reference = $1`,
	holds: `
		SELECT reference, status, allocations, expires_at, created_at, updated_at
		FROM reservations WHERE reference IN (SELECT value FROM json_each($1))`,
	holdsForUpdate: `
		SELECT reference, status, allocations, expires_at, created_at, updated_at
		FROM reservations WHERE reference IN (SELECT value FROM json_each($1))`,
	buckets: `
		SELECT s.sku, s.location, s.slot, s.on_hand, s.reserved, l.sellable
		FROM stock s JOIN locations l ON l.id = s.location
		WHERE s.sku IN (SELECT value FROM json_each($1))
		  AND (s.sku IN (SELECT value FROM json_each($2))
		       OR (s.sku IN (SELECT value FROM json_each($3)) AND l.sellable AND s.slot % $4 = $5)
		       OR s.sku || '/' || s.location || '/' || s.slot IN (SELECT value FROM json_each($6)))
		ORDER BY s.sku, s.location, s.slot`,
	adjustment: `
		SELECT id, sku, location, delta, reason, reference, at FROM movements
		WHERE sku = $1 AND location = $2 AND reference = $3
		  AND reference <> '' AND reason NOT IN ('sale', 'set', 'import')
		ORDER BY id LIMIT 1`,
	location:  `SELECT id, name, kind, sellable FROM locations WHERE id = $1`,
	locations: `SELECT id, name, kind, sellable FROM locations ORDER BY id`,
	expired: `
		SELECT reference FROM reservations
		WHERE status = 'held' AND expires_at <= $1
		ORDER BY expires_at LIMIT $2`,
	movements: `
		SELECT id, sku, location, delta, reason, reference, at FROM movements
		WHERE sku = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
	existingLevels: `SELECT DISTINCT sku, location FROM stock WHERE sku IN (SELECT value FROM json_each($1))`,
}

// sqliteTx implements inventory.Tx on a database/sql transaction.
type sqliteTx struct {
	s  *Store
	tx *sql.Tx
}

func (t *sqliteTx) Holds(ctx context.Context, refs []string, _ bool) (map[string]*inventory.Hold, error) {
	if len(refs) == 0 {
		return map[string]*inventory.Hold{}, nil
	}
	rows, err := t.tx.QueryContext(ctx, t.s.q.holds, t.s.list(refs))
	if err != nil {
		return nil, wrap("read reservations", err)
	}
	defer rows.Close()
	hs, err := scanHolds(rows)
	return hs, wrap("read reservations", err)
}

func (t *sqliteTx) Buckets(ctx context.Context, q inventory.BucketQuery, read []string) ([]inventory.Bucket, map[string]*inventory.Hold, error) {
	var out []inventory.Bucket
	if args, ok := t.s.bucketArgs(q); ok {
		rows, err := t.tx.QueryContext(ctx, t.s.q.buckets, args...)
		if err != nil {
			return nil, nil, wrap("lock stock", err)
		}
		out, err = scanBuckets(rows)
		rows.Close()
		if err != nil {
			return nil, nil, wrap("lock stock", err)
		}
	}
	hs, err := t.Holds(ctx, read, false)
	return out, hs, err
}

func (t *sqliteTx) Adjustment(ctx context.Context, sku, loc, ref string) (inventory.Movement, bool, error) {
	m, err := scanMovement(t.tx.QueryRowContext(ctx, t.s.q.adjustment, sku, loc, ref))
	if sqldb.IsNoRows(err) {
		return inventory.Movement{}, false, nil
	}
	if err != nil {
		return inventory.Movement{}, false, wrap("find adjustment", err)
	}
	return m, true, nil
}

func (t *sqliteTx) Location(ctx context.Context, id string) (inventory.Location, error) {
	var l inventory.Location
	err := t.tx.QueryRowContext(ctx, t.s.q.location, id).Scan(&l.ID, &l.Name, &l.Kind, &l.Sellable)
	if sqldb.IsNoRows(err) {
		return l, inventory.ErrUnknownLocation.With(fmt.Sprintf("no location %q", id))
	}
	return l, wrap("location", err)
}

func (t *sqliteTx) existing(ctx context.Context, skus []string) (map[[2]string]bool, error) {
	rows, err := t.tx.QueryContext(ctx, t.s.q.existingLevels, t.s.list(skus))
	if err != nil {
		return nil, wrap("import", err)
	}
	defer rows.Close()
	have := map[[2]string]bool{}
	for rows.Next() {
		var k [2]string
		if err := rows.Scan(&k[0], &k[1]); err != nil {
			return nil, wrap("import", err)
		}
		have[k] = true
	}
	return have, wrap("import", rows.Err())
}

// Apply writes row by row through prepared statements: SQLite runs in the
// process, so a statement costs no round trip.
func (t *sqliteTx) Apply(ctx context.Context, c inventory.Changes) error {
	run := func(what, query string, n int, args func(i int) ([]any, error)) error {
		if n == 0 {
			return nil
		}
		// Run as text: the connection keeps the statement compiled
		// (sqldb's statement cache); a Prepare would compile it again
		// every transaction.
		for i := range n {
			a, err := args(i)
			if err != nil {
				return err
			}
			if _, err := t.tx.ExecContext(ctx, query, a...); err != nil {
				return wrap(what, err)
			}
		}
		return nil
	}
	err := run("update stock", `UPDATE stock SET on_hand = $4, reserved = $5 WHERE sku = $1 AND location = $2 AND slot = $3`,
		len(c.Buckets), func(i int) ([]any, error) {
			b := c.Buckets[i]
			return []any{b.SKU, b.Location, b.Slot, b.OnHand, b.Reserved}, nil
		})
	if err != nil {
		return err
	}
	err = run("create stock", `INSERT INTO stock (sku, location, slot, on_hand, reserved) VALUES ($1, $2, $3, $4, $5)`,
		len(c.NewBuckets), func(i int) ([]any, error) {
			b := c.NewBuckets[i]
			return []any{b.SKU, b.Location, b.Slot, b.OnHand, b.Reserved}, nil
		})
	if err != nil {
		return err
	}
	err = run("insert reservations", `
		INSERT INTO reservations (reference, status, allocations, expires_at, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6)`,
		len(c.NewHolds), func(i int) ([]any, error) {
			h := c.NewHolds[i]
			a, err := allocationsJSON(h)
			return []any{h.Reference, string(h.Status), a, h.ExpiresAt.UnixMilli(), h.CreatedAt.UnixMilli(), h.UpdatedAt.UnixMilli()}, err
		})
	if err != nil {
		return err
	}
	err = run("update reservations", `UPDATE reservations SET status = $2, updated_at = $3 WHERE reference = $1`,
		len(c.Statuses), func(i int) ([]any, error) {
			s := c.Statuses[i]
			return []any{s.Reference, string(s.Status), s.At.UnixMilli()}, nil
		})
	if err != nil {
		return err
	}
	err = run("insert movements", `
		INSERT INTO movements (sku, location, delta, reason, reference, at) VALUES ($1, $2, $3, $4, $5, $6)`,
		len(c.Movements), func(i int) ([]any, error) {
			m := c.Movements[i]
			return []any{m.SKU, m.Location, m.Delta, m.Reason, m.Reference, m.At.UnixMilli()}, nil
		})
	if err != nil {
		return err
	}
	for _, e := range c.Events {
		ev, err := busEvent(e)
		if err != nil {
			return err
		}
		if err := outbox.AddEvent(ctx, t.tx, e.Type, ev); err != nil {
			return err
		}
	}
	return nil
}
