package paymentdb

import (
	"strings"
	"sync"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// On PostgreSQL each statement is a round trip to the server, and a
// payment's writes are an intent row and a few rows beside it (its
// history: transitions and ledger lines). The store therefore writes them
// as one statement of several parts:
//
//	WITH i AS (INSERT INTO intents ...) INSERT INTO intent_transitions ...
//	WITH u AS (UPDATE intents ... WHERE version = $v RETURNING id),
//	     t0 AS (INSERT INTO intent_transitions ... SELECT ... FROM u), ...
//	     o0 AS (INSERT INTO outbox ... SELECT ... FROM u), ...
//	SELECT count(*) FROM u
//
// PostgreSQL runs every data-modifying part of a WITH to completion, as one
// statement, so the rows are written all or none; foreign keys are checked
// at the end of the statement, so a part may refer to a row another part
// inserts. In an update the history rows are selected from the updated
// row, so they are written only if the update found the intent at the
// version it expected; so are the update's events, in the outbox of the
// same schema, which makes an authorisation or a capture one statement and
// no transaction. SQLite has no such statements (and no round trips
// to save): there the store runs the parts one by one in a transaction.

const (
	transitionCols    = "intent_id, seq, from_status, to_status, reason, amount, at"
	ledgerCols        = "entry_id, intent_id, refund_id, kind, account, currency, amount, created_at"
	transitionsInsert = "INSERT INTO intent_transitions (" + transitionCols + ") VALUES "
	ledgerInsert      = "INSERT INTO ledger_lines (" + ledgerCols + ") VALUES "
)

// The statements' text depends only on how many rows they write: it is
// built once per shape.
var (
	createTexts  sync.Map // transitions -> string
	guardedTexts sync.Map // [3]int{transitions, ledger lines, events} -> string
)

// createStatement inserts an intent (its values in intentCols order) and
// its transitions.
func createStatement(intent []any, ts []payment.IntentTransition) (string, []any) {
	args := append(make([]any, 0, len(intent)+7*len(ts)), intent...)
	for _, t := range ts {
		args = append(args, transitionRow(intent[0], t)...)
	}
	if q, ok := createTexts.Load(len(ts)); ok {
		return q.(string), args
	}
	var b strings.Builder
	b.WriteString("WITH i AS (" + insertIntentPrefix + "(" + sqldb.Placeholders(1, len(intent)) + ")) " + transitionsInsert)
	n := len(intent) + 1
	for i := range ts {
		if i > 0 {
			b.WriteString(", ")
		}
		b.WriteString("(" + sqldb.Placeholders(n, 7) + ")")
		n += 7
	}
	q := b.String()
	createTexts.Store(len(ts), q)
	return q, args
}

// guardedStatement is updateIntent (its arguments in update) and the
// inserts of ts, ls and msgs, which happen only if the update found the
// intent at the version it expects. It returns one row: how many intents
// it updated, 0 or 1. Each row inserted is a part of its own, selected
// from the update's result; its parameters take their types from the
// columns.
func guardedStatement(update []any, ts []payment.IntentTransition, ls []payment.LedgerLine, msgs []outbox.Message) (string, []any) {
	args := append(make([]any, 0, len(update)+6*len(ts)+8*len(ls)+3*len(msgs)), update...)
	for _, t := range ts {
		args = append(args, transitionRow(nil, t)[1:]...)
	}
	for _, l := range ls {
		args = append(args, ledgerRow(l)...)
	}
	for _, m := range msgs {
		args = append(args, m.Subject, m.MsgID, m.Data)
	}
	shape := [3]int{len(ts), len(ls), len(msgs)}
	if q, ok := guardedTexts.Load(shape); ok {
		return q.(string), args
	}
	var parts []sqldb.GuardedInsert
	for range ts {
		parts = append(parts, sqldb.GuardedInsert{Into: "intent_transitions (" + transitionCols + ")", ID: true, Values: 6})
	}
	for range ls {
		parts = append(parts, sqldb.GuardedInsert{Into: "ledger_lines (" + ledgerCols + ")", Values: 8})
	}
	for range msgs {
		parts = append(parts, sqldb.GuardedInsert{Into: "outbox (subject, msg_id, data)", Values: 3})
	}
	q := sqldb.Guarded(updateIntent, len(update), parts...)
	guardedTexts.Store(shape, q)
	return q, args
}

func transitionRow(intentID any, t payment.IntentTransition) []any {
	return []any{intentID, t.Seq, string(t.From), string(t.To), t.Reason, t.Amount, micros(t.At)}
}

func ledgerRow(l payment.LedgerLine) []any {
	return []any{l.EntryID, l.IntentID, l.RefundID, l.Kind, l.Account, l.Currency, l.Amount, micros(l.CreatedAt)}
}
