package catalogtest

import (
	"context"
	"slices"
	"testing"

	"github.com/bazaarshop/bazaar/internal/catalog"
)

// testSKUsFollowWrites checks that LookupSKUs, which the cart prices with
// and Core answers from memory, shows every committed write at once:
// prices, purchasability, product text, collections and new SKUs.
func testSKUsFollowWrites(t *testing.T, e *Env) {
	ctx := context.Background()
	f := NewFixture(t, e.Service)
	kurta := f.Products["silk-straight-kurta"]
	lookup := func(skus ...string) map[string]catalog.SKUInfo {
		t.Helper()
		infos, err := e.Service.LookupSKUs(ctx, skus)
		if err != nil {
			t.Fatal(err)
		}
		out := map[string]catalog.SKUInfo{}
		for _, i := range infos {
			out[i.SKU] = i
		}
		return out
	}
	for range 2 { // the second one is served from memory where there is a cache
		m := lookup("KRT-SLK-M", "KRT-SLK-L", "KRT-SLK-XL")
		if len(m) != 2 || m["KRT-SLK-M"].Price != INR(249900) || !m["KRT-SLK-M"].Purchasable {
			t.Fatalf("before: %+v", m)
		}
	}
	// A caller changing what it got does not change what others get.
	m := lookup("KRT-SLK-M")
	info := m["KRT-SLK-M"]
	info.Categories[0] = "changed"
	if got := lookup("KRT-SLK-M")["KRT-SLK-M"]; got.Categories[0] == "changed" {
		t.Fatalf("a caller's edit leaked into the cache: %v", got.Categories)
	}

	if err := e.Service.SetPrices(ctx, []catalog.PriceChange{{SKU: "KRT-SLK-M", Price: INR(89900), CompareAt: INRp(249900)}}); err != nil {
		t.Fatal(err)
	}
	m = lookup("KRT-SLK-M", "KRT-SLK-L")
	if got := m["KRT-SLK-M"]; got.Price != INR(89900) || got.CompareAt == nil || *got.CompareAt != INR(249900) {
		t.Fatalf("right after the price change: %+v", got)
	}
	if got := m["KRT-SLK-L"]; got.Price != INR(249900) {
		t.Fatalf("an unchanged SKU: %+v", got)
	}

	yes := true
	if _, err := e.Service.UpdateVariant(ctx, kurta.ID, "KRT-SLK-L", catalog.VariantUpdate{Archived: &yes}); err != nil {
		t.Fatal(err)
	}
	if got := lookup("KRT-SLK-L")["KRT-SLK-L"]; got.Purchasable {
		t.Fatalf("right after archiving the variant: %+v", got)
	}
	if _, err := e.Service.AddVariant(ctx, kurta.ID, catalog.NewVariant{SKU: "KRT-SLK-XL", Size: "XL", Color: "Green", Price: INR(99900)}); err != nil {
		t.Fatal(err)
	}
	if got, ok := lookup("KRT-SLK-XL")["KRT-SLK-XL"]; !ok || got.Price != INR(99900) || !got.Purchasable {
		t.Fatalf("right after adding the SKU it was unknown: %+v, %v", got, ok)
	}
	title, draft := "Silk Kurta", catalog.StatusDraft
	if _, err := e.Service.UpdateProduct(ctx, kurta.ID, catalog.ProductUpdate{Title: &title, Status: &draft}); err != nil {
		t.Fatal(err)
	}
	if got := lookup("KRT-SLK-M")["KRT-SLK-M"]; got.Purchasable || got.Title != title || got.ProductStatus != catalog.StatusDraft {
		t.Fatalf("right after making the product a draft: %+v", got)
	}
	if _, err := e.Service.SetCollectionProducts(ctx, f.Collections["new-in"].ID, []string{kurta.ID}); err != nil {
		t.Fatal(err)
	}
	if got := lookup("KRT-SLK-M")["KRT-SLK-M"]; !slices.Equal(got.Collections, []string{"new-in", "sale"}) {
		t.Fatalf("right after changing the collection: %+v", got.Collections)
	}
}
