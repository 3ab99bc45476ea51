package catalog

import (
	"slices"
	"strings"
	"testing"
)

func TestWordsAndKeys(t *testing.T) {
	for _, c := range []struct{ in, key string }{
		{"Navy Blue", "navy-blue"},
		{"  navy--blue ", "navy-blue"},
		{"Crêpe-de-Chine", "crepe-de-chine"},
		{"Bībā", "biba"},
		{"Straße", "strasse"},
		{"Levi's", "levi-s"},
		{"XXL", "xxl"},
		{"28", "28"},
		{"₹ & --", ""},
	} {
		if got := Key(c.in); got != c.key {
			t.Errorf("Key(%q) = %q, want %q", c.in, got, c.key)
		}
	}
	if got := Slugify(strings.Repeat("long word ", 30)); len(got) > maxSlug || strings.HasSuffix(got, "-") || validSlug("", got) != nil {
		t.Errorf("Slugify of a long title = %q", got)
	}
}

func TestStem(t *testing.T) {
	for in, want := range map[string]string{
		"kurtas": "kurta", "kurtis": "kurti", "dresses": "dress", "dress": "dress", "sarees": "saree",
		"accessories": "accessory", "watches": "watch", "boxes": "box", "shoes": "shoe", "jeans": "jean",
		"heels": "heel", "status": "status", "bus": "bus", "top": "top", "tops": "top",
	} {
		if got := stem(in); got != want {
			t.Errorf("stem(%q) = %q, want %q", in, got, want)
		}
		if got := stem(stem(in)); got != stem(in) && in != "accessories" {
			t.Errorf("stem is not stable on %q: %q then %q", in, stem(in), got)
		}
	}
}

func TestEditDistance(t *testing.T) {
	for _, c := range []struct {
		a, b string
		max  int
		want int
	}{
		{"kurta", "kurta", 1, 0},
		{"kutra", "kurta", 1, 1}, // a swap is one edit
		{"anarkli", "anarkali", 1, 1},
		{"pashmeena", "pashmina", 2, 2},
		{"ktra", "kurta", 1, 2}, // beyond max: max+1
		{"abc", "xyzxyz", 2, 3},
		{"", "ab", 2, 2},
	} {
		if got := editDistance([]rune(c.a), []rune(c.b), c.max); got != c.want {
			t.Errorf("editDistance(%q, %q, %d) = %d, want %d", c.a, c.b, c.max, got, c.want)
		}
	}
}

func TestExpand(t *testing.T) {
	v := newVocabulary([]string{"kurta", "kurti", "kurtaset", "lehenga", "red", "silk", "saree"})
	terms, n := v.expand("Red KUTRA lehe")
	if n != 3 {
		t.Fatalf("%d words, want 3", n)
	}
	got := map[string]int{}
	for _, term := range terms {
		got[term.Token+"/"+itoa(term.Word)] = term.Quality
	}
	want := map[string]int{"red/0": qualityExact, "kutra/1": qualityExact, "kurta/1": qualityTypo1, "lehe/2": qualityExact, "lehenga/2": qualityPrefix}
	for k, q := range want {
		if got[k] != q {
			t.Errorf("term %s quality %d, want %d (all %v)", k, got[k], q, got)
		}
	}
	if _, ok := got["kurti/1"]; ok {
		t.Errorf("kutra is two edits from kurti, yet it matched")
	}
	if _, n := v.expand("the a "); n != 0 {
		t.Errorf("stop words make %d words", n)
	}
}

func TestPageToken(t *testing.T) {
	cur := Cursor{Key: -42, ID: "0190e0a0-0000-7000-8000-000000000000"}
	tok := encodeToken("sig", cur)
	got, err := decodeToken(tok, "sig")
	if err != nil || got != cur {
		t.Fatalf("round trip: %+v, %v", got, err)
	}
	for _, bad := range []string{tok[:len(tok)-40], "!!", tok + "x", strings.Repeat("A", 300)} {
		if _, err := decodeToken(bad, "sig"); err == nil {
			t.Errorf("decodeToken(%q) accepted", bad)
		}
	}
	if _, err := decodeToken(tok, "other"); err == nil {
		t.Error("a token of another query was accepted")
	}
}

func TestIndexTermsKeepBestWeight(t *testing.T) {
	p := Product{Title: "Silk Kurta", Brand: "Silk Route", Description: "Pure silk and more silk.",
		Attributes: map[string]string{"fabric": "Silk"}, Variants: []Variant{{Color: "Red"}, {Color: "Blue", Archived: true}}}
	terms := IndexTerms(p, []string{"Women", "Kurtas"})
	got := map[string]int{}
	for _, term := range terms {
		got[term.Token] = term.Weight
	}
	want := map[string]int{"silk": weightTitle, "kurta": weightTitle, "route": weightBrand, "women": weightCategory,
		"red": weightAttribute, "pure": weightDescription, "more": weightDescription}
	for k, w := range want {
		if got[k] != w {
			t.Errorf("%s weight %d, want %d", k, got[k], w)
		}
	}
	if _, ok := got["blue"]; ok {
		t.Error("an archived variant's colour is indexed")
	}
	if !slices.IsSortedFunc(terms, func(a, b IndexTerm) int { return strings.Compare(a.Token, b.Token) }) {
		t.Error("terms are not in order")
	}
}

func itoa(n int) string { return string(rune('0' + n)) }
