// Package pricing turns a cart's lines into the amounts a shopper pays:
// promotions, shipping, and tax included in the prices. It does no I/O: the
// cart service hands it the lines with their current catalogue prices, the
// candidate promotions and the rules, and gets back every amount in minor
// units. The same input always gives the same result, so a quote can be
// hashed and checked again at checkout.
//
// Amounts reconcile exactly, by construction:
//
//	Σ line.Subtotal                       = Totals.Subtotal
//	Σ line.Discount + Shipping.Discount   = Totals.Discount = Σ Discounts[i].Amount
//	Totals.Subtotal − Σ line.Discount     = Σ line.Total
//	Σ line.Total + Shipping.Charged       = Totals.Grand
//	Σ line.Tax + Shipping.Tax             = Totals.Tax = Σ Totals.Taxes[i].Amount
//
// Prices are tax-inclusive, as Indian retail shows them: the tax is the part
// of each amount the rules say it contains, never added on top.
package pricing

import (
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Item is one cart line as pricing sees it.
type Item struct {
	ID          string
	SKU         string
	ProductID   string
	Brand       string
	Categories  []string // category slugs from the root down to the product's own
	Collections []string // collection slugs
	Quantity    int64
	UnitPrice   money.Money // tax-inclusive
	TaxClass    string      // "" lets the rules derive it from HSN or category
	HSN         string
}

// Destination is where the order ships: it picks the shipping zone and
// whether the supply is within the origin's state (CGST + SGST) or across
// states (IGST).
type Destination struct {
	Country    string // ISO 3166-1 alpha-2
	Region     string // a state or union territory, by code or name
	PostalCode string
}

// Input is everything one pricing needs.
type Input struct {
	Rules *Rules
	Now   time.Time
	Items []Item
	// Promotions are the candidates: the automatic ones and those whose
	// codes the cart carries. Disabled, out-of-window and exhausted ones are
	// skipped here, with a reason for the codes.
	Promotions []Promotion
	// Codes are the coupon codes on the cart, normalised (NormalizeCode).
	Codes []string
	// Customer is the signed-in member's id; "" for a guest.
	Customer string
	// CustomerUses counts this customer's redemptions per promotion id.
	CustomerUses map[string]int64
	// Destination is nil until the shopper gives an address: shipping and
	// tax are then estimated for the rules' default zone and origin state.
	Destination *Destination
}

// Result is a priced cart.
type Result struct {
	Lines      []LineResult `json:"lines"`
	Applied    []Applied    `json:"applied"`
	NotApplied []NotApplied `json:"not_applied"`
	Shipping   Shipping     `json:"shipping"`
	Totals     Totals       `json:"totals"`
	// Interstate is true when the supply crosses state lines (IGST).
	Interstate bool `json:"interstate"`
}

// LineResult is the money of one line, in the order of Input.Items.
type LineResult struct {
	ID        string         `json:"id"`
	Subtotal  money.Money    `json:"subtotal" doc:"Unit price × quantity."`
	Discount  money.Money    `json:"discount"`
	Total     money.Money    `json:"total" doc:"Subtotal less discount; tax included."`
	TaxRateBP int64          `json:"tax_rate_bp" doc:"The GST rate of the line, in basis points (500 = 5%)."`
	Tax       money.Money    `json:"tax" doc:"The tax contained in total."`
	Taxes     []TaxAmount    `json:"taxes"`
	Discounts []LineDiscount `json:"discounts"`
}

// LineDiscount is the part of one promotion's discount that fell on a line.
type LineDiscount struct {
	PromotionID string      `json:"promotion_id"`
	Amount      money.Money `json:"amount"`
}

// TaxAmount is one tax (CGST, SGST, UTGST, IGST, VAT) at one rate.
type TaxAmount struct {
	Name   string      `json:"name"`
	RateBP int64       `json:"rate_bp"`
	Amount money.Money `json:"amount"`
}

// Applied is a promotion that took effect, with all it took off.
type Applied struct {
	PromotionID  string      `json:"promotion_id"`
	Name         string      `json:"name"`
	Code         string      `json:"code,omitempty"`
	Kind         Kind        `json:"kind"`
	Amount       money.Money `json:"amount" doc:"The discount on lines plus any shipping waived."`
	FreeShipping bool        `json:"free_shipping,omitempty"`
}

// NotApplied tells why a coupon on the cart takes nothing off.
type NotApplied struct {
	Code        string `json:"code"`
	PromotionID string `json:"promotion_id,omitempty"`
	Reason      Reason `json:"reason"`
	Message     string `json:"message"`
}

// Reason is why a promotion does not apply.
type Reason string

const (
	ReasonUnknown          Reason = "unknown"             // no promotion has the code
	ReasonDisabled         Reason = "disabled"            // switched off by staff
	ReasonNotStarted       Reason = "not_started"         // before StartsAt
	ReasonExpired          Reason = "expired"             // at or after EndsAt
	ReasonExhausted        Reason = "exhausted"           // UsageLimit reached
	ReasonAlreadyUsed      Reason = "already_used"        // PerCustomerLimit reached
	ReasonRequiresAccount  Reason = "requires_account"    // per-customer limit, guest cart
	ReasonMinSubtotal      Reason = "min_subtotal"        // qualifying subtotal too low
	ReasonNoQualifyingItem Reason = "no_qualifying_items" // nothing in the cart matches the target
	ReasonNotCombinable    Reason = "not_combinable"      // an exclusive promotion won, or this one is exclusive
	ReasonNoDiscount       Reason = "no_discount"         // applies, but takes nothing off (e.g. shipping already free)
)

// Shipping is the delivery charge for the destination's zone.
type Shipping struct {
	Zone         string       `json:"zone"`
	Fee          money.Money  `json:"fee" doc:"The zone's charge before promotions; tax included."`
	Discount     money.Money  `json:"discount" doc:"Waived by a free-shipping promotion."`
	Charged      money.Money  `json:"charged" doc:"Fee less discount."`
	Tax          money.Money  `json:"tax" doc:"The tax contained in charged."`
	Taxes        []TaxAmount  `json:"taxes"`
	FreeOver     *money.Money `json:"free_over,omitempty" doc:"Orders of this value or more ship free in this zone."`
	CODAvailable bool         `json:"cod_available" doc:"Cash on delivery may be chosen for this order."`
	Estimated    bool         `json:"estimated" doc:"No address yet: the default zone and the origin state were assumed."`
}

// Totals are the cart's amounts, all tax-inclusive.
type Totals struct {
	Subtotal  money.Money `json:"subtotal"`
	Discount  money.Money `json:"discount" doc:"All promotions together, shipping waived included."`
	Discounts []Applied   `json:"discounts" doc:"The discount itemised by promotion."`
	Shipping  money.Money `json:"shipping" doc:"The shipping fee before promotions."`
	Tax       money.Money `json:"tax" doc:"The tax included in grand."`
	Taxes     []TaxAmount `json:"taxes" doc:"The tax itemised by name and rate."`
	Grand     money.Money `json:"grand" doc:"What the shopper pays: subtotal − discount + shipping."`
}
