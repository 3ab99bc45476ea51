package catalogdb

import (
	"context"
	"database/sql"
	"encoding/json"
	"fmt"
	"time"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

const productColumns = `id, slug, title, description, brand, category_id, status, attributes, images, version, created_at, updated_at`

// Product implements catalog.Store.
func (s *Store) Product(ctx context.Context, id string) (catalog.Product, error) {
	return s.readProduct(ctx, s.db, "id", id, "")
}

// ProductBySlug implements catalog.Store.
func (s *Store) ProductBySlug(ctx context.Context, slug string) (catalog.Product, error) {
	return s.readProduct(ctx, s.db, "slug", slug, "")
}

// Product implements catalog.Tx; on PostgreSQL the row stays locked until
// the transaction ends.
func (t *tx) Product(ctx context.Context, id string) (catalog.Product, error) {
	return t.s.readProduct(ctx, t.tx, "id", id, t.s.forUpdate())
}

func (s *Store) readProduct(ctx context.Context, q sqldb.Execer, col, val, lock string) (catalog.Product, error) {
	row := q.QueryRowContext(ctx, `SELECT `+productColumns+` FROM products WHERE `+col+` = $1`+lock, val)
	p, err := scanProduct(row)
	if sqldb.IsNoRows(err) {
		return catalog.Product{}, catalog.ErrProductNotFound
	}
	if err != nil {
		return catalog.Product{}, dbErr("read product", err)
	}
	if p.Variants, err = variantsOf(ctx, q, p.ID); err != nil {
		return catalog.Product{}, err
	}
	rows, err := q.QueryContext(ctx, `
		SELECT c.slug FROM collection_products cp JOIN collections c ON c.id = cp.collection_id
		WHERE cp.product_id = $1 ORDER BY c.slug`, p.ID)
	if err != nil {
		return catalog.Product{}, dbErr("read product collections", err)
	}
	defer rows.Close()
	p.Collections = []string{}
	for rows.Next() {
		var slug string
		if err := rows.Scan(&slug); err != nil {
			return catalog.Product{}, dbErr("read product collections", err)
		}
		p.Collections = append(p.Collections, slug)
	}
	return p, dbErr("read product collections", rows.Err())
}

func scanProduct(row interface{ Scan(...any) error }) (catalog.Product, error) {
	var p catalog.Product
	var attrs, images []byte
	var created, updated int64
	err := row.Scan(&p.ID, &p.Slug, &p.Title, &p.Description, &p.Brand, &p.Category.ID, &p.Status,
		&attrs, &images, &p.Version, &created, &updated)
	if err != nil {
		return p, err
	}
	if err := json.Unmarshal(attrs, &p.Attributes); err != nil {
		return p, fmt.Errorf("product %s attributes: %w", p.ID, err)
	}
	if err := json.Unmarshal(images, &p.Images); err != nil {
		return p, fmt.Errorf("product %s images: %w", p.ID, err)
	}
	p.CreatedAt, p.UpdatedAt = fromMicros(created), fromMicros(updated)
	return p, nil
}

func variantsOf(ctx context.Context, q sqldb.Execer, productID string) ([]catalog.Variant, error) {
	rows, err := q.QueryContext(ctx, `
		SELECT id, sku, size, color, price, compare_at, currency, weight_grams, archived, in_stock
		FROM variants WHERE product_id = $1 ORDER BY position`, productID)
	if err != nil {
		return nil, dbErr("read variants", err)
	}
	defer rows.Close()
	vs := []catalog.Variant{}
	for rows.Next() {
		var v catalog.Variant
		var compareAt sql.NullInt64
		var currency string
		if err := rows.Scan(&v.ID, &v.SKU, &v.Size, &v.Color, &v.Price.Amount, &compareAt, &currency,
			&v.WeightGrams, &v.Archived, &v.InStock); err != nil {
			return nil, dbErr("read variants", err)
		}
		v.Price.Currency = currency
		if compareAt.Valid {
			v.CompareAt = &money.Money{Amount: compareAt.Int64, Currency: currency}
		}
		vs = append(vs, v)
	}
	return vs, dbErr("read variants", rows.Err())
}

// SlugOwner implements catalog.Tx.
func (t *tx) SlugOwner(ctx context.Context, slug string) (string, error) {
	var id string
	err := t.tx.QueryRowContext(ctx, `SELECT id FROM products WHERE slug = $1`, slug).Scan(&id)
	if sqldb.IsNoRows(err) {
		return "", nil
	}
	return id, dbErr("slug owner", err)
}

// SKUOwners implements catalog.Tx.
func (t *tx) SKUOwners(ctx context.Context, skus []string) (map[string]string, error) {
	out := map[string]string{}
	for start := 0; start < len(skus); start += 500 {
		chunk := skus[start:min(start+500, len(skus))]
		var a args
		rows, err := t.tx.QueryContext(ctx, `SELECT sku, product_id FROM variants WHERE sku IN `+a.list(chunk), a...)
		if err != nil {
			return nil, dbErr("sku owners", err)
		}
		for rows.Next() {
			var sku, pid string
			if err := rows.Scan(&sku, &pid); err != nil {
				rows.Close()
				return nil, dbErr("sku owners", err)
			}
			out[sku] = pid
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, dbErr("sku owners", err)
		}
	}
	return out, nil
}

// productRow is a product as the products table holds it.
type productRow struct {
	p                  catalog.Product
	brandKey, currency string
	minPrice, maxPrice int64
	inStock            bool
	attrs, images      []byte
}

// toRow derives what the products table keeps beside the product itself.
func toRow(p catalog.Product) (productRow, error) {
	r := productRow{p: p, brandKey: catalog.Key(p.Brand)}
	first := true
	for _, v := range p.Variants {
		if r.currency == "" {
			r.currency = v.Price.Currency
		}
		if v.Archived {
			continue
		}
		r.inStock = r.inStock || v.InStock
		if first || v.Price.Amount < r.minPrice {
			r.minPrice = v.Price.Amount
		}
		if first || v.Price.Amount > r.maxPrice {
			r.maxPrice = v.Price.Amount
		}
		first = false
	}
	attrs := p.Attributes
	if attrs == nil {
		attrs = map[string]string{}
	}
	images := p.Images
	if images == nil {
		images = []catalog.Image{}
	}
	var err error
	if r.attrs, err = json.Marshal(attrs); err != nil {
		return r, err
	}
	r.images, err = json.Marshal(images)
	return r, err
}

// SaveProduct implements catalog.Tx. The unique violations it can meet are
// told apart by the statement that met them: the products upsert can only
// clash on slug, the variants upsert only on SKU.
func (t *tx) SaveProduct(ctx context.Context, w catalog.ProductWrite) error {
	p := w.Product
	r, err := toRow(p)
	if err != nil {
		return err
	}
	_, err = t.tx.ExecContext(ctx, `
		INSERT INTO products (id, slug, title, description, brand, brand_key, category_id, status,
			attributes, images, currency, min_price, max_price, in_stock, version, created_at, updated_at)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17)
		ON CONFLICT (id) DO UPDATE SET slug = excluded.slug, title = excluded.title,
			description = excluded.description, brand = excluded.brand, brand_key = excluded.brand_key,
			category_id = excluded.category_id, status = excluded.status, attributes = excluded.attributes,
			images = excluded.images, currency = excluded.currency, min_price = excluded.min_price,
			max_price = excluded.max_price, in_stock = excluded.in_stock, version = excluded.version,
			updated_at = excluded.updated_at`,
		p.ID, p.Slug, p.Title, p.Description, p.Brand, r.brandKey, p.Category.ID, string(p.Status),
		string(r.attrs), string(r.images), r.currency, r.minPrice, r.maxPrice, r.inStock, p.Version,
		micros(p.CreatedAt), micros(p.UpdatedAt))
	if isUnique(err) {
		return catalog.ErrSlugTaken.With(fmt.Sprintf("the slug %q is already in use", p.Slug))
	}
	if err != nil {
		return dbErr("save product", err)
	}
	if err := t.saveVariants(ctx, p); err != nil {
		return err
	}
	if w.Terms != nil {
		if err := t.saveTerms(ctx, p.ID, w.Terms); err != nil {
			return err
		}
	}
	if w.CollectionIDs != nil {
		return t.saveMemberships(ctx, p.ID, w.CollectionIDs)
	}
	return nil
}

func (t *tx) saveVariants(ctx context.Context, p catalog.Product) error {
	var keep args
	keepIDs := make([]string, len(p.Variants))
	for i, v := range p.Variants {
		keepIDs[i] = v.ID
	}
	del := `DELETE FROM variants WHERE product_id = ` + keep.add(p.ID)
	if len(keepIDs) > 0 {
		del += ` AND id NOT IN ` + keep.list(keepIDs)
	}
	if _, err := t.tx.ExecContext(ctx, del, keep...); err != nil {
		return dbErr("save variants", err)
	}
	for i, v := range p.Variants {
		var compareAt *int64
		if v.CompareAt != nil {
			compareAt = &v.CompareAt.Amount
		}
		_, err := t.tx.ExecContext(ctx, `
			INSERT INTO variants (id, product_id, sku, position, size, size_key, color, color_key, price,
				compare_at, currency, weight_grams, archived, in_stock)
			VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)
			ON CONFLICT (id) DO UPDATE SET sku = excluded.sku, position = excluded.position,
				size = excluded.size, size_key = excluded.size_key, color = excluded.color,
				color_key = excluded.color_key, price = excluded.price, compare_at = excluded.compare_at,
				currency = excluded.currency, weight_grams = excluded.weight_grams,
				archived = excluded.archived, in_stock = excluded.in_stock`,
			v.ID, p.ID, v.SKU, i, v.Size, catalog.Key(v.Size), v.Color, catalog.Key(v.Color), v.Price.Amount,
			compareAt, v.Price.Currency, v.WeightGrams, v.Archived, v.InStock)
		if isUnique(err) {
			return catalog.ErrSKUTaken.With(fmt.Sprintf("SKU %s is already in use", v.SKU))
		}
		if err != nil {
			return dbErr("save variant", err)
		}
	}
	return nil
}

func (t *tx) saveTerms(ctx context.Context, productID string, terms []catalog.IndexTerm) error {
	if _, err := t.tx.ExecContext(ctx, `DELETE FROM search_terms WHERE product_id = $1`, productID); err != nil {
		return dbErr("save search terms", err)
	}
	const chunk = 200
	for start := 0; start < len(terms); start += chunk {
		part := terms[start:min(start+chunk, len(terms))]
		var a, va args
		var rows, vocab []string
		for _, term := range part {
			rows = append(rows, "("+a.add(term.Token)+", "+a.add(productID)+", "+a.add(term.Weight)+")")
			vocab = append(vocab, "("+va.add(term.Token)+")")
		}
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO search_terms (token, product_id, weight) VALUES `+join(rows), a...); err != nil {
			return dbErr("save search terms", err)
		}
		if _, err := t.tx.ExecContext(ctx, `INSERT INTO search_vocab (token) VALUES `+join(vocab)+` ON CONFLICT DO NOTHING`, va...); err != nil {
			return dbErr("save search vocabulary", err)
		}
	}
	return nil
}

func (t *tx) saveMemberships(ctx context.Context, productID string, collectionIDs []string) error {
	var a args
	del := `DELETE FROM collection_products WHERE product_id = ` + a.add(productID)
	if len(collectionIDs) > 0 {
		del += ` AND collection_id NOT IN ` + a.list(collectionIDs)
	}
	if _, err := t.tx.ExecContext(ctx, del, a...); err != nil {
		return dbErr("save memberships", err)
	}
	for _, cid := range collectionIDs {
		// A new member goes to the end of the collection; a kept one stays.
		_, err := t.tx.ExecContext(ctx, `
			INSERT INTO collection_products (collection_id, product_id, position)
			VALUES ($1, $2, (SELECT COALESCE(MAX(position), 0) + 1 FROM collection_products WHERE collection_id = $1))
			ON CONFLICT (collection_id, product_id) DO NOTHING`, cid, productID)
		if err != nil {
			return dbErr("save memberships", err)
		}
	}
	return nil
}

// SetStock implements catalog.Tx.
func (t *tx) SetStock(ctx context.Context, inStock map[string]bool, at time.Time) ([]string, error) {
	skus := make([]string, 0, len(inStock))
	for sku := range inStock {
		skus = append(skus, sku)
	}
	sortStrings(skus) // a fixed lock order
	changed := map[string]bool{}
	for _, sku := range skus {
		rows, err := t.tx.QueryContext(ctx,
			`UPDATE variants SET in_stock = $1 WHERE sku = $2 AND in_stock <> $1 RETURNING product_id`, inStock[sku], sku)
		if err != nil {
			return nil, dbErr("set stock", err)
		}
		for rows.Next() {
			var pid string
			if err := rows.Scan(&pid); err != nil {
				rows.Close()
				return nil, dbErr("set stock", err)
			}
			changed[pid] = true
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return nil, dbErr("set stock", err)
		}
	}
	out := make([]string, 0, len(changed))
	for pid := range changed {
		out = append(out, pid)
	}
	sortStrings(out)
	for _, pid := range out {
		_, err := t.tx.ExecContext(ctx, `
			UPDATE products SET version = version + 1, updated_at = $2, in_stock = EXISTS (
				SELECT 1 FROM variants v WHERE v.product_id = products.id AND v.archived = FALSE AND v.in_stock = TRUE)
			WHERE id = $1`, pid, micros(at))
		if err != nil {
			return nil, dbErr("set stock", err)
		}
	}
	return out, nil
}

func micros(t time.Time) int64 { return t.UnixMicro() }

func fromMicros(us int64) time.Time { return time.UnixMicro(us).UTC() }
