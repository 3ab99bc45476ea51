package carttest

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/cart/pricing"
)

func testWarnings(t *testing.T, e *Env) {
	ctx := context.Background()
	ok := must[cart.Cart](t)
	c := guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 3}, cart.AddItem{SKU: KurtaL, Quantity: 2},
		cart.AddItem{SKU: Saree, Quantity: 1}, cart.AddItem{SKU: Socks, Quantity: 1}, cart.AddItem{SKU: Tote, Quantity: 1})
	if !c.Ready {
		t.Fatalf("fresh cart not ready: %+v", c.Lines)
	}
	e.Catalog.SetPrice(Kurta, 1199_00)
	e.Inventory.Set(KurtaL, 1)
	e.Inventory.Set(Socks, 0)
	e.Catalog.Archive(Tote)
	c = ok(e.Service.Cart(ctx, c.ID, e.Tok(c)))

	k := line(t, c, Kurta)
	w, found := warning(k, cart.WarnPriceChanged)
	if !found || w.Blocking || w.Was.Amount != 1299_00 || w.Now.Amount != 1199_00 || !strings.Contains(w.Message, "dropped") {
		t.Fatalf("kurta warnings %+v", k.Warnings)
	}
	if k.UnitPrice.Amount != 1199_00 || k.AddedPrice.Amount != 1299_00 || k.Subtotal.Amount != 3*1199_00 {
		t.Fatalf("the new price must be shown and used: %+v", k)
	}
	if w, found := warning(line(t, c, KurtaL), cart.WarnInsufficientStock); !found || !w.Blocking || *w.Available != 1 {
		t.Fatalf("KurtaL warnings %+v", line(t, c, KurtaL).Warnings)
	}
	if w, found := warning(line(t, c, Saree), cart.WarnLowStock); !found || w.Blocking || *w.Available != 5 {
		t.Fatalf("saree warnings %+v", line(t, c, Saree).Warnings)
	}
	s := line(t, c, Socks)
	if _, found := warning(s, cart.WarnOutOfStock); !found || s.Purchasable || s.Subtotal.Amount != 0 {
		t.Fatalf("socks %+v", s)
	}
	tote := line(t, c, Tote)
	if _, found := warning(tote, cart.WarnUnavailable); !found || tote.Purchasable || tote.Total.Amount != 0 {
		t.Fatalf("tote %+v", tote)
	}
	want := int64(3*1199_00 + 2*1299_00 + 7999_00)
	if c.Ready || c.Totals.Subtotal.Amount != want {
		t.Fatalf("ready %v subtotal %v, want %d", c.Ready, c.Totals.Subtotal, want)
	}
	q, err := e.Service.Quote(ctx, c.ID, e.Tok(c))
	if err != nil {
		t.Fatal(err)
	}
	is(t, q.CheckoutError(), cart.ErrCartNotReady)

	// Changing the line accepts today's price; the other problems are
	// fixed by the shopper, one by one.
	c = ok(e.Service.UpdateItem(ctx, c.ID, e.Tok(c), k.ID, 3))
	if k := line(t, c, Kurta); len(k.Warnings) != 0 || k.AddedPrice.Amount != 1199_00 {
		t.Fatalf("after update: %+v", k)
	}
	c = ok(e.Service.UpdateItem(ctx, c.ID, e.Tok(c), line(t, c, KurtaL).ID, 1))
	c = ok(e.Service.RemoveItem(ctx, c.ID, e.Tok(c), s.ID))
	c = ok(e.Service.RemoveItem(ctx, c.ID, e.Tok(c), tote.ID))
	if !c.Ready {
		t.Fatalf("still not ready: %+v", c.Lines)
	}
	e.Catalog.Remove(Saree)
	c = ok(e.Service.Cart(ctx, c.ID, e.Tok(c)))
	if _, found := warning(line(t, c, Saree), cart.WarnUnavailable); !found || c.Ready {
		t.Fatal("a SKU gone from the catalogue must show as unavailable")
	}
}

func testDegraded(t *testing.T, e *Env) {
	ctx := context.Background()
	ok := must[cart.Cart](t)
	c := guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 1})

	e.Catalog.Fail(ErrDown)
	got := ok(e.Service.Cart(ctx, c.ID, e.Tok(c)))
	if got.Ready || len(got.Warnings) != 1 || got.Warnings[0].Code != cart.WarnPricingUnavailable ||
		got.Lines[0].UnitPrice.Amount != 1299_00 || got.Totals.Grand.Amount != 1299_00 {
		t.Fatalf("with the catalogue down: %+v", got)
	}
	_, err := e.Service.Quote(ctx, c.ID, e.Tok(c))
	is(t, err, cart.ErrPricingUnavailable)
	_, err = e.Service.AddItem(ctx, c.ID, e.Tok(c), cart.AddItem{SKU: Socks, Quantity: 1})
	is(t, err, cart.ErrPricingUnavailable)
	e.Catalog.Fail(nil)

	e.Inventory.Fail(ErrDown)
	got = ok(e.Service.AddItem(ctx, c.ID, e.Tok(c), cart.AddItem{SKU: Socks, Quantity: 1}))
	if got.Ready || len(got.Warnings) != 1 || got.Warnings[0].Code != cart.WarnAvailabilityUnknown || got.Lines[1].Available != nil {
		t.Fatalf("with inventory down: %+v", got)
	}
	_, err = e.Service.Quote(ctx, c.ID, e.Tok(c))
	is(t, err, cart.ErrAvailabilityUnavailable)
	e.Inventory.Fail(nil)
	if q, err := e.Service.Quote(ctx, c.ID, e.Tok(c)); err != nil || !q.Ready || q.CheckoutError() != nil {
		t.Fatalf("quote after recovery: %v %+v", err, q.Warnings)
	}
}

// promo creates a promotion as staff.
func promo(t *testing.T, e *Env, r pricing.Rule) cart.Promotion {
	t.Helper()
	if r.Name == "" {
		r.Name = "promo " + r.Code
	}
	return must[cart.Promotion](t)(e.Service.CreatePromotion(Staff(context.Background()), r))
}

func testCoupons(t *testing.T, e *Env) {
	ctx := context.Background()
	ok := must[cart.Cart](t)
	fest := promo(t, e, pricing.Rule{Code: "FEST10", Kind: pricing.KindPercentage, PercentBP: 1000,
		Target: pricing.Target{Collections: []string{"festive"}}, Enabled: true})
	promo(t, e, pricing.Rule{Code: "OLD100", Kind: pricing.KindFixed, Amount: ptr(inr(100_00)), EndsAt: ptr(Start.Add(-time.Hour)), Enabled: true})
	promo(t, e, pricing.Rule{Code: "SOON100", Kind: pricing.KindFixed, Amount: ptr(inr(100_00)), StartsAt: ptr(Start.Add(24 * time.Hour)), Enabled: true})
	promo(t, e, pricing.Rule{Code: "OFF100", Kind: pricing.KindFixed, Amount: ptr(inr(100_00))})
	promo(t, e, pricing.Rule{Code: "ONCE", Kind: pricing.KindFixed, Amount: ptr(inr(50_00)), PerCustomerLimit: 1, Enabled: true})
	promo(t, e, pricing.Rule{Code: "BIG500", Kind: pricing.KindFixed, Amount: ptr(inr(500_00)), MinSubtotal: ptr(inr(50_000_00)), Enabled: true})
	promo(t, e, pricing.Rule{Code: "SHOES", Kind: pricing.KindPercentage, PercentBP: 1500, Target: pricing.Target{Categories: []string{"footwear"}}, Enabled: true})

	c := guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 2}, cart.AddItem{SKU: Socks, Quantity: 1})
	apply := func(code string) error {
		_, err := e.Service.ApplyCoupon(ctx, c.ID, e.Tok(c), code)
		return err
	}
	is(t, apply("x"), cart.ErrInvalidCouponCode)
	is(t, apply("NOSUCH"), cart.ErrCouponNotFound)
	is(t, apply("old100"), cart.ErrCouponExpired)
	is(t, apply("SOON100"), cart.ErrCouponNotStarted)
	is(t, apply("OFF100"), cart.ErrCouponInactive)
	is(t, apply("ONCE"), cart.ErrCouponRequiresAccount)
	is(t, apply("SHOES"), cart.ErrCouponNotApplicable)
	err := apply("BIG500")
	is(t, err, cart.ErrCouponNotApplicable)
	if !strings.Contains(err.Error(), "more") {
		t.Fatalf("the refusal should say how much more to add: %v", err)
	}

	got := ok(e.Service.ApplyCoupon(ctx, c.ID, e.Tok(c), " fest10 "))
	// 10% of the festive kurtas (₹2,598): ₹259.80; the socks are not festive.
	if len(got.Coupons) != 1 || !got.Coupons[0].Applied || got.Coupons[0].Code != "FEST10" ||
		line(t, got, Kurta).Discount.Amount != 259_80 || line(t, got, Socks).Discount.Amount != 0 ||
		got.Totals.Grand.Amount != 2598_00-259_80+399_00 || len(got.Totals.Discounts) != 1 || got.Totals.Discounts[0].PromotionID != fest.ID {
		t.Fatalf("with FEST10: coupons %+v totals %+v", got.Coupons, got.Totals)
	}
	again := ok(e.Service.ApplyCoupon(ctx, c.ID, e.Tok(c), "FEST10"))
	if len(again.Coupons) != 1 || again.Version != got.Version {
		t.Fatal("applying a code twice must change nothing")
	}
	// The coupon stays on the cart when it stops applying, and says why.
	kurta := line(t, got, Kurta)
	got = ok(e.Service.RemoveItem(ctx, c.ID, e.Tok(c), kurta.ID))
	if got.Coupons[0].Applied || got.Coupons[0].Reason != pricing.ReasonNoQualifyingItem || got.Totals.Discount.Amount != 0 {
		t.Fatalf("coupon after its items left: %+v", got.Coupons)
	}
	got = ok(e.Service.RemoveCoupon(ctx, c.ID, e.Tok(c), "fest10"))
	if len(got.Coupons) != 0 {
		t.Fatal("coupon not removed")
	}
	_, err = e.Service.RemoveCoupon(ctx, c.ID, e.Tok(c), "FEST10")
	is(t, err, cart.ErrCouponNotOnCart)

	// A member may use ONCE.
	u := Member(ctx, user1)
	m := ok(e.Service.MyCart(u))
	m = ok(e.Service.AddItem(u, m.ID, "", cart.AddItem{SKU: Socks, Quantity: 1}))
	m = ok(e.Service.ApplyCoupon(u, m.ID, "", "ONCE"))
	if m.Totals.Discount.Amount != 50_00 {
		t.Fatalf("ONCE for a member: %+v", m.Totals)
	}

	// An automatic promotion applies by itself: free shipping on socks.
	promo(t, e, pricing.Rule{Name: "Free shipping on socks", Kind: pricing.KindFreeShipping, Target: pricing.Target{SKUs: []string{Socks}}, Enabled: true})
	got = ok(e.Service.Cart(ctx, c.ID, e.Tok(c)))
	if got.Shipping.Fee.Amount != 79_00 || got.Shipping.Charged.Amount != 0 || got.Totals.Grand.Amount != 399_00 || got.Totals.Discount.Amount != 79_00 {
		t.Fatalf("automatic free shipping: %+v %+v", got.Shipping, got.Totals)
	}
}

func testStacking(t *testing.T, e *Env) {
	ctx := context.Background()
	ok := must[cart.Cart](t)
	promo(t, e, pricing.Rule{Code: "FEST10", Kind: pricing.KindPercentage, PercentBP: 1000, Enabled: true})
	promo(t, e, pricing.Rule{Code: "FLAT200", Kind: pricing.KindFixed, Amount: ptr(inr(200_00)), Priority: -1, Enabled: true})
	c := guest(t, e, cart.AddItem{SKU: Saree, Quantity: 1})
	c = ok(e.Service.ApplyCoupon(ctx, c.ID, e.Tok(c), "FEST10"))
	c = ok(e.Service.ApplyCoupon(ctx, c.ID, e.Tok(c), "FLAT200"))
	// 10% of ₹7,999 = ₹799.90 first (higher priority), then ₹200.
	if c.Totals.Discount.Amount != 799_90+200_00 || len(c.Totals.Discounts) != 2 {
		t.Fatalf("combined: %+v", c.Totals)
	}
	// An automatic exclusive sale with a higher priority takes over: the
	// coupons on the cart stop applying and say why; a new one is refused.
	promo(t, e, pricing.Rule{Name: "Sale", Kind: pricing.KindPercentage, PercentBP: 2000, Stacking: pricing.StackExclusive, Priority: 10, Enabled: true})
	promo(t, e, pricing.Rule{Code: "EXTRA5", Kind: pricing.KindPercentage, PercentBP: 500, Enabled: true})
	c = ok(e.Service.Cart(ctx, c.ID, e.Tok(c)))
	if c.Totals.Discount.Amount != 1599_80 || len(c.Totals.Discounts) != 1 {
		t.Fatalf("exclusive sale: %+v", c.Totals)
	}
	for _, cp := range c.Coupons {
		if cp.Applied || cp.Reason != pricing.ReasonNotCombinable {
			t.Fatalf("coupon %+v under an exclusive sale", cp)
		}
	}
	_, err := e.Service.ApplyCoupon(ctx, c.ID, e.Tok(c), "EXTRA5")
	is(t, err, cart.ErrCouponNotCombinable)
}

func testAddress(t *testing.T, e *Env) {
	ctx := context.Background()
	ok := must[cart.Cart](t)
	c := guest(t, e, cart.AddItem{SKU: Socks, Quantity: 1})
	set := func(a cart.Address) (cart.Cart, error) { return e.Service.SetShippingAddress(ctx, c.ID, e.Tok(c), a) }

	_, err := set(cart.Address{PostalCode: "012345"})
	is(t, err, cart.ErrInvalidAddress)
	var fields []string
	for _, f := range errFields(err) {
		fields = append(fields, f)
	}
	if !slices.Equal(fields, []string{"postal_code", "state"}) {
		t.Fatalf("fields %v", fields)
	}
	_, err = set(cart.Address{State: "Atlantis", PostalCode: "400001"})
	is(t, err, cart.ErrInvalidAddress)
	_, err = set(cart.Address{Country: "US", State: "CA", PostalCode: "94105"})
	is(t, err, cart.ErrShippingUnavailable)
	// The storefront's report: Mumbai's PIN code with Karnataka.
	_, err = set(cart.Address{State: "KA", PostalCode: "400001"})
	is(t, err, cart.ErrPostalCodeStateMismatch)
	if f := errFields(err); !slices.Equal(f, []string{"postal_code"}) {
		t.Fatalf("mismatch fields %v", f)
	}
	_, err = set(cart.Address{State: "Tamil Nadu", PostalCode: "560001", Phone: "x"})
	is(t, err, cart.ErrInvalidAddress)
	if f := errFields(err); !slices.Equal(f, []string{"phone", "postal_code"}) {
		t.Fatalf("fields %v", f)
	}
	for _, a := range []cart.Address{
		{State: "GA", PostalCode: "403001"},          // Goa within Maharashtra's circle
		{State: "Chandigarh", PostalCode: "160017"},  // within Punjab's
		{State: "Pondicherry", PostalCode: "605001"}, // within Tamil Nadu's
		{State: "TG", PostalCode: "500001"},
		{State: "33", PostalCode: "600001"}, // by GST state code
	} {
		if _, err := set(a); err != nil {
			t.Fatalf("%+v: %v", a, err)
		}
	}

	got := ok(set(cart.Address{Name: "Asha Rao", Line1: "12 Marine Drive", City: "Mumbai", State: "mh", PostalCode: "400001"}))
	if got.ShippingAddress == nil || got.ShippingAddress.State != "Maharashtra" || got.ShippingAddress.Country != "IN" ||
		got.Shipping.Zone != "maharashtra-goa" || got.Shipping.Fee.Amount != 49_00 || !got.Shipping.CODAvailable || got.Shipping.Estimated ||
		!slices.Equal(taxNames(got), []string{"CGST", "SGST"}) {
		t.Fatalf("Mumbai: %+v %+v %v", got.ShippingAddress, got.Shipping, taxNames(got))
	}
	got = ok(set(cart.Address{State: "Karnataka", PostalCode: "560001"}))
	if got.Shipping.Fee.Amount != 79_00 || !slices.Equal(taxNames(got), []string{"IGST"}) {
		t.Fatalf("Bengaluru: %+v %v", got.Shipping, taxNames(got))
	}
	got = ok(set(cart.Address{State: "Assam", PostalCode: "781001"}))
	if got.Shipping.Zone != "north-east-jk-islands" || got.Shipping.Fee.Amount != 149_00 || got.Shipping.CODAvailable {
		t.Fatalf("Guwahati: %+v", got.Shipping)
	}
	if got.QuoteHash == c.QuoteHash {
		t.Fatal("the quote hash did not change with the shipping")
	}

	// QuoteTo prices for another address and leaves the cart's alone.
	q, err := e.Service.QuoteTo(ctx, c.ID, e.Tok(c), cart.Address{State: "karnataka", PostalCode: "560001"})
	if err != nil || q.ShippingAddress == nil || q.ShippingAddress.State != "Karnataka" ||
		q.Shipping.Fee.Amount != 79_00 || !slices.Equal(taxNames(q.Cart), []string{"IGST"}) {
		t.Fatalf("quote to Bengaluru: %v %+v %v", err, q.Shipping, taxNames(q.Cart))
	}
	_, err = e.Service.QuoteTo(ctx, c.ID, e.Tok(c), cart.Address{State: "KA", PostalCode: "400001"})
	is(t, err, cart.ErrPostalCodeStateMismatch)
	_, err = e.Service.QuoteTo(ctx, c.ID, "", cart.Address{State: "Karnataka", PostalCode: "560001"})
	if err == nil {
		t.Fatal("QuoteTo without the guest cart's token")
	}
	if now := ok(e.Service.Cart(ctx, c.ID, e.Tok(c))); now.ShippingAddress == nil || now.ShippingAddress.State != "Assam" {
		t.Fatalf("QuoteTo moved the cart: %+v", now.ShippingAddress)
	}
}
