package catalogtest

import (
	"context"
	"testing"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// INR is an amount of paise in rupees' currency.
func INR(paise int64) money.Money { return money.MustNew(paise, "INR") }

// INRp is INR as a pointer, for compare-at prices.
func INRp(paise int64) *money.Money { m := INR(paise); return &m }

// Fixture is a small catalogue whose every count the suites know:
//
//	Women › Ethnic Wear › Kurtas, Sarees
//	Women › Western Wear › Dresses, Tops
//	Women › Accessories › Bags
//
// Seven active products, one draft (linen-shirt-dress) and one archived
// (embroidered-kurta-set). Leather Tote Bag is out of stock, as is the L
// of the Silk Straight Kurta.
type Fixture struct {
	Categories  map[string]catalog.Category // by slug
	Collections map[string]catalog.Collection
	Products    map[string]catalog.Product // by slug
}

// Active are the slugs of the fixture's active products, cheapest first.
var Active = []string{
	"ribbed-crop-top", "cotton-anarkali-kurta", "silk-straight-kurta", "floral-maxi-dress",
	"crepe-printed-saree", "leather-tote-bag", "banarasi-silk-saree",
}

type fixtureProduct struct {
	in     catalog.NewProduct
	status catalog.Status
}

func v(sku, size, color string, price int64) catalog.NewVariant {
	return catalog.NewVariant{SKU: sku, Size: size, Color: color, Price: INR(price), WeightGrams: 300}
}

func out(nv catalog.NewVariant) catalog.NewVariant {
	f := false
	nv.InStock = &f
	return nv
}

// NewFixture creates the fixture through svc.
func NewFixture(t testing.TB, svc catalog.Service) *Fixture {
	t.Helper()
	ctx := context.Background()
	f := &Fixture{Categories: map[string]catalog.Category{}, Collections: map[string]catalog.Collection{}, Products: map[string]catalog.Product{}}
	for _, c := range []struct{ slug, name, parent string }{
		{"women", "Women", ""},
		{"ethnic-wear", "Ethnic Wear", "women"},
		{"kurtas", "Kurtas", "ethnic-wear"},
		{"sarees", "Sarees", "ethnic-wear"},
		{"western-wear", "Western Wear", "women"},
		{"dresses", "Dresses", "western-wear"},
		{"tops", "Tops", "western-wear"},
		{"accessories", "Accessories", "women"},
		{"bags", "Bags", "accessories"},
	} {
		cat, err := svc.CreateCategory(ctx, catalog.NewCategory{Slug: c.slug, Name: c.name, Parent: c.parent, Position: len(f.Categories)})
		if err != nil {
			t.Fatalf("create category %s: %v", c.slug, err)
		}
		f.Categories[c.slug] = cat
	}
	for _, c := range []struct{ slug, name string }{{"new-in", "New in"}, {"sale", "Sale"}} {
		col, err := svc.CreateCollection(ctx, catalog.NewCollection{Slug: c.slug, Name: c.name})
		if err != nil {
			t.Fatalf("create collection %s: %v", c.slug, err)
		}
		f.Collections[c.slug] = col
	}
	blueL := v("KRT-ANK-L", "L", "Blue", 139900)
	blueL.CompareAt = INRp(199900)
	products := []fixtureProduct{
		{in: catalog.NewProduct{Title: "Cotton Anarkali Kurta", Brand: "Biba", Category: "kurtas",
			Description: "A flared anarkali in soft cotton with gota work at the hem.",
			Attributes:  map[string]string{"fabric": "Cotton", "occasion": "Festive"}, Collections: []string{"new-in"},
			Images:   []catalog.Image{{URL: "/media/placeholder/kurta-red-1.svg", Alt: "Red anarkali kurta"}},
			Variants: []catalog.NewVariant{v("KRT-ANK-S", "S", "Red", 129900), v("KRT-ANK-M", "M", "Red", 129900), blueL}}},
		{in: catalog.NewProduct{Title: "Silk Straight Kurta", Brand: "W", Category: "kurtas",
			Description: "A straight kurta in art silk.", Attributes: map[string]string{"fabric": "Silk"}, Collections: []string{"sale"},
			Variants: []catalog.NewVariant{v("KRT-SLK-M", "M", "Green", 249900), out(v("KRT-SLK-L", "L", "Green", 249900))}}},
		{in: catalog.NewProduct{Title: "Banarasi Silk Saree", Brand: "Nalli", Category: "sarees",
			Description: "Handwoven in Varanasi with gold buttis.", Attributes: map[string]string{"fabric": "Silk", "occasion": "Wedding"},
			Variants: []catalog.NewVariant{v("SAR-BAN-FS", "Free Size", "Maroon", 899900)}}},
		{in: catalog.NewProduct{Title: "Crêpe Printed Saree", Brand: "Satya Paul", Category: "sarees",
			Description: "A light crêpe saree with an abstract print.", Collections: []string{"new-in", "sale"},
			Variants: []catalog.NewVariant{v("SAR-CRP-FS", "Free Size", "Blue", 459900)}}},
		{in: catalog.NewProduct{Title: "Floral Maxi Dress", Brand: "Zara", Category: "dresses",
			Description: "A tiered maxi dress in a floral viscose.", Attributes: map[string]string{"fabric": "Viscose", "fit": "Relaxed"},
			Variants: []catalog.NewVariant{v("DRS-MAX-XS", "XS", "Blue", 299900), v("DRS-MAX-S", "S", "Blue", 299900), v("DRS-MAX-M", "M", "Blue", 299900)}}},
		{status: catalog.StatusDraft, in: catalog.NewProduct{Title: "Linen Shirt Dress", Brand: "W", Category: "dresses",
			Description: "A belted shirt dress in linen.",
			Variants:    []catalog.NewVariant{v("DRS-LIN-M", "M", "White", 349900)}}},
		{in: catalog.NewProduct{Title: "Ribbed Crop Top", Brand: "Zara", Category: "tops",
			Description: "A fitted crop top in ribbed cotton.", Attributes: map[string]string{"fabric": "Cotton", "fit": "Slim"},
			Variants: []catalog.NewVariant{v("TOP-RIB-S", "S", "Black", 99900), v("TOP-RIB-M", "M", "Black", 99900), v("TOP-RIB-MW", "M", "White", 99900)}}},
		{in: catalog.NewProduct{Title: "Leather Tote Bag", Brand: "Hidesign", Category: "bags",
			Description: "A roomy tote in vegetable-tanned leather.",
			Variants:    []catalog.NewVariant{out(v("BAG-TOT-OS", "One Size", "Brown", 599900))}}},
		{status: catalog.StatusArchived, in: catalog.NewProduct{Title: "Embroidered Kurta Set", Brand: "Biba", Category: "kurtas",
			Description: "A kurta with matching palazzos.",
			Variants:    []catalog.NewVariant{v("KRT-EMB-M", "M", "Pink", 189900), v("KRT-EMB-XL", "XL", "Pink", 189900)}}},
	}
	for _, fp := range products {
		fp.in.Status = catalog.StatusActive
		if fp.status != "" {
			fp.in.Status = fp.status
		}
		p, err := svc.CreateProduct(ctx, fp.in)
		if err != nil {
			t.Fatalf("create product %s: %v", fp.in.Title, err)
		}
		f.Products[p.Slug] = p
	}
	return f
}

// Slugs returns the slugs of a listing's items in order.
func Slugs(items []catalog.ProductSummary) []string {
	out := make([]string, len(items))
	for i, it := range items {
		out[i] = it.Slug
	}
	return out
}
