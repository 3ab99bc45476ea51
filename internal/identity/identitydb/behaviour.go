package identitydb

import (
	"context"
	"encoding/json"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

func (s *Store) MarkProcessed(ctx context.Context, eventID string, at time.Time) (bool, error) {
	res, err := s.q.ExecContext(ctx, `INSERT INTO processed_events (event_id, at) VALUES ($1, $2) ON CONFLICT (event_id) DO NOTHING`, eventID, ms(at))
	if err != nil {
		return false, wrap("mark event processed", err)
	}
	return affected(res) == 1, nil
}

func (s *Store) MarkProcessedAll(ctx context.Context, eventIDs []string, at time.Time) (map[string]bool, error) {
	ids := slices.Clone(eventIDs)
	slices.Sort(ids)
	ids = slices.Compact(ids)
	first := make(map[string]bool, len(ids))
	for chunk := range slices.Chunk(ids, maxRows) {
		q, args := sqldb.MultiInsert(`INSERT INTO processed_events (event_id, at) VALUES `, 2, len(chunk))
		for _, id := range chunk {
			args = append(args, id, ms(at))
		}
		rows, err := s.q.QueryContext(ctx, q+` ON CONFLICT (event_id) DO NOTHING RETURNING event_id`, args...)
		if err != nil {
			return nil, wrap("mark events processed", err)
		}
		for rows.Next() {
			var id string
			if err := rows.Scan(&id); err != nil {
				rows.Close()
				return nil, wrap("mark events processed", err)
			}
			first[id] = true
		}
		if err := rows.Close(); err != nil {
			return nil, wrap("mark events processed", err)
		}
		if err := rows.Err(); err != nil {
			return nil, wrap("mark events processed", err)
		}
	}
	return first, nil
}

// maxRows bounds the rows of one multi-row statement, well inside both
// engines' limits on bound parameters.
const maxRows = 500

func (s *Store) AddEvents(ctx context.Context, actor string, evs []identity.Event) error {
	all := make([]identity.ActorEvent, len(evs))
	for i, e := range evs {
		all[i] = identity.ActorEvent{Actor: actor, Event: e}
	}
	return s.AddActorEvents(ctx, all)
}

func (s *Store) AddActorEvents(ctx context.Context, evs []identity.ActorEvent) error {
	for chunk := range slices.Chunk(evs, maxRows) {
		q, args := sqldb.MultiInsert(`INSERT INTO behaviour (actor, kind, product_id, category, query, quantity, at) VALUES `, 7, len(chunk))
		for _, e := range chunk {
			args = append(args, e.Actor, string(e.Kind), e.ProductID, e.Category, e.Query, e.Quantity, ms(e.At))
		}
		if _, err := s.q.ExecContext(ctx, q, args...); err != nil {
			return wrap("add events", err)
		}
	}
	return nil
}

func (s *Store) RecentEvents(ctx context.Context, actor string, limit int) ([]identity.Event, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT kind, product_id, category, query, quantity, at FROM behaviour
		WHERE actor = $1 ORDER BY at DESC, id DESC LIMIT $2`, actor, limit)
	if err != nil {
		return nil, wrap("read events", err)
	}
	defer rows.Close()
	out := []identity.Event{}
	for rows.Next() {
		var e identity.Event
		var kind string
		var at int64
		if err := rows.Scan(&kind, &e.ProductID, &e.Category, &e.Query, &e.Quantity, &at); err != nil {
			return nil, wrap("read events", err)
		}
		e.Kind, e.At = identity.EventKind(kind), fromMS(at)
		out = append(out, e)
	}
	return out, wrap("read events", rows.Err())
}

func (s *Store) ReassignEvents(ctx context.Context, from, to string) error {
	_, err := s.q.ExecContext(ctx, `UPDATE behaviour SET actor = $2 WHERE actor = $1`, from, to)
	return wrap("reassign events", err)
}

func (s *Store) DeleteEvents(ctx context.Context, actor string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM behaviour WHERE actor = $1`, actor)
	return wrap("delete events", err)
}

// BumpPairs upserts in key order, so that concurrent transactions lock
// rows in the same order and do not deadlock; a pair given twice is
// counted in one row (an upsert may not touch a row twice).
func (s *Store) BumpPairs(ctx context.Context, kind identity.EventKind, pairs []identity.Pair) error {
	counts := map[[2]string]int64{}
	for _, p := range pairs {
		if p.A == p.B {
			continue
		}
		counts[[2]string{p.A, p.B}] += p.Count
		counts[[2]string{p.B, p.A}] += p.Count
	}
	keys := slices.Collect(maps.Keys(counts))
	slices.SortFunc(keys, func(x, y [2]string) int {
		if c := strings.Compare(x[0], y[0]); c != 0 {
			return c
		}
		return strings.Compare(x[1], y[1])
	})
	for chunk := range slices.Chunk(keys, maxRows) {
		q, args := sqldb.MultiInsert(`INSERT INTO pairs (kind, a, b, n) VALUES `, 4, len(chunk))
		for _, k := range chunk {
			args = append(args, string(kind), k[0], k[1], counts[k])
		}
		if _, err := s.q.ExecContext(ctx, q+` ON CONFLICT (kind, a, b) DO UPDATE SET n = pairs.n + excluded.n`, args...); err != nil {
			return wrap("bump pairs", err)
		}
	}
	return nil
}

// BumpStats adds to the counts in product order (see BumpPairs), one row a
// product.
func (s *Store) BumpStats(ctx context.Context, bumps []identity.ProductStat) error {
	sum := map[string]*identity.ProductStat{}
	for _, b := range bumps {
		t := sum[b.ProductID]
		if t == nil {
			t = &identity.ProductStat{ProductID: b.ProductID}
			sum[b.ProductID] = t
		}
		if b.Category != "" {
			t.Category = b.Category
		}
		t.Views, t.Carts, t.Purchases = t.Views+b.Views, t.Carts+b.Carts, t.Purchases+b.Purchases
	}
	ids := slices.Sorted(maps.Keys(sum))
	for chunk := range slices.Chunk(ids, maxRows) {
		q, args := sqldb.MultiInsert(`INSERT INTO product_stats (product_id, category, views, carts, purchases) VALUES `, 5, len(chunk))
		for _, id := range chunk {
			t := sum[id]
			args = append(args, t.ProductID, t.Category, t.Views, t.Carts, t.Purchases)
		}
		_, err := s.q.ExecContext(ctx, q+`
		ON CONFLICT (product_id) DO UPDATE SET
			views = product_stats.views + excluded.views,
			carts = product_stats.carts + excluded.carts,
			purchases = product_stats.purchases + excluded.purchases,
			category = CASE WHEN excluded.category <> '' THEN excluded.category ELSE product_stats.category END`, args...)
		if err != nil {
			return wrap("bump product stats", err)
		}
	}
	return nil
}

func (s *Store) Related(ctx context.Context, kind identity.EventKind, seeds []string, limit int) ([]identity.Pair, error) {
	if len(seeds) == 0 {
		return nil, nil
	}
	args := strArgs([]any{string(kind), limit}, seeds)
	rows, err := s.q.QueryContext(ctx, `SELECT a, b, n FROM pairs WHERE kind = $1 AND a IN (`+sqldb.Placeholders(3, len(seeds))+`)
		ORDER BY n DESC, a, b LIMIT $2`, args...)
	if err != nil {
		return nil, wrap("related products", err)
	}
	defer rows.Close()
	var out []identity.Pair
	for rows.Next() {
		var p identity.Pair
		if err := rows.Scan(&p.A, &p.B, &p.Count); err != nil {
			return nil, wrap("related products", err)
		}
		out = append(out, p)
	}
	return out, wrap("related products", rows.Err())
}

const statCols = `product_id, category, views, carts, purchases`

func (s *Store) scanStats(ctx context.Context, query string, args ...any) ([]identity.ProductStat, error) {
	rows, err := s.q.QueryContext(ctx, query, args...)
	if err != nil {
		return nil, wrap("product stats", err)
	}
	defer rows.Close()
	var out []identity.ProductStat
	for rows.Next() {
		var p identity.ProductStat
		if err := rows.Scan(&p.ProductID, &p.Category, &p.Views, &p.Carts, &p.Purchases); err != nil {
			return nil, wrap("product stats", err)
		}
		out = append(out, p)
	}
	return out, wrap("product stats", rows.Err())
}

func (s *Store) Stats(ctx context.Context, productIDs []string) (map[string]identity.ProductStat, error) {
	out := map[string]identity.ProductStat{}
	if len(productIDs) == 0 {
		return out, nil
	}
	stats, err := s.scanStats(ctx, `SELECT `+statCols+` FROM product_stats WHERE product_id IN (`+sqldb.Placeholders(1, len(productIDs))+`)`, strArgs(nil, productIDs)...)
	for _, p := range stats {
		out[p.ProductID] = p
	}
	return out, err
}

func (s *Store) Popular(ctx context.Context, category string, limit int) ([]identity.ProductStat, error) {
	if category == "" {
		return s.scanStats(ctx, `SELECT `+statCols+` FROM product_stats ORDER BY purchases DESC, carts DESC, views DESC, product_id LIMIT $1`, limit)
	}
	return s.scanStats(ctx, `SELECT `+statCols+` FROM product_stats WHERE category = $1
		ORDER BY purchases DESC, carts DESC, views DESC, product_id LIMIT $2`, category, limit)
}

// dbItem is an order line as the purchases table keeps it.
type dbItem struct {
	ProductID string `json:"product_id"`
	SKU       string `json:"sku"`
	Category  string `json:"category,omitempty"`
	Quantity  int    `json:"quantity"`
	Amount    int64  `json:"amount"`
	Currency  string `json:"currency"`
}

func (s *Store) SavePurchase(ctx context.Context, userID string, p identity.Purchase) error {
	items := make([]dbItem, len(p.Items))
	for i, it := range p.Items {
		items[i] = dbItem{it.ProductID, it.SKU, it.Category, it.Quantity, it.Price.Amount, it.Price.Currency}
	}
	raw, err := json.Marshal(items)
	if err != nil {
		return wrap("save purchase", err)
	}
	_, err = s.q.ExecContext(ctx, `INSERT INTO purchases (order_id, user_id, paid_at, total_amount, currency, items) VALUES ($1, $2, $3, $4, $5, $6)
		ON CONFLICT (order_id) DO NOTHING`, p.OrderID, userID, ms(p.PaidAt), p.Total.Amount, p.Total.Currency, string(raw))
	return wrap("save purchase", err)
}

func (s *Store) Purchases(ctx context.Context, userID string, limit int) ([]identity.Purchase, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT order_id, paid_at, total_amount, currency, items FROM purchases
		WHERE user_id = $1 ORDER BY paid_at DESC, order_id DESC LIMIT $2`, userID, limit)
	if err != nil {
		return nil, wrap("read purchases", err)
	}
	defer rows.Close()
	out := []identity.Purchase{}
	for rows.Next() {
		var p identity.Purchase
		var paid int64
		var raw string
		if err := rows.Scan(&p.OrderID, &paid, &p.Total.Amount, &p.Total.Currency, &raw); err != nil {
			return nil, wrap("read purchases", err)
		}
		p.PaidAt = fromMS(paid)
		var items []dbItem
		if err := json.Unmarshal([]byte(raw), &items); err != nil {
			return nil, wrap("read purchases", err)
		}
		p.Items = make([]identity.OrderItem, len(items))
		for i, it := range items {
			p.Items[i] = identity.OrderItem{ProductID: it.ProductID, SKU: it.SKU, Category: it.Category, Quantity: it.Quantity,
				Price: money.Money{Amount: it.Amount, Currency: it.Currency}}
		}
		out = append(out, p)
	}
	return out, wrap("read purchases", rows.Err())
}

func (s *Store) DeletePurchases(ctx context.Context, userID string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM purchases WHERE user_id = $1`, userID)
	return wrap("delete purchases", err)
}

func (s *Store) Sweep(ctx context.Context, r identity.Retention) (int64, error) {
	var total int64
	for _, q := range []struct {
		sql string
		arg int64
	}{
		{`DELETE FROM sessions WHERE expires_at <= $1 OR last_seen_at + idle_ms <= $1`, ms(r.Now)},
		{`DELETE FROM tokens WHERE expires_at <= $1`, ms(r.Now)},
		{`DELETE FROM mail WHERE created_at < $1`, ms(r.MailBefore)},
		{`DELETE FROM processed_events WHERE at < $1`, ms(r.ProcessedBefore)},
		{`DELETE FROM behaviour WHERE at < $1`, ms(r.EventsBefore)},
	} {
		res, err := s.q.ExecContext(ctx, q.sql, q.arg)
		if err != nil {
			return total, wrap("sweep", err)
		}
		total += affected(res)
	}
	return total, nil
}
