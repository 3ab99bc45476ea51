package catalog

import (
	"slices"
	"sort"
	"strings"
	"unicode/utf8"
)

// Search works the same on every store by construction: products are
// indexed as (token, product, weight) rows; a query is expanded here, in Go,
// against the vocabulary of indexed tokens (exact, typo and prefix matches,
// each with a quality); the store then sums weight × quality per product in
// plain SQL. No engine-specific text search is involved.

// Field weights: a match in the title counts most, then the brand and the
// category, then colours and attributes, then the description.
const (
	weightTitle       = 8
	weightBrand       = 5
	weightCategory    = 5
	weightAttribute   = 3
	weightDescription = 1
)

// Match qualities: an exact (or singular/plural) match beats a completed
// prefix, which beats a typo.
const (
	qualityExact  = 4
	qualityPrefix = 3
	qualityTypo1  = 2
	qualityTypo2  = 1
)

const (
	maxQueryWords = 8
	maxPrefixHits = 50
	minPrefixLen  = 2
)

// IndexTerms returns a product's search terms; categoryPath names its
// category and the category's ancestors. Bulk loaders use it to index
// what they write behind Core's back.
func IndexTerms(p Product, categoryPath []string) []IndexTerm {
	best := map[string]int{}
	add := func(text string, w int) {
		for _, t := range tokens(text) {
			if best[t] < w {
				best[t] = w
			}
		}
	}
	add(p.Title, weightTitle)
	add(p.Brand, weightBrand)
	for _, name := range categoryPath {
		add(name, weightCategory)
	}
	for _, v := range p.Variants {
		if !v.Archived {
			add(v.Color, weightAttribute)
		}
	}
	for _, v := range p.Attributes {
		add(v, weightAttribute)
	}
	add(p.Description, weightDescription)
	out := make([]IndexTerm, 0, len(best))
	for t, w := range best {
		out = append(out, IndexTerm{Token: t, Weight: w})
	}
	slices.SortFunc(out, func(a, b IndexTerm) int { return strings.Compare(a.Token, b.Token) })
	return out
}

// vocabulary is the set of indexed tokens, arranged for typo and prefix
// lookups.
type vocabulary struct {
	sorted []string            // for prefix search
	byLen  map[int][]vocabWord // rune length → words, for typo search
}

type vocabWord struct {
	s string
	r []rune
}

func newVocabulary(toks []string) *vocabulary {
	v := &vocabulary{sorted: slices.Clone(toks), byLen: map[int][]vocabWord{}}
	slices.Sort(v.sorted)
	v.sorted = slices.Compact(v.sorted)
	for _, t := range v.sorted {
		r := []rune(t)
		v.byLen[len(r)] = append(v.byLen[len(r)], vocabWord{t, r})
	}
	return v
}

// expand turns a query into index terms: for each word, its singular form,
// the indexed tokens within its typo tolerance and, for the last word while
// it is being typed (no trailing space), the indexed tokens it begins. It
// returns the number of words every result must match.
func (v *vocabulary) expand(q string) ([]Term, int) {
	ws := words(q)
	typing := q != "" && !endsInSeparator(q)
	var terms []Term
	n := 0
	for i, w := range ws {
		last := i == len(ws)-1 && typing
		short := utf8.RuneCountInString(w) < 2 && !isDigits(w)
		if (stopWords[w] || short) && !last {
			continue
		}
		if n == maxQueryWords {
			break
		}
		word := v.expandWord(w, last)
		if len(word) == 0 {
			continue // a stop word or a letter being typed that completes nothing
		}
		for t, quality := range word {
			terms = append(terms, Term{Token: t, Word: n, Quality: quality})
		}
		n++
	}
	slices.SortFunc(terms, func(a, b Term) int {
		if a.Word != b.Word {
			return a.Word - b.Word
		}
		return strings.Compare(a.Token, b.Token)
	})
	return terms, n
}

func (v *vocabulary) expandWord(w string, last bool) map[string]int {
	out := map[string]int{}
	put := func(t string, q int) {
		if out[t] < q {
			out[t] = q
		}
	}
	full := !stopWords[w] && (utf8.RuneCountInString(w) >= 2 || isDigits(w))
	if full {
		s := stem(w)
		put(s, qualityExact)
		if k := maxEdits(utf8.RuneCountInString(w)); k > 0 {
			sr := []rune(s)
			for l := len(sr) - k; l <= len(sr)+k; l++ {
				for _, c := range v.byLen[l] {
					switch d := editDistance(sr, c.r, k); {
					case d > k:
					case d == 1:
						put(c.s, qualityTypo1)
					case d == 2:
						put(c.s, qualityTypo2)
					}
				}
			}
		}
	}
	if last && utf8.RuneCountInString(w) >= minPrefixLen {
		for _, t := range v.prefixed(w) {
			put(t, qualityPrefix)
		}
	}
	return out
}

// prefixed returns the shortest maxPrefixHits tokens that start with p.
func (v *vocabulary) prefixed(p string) []string {
	i := sort.SearchStrings(v.sorted, p)
	var hits []string
	for ; i < len(v.sorted) && strings.HasPrefix(v.sorted[i], p); i++ {
		hits = append(hits, v.sorted[i])
	}
	if len(hits) > maxPrefixHits {
		slices.SortStableFunc(hits, func(a, b string) int { return len(a) - len(b) })
		hits = hits[:maxPrefixHits]
	}
	return hits
}

func endsInSeparator(q string) bool {
	r, _ := utf8.DecodeLastRuneInString(q)
	ws := words(string(r))
	return len(ws) == 0
}

// matchesWords reports whether every query word matches some word of name:
// a prefix for the word being typed, otherwise equal up to a typo. It ranks
// categories and brands for suggestions without the index.
func matchesWords(query []string, typing bool, name string) bool {
	nws := words(name)
	for i, qw := range query {
		last := i == len(query)-1 && typing
		ok := false
		for _, nw := range nws {
			if last && strings.HasPrefix(nw, qw) || stem(nw) == stem(qw) ||
				editDistance([]rune(stem(qw)), []rune(stem(nw)), maxEdits(utf8.RuneCountInString(qw))) <= maxEdits(utf8.RuneCountInString(qw)) {
				ok = true
				break
			}
		}
		if !ok {
			return false
		}
	}
	return true
}
