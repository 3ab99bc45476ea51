package catalogdb

import (
	"context"
	"database/sql"
	"time"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Scan implements catalog.Store. It reads products, then their variants,
// then their memberships, each in id order, and merges them: three
// streaming queries instead of one per product, and no transaction that
// would hold SQLite's write lock for the length of a full scan.
func (s *Store) Scan(ctx context.Context, since time.Time, fn func(catalog.Product, []string) error) error {
	var cond string
	var a []any
	if !since.IsZero() {
		cond, a = ` WHERE updated_at >= $1`, []any{micros(since)}
	}
	sub := `SELECT id FROM products` + cond
	prows, err := s.db.QueryContext(ctx, `SELECT `+productColumns+` FROM products`+cond+` ORDER BY id`, a...)
	if err != nil {
		return dbErr("scan products", err)
	}
	defer prows.Close()
	vrows, err := s.db.QueryContext(ctx, `SELECT product_id, id, sku, size, color, price, compare_at, currency, weight_grams,
		archived, in_stock FROM variants WHERE product_id IN (`+sub+`) ORDER BY product_id, position`, a...)
	if err != nil {
		return dbErr("scan variants", err)
	}
	defer vrows.Close()
	mrows, err := s.db.QueryContext(ctx, `SELECT product_id, collection_id FROM collection_products
		WHERE product_id IN (`+sub+`) ORDER BY product_id, collection_id`, a...)
	if err != nil {
		return dbErr("scan memberships", err)
	}
	defer mrows.Close()
	vs := &variantCursor{rows: vrows}
	ms := &memberCursor{rows: mrows}
	for prows.Next() {
		p, err := scanProduct(prows)
		if err != nil {
			return dbErr("scan products", err)
		}
		if p.Variants, err = vs.upTo(p.ID); err != nil {
			return err
		}
		cols, err := ms.upTo(p.ID)
		if err != nil {
			return err
		}
		if err := fn(p, cols); err != nil {
			return err
		}
	}
	return dbErr("scan products", prows.Err())
}

// variantCursor walks variant rows ordered by product id alongside the
// products.
type variantCursor struct {
	rows    *sql.Rows
	pending *struct {
		pid string
		v   catalog.Variant
	}
	done bool
}

func (c *variantCursor) upTo(pid string) ([]catalog.Variant, error) {
	out := []catalog.Variant{}
	for {
		if c.pending == nil && !c.done {
			if !c.rows.Next() {
				c.done = true
				if err := c.rows.Err(); err != nil {
					return nil, dbErr("scan variants", err)
				}
				continue
			}
			var r struct {
				pid string
				v   catalog.Variant
			}
			var compareAt sql.NullInt64
			var currency string
			if err := c.rows.Scan(&r.pid, &r.v.ID, &r.v.SKU, &r.v.Size, &r.v.Color, &r.v.Price.Amount, &compareAt, &currency,
				&r.v.WeightGrams, &r.v.Archived, &r.v.InStock); err != nil {
				return nil, dbErr("scan variants", err)
			}
			r.v.Price.Currency = currency
			if compareAt.Valid {
				r.v.CompareAt = &money.Money{Amount: compareAt.Int64, Currency: currency}
			}
			c.pending = &r
		}
		if c.pending == nil || c.pending.pid > pid {
			return out, nil
		}
		if c.pending.pid == pid {
			out = append(out, c.pending.v)
		}
		c.pending = nil // a variant of a product not scanned (changed meanwhile) is skipped
	}
}

type memberCursor struct {
	rows    *sql.Rows
	pending []string // product id, collection id
	done    bool
}

func (c *memberCursor) upTo(pid string) ([]string, error) {
	var out []string
	for {
		if c.pending == nil && !c.done {
			if !c.rows.Next() {
				c.done = true
				if err := c.rows.Err(); err != nil {
					return nil, dbErr("scan memberships", err)
				}
				continue
			}
			var p, col string
			if err := c.rows.Scan(&p, &col); err != nil {
				return nil, dbErr("scan memberships", err)
			}
			c.pending = []string{p, col}
		}
		if c.pending == nil || c.pending[0] > pid {
			return out, nil
		}
		if c.pending[0] == pid {
			out = append(out, c.pending[1])
		}
		c.pending = nil
	}
}
