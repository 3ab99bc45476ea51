package cartdb

import (
	"context"
	"encoding/json"
	"errors"
	"strings"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// The steps of many redemptions at once (cart.BatchTx): on PostgreSQL one
// statement each, the rows sent as arrays; on SQLite, where a statement
// is no round trip, the single steps one after another.

var _ cart.BatchTx = (*tx)(nil)

// BatchesRedemptions implements cart.Batcher: on PostgreSQL. On SQLite a
// statement is no round trip, batching measured no gain, and the BatchTx
// methods refuse (errNoBatch): they are PostgreSQL's statements.
func (s *Store) BatchesRedemptions() bool { return s.pg }

// errNoBatch: a BatchTx method called on SQLite, where the cart does not
// batch (a bug in the caller).
var errNoBatch = errors.New("cartdb: redemptions are batched on PostgreSQL only")

// LockPurchaseLimits implements cart.BatchTx.
func (t *tx) LockPurchaseLimits(ctx context.Context, skus []string) (map[string]cart.PurchaseLimit, error) {
	out := make(map[string]cart.PurchaseLimit)
	if !t.s.pg {
		return nil, errNoBatch
	}
	rows, err := t.q.QueryContext(ctx, `SELECT sku, max_per_customer, starts_at, ends_at, updated_at
		FROM purchase_limits WHERE sku = ANY ($1) ORDER BY sku FOR UPDATE`, skus)
	if err != nil {
		return nil, mapErr("lock purchase limits", err)
	}
	defer rows.Close()
	for rows.Next() {
		l, err := scanLimit(rows)
		if err != nil {
			return nil, err
		}
		out[l.SKU] = l
	}
	return out, mapErr("lock purchase limits", rows.Err())
}

// ClaimRedemptions implements cart.BatchTx.
func (t *tx) ClaimRedemptions(ctx context.Context, rs []cart.RedemptionRecord) (map[string]bool, error) {
	claimed := make(map[string]bool, len(rs))
	if !t.s.pg {
		return nil, errNoBatch
	}
	if len(rs) == 0 {
		return claimed, nil
	}
	rows := make([][]any, len(rs))
	for i, r := range rs {
		raw, err := json.Marshal(r.Redemption)
		if err != nil {
			return nil, err
		}
		rows[i] = []any{r.Reference, r.CartID, r.UserID, string(raw), r.Fingerprint, ms(r.CreatedAt)}
	}
	types := []string{"text", "text", "text", "text", "text", "bigint"}
	res, err := t.q.QueryContext(ctx, `INSERT INTO redemptions (reference, cart_id, user_id, body, fingerprint, released, created_at)
		SELECT r, c, u, b, f, FALSE, t FROM `+sqldb.Unnest(1, types)+` AS x (r, c, u, b, f, t)
		ON CONFLICT (reference) DO NOTHING RETURNING reference`, sqldb.Columns(types, rows)...)
	if err != nil {
		return nil, mapErr("insert redemptions", err)
	}
	defer res.Close()
	for res.Next() {
		var ref string
		if err := res.Scan(&ref); err != nil {
			return nil, mapErr("insert redemptions", err)
		}
		claimed[ref] = true
	}
	return claimed, mapErr("insert redemptions", res.Err())
}

// RecordPurchases implements cart.BatchTx.
func (t *tx) RecordPurchases(ctx context.Context, rs []cart.RedemptionRecord) error {
	if !t.s.pg {
		return errNoBatch
	}
	var rows [][]any
	for _, r := range rs {
		for _, it := range r.Items {
			rows = append(rows, []any{r.Reference, it.SKU, r.UserID, it.Quantity, ms(r.CreatedAt)})
		}
	}
	if len(rows) == 0 {
		return nil
	}
	types := []string{"text", "text", "text", "bigint", "bigint"}
	_, err := t.q.ExecContext(ctx, `INSERT INTO sku_purchases (reference, sku, user_id, quantity, created_at)
		SELECT * FROM `+sqldb.Unnest(1, types), sqldb.Columns(types, rows)...)
	return mapErr("insert purchases", err)
}

// closeCartsSQL is CloseCart's update for many carts.
var closeCartsSQL = `UPDATE carts c SET status = $5, closed_ref = u.ref, version = c.version + 1, updated_at = u.at,
	expires_at = CASE WHEN c.user_id IS NULL THEN u.exp ELSE c.expires_at END
	FROM ` + sqldb.Unnest(1, []string{"text", "text", "bigint", "bigint"}) + ` AS u (id, ref, at, exp)
	WHERE c.id = ANY ($1) AND c.id = u.id AND c.status = 'active'
	RETURNING c.` + strings.ReplaceAll(cartColumns, ", ", ", c.")

// CloseCarts implements cart.BatchTx.
func (t *tx) CloseCarts(ctx context.Context, cs []cart.CartClose) (map[string]cart.Record, error) {
	out := make(map[string]cart.Record, len(cs))
	if !t.s.pg {
		return nil, errNoBatch
	}
	if len(cs) == 0 {
		return out, nil
	}
	ids, refs := make([]string, len(cs)), make([]string, len(cs))
	at, exp := make([]int64, len(cs)), make([]int64, len(cs))
	for i, c := range cs {
		ids[i], refs[i], at[i], exp[i] = c.ID, c.Reference, ms(c.At), ms(c.GuestExpiry)
	}
	rows, err := t.q.QueryContext(ctx, closeCartsSQL, ids, refs, at, exp, string(cart.StatusOrdered))
	if err != nil {
		return nil, mapErr("close carts", err)
	}
	defer rows.Close()
	for rows.Next() {
		r, err := scanCart(rows)
		if err != nil {
			return nil, err
		}
		out[r.ID] = r
	}
	return out, mapErr("close carts", rows.Err())
}
