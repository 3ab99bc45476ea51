package orderdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"

	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// Orders are created group-committed. The workers create one order per
// request they consume, dozens at a time, and a transaction per order
// spends most of its time on BEGIN and COMMIT round trips and the
// commit's flush. A caller queues its order (sqldb.Queue); whoever finds
// no batch running writes everything queued (up to maxCreateBatch) in one
// transaction: one insert for the orders (skipping ids that exist), one
// for the new orders' transitions, one for their events. Batches form
// while the previous one commits, so a lone order waits for nobody. A
// batch that fails as a whole (a duplicate order number, say) is written
// again one order per transaction, so every caller gets its own answer.

const maxCreateBatch = 256

type createOp struct {
	id  string
	rec record
	m   *order.Mutation
	err error
}

// Create implements order.Store.
func (s *Store) Create(ctx context.Context, o *order.Order, m *order.Mutation) error {
	r, err := toDB(o)
	if err != nil {
		return err
	}
	op := &createOp{id: o.ID, rec: r, m: m}
	s.creates.Do(ctx, op)
	return op.err
}

// createBatch runs under the queue's context: no caller's, bounded by
// sqldb.BatchTimeout.
func (s *Store) createBatch(ctx context.Context, ops []*createOp) {
	if len(ops) > 1 {
		if s.createMany(ctx, ops) == nil {
			return
		}
		// Whatever failed the batch, each order on its own says whose it was.
	}
	for _, op := range ops {
		op.err = s.createOne(ctx, op)
	}
}

// createMany writes ops in one transaction and sets each op's outcome
// (nil or ErrOrderExists); an error means nothing was written.
func (s *Store) createMany(ctx context.Context, ops []*createOp) error {
	var written map[string]bool
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		q, args := sqldb.MultiInsert("INSERT INTO orders ("+orderCols+") VALUES ", 14, len(ops))
		for _, op := range ops {
			args = append(args, op.rec.args()...)
		}
		rows, err := tx.QueryContext(ctx, q+" ON CONFLICT (id) DO NOTHING RETURNING id", args...)
		if err != nil {
			return sqldb.MapError(err)
		}
		written = make(map[string]bool, len(ops))
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return sqldb.MapError(err)
			}
			written[id] = true
		}
		if err := rows.Close(); err != nil {
			return sqldb.MapError(err)
		}
		if err := rows.Err(); err != nil {
			return sqldb.MapError(err)
		}
		var ts []transitionRow
		var msgs []outbox.Message
		for _, op := range ops {
			if !written[op.id] || op.m == nil {
				continue
			}
			for _, t := range op.m.Transitions {
				ts = append(ts, transitionRow{op.id, t})
			}
			evs, err := outbox.EventMessages(op.m.Events)
			if err != nil {
				return err
			}
			msgs = append(msgs, evs...)
		}
		if err := insertTransitionRows(ctx, tx, ts); err != nil {
			return err
		}
		return outbox.AddAll(ctx, tx, msgs)
	})
	if err != nil {
		return err
	}
	for _, op := range ops {
		if !written[op.id] {
			op.err = order.ErrOrderExists
		}
	}
	return nil
}

// createOne writes one order in its own transaction.
func (s *Store) createOne(ctx context.Context, op *createOp) error {
	err := s.inWriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, insertOrder, op.rec.args()...)
		if err != nil {
			return fmt.Errorf("create order %s: %w", op.id, sqldb.MapError(err))
		}
		if n, err := res.RowsAffected(); err != nil {
			return fmt.Errorf("create order %s: %w", op.id, sqldb.MapError(err))
		} else if n == 0 {
			return order.ErrOrderExists
		}
		return writeMutation(ctx, tx, op.id, op.m)
	})
	if errs.KindOf(err) == errs.KindConflict && !errors.Is(err, order.ErrOrderExists) {
		// Two workers inserting the same order at once: PostgreSQL may
		// report the loser on the number's unique index before the id's.
		// The order with this id exists, so it is the same order.
		var one int
		if s.db.QueryRowContext(ctx, `SELECT 1 FROM orders WHERE id = $1`, op.id).Scan(&one) == nil {
			return order.ErrOrderExists
		}
	}
	return err
}
