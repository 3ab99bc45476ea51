package carttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/cart/pricing"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
)

func errFields(err error) []string {
	var out []string
	if e := errs.As(err); e != nil {
		for _, f := range e.Fields {
			out = append(out, f.Field)
		}
	}
	return out
}

func testMerge(t *testing.T, e *Env) {
	ctx := context.Background()
	ok := must[cart.Cart](t)
	promo(t, e, pricing.Rule{Code: "FEST10", Kind: pricing.KindPercentage, PercentBP: 1000, Enabled: true})
	g := guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 6}, cart.AddItem{SKU: KurtaL, Quantity: 2}, cart.AddItem{SKU: Socks, Quantity: 1})
	g = ok(e.Service.ApplyCoupon(ctx, g.ID, e.Tok(g), "FEST10"))
	g = ok(e.Service.SetShippingAddress(ctx, g.ID, e.Tok(g), cart.Address{State: "MH", PostalCode: "411001"}))
	token := e.Tok(g)

	u := Member(ctx, user1)
	m := ok(e.Service.MyCart(u))
	m = ok(e.Service.AddItem(u, m.ID, "", cart.AddItem{SKU: Kurta, Quantity: 5}))
	m = ok(e.Service.AddItem(u, m.ID, "", cart.AddItem{SKU: KurtaL, Quantity: 2}))
	m = ok(e.Service.AddItem(u, m.ID, "", cart.AddItem{SKU: Saree, Quantity: 1}))

	_, err := e.Service.Merge(ctx, g.ID, "wrong", user1)
	is(t, err, cart.ErrCartNotFound)
	_, err = e.Service.Merge(Member(ctx, user2), g.ID, token, user1)
	is(t, err, authn.ErrForbidden)

	// The sign-in flow calls it without a principal.
	merged := ok(e.Service.Merge(ctx, g.ID, token, user1))
	want := map[string]int64{
		Kurta:  10, // 6 + 5, capped by the 10-per-line limit
		KurtaL: 3,  // 2 + 2, capped by the 3 in stock
		Socks:  1,
		Saree:  1,
	}
	if merged.ID != m.ID || len(merged.Lines) != len(want) {
		t.Fatalf("merged into %s, lines %+v", merged.ID, merged.Lines)
	}
	for sku, q := range want {
		if got := line(t, merged, sku).Quantity; got != q {
			t.Errorf("%s: %d, want %d", sku, got, q)
		}
	}
	if len(merged.Coupons) != 1 || !merged.Coupons[0].Applied || merged.ShippingAddress == nil || merged.ShippingAddress.PostalCode != "411001" {
		t.Fatalf("coupons %+v address %+v", merged.Coupons, merged.ShippingAddress)
	}

	again := ok(e.Service.Merge(ctx, g.ID, token, user1))
	if again.ID != m.ID || again.Version != merged.Version {
		t.Fatal("merging twice changed the member's cart")
	}
	old := ok(e.Service.Cart(ctx, g.ID, token))
	if old.Status != cart.StatusMerged || old.Ready {
		t.Fatalf("guest cart after merge: %s ready %v", old.Status, old.Ready)
	}
	_, err = e.Service.AddItem(ctx, g.ID, token, cart.AddItem{SKU: Socks, Quantity: 1})
	is(t, err, cart.ErrCartClosed)
	_, err = e.Service.Merge(ctx, g.ID, token, user2)
	is(t, err, cart.ErrCartClosed)

	// A new member has no cart yet: the guest's becomes theirs, whole.
	g2 := guest(t, e, cart.AddItem{SKU: Sneakers, Quantity: 1})
	m2 := ok(e.Service.Merge(ctx, g2.ID, e.Tok(g2), user3))
	if m2.UserID != user3 || len(m2.Lines) != 1 || m2.Lines[0].SKU != Sneakers {
		t.Fatalf("merge into a new account: %+v", m2)
	}
}

func testPurchaseLimits(t *testing.T, e *Env) {
	ctx := context.Background()
	ok := must[cart.Cart](t)
	staff := Staff(ctx)
	_, err := e.Service.SetPurchaseLimit(staff, cart.PurchaseLimit{SKU: Socks, MaxPerCustomer: 0})
	is(t, err, cart.ErrInvalidLimit)
	l := must[cart.PurchaseLimit](t)(e.Service.SetPurchaseLimit(staff, cart.PurchaseLimit{SKU: Socks, MaxPerCustomer: 2}))
	if l.MaxPerCustomer != 2 {
		t.Fatalf("%+v", l)
	}
	must[cart.PurchaseLimit](t)(e.Service.SetPurchaseLimit(staff, cart.PurchaseLimit{SKU: Tote, MaxPerCustomer: 1, StartsAt: ptr(Start.Add(time.Hour))}))

	g := guest(t, e)
	_, err = e.Service.AddItem(ctx, g.ID, e.Tok(g), cart.AddItem{SKU: Socks, Quantity: 3})
	is(t, err, cart.ErrPurchaseLimit)
	g = ok(e.Service.AddItem(ctx, g.ID, e.Tok(g), cart.AddItem{SKU: Socks, Quantity: 2}))
	g = ok(e.Service.AddItem(ctx, g.ID, e.Tok(g), cart.AddItem{SKU: Tote, Quantity: 2})) // not in force yet

	u := Member(ctx, user1)
	m := ok(e.Service.MyCart(u))
	m = ok(e.Service.AddItem(u, m.ID, "", cart.AddItem{SKU: Socks, Quantity: 2}))
	q := must[cart.Quote](t)(e.Service.Quote(u, m.ID, ""))
	if err := e.Service.Redeem(ctx, q.Redemption("order-limit-1")); err != nil {
		t.Fatal(err)
	}
	next := ok(e.Service.MyCart(u))
	if next.ID == m.ID || len(next.Lines) != 0 {
		t.Fatalf("after checkout the member has cart %s with %d lines", next.ID, len(next.Lines))
	}
	_, err = e.Service.AddItem(u, next.ID, "", cart.AddItem{SKU: Socks, Quantity: 1})
	is(t, err, cart.ErrPurchaseLimit)

	// Merging a guest's socks into the account is capped by what is left.
	g3 := guest(t, e, cart.AddItem{SKU: Socks, Quantity: 2}, cart.AddItem{SKU: Kurta, Quantity: 1})
	merged := ok(e.Service.Merge(ctx, g3.ID, e.Tok(g3), user1))
	if len(merged.Lines) != 1 || merged.Lines[0].SKU != Kurta {
		t.Fatalf("merge past the limit: %+v", merged.Lines)
	}

	// The order was cancelled: its units no longer count.
	if err := e.Service.ReleaseRedemption(ctx, "order-limit-1"); err != nil {
		t.Fatal(err)
	}
	next = ok(e.Service.AddItem(u, next.ID, "", cart.AddItem{SKU: Socks, Quantity: 2}))

	ls := must[[]cart.PurchaseLimit](t)(e.Service.PurchaseLimits(staff))
	if len(ls) != 2 || ls[0].SKU != Tote || ls[1].SKU != Socks {
		t.Fatalf("limits %+v", ls)
	}
	if err := e.Service.DeletePurchaseLimit(staff, Socks); err != nil {
		t.Fatal(err)
	}
	is(t, e.Service.DeletePurchaseLimit(staff, Socks), cart.ErrLimitNotFound)
	ok(e.Service.AddItem(u, next.ID, "", cart.AddItem{SKU: Socks, Quantity: 3}))
}

func testQuoteRedeem(t *testing.T, e *Env) {
	ctx := context.Background()
	ok := must[cart.Cart](t)
	fest := promo(t, e, pricing.Rule{Code: "FEST10", Kind: pricing.KindPercentage, PercentBP: 1000, Enabled: true})
	empty := guest(t, e)
	q := must[cart.Quote](t)(e.Service.Quote(ctx, empty.ID, e.Tok(empty)))
	is(t, q.CheckoutError(), cart.ErrCartEmpty)

	c := guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 1}, cart.AddItem{SKU: Sneakers, Quantity: 1})
	c = ok(e.Service.ApplyCoupon(ctx, c.ID, e.Tok(c), "FEST10"))
	q = must[cart.Quote](t)(e.Service.Quote(ctx, c.ID, e.Tok(c)))
	if q.CheckoutError() != nil || q.QuoteHash != c.QuoteHash || !q.QuotedAt.Equal(Start) {
		t.Fatalf("quote: %v hash %s vs %s", q.CheckoutError(), q.QuoteHash, c.QuoteHash)
	}
	r := q.Redemption("order-1")
	if len(r.Promotions) != 1 || r.Promotions[0] != fest.ID || len(r.Items) != 2 || r.CartID != c.ID {
		t.Fatalf("redemption %+v", r)
	}
	e.Catalog.SetPrice(Sneakers, 2599_00)
	changed := ok(e.Service.Cart(ctx, c.ID, e.Tok(c)))
	if changed.QuoteHash == q.QuoteHash {
		t.Fatal("a price change left the quote hash alone")
	}
	e.Catalog.SetPrice(Sneakers, 2499_00)
	if back := ok(e.Service.Cart(ctx, c.ID, e.Tok(c))); back.QuoteHash != q.QuoteHash {
		t.Fatal("the quote hash is not a function of the priced cart")
	}

	// The same redemption 8 times at once (a checkout and its retries):
	// each succeeds, and it counts once.
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := e.Service.Redeem(ctx, r); err != nil {
				t.Errorf("concurrent redeem: %v", err)
			}
		}()
	}
	wg.Wait()
	if err := e.Service.Redeem(ctx, r); err != nil {
		t.Fatalf("redeeming again must be a no-op: %v", err)
	}
	other := r
	other.Items = []cart.RedeemedItem{{SKU: Kurta, Quantity: 5}}
	is(t, e.Service.Redeem(ctx, other), cart.ErrReferenceReused)
	is(t, e.Service.Redeem(ctx, cart.Redemption{Reference: "has space", CartID: c.ID}), cart.ErrInvalidReference)
	if p := must[cart.Promotion](t)(e.Service.Promotion(Staff(ctx), fest.ID)); p.Uses != 1 {
		t.Fatalf("uses %d after one order", p.Uses)
	}
	closed := ok(e.Service.Cart(ctx, c.ID, e.Tok(c)))
	if closed.Status != cart.StatusOrdered || closed.Ready {
		t.Fatalf("cart after redeem: %s", closed.Status)
	}
	_, err := e.Service.AddItem(ctx, c.ID, e.Tok(c), cart.AddItem{SKU: Socks, Quantity: 1})
	is(t, err, cart.ErrCartClosed)
	_, err = e.Service.Quote(ctx, c.ID, e.Tok(c))
	is(t, err, cart.ErrCartClosed)

	if err := e.Service.ReleaseRedemption(ctx, "order-1"); err != nil {
		t.Fatal(err)
	}
	if p := must[cart.Promotion](t)(e.Service.Promotion(Staff(ctx), fest.ID)); p.Uses != 0 {
		t.Fatalf("uses %d after release", p.Uses)
	}
	reopened := ok(e.Service.Cart(ctx, c.ID, e.Tok(c)))
	if reopened.Status != cart.StatusActive || !reopened.Ready || len(reopened.Lines) != 2 {
		t.Fatalf("cart after release: %s ready %v", reopened.Status, reopened.Ready)
	}
	for _, ref := range []string{"order-1", "never-redeemed"} {
		if err := e.Service.ReleaseRedemption(ctx, ref); err != nil {
			t.Fatalf("release %s: %v", ref, err)
		}
	}
	is(t, e.Service.ReleaseRedemption(ctx, "bad ref"), cart.ErrInvalidReference)
	is(t, e.Service.Redeem(ctx, r), cart.ErrReferenceReused)
}

func testUsageLimits(t *testing.T, e *Env) {
	ctx := context.Background()
	ok := must[cart.Cart](t)
	last := promo(t, e, pricing.Rule{Code: "LAST1", Kind: pricing.KindFixed, Amount: ptr(inr(100_00)), UsageLimit: 1, Enabled: true})
	once := promo(t, e, pricing.Rule{Code: "ONCE", Kind: pricing.KindFixed, Amount: ptr(inr(50_00)), PerCustomerLimit: 1, Enabled: true})

	// Two shoppers hold the last use in their carts; the first order wins.
	a := guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 1})
	b := guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 1})
	a = ok(e.Service.ApplyCoupon(ctx, a.ID, e.Tok(a), "LAST1"))
	b = ok(e.Service.ApplyCoupon(ctx, b.ID, e.Tok(b), "LAST1"))
	qa := must[cart.Quote](t)(e.Service.Quote(ctx, a.ID, e.Tok(a)))
	qb := must[cart.Quote](t)(e.Service.Quote(ctx, b.ID, e.Tok(b)))
	if err := e.Service.Redeem(ctx, qa.Redemption("order-a")); err != nil {
		t.Fatal(err)
	}
	is(t, e.Service.Redeem(ctx, qb.Redemption("order-b")), cart.ErrCouponExhausted)
	if got := ok(e.Service.Cart(ctx, b.ID, e.Tok(b))); got.Status != cart.StatusActive || got.Coupons[0].Reason != pricing.ReasonExhausted {
		t.Fatalf("the losing cart: %s %+v", got.Status, got.Coupons)
	}
	if p := must[cart.Promotion](t)(e.Service.Promotion(Staff(ctx), last.ID)); p.Uses != 1 {
		t.Fatalf("uses %d", p.Uses)
	}
	fresh := guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 1})
	_, err := e.Service.ApplyCoupon(ctx, fresh.ID, e.Tok(fresh), "LAST1")
	is(t, err, cart.ErrCouponExhausted)

	// Per customer: a member uses ONCE once.
	u := Member(ctx, user2)
	m := ok(e.Service.MyCart(u))
	m = ok(e.Service.AddItem(u, m.ID, "", cart.AddItem{SKU: Socks, Quantity: 1}))
	m = ok(e.Service.ApplyCoupon(u, m.ID, "", "ONCE"))
	qm := must[cart.Quote](t)(e.Service.Quote(u, m.ID, ""))
	if len(qm.Redemption("x").Promotions) != 1 || qm.Redemption("x").Promotions[0] != once.ID {
		t.Fatalf("quote promotions %+v", qm.Totals.Discounts)
	}
	// Two orders from the same quote (two tabs): the second is refused.
	if err := e.Service.Redeem(ctx, qm.Redemption("order-m1")); err != nil {
		t.Fatal(err)
	}
	second := qm.Redemption("order-m2")
	is(t, e.Service.Redeem(ctx, second), cart.ErrCouponAlreadyUsed)
	n := ok(e.Service.MyCart(u))
	n = ok(e.Service.AddItem(u, n.ID, "", cart.AddItem{SKU: Socks, Quantity: 1}))
	_, err = e.Service.ApplyCoupon(u, n.ID, "", "ONCE")
	is(t, err, cart.ErrCouponAlreadyUsed)
}

func testPromotionAdmin(t *testing.T, e *Env) {
	staff := Staff(context.Background())
	_, err := e.Service.CreatePromotion(staff, pricing.Rule{Kind: "half", Code: "a b"})
	is(t, err, cart.ErrInvalidPromotion)
	if f := errFields(err); len(f) != 3 || f[0] != "name" {
		t.Fatalf("fields %v", f)
	}
	p1 := promo(t, e, pricing.Rule{Name: "Diwali", Code: "diwali", Kind: pricing.KindPercentage, PercentBP: 1500, Enabled: true,
		Target: pricing.Target{Brands: []string{"Biba"}}, StartsAt: ptr(Start), EndsAt: ptr(Start.Add(72 * time.Hour))})
	if p1.Code != "DIWALI" || p1.Version != 1 || p1.Stacking != pricing.StackCombinable || !p1.CreatedAt.Equal(Start) {
		t.Fatalf("created %+v", p1)
	}
	_, err = e.Service.CreatePromotion(staff, pricing.Rule{Name: "Again", Code: "Diwali", Kind: pricing.KindFreeShipping})
	is(t, err, cart.ErrCodeTaken)
	p2 := promo(t, e, pricing.Rule{Name: "Auto", Kind: pricing.KindFreeShipping, Enabled: true})
	p3 := promo(t, e, pricing.Rule{Name: "Third", Code: "THIRD", Kind: pricing.KindFixed, Amount: ptr(inr(10_00))})

	got := must[cart.Promotion](t)(e.Service.Promotion(staff, p1.ID))
	if got.Name != "Diwali" || got.Target.Brands[0] != "Biba" || !got.EndsAt.Equal(Start.Add(72*time.Hour)) {
		t.Fatalf("read back %+v", got)
	}
	in := got.Rule
	in.PercentBP = 2000
	up := must[cart.Promotion](t)(e.Service.UpdatePromotion(staff, p1.ID, in))
	if up.PercentBP != 2000 || up.Version != 2 || !up.CreatedAt.Equal(p1.CreatedAt) {
		t.Fatalf("updated %+v", up)
	}
	in.Code = "THIRD"
	_, err = e.Service.UpdatePromotion(staff, p1.ID, in)
	is(t, err, cart.ErrCodeTaken)

	page := must[cart.PromotionPage](t)(e.Service.Promotions(staff, cart.PromotionQuery{PageSize: 2}))
	if len(page.Items) != 2 || page.Items[0].ID != p3.ID || page.Items[1].ID != p2.ID || page.NextPageToken == "" {
		t.Fatalf("first page %+v", page)
	}
	page = must[cart.PromotionPage](t)(e.Service.Promotions(staff, cart.PromotionQuery{PageSize: 2, PageToken: page.NextPageToken}))
	if len(page.Items) != 1 || page.Items[0].ID != p1.ID || page.NextPageToken != "" {
		t.Fatalf("second page %+v", page)
	}
	_, err = e.Service.Promotions(staff, cart.PromotionQuery{PageSize: 101})
	is(t, err, cart.ErrInvalidPageSize)
	_, err = e.Service.Promotions(staff, cart.PromotionQuery{PageToken: "garbage!"})
	is(t, err, cart.ErrInvalidPageToken)

	if err := e.Service.DeletePromotion(staff, p3.ID); err != nil {
		t.Fatal(err)
	}
	_, err = e.Service.Promotion(staff, p3.ID)
	is(t, err, cart.ErrPromotionNotFound)
	is(t, e.Service.DeletePromotion(staff, p3.ID), cart.ErrPromotionNotFound)
	_, err = e.Service.UpdatePromotion(staff, p3.ID, in)
	is(t, err, cart.ErrPromotionNotFound)
}

func testExpiry(t *testing.T, e *Env) {
	ctx := context.Background()
	ok := must[cart.Cart](t)
	stale := guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 1})
	kept := guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 1})
	u := Member(ctx, user1)
	m := ok(e.Service.MyCart(u))

	e.Clock.Advance(20 * 24 * time.Hour)
	ok(e.Service.AddItem(ctx, kept.ID, e.Tok(kept), cart.AddItem{SKU: Socks, Quantity: 1})) // a change: 30 more days
	e.Clock.Advance(10*24*time.Hour - time.Millisecond)
	ok(e.Service.Cart(ctx, stale.ID, e.Tok(stale))) // just inside 30 days
	e.Clock.Advance(time.Millisecond)
	_, err := e.Service.Cart(ctx, stale.ID, e.Tok(stale))
	is(t, err, cart.ErrCartNotFound)

	n, err := e.Core.Sweep(ctx)
	if err != nil || n != 1 {
		t.Fatalf("swept %d: %v", n, err)
	}
	if _, err := e.Store.Cart(ctx, stale.ID); !isNotFoundErr(err) {
		t.Fatalf("the expired cart is still stored: %v", err)
	}
	ok(e.Service.Cart(ctx, kept.ID, e.Tok(kept)))
	if got := ok(e.Service.MyCart(u)); got.ID != m.ID {
		t.Fatal("a member's cart must not expire")
	}
}

func isNotFoundErr(err error) bool { return errs.CodeOf(err) == cart.ErrCartNotFound.Code }

func testEvents(t *testing.T, e *Env) {
	ctx := context.Background()
	ok := must[cart.Cart](t)
	c := must[cart.Cart](t)(e.Service.CreateCart(ctx, cart.NewCart{DeviceID: "device-abcdefgh"}))
	e.remember(c)
	c = ok(e.Service.AddItem(ctx, c.ID, e.Tok(c), cart.AddItem{SKU: Kurta, Quantity: 2}))
	l := line(t, c, Kurta)
	ok(e.Service.UpdateItem(ctx, c.ID, e.Tok(c), l.ID, 5)) // +3
	ok(e.Service.UpdateItem(ctx, c.ID, e.Tok(c), l.ID, 1)) // fewer: no event
	u := Member(ctx, user1)
	m := ok(e.Service.MyCart(u))
	ok(e.Service.AddItem(u, m.ID, "", cart.AddItem{SKU: Sneakers, Quantity: 1}))
	_, err := e.Service.AddItem(ctx, c.ID, e.Tok(c), cart.AddItem{SKU: SoldOut, Quantity: 1}) // refused: no event
	is(t, err, cart.ErrOutOfStock)

	evs := e.Outbox(t)
	if len(evs) != 3 {
		t.Fatalf("%d events, want 3", len(evs))
	}
	var got []cart.ItemAdded
	for _, ev := range evs {
		var d cart.ItemAdded
		if ev.Type != cart.SubjectItemAdded || ev.ID == "" || ev.Decode(&d) != nil {
			t.Fatalf("event %+v", ev)
		}
		got = append(got, d)
	}
	if g := got[0]; g.CartID != c.ID || g.DeviceID != "device-abcdefgh" || g.UserID != "" || g.SKU != Kurta ||
		g.ProductID == "" || g.Category != "kurtas" || g.Quantity != 2 || !g.At.Equal(Start) {
		t.Fatalf("first event %+v", g)
	}
	if got[1].Quantity != 3 || got[2].UserID != user1 || got[2].SKU != Sneakers || got[2].Category != "sneakers" {
		t.Fatalf("events %+v", got)
	}
}

// Many checkouts redeem at once, as in a sale (on PostgreSQL the
// redemptions that arrive together are done as one batch): each gets the
// answer it would get alone. Guests' carts close under their references; a
// replay is a no-op and a reference reused for another body is refused; a
// guest over a purchase limit is refused and a member's earlier purchases
// count; two references for one cart both succeed, the cart closing once.
func testManyRedemptions(t *testing.T, e *Env) {
	ctx := context.Background()
	staff := Staff(ctx)
	must[cart.PurchaseLimit](t)(e.Service.SetPurchaseLimit(staff, cart.PurchaseLimit{SKU: Socks, MaxPerCustomer: 2}))
	redeemed := func(ref, cartID, user string, items ...cart.RedeemedItem) cart.Redemption {
		return cart.Redemption{Reference: ref, CartID: cartID, UserID: user, Promotions: []string{}, Items: items}
	}
	kurta := cart.RedeemedItem{SKU: Kurta, Quantity: 1}
	socks := func(n int64) cart.RedeemedItem { return cart.RedeemedItem{SKU: Socks, Quantity: n} }

	// Before the rush: one order placed, and a member who bought two socks.
	early := guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 1})
	placed := redeemed("order-early", early.ID, "", kurta)
	if err := e.Service.Redeem(ctx, placed); err != nil {
		t.Fatal(err)
	}
	if err := e.Service.Redeem(ctx, redeemed("order-m-early", ids.New(), user1, socks(2))); err != nil {
		t.Fatal(err)
	}

	type try struct {
		r    cart.Redemption
		want *errs.Error // nil: succeeds
	}
	var tries []try
	guests := make([]cart.Cart, 24)
	for i := range guests {
		guests[i] = guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 1})
		tries = append(tries, try{redeemed(fmt.Sprint("order-g", i), guests[i].ID, "", kurta), nil})
	}
	shared := guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 1})
	tries = append(tries,
		try{placed, nil}, // a replay
		try{redeemed("order-early", shared.ID, "", kurta), cart.ErrReferenceReused},
		try{redeemed("order-over", ids.New(), "", socks(3)), cart.ErrPurchaseLimit},      // a guest over the limit
		try{redeemed("order-m-over", ids.New(), user1, socks(1)), cart.ErrPurchaseLimit}, // had two already
		try{redeemed("order-m-fine", ids.New(), user2, socks(2), kurta), nil},
		try{redeemed("order-s1", shared.ID, "", kurta), nil},
		try{redeemed("order-s2", shared.ID, "", kurta), nil},
	)
	// One new reference, two bodies at once: exactly one is taken.
	dupA, dupB := guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 1}), guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 1})
	dups := []cart.Redemption{redeemed("order-dup", dupA.ID, "", kurta), redeemed("order-dup", dupB.ID, "", kurta)}
	got, dupGot := make([]error, len(tries)), make([]error, len(dups))
	var wg sync.WaitGroup
	for i, tr := range tries {
		wg.Go(func() { got[i] = e.Service.Redeem(ctx, tr.r) })
	}
	for i, r := range dups {
		wg.Go(func() { dupGot[i] = e.Service.Redeem(ctx, r) })
	}
	wg.Wait()
	if (dupGot[0] == nil) == (dupGot[1] == nil) || !errors.Is(errors.Join(dupGot...), cart.ErrReferenceReused) {
		t.Errorf("one reference, two bodies: %v", dupGot)
	}
	for i, tr := range tries {
		switch {
		case tr.want == nil && got[i] != nil:
			t.Errorf("%s: %v", tr.r.Reference, got[i])
		case tr.want != nil && !errors.Is(got[i], tr.want):
			t.Errorf("%s: %v, want %s", tr.r.Reference, got[i], tr.want.Code)
		}
	}
	for i, g := range append(guests, shared) {
		if c := must[cart.Cart](t)(e.Service.Cart(ctx, g.ID, e.Tok(g))); c.Status != cart.StatusOrdered {
			t.Errorf("cart %d: %s after its checkout", i, c.Status)
		}
	}
	// The refused redemptions wrote nothing: their references are free.
	if err := e.Service.Redeem(ctx, redeemed("order-over", ids.New(), "", socks(2))); err != nil {
		t.Errorf("a refused reference, used again: %v", err)
	}
	// user2's two socks count towards the limit now.
	is(t, e.Service.Redeem(ctx, redeemed("order-m-again", ids.New(), user2, socks(1))), cart.ErrPurchaseLimit)
}
