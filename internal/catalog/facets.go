package catalog

import (
	"cmp"
	"slices"
	"strconv"
	"strings"

	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// facets orders and labels the store's raw counts. Every facet lists only
// values with products; values the shopper selected are marked.
func (c *Core) facets(l *listing, fc FacetCounts) Facets {
	f := Facets{
		Category: c.categoryFacet(l, fc.Category),
		Brand:    valueFacet(fc.Brand, l.brands, byCount),
		Color:    valueFacet(fc.Color, l.colors, byCount),
		Size:     valueFacet(fc.Size, l.sizes, bySize),
		Price:    c.priceFacet(l, fc.Price),
	}
	return f
}

// categoryFacet rolls counts up the tree, so "Ethnic Wear" counts its
// kurtas and sarees, and lists categories in tree order.
func (c *Core) categoryFacet(l *listing, direct []KeyCount) []FacetValue {
	m := make(map[string]int, len(direct))
	for _, kc := range direct {
		m[kc.Key] += kc.Count
	}
	total := l.tree.rollUp(m)
	out := []FacetValue{}
	var walk func(parent string)
	walk = func(parent string) {
		for _, id := range l.tree.children[parent] {
			if n := total[id]; n > 0 {
				cat := l.tree.byID[id]
				out = append(out, FacetValue{Value: cat.Slug, Label: cat.Name, Count: n, Selected: id == l.category})
				walk(id)
			}
		}
	}
	walk("")
	return out
}

func valueFacet(kcs []KeyCount, selected map[string]bool, order func(a, b FacetValue) int) []FacetValue {
	out := make([]FacetValue, 0, len(kcs))
	for _, kc := range kcs {
		if kc.Key == "" || kc.Count == 0 {
			continue
		}
		out = append(out, FacetValue{Value: kc.Key, Label: kc.Label, Count: kc.Count, Selected: selected[kc.Key]})
	}
	slices.SortFunc(out, order)
	return out
}

func byCount(a, b FacetValue) int {
	if a.Count != b.Count {
		return b.Count - a.Count
	}
	return strings.Compare(a.Value, b.Value)
}

// sizeRank orders letter sizes as they are worn; numeric sizes follow in
// numeric order, then anything else alphabetically.
var sizeRank = map[string]int{
	"xxxs": 1, "xxs": 2, "xs": 3, "s": 4, "m": 5, "l": 6, "xl": 7, "xxl": 8, "2xl": 8, "xxxl": 9, "3xl": 9,
	"4xl": 10, "5xl": 11, "free-size": 12, "one-size": 12,
}

func bySize(a, b FacetValue) int {
	ra, rb := sizeRank[a.Value], sizeRank[b.Value]
	na, ea := strconv.Atoi(a.Value)
	nb, eb := strconv.Atoi(b.Value)
	class := func(r int, e error) int {
		switch {
		case r > 0:
			return 0
		case e == nil:
			return 1
		}
		return 2
	}
	ca, cb := class(ra, ea), class(rb, eb)
	if ca != cb {
		return ca - cb
	}
	var c int
	switch ca {
	case 0:
		c = cmp.Compare(ra, rb)
	case 1:
		c = cmp.Compare(na, nb)
	}
	if c != 0 {
		return c
	}
	return strings.Compare(a.Value, b.Value)
}

func (c *Core) priceFacet(l *listing, counts []int) []FacetValue {
	b := l.q.PriceBuckets
	out := []FacetValue{}
	for i, n := range counts {
		if n == 0 || i >= len(b) {
			continue
		}
		lo := b[i]
		v := FacetValue{Count: n, Min: &lo}
		if i+1 < len(b) {
			hi := b[i+1]
			v.Max = &hi
			v.Value = strconv.FormatInt(lo, 10) + "-" + strconv.FormatInt(hi, 10)
			if lo == 0 {
				v.Label = "Under " + c.display(hi)
			} else {
				v.Label = c.display(lo) + " – " + c.display(hi)
			}
			v.Selected = l.q.PriceMin != nil && *l.q.PriceMin == lo && l.q.PriceMax != nil && *l.q.PriceMax == hi
		} else {
			v.Value = strconv.FormatInt(lo, 10) + "-"
			v.Label = c.display(lo) + " and above"
			v.Selected = l.q.PriceMin != nil && *l.q.PriceMin == lo && l.q.PriceMax == nil
		}
		out = append(out, v)
	}
	return out
}

// display shows a bucket bound without its zero minor units: "₹1,000".
func (c *Core) display(amount int64) string {
	m, err := money.New(amount, c.opts.Currency)
	if err != nil {
		return strconv.FormatInt(amount, 10)
	}
	s := m.Display()
	return strings.TrimSuffix(s, ".00")
}
