// Package seed generates a realistic, deterministic demo catalogue of Indian
// women's fashion and loads it in bulk. Product number i of a seed is the
// same whatever else is generated, so a catalogue of any size is built as a
// stream of batches, and two runs with one seed build the same shop.
package seed

import (
	"encoding/binary"
	"fmt"
	"hash/fnv"
	"maps"
	"math/rand/v2"
	"slices"
	"strconv"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/catalog/placeholder"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/google/uuid"
)

// Epoch is when the generated shop opened: product i was created i minutes
// after it, so "newest" is the highest number.
var Epoch = time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC)

// Stock is a SKU's opening stock, for inventory.
type Stock struct {
	SKU    string
	OnHand int64
}

// Generator makes the products of one seed.
type Generator struct {
	seed        uint64
	categories  []catalog.Category
	collections []catalog.Collection
	leafIDs     []string   // by leaves index
	paths       [][]string // category path names by leaves index
	colIDs      map[string]string
	weights     []int // cumulative leaf weights
}

// leafWeight makes kurtas and sarees more common than clutches.
var leafWeight = map[string]int{
	"kurtas": 18, "sarees": 14, "lehengas": 4, "salwar-suits": 8, "dupattas": 4, "dresses": 10, "tops": 10, "jeans": 6,
	"skirts": 4, "heels": 4, "flats": 4, "sneakers": 3, "handbags": 5, "clutches": 2, "earrings": 6, "necklaces": 4, "bangles": 3,
}

// NewGenerator returns the generator of seed.
func NewGenerator(seed int64) *Generator {
	g := &Generator{seed: uint64(seed), colIDs: map[string]string{}}
	at := Epoch.Add(-24 * time.Hour)
	add := func(slug, name, parent string, pos int) string {
		id := g.id("category:"+slug, 0, at)
		g.categories = append(g.categories, catalog.Category{ID: id, Slug: slug, Name: name, ParentID: parent, Position: pos})
		return id
	}
	women := add("women", "Women", "", 0)
	rootIDs := map[string]string{}
	for i, r := range roots {
		rootIDs[r.slug] = add(r.slug, r.name, women, i)
	}
	total := 0
	for i, l := range leaves {
		g.leafIDs = append(g.leafIDs, add(l.slug, l.name, rootIDs[l.parent], i))
		parentName := ""
		for _, r := range roots {
			if r.slug == l.parent {
				parentName = r.name
			}
		}
		g.paths = append(g.paths, []string{"Women", parentName, l.name})
		total += leafWeight[l.slug]
		g.weights = append(g.weights, total)
	}
	for _, c := range []catalog.Collection{
		{Slug: "new-in", Name: "New in", Description: "Just landed."},
		{Slug: "sale", Name: "Sale", Description: "Marked down, while stocks last."},
		{Slug: "festive-edit", Name: "The Festive Edit", Description: "Dressed for Diwali, Eid and every wedding in between."},
	} {
		c.ID = g.id("collection:"+c.Slug, 0, at)
		g.collections = append(g.collections, c)
		g.colIDs[c.Slug] = c.ID
	}
	return g
}

// Categories returns the category tree, parents before children.
func (g *Generator) Categories() []catalog.Category { return g.categories }

// Collections returns the collections.
func (g *Generator) Collections() []catalog.Collection { return g.collections }

// id makes a UUIDv7 from what it names: the timestamp is at, the random
// bits come from the seed, so ids repeat across runs and sort by time.
func (g *Generator) id(kind string, n uint64, at time.Time) string {
	h := fnv.New64a()
	h.Write([]byte(kind))
	r := rand.New(rand.NewPCG(g.seed, h.Sum64()^n*0x9e3779b97f4a7c15))
	var u uuid.UUID
	binary.BigEndian.PutUint64(u[8:], r.Uint64())
	binary.BigEndian.PutUint16(u[6:], uint16(r.Uint32()))
	ms := uint64(at.UnixMilli())
	u[0], u[1], u[2], u[3], u[4], u[5] = byte(ms>>40), byte(ms>>32), byte(ms>>24), byte(ms>>16), byte(ms>>8), byte(ms)
	u[6] = 0x70 | u[6]&0x0f // version 7
	u[8] = 0x80 | u[8]&0x3f // RFC 4122 variant
	return u.String()
}

func pick[T any](r *rand.Rand, s []T) T { return s[r.IntN(len(s))] }

// Product generates product number i and its SKUs' opening stock.
func (g *Generator) Product(i int) (catalog.ProductWrite, []Stock) {
	r := rand.New(rand.NewPCG(g.seed, uint64(i)))
	at := Epoch.Add(time.Duration(i) * time.Minute)
	li := 0
	for w := r.IntN(g.weights[len(g.weights)-1]); g.weights[li] <= w; li++ {
	}
	l := leaves[li]
	style, fabric, noun := pick(r, l.styles), pick(r, l.fabrics), pick(r, l.nouns)
	title := join(style, fabric, noun)
	brand := pick(r, brands)
	occasion := pick(r, occasions)
	p := catalog.Product{
		ID: g.id("product", uint64(i), at), Title: title, Brand: brand,
		Slug:        catalog.Slugify(title) + "-" + strconv.FormatInt(int64(i), 36),
		Description: fmt.Sprintf("%s %s%s with %s. %s", style, strings.ToLower(noun), in(fabric), pick(r, details), pick(r, closings)),
		Category:    catalog.CategoryRef{ID: g.leafIDs[li]},
		Attributes:  map[string]string{"occasion": occasion},
		Status:      catalog.StatusActive, Version: 1, CreatedAt: at, UpdatedAt: at,
	}
	if fabric != "" {
		p.Attributes["fabric"] = fabric
	}
	for _, k := range slices.Sorted(maps.Keys(l.attrs)) { // a fixed order: each pick draws from r
		p.Attributes[k] = pick(r, l.attrs[k])
	}
	switch x := r.IntN(100); {
	case x < 2:
		p.Status = catalog.StatusDraft
	case x < 3:
		p.Status = catalog.StatusArchived
	}
	// Colours and a contiguous run of sizes.
	cols := r.Perm(len(colours))[:1+r.IntN(3)]
	nSizes := l.minSizes + r.IntN(len(l.sizes)-l.minSizes+1)
	first := r.IntN(len(l.sizes) - nSizes + 1)
	price := rupees(l.price[0] + r.Int64N(l.price[1]-l.price[0]+1))
	var compareAt *money.Money
	if r.IntN(100) < 35 {
		c := money.MustNew(rupees(price/100*int64(125+r.IntN(126))/100), "INR")
		compareAt = &c
	}
	weight := l.weight[0] + r.Int64N(l.weight[1]-l.weight[0]+1)
	var stock []Stock
	code := strings.ToUpper(strconv.FormatInt(int64(i), 36))
	for _, ci := range cols {
		colour := colours[ci]
		p.Images = append(p.Images, catalog.Image{URL: placeholder.URL(l.picture, colour, i%1000), Alt: title + " in " + colour})
		for _, size := range l.sizes[first : first+nSizes] {
			v := catalog.Variant{
				ID:   g.id("variant", uint64(i)<<8|uint64(len(p.Variants)), at),
				SKU:  fmt.Sprintf("%s-%s-C%02d-%s", l.code, code, ci, strings.ReplaceAll(strings.ToUpper(size), " ", "")),
				Size: size, Color: colour, Price: money.MustNew(price, "INR"), CompareAt: compareAt, WeightGrams: weight,
			}
			onHand := int64(0)
			if r.IntN(100) >= 8 {
				onHand = 1 + r.Int64N(60)
			}
			v.InStock = onHand > 0
			p.Variants = append(p.Variants, v)
			stock = append(stock, Stock{SKU: v.SKU, OnHand: onHand})
		}
	}
	var colIDs []string
	if r.IntN(100) < 8 {
		colIDs = append(colIDs, g.colIDs["new-in"])
	}
	if compareAt != nil {
		colIDs = append(colIDs, g.colIDs["sale"])
	}
	if (occasion == "Festive" || occasion == "Wedding") && l.parent == "ethnic-wear" {
		colIDs = append(colIDs, g.colIDs["festive-edit"])
	}
	w := catalog.ProductWrite{Product: p, CollectionIDs: colIDs, Terms: catalog.IndexTerms(p, g.paths[li])}
	return w, stock
}

// rupees turns whole rupees into paise at a price point ending in 99:
// 1234 becomes ₹1,199.00.
func rupees(r int64) int64 {
	r = r/100*100 - 1
	if r < 99 {
		r = 99
	}
	return r * 100
}

func join(parts ...string) string {
	var out []string
	for _, p := range parts {
		if p != "" && !strings.Contains(strings.Join(out, " "), p) {
			out = append(out, p)
		}
	}
	return strings.Join(out, " ")
}

func in(fabric string) string {
	if fabric == "" {
		return ""
	}
	return " in " + strings.ToLower(fabric)
}
