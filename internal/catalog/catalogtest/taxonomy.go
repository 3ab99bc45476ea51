package catalogtest

import (
	"context"
	"slices"
	"testing"

	"github.com/bazaarshop/bazaar/internal/catalog"
)

func testTaxonomy(t *testing.T, e *Env) {
	ctx := context.Background()
	f := NewFixture(t, e.Service)
	t.Run("tree with counts", func(t *testing.T) {
		tree, err := e.Service.Categories(ctx)
		if err != nil {
			t.Fatal(err)
		}
		if len(tree) != 1 || tree[0].Slug != "women" || tree[0].ProductCount != 7 {
			t.Fatalf("roots %+v", tree)
		}
		var got []string
		var walk func(ns []catalog.CategoryNode, depth int)
		walk = func(ns []catalog.CategoryNode, depth int) {
			for _, n := range ns {
				got = append(got, n.Slug+":"+itoa(n.ProductCount))
				walk(n.Children, depth+1)
			}
		}
		walk(tree, 0)
		want := []string{"women:7", "ethnic-wear:4", "kurtas:2", "sarees:2", "western-wear:2", "dresses:1", "tops:1", "accessories:1", "bags:1"}
		if !slices.Equal(got, want) {
			t.Fatalf("tree %v, want %v", got, want)
		}
	})
	t.Run("rename reindexes", func(t *testing.T) {
		page, err := e.Service.ListProducts(ctx, catalog.ListQuery{Q: "saris "})
		if err != nil || page.Total != 0 {
			t.Fatalf("saris before the rename: %v, %v", Slugs(page.Items), err)
		}
		name := "Saris"
		if _, err := e.Service.UpdateCategory(ctx, f.Categories["sarees"].ID, catalog.CategoryUpdate{Name: &name}); err != nil {
			t.Fatal(err)
		}
		page, err = e.Service.ListProducts(ctx, catalog.ListQuery{Q: "saris ", Sort: catalog.SortPriceAsc})
		if err != nil || !slices.Equal(Slugs(page.Items), []string{"crepe-printed-saree", "banarasi-silk-saree"}) {
			t.Fatalf("saris after the rename: %v, %v", Slugs(page.Items), err)
		}
		p, err := e.Service.Product(ctx, "banarasi-silk-saree")
		if err != nil || !slices.Equal(p.Category.Path, []string{"Women", "Ethnic Wear", "Saris"}) {
			t.Fatalf("path after the rename: %v, %v", p.Category.Path, err)
		}
	})
	t.Run("move", func(t *testing.T) {
		parent := "ethnic-wear"
		if _, err := e.Service.UpdateCategory(ctx, f.Categories["bags"].ID, catalog.CategoryUpdate{Parent: &parent}); err != nil {
			t.Fatal(err)
		}
		page, err := e.Service.ListProducts(ctx, catalog.ListQuery{Category: "ethnic-wear"})
		if err != nil || page.Total != 5 {
			t.Fatalf("ethnic wear after moving bags in: %d, %v", page.Total, err)
		}
		below := "kurtas"
		_, err = e.Service.UpdateCategory(ctx, f.Categories["women"].ID, catalog.CategoryUpdate{Parent: &below})
		wantErr(t, err, catalog.ErrCategoryCycle)
		slug := "kurtas"
		_, err = e.Service.UpdateCategory(ctx, f.Categories["tops"].ID, catalog.CategoryUpdate{Slug: &slug})
		wantErr(t, err, catalog.ErrSlugTaken)
		_, err = e.Service.UpdateCategory(ctx, "0190e0a0-0000-7000-8000-000000000000", catalog.CategoryUpdate{Slug: &slug})
		wantErr(t, err, catalog.ErrCategoryNotFound)
	})
	t.Run("create and delete", func(t *testing.T) {
		_, err := e.Service.CreateCategory(ctx, catalog.NewCategory{Name: "Kurtas"})
		wantErr(t, err, catalog.ErrSlugTaken)
		_, err = e.Service.CreateCategory(ctx, catalog.NewCategory{Name: "Rings", Parent: "no-such-parent"})
		wantErr(t, err, catalog.ErrUnknownCategory)
		_, err = e.Service.CreateCategory(ctx, catalog.NewCategory{Name: " "})
		wantErr(t, err, catalog.ErrInvalidCategory)
		jw, err := e.Service.CreateCategory(ctx, catalog.NewCategory{Name: "Jewellery", Parent: "accessories"})
		if err != nil || jw.Slug != "jewellery" || jw.ParentID != f.Categories["accessories"].ID {
			t.Fatalf("create: %+v, %v", jw, err)
		}
		wantErr(t, e.Service.DeleteCategory(ctx, f.Categories["tops"].ID), catalog.ErrCategoryNotEmpty)
		wantErr(t, e.Service.DeleteCategory(ctx, f.Categories["accessories"].ID), catalog.ErrCategoryNotEmpty)
		if err := e.Service.DeleteCategory(ctx, jw.ID); err != nil {
			t.Fatal(err)
		}
		wantErr(t, e.Service.DeleteCategory(ctx, jw.ID), catalog.ErrCategoryNotFound)
	})
	t.Run("collections", func(t *testing.T) {
		cols, err := e.Service.Collections(ctx)
		if err != nil || len(cols) != 2 || cols[0].Slug != "new-in" || cols[1].Slug != "sale" {
			t.Fatalf("collections %+v, %v", cols, err)
		}
		sale := f.Collections["sale"]
		ids := []string{f.Products["banarasi-silk-saree"].ID, f.Products["ribbed-crop-top"].ID}
		if _, err := e.Service.SetCollectionProducts(ctx, sale.ID, ids); err != nil {
			t.Fatal(err)
		}
		page, err := e.Service.ListProducts(ctx, catalog.ListQuery{Collection: "sale", Sort: catalog.SortPriceAsc})
		if err != nil || !slices.Equal(Slugs(page.Items), []string{"ribbed-crop-top", "banarasi-silk-saree"}) {
			t.Fatalf("sale after setting it: %v, %v", Slugs(page.Items), err)
		}
		_, err = e.Service.SetCollectionProducts(ctx, sale.ID, []string{ids[0], "0190e0a0-0000-7000-8000-000000000000"})
		wantErr(t, err, catalog.ErrUnknownProduct)
		_, err = e.Service.SetCollectionProducts(ctx, "0190e0a0-0000-7000-8000-000000000000", ids)
		wantErr(t, err, catalog.ErrCollectionNotFound)
		slug, name := "new-in", "End of Season Sale"
		_, err = e.Service.UpdateCollection(ctx, sale.ID, catalog.CollectionUpdate{Slug: &slug})
		wantErr(t, err, catalog.ErrSlugTaken)
		col, err := e.Service.UpdateCollection(ctx, sale.ID, catalog.CollectionUpdate{Name: &name})
		if err != nil || col.Name != name || col.Slug != "sale" {
			t.Fatalf("rename collection: %+v, %v", col, err)
		}
		_, err = e.Service.CreateCollection(ctx, catalog.NewCollection{Name: "Sale"})
		wantErr(t, err, catalog.ErrSlugTaken)
		p, err := e.Service.Product(ctx, "banarasi-silk-saree")
		if err != nil || !slices.Equal(p.Collections, []string{"sale"}) {
			t.Fatalf("membership on the product: %v, %v", p.Collections, err)
		}
	})
	var n int
	for _, ev := range e.Events(t) {
		if ev.Type == catalog.EventCategoryUpdated {
			n++
		}
	}
	if n != 9+4 { // the fixture's, then rename, move, create and delete
		t.Errorf("%d category events, want 13", n)
	}
}

func testSuggestAndSKUs(t *testing.T, e *Env) {
	ctx := context.Background()
	NewFixture(t, e.Service)
	t.Run("suggest", func(t *testing.T) {
		s, err := e.Service.Suggest(ctx, "kur", 0)
		if err != nil {
			t.Fatal(err)
		}
		if len(s) < 3 || s[0] != (catalog.Suggestion{Kind: "category", Text: "Women › Ethnic Wear › Kurtas", Value: "kurtas"}) {
			t.Fatalf("suggestions for kur: %+v", s)
		}
		var products []string
		for _, x := range s[1:] {
			if x.Kind == "product" {
				products = append(products, x.Value)
			}
		}
		if !slices.Contains(products, "cotton-anarkali-kurta") || !slices.Contains(products, "silk-straight-kurta") || len(products) != 2 {
			t.Errorf("product suggestions for kur: %v", products)
		}
		s, err = e.Service.Suggest(ctx, "ZA", 3)
		if err != nil || len(s) == 0 || s[0] != (catalog.Suggestion{Kind: "brand", Text: "Zara", Value: "zara"}) || len(s) > 3 {
			t.Fatalf("suggestions for ZA: %+v, %v", s, err)
		}
		for _, q := range []string{"", "k", "  "} {
			if s, err := e.Service.Suggest(ctx, q, 0); err != nil || len(s) != 0 {
				t.Errorf("suggestions for %q: %+v, %v", q, s, err)
			}
		}
		_, err = e.Service.Suggest(ctx, "kurta", 50)
		wantErr(t, err, catalog.ErrInvalidFilter)
	})
	t.Run("skus", func(t *testing.T) {
		infos, err := e.Service.LookupSKUs(ctx, []string{"krt-ank-l", "DRS-LIN-M", "NOPE-1"})
		if err != nil || len(infos) != 2 {
			t.Fatalf("lookup: %+v, %v", infos, err)
		}
		dress, kurta := infos[0], infos[1]
		if dress.SKU != "DRS-LIN-M" || dress.Purchasable || dress.ProductStatus != catalog.StatusDraft {
			t.Errorf("draft SKU %+v", dress)
		}
		if kurta.SKU != "KRT-ANK-L" || !kurta.Purchasable || kurta.Price != INR(139900) || kurta.CompareAt == nil ||
			kurta.Size != "L" || kurta.Color != "Blue" || kurta.Slug != "cotton-anarkali-kurta" || kurta.Image == nil {
			t.Errorf("active SKU %+v", kurta)
		}
		if kurta.Brand != "Biba" || !slices.Equal(kurta.Collections, []string{"new-in"}) ||
			len(kurta.Categories) < 2 || kurta.Categories[len(kurta.Categories)-1] != "kurtas" {
			t.Errorf("SKU taxonomy: brand %q categories %v collections %v", kurta.Brand, kurta.Categories, kurta.Collections)
		}
		_, err = e.Service.LookupSKUs(ctx, []string{"a b"})
		wantErr(t, err, catalog.ErrInvalidSKU)
	})
}

func itoa(n int) string {
	if n == 0 {
		return "0"
	}
	var b []byte
	for ; n > 0; n /= 10 {
		b = append([]byte{byte('0' + n%10)}, b...)
	}
	return string(b)
}
