package orderdb

import (
	"context"
	"fmt"
	"strings"

	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// On PostgreSQL the workers' updates from a known order (UpdateFrom: an
// order paid, say) that arrive while one is being written are written
// together, as one statement for any number of orders
// (sqldb.GuardedMany), each guarded by the version it was read at. A lone
// update waits for nobody; under load the batches grow with the queue and
// the statements per order fall. If a batch fails as a whole, its updates
// are written one by one, so that each gets its own answer.

const maxUpdateBatch = 256

var ordersMany = sqldb.GuardedMany{
	Table: "orders",
	Cols:  strings.Split(strings.Join(strings.Fields(orderCols), " "), ", "),
	Types: []string{"text", "text", "text", "text", "text", "text", "text", "bigint", "bigint", "bigint", "bigint",
		"bigint", "bigint", "text"},
	Inserts: []sqldb.GuardedRows{
		{Table: "order_transitions", Cols: []string{"order_id", "seq", "from_status", "to_status", "reason", "actor", "note", "at"},
			Types: []string{"text", "bigint", "text", "text", "text", "text", "text", "bigint"}},
		outbox.Table,
	},
}

var batchUpdates = ordersMany.Statement()

// updateOp is one update from a known order waiting in a batch.
type updateOp struct {
	update []any // updateOrder's arguments: the record's, then the version expected
	m      *order.Mutation
	msgs   []outbox.Message

	written bool
	err     error
}

func (op *updateOp) id() string { return op.update[0].(string) }

// queueUpdate writes update (updateOrder's arguments) and m in the next batch.
func (s *Store) queueUpdate(ctx context.Context, update []any, m *order.Mutation) (bool, error) {
	msgs, err := outbox.EventMessages(m.Events)
	if err != nil {
		return false, err
	}
	op := &updateOp{update: update, m: m, msgs: msgs}
	s.updates.Do(ctx, op)
	return op.written, op.err
}

// runUpdates writes a batch, in rounds of distinct orders.
func (s *Store) runUpdates(ctx context.Context, batch []*updateOp) {
	sqldb.WriteRounds(batch, (*updateOp).id,
		func(round []*updateOp) error { return s.updateAll(ctx, round) },
		func(op *updateOp) { op.written, op.err = s.updateOne(ctx, op) })
}

func (s *Store) updateAll(ctx context.Context, batch []*updateOp) error {
	writes := make([]sqldb.GuardedWrite, len(batch))
	for i, op := range batch {
		var ts [][]any
		for _, t := range op.m.Transitions {
			ts = append(ts, []any{op.id(), t.Seq, string(t.From), string(t.To), t.Reason, t.Actor, t.Note, micros(t.At)})
		}
		n := len(op.update) - 1
		writes[i] = sqldb.GuardedWrite{Row: op.update[:n], Prev: op.update[n].(int), Inserts: [][][]any{ts, outbox.Values(op.msgs)}}
	}
	updated, err := ordersMany.Run(ctx, s.db, batchUpdates, writes)
	if err != nil {
		return err
	}
	for _, op := range batch {
		op.written = updated[op.id()]
	}
	return nil
}

// updateOne is a batch of one: the single guarded statement.
func (s *Store) updateOne(ctx context.Context, op *updateOp) (bool, error) {
	q, args, err := guardedStatement(op.update, op.m)
	if err != nil {
		return false, err
	}
	var n int
	if err := s.db.QueryRowContext(ctx, q, args...).Scan(&n); err != nil {
		return false, fmt.Errorf("update order %s: %w", op.id(), sqldb.MapError(err))
	}
	return n == 1, nil
}
