package pricing

import (
	"slices"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Kind is what a promotion takes off.
type Kind string

const (
	// KindPercentage takes PercentBP off the qualifying amount.
	KindPercentage Kind = "percentage"
	// KindFixed takes Amount off the qualifying amount, once per cart.
	KindFixed Kind = "fixed"
	// KindBuyXGetY gives GetPercentBP (100% by default) off the cheapest
	// GetQuantity units of every BuyQuantity+GetQuantity qualifying units.
	KindBuyXGetY Kind = "buy_x_get_y"
	// KindFreeShipping waives the shipping fee.
	KindFreeShipping Kind = "free_shipping"
)

// Stacking says whether a promotion combines with others.
type Stacking string

const (
	// StackCombinable applies together with other combinable promotions.
	StackCombinable Stacking = "combinable"
	// StackExclusive applies alone: only if it is the first to apply, and
	// then nothing after it does.
	StackExclusive Stacking = "exclusive"
)

// Target narrows a promotion to some items. Within one list any entry
// matches; across lists every non-empty one must match ("brand X in
// category kurtas"). An empty target is the whole order.
type Target struct {
	SKUs        []string `json:"skus,omitempty"`
	Categories  []string `json:"categories,omitempty" doc:"Category slugs; a category includes its subcategories."`
	Brands      []string `json:"brands,omitempty" doc:"Brand names, case-insensitive."`
	Collections []string `json:"collections,omitempty" doc:"Collection slugs."`
}

// Empty reports whether the target is the whole order.
func (t Target) Empty() bool {
	return len(t.SKUs) == 0 && len(t.Categories) == 0 && len(t.Brands) == 0 && len(t.Collections) == 0
}

// Matches reports whether it is one of the target's items.
func (t Target) Matches(it Item) bool {
	if len(t.SKUs) > 0 && !slices.Contains(t.SKUs, it.SKU) {
		return false
	}
	if len(t.Categories) > 0 && !anyIn(t.Categories, it.Categories) {
		return false
	}
	if len(t.Brands) > 0 && !slices.ContainsFunc(t.Brands, func(b string) bool { return strings.EqualFold(b, it.Brand) }) {
		return false
	}
	if len(t.Collections) > 0 && !anyIn(t.Collections, it.Collections) {
		return false
	}
	return true
}

func anyIn(want, have []string) bool {
	for _, h := range have {
		if slices.Contains(want, h) {
			return true
		}
	}
	return false
}

// Rule is a promotion as staff define it.
type Rule struct {
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
	// Code makes it a coupon the shopper enters; without one it applies by
	// itself to every cart it qualifies for.
	Code string `json:"code,omitempty" doc:"Coupon code, 3 to 32 letters, digits, '-' or '_', case-insensitive. Empty: an automatic promotion."`
	Kind Kind   `json:"kind" doc:"percentage, fixed, buy_x_get_y or free_shipping."`

	PercentBP    int64        `json:"percent_bp,omitempty" doc:"percentage: the share off in basis points (1000 = 10%)."`
	Amount       *money.Money `json:"amount,omitempty" doc:"fixed: the amount off the qualifying items (or the order)."`
	BuyQuantity  int64        `json:"buy_quantity,omitempty" doc:"buy_x_get_y: units to buy."`
	GetQuantity  int64        `json:"get_quantity,omitempty" doc:"buy_x_get_y: units discounted per group."`
	GetPercentBP int64        `json:"get_percent_bp,omitempty" doc:"buy_x_get_y: off those units, in basis points; 10000 (free) when left out."`

	Target      Target       `json:"target,omitzero"`
	MinSubtotal *money.Money `json:"min_subtotal,omitempty" doc:"The qualifying items must come to at least this, before discounts."`
	MaxDiscount *money.Money `json:"max_discount,omitempty" doc:"Caps the discount of a percentage promotion."`

	StartsAt *time.Time `json:"starts_at,omitempty"`
	EndsAt   *time.Time `json:"ends_at,omitempty" doc:"Exclusive."`

	UsageLimit       int64 `json:"usage_limit,omitempty" doc:"Orders that may use it in all; 0: no limit."`
	PerCustomerLimit int64 `json:"per_customer_limit,omitempty" doc:"Orders per customer; 0: no limit. A promotion with a per-customer limit needs a signed-in customer."`

	Stacking Stacking `json:"stacking,omitempty" doc:"combinable (default) or exclusive."`
	Priority int      `json:"priority,omitempty" doc:"Higher goes first; ties go to the older promotion."`
	Enabled  bool     `json:"enabled"`
}

// Promotion is a stored Rule.
type Promotion struct {
	ID string `json:"id"`
	Rule
	Uses      int64     `json:"uses" doc:"Orders that used it so far."`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Automatic reports whether the promotion applies without a code.
func (p Promotion) Automatic() bool { return p.Code == "" }

// NormalizeCode is the form codes are stored and compared in.
func NormalizeCode(code string) string { return strings.ToUpper(strings.TrimSpace(code)) }

// ValidCode reports whether code (normalised) may be a coupon code.
func ValidCode(code string) bool {
	if len(code) < 3 || len(code) > 32 {
		return false
	}
	for i := 0; i < len(code); i++ {
		c := code[i]
		if !(c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// window reports why p is not live at now, or "".
func (p Promotion) window(now time.Time) Reason {
	switch {
	case !p.Enabled:
		return ReasonDisabled
	case p.StartsAt != nil && now.Before(*p.StartsAt):
		return ReasonNotStarted
	case p.EndsAt != nil && !now.Before(*p.EndsAt):
		return ReasonExpired
	}
	return ""
}

// Eligible reports why p cannot be used now by customer (who has used it
// customerUses times), or "" when it can. It does not look at the cart.
func (p Promotion) Eligible(now time.Time, customer string, customerUses int64) Reason {
	if r := p.window(now); r != "" {
		return r
	}
	if p.UsageLimit > 0 && p.Uses >= p.UsageLimit {
		return ReasonExhausted
	}
	if p.PerCustomerLimit > 0 {
		if customer == "" {
			return ReasonRequiresAccount
		}
		if customerUses >= p.PerCustomerLimit {
			return ReasonAlreadyUsed
		}
	}
	return ""
}

// Live reports whether p could apply at some time from now on: enabled and
// not ended. The cart service keeps only these in memory.
func (p Promotion) Live(now time.Time) bool {
	return p.Enabled && (p.EndsAt == nil || now.Before(*p.EndsAt))
}

// order sorts candidates: priority first, then the older promotion (ids
// are UUIDv7, so they sort by creation), so the result never depends on
// the order promotions were loaded in.
func order(a, b Promotion) int {
	if a.Priority != b.Priority {
		if a.Priority > b.Priority {
			return -1
		}
		return 1
	}
	return strings.Compare(a.ID, b.ID)
}
