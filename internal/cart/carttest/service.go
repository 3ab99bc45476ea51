package carttest

import (
	"context"
	"slices"
	"sync"
	"testing"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// ServiceSuite checks a cart.Service: newEnv returns a fresh one (Core, or
// the HTTP client of one).
func ServiceSuite(t *testing.T, newEnv func(t *testing.T) *Env) {
	cases := []struct {
		name string
		fn   func(t *testing.T, e *Env)
	}{
		{"guest cart lifecycle", testGuestLifecycle},
		{"bad input leaves the cart unchanged", testBadInput},
		{"member carts", testMemberCarts},
		{"line warnings on re-pricing", testWarnings},
		{"catalogue or inventory down", testDegraded},
		{"coupons", testCoupons},
		{"stacking", testStacking},
		{"shipping address, zones and GST", testAddress},
		{"merge at sign-in", testMerge},
		{"purchase limits", testPurchaseLimits},
		{"quote, redeem, release", testQuoteRedeem},
		{"many redemptions at once", testManyRedemptions},
		{"usage limits at redemption", testUsageLimits},
		{"promotion admin", testPromotionAdmin},
		{"guest carts expire", testExpiry},
		{"item_added events", testEvents},
		{"concurrent adds", testConcurrentAdds},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newEnv(t)) })
	}
}

var (
	user1 = "0190a000-0000-7000-8000-0000000000b1"
	user2 = "0190a000-0000-7000-8000-0000000000b2"
	user3 = "0190a000-0000-7000-8000-0000000000b3"
)

// guest opens a guest cart with some lines.
func guest(t *testing.T, e *Env, lines ...cart.AddItem) cart.Cart {
	t.Helper()
	ctx := context.Background()
	c := must[cart.Cart](t)(e.Service.CreateCart(ctx, cart.NewCart{}))
	e.remember(c)
	for _, l := range lines {
		c = must[cart.Cart](t)(e.Service.AddItem(ctx, c.ID, e.Tok(c), l))
	}
	return c
}

func line(t *testing.T, c cart.Cart, sku string) cart.Line {
	t.Helper()
	for _, l := range c.Lines {
		if l.SKU == sku {
			return l
		}
	}
	t.Fatalf("no line for %s in %+v", sku, c.Lines)
	return cart.Line{}
}

func warning(l cart.Line, code string) (cart.Warning, bool) {
	for _, w := range l.Warnings {
		if w.Code == code {
			return w, true
		}
	}
	return cart.Warning{}, false
}

func taxNames(c cart.Cart) []string {
	var out []string
	for _, x := range c.Totals.Taxes {
		out = append(out, x.Name)
	}
	return out
}

func testGuestLifecycle(t *testing.T, e *Env) {
	ctx := context.Background()
	ok := must[cart.Cart](t)
	c := ok(e.Service.CreateCart(ctx, cart.NewCart{DeviceID: "device-0123456789"}))
	if c.Token == "" || c.Status != cart.StatusActive || len(c.Lines) != 0 || c.Totals.Grand.Amount != 0 || c.Ready {
		t.Fatalf("new cart %+v", c)
	}
	if c.ExpiresAt == nil || !c.ExpiresAt.Equal(Start.Add(30*24*3600e9)) {
		t.Fatalf("expires %v", c.ExpiresAt)
	}
	id, token := c.ID, c.Token

	c = ok(e.Service.AddItem(ctx, id, token, cart.AddItem{SKU: Kurta, Quantity: 2}))
	if c.Token != "" {
		t.Fatal("the token is repeated after creation")
	}
	l := line(t, c, Kurta)
	// ₹1,299 × 2 at 5% GST (₹1,237.14 a piece, under ₹2,500): tax
	// 259800 × 5/105 = 12371.43 → 12371, CGST takes the odd paisa.
	if l.Quantity != 2 || l.UnitPrice.Amount != 1299_00 || l.Subtotal.Amount != 2598_00 || l.TaxRateBP != 500 ||
		l.Tax.Amount != 12371 || l.Taxes[0].Amount.Amount != 6186 || l.Taxes[1].Amount.Amount != 6185 || !l.Purchasable ||
		l.Title != "Red cotton kurta" || l.Size != "M" || l.CompareAt == nil {
		t.Fatalf("line %+v", l)
	}
	if c.Totals.Grand.Amount != 2598_00 || c.Shipping.Fee.Amount != 0 || !c.Shipping.Estimated || !c.Ready || c.Version != 2 {
		t.Fatalf("cart totals %+v shipping %+v ready %v version %d", c.Totals, c.Shipping, c.Ready, c.Version)
	}

	c = ok(e.Service.AddItem(ctx, id, token, cart.AddItem{SKU: Kurta, Quantity: 1}))
	if len(c.Lines) != 1 || c.Lines[0].Quantity != 3 {
		t.Fatalf("adding a SKU again must sum into its line: %+v", c.Lines)
	}
	read := ok(e.Service.Cart(ctx, id, token))
	if read.QuoteHash != c.QuoteHash || read.Version != c.Version {
		t.Fatalf("read %s v%d after write %s v%d", read.QuoteHash, read.Version, c.QuoteHash, c.Version)
	}

	c = ok(e.Service.UpdateItem(ctx, id, token, l.ID, 1))
	c = ok(e.Service.AddItem(ctx, id, token, cart.AddItem{SKU: Socks, Quantity: 1}))
	if c.Totals.Grand.Amount != 1299_00+399_00 {
		t.Fatalf("grand %v", c.Totals.Grand)
	}
	c = ok(e.Service.RemoveItem(ctx, id, token, l.ID))
	// Socks alone, ₹399: under ₹999, so ₹79 shipping, taxed at the goods' 5%.
	if len(c.Lines) != 1 || c.Shipping.Fee.Amount != 79_00 || c.Totals.Grand.Amount != 478_00 ||
		c.Totals.Tax.Amount != 1900+376 {
		t.Fatalf("after remove: lines %d shipping %+v totals %+v", len(c.Lines), c.Shipping, c.Totals)
	}

	for _, tok := range []string{"", "not-the-token", token + "x"} {
		_, err := e.Service.Cart(ctx, id, tok)
		is(t, err, cart.ErrCartNotFound)
	}
	_, err := e.Service.Cart(ctx, "not-an-id", token)
	is(t, err, cart.ErrCartNotFound)
	_, err = e.Service.CreateCart(ctx, cart.NewCart{DeviceID: "bad device!"})
	is(t, err, cart.ErrInvalidDevice)
}

func testBadInput(t *testing.T, e *Env) {
	ctx := context.Background()
	c := guest(t, e, cart.AddItem{SKU: Kurta, Quantity: 2})
	other := guest(t, e, cart.AddItem{SKU: Socks, Quantity: 1})
	kurta := line(t, c, Kurta)
	cases := []struct {
		name string
		call func() error
		want *errs.Error
	}{
		{"quantity zero", add(e, c, Socks, 0), cart.ErrInvalidQuantity},
		{"quantity negative", add(e, c, Socks, -1), cart.ErrInvalidQuantity},
		{"quantity over the line limit", add(e, c, Socks, 11), cart.ErrQuantityLimit},
		{"line total over the limit", add(e, c, Kurta, 9), cart.ErrQuantityLimit},
		{"unknown SKU", add(e, c, NoSuchSKU, 1), cart.ErrUnknownSKU},
		{"malformed SKU", add(e, c, "bad sku!", 1), cart.ErrInvalidSKU},
		{"archived product", add(e, c, OldTee, 1), cart.ErrProductUnavailable},
		{"out of stock", add(e, c, SoldOut, 1), cart.ErrOutOfStock},
		{"more than in stock", add(e, c, KurtaL, 4), cart.ErrInsufficientStock},
		{"update to zero", func() error {
			_, err := e.Service.UpdateItem(ctx, c.ID, e.Tok(c), kurta.ID, 0)
			return err
		}, cart.ErrInvalidQuantity},
		{"update over stock", func() error {
			_, err := e.Service.UpdateItem(ctx, c.ID, e.Tok(c), kurta.ID, 21)
			return err
		}, cart.ErrQuantityLimit},
		{"unknown line", func() error {
			_, err := e.Service.UpdateItem(ctx, c.ID, e.Tok(c), "0190a000-0000-7000-8000-00000000dead", 1)
			return err
		}, cart.ErrLineNotFound},
		{"another cart's line", func() error {
			_, err := e.Service.RemoveItem(ctx, c.ID, e.Tok(c), other.Lines[0].ID)
			return err
		}, cart.ErrLineNotFound},
		{"another shopper's cart", func() error {
			_, err := e.Service.AddItem(ctx, other.ID, c.Token, cart.AddItem{SKU: Socks, Quantity: 1})
			return err
		}, cart.ErrCartNotFound},
		{"another shopper's cart, by its line", func() error {
			_, err := e.Service.RemoveItem(ctx, other.ID, c.Token, other.Lines[0].ID)
			return err
		}, cart.ErrCartNotFound},
		{"unknown coupon", func() error {
			_, err := e.Service.ApplyCoupon(ctx, c.ID, e.Tok(c), "NOSUCHCODE")
			return err
		}, cart.ErrCouponNotFound},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			is(t, tc.call(), tc.want)
		})
	}
	after := must[cart.Cart](t)(e.Service.Cart(ctx, c.ID, e.Tok(c)))
	if after.Version != c.Version || len(after.Lines) != 1 || after.Lines[0].Quantity != 2 || len(after.Coupons) != 0 {
		t.Fatalf("the cart changed: v%d → v%d, %+v", c.Version, after.Version, after.Lines)
	}
	o := must[cart.Cart](t)(e.Service.Cart(ctx, other.ID, e.Tok(other)))
	if o.Version != other.Version {
		t.Fatal("the other cart changed")
	}
}

func add(e *Env, c cart.Cart, sku string, qty int64) func() error {
	return func() error {
		_, err := e.Service.AddItem(context.Background(), c.ID, e.Tok(c), cart.AddItem{SKU: sku, Quantity: qty})
		return err
	}
}

func testMemberCarts(t *testing.T, e *Env) {
	ctx := context.Background()
	ok := must[cart.Cart](t)
	_, err := e.Service.MyCart(ctx)
	is(t, err, authn.ErrUnauthenticated)

	u1 := Member(ctx, user1)
	m := ok(e.Service.MyCart(u1))
	if m.UserID != user1 || m.Token != "" || m.ExpiresAt != nil || m.Status != cart.StatusActive {
		t.Fatalf("member cart %+v", m)
	}
	again := ok(e.Service.CreateCart(u1, cart.NewCart{}))
	if again.ID != m.ID || again.Token != "" {
		t.Fatalf("a member creating a cart got %s, not their cart %s", again.ID, m.ID)
	}
	m = ok(e.Service.AddItem(u1, m.ID, "", cart.AddItem{SKU: Saree, Quantity: 1}))
	if line(t, m, Saree).TaxRateBP != 1800 {
		t.Fatal("a ₹7,999 saree is in the 18% band")
	}
	if got := ok(e.Service.MyCart(u1)); got.ID != m.ID || len(got.Lines) != 1 {
		t.Fatalf("my cart %+v", got)
	}
	u2 := Member(ctx, user2)
	for _, call := range []func() error{
		func() error { _, err := e.Service.Cart(u2, m.ID, ""); return err },
		func() error { _, err := e.Service.Cart(ctx, m.ID, "any"); return err },
		func() error {
			_, err := e.Service.AddItem(u2, m.ID, "", cart.AddItem{SKU: Socks, Quantity: 1})
			return err
		},
	} {
		is(t, call(), cart.ErrCartNotFound)
	}
	if other := ok(e.Service.MyCart(u2)); other.ID == m.ID {
		t.Fatal("two members share a cart")
	}
}

// testConcurrentAdds adds to one cart from many goroutines: every add is
// kept, each under its own version.
func testConcurrentAdds(t *testing.T, e *Env) {
	ctx := context.Background()
	c := guest(t, e)
	const n = 8
	var wg sync.WaitGroup
	errCh := make(chan error, n)
	for range n {
		wg.Go(func() {
			_, err := e.Service.AddItem(ctx, c.ID, e.Tok(c), cart.AddItem{SKU: Socks, Quantity: 1})
			errCh <- err
		})
	}
	wg.Wait()
	close(errCh)
	for err := range errCh {
		if err != nil {
			t.Fatal(err)
		}
	}
	got := must[cart.Cart](t)(e.Service.Cart(ctx, c.ID, e.Tok(c)))
	if len(got.Lines) != 1 || got.Lines[0].Quantity != n || got.Version != c.Version+n {
		t.Fatalf("after %d concurrent adds: %+v version %d", n, got.Lines, got.Version)
	}
	if !slices.ContainsFunc(got.Lines, func(l cart.Line) bool { return l.SKU == Socks }) {
		t.Fatal("socks missing")
	}
}
