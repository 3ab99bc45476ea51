package catalogdb

import (
	"context"
	"strconv"
	"strings"

	"github.com/bazaarshop/bazaar/internal/catalog"
)

// Facets implements catalog.Store: five grouped counts, each with every
// filter but its own. Colour, size and price are properties of variants, so
// those count distinct products over the variants that pass the other
// variant filters.
func (s *Store) Facets(ctx context.Context, q catalog.Query) (catalog.FacetCounts, error) {
	var fc catalog.FacetCounts
	var err error
	if fc.Category, err = s.productFacet(ctx, q, facetCategory, "p.category_id", "''"); err != nil {
		return fc, err
	}
	if fc.Brand, err = s.productFacet(ctx, q, facetBrand, "p.brand_key", "MIN(p.brand "+s.binary()+")"); err != nil {
		return fc, err
	}
	if fc.Color, err = s.variantFacet(ctx, q, facetColor, "v.color_key", "MIN(v.color "+s.binary()+")"); err != nil {
		return fc, err
	}
	if fc.Size, err = s.variantFacet(ctx, q, facetSize, "v.size_key", "MIN(v.size "+s.binary()+")"); err != nil {
		return fc, err
	}
	fc.Price, err = s.priceFacet(ctx, q)
	return fc, err
}

func (s *Store) productFacet(ctx context.Context, q catalog.Query, f facet, key, label string) ([]catalog.KeyCount, error) {
	b := s.buildList(q, f, false)
	stmt := b.with + `SELECT ` + key + `, ` + label + `, COUNT(*)` + b.products() + b.whereSQL() + ` GROUP BY ` + key
	return s.keyCounts(ctx, stmt, b.a)
}

func (s *Store) variantFacet(ctx context.Context, q catalog.Query, f facet, key, label string) ([]catalog.KeyCount, error) {
	b := s.buildList(q, f, true)
	stmt := b.with + `SELECT ` + key + `, ` + label + `, COUNT(DISTINCT v.product_id)` + b.variants() + b.whereSQL() + ` GROUP BY ` + key
	return s.keyCounts(ctx, stmt, b.a)
}

func (s *Store) keyCounts(ctx context.Context, stmt string, a args) ([]catalog.KeyCount, error) {
	rows, err := s.db.QueryContext(ctx, stmt, a...)
	if err != nil {
		return nil, dbErr("facet", err)
	}
	defer rows.Close()
	var out []catalog.KeyCount
	for rows.Next() {
		var kc catalog.KeyCount
		if err := rows.Scan(&kc.Key, &kc.Label, &kc.Count); err != nil {
			return nil, dbErr("facet", err)
		}
		out = append(out, kc)
	}
	return out, dbErr("facet", rows.Err())
}

func (s *Store) priceFacet(ctx context.Context, q catalog.Query) ([]int, error) {
	bounds := q.PriceBuckets
	if len(bounds) == 0 {
		return nil, nil
	}
	b := s.buildList(q, facetPrice, true)
	var cases strings.Builder
	cases.WriteString("CASE")
	for i := 1; i < len(bounds); i++ {
		cases.WriteString(" WHEN v.price < " + b.a.add(bounds[i]) + " THEN " + strconv.Itoa(i-1))
	}
	cases.WriteString(" ELSE " + strconv.Itoa(len(bounds)-1) + " END")
	stmt := b.with + `SELECT ` + cases.String() + ` AS bucket, COUNT(DISTINCT v.product_id)` + b.variants() + b.whereSQL() + ` GROUP BY bucket`
	rows, err := s.db.QueryContext(ctx, stmt, b.a...)
	if err != nil {
		return nil, dbErr("price facet", err)
	}
	defer rows.Close()
	out := make([]int, len(bounds))
	for rows.Next() {
		var bucket, n int
		if err := rows.Scan(&bucket, &n); err != nil {
			return nil, dbErr("price facet", err)
		}
		if bucket >= 0 && bucket < len(out) {
			out[bucket] = n
		}
	}
	return out, dbErr("price facet", rows.Err())
}
