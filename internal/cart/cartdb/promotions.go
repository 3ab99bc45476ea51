package cartdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

const promotionColumns = `id, body, uses, version, created_at, updated_at`

func scanPromotion(row interface{ Scan(...any) error }) (cart.Promotion, error) {
	var (
		p                cart.Promotion
		raw              string
		created, updated int64
	)
	if err := row.Scan(&p.ID, &raw, &p.Uses, &p.Version, &created, &updated); err != nil {
		if sqldb.IsNoRows(err) {
			return cart.Promotion{}, cart.ErrPromotionNotFound
		}
		return cart.Promotion{}, mapErr("read promotion", err)
	}
	if err := json.Unmarshal([]byte(raw), &p.Rule); err != nil {
		return cart.Promotion{}, fmt.Errorf("decode promotion %s: %w", p.ID, err)
	}
	p.CreatedAt, p.UpdatedAt = fromMS(created), fromMS(updated)
	return p, nil
}

func queryPromotions(ctx context.Context, q sqldb.Execer, query string, args ...any) ([]cart.Promotion, error) {
	rows, err := q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, mapErr("list promotions", err)
	}
	defer rows.Close()
	out := []cart.Promotion{}
	for rows.Next() {
		p, err := scanPromotion(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, p)
	}
	return out, mapErr("list promotions", rows.Err())
}

// LivePromotions implements cart.Store.
func (s *Store) LivePromotions(ctx context.Context, now time.Time) ([]cart.Promotion, error) {
	all, err := queryPromotions(ctx, s.db, `SELECT `+promotionColumns+` FROM promotions WHERE ends_at IS NULL OR ends_at > $1 ORDER BY id`, ms(now))
	if err != nil {
		return nil, err
	}
	live := all[:0]
	for _, p := range all {
		if p.Live(now) {
			live = append(live, p)
		}
	}
	return live, nil
}

// PromotionByCode implements cart.Store.
func (s *Store) PromotionByCode(ctx context.Context, code string) (cart.Promotion, error) {
	return scanPromotion(s.db.QueryRowContext(ctx, `SELECT `+promotionColumns+` FROM promotions WHERE code = $1`, code))
}

// Promotion implements cart.Store.
func (s *Store) Promotion(ctx context.Context, id string) (cart.Promotion, error) {
	return scanPromotion(s.db.QueryRowContext(ctx, `SELECT `+promotionColumns+` FROM promotions WHERE id = $1`, id))
}

// Promotions implements cart.Store.
func (s *Store) Promotions(ctx context.Context, after string, limit int) ([]cart.Promotion, error) {
	if after == "" {
		return queryPromotions(ctx, s.db, `SELECT `+promotionColumns+` FROM promotions ORDER BY id DESC LIMIT $1`, limit)
	}
	return queryPromotions(ctx, s.db, `SELECT `+promotionColumns+` FROM promotions WHERE id < $1 ORDER BY id DESC LIMIT $2`, after, limit)
}

// CustomerUses implements cart.Store.
func (s *Store) CustomerUses(ctx context.Context, userID string, ids []string) (map[string]int64, error) {
	return customerUses(ctx, s.db, userID, ids)
}

func customerUses(ctx context.Context, q sqldb.Execer, userID string, ids []string) (map[string]int64, error) {
	out := map[string]int64{}
	if len(ids) == 0 || userID == "" {
		return out, nil
	}
	args := []any{userID}
	for _, id := range ids {
		args = append(args, id)
	}
	rows, err := q.QueryContext(ctx, `SELECT promotion_id, count(*) FROM promotion_uses
		WHERE user_id = $1 AND promotion_id IN (`+sqldb.Placeholders(2, len(ids))+`) GROUP BY promotion_id`, args...)
	if err != nil {
		return nil, mapErr("count promotion uses", err)
	}
	defer rows.Close()
	for rows.Next() {
		var id string
		var n int64
		if err := rows.Scan(&id, &n); err != nil {
			return nil, mapErr("count promotion uses", err)
		}
		out[id] = n
	}
	return out, mapErr("count promotion uses", rows.Err())
}

// PurchaseLimits implements cart.Store.
func (s *Store) PurchaseLimits(ctx context.Context) ([]cart.PurchaseLimit, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT sku, max_per_customer, starts_at, ends_at, updated_at FROM purchase_limits ORDER BY sku`)
	if err != nil {
		return nil, mapErr("list purchase limits", err)
	}
	defer rows.Close()
	out := []cart.PurchaseLimit{}
	for rows.Next() {
		l, err := scanLimit(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, l)
	}
	return out, mapErr("list purchase limits", rows.Err())
}

func scanLimit(row interface{ Scan(...any) error }) (cart.PurchaseLimit, error) {
	var (
		l          cart.PurchaseLimit
		start, end sql.NullInt64
		updated    int64
	)
	if err := row.Scan(&l.SKU, &l.MaxPerCustomer, &start, &end, &updated); err != nil {
		if sqldb.IsNoRows(err) {
			return cart.PurchaseLimit{}, cart.ErrLimitNotFound
		}
		return cart.PurchaseLimit{}, mapErr("read purchase limit", err)
	}
	l.StartsAt, l.EndsAt, l.UpdatedAt = fromNullMS(start), fromNullMS(end), fromMS(updated)
	return l, nil
}

// Purchased implements cart.Store.
func (s *Store) Purchased(ctx context.Context, userID string, since map[string]time.Time) (map[string]int64, error) {
	return purchased(ctx, s.db, userID, since)
}

func purchased(ctx context.Context, q sqldb.Execer, userID string, since map[string]time.Time) (map[string]int64, error) {
	out := make(map[string]int64, len(since))
	for sku, from := range since {
		var n int64
		err := q.QueryRowContext(ctx, `SELECT COALESCE(SUM(quantity), 0) FROM sku_purchases
			WHERE user_id = $1 AND sku = $2 AND created_at >= $3`, userID, sku, ms(from)).Scan(&n)
		if err != nil {
			return nil, mapErr("sum purchases", err)
		}
		out[sku] = n
	}
	return out, nil
}

// promotionArgs are the columns of p after its id.
func promotionArgs(p cart.Promotion) ([]any, error) {
	raw, err := json.Marshal(p.Rule)
	if err != nil {
		return nil, err
	}
	return []any{nullString(p.Code), msPtr(p.EndsAt), p.UsageLimit, string(raw), p.Version, ms(p.CreatedAt), ms(p.UpdatedAt)}, nil
}

// codeTaken turns a unique violation (the only one a promotion row can
// break besides its random id) into the cart's error.
func codeTaken(err error) error {
	if errors.Is(err, sqldb.ErrConflict) {
		return cart.ErrCodeTaken
	}
	return err
}

func (t *tx) InsertPromotion(ctx context.Context, p cart.Promotion) error {
	args, err := promotionArgs(p)
	if err != nil {
		return err
	}
	_, err = t.q.ExecContext(ctx, `INSERT INTO promotions (id, code, ends_at, usage_limit, body, version, created_at, updated_at, uses)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 0)`, append([]any{p.ID}, args...)...)
	return codeTaken(mapErr("insert promotion", err))
}

func (t *tx) UpdatePromotion(ctx context.Context, p cart.Promotion) error {
	args, err := promotionArgs(p)
	if err != nil {
		return err
	}
	res, err := t.q.ExecContext(ctx, `UPDATE promotions SET code = $2, ends_at = $3, usage_limit = $4, body = $5, version = $6,
		created_at = $7, updated_at = $8 WHERE id = $1`, append([]any{p.ID}, args...)...)
	if err != nil {
		return codeTaken(mapErr("update promotion", err))
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cart.ErrPromotionNotFound
	}
	return nil
}

func (t *tx) LockPromotion(ctx context.Context, id string) (cart.Promotion, error) {
	return scanPromotion(t.q.QueryRowContext(ctx, `SELECT `+promotionColumns+` FROM promotions WHERE id = $1`+t.s.lock(), id))
}

func (t *tx) DeletePromotion(ctx context.Context, id string) error {
	res, err := t.q.ExecContext(ctx, `DELETE FROM promotions WHERE id = $1`, id)
	if err != nil {
		return mapErr("delete promotion", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cart.ErrPromotionNotFound
	}
	return nil
}

func (t *tx) AddPromotionUses(ctx context.Context, id string, delta int64) (bool, error) {
	var res sql.Result
	var err error
	if delta > 0 {
		// The check and the increment are one statement: two redemptions
		// racing for the last use cannot both pass it.
		res, err = t.q.ExecContext(ctx, `UPDATE promotions SET uses = uses + $2
			WHERE id = $1 AND (usage_limit = 0 OR uses + $2 <= usage_limit)`, id, delta)
	} else {
		res, err = t.q.ExecContext(ctx, `UPDATE promotions SET uses = CASE WHEN uses + $2 < 0 THEN 0 ELSE uses + $2 END WHERE id = $1`, id, delta)
	}
	if err != nil {
		return false, mapErr("count promotion use", err)
	}
	n, _ := res.RowsAffected()
	return n == 1, nil
}

func (t *tx) CustomerUses(ctx context.Context, userID string, ids []string) (map[string]int64, error) {
	return customerUses(ctx, t.q, userID, ids)
}

func (t *tx) Purchased(ctx context.Context, userID string, since map[string]time.Time) (map[string]int64, error) {
	return purchased(ctx, t.q, userID, since)
}

func (t *tx) SetPurchaseLimit(ctx context.Context, l cart.PurchaseLimit) error {
	_, err := t.q.ExecContext(ctx, `INSERT INTO purchase_limits (sku, max_per_customer, starts_at, ends_at, updated_at)
		VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (sku) DO UPDATE SET max_per_customer = excluded.max_per_customer,
			starts_at = excluded.starts_at, ends_at = excluded.ends_at, updated_at = excluded.updated_at`,
		l.SKU, l.MaxPerCustomer, msPtr(l.StartsAt), msPtr(l.EndsAt), ms(l.UpdatedAt))
	return mapErr("set purchase limit", err)
}

func (t *tx) DeletePurchaseLimit(ctx context.Context, sku string) error {
	res, err := t.q.ExecContext(ctx, `DELETE FROM purchase_limits WHERE sku = $1`, sku)
	if err != nil {
		return mapErr("delete purchase limit", err)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return cart.ErrLimitNotFound
	}
	return nil
}

func (t *tx) LockPurchaseLimit(ctx context.Context, sku string) (cart.PurchaseLimit, bool, error) {
	l, err := scanLimit(t.q.QueryRowContext(ctx, `SELECT sku, max_per_customer, starts_at, ends_at, updated_at
		FROM purchase_limits WHERE sku = $1`+t.s.lock(), sku))
	if errors.Is(err, cart.ErrLimitNotFound) {
		return cart.PurchaseLimit{}, false, nil
	}
	return l, err == nil, err
}

func (t *tx) Redemption(ctx context.Context, reference string) (cart.RedemptionRecord, bool, error) {
	var (
		r       cart.RedemptionRecord
		raw     string
		created int64
	)
	err := t.q.QueryRowContext(ctx, `SELECT body, fingerprint, released, created_at FROM redemptions WHERE reference = $1`+t.s.lock(), reference).
		Scan(&raw, &r.Fingerprint, &r.Released, &created)
	if sqldb.IsNoRows(err) {
		return cart.RedemptionRecord{}, false, nil
	}
	if err != nil {
		return cart.RedemptionRecord{}, false, mapErr("read redemption", err)
	}
	if err := json.Unmarshal([]byte(raw), &r.Redemption); err != nil {
		return cart.RedemptionRecord{}, false, fmt.Errorf("decode redemption %s: %w", reference, err)
	}
	r.CreatedAt = fromMS(created)
	return r, true, nil
}

func (t *tx) ClaimRedemption(ctx context.Context, r cart.RedemptionRecord) (bool, error) {
	raw, err := json.Marshal(r.Redemption)
	if err != nil {
		return false, err
	}
	res, err := t.q.ExecContext(ctx, `INSERT INTO redemptions (reference, cart_id, user_id, body, fingerprint, released, created_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7) ON CONFLICT (reference) DO NOTHING`,
		r.Reference, r.CartID, r.UserID, string(raw), r.Fingerprint, false, ms(r.CreatedAt))
	if err != nil {
		return false, mapErr("insert redemption", err)
	}
	n, err := res.RowsAffected()
	return n == 1, mapErr("insert redemption", err)
}

func (t *tx) RecordUses(ctx context.Context, r cart.RedemptionRecord) error {
	for _, id := range r.Promotions {
		if _, err := t.q.ExecContext(ctx, `INSERT INTO promotion_uses (reference, promotion_id, user_id) VALUES ($1, $2, $3)`,
			r.Reference, id, r.UserID); err != nil {
			return mapErr("insert promotion use", err)
		}
	}
	if r.UserID == "" || len(r.Items) == 0 {
		return nil // a guest's purchases count towards no one's limit
	}
	args := make([]any, 0, 5*len(r.Items))
	values := ""
	for i, it := range r.Items {
		if i > 0 {
			values += ", "
		}
		values += "(" + sqldb.Placeholders(5*i+1, 5) + ")"
		args = append(args, r.Reference, it.SKU, r.UserID, it.Quantity, ms(r.CreatedAt))
	}
	_, err := t.q.ExecContext(ctx, `INSERT INTO sku_purchases (reference, sku, user_id, quantity, created_at) VALUES `+values, args...)
	return mapErr("insert purchases", err)
}

func (t *tx) ReleaseRedemption(ctx context.Context, reference string) error {
	for _, q := range []string{
		`UPDATE redemptions SET released = TRUE WHERE reference = $1`,
		`DELETE FROM promotion_uses WHERE reference = $1`,
		`DELETE FROM sku_purchases WHERE reference = $1`,
	} {
		if _, err := t.q.ExecContext(ctx, q, reference); err != nil {
			return mapErr("release redemption", err)
		}
	}
	return nil
}
