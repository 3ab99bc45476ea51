package paymentdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/card"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

const methodCols = `id, customer_id, type, saved, brand, last4, exp_month, exp_year, vpa, fingerprint, sealed,
	provider_tokens, created_at, expires_at, deleted_at`

func scanMethod(row sqldb.Scanner) (payment.StoredMethod, error) {
	var (
		sm                          payment.StoredMethod
		typ, brand, last4, vpa, tok string
		saved, expMonth, expYear    int
		createdAt                   int64
		expiresAt, deletedAt        sql.NullInt64
	)
	err := row.Scan(&sm.ID, &sm.CustomerID, &typ, &saved, &brand, &last4, &expMonth, &expYear, &vpa, &sm.Fingerprint,
		&sm.Sealed, &tok, &createdAt, &expiresAt, &deletedAt)
	if err != nil {
		if sqldb.IsNoRows(err) {
			return sm, payment.ErrMethodNotFound
		}
		return sm, fmt.Errorf("read payment method: %w", sqldb.MapError(err))
	}
	sm.Type, sm.Saved = payment.MethodType(typ), saved != 0
	sm.CreatedAt, sm.ExpiresAt, sm.DeletedAt = fromMicros(createdAt), fromMicrosPtr(expiresAt), fromMicrosPtr(deletedAt)
	switch sm.Type {
	case payment.MethodCard:
		sm.Card = &payment.CardDetails{Brand: card.Brand(brand), Last4: last4, ExpMonth: expMonth, ExpYear: expYear}
	case payment.MethodUPI:
		sm.UPI = &payment.UPIDetails{VPA: vpa}
	}
	if tok != "" && tok != "{}" {
		if err := json.Unmarshal([]byte(tok), &sm.ProviderTokens); err != nil {
			return sm, fmt.Errorf("read payment method %s tokens: %w", sm.ID, err)
		}
	}
	return sm, nil
}

// CreateMethod implements payment.Store.
func (s *Store) CreateMethod(ctx context.Context, sm payment.StoredMethod) error {
	var brand, last4, vpa string
	var expMonth, expYear int
	if sm.Card != nil {
		brand, last4, expMonth, expYear = string(sm.Card.Brand), sm.Card.Last4, sm.Card.ExpMonth, sm.Card.ExpYear
	}
	if sm.UPI != nil {
		vpa = sm.UPI.VPA
	}
	tok := "{}"
	if len(sm.ProviderTokens) > 0 {
		var err error
		if tok, err = toJSON(sm.ProviderTokens); err != nil {
			return err
		}
	}
	var sealed any
	if len(sm.Sealed) > 0 {
		sealed = sm.Sealed
	}
	_, err := s.db.ExecContext(ctx, `INSERT INTO payment_methods (`+methodCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		sm.ID, sm.CustomerID, string(sm.Type), b2i(sm.Saved), brand, last4, expMonth, expYear, vpa, sm.Fingerprint,
		sealed, tok, micros(sm.CreatedAt), microsPtr(sm.ExpiresAt), microsPtr(sm.DeletedAt))
	if err != nil {
		return fmt.Errorf("create payment method: %w", sqldb.MapError(err))
	}
	return nil
}

// GetMethod implements payment.Store.
// On PostgreSQL the reads that arrive together are one query (sqldb.Lookup):
// every order the workers pay reads its method.
func (s *Store) GetMethod(ctx context.Context, id string) (payment.StoredMethod, error) {
	if s.methods != nil {
		return s.methods.Get(ctx, id, payment.ErrMethodNotFound)
	}
	return scanMethod(s.queryRow(ctx, nil, `SELECT `+methodCols+` FROM payment_methods WHERE id = $1`, id))
}

// getMethods reads the methods of ids, by id.
func (s *Store) getMethods(ctx context.Context, ids []string) (map[string]sqldb.Fetched[payment.StoredMethod], error) {
	out, err := sqldb.FetchRows(ctx, s.db, `SELECT `+methodCols+` FROM payment_methods WHERE id = ANY ($1)`, ids,
		func(row sqldb.Scanner) (string, payment.StoredMethod, error) {
			m, err := scanMethod(row)
			return m.ID, m, err
		})
	if err != nil {
		return nil, fmt.Errorf("read payment methods: %w", err)
	}
	return out, nil
}

// SavedMethodByFingerprint implements payment.Store.
func (s *Store) SavedMethodByFingerprint(ctx context.Context, customerID, fingerprint string) (payment.StoredMethod, error) {
	return scanMethod(s.db.QueryRowContext(ctx, `SELECT `+methodCols+` FROM payment_methods
		WHERE customer_id = $1 AND fingerprint = $2 AND saved = 1 AND deleted_at IS NULL
		ORDER BY created_at DESC LIMIT 1`, customerID, fingerprint))
}

// ListMethods implements payment.Store.
func (s *Store) ListMethods(ctx context.Context, customerID string) ([]payment.StoredMethod, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT `+methodCols+` FROM payment_methods
		WHERE customer_id = $1 AND saved = 1 AND deleted_at IS NULL ORDER BY created_at DESC, id DESC`, customerID)
	if err != nil {
		return nil, fmt.Errorf("list payment methods: %w", sqldb.MapError(err))
	}
	defer rows.Close()
	var out []payment.StoredMethod
	for rows.Next() {
		sm, err := scanMethod(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, sm)
	}
	return out, sqldb.MapError(rows.Err())
}

// DeleteMethod implements payment.Store. The row stays (intents name its
// id) but the sealed number and the provider tokens are destroyed.
func (s *Store) DeleteMethod(ctx context.Context, id string) error {
	res, err := s.db.ExecContext(ctx, `UPDATE payment_methods SET sealed = NULL, provider_tokens = '{}', deleted_at = $2
		WHERE id = $1 AND deleted_at IS NULL`, id, micros(time.Now()))
	if err != nil {
		return fmt.Errorf("delete payment method: %w", sqldb.MapError(err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return payment.ErrMethodNotFound
	}
	return nil
}

// PurgeUnsaved implements payment.Store.
func (s *Store) PurgeUnsaved(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `UPDATE payment_methods SET sealed = NULL, provider_tokens = '{}', deleted_at = $2
		WHERE saved = 0 AND deleted_at IS NULL AND created_at < $1`, micros(before), micros(time.Now()))
	if err != nil {
		return 0, fmt.Errorf("purge card data: %w", sqldb.MapError(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}

// SetProviderToken implements payment.Store.
func (s *Store) SetProviderToken(ctx context.Context, id, provider, token string) error {
	return s.db.InTx(ctx, func(tx *sql.Tx) error {
		sm, err := scanMethod(tx.QueryRowContext(ctx, `SELECT `+methodCols+` FROM payment_methods WHERE id = $1`+s.forUpdate, id))
		if err != nil {
			return err
		}
		if sm.ProviderTokens == nil {
			sm.ProviderTokens = map[string]string{}
		}
		sm.ProviderTokens[provider] = token
		tok, err := toJSON(sm.ProviderTokens)
		if err != nil {
			return err
		}
		if _, err := tx.ExecContext(ctx, `UPDATE payment_methods SET provider_tokens = $2 WHERE id = $1`, id, tok); err != nil {
			return fmt.Errorf("set provider token: %w", sqldb.MapError(err))
		}
		return nil
	})
}

// RecordWebhook implements payment.Store.
func (s *Store) RecordWebhook(ctx context.Context, w payment.WebhookRecord) (bool, error) {
	res, err := s.db.ExecContext(ctx, `INSERT INTO webhook_events (provider, event_id, type, intent_id, received_at)
		VALUES ($1, $2, $3, $4, $5) ON CONFLICT (provider, event_id) DO NOTHING`,
		w.Provider, w.EventID, w.Type, w.IntentID, micros(w.ReceivedAt))
	if err != nil {
		return false, fmt.Errorf("record webhook: %w", sqldb.MapError(err))
	}
	n, _ := res.RowsAffected()
	return n == 0, nil
}

// PruneWebhooks implements payment.Store.
func (s *Store) PruneWebhooks(ctx context.Context, before time.Time) (int, error) {
	res, err := s.db.ExecContext(ctx, `DELETE FROM webhook_events WHERE received_at < $1`, micros(before))
	if err != nil {
		return 0, fmt.Errorf("prune webhooks: %w", sqldb.MapError(err))
	}
	n, _ := res.RowsAffected()
	return int(n), nil
}
