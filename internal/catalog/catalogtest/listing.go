package catalogtest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"testing"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

func counts(fv []catalog.FacetValue) map[string]int {
	m := map[string]int{}
	for _, v := range fv {
		m[v.Value] = v.Count
	}
	return m
}

func i64(n int64) *int64 { return &n }

// wantErr fails unless err is an *errs.Error with the code and kind of want.
func wantErr(t testing.TB, err error, want *errs.Error) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s (%s)", want.Code, want.Kind)
	}
	if !errors.Is(err, want) {
		t.Fatalf("error %v (kind %s, code %s), want %s (%s)", err, errs.KindOf(err), errs.CodeOf(err), want.Code, want.Kind)
	}
}

func testListingFacets(t *testing.T, e *Env) {
	ctx := context.Background()
	NewFixture(t, e.Service)
	allBrands := map[string]int{"biba": 1, "w": 1, "nalli": 1, "satya-paul": 1, "zara": 2, "hidesign": 1}
	allColors := map[string]int{"red": 1, "blue": 3, "green": 1, "maroon": 1, "black": 1, "white": 1, "brown": 1}
	allCats := map[string]int{"women": 7, "ethnic-wear": 4, "kurtas": 2, "sarees": 2, "western-wear": 2, "dresses": 1, "tops": 1, "accessories": 1, "bags": 1}
	allPrices := map[string]int{"50000-100000": 1, "100000-200000": 1, "200000-500000": 3, "500000-1000000": 2}
	cases := []struct {
		name   string
		q      catalog.ListQuery
		total  int
		brand  map[string]int
		color  map[string]int
		size   map[string]int
		cat    map[string]int
		prices map[string]int
	}{
		{name: "everything", total: 7, brand: allBrands, color: allColors, cat: allCats, prices: allPrices,
			size: map[string]int{"xs": 1, "s": 3, "m": 4, "l": 2, "free-size": 2, "one-size": 1}},
		// The colour facet ignores the colour filter; the others count only
		// blue variants, so the red S of the anarkali does not count as S.
		{name: "colour", q: catalog.ListQuery{Colors: []string{"Blue"}}, total: 3, color: allColors,
			brand:  map[string]int{"biba": 1, "satya-paul": 1, "zara": 1},
			size:   map[string]int{"xs": 1, "s": 1, "m": 1, "l": 1, "free-size": 1},
			cat:    map[string]int{"women": 3, "ethnic-wear": 2, "kurtas": 1, "sarees": 1, "western-wear": 1, "dresses": 1},
			prices: map[string]int{"100000-200000": 1, "200000-500000": 2}},
		{name: "brand and colour", q: catalog.ListQuery{Brands: []string{"zara"}, Colors: []string{"blue"}}, total: 1,
			brand: map[string]int{"biba": 1, "satya-paul": 1, "zara": 1},
			color: map[string]int{"blue": 1, "black": 1, "white": 1}},
		{name: "in stock", q: catalog.ListQuery{InStock: true}, total: 6,
			size: map[string]int{"xs": 1, "s": 3, "m": 4, "l": 1, "free-size": 2}},
		{name: "price range", q: catalog.ListQuery{PriceMin: i64(100000), PriceMax: i64(300000)}, total: 3, prices: allPrices,
			color: map[string]int{"red": 1, "blue": 2, "green": 1}},
		{name: "category with subcategories", q: catalog.ListQuery{Category: "ethnic-wear"}, total: 4, cat: allCats,
			brand: map[string]int{"biba": 1, "w": 1, "nalli": 1, "satya-paul": 1}},
		{name: "collection", q: catalog.ListQuery{Collection: "sale"}, total: 2},
		{name: "brand spelled differently", q: catalog.ListQuery{Brands: []string{"SATYA PAUL"}}, total: 1},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			page, err := e.Service.ListProducts(ctx, c.q)
			if err != nil {
				t.Fatal(err)
			}
			if page.Total != c.total || len(page.Items) != c.total {
				t.Fatalf("total %d, %d items (%v); want %d", page.Total, len(page.Items), Slugs(page.Items), c.total)
			}
			for _, f := range []struct {
				name string
				got  []catalog.FacetValue
				want map[string]int
			}{{"brand", page.Facets.Brand, c.brand}, {"color", page.Facets.Color, c.color}, {"size", page.Facets.Size, c.size},
				{"category", page.Facets.Category, c.cat}, {"price", page.Facets.Price, c.prices}} {
				if f.want != nil && !maps.Equal(counts(f.got), f.want) {
					t.Errorf("%s facet %v, want %v", f.name, counts(f.got), f.want)
				}
			}
		})
	}
	t.Run("facet order and labels", func(t *testing.T) {
		page, err := e.Service.ListProducts(ctx, catalog.ListQuery{Colors: []string{"blue"}, Category: "kurtas"})
		if err != nil {
			t.Fatal(err)
		}
		var cats, sizes []string
		for _, v := range page.Facets.Category {
			cats = append(cats, v.Value)
			if v.Selected != (v.Value == "kurtas") {
				t.Errorf("category %s selected=%v", v.Value, v.Selected)
			}
		}
		if want := []string{"women", "ethnic-wear", "kurtas", "sarees", "western-wear", "dresses"}; !slices.Equal(cats, want) {
			t.Errorf("category facet in order %v, want the tree's order %v", cats, want)
		}
		for _, v := range page.Facets.Size {
			sizes = append(sizes, v.Value)
		}
		if want := []string{"l"}; !slices.Equal(sizes, want) {
			t.Errorf("size facet %v, want %v", sizes, want)
		}
		for _, v := range page.Facets.Color {
			if v.Value == "blue" && (v.Label != "Blue" || !v.Selected) {
				t.Errorf("colour value %+v, want label Blue, selected", v)
			}
		}
		if len(page.Items) != 1 || page.Items[0].Slug != "cotton-anarkali-kurta" || page.Items[0].Category != "kurtas" {
			t.Fatalf("items %+v", page.Items)
		}
		it := page.Items[0]
		if it.Price != INR(129900) || !slices.Equal(it.Colors, []string{"Red", "Blue"}) || !slices.Equal(it.Sizes, []string{"S", "M", "L"}) ||
			it.Image == nil || it.Brand != "Biba" || !it.InStock {
			t.Errorf("summary %+v", it)
		}
	})
}

func testListingOrder(t *testing.T, e *Env) {
	ctx := context.Background()
	NewFixture(t, e.Service)
	newest := []string{"leather-tote-bag", "ribbed-crop-top", "floral-maxi-dress", "crepe-printed-saree",
		"banarasi-silk-saree", "silk-straight-kurta", "cotton-anarkali-kurta"}
	for _, c := range []struct {
		sort catalog.Sort
		want []string
	}{
		{catalog.SortPriceAsc, Active},
		{catalog.SortPriceDesc, reversed(Active)},
		{catalog.SortNewest, newest},
		{"", newest}, // relevance without a query
	} {
		t.Run("sort "+string(c.sort), func(t *testing.T) {
			for _, size := range []int{100, 3, 1} {
				got, pages := collect(t, e.Service, catalog.ListQuery{Sort: c.sort, PageSize: size})
				if !slices.Equal(got, c.want) {
					t.Fatalf("page size %d: %v, want %v", size, got, c.want)
				}
				if want := (len(c.want) + size - 1) / size; pages != want {
					t.Errorf("page size %d: %d pages, want %d", size, pages, want)
				}
			}
		})
	}
	t.Run("token of another query", func(t *testing.T) {
		page, err := e.Service.ListProducts(ctx, catalog.ListQuery{Sort: catalog.SortPriceAsc, PageSize: 2})
		if err != nil || page.NextPageToken == "" {
			t.Fatalf("first page: %v, token %q", err, page.NextPageToken)
		}
		_, err = e.Service.ListProducts(ctx, catalog.ListQuery{Sort: catalog.SortPriceDesc, PageSize: 2, PageToken: page.NextPageToken})
		wantErr(t, err, catalog.ErrInvalidPageToken)
		_, err = e.Service.ListProducts(ctx, catalog.ListQuery{Sort: catalog.SortPriceAsc, Colors: []string{"red"}, PageToken: page.NextPageToken})
		wantErr(t, err, catalog.ErrInvalidPageToken)
		// Another page size is the same listing: the token still works.
		next, err := e.Service.ListProducts(ctx, catalog.ListQuery{Sort: catalog.SortPriceAsc, PageSize: 5, PageToken: page.NextPageToken})
		if err != nil || !slices.Equal(Slugs(next.Items), Active[2:]) {
			t.Fatalf("next page with another size: %v %v", Slugs(next.Items), err)
		}
	})
	t.Run("bad input", func(t *testing.T) {
		for _, c := range []struct {
			name string
			q    catalog.ListQuery
			want *errs.Error
		}{
			{"unknown sort", catalog.ListQuery{Sort: "cheapest"}, catalog.ErrInvalidSort},
			{"page size over 100", catalog.ListQuery{PageSize: 101}, catalog.ErrInvalidPageSize},
			{"negative page size", catalog.ListQuery{PageSize: -1}, catalog.ErrInvalidPageSize},
			{"malformed token", catalog.ListQuery{PageToken: "not-a-token!"}, catalog.ErrInvalidPageToken},
			{"truncated token", catalog.ListQuery{PageToken: "AQID"}, catalog.ErrInvalidPageToken},
			{"unknown category", catalog.ListQuery{Category: "menswear"}, catalog.ErrUnknownCategory},
			{"unknown collection", catalog.ListQuery{Collection: "winter"}, catalog.ErrUnknownCollection},
			{"negative price", catalog.ListQuery{PriceMin: i64(-1)}, catalog.ErrInvalidFilter},
			{"inverted price range", catalog.ListQuery{PriceMin: i64(500), PriceMax: i64(100)}, catalog.ErrInvalidFilter},
			{"empty colour", catalog.ListQuery{Colors: []string{"--"}}, catalog.ErrInvalidFilter},
			{"unknown status", catalog.ListQuery{Status: "deleted"}, catalog.ErrInvalidFilter},
		} {
			t.Run(c.name, func(t *testing.T) {
				_, err := e.Service.ListProducts(ctx, c.q)
				wantErr(t, err, c.want)
			})
		}
	})
	t.Run("staff list drafts", func(t *testing.T) {
		page, err := e.Service.ListProducts(ctx, catalog.ListQuery{Status: catalog.StatusDraft})
		if err != nil || !slices.Equal(Slugs(page.Items), []string{"linen-shirt-dress"}) {
			t.Fatalf("drafts %v, %v", Slugs(page.Items), err)
		}
	})
}

// collect pages through a listing and returns every slug and the number of
// pages, failing on a repeated item.
func collect(t *testing.T, svc catalog.Service, q catalog.ListQuery) ([]string, int) {
	t.Helper()
	var all []string
	pages := 0
	for {
		page, err := svc.ListProducts(context.Background(), q)
		if err != nil {
			t.Fatalf("page %d: %v", pages+1, err)
		}
		pages++
		for _, s := range Slugs(page.Items) {
			if slices.Contains(all, s) {
				t.Fatalf("%s listed twice", s)
			}
			all = append(all, s)
		}
		if page.Total != len(Active) && q.Q == "" && len(q.Colors) == 0 {
			t.Errorf("page %d: total %d", pages, page.Total)
		}
		if page.NextPageToken == "" {
			return all, pages
		}
		if pages > 100 {
			t.Fatal("no end of pages")
		}
		q.PageToken = page.NextPageToken
	}
}

func reversed(s []string) []string {
	r := slices.Clone(s)
	slices.Reverse(r)
	return r
}
