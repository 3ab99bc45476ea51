package catalog

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

const (
	maxSlug        = 100
	maxTitle       = 200
	maxDescription = 10000
	maxBrand       = 100
	maxAttributes  = 30
	maxAttrValue   = 200
	maxImages      = 20
	maxURL         = 2048
	maxAlt         = 300
	maxVariants    = 100
	maxSize        = 20
	maxColor       = 40
	maxWeight      = 1_000_000      // grams: a tonne
	maxPrice       = 100_000_000_00 // minor units: a crore of rupees
	maxName        = 100
	maxPriceBatch  = 1000
	maxMembers     = 5000
)

var (
	slugRE = regexp.MustCompile(`^[a-z0-9]+(?:-[a-z0-9]+)*$`)
	skuRE  = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$`)
	attrRE = regexp.MustCompile(`^[a-z][a-z0-9_]{0,39}$`)
)

func validSlug(field, s string) error {
	if len(s) > maxSlug || !slugRE.MatchString(s) {
		return invalidField(ErrInvalidSlug, field, fmt.Sprintf("%q is not a valid slug", clip(s)))
	}
	return nil
}

// normSKU checks a SKU and returns it in upper case: SKUs are printed on
// labels and typed by people, so case must not make two of them.
func normSKU(field, s string) (string, error) {
	s = strings.TrimSpace(s)
	if !skuRE.MatchString(s) {
		return "", invalidField(ErrInvalidSKU, field, fmt.Sprintf("%q is not a valid SKU", clip(s)))
	}
	return strings.ToUpper(s), nil
}

// text trims s and checks its length in characters.
func text(field, s string, minLen, maxLen int) (string, error) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return "", invalidField(ErrInvalidProduct, field, "must be valid UTF-8")
	}
	n := utf8.RuneCountInString(s)
	if n < minLen {
		return "", invalidField(ErrInvalidProduct, field, "is required")
	}
	if n > maxLen {
		return "", invalidField(ErrInvalidProduct, field, fmt.Sprintf("must be at most %d characters", maxLen))
	}
	return s, nil
}

func (c *Core) checkPrice(field string, p money.Money) error {
	if p.Currency == "" {
		return invalidField(ErrInvalidPrice, field, "price is required")
	}
	if p.Currency != c.opts.Currency {
		return invalidField(ErrCurrency, field, fmt.Sprintf("prices must be in %s, not %q", c.opts.Currency, clip(p.Currency)))
	}
	if p.Amount < 0 {
		return invalidField(ErrInvalidPrice, field, "a price must not be negative")
	}
	if p.Amount > maxPrice {
		return invalidField(ErrInvalidPrice, field, "the price is too large")
	}
	return nil
}

func (c *Core) checkPrices(field string, price money.Money, compareAt *money.Money) error {
	if err := c.checkPrice(field+"/price", price); err != nil {
		return err
	}
	if compareAt == nil {
		return nil
	}
	if err := c.checkPrice(field+"/compare_at_price", *compareAt); err != nil {
		return err
	}
	if compareAt.Amount < price.Amount {
		return invalidField(ErrInvalidCompareAt, field+"/compare_at_price", "the compare-at price must be at least the price")
	}
	return nil
}

func checkAttributes(attrs map[string]string) (map[string]string, error) {
	if len(attrs) > maxAttributes {
		return nil, invalidField(ErrInvalidProduct, "attributes", fmt.Sprintf("at most %d attributes", maxAttributes))
	}
	out := make(map[string]string, len(attrs))
	for k, v := range attrs {
		if !attrRE.MatchString(k) {
			return nil, invalidField(ErrInvalidProduct, "attributes/"+clip(k), "an attribute name is lower-case letters, digits and _")
		}
		v, err := text("attributes/"+k, v, 1, maxAttrValue)
		if err != nil {
			return nil, err
		}
		out[k] = v
	}
	return out, nil
}

func checkImages(imgs []Image, title string) ([]Image, error) {
	if len(imgs) > maxImages {
		return nil, invalidField(ErrInvalidImage, "images", fmt.Sprintf("at most %d images", maxImages))
	}
	out := make([]Image, 0, len(imgs))
	for i, im := range imgs {
		field := fmt.Sprintf("images/%d", i)
		u := strings.TrimSpace(im.URL)
		ok := strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") || strings.HasPrefix(u, "/media/")
		if !ok || len(u) > maxURL || strings.ContainsAny(u, " \t\r\n\"<>") {
			return nil, invalidField(ErrInvalidImage, field+"/url", "an image needs an http(s) or /media/ URL")
		}
		alt, err := text(field+"/alt", im.Alt, 0, maxAlt)
		if err != nil {
			return nil, err
		}
		if alt == "" {
			alt = title // every image gets alt text for screen readers
		}
		out = append(out, Image{URL: u, Alt: alt})
	}
	return out, nil
}

// variant checks a new variant and builds it.
func (c *Core) variant(field string, in NewVariant) (Variant, error) {
	sku, err := normSKU(field+"/sku", in.SKU)
	if err != nil {
		return Variant{}, err
	}
	size, err := text(field+"/size", in.Size, 0, maxSize)
	if err != nil {
		return Variant{}, err
	}
	color, err := text(field+"/color", in.Color, 0, maxColor)
	if err != nil {
		return Variant{}, err
	}
	if err := c.checkPrices(field, in.Price, in.CompareAt); err != nil {
		return Variant{}, err
	}
	if in.WeightGrams < 0 || in.WeightGrams > maxWeight {
		return Variant{}, invalidField(ErrInvalidProduct, field+"/weight_grams", "the weight must be between 0 and 1,000,000 grams")
	}
	inStock := in.InStock == nil || *in.InStock
	return Variant{ID: c.newID(), SKU: sku, Size: size, Color: color, Price: in.Price,
		CompareAt: in.CompareAt, WeightGrams: in.WeightGrams, InStock: inStock}, nil
}

// checkSKUsUnique refuses a SKU that appears twice among vs.
func checkSKUsUnique(vs []Variant) error {
	seen := map[string]bool{}
	for i, v := range vs {
		if seen[v.SKU] {
			return invalidField(ErrDuplicateSKU, fmt.Sprintf("variants/%d/sku", i), fmt.Sprintf("SKU %s appears twice", v.SKU))
		}
		seen[v.SKU] = true
	}
	return nil
}

// activatable reports why p cannot be active, or nil.
func activatable(p Product) error {
	if p.Title == "" || p.Category.ID == "" {
		return ErrNotActivatable
	}
	for _, v := range p.Variants {
		if !v.Archived {
			return nil
		}
	}
	return ErrNotActivatable.With("an active product needs at least one variant that is not archived")
}

// transition checks a status change. An archived product comes back through
// draft, so it is reviewed before it is sold again.
func transition(from, to Status) error {
	switch to {
	case StatusDraft, StatusActive, StatusArchived:
	default:
		return invalidField(ErrInvalidProduct, "status", fmt.Sprintf("%q is not a status", clip(string(to))))
	}
	if from == to || from == "" {
		return nil
	}
	if from == StatusArchived && to == StatusActive {
		return ErrStatusTransition.With("an archived product must go back to draft before it is active again")
	}
	return nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40] + "…"
	}
	return s
}

// asCodeErr returns err as an *errs.Error, or nil.
func asCodeErr(err error) *errs.Error {
	var e *errs.Error
	if errors.As(err, &e) {
		return e
	}
	return nil
}
