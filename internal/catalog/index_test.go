package catalog

import (
	"fmt"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Replacing products over and over keeps the index right and its variant
// storage bounded.
func TestIndexReplaceAndCompact(t *testing.T) {
	ix := newIndex()
	mk := func(id string, price int64, colour string) Product {
		return Product{ID: id, Slug: id, Title: "T " + id, Status: StatusActive, CreatedAt: time.Unix(0, 0),
			Category: CategoryRef{ID: "c"}, Variants: []Variant{
				{SKU: id + "-1", Color: colour, Size: "M", Price: money.MustNew(price, "INR"), InStock: true},
				{SKU: id + "-2", Color: colour, Size: "L", Price: money.MustNew(price+1, "INR"), InStock: true, Archived: true},
			}}
	}
	for i := range 20 {
		ix.put(mk(fmt.Sprint("p", i), 100, "Red"), nil, []IndexTerm{{Token: "kurta", Weight: 8}})
	}
	for round := range 1000 {
		for i := range 20 {
			colour := "Red"
			if i%2 == 0 {
				colour = "Blue"
			}
			ix.put(mk(fmt.Sprint("p", i), int64(1000+round), colour), nil, []IndexTerm{{Token: fmt.Sprint("t", round), Weight: 8}})
		}
	}
	if len(ix.vars) > 2*4096+40 {
		t.Fatalf("%d variant entries for 20 products: replaced versions are kept", len(ix.vars))
	}
	live := 0
	for _, ps := range ix.postings {
		if len(ps) > 0 {
			live++
		}
	}
	if live != 1 || len(ix.postings[ix.words.ids["t999"]]) != 20 {
		t.Fatalf("%d tokens with postings, t999 has %d", live, len(ix.postings[ix.words.ids["t999"]]))
	}
	rows, fc, total := ix.query(Query{Colors: []string{"blue"}, Sort: SortPriceAsc, Limit: 5, PriceBuckets: []int64{0, 1000, 2000}})
	if total != 10 || len(rows) != 5 || rows[0].Price.Amount != 1999 {
		t.Fatalf("total %d, %d rows, first %+v", total, len(rows), rows)
	}
	if len(fc.Color) != 2 || fc.Price[1] != 10 || fc.Size[0].Count != 10 || len(fc.Size) != 1 {
		t.Fatalf("facets %+v", fc)
	}
	rows, _, total = ix.query(Query{Terms: []Term{{Token: "t999", Word: 0, Quality: 4}}, Words: 1, Sort: SortRelevance, Limit: 50})
	if total != 20 || len(rows) != 20 || rows[0].Key != 32 {
		t.Fatalf("search: total %d, %d rows", total, len(rows))
	}
}
