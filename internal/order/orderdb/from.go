package orderdb

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"sync"

	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// UpdateFrom implements order.Store. It saves Update's locking read: fn
// runs on known, and the write is guarded by known's version, which every
// write of an order bumps, so it lands only if nothing was written since
// known. On PostgreSQL the order, its transitions and its events are then
// one statement (sqldb.Guarded), with no transaction around it, and
// written with the other orders' updates queued beside it; on SQLite
// the parts run in a transaction (no round trips to save there).
func (s *Store) UpdateFrom(ctx context.Context, known order.Order, fn func(o *order.Order, m *order.Mutation) error) (order.Order, error) {
	o := known
	o.History = nil
	m := &order.Mutation{}
	if fn(&o, m) == nil && o.ID == known.ID {
		// fn's refusals (and its "no change") were decided on what may be
		// an old copy: they are only believed from the stored order, below.
		o.Version = known.Version + 1
		written, err := s.writeFrom(ctx, &o, known.Version, m)
		if err != nil {
			return known, err
		}
		if written {
			return o, nil
		}
	}
	return s.Update(ctx, known.ID, fn)
}

// errMoved unwinds a write from a known order that was changed since.
var errMoved = errors.New("orderdb: the order changed")

// writeFrom writes o and m if the stored order is still at version prev;
// written is false, and nothing was written, if it is not.
func (s *Store) writeFrom(ctx context.Context, o *order.Order, prev int, m *order.Mutation) (written bool, err error) {
	r, err := toDB(o)
	if err != nil {
		return false, err
	}
	update := append(r.args(), prev)
	if s.updates != nil { // PostgreSQL: one statement, with the others queued (batch.go)
		return s.queueUpdate(ctx, update, m)
	}
	err = s.inWriteTx(ctx, func(tx *sql.Tx) error {
		res, err := tx.ExecContext(ctx, updateOrder, update...)
		if err != nil {
			return fmt.Errorf("update order %s: %w", o.ID, sqldb.MapError(err))
		}
		if n, _ := res.RowsAffected(); n != 1 {
			return errMoved
		}
		return writeMutation(ctx, tx, o.ID, m)
	})
	if errors.Is(err, errMoved) {
		return false, nil
	}
	return err == nil, err
}

// guardedTexts holds guardedStatement's text by shape: it depends only on
// how many rows it writes.
var guardedTexts sync.Map // [2]int{transitions, events} -> string

// guardedStatement is updateOrder (its arguments in update) with the
// inserts of m's transitions and events selected from its result. It
// returns one row: how many orders it updated, 0 or 1.
func guardedStatement(update []any, m *order.Mutation) (string, []any, error) {
	args := append(make([]any, 0, len(update)+7*len(m.Transitions)+3*len(m.Events)), update...)
	for _, t := range m.Transitions {
		args = append(args, t.Seq, string(t.From), string(t.To), t.Reason, t.Actor, t.Note, micros(t.At))
	}
	msgs, err := outbox.EventMessages(m.Events)
	if err != nil {
		return "", nil, err
	}
	for _, msg := range msgs {
		args = append(args, msg.Subject, msg.MsgID, msg.Data)
	}
	shape := [2]int{len(m.Transitions), len(m.Events)}
	if q, ok := guardedTexts.Load(shape); ok {
		return q.(string), args, nil
	}
	var parts []sqldb.GuardedInsert
	for range m.Transitions {
		parts = append(parts, sqldb.GuardedInsert{Into: "order_transitions (order_id, seq, from_status, to_status, reason, actor, note, at)", ID: true, Values: 7})
	}
	for range m.Events {
		parts = append(parts, sqldb.GuardedInsert{Into: "outbox (subject, msg_id, data)", Values: 3})
	}
	q := sqldb.Guarded(updateOrder, len(update), parts...)
	guardedTexts.Store(shape, q)
	return q, args, nil
}
