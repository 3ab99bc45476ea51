package catalog

import (
	"sort"
	"sync"
)

// scratch is a query's working memory, reused across queries: clearing
// what one query touched is cheaper than allocating for every product.
type scratch struct {
	score   []int32 // summed best score per word
	words   []int32 // words matched
	best    []int32 // best score for the current word
	stamp   []int32 // word+1 that set best
	touched []int32
	all     []int32
}

var scratchPool = sync.Pool{New: func() any { return &scratch{} }}

func (s *scratch) grow(n int) {
	if len(s.score) < n {
		s.score, s.words = make([]int32, n), make([]int32, n)
		s.best, s.stamp = make([]int32, n), make([]int32, n)
	}
}

func (s *scratch) reset() {
	for _, slot := range s.all {
		s.score[slot], s.words[slot], s.best[slot], s.stamp[slot] = 0, 0, 0, 0
	}
	s.all, s.touched = s.all[:0], s.touched[:0]
}

// query answers q: up to q.Limit products in order after q.After, the
// facet counts and the number of matches.
func (ix *index) query(q Query) ([]Listed, FacetCounts, int) {
	ix.mu.RLock()
	defer ix.mu.RUnlock()
	sc := scratchPool.Get().(*scratch)
	defer func() { sc.reset(); scratchPool.Put(sc) }()
	sc.grow(len(ix.slots))

	e := ix.evaluator(q)
	if len(q.Terms) > 0 {
		matched := ix.score(q, sc)
		if len(matched) < len(ix.slots)/16 {
			for _, slot := range matched {
				e.eval(slot, sc.score[slot])
			}
		} else {
			// Many matches: visit them in slot order, reading memory in
			// sequence rather than at random.
			words := int32(q.Words)
			for slot, n := range sc.words[:len(ix.slots)] {
				if n == words {
					e.eval(int32(slot), sc.score[slot])
				}
			}
		}
	} else {
		for slot := range ix.slots {
			e.eval(int32(slot), 0)
		}
	}
	return e.page(), e.counts(), e.total
}

// score sums, per product, the best weight × quality of each query word and
// returns the products that match every word.
func (ix *index) score(q Query, sc *scratch) []int32 {
	var matched []int32
	t := 0
	for w := int32(0); w < int32(q.Words); w++ {
		sc.touched = sc.touched[:0]
		for ; t < len(q.Terms) && q.Terms[t].Word == int(w); t++ {
			quality := int32(q.Terms[t].Quality)
			tok, ok := ix.words.ids[q.Terms[t].Token]
			if !ok {
				continue
			}
			for _, p := range ix.postings[tok] {
				v := p.weight * quality
				switch {
				case sc.stamp[p.slot] != w+1:
					if sc.stamp[p.slot] == 0 {
						sc.all = append(sc.all, p.slot)
					}
					sc.stamp[p.slot], sc.best[p.slot] = w+1, v
					sc.touched = append(sc.touched, p.slot)
				case v > sc.best[p.slot]:
					sc.best[p.slot] = v
				}
			}
		}
		for _, slot := range sc.touched {
			sc.score[slot] += sc.best[slot]
			sc.words[slot]++
			if sc.words[slot] == int32(q.Words) {
				matched = append(matched, slot)
			}
		}
	}
	return matched
}

// evaluator filters products one by one, counting facets as it goes.
type evaluator struct {
	ix                  *index
	q                   Query
	status              uint8
	cat, brand          []bool // nil: no filter
	color, size         []bool
	coll                int32 // -1: no filter; -2: an unknown collection
	variantFilter       bool
	catN, brandN        []int32
	colorN, sizeN       []int32
	colorSeen, sizeSeen []int32 // slot+1 that counted a value, per value
	priceN              []int
	total               int
	top                 []ranked // the page so far, in order
	after               *ranked  // the cursor, nil on the first page
	desc                bool
	keyed               func(p *ixProduct, score int32) int64
}

func (ix *index) evaluator(q Query) *evaluator {
	e := &evaluator{ix: ix, q: q, status: statusCode(q.Status), coll: -1,
		cat: ix.cats.set(q.CategoryIDs), brand: ix.brands.set(q.Brands),
		color: ix.colors.set(q.Colors), size: ix.sizes.set(q.Sizes),
		catN: make([]int32, len(ix.cats.keys)), brandN: make([]int32, len(ix.brands.keys)),
		colorN: make([]int32, len(ix.colors.keys)), sizeN: make([]int32, len(ix.sizes.keys)),
		colorSeen: make([]int32, len(ix.colors.keys)), sizeSeen: make([]int32, len(ix.sizes.keys)),
		priceN: make([]int, len(q.PriceBuckets)),
	}
	if q.Status == "" {
		e.status = statusCode(StatusActive)
	}
	if q.CollectionID != "" {
		e.coll = -2
		if i, ok := ix.colls.ids[q.CollectionID]; ok {
			e.coll = i
		}
	}
	if q.After != nil {
		id, ok := parseIXID(q.After.ID)
		if !ok { // not an id of ours: nothing sorts after it
			id = ixID{^uint64(0), ^uint64(0)}
		}
		e.after = &ranked{key: q.After.Key, id: id}
	}
	e.variantFilter = len(q.Colors) > 0 || len(q.Sizes) > 0 || q.PriceMin != nil || q.PriceMax != nil || q.InStock
	switch {
	case q.Sort == SortPriceAsc:
		e.keyed = func(p *ixProduct, _ int32) int64 { return p.minPrice }
	case q.Sort == SortPriceDesc:
		e.keyed, e.desc = func(p *ixProduct, _ int32) int64 { return p.minPrice }, true
	case q.Sort == SortRelevance && len(q.Terms) > 0:
		e.keyed, e.desc = func(_ *ixProduct, score int32) int64 { return int64(score) }, true
	default:
		e.keyed, e.desc = func(p *ixProduct, _ int32) int64 { return p.created }, true
	}
	return e
}

func (e *evaluator) eval(slot int32, score int32) {
	p := &e.ix.slots[slot]
	if p.status != e.status {
		return
	}
	if e.coll != -1 && !contains(e.ix.members[slot], e.coll) {
		return
	}
	catOK := e.cat == nil || e.cat[p.cat]
	brandOK := e.brand == nil || e.brand[p.brand]
	all := !e.variantFilter // without variant filters no variant is needed
	facets := catOK && brandOK
	var buckets uint64 // price buckets this product counts in, as bits
	bounds := e.q.PriceBuckets
	for i := p.vFrom; i < p.vTo && (facets || !all); i++ {
		v := &e.ix.vars[i]
		size := v.sizeID()
		c := e.color == nil || e.color[v.color]
		s := e.size == nil || e.size[size]
		pr := (e.q.PriceMin == nil || v.price >= *e.q.PriceMin) && (e.q.PriceMax == nil || v.price < *e.q.PriceMax)
		st := !e.q.InStock || v.inStock()
		if c && s && pr && st {
			all = true
		}
		if !facets {
			continue
		}
		if s && pr && st && e.colorSeen[v.color] != slot+1 {
			e.colorSeen[v.color] = slot + 1
			e.colorN[v.color]++
		}
		if c && pr && st && e.sizeSeen[size] != slot+1 {
			e.sizeSeen[size] = slot + 1
			e.sizeN[size]++
		}
		if c && s && st && len(bounds) > 0 {
			b := 0 // as the store's CASE: the last bucket whose lower bound is <= price
			for b+1 < len(bounds) && v.price >= bounds[b+1] {
				b++
			}
			buckets |= 1 << b
		}
	}
	for b := 0; buckets != 0; b++ {
		if buckets&1 != 0 {
			e.priceN[b]++
		}
		buckets >>= 1
	}
	if !all {
		return
	}
	if brandOK {
		e.catN[p.cat]++
	}
	if catOK {
		e.brandN[p.brand]++
	}
	if catOK && brandOK {
		e.total++
		e.offer(slot, e.keyed(p, score))
	}
}

// ranked is a product on the page with its sort key.
type ranked struct {
	key  int64
	id   ixID
	slot int32
}

// before reports whether a comes before b in the listing's order.
func (e *evaluator) before(a, b ranked) bool {
	if a.key != b.key {
		return (a.key > b.key) == e.desc
	}
	c := a.id.cmp(b.id)
	return c != 0 && (c > 0) == e.desc
}

// offer keeps the product in slot if it belongs on the page: after the
// cursor and among the first Limit.
func (e *evaluator) offer(slot int32, key int64) {
	r := ranked{key: key, id: e.ix.slots[slot].id, slot: slot}
	if e.after != nil && !e.before(*e.after, r) {
		return
	}
	limit := e.q.Limit
	if limit <= 0 {
		limit = 25
	}
	n := len(e.top)
	if n == limit && !e.before(r, e.top[n-1]) {
		return
	}
	i := sort.Search(n, func(i int) bool { return e.before(r, e.top[i]) })
	if n < limit {
		e.top = append(e.top, ranked{})
	}
	copy(e.top[i+1:], e.top[i:])
	e.top[i] = r
}

func (e *evaluator) page() []Listed {
	out := make([]Listed, len(e.top))
	for i, r := range e.top {
		out[i] = Listed{ProductSummary: e.ix.sums[r.slot], Key: r.key}
	}
	return out
}

func (e *evaluator) counts() FacetCounts {
	out := func(d *dict, n []int32, labels bool) []KeyCount {
		var kcs []KeyCount
		for i, c := range n {
			if c > 0 {
				kc := KeyCount{Key: d.keys[i], Count: int(c)}
				if labels {
					kc.Label = d.labels[i]
				}
				kcs = append(kcs, kc)
			}
		}
		return kcs
	}
	return FacetCounts{
		Category: out(&e.ix.cats, e.catN, false),
		Brand:    out(&e.ix.brands, e.brandN, true),
		Color:    out(&e.ix.colors, e.colorN, true),
		Size:     out(&e.ix.sizes, e.sizeN, true),
		Price:    e.priceN,
	}
}
