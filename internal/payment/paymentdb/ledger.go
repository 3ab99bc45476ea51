package paymentdb

import (
	"context"
	"fmt"
	"sort"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// Ledger implements payment.Store: the sums payment.Core checks. Each query
// is one aggregate over its table, so the check costs a scan of the ledger
// and the intents, not a query per intent.
func (s *Store) Ledger(ctx context.Context) (payment.LedgerReport, error) {
	var r payment.LedgerReport
	byCur := map[string]*payment.LedgerCurrency{}
	cur := func(c string) *payment.LedgerCurrency {
		if byCur[c] == nil {
			byCur[c] = &payment.LedgerCurrency{Currency: c, Accounts: map[string]int64{}}
		}
		return byCur[c]
	}
	rows, err := s.db.QueryContext(ctx, `SELECT currency, account, CAST(SUM(amount) AS BIGINT),
		CAST(SUM(CASE WHEN amount > 0 THEN amount ELSE 0 END) AS BIGINT),
		CAST(SUM(CASE WHEN amount < 0 THEN -amount ELSE 0 END) AS BIGINT)
		FROM ledger_lines GROUP BY currency, account`)
	if err != nil {
		return r, fmt.Errorf("ledger sums: %w", sqldb.MapError(err))
	}
	for rows.Next() {
		var c, account string
		var bal, dr, cr int64
		if err := rows.Scan(&c, &account, &bal, &dr, &cr); err != nil {
			rows.Close()
			return r, fmt.Errorf("ledger sums: %w", sqldb.MapError(err))
		}
		lc := cur(c)
		lc.Accounts[account] = bal
		lc.Debits += dr
		lc.Credits += cr
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, sqldb.MapError(err)
	}

	rows, err = s.db.QueryContext(ctx, `SELECT currency, CAST(SUM(captured) AS BIGINT), CAST(SUM(refunded) AS BIGINT)
		FROM intents WHERE captured > 0 GROUP BY currency`)
	if err != nil {
		return r, fmt.Errorf("intent sums: %w", sqldb.MapError(err))
	}
	for rows.Next() {
		var c string
		var captured, refunded int64
		if err := rows.Scan(&c, &captured, &refunded); err != nil {
			rows.Close()
			return r, fmt.Errorf("intent sums: %w", sqldb.MapError(err))
		}
		lc := cur(c)
		lc.Captured, lc.Refunded = captured, refunded
	}
	rows.Close()
	if err := rows.Err(); err != nil {
		return r, sqldb.MapError(err)
	}

	if r.UnbalancedEntries, err = s.strings(ctx, `SELECT entry_id FROM ledger_lines GROUP BY entry_id HAVING SUM(amount) <> 0 LIMIT 100`); err != nil {
		return r, err
	}
	r.MismatchedIntents, err = s.strings(ctx, `SELECT i.id FROM intents i
		LEFT JOIN (SELECT intent_id,
				SUM(CASE WHEN account = 'merchant_revenue' THEN -amount ELSE 0 END) AS captured,
				SUM(CASE WHEN account = 'refunds' THEN amount ELSE 0 END) AS refunded
			FROM ledger_lines GROUP BY intent_id) l ON l.intent_id = i.id
		WHERE COALESCE(l.captured, 0) <> i.captured OR COALESCE(l.refunded, 0) <> i.refunded
		LIMIT 100`)
	if err != nil {
		return r, err
	}
	for _, lc := range byCur {
		r.Currencies = append(r.Currencies, *lc)
	}
	sort.Slice(r.Currencies, func(i, j int) bool { return r.Currencies[i].Currency < r.Currencies[j].Currency })
	if r.Currencies == nil {
		r.Currencies = []payment.LedgerCurrency{}
	}
	return r, nil
}

func (s *Store) strings(ctx context.Context, q string) ([]string, error) {
	rows, err := s.db.QueryContext(ctx, q)
	if err != nil {
		return nil, fmt.Errorf("ledger check: %w", sqldb.MapError(err))
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, fmt.Errorf("ledger check: %w", sqldb.MapError(err))
		}
		out = append(out, v)
	}
	return out, sqldb.MapError(rows.Err())
}

// LedgerLines implements payment.Store.
func (s *Store) LedgerLines(ctx context.Context, intentID string) ([]payment.LedgerLine, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT entry_id, intent_id, refund_id, kind, account, currency, amount, created_at
		FROM ledger_lines WHERE intent_id = $1 ORDER BY id`, intentID)
	if err != nil {
		return nil, fmt.Errorf("ledger lines: %w", sqldb.MapError(err))
	}
	defer rows.Close()
	var out []payment.LedgerLine
	for rows.Next() {
		var l payment.LedgerLine
		var at int64
		if err := rows.Scan(&l.EntryID, &l.IntentID, &l.RefundID, &l.Kind, &l.Account, &l.Currency, &l.Amount, &at); err != nil {
			return nil, fmt.Errorf("ledger lines: %w", sqldb.MapError(err))
		}
		l.CreatedAt = fromMicros(at)
		out = append(out, l)
	}
	return out, sqldb.MapError(rows.Err())
}
