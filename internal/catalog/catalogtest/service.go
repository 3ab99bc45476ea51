package catalogtest

import (
	"context"
	"errors"
	"slices"
	"testing"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// ServiceSuite runs the behaviour every catalog.Service must have. newEnv
// returns a fresh, empty catalogue for each subtest.
func ServiceSuite(t *testing.T, newEnv func(t *testing.T) *Env) {
	for _, c := range []struct {
		name string
		fn   func(t *testing.T, e *Env)
	}{
		{"listing facets", testListingFacets},
		{"listing order and pages", testListingOrder},
		{"product pages", testProductPages},
		{"bad writes", testBadWrites},
		{"product lifecycle", testLifecycle},
		{"categories and collections", testTaxonomy},
		{"suggest and skus", testSuggestAndSKUs},
		{"skus follow writes", testSKUsFollowWrites},
		{"stock flags", testStock},
	} {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newEnv(t)) })
	}
}

func testProductPages(t *testing.T, e *Env) {
	ctx := context.Background()
	f := NewFixture(t, e.Service)
	anarkali := f.Products["cotton-anarkali-kurta"]
	e.Avail.Set("KRT-ANK-S", 5)
	e.Avail.Set("KRT-ANK-L", 0)
	for _, ref := range []string{anarkali.ID, anarkali.Slug} {
		p, err := e.Service.Product(ctx, ref)
		if err != nil {
			t.Fatalf("product %s: %v", ref, err)
		}
		if p.ID != anarkali.ID || p.Title != "Cotton Anarkali Kurta" || p.Brand != "Biba" || p.Status != catalog.StatusActive {
			t.Fatalf("product %+v", p)
		}
		if !slices.Equal(p.Category.Path, []string{"Women", "Ethnic Wear", "Kurtas"}) || p.Category.Slug != "kurtas" {
			t.Errorf("category %+v", p.Category)
		}
		if p.PriceRange == nil || p.PriceRange.Min != INR(129900) || p.PriceRange.Max != INR(139900) {
			t.Errorf("price range %+v", p.PriceRange)
		}
		if p.Attributes["fabric"] != "Cotton" || !slices.Equal(p.Collections, []string{"new-in"}) || len(p.Images) != 1 {
			t.Errorf("attributes %v, collections %v, images %v", p.Attributes, p.Collections, p.Images)
		}
		want := map[string]int64{"KRT-ANK-S": 5, "KRT-ANK-M": 0, "KRT-ANK-L": 0}
		if len(p.Variants) != 3 {
			t.Fatalf("variants %+v", p.Variants)
		}
		for i, sku := range []string{"KRT-ANK-S", "KRT-ANK-M", "KRT-ANK-L"} {
			v := p.Variants[i]
			if v.SKU != sku || v.Available == nil || *v.Available != want[sku] || v.InStock != (want[sku] > 0) {
				t.Errorf("variant %d: %+v (available %v), want %s with %d", i, v, v.Available, sku, want[sku])
			}
		}
		if l := p.Variants[2]; l.CompareAt == nil || *l.CompareAt != INR(199900) || l.Price != INR(139900) {
			t.Errorf("L variant prices %+v", l)
		}
	}
	t.Run("inventory down", func(t *testing.T) {
		e.Avail.Fail(errs.Unavailable("inventory_down", "down"))
		defer e.Avail.Fail(nil)
		p, err := e.Service.Product(ctx, anarkali.Slug)
		if err != nil {
			t.Fatalf("a product page must not fail with inventory: %v", err)
		}
		for _, v := range p.Variants {
			if v.Available != nil {
				t.Errorf("variant %s: available %d while inventory is down", v.SKU, *v.Available)
			}
		}
	})
	t.Run("not public", func(t *testing.T) {
		for _, ref := range []string{"linen-shirt-dress", "embroidered-kurta-set", f.Products["linen-shirt-dress"].ID,
			"no-such-product", "0190e0a0-0000-7000-8000-000000000000", "Not a Slug!", ""} {
			_, err := e.Service.Product(ctx, ref)
			wantErr(t, err, catalog.ErrProductNotFound)
		}
		p, err := e.Service.AdminProduct(ctx, f.Products["linen-shirt-dress"].ID)
		if err != nil || p.Status != catalog.StatusDraft {
			t.Fatalf("staff read of a draft: %+v, %v", p.Status, err)
		}
	})
}

func testBadWrites(t *testing.T, e *Env) {
	ctx := context.Background()
	f := NewFixture(t, e.Service)
	before := len(e.Events(t))
	good := func() catalog.NewProduct {
		return catalog.NewProduct{Title: "Chanderi Kurta", Category: "kurtas", Status: catalog.StatusActive,
			Variants: []catalog.NewVariant{v("KRT-CHD-S", "S", "Ivory", 159900), v("KRT-CHD-M", "M", "Ivory", 159900)}}
	}
	cases := []struct {
		name string
		edit func(p *catalog.NewProduct)
		want *errs.Error
	}{
		{"sku of another product", func(p *catalog.NewProduct) { p.Variants[1].SKU = "krt-ank-s" }, catalog.ErrSKUTaken},
		{"sku twice", func(p *catalog.NewProduct) { p.Variants[1].SKU = "KRT-CHD-S" }, catalog.ErrDuplicateSKU},
		{"slug taken", func(p *catalog.NewProduct) { p.Slug = "silk-straight-kurta" }, catalog.ErrSlugTaken},
		{"bad slug", func(p *catalog.NewProduct) { p.Slug = "Chanderi Kurta" }, catalog.ErrInvalidSlug},
		{"bad sku", func(p *catalog.NewProduct) { p.Variants[0].SKU = "KRT CHD" }, catalog.ErrInvalidSKU},
		{"negative price", func(p *catalog.NewProduct) { p.Variants[1].Price = INR(-100) }, catalog.ErrInvalidPrice},
		{"compare-at below price", func(p *catalog.NewProduct) { p.Variants[0].CompareAt = INRp(100) }, catalog.ErrInvalidCompareAt},
		{"other currency", func(p *catalog.NewProduct) { p.Variants[0].Price.Currency = "USD" }, catalog.ErrCurrency},
		{"unknown category", func(p *catalog.NewProduct) { p.Category = "menswear" }, catalog.ErrUnknownCategory},
		{"unknown collection", func(p *catalog.NewProduct) { p.Collections = []string{"winter"} }, catalog.ErrUnknownCollection},
		{"no title", func(p *catalog.NewProduct) { p.Title = "  " }, catalog.ErrInvalidProduct},
		{"active without variants", func(p *catalog.NewProduct) { p.Variants = nil }, catalog.ErrNotActivatable},
		{"bad image", func(p *catalog.NewProduct) { p.Images = []catalog.Image{{URL: "javascript:alert(1)"}} }, catalog.ErrInvalidImage},
		{"bad attribute", func(p *catalog.NewProduct) { p.Attributes = map[string]string{"Fabric Type": "silk"} }, catalog.ErrInvalidProduct},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			in := good()
			c.edit(&in)
			_, err := e.Service.CreateProduct(ctx, in)
			wantErr(t, err, c.want)
		})
	}
	if n := len(e.Events(t)); n != before {
		t.Fatalf("%d events after refused writes, want none", n-before)
	}
	t.Run("nothing partly written", func(t *testing.T) {
		// The refusals above wrote neither the product nor its first SKU.
		p, err := e.Service.CreateProduct(ctx, good())
		if err != nil {
			t.Fatalf("the good product after the refusals: %v", err)
		}
		if p.Slug != "chanderi-kurta" {
			t.Errorf("slug %q", p.Slug)
		}
		// The same title again gets a slug of its own.
		in := good()
		in.Variants = []catalog.NewVariant{v("KRT-CHD2-S", "S", "Ivory", 159900)}
		p2, err := e.Service.CreateProduct(ctx, in)
		if err != nil || p2.Slug != "chanderi-kurta-2" {
			t.Fatalf("second chanderi kurta: %q, %v", p2.Slug, err)
		}
	})
	t.Run("prices all or none", func(t *testing.T) {
		err := e.Service.SetPrices(ctx, []catalog.PriceChange{
			{SKU: "KRT-ANK-S", Price: INR(99900)},
			{SKU: "NO-SUCH-SKU", Price: INR(99900)},
		})
		wantErr(t, err, catalog.ErrUnknownSKU)
		err = e.Service.SetPrices(ctx, []catalog.PriceChange{
			{SKU: "KRT-ANK-S", Price: INR(99900)},
			{SKU: "KRT-ANK-M", Price: INR(-1)},
		})
		wantErr(t, err, catalog.ErrInvalidPrice)
		p, err := e.Service.Product(ctx, "cotton-anarkali-kurta")
		if err != nil || p.Variants[0].Price != INR(129900) {
			t.Fatalf("price after refused batches: %v, %v", p.Variants[0].Price, err)
		}
	})
	t.Run("status rules", func(t *testing.T) {
		archived := f.Products["embroidered-kurta-set"]
		active := catalog.StatusActive
		_, err := e.Service.UpdateProduct(ctx, archived.ID, catalog.ProductUpdate{Status: &active})
		wantErr(t, err, catalog.ErrStatusTransition)
		draft := catalog.StatusDraft
		if _, err := e.Service.UpdateProduct(ctx, archived.ID, catalog.ProductUpdate{Status: &draft}); err != nil {
			t.Fatalf("archived → draft: %v", err)
		}
		if _, err := e.Service.UpdateProduct(ctx, archived.ID, catalog.ProductUpdate{Status: &active}); err != nil {
			t.Fatalf("draft → active: %v", err)
		}
		// The last variant on sale of an active product cannot go.
		bag := f.Products["leather-tote-bag"]
		yes := true
		_, err = e.Service.UpdateVariant(ctx, bag.ID, bag.Variants[0].ID, catalog.VariantUpdate{Archived: &yes})
		wantErr(t, err, catalog.ErrNotActivatable)
		_, err = e.Service.UpdateProduct(ctx, "0190e0a0-0000-7000-8000-000000000000", catalog.ProductUpdate{Status: &draft})
		wantErr(t, err, catalog.ErrProductNotFound)
		_, err = e.Service.UpdateVariant(ctx, bag.ID, "no-such-variant", catalog.VariantUpdate{Archived: &yes})
		wantErr(t, err, catalog.ErrVariantNotFound)
	})
}

func testLifecycle(t *testing.T, e *Env) {
	ctx := context.Background()
	f := NewFixture(t, e.Service)
	kurta := f.Products["silk-straight-kurta"]
	if evs := e.ProductEvents(t, kurta.ID); len(evs) != 1 || evs[0].Change != "created" || evs[0].Version != 1 || len(evs[0].Variants) != 2 {
		t.Fatalf("events after create: %+v", evs)
	}
	// Warm the cache, then change a price: the next read must show it.
	if _, err := e.Service.ListProducts(ctx, catalog.ListQuery{Sort: catalog.SortPriceAsc}); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.Product(ctx, kurta.Slug); err != nil {
		t.Fatal(err)
	}
	if err := e.Service.SetPrices(ctx, []catalog.PriceChange{{SKU: "KRT-SLK-M", Price: INR(89900), CompareAt: INRp(249900)},
		{SKU: "KRT-SLK-L", Price: INR(89900), CompareAt: INRp(249900)}}); err != nil {
		t.Fatal(err)
	}
	page, err := e.Service.ListProducts(ctx, catalog.ListQuery{Sort: catalog.SortPriceAsc})
	if err != nil {
		t.Fatal(err)
	}
	if first := page.Items[0]; first.Slug != kurta.Slug || first.Price != INR(89900) || first.CompareAt == nil || *first.CompareAt != INR(249900) {
		t.Fatalf("after the price change the listing starts with %+v", first)
	}
	p, err := e.Service.Product(ctx, kurta.Slug)
	if err != nil || p.Variants[0].Price != INR(89900) || p.Version != 2 {
		t.Fatalf("product page after the price change: %+v, %v", p.Variants, err)
	}
	title, brand := "Silk Straight Kurta with Pockets", "W for Woman"
	p, err = e.Service.UpdateProduct(ctx, kurta.ID, catalog.ProductUpdate{Title: &title, Brand: &brand})
	if err != nil || p.Title != title || p.Slug != kurta.Slug || p.Version != 3 {
		t.Fatalf("update: %+v, %v", p, err)
	}
	p, err = e.Service.AddVariant(ctx, kurta.ID, catalog.NewVariant{SKU: "krt-slk-xl", Size: "XL", Color: "Green", Price: INR(89900)})
	if err != nil || len(p.Variants) != 3 || p.Variants[2].SKU != "KRT-SLK-XL" {
		t.Fatalf("add variant: %+v, %v", p.Variants, err)
	}
	_, err = e.Service.AddVariant(ctx, kurta.ID, catalog.NewVariant{SKU: "KRT-ANK-S", Price: INR(100)})
	wantErr(t, err, catalog.ErrSKUTaken)
	size := "XXL"
	p, err = e.Service.UpdateVariant(ctx, kurta.ID, "KRT-SLK-XL", catalog.VariantUpdate{Size: &size, ClearCompareAt: true})
	if err != nil || p.Variants[2].Size != "XXL" {
		t.Fatalf("update variant: %+v, %v", p.Variants, err)
	}
	p, err = e.Service.SetImages(ctx, kurta.ID, []catalog.Image{{URL: "https://cdn.example.com/k1.jpg"}, {URL: "/media/placeholder/kurta-green-2.svg", Alt: "Back"}})
	if err != nil || len(p.Images) != 2 || p.Images[0].Alt != title || p.Images[1].Alt != "Back" {
		t.Fatalf("set images: %+v, %v", p.Images, err)
	}
	page, err = e.Service.ListProducts(ctx, catalog.ListQuery{Brands: []string{"w-for-woman"}})
	if err != nil || !slices.Equal(Slugs(page.Items), []string{kurta.Slug}) || page.Items[0].Image.URL != "https://cdn.example.com/k1.jpg" {
		t.Fatalf("listing by the new brand: %v, %v", Slugs(page.Items), err)
	}
	if _, err := e.Service.ArchiveProduct(ctx, kurta.ID); err != nil {
		t.Fatal(err)
	}
	if _, err := e.Service.Product(ctx, kurta.Slug); !errors.Is(err, catalog.ErrProductNotFound) {
		t.Fatalf("archived product page: %v", err)
	}
	page, err = e.Service.ListProducts(ctx, catalog.ListQuery{})
	if err != nil || slices.Contains(Slugs(page.Items), kurta.Slug) || page.Total != 6 {
		t.Fatalf("listing after archiving: %v (total %d), %v", Slugs(page.Items), page.Total, err)
	}
	var changes []string
	var versions []int64
	for _, ev := range e.ProductEvents(t, kurta.ID) {
		changes = append(changes, ev.Change)
		versions = append(versions, ev.Version)
	}
	if want := []string{"created", "price", "updated", "variant", "price", "images", "archived"}; !slices.Equal(changes, want) {
		t.Errorf("event changes %v, want %v", changes, want)
	}
	if !slices.IsSorted(versions) || versions[len(versions)-1] != 7 {
		t.Errorf("event versions %v", versions)
	}
}

func testStock(t *testing.T, e *Env) {
	ctx := context.Background()
	f := NewFixture(t, e.Service)
	if _, err := e.Service.ListProducts(ctx, catalog.ListQuery{InStock: true}); err != nil {
		t.Fatal(err) // cached now
	}
	bag := f.Products["leather-tote-bag"]
	before := len(e.ProductEvents(t, bag.ID))
	if err := e.Core.SetStock(ctx, map[string]bool{"BAG-TOT-OS": true, "KRT-ANK-S": true, "NOPE": false}); err != nil {
		t.Fatal(err)
	}
	page, err := e.Service.ListProducts(ctx, catalog.ListQuery{InStock: true})
	if err != nil || page.Total != 7 {
		t.Fatalf("in stock after the bag came back: %v, %v", Slugs(page.Items), err)
	}
	evs := e.ProductEvents(t, bag.ID)
	if len(evs) != before+1 || evs[len(evs)-1].Change != "stock" || !evs[len(evs)-1].Variants[0].InStock {
		t.Fatalf("stock events %+v", evs)
	}
	if n := len(e.ProductEvents(t, f.Products["cotton-anarkali-kurta"].ID)); n != 1 {
		t.Errorf("a SKU already in stock announced a change (%d events)", n)
	}
}
