package catalog

import (
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/unicode/norm"
)

// fold maps letters that do not decompose into a base letter and a mark.
var fold = map[rune]string{
	'ß': "ss", 'æ': "ae", 'œ': "oe", 'ø': "o", 'đ': "d", 'ð': "d", 'ł': "l", 'ı': "i", 'þ': "th",
}

// words splits s into lower-case words without diacritics: "Crêpe-de-Chine
// KURTAs" gives crepe, de, chine, kurtas. Letters of other scripts are kept
// as they are (minus their combining marks).
func words(s string) []string {
	var out []string
	var b strings.Builder
	flush := func() {
		if b.Len() > 0 {
			out = append(out, b.String())
			b.Reset()
		}
	}
	for _, r := range norm.NFD.String(s) {
		switch {
		case unicode.Is(unicode.Mn, r):
			// a combining mark: the accent of the previous letter
		case unicode.IsLetter(r) || unicode.IsDigit(r):
			r = unicode.ToLower(r)
			if f, ok := fold[r]; ok {
				b.WriteString(f)
			} else {
				b.WriteRune(r)
			}
		default:
			flush()
		}
	}
	flush()
	return out
}

// Key normalises a facet value or filter value: "Navy Blue" and "navy-blue"
// both give "navy-blue", "Bībā" gives "biba".
func Key(s string) string { return strings.Join(words(s), "-") }

// Slugify makes a URL slug of s, cut at a word boundary to fit 100 bytes.
func Slugify(s string) string {
	k := Key(s)
	for len(k) > maxSlug {
		i := strings.LastIndexByte(k[:maxSlug], '-')
		if i <= 0 {
			k = k[:maxSlug]
			break
		}
		k = k[:i]
	}
	return k
}

// stopWords carry no meaning in a product search and occur in nearly every
// description; they are neither indexed nor searched for.
var stopWords = map[string]bool{
	"a": true, "an": true, "and": true, "the": true, "of": true, "in": true, "on": true, "for": true,
	"with": true, "to": true, "at": true, "by": true, "or": true, "is": true, "it": true, "its": true,
	"this": true, "that": true, "from": true, "as": true, "are": true, "be": true, "your": true,
}

// tokens are the index forms of the words of s: normalised, singular, stop
// words and single letters dropped.
func tokens(s string) []string {
	ws := words(s)
	out := ws[:0]
	for _, w := range ws {
		if stopWords[w] || (utf8.RuneCountInString(w) < 2 && !isDigits(w)) {
			continue
		}
		out = append(out, stem(w))
	}
	return out
}

// stem reduces an English plural to its singular, well enough that the
// query and the index agree: kurtas→kurta, dresses→dress, accessories→
// accessory, sarees→saree, kurtis→kurti. Both sides go through it, so a rule
// that maps a word oddly ("canvas"→"canva") still matches itself.
func stem(w string) string {
	if len(w) <= 3 || isDigits(w) {
		return w
	}
	switch {
	case strings.HasSuffix(w, "ies") && len(w) > 4:
		return w[:len(w)-3] + "y"
	case strings.HasSuffix(w, "sses"), strings.HasSuffix(w, "xes"), strings.HasSuffix(w, "zes"),
		strings.HasSuffix(w, "ches"), strings.HasSuffix(w, "shes"):
		return w[:len(w)-2]
	case strings.HasSuffix(w, "ss"), strings.HasSuffix(w, "us"):
		return w
	case strings.HasSuffix(w, "s"):
		return w[:len(w)-1]
	}
	return w
}

func isDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return s != ""
}

// maxEdits is the typo tolerance for a word of n letters: none up to 3,
// one from 4 to 7, two from 8.
func maxEdits(n int) int {
	switch {
	case n >= 8:
		return 2
	case n >= 4:
		return 1
	}
	return 0
}

// editDistance is the optimal string alignment distance between a and b
// (insertions, deletions, substitutions and swaps of neighbours each count
// one), or max+1 when it is more than max.
func editDistance(a, b []rune, max int) int {
	if d := len(a) - len(b); d > max || -d > max {
		return max + 1
	}
	// Three rows suffice for OSA: the swap looks two rows back.
	prev2 := make([]int, len(b)+1)
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		best := cur[0]
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			v := min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
			if i > 1 && j > 1 && a[i-1] == b[j-2] && a[i-2] == b[j-1] {
				v = min(v, prev2[j-2]+1)
			}
			cur[j] = v
			best = min(best, v)
		}
		if best > max {
			return max + 1
		}
		prev2, prev, cur = prev, cur, prev2
	}
	if prev[len(b)] > max {
		return max + 1
	}
	return prev[len(b)]
}
