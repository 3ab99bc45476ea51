package pricing_test

import (
	"strings"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart/pricing"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

func promo(id string, r pricing.Rule) pricing.Promotion {
	r.Enabled = true
	if r.Name == "" {
		r.Name = id
	}
	if err := r.Normalize("INR"); err != nil {
		panic(err)
	}
	return pricing.Promotion{ID: id, Rule: r}
}

func ptr[T any](v T) *T { return &v }

// The cart of most cases: a ₹1,000 kurta ×2 (Fabindia, women › kurtas, in
// "festive"), a ₹500 dupatta (Biba, women › dupattas) and ₹300 socks ×3
// (Puma, men › socks), ₹3,400 in all.
func basket() []pricing.Item {
	return []pricing.Item{
		{ID: "l1", SKU: "KUR-1", Brand: "Fabindia", Categories: []string{"women", "kurtas"}, Collections: []string{"festive"}, Quantity: 2, UnitPrice: inr(1000_00)},
		{ID: "l2", SKU: "DUP-1", Brand: "Biba", Categories: []string{"women", "dupattas"}, Quantity: 1, UnitPrice: inr(500_00)},
		{ID: "l3", SKU: "SOK-1", Brand: "Puma", Categories: []string{"men", "socks"}, Quantity: 3, UnitPrice: inr(300_00)},
	}
}

func TestPromotions(t *testing.T) {
	now := afterReform
	cases := []struct {
		name   string
		promos []pricing.Promotion
		codes  []string
		cust   string
		uses   map[string]int64
		lines  map[string]int64 // line id → discount
		ship   int64            // shipping waived
		rej    map[string]pricing.Reason
	}{
		{name: "10% off the order, spread by line value",
			promos: []pricing.Promotion{promo("p1", pricing.Rule{Kind: pricing.KindPercentage, PercentBP: 1000})},
			lines:  map[string]int64{"l1": 200_00, "l2": 50_00, "l3": 90_00}},
		{name: "percentage capped",
			promos: []pricing.Promotion{promo("p1", pricing.Rule{Kind: pricing.KindPercentage, PercentBP: 5000, MaxDiscount: ptr(inr(340_00))})},
			lines:  map[string]int64{"l1": 200_00, "l2": 50_00, "l3": 90_00}},
		{name: "by brand, case-insensitive",
			promos: []pricing.Promotion{promo("p1", pricing.Rule{Kind: pricing.KindPercentage, PercentBP: 2000, Target: pricing.Target{Brands: []string{"biba"}}})},
			lines:  map[string]int64{"l2": 100_00}},
		{name: "by parent category",
			promos: []pricing.Promotion{promo("p1", pricing.Rule{Kind: pricing.KindPercentage, PercentBP: 1000, Target: pricing.Target{Categories: []string{"women"}}})},
			lines:  map[string]int64{"l1": 200_00, "l2": 50_00}},
		{name: "by collection",
			promos: []pricing.Promotion{promo("p1", pricing.Rule{Kind: pricing.KindFixed, Amount: ptr(inr(150_00)), Target: pricing.Target{Collections: []string{"festive"}}})},
			lines:  map[string]int64{"l1": 150_00}},
		{name: "by SKU and brand together",
			promos: []pricing.Promotion{promo("p1", pricing.Rule{Kind: pricing.KindPercentage, PercentBP: 1000, Target: pricing.Target{SKUs: []string{"KUR-1", "SOK-1"}, Brands: []string{"Puma"}}})},
			lines:  map[string]int64{"l3": 90_00}},
		{name: "fixed off the order, spread exactly",
			promos: []pricing.Promotion{promo("p1", pricing.Rule{Kind: pricing.KindFixed, Amount: ptr(inr(100_01))})},
			lines:  map[string]int64{"l1": 58_83, "l2": 14_71, "l3": 26_47}},
		{name: "fixed never exceeds the items",
			promos: []pricing.Promotion{promo("p1", pricing.Rule{Kind: pricing.KindFixed, Amount: ptr(inr(5000_00)), Target: pricing.Target{SKUs: []string{"DUP-1"}}})},
			lines:  map[string]int64{"l2": 500_00}},
		{name: "buy 2 get 1 free: the cheapest unit",
			promos: []pricing.Promotion{promo("p1", pricing.Rule{Kind: pricing.KindBuyXGetY, BuyQuantity: 2, GetQuantity: 1})},
			lines:  map[string]int64{"l3": 600_00}},
		{name: "buy 1 get 1 at 50% on socks",
			promos: []pricing.Promotion{promo("p1", pricing.Rule{Kind: pricing.KindBuyXGetY, BuyQuantity: 1, GetQuantity: 1, GetPercentBP: 5000, Target: pricing.Target{Categories: []string{"socks"}}})},
			lines:  map[string]int64{"l3": 150_00}},
		{name: "minimum subtotal met",
			promos: []pricing.Promotion{promo("p1", pricing.Rule{Kind: pricing.KindFixed, Amount: ptr(inr(200_00)), MinSubtotal: ptr(inr(3400_00))})},
			lines:  map[string]int64{"l1": 117_65, "l2": 29_41, "l3": 52_94}},
		{name: "minimum subtotal not met, coupon explained",
			promos: []pricing.Promotion{promo("p1", pricing.Rule{Code: "BIG", Kind: pricing.KindFixed, Amount: ptr(inr(200_00)), MinSubtotal: ptr(inr(3400_01))})},
			codes:  []string{"BIG"},
			rej:    map[string]pricing.Reason{"BIG": pricing.ReasonMinSubtotal}},
		{name: "combinable stack in priority order",
			promos: []pricing.Promotion{
				promo("p1", pricing.Rule{Kind: pricing.KindFixed, Amount: ptr(inr(100_00)), Priority: 1}),
				promo("p2", pricing.Rule{Kind: pricing.KindPercentage, PercentBP: 5000, Target: pricing.Target{SKUs: []string{"DUP-1"}}, Priority: 5}),
			},
			// 50% of ₹500 first, then ₹100 over 2000 : 250 : 900.
			lines: map[string]int64{"l1": 63_49, "l2": 250_00 + 7_94, "l3": 28_57}},
		{name: "exclusive first: nothing follows",
			promos: []pricing.Promotion{
				promo("p1", pricing.Rule{Kind: pricing.KindPercentage, PercentBP: 1000, Stacking: pricing.StackExclusive, Priority: 9}),
				promo("p2", pricing.Rule{Code: "MORE", Kind: pricing.KindFixed, Amount: ptr(inr(100_00))}),
			},
			codes: []string{"MORE"},
			lines: map[string]int64{"l1": 200_00, "l2": 50_00, "l3": 90_00},
			rej:   map[string]pricing.Reason{"MORE": pricing.ReasonNotCombinable}},
		{name: "exclusive after another: skipped",
			promos: []pricing.Promotion{
				promo("p1", pricing.Rule{Kind: pricing.KindFixed, Amount: ptr(inr(100_00)), Priority: 9}),
				promo("p2", pricing.Rule{Code: "SOLO", Kind: pricing.KindPercentage, PercentBP: 5000, Stacking: pricing.StackExclusive}),
			},
			codes: []string{"SOLO"},
			lines: map[string]int64{"l1": 58_82, "l2": 14_71, "l3": 26_47},
			rej:   map[string]pricing.Reason{"SOLO": pricing.ReasonNotCombinable}},
		{name: "unknown, expired, not started, used up, used, needs an account",
			promos: []pricing.Promotion{
				promo("p1", pricing.Rule{Code: "OLD", Kind: pricing.KindFixed, Amount: ptr(inr(1_00)), EndsAt: ptr(now)}),
				promo("p2", pricing.Rule{Code: "SOON", Kind: pricing.KindFixed, Amount: ptr(inr(1_00)), StartsAt: ptr(now.Add(time.Second))}),
				func() pricing.Promotion {
					p := promo("p3", pricing.Rule{Code: "GONE", Kind: pricing.KindFixed, Amount: ptr(inr(1_00)), UsageLimit: 5})
					p.Uses = 5
					return p
				}(),
				promo("p4", pricing.Rule{Code: "ONCE", Kind: pricing.KindFixed, Amount: ptr(inr(1_00)), PerCustomerLimit: 1}),
			},
			codes: []string{"NOPE", "OLD", "SOON", "GONE", "ONCE"},
			cust:  "u1", uses: map[string]int64{"p4": 1},
			rej: map[string]pricing.Reason{"NOPE": pricing.ReasonUnknown, "OLD": pricing.ReasonExpired, "SOON": pricing.ReasonNotStarted,
				"GONE": pricing.ReasonExhausted, "ONCE": pricing.ReasonAlreadyUsed}},
		{name: "per-customer limit needs an account",
			promos: []pricing.Promotion{promo("p4", pricing.Rule{Code: "ONCE", Kind: pricing.KindFixed, Amount: ptr(inr(1_00)), PerCustomerLimit: 1})},
			codes:  []string{"ONCE"},
			rej:    map[string]pricing.Reason{"ONCE": pricing.ReasonRequiresAccount}},
		{name: "a coupon for items not in the cart",
			promos: []pricing.Promotion{promo("p1", pricing.Rule{Code: "SHOES", Kind: pricing.KindPercentage, PercentBP: 1000, Target: pricing.Target{Categories: []string{"footwear"}}})},
			codes:  []string{"SHOES"},
			rej:    map[string]pricing.Reason{"SHOES": pricing.ReasonNoQualifyingItem}},
		{name: "an automatic promotion that does not apply says nothing",
			promos: []pricing.Promotion{promo("p1", pricing.Rule{Kind: pricing.KindPercentage, PercentBP: 1000, Target: pricing.Target{Categories: []string{"footwear"}}})},
			rej:    map[string]pricing.Reason{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			codes := make([]string, len(c.codes))
			for i, code := range c.codes {
				codes[i] = pricing.NormalizeCode(code)
			}
			res := price(t, pricing.Input{Now: now, Items: basket(), Promotions: c.promos, Codes: codes, Customer: c.cust, CustomerUses: c.uses,
				Destination: &pricing.Destination{Country: "IN", Region: "KA", PostalCode: "560001"}})
			got := map[string]int64{}
			for _, l := range res.Lines {
				if l.Discount.Amount != 0 {
					got[l.ID] = l.Discount.Amount
				}
			}
			if c.lines != nil && !sameMap(got, c.lines) {
				t.Errorf("line discounts %v, want %v", got, c.lines)
			}
			if res.Shipping.Discount.Amount != c.ship {
				t.Errorf("shipping waived %d, want %d", res.Shipping.Discount.Amount, c.ship)
			}
			if c.rej != nil {
				rej := map[string]pricing.Reason{}
				for _, n := range res.NotApplied {
					rej[n.Code] = n.Reason
					if n.Message == "" {
						t.Errorf("%s: no message", n.Code)
					}
				}
				if len(rej) != len(c.rej) {
					t.Errorf("not applied %v, want %v", rej, c.rej)
				}
				for k, v := range c.rej {
					if rej[k] != v {
						t.Errorf("not applied %v, want %v", rej, c.rej)
					}
				}
			}
		})
	}
}

func sameMap(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

func TestMinSubtotalMessageSaysHowMuchMore(t *testing.T) {
	p := promo("p1", pricing.Rule{Code: "BIG", Kind: pricing.KindFixed, Amount: ptr(inr(200_00)), MinSubtotal: ptr(inr(5000_00))})
	res := price(t, pricing.Input{Items: basket(), Promotions: []pricing.Promotion{p}, Codes: []string{"BIG"}})
	if len(res.NotApplied) != 1 || !strings.Contains(res.NotApplied[0].Message, "₹1,600.00") {
		t.Fatalf("%+v", res.NotApplied)
	}
}

func TestFreeShipping(t *testing.T) {
	p := promo("p1", pricing.Rule{Code: "SHIPFREE", Kind: pricing.KindFreeShipping, Target: pricing.Target{SKUs: []string{"SKU-a"}}})
	res := price(t, pricing.Input{Items: []pricing.Item{item("a", 500_00, 1), item("b", 100_00, 1)}, Promotions: []pricing.Promotion{p}, Codes: []string{"SHIPFREE"},
		Destination: &pricing.Destination{Country: "IN", Region: "KA", PostalCode: "560001"}})
	if res.Shipping.Fee.Amount != 79_00 || res.Shipping.Discount.Amount != 79_00 || res.Shipping.Charged.Amount != 0 ||
		len(res.Applied) != 1 || res.Applied[0].Amount.Amount != 79_00 || !res.Applied[0].FreeShipping || res.Totals.Grand.Amount != 600_00 {
		t.Fatalf("shipping %+v applied %+v", res.Shipping, res.Applied)
	}
}

func TestFreeShippingWhenAlreadyFree(t *testing.T) {
	p := promo("p1", pricing.Rule{Code: "SHIP", Kind: pricing.KindFreeShipping})
	res := price(t, pricing.Input{Items: []pricing.Item{item("a", 1200_00, 1)}, Promotions: []pricing.Promotion{p}, Codes: []string{"SHIP"}})
	if len(res.Applied) != 0 || len(res.NotApplied) != 1 || res.NotApplied[0].Reason != pricing.ReasonNoDiscount {
		t.Fatalf("applied %+v not applied %+v", res.Applied, res.NotApplied)
	}
}

// A discount lowers the value per piece, and so can move a line into the
// lower GST band.
func TestDiscountMovesTaxBand(t *testing.T) {
	p := promo("p1", pricing.Rule{Kind: pricing.KindPercentage, PercentBP: 1000})
	res := price(t, pricing.Input{Items: []pricing.Item{item("a", 2800_00, 1)}})
	if res.Lines[0].TaxRateBP != 1800 {
		t.Fatalf("undiscounted rate %d", res.Lines[0].TaxRateBP)
	}
	res = price(t, pricing.Input{Items: []pricing.Item{item("a", 2800_00, 1)}, Promotions: []pricing.Promotion{p}})
	if res.Lines[0].TaxRateBP != 500 || res.Lines[0].Total.Amount != 2520_00 {
		t.Fatalf("discounted rate %d total %d", res.Lines[0].TaxRateBP, res.Lines[0].Total.Amount)
	}
}

func TestRuleNormalize(t *testing.T) {
	cases := []struct {
		name   string
		rule   pricing.Rule
		fields []string
	}{
		{"fine", pricing.Rule{Name: "Diwali", Code: " diwali-10 ", Kind: pricing.KindPercentage, PercentBP: 1000}, nil},
		{"no name, bad kind", pricing.Rule{Kind: "half"}, []string{"name", "kind"}},
		{"percentage out of range", pricing.Rule{Name: "x", Kind: pricing.KindPercentage, PercentBP: 10001}, []string{"percent_bp"}},
		{"fixed without amount", pricing.Rule{Name: "x", Kind: pricing.KindFixed}, []string{"amount"}},
		{"fixed in dollars", pricing.Rule{Name: "x", Kind: pricing.KindFixed, Amount: ptr(money.MustNew(100, "USD"))}, []string{"amount"}},
		{"bad code", pricing.Rule{Name: "x", Code: "a b", Kind: pricing.KindFreeShipping}, []string{"code"}},
		{"ends before it starts", pricing.Rule{Name: "x", Kind: pricing.KindFreeShipping, StartsAt: ptr(afterReform), EndsAt: ptr(afterReform)}, []string{"ends_at"}},
		{"bxgy without quantities", pricing.Rule{Name: "x", Kind: pricing.KindBuyXGetY}, []string{"buy_quantity", "get_quantity"}},
		{"negative limits", pricing.Rule{Name: "x", Kind: pricing.KindFreeShipping, UsageLimit: -1, PerCustomerLimit: -1, Stacking: "both"}, []string{"usage_limit", "per_customer_limit", "stacking"}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			err := c.rule.Normalize("INR")
			if c.fields == nil {
				if err != nil {
					t.Fatal(err)
				}
				if c.rule.Code != "DIWALI-10" || c.rule.Stacking != pricing.StackCombinable {
					t.Fatalf("not normalised: %+v", c.rule)
				}
				return
			}
			e := asErr(t, err)
			var got []string
			for _, f := range e.Fields {
				got = append(got, f.Field)
			}
			if strings.Join(got, ",") != strings.Join(c.fields, ",") {
				t.Fatalf("fields %v, want %v", got, c.fields)
			}
		})
	}
}
