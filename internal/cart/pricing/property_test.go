package pricing_test

import (
	"errors"
	"fmt"
	"math/rand/v2"
	"reflect"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart/pricing"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

func asErr(t *testing.T, err error) *errs.Error {
	t.Helper()
	var e *errs.Error
	if !errors.As(err, &e) {
		t.Fatalf("want an *errs.Error, got %v", err)
	}
	return e
}

// checkReconciles asserts every identity the package promises, to the
// paisa, and that no amount is negative.
func checkReconciles(t *testing.T, in pricing.Input, res pricing.Result) {
	t.Helper()
	fail := func(format string, args ...any) {
		t.Helper()
		t.Fatalf("%s\ninput: %s", fmt.Sprintf(format, args...), describe(in))
	}
	cur := in.Rules.Currency
	nonneg := func(what string, m money.Money) {
		t.Helper()
		if m.Currency != cur || m.Amount < 0 {
			fail("%s = %v", what, m)
		}
	}
	if len(res.Lines) != len(in.Items) {
		fail("%d line results for %d items", len(res.Lines), len(in.Items))
	}
	var sub, lineDisc, lineTotal, lineTax int64
	byPromo := map[string]int64{}
	for i, l := range res.Lines {
		it := in.Items[i]
		for _, m := range []money.Money{l.Subtotal, l.Discount, l.Total, l.Tax} {
			nonneg("line "+l.ID, m)
		}
		if l.ID != it.ID || l.Subtotal.Amount != it.UnitPrice.Amount*it.Quantity {
			fail("line %s subtotal %v for %d × %v", l.ID, l.Subtotal, it.Quantity, it.UnitPrice)
		}
		if l.Total.Amount != l.Subtotal.Amount-l.Discount.Amount {
			fail("line %s: total %v ≠ subtotal %v − discount %v", l.ID, l.Total, l.Subtotal, l.Discount)
		}
		var d int64
		for _, x := range l.Discounts {
			nonneg("line discount", x.Amount)
			d += x.Amount.Amount
			byPromo[x.PromotionID] += x.Amount.Amount
		}
		if d != l.Discount.Amount {
			fail("line %s: discounts sum to %d, not %v", l.ID, d, l.Discount)
		}
		want, _ := l.Total.InclusiveTax(l.TaxRateBP, money.HalfUp)
		if l.Tax != want || sumTaxes(l.Taxes) != l.Tax.Amount {
			fail("line %s: tax %v (itemised %d) ≠ %v at %d bp", l.ID, l.Tax, sumTaxes(l.Taxes), want, l.TaxRateBP)
		}
		sub += l.Subtotal.Amount
		lineDisc += l.Discount.Amount
		lineTotal += l.Total.Amount
		lineTax += l.Tax.Amount
	}
	s := res.Shipping
	for _, m := range []money.Money{s.Fee, s.Discount, s.Charged, s.Tax} {
		nonneg("shipping", m)
	}
	if s.Charged.Amount != s.Fee.Amount-s.Discount.Amount || sumTaxes(s.Taxes) != s.Tax.Amount {
		fail("shipping %+v", s)
	}
	tt := res.Totals
	for _, m := range []money.Money{tt.Subtotal, tt.Discount, tt.Shipping, tt.Tax, tt.Grand} {
		nonneg("total", m)
	}
	var applied int64
	for _, a := range tt.Discounts {
		nonneg("applied "+a.PromotionID, a.Amount)
		applied += a.Amount.Amount
		want := byPromo[a.PromotionID]
		if a.FreeShipping {
			want += s.Discount.Amount
		}
		if a.Amount.Amount != want || a.Amount.Amount == 0 {
			fail("promotion %s: applied %v, lines and shipping carry %d", a.PromotionID, a.Amount, want)
		}
	}
	if len(byPromo) > len(tt.Discounts) {
		fail("lines carry discounts of %d promotions, %d applied", len(byPromo), len(tt.Discounts))
	}
	switch {
	case tt.Subtotal.Amount != sub:
		fail("subtotal %v ≠ Σ lines %d", tt.Subtotal, sub)
	case tt.Discount.Amount != lineDisc+s.Discount.Amount || tt.Discount.Amount != applied:
		fail("discount %v: lines %d + shipping %v; itemised %d", tt.Discount, lineDisc, s.Discount, applied)
	case tt.Shipping != s.Fee:
		fail("shipping total %v ≠ fee %v", tt.Shipping, s.Fee)
	case tt.Grand.Amount != tt.Subtotal.Amount-tt.Discount.Amount+tt.Shipping.Amount:
		fail("grand %v ≠ subtotal − discount + shipping", tt.Grand)
	case tt.Grand.Amount != lineTotal+s.Charged.Amount:
		fail("grand %v ≠ Σ line totals %d + shipping charged %v", tt.Grand, lineTotal, s.Charged)
	case tt.Tax.Amount != lineTax+s.Tax.Amount || sumTaxes(tt.Taxes) != tt.Tax.Amount:
		fail("tax %v: lines %d + shipping %v; itemised %d", tt.Tax, lineTax, s.Tax, sumTaxes(tt.Taxes))
	case tt.Tax.Amount > tt.Grand.Amount:
		fail("tax %v exceeds grand %v", tt.Tax, tt.Grand)
	}
}

func sumTaxes(xs []pricing.TaxAmount) int64 {
	var n int64
	for _, x := range xs {
		n += x.Amount.Amount
	}
	return n
}

func describe(in pricing.Input) string {
	s := fmt.Sprintf("now=%s codes=%v dest=%+v\n", in.Now.Format(time.RFC3339), in.Codes, in.Destination)
	for _, it := range in.Items {
		s += fmt.Sprintf("  item %s %s %s %v %v ×%d @%d\n", it.ID, it.SKU, it.Brand, it.Categories, it.Collections, it.Quantity, it.UnitPrice.Amount)
	}
	for _, p := range in.Promotions {
		s += fmt.Sprintf("  promo %s %+v uses=%d\n", p.ID, p.Rule, p.Uses)
	}
	return s
}

var (
	brands      = []string{"Fabindia", "Biba", "Puma", "W"}
	categories  = [][]string{{"women", "kurtas"}, {"women", "sarees"}, {"men", "shirts"}, {"women", "footwear", "heels"}, {"accessories", "bags"}}
	collections = []string{"festive", "sale", "new-in"}
	pins        = []string{"400001", "560001", "781001", "744101", "110001"}
	regions     = []string{"MH", "KA", "Assam", "AN", "Delhi"}
	prices      = []int64{0, 1, 99, 49_00, 499_00, 999_00, 1000_00, 1050_00, 1050_01, 2625_00, 2625_01, 9_999_99, 49_999_00}
)

func randomPrice(r *rand.Rand) int64 {
	if r.IntN(3) == 0 {
		return prices[r.IntN(len(prices))]
	}
	return r.Int64N(60_000_00)
}

func randomCart(r *rand.Rand) pricing.Input {
	rules := pricing.IndiaGST()
	in := pricing.Input{Rules: &rules, Now: afterReform}
	if r.IntN(4) == 0 {
		in.Now = beforeReform
	}
	for i := range r.IntN(21) {
		in.Items = append(in.Items, pricing.Item{
			ID: fmt.Sprintf("l%d", i), SKU: fmt.Sprintf("S%d", r.IntN(8)), Brand: brands[r.IntN(len(brands))],
			Categories: categories[r.IntN(len(categories))], Collections: collections[:r.IntN(len(collections)+1)],
			Quantity: 1 + r.Int64N(10), UnitPrice: inr(randomPrice(r)),
		})
	}
	for i := range r.IntN(7) {
		in.Promotions = append(in.Promotions, randomPromotion(r, i))
	}
	for _, p := range in.Promotions {
		if p.Code != "" && r.IntN(4) > 0 {
			in.Codes = append(in.Codes, p.Code)
		}
	}
	if r.IntN(5) == 0 {
		in.Codes = append(in.Codes, "NOSUCH")
	}
	if r.IntN(2) == 0 {
		in.Customer = "u1"
		in.CustomerUses = map[string]int64{"p0": r.Int64N(2)}
	}
	if r.IntN(4) > 0 {
		j := r.IntN(len(pins))
		in.Destination = &pricing.Destination{Country: "IN", Region: regions[j], PostalCode: pins[j]}
	}
	return in
}

func randomPromotion(r *rand.Rand, i int) pricing.Promotion {
	kinds := []pricing.Kind{pricing.KindPercentage, pricing.KindFixed, pricing.KindBuyXGetY, pricing.KindFreeShipping}
	rule := pricing.Rule{Name: fmt.Sprintf("promo %d", i), Kind: kinds[r.IntN(len(kinds))], Priority: r.IntN(4), Enabled: r.IntN(8) > 0}
	if r.IntN(2) == 0 {
		rule.Code = fmt.Sprintf("CODE%d", i)
	}
	if r.IntN(4) == 0 {
		rule.Stacking = pricing.StackExclusive
	}
	switch rule.Kind {
	case pricing.KindPercentage:
		rule.PercentBP = 1 + r.Int64N(10_000)
		if r.IntN(3) == 0 {
			rule.MaxDiscount = ptr(inr(1 + r.Int64N(2000_00)))
		}
	case pricing.KindFixed:
		rule.Amount = ptr(inr(1 + r.Int64N(20_000_00)))
	case pricing.KindBuyXGetY:
		rule.BuyQuantity, rule.GetQuantity = 1+r.Int64N(3), 1+r.Int64N(2)
		rule.GetPercentBP = []int64{0, 5000, 3333}[r.IntN(3)]
	}
	switch r.IntN(6) {
	case 0:
		rule.Target.Brands = []string{brands[r.IntN(len(brands))]}
	case 1:
		rule.Target.Categories = []string{categories[r.IntN(len(categories))][r.IntN(2)]}
	case 2:
		rule.Target.Collections = []string{collections[r.IntN(len(collections))]}
	case 3:
		rule.Target.SKUs = []string{fmt.Sprintf("S%d", r.IntN(8)), fmt.Sprintf("S%d", r.IntN(8))}
	}
	if r.IntN(3) == 0 {
		rule.MinSubtotal = ptr(inr(r.Int64N(10_000_00)))
	}
	if r.IntN(5) == 0 {
		rule.EndsAt = ptr(afterReform.Add(time.Duration(r.IntN(3)-1) * time.Hour))
	}
	if r.IntN(5) == 0 {
		rule.PerCustomerLimit = 1
	}
	if err := rule.Normalize("INR"); err != nil {
		panic(err)
	}
	p := pricing.Promotion{ID: fmt.Sprintf("p%d", i), Rule: rule}
	if r.IntN(5) == 0 {
		p.UsageLimit, p.Uses = 10, 9+r.Int64N(2)
	}
	return p
}

// TestTotalsReconcile prices thousands of random carts under random
// promotions and checks every identity to the paisa; and that pricing is
// deterministic, whatever order the promotions come in.
func TestTotalsReconcile(t *testing.T) {
	r := rand.New(rand.NewPCG(20240601, 7))
	n := 5000
	if testing.Short() {
		n = 500
	}
	applied := 0
	for range n {
		in := randomCart(r)
		res, err := pricing.Price(in)
		if err != nil {
			t.Fatalf("%v\n%s", err, describe(in))
		}
		checkReconciles(t, in, res)
		if len(res.Applied) > 0 {
			applied++
		}
		shuffled := in
		shuffled.Promotions = append([]pricing.Promotion(nil), in.Promotions...)
		r.Shuffle(len(shuffled.Promotions), func(i, j int) {
			shuffled.Promotions[i], shuffled.Promotions[j] = shuffled.Promotions[j], shuffled.Promotions[i]
		})
		again, err := pricing.Price(shuffled)
		if err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(res, again) {
			t.Fatalf("promotion order changed the result\n%s", describe(in))
		}
	}
	// The generator must exercise the promotions, or the test proves little.
	if applied < n/3 {
		t.Fatalf("only %d of %d carts had a promotion applied", applied, n)
	}
}

func TestPriceRejectsBadInput(t *testing.T) {
	rules := pricing.IndiaGST()
	for _, it := range []pricing.Item{
		{ID: "a", Quantity: 0, UnitPrice: inr(1)},
		{ID: "a", Quantity: 1, UnitPrice: inr(-1)},
		{ID: "a", Quantity: 1, UnitPrice: money.MustNew(1, "USD")},
		{ID: "a", Quantity: 1, UnitPrice: inr(pricing.MaxAmount + 1)},
	} {
		if _, err := pricing.Price(pricing.Input{Rules: &rules, Items: []pricing.Item{it}}); !errors.Is(err, pricing.ErrBadInput) {
			t.Errorf("%+v: %v", it, err)
		}
	}
}
