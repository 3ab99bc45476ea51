package catalogdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// Categories implements catalog.Store.
func (s *Store) Categories(ctx context.Context) ([]catalog.Category, error) {
	return categories(ctx, s.db)
}

// Categories implements catalog.Tx.
func (t *tx) Categories(ctx context.Context) ([]catalog.Category, error) {
	return categories(ctx, t.tx)
}

func categories(ctx context.Context, q sqldb.Execer) ([]catalog.Category, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, slug, name, COALESCE(parent_id, ''), position FROM categories ORDER BY id`)
	if err != nil {
		return nil, dbErr("read categories", err)
	}
	defer rows.Close()
	var out []catalog.Category
	for rows.Next() {
		var c catalog.Category
		if err := rows.Scan(&c.ID, &c.Slug, &c.Name, &c.ParentID, &c.Position); err != nil {
			return nil, dbErr("read categories", err)
		}
		out = append(out, c)
	}
	return out, dbErr("read categories", rows.Err())
}

// SaveCategory implements catalog.Tx.
func (t *tx) SaveCategory(ctx context.Context, c catalog.Category) error {
	var parent *string
	if c.ParentID != "" {
		parent = &c.ParentID
	}
	_, err := t.tx.ExecContext(ctx, `
		INSERT INTO categories (id, slug, name, parent_id, position) VALUES ($1, $2, $3, $4, $5)
		ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, name = excluded.name,
			parent_id = excluded.parent_id, position = excluded.position`,
		c.ID, c.Slug, c.Name, parent, c.Position)
	if isUnique(err) {
		return catalog.ErrSlugTaken.With(fmt.Sprintf("the category slug %q is already in use", c.Slug))
	}
	return dbErr("save category", err)
}

// DeleteCategory implements catalog.Tx.
func (t *tx) DeleteCategory(ctx context.Context, id string) error {
	_, err := t.tx.ExecContext(ctx, `DELETE FROM categories WHERE id = $1`, id)
	if errorsCode(err) == "reference_violation" {
		return catalog.ErrCategoryNotEmpty
	}
	return dbErr("delete category", err)
}

// CategoryUsed implements catalog.Tx.
func (t *tx) CategoryUsed(ctx context.Context, id string) (bool, error) {
	for _, stmt := range []string{
		`SELECT 1 FROM products WHERE category_id = $1 LIMIT 1`,
		`SELECT 1 FROM categories WHERE parent_id = $1 LIMIT 1`,
	} {
		var one int
		err := t.tx.QueryRowContext(ctx, stmt, id).Scan(&one)
		if err == nil {
			return true, nil
		}
		if !sqldb.IsNoRows(err) {
			return false, dbErr("category used", err)
		}
	}
	return false, nil
}

// ProductIDsInCategories implements catalog.Tx.
func (t *tx) ProductIDsInCategories(ctx context.Context, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var a args
	return strings1(ctx, t.tx, `SELECT id FROM products WHERE category_id IN `+a.list(ids)+` ORDER BY id`, a)
}

// CategoryCounts implements catalog.Store.
func (s *Store) CategoryCounts(ctx context.Context) (map[string]int, error) {
	rows, err := s.db.QueryContext(ctx, `SELECT category_id, COUNT(*) FROM products WHERE status = 'active' GROUP BY category_id`)
	if err != nil {
		return nil, dbErr("category counts", err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var id string
		var n int
		if err := rows.Scan(&id, &n); err != nil {
			return nil, dbErr("category counts", err)
		}
		out[id] = n
	}
	return out, dbErr("category counts", rows.Err())
}

// Collections implements catalog.Store.
func (s *Store) Collections(ctx context.Context) ([]catalog.Collection, error) {
	return collections(ctx, s.db)
}

// Collections implements catalog.Tx.
func (t *tx) Collections(ctx context.Context) ([]catalog.Collection, error) {
	return collections(ctx, t.tx)
}

func collections(ctx context.Context, q sqldb.Execer) ([]catalog.Collection, error) {
	rows, err := q.QueryContext(ctx, `SELECT id, slug, name, description FROM collections ORDER BY slug`)
	if err != nil {
		return nil, dbErr("read collections", err)
	}
	defer rows.Close()
	var out []catalog.Collection
	for rows.Next() {
		var c catalog.Collection
		if err := rows.Scan(&c.ID, &c.Slug, &c.Name, &c.Description); err != nil {
			return nil, dbErr("read collections", err)
		}
		out = append(out, c)
	}
	return out, dbErr("read collections", rows.Err())
}

// SaveCollection implements catalog.Tx.
func (t *tx) SaveCollection(ctx context.Context, c catalog.Collection) error {
	_, err := t.tx.ExecContext(ctx, `
		INSERT INTO collections (id, slug, name, description) VALUES ($1, $2, $3, $4)
		ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, name = excluded.name, description = excluded.description`,
		c.ID, c.Slug, c.Name, c.Description)
	if isUnique(err) {
		return catalog.ErrSlugTaken.With(fmt.Sprintf("the collection slug %q is already in use", c.Slug))
	}
	return dbErr("save collection", err)
}

// SetCollectionProducts implements catalog.Tx.
func (t *tx) SetCollectionProducts(ctx context.Context, id string, productIDs []string, at time.Time) error {
	touch := `UPDATE products SET updated_at = $2 WHERE id IN (SELECT product_id FROM collection_products WHERE collection_id = $1)`
	if _, err := t.tx.ExecContext(ctx, touch, id, micros(at)); err != nil {
		return dbErr("set collection products", err)
	}
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM collection_products WHERE collection_id = $1`, id); err != nil {
		return dbErr("set collection products", err)
	}
	for i, pid := range productIDs {
		_, err := t.tx.ExecContext(ctx, `INSERT INTO collection_products (collection_id, product_id, position) VALUES ($1, $2, $3)`, id, pid, i+1)
		if err != nil {
			return dbErr("set collection products", err)
		}
	}
	_, err := t.tx.ExecContext(ctx, touch, id, micros(at))
	return dbErr("set collection products", err)
}

// MissingProducts implements catalog.Tx.
func (t *tx) MissingProducts(ctx context.Context, ids []string) ([]string, error) {
	if len(ids) == 0 {
		return nil, nil
	}
	var a args
	found, err := strings1(ctx, t.tx, `SELECT id FROM products WHERE id IN `+a.list(ids), a)
	if err != nil {
		return nil, err
	}
	var missing []string
	for _, id := range ids {
		if !slices.Contains(found, id) {
			missing = append(missing, id)
		}
	}
	return missing, nil
}

// Brands implements catalog.Store.
func (s *Store) Brands(ctx context.Context) ([]catalog.KeyCount, error) {
	out, err := s.keyCounts(ctx, `SELECT brand_key, MIN(brand `+s.binary()+`), COUNT(*) FROM products
		WHERE status = 'active' GROUP BY brand_key`, nil)
	slices.SortFunc(out, func(a, b catalog.KeyCount) int {
		if a.Count != b.Count {
			return b.Count - a.Count
		}
		return strings.Compare(a.Key, b.Key)
	})
	return out, err
}

// Vocabulary implements catalog.Store.
func (s *Store) Vocabulary(ctx context.Context) ([]string, error) {
	return strings1(ctx, s.db, `SELECT token FROM search_vocab`, nil)
}

// SKUs implements catalog.Store.
func (s *Store) SKUs(ctx context.Context, skus []string) ([]catalog.SKUInfo, error) {
	if len(skus) == 0 {
		return nil, nil
	}
	var a args
	rows, err := s.db.QueryContext(ctx, `
		SELECT v.sku, v.product_id, v.id, p.slug, p.title, p.brand, p.category_id, v.size, v.color, v.price, v.compare_at, v.currency,
			v.weight_grams, p.images, p.status, v.archived
		FROM variants v JOIN products p ON p.id = v.product_id
		WHERE v.sku IN `+a.list(skus)+` ORDER BY v.sku`, a...)
	if err != nil {
		return nil, dbErr("lookup skus", err)
	}
	defer rows.Close()
	var out []catalog.SKUInfo
	categoryOf := map[string]string{} // sku → category id
	for rows.Next() {
		var i catalog.SKUInfo
		var compareAt sql.NullInt64
		var images []byte
		var archived bool
		var categoryID string
		if err := rows.Scan(&i.SKU, &i.ProductID, &i.VariantID, &i.Slug, &i.Title, &i.Brand, &categoryID, &i.Size, &i.Color,
			&i.Price.Amount, &compareAt, &i.Price.Currency, &i.WeightGrams, &images, &i.ProductStatus, &archived); err != nil {
			return nil, dbErr("lookup skus", err)
		}
		if compareAt.Valid {
			i.CompareAt = &money.Money{Amount: compareAt.Int64, Currency: i.Price.Currency}
		}
		var imgs []catalog.Image
		if json.Unmarshal(images, &imgs) == nil && len(imgs) > 0 {
			i.Image = &imgs[0]
		}
		i.Purchasable = i.ProductStatus == catalog.StatusActive && !archived
		categoryOf[i.SKU] = categoryID
		out = append(out, i)
	}
	if err := rows.Err(); err != nil {
		return nil, dbErr("lookup skus", err)
	}
	rows.Close()
	if len(out) == 0 {
		return out, nil
	}
	return out, s.addTaxonomy(ctx, out, categoryOf)
}

// addTaxonomy fills in each SKU's category path and collections: what
// promotions by category or collection match on.
func (s *Store) addTaxonomy(ctx context.Context, infos []catalog.SKUInfo, categoryOf map[string]string) error {
	type node struct{ slug, parent string }
	cats := map[string]node{}
	rows, err := s.db.QueryContext(ctx, `SELECT id, slug, COALESCE(parent_id, '') FROM categories`)
	if err != nil {
		return dbErr("lookup skus", err)
	}
	for rows.Next() {
		var id string
		var n node
		if err := rows.Scan(&id, &n.slug, &n.parent); err != nil {
			rows.Close()
			return dbErr("lookup skus", err)
		}
		cats[id] = n
	}
	rows.Close()
	var a args
	products := make([]string, 0, len(infos))
	for _, i := range infos {
		products = append(products, i.ProductID)
	}
	slices.Sort(products)
	products = slices.Compact(products)
	rows, err = s.db.QueryContext(ctx, `
		SELECT cp.product_id, c.slug FROM collection_products cp JOIN collections c ON c.id = cp.collection_id
		WHERE cp.product_id IN `+a.list(products)+` ORDER BY c.slug`, a...)
	if err != nil {
		return dbErr("lookup skus", err)
	}
	defer rows.Close()
	collections := map[string][]string{}
	for rows.Next() {
		var pid, slug string
		if err := rows.Scan(&pid, &slug); err != nil {
			return dbErr("lookup skus", err)
		}
		collections[pid] = append(collections[pid], slug)
	}
	for k := range infos {
		i := &infos[k]
		var path []string
		for id, hops := categoryOf[i.SKU], 0; id != "" && hops < 32; hops++ {
			n, ok := cats[id]
			if !ok {
				break
			}
			path = append(path, n.slug)
			id = n.parent
		}
		slices.Reverse(path)
		i.Categories = path
		i.Collections = collections[i.ProductID]
		if i.Collections == nil {
			i.Collections = []string{}
		}
		if i.Categories == nil {
			i.Categories = []string{}
		}
	}
	return dbErr("lookup skus", rows.Err())
}

// strings1 runs a query of one text column.
func strings1(ctx context.Context, q sqldb.Execer, stmt string, a args) ([]string, error) {
	rows, err := q.QueryContext(ctx, stmt, a...)
	if err != nil {
		return nil, dbErr("query", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var v string
		if err := rows.Scan(&v); err != nil {
			return nil, dbErr("query", err)
		}
		out = append(out, v)
	}
	return out, dbErr("query", rows.Err())
}

func join(parts []string) string { return strings.Join(parts, ", ") }

func sortStrings(s []string) { slices.Sort(s) }

func errorsCode(err error) string {
	if err == nil {
		return ""
	}
	return errsCode(sqldb.MapError(err))
}
