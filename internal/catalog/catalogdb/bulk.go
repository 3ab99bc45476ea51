package catalogdb

import (
	"context"
	"database/sql"
	"fmt"
	"slices"
	"strings"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// Bulk loading is for seeding and benchmarks: many products per statement,
// one transaction per batch, no events (nobody follows a catalogue that did
// not exist yet). Call Core.Changed afterwards if a Core is serving.

// SaveTaxonomy inserts or updates categories, parents first, and
// collections.
func (s *Store) SaveTaxonomy(ctx context.Context, cats []catalog.Category, cols []catalog.Collection) error {
	return s.Write(ctx, func(ct catalog.Tx) error {
		t := ct.(*tx)
		for _, c := range cats {
			if err := t.SaveCategory(ctx, c); err != nil {
				return err
			}
		}
		for _, c := range cols {
			if err := t.SaveCollection(ctx, c); err != nil {
				return err
			}
		}
		return nil
	})
}

// ProductCount counts the products in any state.
func (s *Store) ProductCount(ctx context.Context) (int, error) {
	var n int
	err := s.db.QueryRowContext(ctx, `SELECT COUNT(*) FROM products`).Scan(&n)
	return n, dbErr("count products", err)
}

// BulkInsert inserts new products with their variants, search terms and
// collection memberships in one transaction. It does not replace: a
// product, slug or SKU that exists already fails the whole batch.
func (s *Store) BulkInsert(ctx context.Context, ws []catalog.ProductWrite) error {
	if len(ws) == 0 {
		return nil
	}
	var prod, vars, terms, members table
	prod.init("products", "id:text", "slug:text", "title:text", "description:text", "brand:text", "brand_key:text",
		"category_id:text", "status:text", "attributes:jsonb", "images:jsonb", "currency:text", "min_price:bigint",
		"max_price:bigint", "in_stock:boolean", "version:bigint", "created_at:bigint", "updated_at:bigint")
	vars.init("variants", "id:text", "product_id:text", "sku:text", "position:integer", "size:text", "size_key:text",
		"color:text", "color_key:text", "price:bigint", "compare_at:bigint", "currency:text", "weight_grams:bigint",
		"archived:boolean", "in_stock:boolean")
	terms.init("search_terms", "token:text", "product_id:text", "weight:integer")
	members.init("collection_products", "collection_id:text", "product_id:text", "position:integer")
	vocab := map[string]bool{}
	for _, w := range ws {
		p := w.Product
		r, err := toRow(p)
		if err != nil {
			return err
		}
		prod.add(p.ID, p.Slug, p.Title, p.Description, p.Brand, r.brandKey, p.Category.ID, string(p.Status),
			string(r.attrs), string(r.images), r.currency, r.minPrice, r.maxPrice, r.inStock, p.Version,
			micros(p.CreatedAt), micros(p.UpdatedAt))
		for i, v := range p.Variants {
			var compareAt *int64
			if v.CompareAt != nil {
				compareAt = &v.CompareAt.Amount
			}
			vars.add(v.ID, p.ID, v.SKU, i, v.Size, catalog.Key(v.Size), v.Color, catalog.Key(v.Color), v.Price.Amount,
				compareAt, v.Price.Currency, v.WeightGrams, v.Archived, v.InStock)
		}
		for _, t := range w.Terms {
			terms.add(t.Token, p.ID, t.Weight)
			vocab[t.Token] = true
		}
		for _, cid := range w.CollectionIDs {
			members.add(cid, p.ID, len(members.rows)+1)
		}
	}
	var voc table
	voc.init("search_vocab", "token:text")
	for _, t := range sortedKeys(vocab) {
		voc.add(t)
	}
	return s.db.InTx(ctx, func(t *sql.Tx) error {
		for _, tb := range []*table{&prod, &vars, &terms, &members} {
			if err := s.insert(ctx, t, tb, ""); err != nil {
				return err
			}
		}
		return s.insert(ctx, t, &voc, " ON CONFLICT DO NOTHING")
	})
}

// table is rows to insert, kept by column.
type table struct {
	name  string
	cols  []string
	types []string // PostgreSQL types, for unnest
	rows  [][]any
}

func (t *table) init(name string, cols ...string) {
	t.name = name
	for _, c := range cols {
		n, typ, _ := strings.Cut(c, ":")
		t.cols = append(t.cols, n)
		t.types = append(t.types, typ)
	}
}

func (t *table) add(vals ...any) { t.rows = append(t.rows, vals) }

func (s *Store) insert(ctx context.Context, q *sql.Tx, t *table, suffix string) error {
	if len(t.rows) == 0 {
		return nil
	}
	if s.pg {
		return s.insertUnnest(ctx, q, t, suffix)
	}
	// SQLite: multi-row VALUES, kept under its limit of 32,766 parameters.
	// Positional ? placeholders: the driver looks $n up by name, which
	// costs time quadratic in the number of parameters.
	per := 30000 / len(t.cols)
	tuple := "(" + strings.TrimSuffix(strings.Repeat("?, ", len(t.cols)), ", ") + ")"
	for start := 0; start < len(t.rows); start += per {
		rows := t.rows[start:min(start+per, len(t.rows))]
		a := make([]any, 0, len(rows)*len(t.cols))
		tuples := make([]string, len(rows))
		for i, r := range rows {
			a = append(a, r...)
			tuples[i] = tuple
		}
		stmt := `INSERT INTO ` + t.name + ` (` + strings.Join(t.cols, ", ") + `) VALUES ` + strings.Join(tuples, ", ") + suffix
		if _, err := q.ExecContext(ctx, stmt, a...); err != nil {
			return dbErr("bulk insert "+t.name, err)
		}
	}
	return nil
}

// insertUnnest sends each column as one array: a single statement of a
// handful of parameters, whatever the number of rows.
func (s *Store) insertUnnest(ctx context.Context, q *sql.Tx, t *table, suffix string) error {
	arrays := make([]any, len(t.cols))
	unnest := make([]string, len(t.cols))
	sel := make([]string, len(t.cols))
	for j, typ := range t.types {
		arrType := typ
		if typ == "jsonb" {
			arrType = "text" // sent as text, cast per element
		}
		unnest[j] = fmt.Sprintf("$%d::%s[]", j+1, arrType)
		sel[j] = "c" + fmt.Sprint(j)
		if typ == "jsonb" {
			sel[j] += "::jsonb"
		}
		arrays[j] = sqldb.Column(t.rows, j, typ)
	}
	aliases := make([]string, len(t.cols))
	for j := range aliases {
		aliases[j] = "c" + fmt.Sprint(j)
	}
	stmt := `INSERT INTO ` + t.name + ` (` + strings.Join(t.cols, ", ") + `) SELECT ` + strings.Join(sel, ", ") +
		` FROM unnest(` + strings.Join(unnest, ", ") + `) AS t (` + strings.Join(aliases, ", ") + `)` + suffix
	_, err := q.ExecContext(ctx, stmt, arrays...)
	return dbErr("bulk insert "+t.name, err)
}

func sortedKeys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}
