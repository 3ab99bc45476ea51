package paymentdb

import (
	"context"
	"database/sql"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

const intentCols = `id, customer_id, order_id, idem_key, fingerprint, status, currency, amount, capturable, captured,
	refunded, refund_pending, capture_requested, capture_method, method, provider, provider_ref, next_action,
	return_url, failure_code, failure_message, needs_check, attempts, seq, version, created_at, updated_at`

// toCore reads a row of intentCols.
func scanIntent(row sqldb.Scanner) (payment.Intent, error) {
	var (
		it                                     payment.Intent
		currency, method, nextAction           string
		amount, capturable, captured, refunded int64
		needsCheck                             int
		createdAt, updatedAt                   int64
		status, captureMethod                  string
	)
	err := row.Scan(&it.ID, &it.CustomerID, &it.OrderID, &it.Key, &it.Fingerprint, &status, &currency, &amount,
		&capturable, &captured, &refunded, &it.RefundPending, &it.CaptureRequested, &captureMethod, &method,
		&it.Provider, &it.ProviderRef, &nextAction, &it.ReturnURL, &it.FailureCode, &it.FailureMessage,
		&needsCheck, &it.Attempts, &it.Seq, &it.Version, &createdAt, &updatedAt)
	if err != nil {
		if sqldb.IsNoRows(err) {
			return it, payment.ErrIntentNotFound
		}
		return it, fmt.Errorf("read intent: %w", sqldb.MapError(err))
	}
	it.Status, it.CaptureMethod = payment.Status(status), payment.CaptureMethod(captureMethod)
	it.Amount = money.Money{Amount: amount, Currency: currency}
	it.AmountCapturable = money.Money{Amount: capturable, Currency: currency}
	it.AmountCaptured = money.Money{Amount: captured, Currency: currency}
	it.AmountRefunded = money.Money{Amount: refunded, Currency: currency}
	it.NeedsCheck = needsCheck != 0
	it.CreatedAt, it.UpdatedAt = fromMicros(createdAt), fromMicros(updatedAt)
	if err := json.Unmarshal([]byte(method), &it.Method); err != nil {
		return it, fmt.Errorf("read intent %s method: %w", it.ID, err)
	}
	if nextAction != "" {
		it.NextAction = new(payment.NextAction)
		if err := json.Unmarshal([]byte(nextAction), it.NextAction); err != nil {
			return it, fmt.Errorf("read intent %s next action: %w", it.ID, err)
		}
	}
	return it, nil
}

// intentArgs are an intent's values in intentCols order.
func intentArgs(it *payment.Intent) ([]any, error) {
	method, err := toJSON(it.Method)
	if err != nil {
		return nil, err
	}
	nextAction := ""
	if it.NextAction != nil {
		if nextAction, err = toJSON(it.NextAction); err != nil {
			return nil, err
		}
	}
	return []any{
		it.ID, it.CustomerID, it.OrderID, it.Key, it.Fingerprint, string(it.Status), it.Amount.Currency, it.Amount.Amount,
		it.AmountCapturable.Amount, it.AmountCaptured.Amount, it.AmountRefunded.Amount, it.RefundPending, it.CaptureRequested,
		string(it.CaptureMethod), method, it.Provider, it.ProviderRef, nextAction, it.ReturnURL, it.FailureCode,
		it.FailureMessage, b2i(it.NeedsCheck), it.Attempts, it.Seq, it.Version, micros(it.CreatedAt), micros(it.UpdatedAt),
	}, nil
}

const insertIntentPrefix = "INSERT INTO intents (" + intentCols + ") VALUES "

var insertIntent = func() string {
	q, _ := sqldb.MultiInsert(insertIntentPrefix, 27, 1)
	return q
}()

// updateIntent writes the mutable columns, guarded by the version read.
const updateIntent = `UPDATE intents SET status = $2, capturable = $3, captured = $4, refunded = $5,
	refund_pending = $6, capture_requested = $7, method = $8, provider_ref = $9, next_action = $10,
	return_url = $11, failure_code = $12, failure_message = $13, needs_check = $14, attempts = $15, seq = $16,
	version = $17, updated_at = $18
	WHERE id = $1 AND version = $19`

// updateArgs picks updateIntent's values out of intentArgs.
func updateArgs(a []any, prevVersion int) []any {
	return []any{a[0], a[5], a[8], a[9], a[10], a[11], a[12], a[14], a[16], a[17], a[18], a[19], a[20], a[21], a[22], a[23], a[24], a[26], prevVersion}
}

// CreateIntent implements payment.Store.
func (s *Store) CreateIntent(ctx context.Context, it *payment.Intent, m *payment.Mutation) error {
	it.Version = 1
	args, err := intentArgs(it)
	if err != nil {
		return err
	}
	if s.chain && m != nil && len(m.Transitions) > 0 && len(m.Ledger) == 0 && onlyHistory(m) {
		// The intent and its first transitions as one statement, with no
		// transaction to open and commit.
		w := &intentWrite{intent: args, m: m}
		s.creates.Do(ctx, w)
		return w.err
	}
	return s.inWriteTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		if _, err := s.exec(ctx, tx, insertIntent, args...); err != nil {
			return fmt.Errorf("create intent: %w", sqldb.MapError(err))
		}
		return s.writeMutation(ctx, tx, it.ID, m)
	})
}

// GetIntent implements payment.Store.
func (s *Store) GetIntent(ctx context.Context, id string) (payment.Intent, error) {
	return scanIntent(s.queryRow(ctx, nil, `SELECT `+intentCols+` FROM intents WHERE id = $1`, id))
}

// IntentByKey implements payment.Store.
func (s *Store) IntentByKey(ctx context.Context, customerID, key string) (payment.Intent, error) {
	return scanIntent(s.queryRow(ctx, nil, `SELECT `+intentCols+` FROM intents WHERE customer_id = $1 AND idem_key = $2`, customerID, key))
}

// UpdateIntent implements payment.Store.
func (s *Store) UpdateIntent(ctx context.Context, id string, fn func(it *payment.Intent, m *payment.Mutation) error) (payment.Intent, error) {
	var out payment.Intent
	err := s.db.InTx(ctx, func(tx *sql.Tx) error {
		it, err := scanIntent(s.queryRow(ctx, tx, `SELECT `+intentCols+` FROM intents WHERE id = $1`+s.forUpdate, id))
		if err != nil {
			return err
		}
		out = it
		return s.apply(ctx, tx, &it, &out, func(m *payment.Mutation) error { return fn(&it, m) })
	})
	if errors.Is(err, errNoChange) {
		return out, nil
	}
	return out, err
}

// UpdateIntentFrom implements payment.Store. It saves the locking read of
// UpdateIntent: fn runs on known, and the write is guarded by known's
// version, which every write of an intent bumps, so it lands only if
// nothing was written since known. On PostgreSQL a write of the intent,
// its history and its events (no refunds, no webhook) is one statement,
// with no transaction around it.
func (s *Store) UpdateIntentFrom(ctx context.Context, known payment.Intent, fn func(it *payment.Intent, m *payment.Mutation) error) (payment.Intent, error) {
	it := known
	it.Transitions = nil
	m := &payment.Mutation{}
	if fn(&it, m) == nil {
		// fn's refusals (and its "no change") were decided on what may be
		// an old copy: they are only believed from the stored intent, below.
		written, err := s.writeFrom(ctx, &it, m)
		if err != nil {
			return known, err
		}
		if written {
			return it, nil
		}
	}
	return s.UpdateIntent(ctx, known.ID, fn)
}

// errMoved unwinds a write from a known intent that was changed since.
var errMoved = errors.New("paymentdb: the intent changed")

// writeFrom writes it and m if the stored intent is still at it.Version;
// written is false if it is not (nothing was written).
func (s *Store) writeFrom(ctx context.Context, it *payment.Intent, m *payment.Mutation) (written bool, err error) {
	prev := it.Version
	it.Version++
	switch {
	case s.chain && len(m.Refunds) == 0 && m.Webhook == nil:
		// The intent, its history and its events: one statement, with the
		// other steps that arrive with it (batch.go).
		return s.queueUpdate(ctx, it, prev, m)
	case onlyHistory(m) && len(m.Transitions)+len(m.Ledger) == 0:
		return s.writeIntent(ctx, nil, it, prev, m, false)
	}
	err = s.inWriteTx(ctx, func(ctx context.Context, tx *sql.Tx) error {
		written, err := s.writeIntent(ctx, tx, it, prev, m, false)
		if err != nil {
			return err
		}
		if !written {
			return errMoved
		}
		return s.writeRest(ctx, tx, m)
	})
	if errors.Is(err, errMoved) {
		return false, nil
	}
	return err == nil, err
}

// apply runs fn on the intent read locked, and writes the intent and the
// mutation. out holds the intent as read until the write succeeds.
func (s *Store) apply(ctx context.Context, tx *sql.Tx, it, out *payment.Intent, fn func(m *payment.Mutation) error) error {
	m := &payment.Mutation{}
	if err := fn(m); err != nil {
		if errors.Is(err, payment.ErrNoChange) {
			return errNoChange
		}
		return err
	}
	prev := it.Version
	it.Version++
	written, err := s.writeIntent(ctx, tx, it, prev, m, false)
	if err != nil {
		return err
	}
	if !written {
		return fmt.Errorf("update intent %s: %w", it.ID, sqldb.MapError(errors.New("concurrent update")))
	}
	if err := s.writeRest(ctx, tx, m); err != nil {
		return err
	}
	*out = *it
	return nil
}

// Transitions implements payment.Store.
func (s *Store) Transitions(ctx context.Context, intentID string) ([]payment.IntentTransition, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT seq, from_status, to_status, reason, amount, at FROM intent_transitions
		WHERE intent_id = $1 ORDER BY seq`, intentID)
	if err != nil {
		return nil, fmt.Errorf("transitions: %w", sqldb.MapError(err))
	}
	defer rows.Close()
	var out []payment.IntentTransition
	for rows.Next() {
		var t payment.IntentTransition
		var from, to string
		var at int64
		if err := rows.Scan(&t.Seq, &from, &to, &t.Reason, &t.Amount, &at); err != nil {
			return nil, fmt.Errorf("transitions: %w", sqldb.MapError(err))
		}
		t.From, t.To, t.At = payment.Status(from), payment.Status(to), fromMicros(at)
		out = append(out, t)
	}
	return out, sqldb.MapError(rows.Err())
}

// ListIntents implements payment.Store. The page token is the last id
// returned: ids are UUIDv7, so id order is creation order.
func (s *Store) ListIntents(ctx context.Context, f payment.ListIntentsInput) ([]payment.Intent, string, error) {
	var where []string
	var args []any
	add := func(cond string, v any) {
		args = append(args, v)
		where = append(where, fmt.Sprintf(cond, len(args)))
	}
	if f.CustomerID != "" {
		add("customer_id = $%d", f.CustomerID)
	}
	if f.OrderID != "" {
		add("order_id = $%d", f.OrderID)
	}
	if f.Status != "" {
		add("status = $%d", string(f.Status))
	}
	if f.PageToken != "" {
		after, err := base64.RawURLEncoding.DecodeString(f.PageToken)
		if err != nil {
			return nil, "", payment.ErrInvalidInput.With("page_token is not valid")
		}
		add("id < $%d", string(after))
	}
	q := `SELECT ` + intentCols + ` FROM intents`
	if len(where) > 0 {
		q += ` WHERE ` + strings.Join(where, " AND ")
	}
	args = append(args, f.PageSize+1)
	q += fmt.Sprintf(` ORDER BY id DESC LIMIT $%d`, len(args))
	its, err := s.queryIntents(ctx, q, args...)
	if err != nil {
		return nil, "", err
	}
	next := ""
	if len(its) > f.PageSize {
		its = its[:f.PageSize]
		next = base64.RawURLEncoding.EncodeToString([]byte(its[len(its)-1].ID))
	}
	return its, next, nil
}

func (s *Store) queryIntents(ctx context.Context, q string, args ...any) ([]payment.Intent, error) {
	rows, err := s.db.QueryContext(ctx, q, args...)
	if err != nil {
		return nil, fmt.Errorf("list intents: %w", sqldb.MapError(err))
	}
	defer rows.Close()
	var out []payment.Intent
	for rows.Next() {
		it, err := scanIntent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, it)
	}
	return out, sqldb.MapError(rows.Err())
}

// ToReconcile implements payment.Store.
func (s *Store) ToReconcile(ctx context.Context, before time.Time, limit int) ([]payment.Intent, error) {
	return s.queryIntents(ctx, `SELECT `+intentCols+` FROM intents
		WHERE (status IN ('processing', 'requires_action') OR needs_check = 1 OR capture_requested > 0
		       OR refund_pending > 0 OR (status = 'authorized' AND capture_method = 'automatic'))
		  AND updated_at < $1
		ORDER BY updated_at LIMIT $2`, micros(before), limit)
}

const refundCols = `id, intent_id, idem_key, currency, amount, status, reason, provider_ref, failure_code, created_at, updated_at`

func scanRefund(row sqldb.Scanner) (payment.Refund, error) {
	var r payment.Refund
	var currency, status string
	var amount, createdAt, updatedAt int64
	err := row.Scan(&r.ID, &r.IntentID, &r.Key, &currency, &amount, &status, &r.Reason, &r.ProviderRef, &r.FailureCode, &createdAt, &updatedAt)
	if err != nil {
		if sqldb.IsNoRows(err) {
			return r, payment.ErrRefundNotFound
		}
		return r, fmt.Errorf("read refund: %w", sqldb.MapError(err))
	}
	r.Amount = money.Money{Amount: amount, Currency: currency}
	r.Status = payment.RefundStatus(status)
	r.CreatedAt, r.UpdatedAt = fromMicros(createdAt), fromMicros(updatedAt)
	return r, nil
}

func (s *Store) upsertRefund(ctx context.Context, tx *sql.Tx, r payment.Refund) error {
	_, err := s.exec(ctx, tx, `INSERT INTO refunds (`+refundCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)
		ON CONFLICT (id) DO UPDATE SET status = excluded.status, provider_ref = excluded.provider_ref,
			failure_code = excluded.failure_code, updated_at = excluded.updated_at`,
		r.ID, r.IntentID, r.Key, r.Amount.Currency, r.Amount.Amount, string(r.Status), r.Reason, r.ProviderRef, r.FailureCode,
		micros(r.CreatedAt), micros(r.UpdatedAt))
	if err != nil {
		return fmt.Errorf("write refund: %w", sqldb.MapError(err))
	}
	return nil
}

// GetRefund implements payment.Store.
func (s *Store) GetRefund(ctx context.Context, id string) (payment.Refund, error) {
	return scanRefund(s.db.QueryRowContext(ctx, `SELECT `+refundCols+` FROM refunds WHERE id = $1`, id))
}

// ListRefunds implements payment.Store.
func (s *Store) ListRefunds(ctx context.Context, intentID string) ([]payment.Refund, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+refundCols+` FROM refunds WHERE intent_id = $1 ORDER BY created_at, id`, intentID)
	if err != nil {
		return nil, fmt.Errorf("list refunds: %w", sqldb.MapError(err))
	}
	defer rows.Close()
	var out []payment.Refund
	for rows.Next() {
		r, err := scanRefund(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, sqldb.MapError(rows.Err())
}

// UpdateRefund implements payment.Store. The intent is locked first, as in
// UpdateIntent, so the two never deadlock; the refund is read again under
// that lock because every change to a refund happens under it.
func (s *Store) UpdateRefund(ctx context.Context, refundID string, fn func(it *payment.Intent, r *payment.Refund, m *payment.Mutation) error) (payment.Intent, payment.Refund, error) {
	first, err := s.GetRefund(ctx, refundID)
	if err != nil {
		return payment.Intent{}, payment.Refund{}, err
	}
	var out payment.Intent
	var r payment.Refund
	err = s.db.InTx(ctx, func(tx *sql.Tx) error {
		it, err := scanIntent(s.queryRow(ctx, tx, `SELECT `+intentCols+` FROM intents WHERE id = $1`+s.forUpdate, first.IntentID))
		if err != nil {
			return err
		}
		if r, err = scanRefund(s.queryRow(ctx, tx, `SELECT `+refundCols+` FROM refunds WHERE id = $1`, refundID)); err != nil {
			return err
		}
		out = it
		before := r
		err = s.apply(ctx, tx, &it, &out, func(m *payment.Mutation) error { return fn(&it, &r, m) })
		if err != nil {
			r = before
		}
		return err
	})
	if errors.Is(err, errNoChange) {
		err = nil
	}
	return out, r, err
}

// inWriteTx runs fn in a transaction: on SQLite group-committed with other
// payments' steps (sqldb.Group), so fn may run twice and must run its
// statements under the ctx it is given.
func (s *Store) inWriteTx(ctx context.Context, fn func(ctx context.Context, tx *sql.Tx) error) error {
	if s.writes != nil {
		return s.writes.InTx(ctx, fn)
	}
	return s.db.InTx(ctx, func(tx *sql.Tx) error { return fn(ctx, tx) })
}
