package catalogtest

import (
	"context"
	"slices"
	"testing"

	"github.com/bazaarshop/bazaar/internal/catalog"
)

type searchProduct struct {
	slug, title, brand, category, color, desc string
	attrs                                     map[string]string
}

// searchCatalogue is made for the search cases: every product is there to
// be found, or not found, by one of them.
var searchCatalogue = []searchProduct{
	{"anarkali-kurta", "Cotton Anarkali Kurta", "Biba", "kurtas", "Red", "Flared anarkali with gota work.", map[string]string{"fabric": "Cotton"}},
	{"straight-kurti", "Printed Straight Kurti", "W", "kurtas", "Blue", "Everyday kurti in rayon.", nil},
	{"chikankari-kurta", "Chikankari Kurta", "Lucknowi Threads", "kurtas", "White", "Hand embroidered on georgette.", nil},
	{"banarasi-saree", "Banarasi Silk Saree", "Nalli", "sarees", "Maroon", "Handwoven with zari buttis.", map[string]string{"fabric": "Silk"}},
	{"crepe-saree", "Crêpe Printed Saree", "Satya Paul", "sarees", "Blue", "A light crêpe drape.", nil},
	{"pashmina-stole", "Pashmina Stole", "Kashmir Loom", "accessories", "Grey", "Soft and warm.", nil},
	{"maxi-dress", "Floral Maxi Dress", "Zara", "dresses", "Yellow", "Tiered and flowing.", map[string]string{"fabric": "Viscose"}},
	{"linen-shirt-dress", "Linen Shirt Dress", "Fabindia", "dresses", "White", "Belted, with roll-up sleeves.", nil},
	{"wrap-midi-dress", "Wrap Midi Dress", "Linen House", "dresses", "Green", "Ties at the waist.", nil},
	{"palazzo-pants", "Relaxed Palazzo Pants", "Global Desi", "trousers", "Beige", "Wide legs in a breezy linen blend.", nil},
	{"skinny-denim", "Skinny Fit Denim", "Levi's", "jeans", "Blue", "Stretch denim, high rise.", nil},
	{"crop-top", "Ribbed Crop Top", "Zara", "tops", "Black", "Pairs well with high-rise jeans.", nil},
	{"block-heel-sandals", "Block Heel Sandals", "Metro", "sandals", "Tan", "Comfortable all day.", nil},
	{"stiletto-heels", "Stiletto Heels", "Steve Madden", "heels", "Black", "Pointed toe, patent finish.", nil},
	{"jhumka-earrings", "Kundan Jhumka Earrings", "Zaveri Pearls", "jewellery", "Gold", "Temple-style drops.", nil},
	{"tote-bag", "Leather Tote Bag", "Hidesign", "bags", "Brown", "Roomy and structured.", nil},
	{"mirror-lehenga", "Mirror Work Lehenga", "Kalki", "lehengas", "Pink", "Flared skirt with a short blouse.", nil},
}

var searchCategories = []struct{ slug, name, parent string }{
	{"women", "Women", ""},
	{"ethnic-wear", "Ethnic Wear", "women"}, {"kurtas", "Kurtas", "ethnic-wear"}, {"sarees", "Sarees", "ethnic-wear"}, {"lehengas", "Lehengas", "ethnic-wear"},
	{"western-wear", "Western Wear", "women"}, {"dresses", "Dresses", "western-wear"}, {"tops", "Tops", "western-wear"},
	{"jeans", "Jeans", "western-wear"}, {"trousers", "Trousers", "western-wear"},
	{"footwear", "Footwear", "women"}, {"heels", "Heels", "footwear"}, {"sandals", "Sandals", "footwear"},
	{"accessories", "Accessories", "women"}, {"bags", "Bags", "accessories"}, {"jewellery", "Jewellery", "accessories"},
}

// SearchCase is a query and what it must find: groups of slugs in rank
// order; within a group the order is free (equal scores).
type SearchCase struct {
	Name  string
	Q     string
	Ranks [][]string
}

// SearchCases are the search-quality cases.
var SearchCases = []SearchCase{
	{"word", "kurta", [][]string{{"anarkali-kurta", "chikankari-kurta"}, {"straight-kurti"}}},
	{"case", "KURTAS", [][]string{{"anarkali-kurta", "chikankari-kurta"}, {"straight-kurti"}}},
	{"swapped letters", "kutra", [][]string{{"anarkali-kurta", "chikankari-kurta"}, {"straight-kurti"}}},
	{"one edit at seven letters", "anarkli", [][]string{{"anarkali-kurta"}}},
	{"one edit at ten letters", "chikenkari", [][]string{{"chikankari-kurta"}}},
	{"two edits at nine letters", "pashmeena", [][]string{{"pashmina-stole"}}},
	{"no two edits at four letters", "ktra", nil},
	{"no typo at three letters", "tpo", nil},
	{"short word exact", "top", [][]string{{"crop-top"}}},
	{"prefix while typing", "lehen", [][]string{{"mirror-lehenga"}}},
	{"no prefix after a space", "lehen ", nil},
	{"prefix of the last word", "mirror wo", [][]string{{"mirror-lehenga"}}},
	{"several words", "red kurta", [][]string{{"anarkali-kurta"}}},
	{"several words across fields", "zara dress", [][]string{{"maxi-dress"}}},
	{"colour and kind", "blue saree", [][]string{{"crepe-saree"}}},
	{"title before brand before description", "linen", [][]string{{"linen-shirt-dress"}, {"wrap-midi-dress"}, {"palazzo-pants"}}},
	{"category before description", "jeans", [][]string{{"skinny-denim"}, {"crop-top"}}},
	{"plural", "dresses", [][]string{{"maxi-dress", "linen-shirt-dress", "wrap-midi-dress"}}},
	{"singular", "earring", [][]string{{"jhumka-earrings"}}},
	{"plural to singular title", "heel", [][]string{{"block-heel-sandals", "stiletto-heels"}}},
	{"diacritics in the index", "crepe", [][]string{{"crepe-saree"}}},
	{"diacritics in the query", "CRÊPE", [][]string{{"crepe-saree"}}},
	{"brand", "lucknowi", [][]string{{"chikankari-kurta"}}},
	{"attribute", "silk", [][]string{{"banarasi-saree"}}},
	{"category name", "footwear", [][]string{{"block-heel-sandals", "stiletto-heels"}}},
	{"nothing", "tuxedo", nil},
}

// SearchSuite builds the search catalogue in e and runs SearchCases; it
// returns each case's result in order, so that a caller can check that
// every engine answers alike.
func SearchSuite(t *testing.T, e *Env) map[string][]string {
	ctx := context.Background()
	for _, c := range searchCategories {
		if _, err := e.Service.CreateCategory(ctx, catalog.NewCategory{Slug: c.slug, Name: c.name, Parent: c.parent}); err != nil {
			t.Fatal(err)
		}
	}
	for i, p := range searchCatalogue {
		_, err := e.Service.CreateProduct(ctx, catalog.NewProduct{
			Slug: p.slug, Title: p.title, Brand: p.brand, Category: p.category, Description: p.desc, Attributes: p.attrs,
			Status: catalog.StatusActive, Variants: []catalog.NewVariant{v("SRCH-"+itoa(i+1), "M", p.color, int64(1000_00+i*100_00))},
		})
		if err != nil {
			t.Fatalf("create %s: %v", p.slug, err)
		}
	}
	results := map[string][]string{}
	for _, c := range SearchCases {
		t.Run(c.Name, func(t *testing.T) {
			page, err := e.Service.ListProducts(ctx, catalog.ListQuery{Q: c.Q, PageSize: 100})
			if err != nil {
				t.Fatal(err)
			}
			got := Slugs(page.Items)
			results[c.Name] = got
			if page.Total != len(got) {
				t.Errorf("total %d for %d items", page.Total, len(got))
			}
			rest := got
			for i, group := range c.Ranks {
				if len(rest) < len(group) {
					t.Fatalf("%q found %v, want %v", c.Q, got, c.Ranks)
				}
				head := slices.Clone(rest[:len(group)])
				slices.Sort(head)
				want := slices.Clone(group)
				slices.Sort(want)
				if !slices.Equal(head, want) {
					t.Fatalf("%q found %v, want rank group %d to be %v (all: %v)", c.Q, got, i, group, c.Ranks)
				}
				rest = rest[len(group):]
			}
			if len(rest) > 0 {
				t.Fatalf("%q found %v, want only %v", c.Q, got, c.Ranks)
			}
		})
	}
	return results
}
