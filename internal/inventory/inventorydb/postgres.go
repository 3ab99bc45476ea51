package inventorydb

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/jackc/pgx/v5"
	"github.com/jackc/pgx/v5/stdlib"

	"github.com/bazaarshop/bazaar/internal/inventory"
)

// Lanes and slots on PostgreSQL, chosen with BenchmarkReserveHotSKU and
// BenchmarkReserveSpread on a two-core machine: two lanes beat one (a batch
// fills while the other waits on its commit) and four cut the batches too
// small for the CPU left to run them. A bucket per lane is enough for a
// lane to reserve on its own; more would only add rows to lock.
const (
	postgresLanes = 2
	postgresSlots = 2
)

var postgresQueries = queries{
	available: `
		SELECT s.sku, sum(s.on_hand - s.reserved)
		FROM stock s JOIN locations l ON l.id = s.location
		WHERE s.sku = ANY($1) AND l.sellable
		GROUP BY s.sku`,
	levels: `
		SELECT sku, location, sum(on_hand), sum(reserved)
		FROM stock WHERE sku = ANY($1)
		GROUP BY sku, location ORDER BY sku COLLATE "C", location COLLATE "C"`,
	hold: `
		SELECT reference, status, allocations, expires_at, created_at, updated_at
		FROM reservations WHERE reference = $1`,
	holds: `
		SELECT reference, status, allocations, expires_at, created_at, updated_at
		FROM reservations WHERE reference = ANY($1)`,
	holdsForUpdate: `
		SELECT reference, status, allocations, expires_at, created_at, updated_at
		FROM reservations WHERE reference = ANY($1)
		ORDER BY reference FOR UPDATE`,
	// Rows are locked in key order (the lock step runs after the sort), the
	// order every transaction uses. $1 is every SKU named, so the primary
	// key finds the candidates; the rest picks which of them to lock.
	buckets: `
		SELECT s.sku, s.location, s.slot, s.on_hand, s.reserved, l.sellable
		FROM stock s JOIN locations l ON l.id = s.location
		WHERE s.sku = ANY($1)
		  AND (s.sku = ANY($2)
		       OR (s.sku = ANY($3) AND l.sellable AND s.slot % $4 = $5)
		       OR s.sku || '/' || s.location || '/' || s.slot = ANY($6))
		ORDER BY s.sku, s.location, s.slot
		FOR UPDATE OF s`,
	adjustment: `
		SELECT id, sku, location, delta, reason, reference, at FROM movements
		WHERE sku = $1 AND location = $2 AND reference = $3
		  AND reference <> '' AND reason NOT IN ('sale', 'set', 'import')
		ORDER BY id LIMIT 1`,
	location:  `SELECT id, name, kind, sellable FROM locations WHERE id = $1`,
	locations: `SELECT id, name, kind, sellable FROM locations ORDER BY id COLLATE "C"`,
	expired: `
		SELECT reference FROM reservations
		WHERE status = 'held' AND expires_at <= $1
		ORDER BY expires_at LIMIT $2`,
	movements: `
		SELECT id, sku, location, delta, reason, reference, at FROM movements
		WHERE sku = $1 AND id < $2 ORDER BY id DESC LIMIT $3`,
	existingLevels: `SELECT DISTINCT sku, location FROM stock WHERE sku = ANY($1)`,
}

func bucketArrays(bs []inventory.Bucket) (sku, loc []string, slot []int32, onHand, reserved []int64) {
	n := len(bs)
	sku, loc, slot, onHand, reserved = make([]string, n), make([]string, n), make([]int32, n), make([]int64, n), make([]int64, n)
	for i, b := range bs {
		sku[i], loc[i], slot[i], onHand[i], reserved[i] = b.SKU, b.Location, int32(b.Slot), b.OnHand, b.Reserved
	}
	return
}

// A PostgreSQL transaction runs on the connection's pgx handle rather than
// database/sql, to pipeline: BEGIN goes out with the first query, the locks
// and the reads with each other, and the writes with COMMIT. A reservation
// batch is two round trips instead of six; on a loaded machine each round
// trip costs more than the batch's SQL.
type postgresTx struct {
	s       *Store
	conn    *pgx.Conn
	begun   bool
	pending []inventory.Changes
}

func (s *Store) updatePostgres(ctx context.Context, fn func(inventory.Tx) error) (err error) {
	c, err := s.db.Conn(ctx)
	if err != nil {
		return wrap("connect", err)
	}
	defer c.Close()
	return c.Raw(func(dc any) error {
		pc := dc.(*stdlib.Conn).Conn()
		defer func() {
			// Never hand a connection back inside a transaction.
			if pc.PgConn().TxStatus() == 'I' || pc.IsClosed() {
				return
			}
			rctx, cancel := context.WithTimeout(context.WithoutCancel(ctx), 5*time.Second)
			defer cancel()
			if _, rerr := pc.Exec(rctx, "rollback"); rerr != nil {
				_ = pc.Close(rctx) // the pool drops a closed connection
			}
		}()
		t := &postgresTx{s: s, conn: pc}
		if err := fn(t); err != nil {
			return err
		}
		return t.commit(ctx)
	})
}

// send runs b, after BEGIN if the transaction has not begun.
func (t *postgresTx) send(ctx context.Context, b *pgx.Batch) (pgx.BatchResults, error) {
	if !t.begun {
		b.QueuedQueries = append([]*pgx.QueuedQuery{{SQL: "begin"}}, b.QueuedQueries...)
	}
	br := t.conn.SendBatch(ctx, b)
	if !t.begun {
		t.begun = true
		if _, err := br.Exec(); err != nil {
			br.Close()
			return nil, wrap("begin", err)
		}
	}
	return br, nil
}

func (t *postgresTx) Holds(ctx context.Context, refs []string, lock bool) (map[string]*inventory.Hold, error) {
	if len(refs) == 0 {
		return map[string]*inventory.Hold{}, nil
	}
	q := t.s.q.holds
	if lock {
		q = t.s.q.holdsForUpdate
	}
	b := &pgx.Batch{}
	b.Queue(q, refs)
	br, err := t.send(ctx, b)
	if err != nil {
		return nil, err
	}
	defer br.Close()
	hs, err := queryHolds(br)
	return hs, wrap("read reservations", err)
}

func queryHolds(br pgx.BatchResults) (map[string]*inventory.Hold, error) {
	rows, err := br.Query()
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	return scanHolds(rows)
}

func (t *postgresTx) Buckets(ctx context.Context, q inventory.BucketQuery, read []string) ([]inventory.Bucket, map[string]*inventory.Hold, error) {
	args, lock := t.s.bucketArgs(q)
	if !lock {
		hs, err := t.Holds(ctx, read, false)
		return nil, hs, err
	}
	b := &pgx.Batch{}
	b.Queue(t.s.q.buckets, args...)
	if len(read) > 0 {
		b.Queue(t.s.q.holds, read)
	}
	br, err := t.send(ctx, b)
	if err != nil {
		return nil, nil, err
	}
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return nil, nil, wrap("lock stock", err)
	}
	bs, err := scanBuckets(rows)
	rows.Close()
	if err != nil {
		return nil, nil, wrap("lock stock", err)
	}
	hs := map[string]*inventory.Hold{}
	if len(read) > 0 {
		if hs, err = queryHolds(br); err != nil {
			return nil, nil, wrap("read reservations", err)
		}
	}
	return bs, hs, wrap("lock stock", br.Close())
}

// one runs a single query and scans its rows with scan.
func (t *postgresTx) one(ctx context.Context, what string, scan func(pgx.Rows) error, query string, args ...any) error {
	b := &pgx.Batch{}
	b.Queue(query, args...)
	br, err := t.send(ctx, b)
	if err != nil {
		return err
	}
	defer br.Close()
	rows, err := br.Query()
	if err != nil {
		return wrap(what, err)
	}
	defer rows.Close()
	for rows.Next() {
		if err := scan(rows); err != nil {
			return wrap(what, err)
		}
	}
	return wrap(what, rows.Err())
}

func (t *postgresTx) Adjustment(ctx context.Context, sku, loc, ref string) (m inventory.Movement, found bool, err error) {
	err = t.one(ctx, "find adjustment", func(r pgx.Rows) error {
		m, err = scanMovement(r)
		found = err == nil
		return err
	}, t.s.q.adjustment, sku, loc, ref)
	return m, found, err
}

func (t *postgresTx) Location(ctx context.Context, id string) (l inventory.Location, err error) {
	found := false
	err = t.one(ctx, "location", func(r pgx.Rows) error {
		found = true
		return r.Scan(&l.ID, &l.Name, &l.Kind, &l.Sellable)
	}, t.s.q.location, id)
	if err == nil && !found {
		err = inventory.ErrUnknownLocation.With(fmt.Sprintf("no location %q", id))
	}
	return l, err
}

func (t *postgresTx) existing(ctx context.Context, skus []string) (map[[2]string]bool, error) {
	have := map[[2]string]bool{}
	err := t.one(ctx, "import", func(r pgx.Rows) error {
		var k [2]string
		err := r.Scan(&k[0], &k[1])
		have[k] = true
		return err
	}, t.s.q.existingLevels, skus)
	return have, err
}

// Apply holds the writes back for commit.
func (t *postgresTx) Apply(_ context.Context, c inventory.Changes) error {
	t.pending = append(t.pending, c)
	return nil
}

// commit sends the pending writes and COMMIT in one round trip. Each kind
// of change is one statement over arrays, whatever the batch's size.
func (t *postgresTx) commit(ctx context.Context) error {
	b := &pgx.Batch{}
	for _, c := range t.pending {
		if err := queueWrites(b, c); err != nil {
			return err
		}
	}
	if b.Len() == 0 && !t.begun {
		return nil
	}
	b.Queue("commit")
	br, err := t.send(ctx, b)
	if err != nil {
		return err
	}
	if err := br.Close(); err != nil {
		return wrap("commit", err)
	}
	if t.conn.PgConn().TxStatus() != 'I' {
		return wrap("commit", fmt.Errorf("transaction still open after commit"))
	}
	return nil
}

func queueWrites(b *pgx.Batch, c inventory.Changes) error {
	if len(c.Buckets) > 0 {
		sku, loc, slot, onHand, reserved := bucketArrays(c.Buckets)
		b.Queue(`
			UPDATE stock s SET on_hand = u.on_hand, reserved = u.reserved
			FROM unnest($1::text[], $2::text[], $3::int4[], $4::int8[], $5::int8[])
			     AS u(sku, location, slot, on_hand, reserved)
			WHERE s.sku = u.sku AND s.location = u.location AND s.slot = u.slot`,
			sku, loc, slot, onHand, reserved)
	}
	if len(c.NewBuckets) > 0 {
		sku, loc, slot, onHand, reserved := bucketArrays(c.NewBuckets)
		b.Queue(`
			INSERT INTO stock (sku, location, slot, on_hand, reserved)
			SELECT * FROM unnest($1::text[], $2::text[], $3::int4[], $4::int8[], $5::int8[])`,
			sku, loc, slot, onHand, reserved)
	}
	if n := len(c.NewHolds); n > 0 {
		refs, status, allocs := make([]string, n), make([]string, n), make([]string, n)
		expires, created, updated := make([]time.Time, n), make([]time.Time, n), make([]time.Time, n)
		for i, h := range c.NewHolds {
			a, err := allocationsJSON(h)
			if err != nil {
				return err
			}
			refs[i], status[i], allocs[i] = h.Reference, string(h.Status), a
			expires[i], created[i], updated[i] = h.ExpiresAt, h.CreatedAt, h.UpdatedAt
		}
		b.Queue(`
			INSERT INTO reservations (reference, status, allocations, expires_at, created_at, updated_at)
			SELECT r, s, a::jsonb, e, c, u
			FROM unnest($1::text[], $2::text[], $3::text[], $4::timestamptz[], $5::timestamptz[], $6::timestamptz[])
			     AS t(r, s, a, e, c, u)`,
			refs, status, allocs, expires, created, updated)
	}
	if n := len(c.Statuses); n > 0 {
		refs, status, at := make([]string, n), make([]string, n), make([]time.Time, n)
		for i, s := range c.Statuses {
			refs[i], status[i], at[i] = s.Reference, string(s.Status), s.At
		}
		b.Queue(`
			UPDATE reservations r SET status = u.status, updated_at = u.at
			FROM unnest($1::text[], $2::text[], $3::timestamptz[]) AS u(reference, status, at)
			WHERE r.reference = ANY ($1) AND r.reference = u.reference`, // ANY: looked up by the index, not a hash join over the table
			refs, status, at)
	}
	if n := len(c.Movements); n > 0 {
		sku, loc, reason, ref := make([]string, n), make([]string, n), make([]string, n), make([]string, n)
		delta, at := make([]int64, n), make([]time.Time, n)
		for i, m := range c.Movements {
			sku[i], loc[i], reason[i], ref[i], delta[i], at[i] = m.SKU, m.Location, m.Reason, m.Reference, m.Delta, m.At
		}
		b.Queue(`
			INSERT INTO movements (sku, location, delta, reason, reference, at)
			SELECT * FROM unnest($1::text[], $2::text[], $3::int8[], $4::text[], $5::text[], $6::timestamptz[])`,
			sku, loc, delta, reason, ref, at)
	}
	for _, e := range c.Events {
		ev, err := busEvent(e)
		if err != nil {
			return err
		}
		data, err := json.Marshal(ev)
		if err != nil {
			return fmt.Errorf("event %s: %w", e.Type, err)
		}
		// The row outbox.AddEvent writes; that function takes a
		// database/sql transaction, which this pipeline does not have.
		b.Queue(`INSERT INTO outbox (subject, msg_id, data) VALUES ($1, $2, $3)`, e.Type, ev.ID, data)
	}
	return nil
}
