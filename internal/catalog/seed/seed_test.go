package seed_test

import (
	"context"
	"encoding/json"
	"regexp"
	"strings"
	"testing"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogdb"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogtest"
	"github.com/bazaarshop/bazaar/internal/catalog/placeholder"
	"github.com/bazaarshop/bazaar/internal/catalog/seed"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

func TestDeterministic(t *testing.T) {
	a, b, other := seed.NewGenerator(7), seed.NewGenerator(7), seed.NewGenerator(8)
	same := func(x, y any) bool {
		jx, _ := json.Marshal(x)
		jy, _ := json.Marshal(y)
		return string(jx) == string(jy)
	}
	if !same(a.Categories(), b.Categories()) || !same(a.Collections(), b.Collections()) {
		t.Fatal("the same seed made another taxonomy")
	}
	for _, i := range []int{0, 1, 999, 123456} {
		pa, sa := a.Product(i)
		pb, sb := b.Product(i)
		if !same(pa, pb) || !same(sa, sb) {
			t.Fatalf("product %d differs between two generators of one seed", i)
		}
		if po, _ := other.Product(i); same(pa, po) {
			t.Fatalf("product %d is the same under another seed", i)
		}
	}
}

var (
	slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	skuRE  = regexp.MustCompile(`^[A-Z0-9][A-Z0-9._-]{0,63}$`)
)

// Generated products keep the rules Core enforces on staff input.
func TestProductsAreValid(t *testing.T) {
	g := seed.NewGenerator(1)
	slugs, skus, leaves := map[string]bool{}, map[string]bool{}, map[string]int{}
	for i := range 3000 {
		w, stock := g.Product(i)
		p := w.Product
		if len(p.Slug) > 100 || !slugRE.MatchString(p.Slug) || slugs[p.Slug] {
			t.Fatalf("product %d: slug %q bad or repeated", i, p.Slug)
		}
		slugs[p.Slug] = true
		if ids.Valid(p.ID) != nil || p.Title == "" || p.Brand == "" || len(p.Variants) == 0 || len(p.Variants) != len(stock) {
			t.Fatalf("product %d: %+v", i, p)
		}
		leaves[p.Category.ID]++
		for j, v := range p.Variants {
			if !skuRE.MatchString(v.SKU) || skus[v.SKU] || v.SKU != stock[j].SKU || v.InStock != (stock[j].OnHand > 0) {
				t.Fatalf("product %d: SKU %q bad, repeated or out of step with its stock", i, v.SKU)
			}
			skus[v.SKU] = true
			if v.Price.Currency != "INR" || v.Price.Amount < 9900 || v.Price.Amount%100 != 0 ||
				(v.CompareAt != nil && v.CompareAt.Amount < v.Price.Amount) {
				t.Fatalf("product %d: price %v compare-at %v", i, v.Price, v.CompareAt)
			}
		}
		for _, im := range p.Images {
			name, ok := strings.CutPrefix(im.URL, placeholder.Prefix)
			if _, drawn := placeholder.SVG(strings.TrimSuffix(name, ".svg")); !ok || !drawn || im.Alt == "" {
				t.Fatalf("product %d: image %+v is not a placeholder that draws", i, im)
			}
		}
		if len(w.Terms) < 5 {
			t.Fatalf("product %d: only %d search terms", i, len(w.Terms))
		}
	}
	if len(leaves) != 17 {
		t.Errorf("products in %d categories, want every one of the 17 leaves", len(leaves))
	}
}

func TestLoad(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		e := catalogtest.NewEnv(t, db, catalog.Options{})
		st := catalogdb.New(db)
		var stocked int
		opts := seed.Options{Products: 250, BatchSize: 100, Stock: func(_ context.Context, s []seed.Stock) error {
			stocked += len(s)
			return nil
		}}
		loaded, res, err := seed.LoadIfEmpty(ctx, st, opts)
		if err != nil || !loaded || res.Products != 250 || res.Variants != stocked {
			t.Fatalf("load: %v %+v (stocked %d), %v", loaded, res, stocked, err)
		}
		if again, _, err := seed.LoadIfEmpty(ctx, st, opts); again || err != nil {
			t.Fatalf("second LoadIfEmpty loaded=%v, %v", again, err)
		}
		e.Core.Changed(ctx)
		first, err := e.Service.ListProducts(ctx, catalog.ListQuery{Status: catalog.StatusDraft})
		if err != nil || first.Total == 0 {
			t.Fatalf("drafts after the first load: %d, %v", first.Total, err)
		}
		opts.First, opts.Products = 250, 50
		if _, err := seed.Load(ctx, st, opts); err != nil {
			t.Fatalf("loading more: %v", err)
		}
		if n, err := st.ProductCount(ctx); n != 300 || err != nil {
			t.Fatalf("%d products, %v", n, err)
		}
		e.Core.Changed(ctx) // the running Core's index picks up the second load
		page, err := e.Service.ListProducts(ctx, catalog.ListQuery{})
		if err != nil || page.Total < 280 || page.Total > 300 || len(page.Facets.Category) < 10 || len(page.Facets.Brand) < 10 {
			t.Fatalf("listing the seeded shop: total %d, %d categories, %v", page.Total, len(page.Facets.Category), err)
		}
		page, err = e.Service.ListProducts(ctx, catalog.ListQuery{Q: "kurta", Category: "ethnic-wear"})
		if err != nil || page.Total == 0 {
			t.Fatalf("searching the seeded shop: %d, %v", page.Total, err)
		}
		p, err := e.Service.Product(ctx, page.Items[0].Slug)
		if err != nil || len(p.Variants) == 0 || len(p.Category.Path) != 3 {
			t.Fatalf("a seeded product page: %+v, %v", p, err)
		}
		cols, err := e.Service.Collections(ctx)
		if err != nil || len(cols) != 3 {
			t.Fatalf("collections %v, %v", cols, err)
		}
		sale, err := e.Service.ListProducts(ctx, catalog.ListQuery{Collection: "sale"})
		if err != nil || sale.Total == 0 || sale.Items[0].CompareAt == nil {
			t.Fatalf("the sale collection: %d, %v", sale.Total, err)
		}
	})
}
