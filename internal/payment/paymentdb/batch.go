package paymentdb

import (
	"context"
	"fmt"
	"strings"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// On PostgreSQL each of the order workers' payment steps (an intent's
// create, its authorisation, its capture request and its capture) is one
// statement (chained.go), and the statements, not the rows, are what the
// server spends its time on: about a hundred microseconds each before any
// row is touched. When many orders are paid at once, the steps that arrive
// while one is being written are written together, as one statement for
// any number of intents (sqldb.Queue): the columns of all their rows are
// sent as arrays and unnested. A lone step waits for nobody; under load the
// batches grow with the queue, and the statements per order fall.
//
// A batched update is guarded per intent by the version it was read at, as
// a single one is; the statement returns the ids it updated, and an intent
// not among them was changed since (its caller falls back to the locking
// update). If a batch fails as a whole (one create's key was taken, say),
// its steps are written one by one, so that each gets its own answer.

// intentColTypes are intentCols' PostgreSQL types, in order.
var intentColTypes = []string{
	"text", "text", "text", "text", "text", "text", "text", // id … currency
	"bigint", "bigint", "bigint", "bigint", "bigint", "bigint", // amount … capture_requested
	"text", "text", "text", "text", "text", "text", "text", "text", // capture_method … failure_message
	"bigint", "bigint", "bigint", "bigint", "bigint", "bigint", // needs_check … updated_at
}

// intentColNames are intentCols, one by one.
var intentColNames = strings.Split(strings.Join(strings.Fields(intentCols), " "), ", ")

var (
	transitionTypes = []string{"text", "bigint", "text", "text", "text", "bigint", "bigint"}
	ledgerTypes     = []string{"text", "text", "text", "text", "text", "text", "bigint", "bigint"}
)

// intentWrite is one step waiting in a batch.
type intentWrite struct {
	intent []any             // intentCols values
	prev   int               // an update: the version it expects
	it     *payment.Intent   // an update's, for writing it alone
	m      *payment.Mutation // the history (a create's: transitions only)
	msgs   []outbox.Message  // an update's m.Events, encoded

	written bool // an update: the intent was at prev and is written
	err     error
}

func (w *intentWrite) id() string { return w.intent[0].(string) }

// batchCreates inserts the intents of batch and their transitions.
var batchCreates = func() string {
	n := len(intentColTypes)
	return "WITH i AS (INSERT INTO intents (" + intentCols + ") SELECT * FROM " + sqldb.Unnest(1, intentColTypes) +
		" AS v (" + strings.Join(intentColNames, ", ") + ")) " +
		"INSERT INTO intent_transitions (" + transitionCols + ") SELECT * FROM " + sqldb.Unnest(n+1, transitionTypes) +
		" AS t (" + transitionCols + ")"
}()

// intentsMany writes a batch of updates: the intents at the versions they
// expect and, for those it updated, their transitions, ledger lines and
// outbox rows.
var intentsMany = sqldb.GuardedMany{
	Table: "intents", Cols: intentColNames, Types: intentColTypes,
	Keep: []string{"customer_id", "order_id", "idem_key", "fingerprint", "currency", "amount", "capture_method", "provider", "created_at"},
	Inserts: []sqldb.GuardedRows{
		{Table: "intent_transitions", Cols: strings.Split(transitionCols, ", "), Types: transitionTypes},
		{Table: "ledger_lines", Cols: strings.Split(ledgerCols, ", "), Types: ledgerTypes},
		outbox.Table,
	},
}

var batchUpdates = intentsMany.Statement()

// runCreates writes a batch of creates as one statement, or one by one if
// that fails.
func (s *Store) runCreates(ctx context.Context, batch []*intentWrite) {
	if len(batch) > 1 {
		var intents, ts [][]any
		for _, w := range batch {
			intents = append(intents, w.intent)
			for _, t := range w.m.Transitions {
				ts = append(ts, transitionRow(w.id(), t))
			}
		}
		args := append(sqldb.Columns(intentColTypes, intents), sqldb.Columns(transitionTypes, ts)...)
		if _, err := s.db.ExecContext(ctx, batchCreates, args...); err == nil {
			return
		}
	}
	for _, w := range batch {
		q, args := createStatement(w.intent, w.m.Transitions)
		if _, err := s.db.ExecContext(ctx, q, args...); err != nil {
			w.err = fmt.Errorf("create intent: %w", sqldb.MapError(err))
		}
	}
}

// runUpdates writes a batch of updates, in rounds of distinct intents.
func (s *Store) runUpdates(ctx context.Context, batch []*intentWrite) {
	sqldb.WriteRounds(batch, (*intentWrite).id,
		func(round []*intentWrite) error { return s.updateAll(ctx, round) },
		func(w *intentWrite) { w.written, w.err = s.writeIntent(ctx, nil, w.it, w.prev, w.m, true) })
}

func (s *Store) updateAll(ctx context.Context, batch []*intentWrite) error {
	writes := make([]sqldb.GuardedWrite, len(batch))
	for i, w := range batch {
		var ts, ls [][]any
		for _, t := range w.m.Transitions {
			ts = append(ts, transitionRow(w.id(), t))
		}
		for _, l := range w.m.Ledger {
			ls = append(ls, ledgerRow(l))
		}
		writes[i] = sqldb.GuardedWrite{Row: w.intent, Prev: w.prev, Inserts: [][][]any{ts, ls, outbox.Values(w.msgs)}}
	}
	updated, err := intentsMany.Run(ctx, s.db, batchUpdates, writes)
	if err != nil {
		return err
	}
	for _, w := range batch {
		w.written = updated[w.id()]
	}
	return nil
}

// queueUpdate writes it over the stored intent at version prev, with m's
// history and events, in the next batch.
func (s *Store) queueUpdate(ctx context.Context, it *payment.Intent, prev int, m *payment.Mutation) (bool, error) {
	args, err := intentArgs(it)
	if err != nil {
		return false, err
	}
	msgs, err := outbox.EventMessages(m.Events)
	if err != nil {
		return false, err
	}
	w := &intentWrite{intent: args, prev: prev, it: it, m: m, msgs: msgs}
	s.updates.Do(ctx, w)
	return w.written, w.err
}
