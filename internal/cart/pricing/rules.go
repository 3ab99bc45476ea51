package pricing

import (
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/india"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Rules are a region's tax and shipping tables. IndiaGST is the default;
// other regions configure their own.
type Rules struct {
	Currency string        `json:"currency"`
	Tax      TaxRules      `json:"tax"`
	Shipping ShippingRules `json:"shipping"`
}

// Tax schemes.
const (
	// SchemeGST splits tax into CGST + SGST (UTGST in a union territory
	// without a legislature) when the destination is in the origin's
	// region, and charges IGST when it is not.
	SchemeGST = "gst"
	// SchemeSingle charges one tax named TaxRules.Name everywhere (VAT).
	SchemeSingle = "single"
)

// TaxRules say which rate each item bears and how the tax is itemised.
type TaxRules struct {
	Scheme string `json:"scheme"`
	Name   string `json:"name,omitempty"` // SchemeSingle's tax name
	// Origin is the region the goods ship from (the warehouse's state).
	Origin  string   `json:"origin"`
	Regions []Region `json:"regions"`
	// Classes are the rate tables by tax class ("apparel", "footwear").
	Classes map[string]TaxClass `json:"classes"`
	// An item's class is its own TaxClass if it has one, else the class of
	// the longest HSN prefix in HSNClasses, else that of its nearest
	// category in CategoryClasses, else DefaultClass.
	DefaultClass    string            `json:"default_class"`
	HSNClasses      map[string]string `json:"hsn_classes,omitempty"`
	CategoryClasses map[string]string `json:"category_classes,omitempty"`
	// ShippingClass taxes the shipping charge; empty: shipping bears the
	// highest rate among the cart's lines (under GST delivery is part of a
	// composite supply and follows the goods).
	ShippingClass string `json:"shipping_class,omitempty"`
}

// Region is a state or territory; a destination names it by code, name or
// alias, in any case and spacing.
type Region struct {
	Code    string   `json:"code"`
	Name    string   `json:"name"`
	Aliases []string `json:"aliases,omitempty"`
	// UnionTerritory marks a territory without a legislature: within it,
	// GST's state part is UTGST.
	UnionTerritory bool `json:"union_territory,omitempty"`
}

// TaxClass is a rate table that changed over time.
type TaxClass struct {
	// Schedules in ascending From order; the latest whose From is not after
	// the pricing time applies (the first before any of them).
	Schedules []Schedule `json:"schedules"`
}

// Schedule is the rates of a class from a date on.
type Schedule struct {
	From  time.Time `json:"from"`
	Bands []Band    `json:"bands"`
}

// Band is a rate for items up to a value per piece. The value is the
// taxable value per piece (tax excluded, after discounts), as GST's
// "sale value not exceeding ₹2,500 per piece" means.
type Band struct {
	UpTo   int64 `json:"up_to,omitempty" doc:"Minor units per piece, inclusive; 0: no bound (the last band)."`
	RateBP int64 `json:"rate_bp"`
}

// ShippingRules price delivery by zone.
type ShippingRules struct {
	// Countries served (ISO 3166-1 alpha-2); empty: anywhere.
	Countries   []string `json:"countries"`
	Zones       []Zone   `json:"zones"`
	DefaultZone string   `json:"default_zone"`
}

// Zone is a delivery area: postal codes starting with any of its prefixes
// (the longest matching prefix over all zones wins).
type Zone struct {
	Name           string   `json:"name"`
	PostalPrefixes []string `json:"postal_prefixes,omitempty"`
	Fee            int64    `json:"fee" doc:"Minor units, tax-inclusive."`
	FreeOver       int64    `json:"free_over,omitempty" doc:"Goods worth this much after discounts ship free; 0: never."`
	COD            bool     `json:"cod"`
	CODMax         int64    `json:"cod_max,omitempty" doc:"Cash on delivery only up to this grand total; 0: no cap."`
}

// Validate reports a misconfigured table, for start-up.
func (r *Rules) Validate() error {
	if _, err := money.LookupCurrency(r.Currency); err != nil {
		return fmt.Errorf("pricing rules: %w", err)
	}
	t := r.Tax
	switch t.Scheme {
	case SchemeGST:
		if _, ok := r.Region(t.Origin); !ok {
			return fmt.Errorf("pricing rules: origin region %q is not in the region table", t.Origin)
		}
	case SchemeSingle:
		if t.Name == "" {
			return errors.New("pricing rules: a single tax needs a name")
		}
	default:
		return fmt.Errorf("pricing rules: unknown tax scheme %q", t.Scheme)
	}
	if _, ok := t.Classes[t.DefaultClass]; !ok {
		return fmt.Errorf("pricing rules: default tax class %q has no table", t.DefaultClass)
	}
	if t.ShippingClass != "" {
		if _, ok := t.Classes[t.ShippingClass]; !ok {
			return fmt.Errorf("pricing rules: shipping tax class %q has no table", t.ShippingClass)
		}
	}
	for _, m := range []map[string]string{t.HSNClasses, t.CategoryClasses} {
		for k, c := range m {
			if _, ok := t.Classes[c]; !ok {
				return fmt.Errorf("pricing rules: %q maps to tax class %q, which has no table", k, c)
			}
		}
	}
	for name, c := range t.Classes {
		if len(c.Schedules) == 0 {
			return fmt.Errorf("pricing rules: tax class %q has no schedule", name)
		}
		for i, s := range c.Schedules {
			if i > 0 && !s.From.After(c.Schedules[i-1].From) {
				return fmt.Errorf("pricing rules: tax class %q: schedules must be in ascending date order", name)
			}
			if len(s.Bands) == 0 || s.Bands[len(s.Bands)-1].UpTo != 0 {
				return fmt.Errorf("pricing rules: tax class %q: the last band must have no bound", name)
			}
			for j, b := range s.Bands {
				if b.RateBP < 0 || b.RateBP > money.BasisPoints {
					return fmt.Errorf("pricing rules: tax class %q: rate %d bp out of range", name, b.RateBP)
				}
				if j > 0 && j < len(s.Bands)-1 && b.UpTo <= s.Bands[j-1].UpTo {
					return fmt.Errorf("pricing rules: tax class %q: bands must ascend", name)
				}
				if j < len(s.Bands)-1 && b.UpTo <= 0 {
					return fmt.Errorf("pricing rules: tax class %q: only the last band is unbounded", name)
				}
			}
		}
	}
	sh := r.Shipping
	if len(sh.Zones) == 0 {
		return errors.New("pricing rules: no shipping zones")
	}
	if _, ok := sh.zone(sh.DefaultZone); !ok {
		return fmt.Errorf("pricing rules: default zone %q is not defined", sh.DefaultZone)
	}
	for _, z := range sh.Zones {
		if z.Fee < 0 || z.FreeOver < 0 || z.CODMax < 0 || z.Fee > MaxAmount {
			return fmt.Errorf("pricing rules: zone %q has a negative or huge amount", z.Name)
		}
	}
	return nil
}

// Region finds a region by code, name or alias.
func (r *Rules) Region(s string) (Region, bool) {
	// Stored addresses and the origin use the exact code or name: no
	// folding needed.
	for _, g := range r.Tax.Regions {
		if g.Code == s || g.Name == s {
			return g, true
		}
	}
	k := regionKey(s)
	if k == "" {
		return Region{}, false
	}
	for _, g := range r.Tax.Regions {
		if regionKey(g.Code) == k || regionKey(g.Name) == k {
			return g, true
		}
		for _, a := range g.Aliases {
			if regionKey(a) == k {
				return g, true
			}
		}
	}
	return Region{}, false
}

// regionKey folds case, spacing, punctuation and "&" vs "and".
func regionKey(s string) string { return india.StateKey(s) }

// Ships reports whether the rules deliver to country.
func (r *Rules) Ships(country string) bool {
	return len(r.Shipping.Countries) == 0 || slices.Contains(r.Shipping.Countries, strings.ToUpper(country))
}

func (s *ShippingRules) zone(name string) (Zone, bool) {
	for _, z := range s.Zones {
		if z.Name == name {
			return z, true
		}
	}
	return Zone{}, false
}

// ZoneFor picks the zone of a postal code: the longest matching prefix, or
// the default zone.
func (s *ShippingRules) ZoneFor(postal string) Zone {
	best, bestLen := Zone{}, -1
	for _, z := range s.Zones {
		for _, p := range z.PostalPrefixes {
			if len(p) > bestLen && strings.HasPrefix(postal, p) {
				best, bestLen = z, len(p)
			}
		}
	}
	if bestLen >= 0 {
		return best
	}
	z, _ := s.zone(s.DefaultZone)
	return z
}

// ClassOf names the tax class of an item.
func (t *TaxRules) ClassOf(it Item) string {
	if _, ok := t.Classes[it.TaxClass]; ok && it.TaxClass != "" {
		return it.TaxClass
	}
	if it.HSN != "" {
		best, bestLen := "", 0
		for prefix, c := range t.HSNClasses {
			if len(prefix) > bestLen && strings.HasPrefix(it.HSN, prefix) {
				best, bestLen = c, len(prefix)
			}
		}
		if best != "" {
			return best
		}
	}
	for i := len(it.Categories) - 1; i >= 0; i-- {
		if c, ok := t.CategoryClasses[it.Categories[i]]; ok {
			return c
		}
	}
	return t.DefaultClass
}

// schedule returns the bands of class in force at now.
func (t *TaxRules) schedule(class string, now time.Time) []Band {
	c := t.Classes[class]
	bands := c.Schedules[0].Bands
	for _, s := range c.Schedules[1:] {
		if s.From.After(now) {
			break
		}
		bands = s.Bands
	}
	return bands
}
