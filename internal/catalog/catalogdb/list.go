package catalogdb

import (
	"context"
	"encoding/json"
	"fmt"
	"slices"
	"strconv"
	"strings"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// facet names a filter that a facet count leaves out (the drill-down rule).
type facet int

const (
	facetNone facet = iota
	facetCategory
	facetBrand
	facetColor
	facetSize
	facetPrice
)

// listSQL builds the parts of a listing statement. A product matches when
// it passes the product filters and has a variant on sale that passes all
// variant filters (colour, size, price, stock) at once.
type listSQL struct {
	a     args
	with  string // the search CTEs, or ""
	join  string // the join to the search matches, or ""
	where []string
}

func (s *Store) buildList(q catalog.Query, except facet, variantsInline bool) *listSQL {
	b := &listSQL{}
	if len(q.Terms) > 0 {
		b.with = b.searchCTE(q)
		b.join = " JOIN matched m ON m.product_id = p.id"
	}
	status := q.Status
	if status == "" {
		status = catalog.StatusActive
	}
	b.where = append(b.where, "p.status = "+b.a.add(string(status)))
	if len(q.CategoryIDs) > 0 && except != facetCategory {
		b.where = append(b.where, "p.category_id IN "+b.a.list(q.CategoryIDs))
	}
	if q.CollectionID != "" {
		b.where = append(b.where, "p.id IN (SELECT product_id FROM collection_products WHERE collection_id = "+b.a.add(q.CollectionID)+")")
	}
	if len(q.Brands) > 0 && except != facetBrand {
		b.where = append(b.where, "p.brand_key IN "+b.a.list(q.Brands))
	}
	vc := b.variantConds(q, except)
	if variantsInline {
		b.where = append(b.where, "v.archived = FALSE")
		b.where = append(b.where, vc...)
	} else if len(vc) > 0 {
		b.where = append(b.where, "EXISTS (SELECT 1 FROM variants v WHERE v.product_id = p.id AND v.archived = FALSE AND "+strings.Join(vc, " AND ")+")")
	}
	return b
}

func (b *listSQL) variantConds(q catalog.Query, except facet) []string {
	var c []string
	if len(q.Colors) > 0 && except != facetColor {
		c = append(c, "v.color_key IN "+b.a.list(q.Colors))
	}
	if len(q.Sizes) > 0 && except != facetSize {
		c = append(c, "v.size_key IN "+b.a.list(q.Sizes))
	}
	if except != facetPrice {
		if q.PriceMin != nil {
			c = append(c, "v.price >= "+b.a.add(*q.PriceMin))
		}
		if q.PriceMax != nil {
			c = append(c, "v.price < "+b.a.add(*q.PriceMax))
		}
	}
	if q.InStock {
		c = append(c, "v.in_stock = TRUE")
	}
	return c
}

// searchCTE scores products against the expanded query: for each query
// word the best weight × quality among the product's matching tokens, summed
// over the words; a product must match every word.
func (b *listSQL) searchCTE(q catalog.Query) string {
	vals := make([]string, len(q.Terms))
	for i, t := range q.Terms {
		vals[i] = "(" + b.a.add(t.Token) + ", CAST(" + b.a.add(t.Word) + " AS INTEGER), CAST(" + b.a.add(t.Quality) + " AS INTEGER))"
	}
	return `WITH q (token, word, quality) AS (VALUES ` + strings.Join(vals, ", ") + `),
	matched AS (
		SELECT product_id, SUM(best) AS score FROM (
			SELECT t.product_id, q.word, MAX(t.weight * q.quality) AS best
			FROM search_terms t JOIN q ON q.token = t.token
			GROUP BY t.product_id, q.word
		) w
		GROUP BY product_id
		HAVING COUNT(*) = ` + b.a.add(q.Words) + `
	) `
}

func (b *listSQL) whereSQL() string { return " WHERE " + strings.Join(b.where, " AND ") }

// products is the FROM clause of a query over products.
func (b *listSQL) products() string { return " FROM products p" + b.join }

// variants is the FROM clause of a query over the variants of products.
func (b *listSQL) variants() string {
	return " FROM variants v JOIN products p ON p.id = v.product_id" + b.join
}

// sortKey returns the expression a listing orders by and whether it
// descends; ties go by id in the same direction.
func sortKey(q catalog.Query) (string, bool) {
	switch q.Sort {
	case catalog.SortPriceAsc:
		return "p.min_price", false
	case catalog.SortPriceDesc:
		return "p.min_price", true
	case catalog.SortRelevance:
		if len(q.Terms) > 0 {
			return "m.score", true
		}
	}
	return "p.created_at", true
}

// List implements catalog.Store.
func (s *Store) List(ctx context.Context, q catalog.Query) ([]catalog.Listed, error) {
	b := s.buildList(q, facetNone, false)
	key, desc := sortKey(q)
	dir, cmp := "ASC", ">"
	if desc {
		dir, cmp = "DESC", "<"
	}
	if q.After != nil {
		k, id := b.a.add(q.After.Key), b.a.add(q.After.ID)
		b.where = append(b.where, fmt.Sprintf("(%s %s %s OR (%s = %s AND p.id %s %s))", key, cmp, k, key, k, cmp, id))
	}
	limit := q.Limit
	if limit <= 0 {
		limit = 25
	}
	stmt := b.with + `SELECT p.id, p.slug, p.title, p.brand, p.category_id, p.status, p.min_price, p.currency,
		p.images, p.in_stock, ` + key + b.products() + b.whereSQL() +
		` ORDER BY ` + key + ` ` + dir + `, p.id ` + dir + ` LIMIT ` + strconv.Itoa(limit)
	rows, err := s.db.QueryContext(ctx, stmt, b.a...)
	if err != nil {
		return nil, dbErr("list products", err)
	}
	defer rows.Close()
	var out []catalog.Listed
	for rows.Next() {
		var l catalog.Listed
		var images []byte
		if err := rows.Scan(&l.ID, &l.Slug, &l.Title, &l.Brand, &l.Category, &l.Status, &l.Price.Amount,
			&l.Price.Currency, &images, &l.InStock, &l.Key); err != nil {
			return nil, dbErr("list products", err)
		}
		var imgs []catalog.Image
		if err := json.Unmarshal(images, &imgs); err == nil && len(imgs) > 0 {
			l.Image = &imgs[0]
		}
		out = append(out, l)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("list products", err)
	}
	return out, s.summarise(ctx, out)
}

// summarise fills the colours, sizes and compare-at price of listed
// products from their variants, in one query for the page.
func (s *Store) summarise(ctx context.Context, ls []catalog.Listed) error {
	if len(ls) == 0 {
		return nil
	}
	idx := make(map[string]int, len(ls))
	ids := make([]string, len(ls))
	for i := range ls {
		idx[ls[i].ID] = i
		ids[i] = ls[i].ID
		ls[i].Colors, ls[i].Sizes = []string{}, []string{}
	}
	var a args
	rows, err := s.db.QueryContext(ctx, `SELECT product_id, size, color, price, compare_at FROM variants
		WHERE archived = FALSE AND product_id IN `+a.list(ids)+` ORDER BY product_id, position`, a...)
	if err != nil {
		return dbErr("list variants", err)
	}
	defer rows.Close()
	cheapest := map[string]int64{}
	for rows.Next() {
		var pid, size, color string
		var price int64
		var compareAt *int64
		if err := rows.Scan(&pid, &size, &color, &price, &compareAt); err != nil {
			return dbErr("list variants", err)
		}
		l := &ls[idx[pid]]
		if color != "" && !slices.Contains(l.Colors, color) {
			l.Colors = append(l.Colors, color)
		}
		if size != "" && !slices.Contains(l.Sizes, size) {
			l.Sizes = append(l.Sizes, size)
		}
		// The compare-at price shown is that of the cheapest variant.
		if best, seen := cheapest[pid]; !seen || price < best {
			cheapest[pid] = price
			l.CompareAt = nil
			if compareAt != nil {
				l.CompareAt = &money.Money{Amount: *compareAt, Currency: l.Price.Currency}
			}
		}
	}
	return dbErr("list variants", rows.Err())
}

// Count implements catalog.Store.
func (s *Store) Count(ctx context.Context, q catalog.Query) (int, error) {
	b := s.buildList(q, facetNone, false)
	var n int
	err := s.db.QueryRowContext(ctx, b.with+`SELECT COUNT(*)`+b.products()+b.whereSQL(), b.a...).Scan(&n)
	return n, dbErr("count products", err)
}
