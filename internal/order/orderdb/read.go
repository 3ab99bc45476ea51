package orderdb

import (
	"context"
	"encoding/json"
	"fmt"

	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// On PostgreSQL an order and its history are read as one statement (the
// history aggregated as JSON beside the row, from the same snapshot), and
// the reads that arrive together as one query (sqldb.Lookup): in a sale
// every shopper's order page, and its status polling, reads the order.

const selectWhole = `SELECT ` + orderCols + `, (SELECT coalesce(json_agg(json_build_object(
		'seq', t.seq, 'from', t.from_status, 'to', t.to_status, 'reason', t.reason, 'actor', t.actor,
		'note', t.note, 'at', t.at) ORDER BY t.seq), '[]')
	FROM order_transitions t WHERE t.order_id = o.id AND t.seq <= o.seq)
	FROM orders o WHERE o.id = ANY ($1)`

// transitionJSON is a transition as selectWhole aggregates it.
type transitionJSON struct {
	Seq    int    `json:"seq"`
	From   string `json:"from"`
	To     string `json:"to"`
	Reason string `json:"reason"`
	Actor  string `json:"actor"`
	Note   string `json:"note"`
	At     int64  `json:"at"`
}

// wholeOrders reads the orders of ids with their histories, by id.
func (s *Store) wholeOrders(ctx context.Context, ids []string) (map[string]sqldb.Fetched[order.Order], error) {
	out, err := sqldb.FetchRows(ctx, s.db, selectWhole, ids, func(row sqldb.Scanner) (string, order.Order, error) {
		var r record
		var history []byte
		if err := row.Scan(append(r.dests(), &history)...); err != nil {
			return "", order.Order{}, err
		}
		o, err := readWhole(r, history)
		return r.ID, o, err
	})
	if err != nil {
		return nil, fmt.Errorf("read orders: %w", err)
	}
	return out, nil
}

// readWhole decodes an order and its history.
func readWhole(r record, history []byte) (order.Order, error) {
	o, err := toCore(r)
	if err != nil {
		return order.Order{}, err
	}
	var ts []transitionJSON
	if err := json.Unmarshal(history, &ts); err != nil {
		return order.Order{}, fmt.Errorf("order %s history: %w", r.ID, err)
	}
	o.History = make([]order.Transition, len(ts))
	for i, t := range ts {
		o.History[i] = order.Transition{Seq: t.Seq, From: order.Status(t.From), To: order.Status(t.To), Reason: t.Reason,
			Actor: t.Actor, Note: t.Note, At: fromMicros(t.At)}
	}
	return o, nil
}
