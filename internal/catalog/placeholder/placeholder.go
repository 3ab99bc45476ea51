// Package placeholder draws the catalogue's stand-in product pictures: small
// SVGs made from their name, so demo data shows something sensible without
// fetching anything. A name is "<kind>-<colour>-<n>", e.g. "kurta-red-3".
package placeholder

import (
	"fmt"
	"hash/fnv"
	"regexp"
	"strings"
)

// Prefix is where the pictures are served.
const Prefix = "/media/placeholder/"

// URL returns the address of the picture of a kind of product in a colour;
// n tells apart pictures of the same kind and colour.
func URL(kind, color string, n int) string {
	return fmt.Sprintf("%s%s-%s-%d.svg", Prefix, slug(kind), slug(color), n)
}

var nameRE = regexp.MustCompile(`^([a-z]+)-([a-z-]+)-([0-9]{1,9})$`)

// SVG draws the picture called name (without ".svg"); ok is false for a
// name that is not a picture's.
func SVG(name string) (svg []byte, ok bool) {
	m := nameRE.FindStringSubmatch(name)
	if m == nil {
		return nil, false
	}
	kind, color := m[1], m[2]
	fill, ok := palette[color]
	if !ok {
		h := fnv.New32a()
		h.Write([]byte(color))
		fill = fmt.Sprintf("#%06x", h.Sum32()&0xffffff)
	}
	shape, ok := shapes[kind]
	if !ok {
		shape = shapes["default"]
	}
	label := strings.ToUpper(kind[:1]) + kind[1:]
	return []byte(fmt.Sprintf(`<svg xmlns="http://www.w3.org/2000/svg" width="600" height="800" viewBox="0 0 600 800" role="img" aria-label="%s in %s">`+
		`<rect width="600" height="800" fill="#f4f1ec"/>`+
		`<g fill="%s" stroke="#00000022" stroke-width="4">%s</g>`+
		`<text x="300" y="760" font-family="sans-serif" font-size="36" text-anchor="middle" fill="#555">%s</text></svg>`,
		label, strings.ReplaceAll(color, "-", " "), fill, shape, label)), true
}

func slug(s string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(s) {
		switch {
		case r >= 'a' && r <= 'z':
			b.WriteRune(r)
			dash = false
		case !dash && b.Len() > 0:
			b.WriteByte('-')
			dash = true
		}
	}
	out := strings.TrimRight(b.String(), "-")
	if out == "" {
		return "item"
	}
	return out
}

var palette = map[string]string{
	"red": "#c0392b", "maroon": "#7b1e2b", "pink": "#e8a0b4", "rani-pink": "#d6336c", "peach": "#f7b89b",
	"orange": "#e67e22", "mustard": "#d4a017", "yellow": "#f1c40f", "green": "#27ae60", "olive": "#708238",
	"mint": "#98d8c8", "teal": "#0f7c7c", "blue": "#2e86de", "navy": "#1f3a60", "navy-blue": "#1f3a60",
	"purple": "#8e44ad", "lavender": "#b8a9d9", "white": "#fdfdfd", "off-white": "#f5f0e6", "ivory": "#fffff0",
	"beige": "#d9c8a9", "brown": "#7b4a2d", "tan": "#c19a6b", "grey": "#95a5a6", "black": "#222222",
	"gold": "#c9a227", "silver": "#bfc1c2", "multicolour": "#e17055",
}

// shapes are rough silhouettes, enough to tell a saree from a bag.
var shapes = map[string]string{
	"kurta":   `<path d="M220 120 L380 120 L460 200 L420 240 L400 220 L400 640 L200 640 L200 220 L180 240 L140 200 Z"/>`,
	"saree":   `<path d="M230 100 L370 100 L420 680 L180 680 Z"/><path d="M370 100 L460 260 L420 300 Z"/>`,
	"dress":   `<path d="M250 110 L350 110 L370 260 L460 660 L140 660 L230 260 Z"/>`,
	"top":     `<path d="M210 180 L390 180 L470 260 L430 300 L400 280 L400 520 L200 520 L200 280 L170 300 L130 260 Z"/>`,
	"jeans":   `<path d="M220 120 L380 120 L400 680 L320 680 L300 300 L280 680 L200 680 Z"/>`,
	"shoe":    `<path d="M150 520 L300 520 L340 470 L450 540 L460 600 L150 600 Z"/>`,
	"bag":     `<rect x="170" y="300" width="260" height="300" rx="20"/><path d="M230 300 Q300 160 370 300" fill="none" stroke-width="16"/>`,
	"jewel":   `<circle cx="300" cy="380" r="120" fill="none" stroke-width="24"/><circle cx="300" cy="510" r="30"/>`,
	"default": `<rect x="180" y="180" width="240" height="420" rx="24"/>`,
}
