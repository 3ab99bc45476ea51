package catalog

import (
	"cmp"
	"encoding/binary"
	"strings"
	"sync"

	"github.com/google/uuid"
)

// index is an in-memory copy of what listings need of every product: the
// filter values of its variants, its sort keys, its listing summary and its
// search postings. It answers listings — filters, facets by the drill-down
// rule, search scores, keyset pages — in microseconds per product where SQL
// aggregates over joins take milliseconds, with the same semantics as the
// store's List, Count and Facets (the suites run both). The store stays the
// truth: the index loads with Store.Scan and follows it by rescanning the
// products whose updated_at moved (see sync.go).
type index struct {
	mu       sync.RWMutex
	slots    []ixProduct      // what filters and sorts read, kept small
	sums     []ProductSummary // by slot: what a page shows
	tokens   [][]int32        // by slot: the postings to drop on update
	members  [][]int32        // by slot: its collections
	vars     []ixVariant      // every slot's variants, back to back
	deadVars int              // entries of vars no slot points at
	byID     map[string]int32
	cats     dict // category ids
	brands   dict
	colors   dict
	sizes    dict
	colls    dict        // collection ids
	words    dict        // search tokens, numbered once instead of stored per product
	postings [][]posting // by token number

	sync indexSync
}

// dict numbers the values of one facet. The label of a key is its
// byte-wise smallest spelling, as the store's MIN(… COLLATE "C") picks.
type dict struct {
	ids    map[string]int32
	keys   []string
	labels []string
}

func (d *dict) id(key, label string) int32 {
	if d.ids == nil {
		d.ids = map[string]int32{}
	}
	if i, ok := d.ids[key]; ok {
		if label < d.labels[i] {
			d.labels[i] = label
		}
		return i
	}
	i := int32(len(d.keys))
	d.ids[key] = i
	d.keys = append(d.keys, key)
	d.labels = append(d.labels, label)
	return i
}

// set returns which ids of d the keys name; nil for no keys (no filter).
func (d *dict) set(keys []string) []bool {
	if len(keys) == 0 {
		return nil
	}
	s := make([]bool, len(d.keys))
	for _, k := range keys {
		if i, ok := d.ids[k]; ok {
			s[i] = true
		}
	}
	return s
}

type ixProduct struct {
	id         ixID  // the product id as numbers, for the tie-break of every sort
	status     uint8 // statusCode; 0 for a free slot
	cat, brand int32
	vFrom, vTo int32 // its variants not archived: vars[vFrom:vTo]
	created    int64 // Unix microseconds, the newest sort key
	minPrice   int64
}

// ixID is a UUID's 16 bytes as two numbers. Their order is the order of
// the canonical lower-case strings the store sorts by, and comparing them
// costs nothing next to comparing 36-byte strings for every candidate.
type ixID struct{ hi, lo uint64 }

func parseIXID(s string) (ixID, bool) {
	u, err := uuid.Parse(s)
	if err != nil || len(s) != 36 || strings.ToLower(s) != s {
		return ixID{}, false
	}
	return ixID{binary.BigEndian.Uint64(u[:8]), binary.BigEndian.Uint64(u[8:])}, true
}

func (a ixID) cmp(b ixID) int {
	switch {
	case a.hi != b.hi:
		return cmp.Compare(a.hi, b.hi)
	default:
		return cmp.Compare(a.lo, b.lo)
	}
}

// statusCode packs a status into a byte: string compares in the loop over
// every product cost more than the rest of the filter.
func statusCode(s Status) uint8 {
	switch s {
	case StatusDraft:
		return 1
	case StatusActive:
		return 2
	case StatusArchived:
		return 3
	}
	return 4
}

// ixVariant is 16 bytes: a listing reads every one of them, and at 100,000
// products that is memory bandwidth, not arithmetic.
type ixVariant struct {
	price int64
	color int32
	size  int32 // the size id shifted left once; the low bit says in stock
}

func (v *ixVariant) sizeID() int32 { return v.size >> 1 }
func (v *ixVariant) inStock() bool { return v.size&1 == 1 }

type posting struct {
	slot   int32
	weight int32
}

func newIndex() *index {
	return &index{byID: map[string]int32{}}
}

// put adds or replaces a product.
func (ix *index) put(p Product, collectionIDs []string, terms []IndexTerm) {
	ix.mu.Lock()
	defer ix.mu.Unlock()
	slot, ok := ix.byID[p.ID]
	if ok {
		ix.dropPostings(slot)
		ix.deadVars += int(ix.slots[slot].vTo - ix.slots[slot].vFrom)
	} else {
		slot = int32(len(ix.slots))
		ix.slots = append(ix.slots, ixProduct{})
		ix.sums = append(ix.sums, ProductSummary{})
		ix.tokens = append(ix.tokens, nil)
		ix.members = append(ix.members, nil)
		ix.byID[p.ID] = slot
	}
	sum := summarise(p)
	id, _ := parseIXID(p.ID) // ids are canonical UUIDs: Core makes them so
	x := ixProduct{id: id, status: statusCode(p.Status), created: p.CreatedAt.UnixMicro(), minPrice: sum.Price.Amount,
		cat: ix.cats.id(p.Category.ID, ""), brand: ix.brands.id(Key(p.Brand), p.Brand)}
	var members []int32
	for _, cid := range collectionIDs {
		members = append(members, ix.colls.id(cid, ""))
	}
	x.vFrom = int32(len(ix.vars))
	for _, v := range p.Variants {
		if v.Archived {
			continue
		}
		size := ix.sizes.id(Key(v.Size), v.Size) << 1
		if v.InStock {
			size |= 1
		}
		ix.vars = append(ix.vars, ixVariant{price: v.Price.Amount, color: ix.colors.id(Key(v.Color), v.Color), size: size})
	}
	x.vTo = int32(len(ix.vars))
	toks := make([]int32, len(terms))
	for i, t := range terms {
		w := ix.words.id(t.Token, "")
		if int(w) == len(ix.postings) {
			ix.postings = append(ix.postings, nil)
		}
		toks[i] = w
		ix.postings[w] = append(ix.postings[w], posting{slot: slot, weight: int32(t.Weight)})
	}
	ix.slots[slot], ix.sums[slot], ix.tokens[slot], ix.members[slot] = x, sum, toks, members
	if ix.deadVars > 4096 && ix.deadVars > len(ix.vars)/2 {
		ix.compact()
	}
}

// compact drops the variants of replaced versions from vars.
func (ix *index) compact() {
	vars := make([]ixVariant, 0, len(ix.vars)-ix.deadVars)
	for i := range ix.slots {
		x := &ix.slots[i]
		from := int32(len(vars))
		vars = append(vars, ix.vars[x.vFrom:x.vTo]...)
		x.vFrom, x.vTo = from, int32(len(vars))
	}
	ix.vars, ix.deadVars = vars, 0
}

func (ix *index) dropPostings(slot int32) {
	for _, tok := range ix.tokens[slot] {
		ps := ix.postings[tok]
		for i := range ps {
			if ps[i].slot == slot {
				ps[i] = ps[len(ps)-1]
				ix.postings[tok] = ps[:len(ps)-1]
				break
			}
		}
	}
}

// summarise is a product as a listing shows it, computed as the store's
// listing computes it: the lowest price among variants on sale, the
// compare-at price of the first cheapest one, colours and sizes in variant
// order.
func summarise(p Product) ProductSummary {
	s := ProductSummary{ID: p.ID, Slug: p.Slug, Title: p.Title, Brand: p.Brand, Category: p.Category.ID, Status: p.Status,
		Colors: []string{}, Sizes: []string{}}
	if len(p.Images) > 0 {
		im := p.Images[0]
		s.Image = &im
	}
	first := true
	for _, v := range p.Variants {
		if s.Price.Currency == "" {
			s.Price.Currency = v.Price.Currency
		}
		if v.Archived {
			continue
		}
		s.InStock = s.InStock || v.InStock
		if first || v.Price.Amount < s.Price.Amount {
			s.Price.Amount = v.Price.Amount
			s.CompareAt = nil
			if v.CompareAt != nil {
				c := *v.CompareAt
				c.Currency = s.Price.Currency
				s.CompareAt = &c
			}
		}
		first = false
		if v.Color != "" && !contains(s.Colors, v.Color) {
			s.Colors = append(s.Colors, v.Color)
		}
		if v.Size != "" && !contains(s.Sizes, v.Size) {
			s.Sizes = append(s.Sizes, v.Size)
		}
	}
	return s
}

func contains[T comparable](s []T, v T) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}

// size is the number of products indexed.
func (ix *index) size() int {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	return len(ix.slots)
}
