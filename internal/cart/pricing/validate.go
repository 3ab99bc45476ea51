package pricing

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// ErrInvalidPromotion is returned for a rule that breaks the rules below;
// its Fields name every bad field.
var ErrInvalidPromotion = errs.Invalid("invalid_promotion", "the promotion is not valid")

// Bounds on a rule's lists and amounts.
const (
	MaxTargetEntries = 100
	MaxPriority      = 1_000_000
	// MaxAmount bounds every amount in a rule and every price: ₹10 crore,
	// far beyond any garment, and far from int64 overflow in any sum.
	MaxAmount = 10_000_000_000
)

// Normalize checks r and puts it in canonical form: the code upper-cased,
// the stacking defaulted, target entries trimmed and de-duplicated.
func (r *Rule) Normalize(currency string) error {
	var fields []errs.FieldError
	bad := func(field, format string, args ...any) {
		fields = append(fields, errs.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	r.Name = strings.TrimSpace(r.Name)
	if r.Name == "" || len(r.Name) > 100 {
		bad("name", "1 to 100 characters")
	}
	if len(r.Description) > 500 {
		bad("description", "at most 500 characters")
	}
	r.Code = NormalizeCode(r.Code)
	if r.Code != "" && !ValidCode(r.Code) {
		bad("code", "3 to 32 letters, digits, '-' or '_'")
	}
	amount := func(field string, m *money.Money, positive bool) {
		switch {
		case m == nil:
		case m.Currency != currency:
			bad(field, "must be in %s", currency)
		case m.Amount < 0 || positive && m.Amount == 0:
			bad(field, "must be positive")
		case m.Amount > MaxAmount:
			bad(field, "must be at most %d minor units", int64(MaxAmount))
		}
	}
	switch r.Kind {
	case KindPercentage:
		if r.PercentBP <= 0 || r.PercentBP > money.BasisPoints {
			bad("percent_bp", "1 to 10000 basis points")
		}
		amount("max_discount", r.MaxDiscount, true)
	case KindFixed:
		if r.Amount == nil {
			bad("amount", "required for a fixed promotion")
		}
		amount("amount", r.Amount, true)
	case KindBuyXGetY:
		if r.BuyQuantity < 1 || r.BuyQuantity > 100 {
			bad("buy_quantity", "1 to 100")
		}
		if r.GetQuantity < 1 || r.GetQuantity > 100 {
			bad("get_quantity", "1 to 100")
		}
		if r.GetPercentBP == 0 {
			r.GetPercentBP = money.BasisPoints
		}
		if r.GetPercentBP < 0 || r.GetPercentBP > money.BasisPoints {
			bad("get_percent_bp", "1 to 10000 basis points")
		}
	case KindFreeShipping:
	default:
		bad("kind", "one of percentage, fixed, buy_x_get_y, free_shipping")
	}
	if r.Kind != KindPercentage && r.MaxDiscount != nil {
		bad("max_discount", "only a percentage promotion has a cap")
	}
	if r.Kind != KindFixed && r.Amount != nil {
		bad("amount", "only a fixed promotion has an amount")
	}
	if r.Kind != KindPercentage && r.PercentBP != 0 {
		bad("percent_bp", "only a percentage promotion has a percentage")
	}
	if r.Kind != KindBuyXGetY && (r.BuyQuantity != 0 || r.GetQuantity != 0 || r.GetPercentBP != 0) {
		bad("buy_quantity", "only a buy_x_get_y promotion has quantities")
	}
	amount("min_subtotal", r.MinSubtotal, false)
	if r.StartsAt != nil && r.EndsAt != nil && !r.EndsAt.After(*r.StartsAt) {
		bad("ends_at", "must be after starts_at")
	}
	if r.UsageLimit < 0 {
		bad("usage_limit", "0 (no limit) or more")
	}
	if r.PerCustomerLimit < 0 {
		bad("per_customer_limit", "0 (no limit) or more")
	}
	switch r.Stacking {
	case "":
		r.Stacking = StackCombinable
	case StackCombinable, StackExclusive:
	default:
		bad("stacking", "combinable or exclusive")
	}
	if r.Priority < -MaxPriority || r.Priority > MaxPriority {
		bad("priority", "between -1000000 and 1000000")
	}
	if r.StartsAt != nil {
		t := r.StartsAt.UTC().Truncate(1e6)
		r.StartsAt = &t
	}
	if r.EndsAt != nil {
		t := r.EndsAt.UTC().Truncate(1e6)
		r.EndsAt = &t
	}
	for _, tl := range []struct {
		name string
		list *[]string
	}{
		{"target/skus", &r.Target.SKUs}, {"target/categories", &r.Target.Categories},
		{"target/brands", &r.Target.Brands}, {"target/collections", &r.Target.Collections},
	} {
		name, list := tl.name, tl.list
		*list = cleanList(*list)
		if len(*list) > MaxTargetEntries {
			bad(name, "at most %d entries", MaxTargetEntries)
		}
		for _, s := range *list {
			if len(s) > 100 {
				bad(name, "entries are at most 100 characters")
				break
			}
		}
	}
	if len(fields) > 0 {
		e := *ErrInvalidPromotion
		e.Fields = fields
		parts := make([]string, len(fields))
		for i, f := range fields {
			parts[i] = f.Field + ": " + f.Message
		}
		e.Detail = "the promotion is not valid: " + strings.Join(parts, "; ")
		return &e
	}
	return nil
}

// cleanList trims, drops empties and duplicates, and keeps a stable order.
func cleanList(in []string) []string {
	out := make([]string, 0, len(in))
	for _, s := range in {
		s = strings.TrimSpace(s)
		if s != "" && !slices.Contains(out, s) {
			out = append(out, s)
		}
	}
	if len(out) == 0 {
		return nil
	}
	return out
}
