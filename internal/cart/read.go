package cart

import (
	"context"
	"crypto/sha256"
	"encoding/base64"
	"encoding/binary"
	"fmt"
	"slices"
	"strconv"

	"github.com/bazaarshop/bazaar/internal/cart/pricing"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// lookups is what the catalogue and inventory said about a cart's SKUs.
// A failed call leaves its map nil and its error set: a read shows the
// cart anyway, with a warning; a quote refuses.
type lookups struct {
	info     map[string]SKUInfo
	avail    map[string]int64
	infoErr  error
	availErr error
}

// gather asks the catalogue and inventory about the SKUs of r and extra,
// both at once.
func (c *Core) gather(ctx context.Context, r Record, extra ...string) lookups {
	skus := make([]string, 0, len(r.Lines)+len(extra))
	for _, l := range r.Lines {
		skus = append(skus, l.SKU)
	}
	for _, s := range extra {
		if !slices.Contains(skus, s) {
			skus = append(skus, s)
		}
	}
	var lk lookups
	if len(skus) == 0 {
		lk.info, lk.avail = map[string]SKUInfo{}, map[string]int64{}
		return lk
	}
	done := make(chan struct{})
	go func() {
		defer close(done)
		lk.avail, lk.availErr = c.opts.Inventory.Available(ctx, skus)
	}()
	lk.info, lk.infoErr = c.opts.Catalog.LookupSKUs(ctx, skus)
	<-done
	if lk.infoErr != nil {
		lk.info = nil
		c.log().WarnContext(ctx, "cart: catalogue lookup failed", "error", lk.infoErr)
	}
	if lk.availErr != nil {
		lk.avail = nil
		c.log().WarnContext(ctx, "cart: availability lookup failed", "error", lk.availErr)
	}
	return lk
}

// complete asks again about SKUs that r gained since lk was gathered (a
// concurrent change), so pricing sees every line.
func (c *Core) complete(ctx context.Context, r Record, lk lookups) lookups {
	if lk.info == nil || lk.avail == nil {
		return lk
	}
	var missing []string
	for _, l := range r.Lines {
		if _, ok := lk.info[l.SKU]; !ok {
			if _, ok := lk.avail[l.SKU]; !ok {
				missing = append(missing, l.SKU)
			}
		}
	}
	if len(missing) == 0 {
		return lk
	}
	more := c.gather(ctx, Record{}, missing...)
	if more.infoErr != nil || more.availErr != nil {
		return more // let the whole read degrade the same way
	}
	for k, v := range more.info {
		lk.info[k] = v
	}
	for k, v := range more.avail {
		lk.avail[k] = v
	}
	return lk
}

// Cart implements Service.
func (c *Core) Cart(ctx context.Context, id, token string) (Cart, error) {
	r, err := c.load(ctx, id)
	if err != nil {
		return Cart{}, err
	}
	if err := c.authorize(ctx, r, token); err != nil {
		return Cart{}, err
	}
	return c.view(ctx, r, c.gather(ctx, r))
}

// MyCart implements Service.
func (c *Core) MyCart(ctx context.Context) (Cart, error) {
	p, err := authn.User(ctx)
	if err != nil {
		return Cart{}, err
	}
	r, err := c.memberCart(ctx, p.UserID)
	if err != nil {
		return Cart{}, err
	}
	return c.view(ctx, r, c.gather(ctx, r))
}

// Quote implements Service.
func (c *Core) Quote(ctx context.Context, id, token string) (Quote, error) {
	return c.quote(ctx, id, token, nil)
}

// QuoteTo implements Service. Checkout often learns the address only in
// its own request: pricing for it without saving it keeps a write (and
// the cart's write lock) off the checkout path.
func (c *Core) QuoteTo(ctx context.Context, id, token string, a Address) (Quote, error) {
	a, err := c.normalizeAddress(a)
	if err != nil {
		return Quote{}, err
	}
	return c.quote(ctx, id, token, &a)
}

func (c *Core) quote(ctx context.Context, id, token string, ship *Address) (Quote, error) {
	r, err := c.load(ctx, id)
	if err != nil {
		return Quote{}, err
	}
	if err := c.authorize(ctx, r, token); err != nil {
		return Quote{}, err
	}
	if r.Status != StatusActive {
		return Quote{}, ErrCartClosed
	}
	if ship != nil {
		r.Address = ship
	}
	lk := c.gather(ctx, r)
	switch {
	case lk.infoErr != nil:
		return Quote{}, ErrPricingUnavailable.Wrap(lk.infoErr)
	case lk.availErr != nil:
		return Quote{}, ErrAvailabilityUnavailable.Wrap(lk.availErr)
	}
	cart, err := c.view(ctx, r, lk)
	if err != nil {
		return Quote{}, err
	}
	return Quote{Cart: cart, QuotedAt: c.now()}, nil
}

// CheckoutError says why q cannot be checked out, or nil.
func (q Quote) CheckoutError() error {
	if len(q.Lines) == 0 {
		return ErrCartEmpty
	}
	if q.Ready {
		return nil
	}
	for _, l := range q.Lines {
		for _, w := range l.Warnings {
			if w.Blocking {
				return ErrCartNotReady.With(fmt.Sprintf("%s: %s", l.SKU, w.Message))
			}
		}
	}
	return ErrCartNotReady
}

// view prices r for its owner with the live promotions.
func (c *Core) view(ctx context.Context, r Record, lk lookups) (Cart, error) {
	promos, limits, err := c.snapshot(ctx)
	if err != nil {
		return Cart{}, err
	}
	return c.render(ctx, r, lk, promos, limits)
}

// render prices r with the given promotions and purchase limits.
func (c *Core) render(ctx context.Context, r Record, lk lookups, promos []Promotion, limits map[string]PurchaseLimit) (Cart, error) {
	lk = c.complete(ctx, r, lk)
	now := c.now()
	cart := Cart{
		ID: r.ID, UserID: r.UserID, Status: r.Status, Currency: r.Currency, ShippingAddress: r.Address,
		Version: r.Version, CreatedAt: r.CreatedAt, UpdatedAt: r.UpdatedAt, ExpiresAt: r.ExpiresAt,
		Lines: make([]Line, len(r.Lines)), Coupons: []Coupon{}, Warnings: []Warning{},
	}
	if lk.info == nil {
		cart.Warnings = append(cart.Warnings, Warning{Code: WarnPricingUnavailable, Message: "prices could not be checked just now; they are shown as they were when added"})
	}
	if lk.avail == nil {
		cart.Warnings = append(cart.Warnings, Warning{Code: WarnAvailabilityUnknown, Message: "stock could not be checked just now"})
	}
	skus := make([]string, len(r.Lines))
	for i, l := range r.Lines {
		skus[i] = l.SKU
	}
	left, err := c.remaining(ctx, r, limits, skus)
	if err != nil {
		return Cart{}, err
	}

	items := make([]pricing.Item, 0, len(r.Lines))
	at := make([]int, 0, len(r.Lines)) // index into cart.Lines of each item
	ready := len(r.Lines) > 0 && lk.info != nil && lk.avail != nil
	for i, sl := range r.Lines {
		l, it, ok := c.line(sl, lk, left)
		cart.Lines[i] = l
		for _, w := range l.Warnings {
			if w.Blocking {
				ready = false
			}
		}
		if ok {
			items = append(items, it)
			at = append(at, i)
		}
	}

	in := pricing.Input{Rules: c.opts.Rules, Now: now, Items: items, Codes: r.Codes}
	if p, ok := authn.FromContext(ctx); ok && p.IsUser() && p.UserID == r.UserID {
		in.Customer = r.UserID
	}
	for _, p := range promos {
		if p.Automatic() || slices.Contains(r.Codes, p.Code) {
			in.Promotions = append(in.Promotions, p)
		}
	}
	if in.Customer != "" {
		if in.CustomerUses, err = c.customerUses(ctx, in.Customer, in.Promotions); err != nil {
			return Cart{}, err
		}
	}
	if r.Address != nil {
		in.Destination = &pricing.Destination{Country: r.Address.Country, Region: r.Address.State, PostalCode: r.Address.PostalCode}
	}
	res, err := pricing.Price(in)
	if err != nil {
		return Cart{}, fmt.Errorf("price cart %s: %w", r.ID, err)
	}
	zero := money.Money{Amount: 0, Currency: r.Currency}
	for i := range cart.Lines {
		l := &cart.Lines[i]
		l.Subtotal, l.Discount, l.Total, l.Tax = zero, zero, zero, zero
		l.Taxes, l.Discounts = []pricing.TaxAmount{}, []pricing.LineDiscount{}
	}
	for j, lr := range res.Lines {
		l := &cart.Lines[at[j]]
		l.Subtotal, l.Discount, l.Total, l.Tax = lr.Subtotal, lr.Discount, lr.Total, lr.Tax
		l.TaxRateBP, l.Taxes, l.Discounts = lr.TaxRateBP, lr.Taxes, lr.Discounts
	}
	cart.Shipping, cart.Totals = res.Shipping, res.Totals
	for _, code := range r.Codes {
		cp := Coupon{Code: code}
		for _, a := range res.Applied {
			if a.Code == code {
				cp.Applied, cp.PromotionID = true, a.PromotionID
			}
		}
		for _, n := range res.NotApplied {
			if n.Code == code {
				cp.PromotionID, cp.Reason, cp.Message = n.PromotionID, n.Reason, n.Message
				if n.Reason == pricing.ReasonUnknown {
					// It was live when applied: it ended or was withdrawn since.
					cp.Message = "this coupon is no longer available"
				}
			}
		}
		cart.Coupons = append(cart.Coupons, cp)
	}
	cart.Ready = ready && r.Status == StatusActive
	cart.QuoteHash = quoteHash(cart)
	return cart, nil
}

// line prices one stored line from the lookups. ok reports whether it
// counts in the totals.
func (c *Core) line(sl StoredLine, lk lookups, left map[string]int64) (Line, pricing.Item, bool) {
	l := Line{ID: sl.ID, SKU: sl.SKU, Quantity: sl.Quantity, UnitPrice: sl.Price, AddedPrice: sl.Price,
		AddedAt: sl.AddedAt, Purchasable: true, Warnings: []Warning{}}
	it := pricing.Item{ID: sl.ID, SKU: sl.SKU, Quantity: sl.Quantity, UnitPrice: sl.Price}
	warn := func(w Warning) { l.Warnings = append(l.Warnings, w) }
	if lk.info != nil {
		info, known := lk.info[sl.SKU]
		switch {
		case !known:
			l.Purchasable = false
			warn(Warning{Code: WarnUnavailable, Blocking: true, Message: "this item is no longer sold; remove it to check out"})
		default:
			l.ProductID, l.Slug, l.Title, l.Image = info.ProductID, info.Slug, info.Title, info.Image
			l.Size, l.Color, l.Brand, l.CompareAt = info.Size, info.Color, info.Brand, info.CompareAt
			it.ProductID, it.Brand, it.Categories, it.Collections = info.ProductID, info.Brand, info.Categories, info.Collections
			it.TaxClass, it.HSN = info.TaxClass, info.HSN
			if info.Price.Currency == sl.Price.Currency {
				l.UnitPrice, it.UnitPrice = info.Price, info.Price
			}
			if !info.Purchasable {
				l.Purchasable = false
				warn(Warning{Code: WarnUnavailable, Blocking: true, Message: "this item is no longer sold; remove it to check out"})
			} else if l.UnitPrice != sl.Price {
				was, now := sl.Price, l.UnitPrice
				verb := "dropped"
				if now.Amount > was.Amount {
					verb = "risen"
				}
				warn(Warning{Code: WarnPriceChanged, Was: &was, Now: &now,
					Message: fmt.Sprintf("the price has %s from %s to %s since you added this", verb, was.Display(), now.Display())})
			}
		}
	}
	if lk.avail != nil && l.Purchasable {
		a := max(lk.avail[sl.SKU], 0)
		l.Available = &a
		switch {
		case a == 0:
			l.Purchasable = false
			warn(Warning{Code: WarnOutOfStock, Blocking: true, Available: &a, Message: "out of stock"})
		case a < sl.Quantity:
			warn(Warning{Code: WarnInsufficientStock, Blocking: true, Available: &a, Message: "only " + strconv.FormatInt(a, 10) + " left: lower the quantity to check out"})
		case a <= c.opts.LowStock:
			warn(Warning{Code: WarnLowStock, Available: &a, Message: "only " + strconv.FormatInt(a, 10) + " left"})
		}
	}
	if n, limited := left[sl.SKU]; limited && l.Purchasable && sl.Quantity > n {
		warn(Warning{Code: WarnPurchaseLimit, Blocking: true, Limit: &n, Message: fmt.Sprintf("you may buy %d more of this item", n)})
	}
	return l, it, l.Purchasable
}

// customerUses counts the member's past uses of the promotions with a
// per-customer limit; none are asked for when no promotion has one.
func (c *Core) customerUses(ctx context.Context, uid string, promos []Promotion) (map[string]int64, error) {
	var want []string
	for _, p := range promos {
		if p.PerCustomerLimit > 0 {
			want = append(want, p.ID)
		}
	}
	if len(want) == 0 {
		return nil, nil
	}
	return c.store.CustomerUses(ctx, uid, want)
}

// quoteHash digests everything checkout would charge: lines, discounts,
// taxes, shipping and totals, the destination, and whether each line can
// be bought. Stock counts and messages are left out: they do not change
// the price. Every value is written with its length or a separator, so
// two different quotes cannot write the same bytes.
func quoteHash(cart Cart) string {
	h := sha256.New()
	var buf [8]byte
	num := func(v int64) {
		binary.BigEndian.PutUint64(buf[:], uint64(v))
		h.Write(buf[:])
	}
	str := func(s string) {
		num(int64(len(s)))
		h.Write([]byte(s))
	}
	amt := func(m money.Money) {
		str(m.Currency)
		num(m.Amount)
	}
	taxes := func(xs []pricing.TaxAmount) {
		num(int64(len(xs)))
		for _, x := range xs {
			str(x.Name)
			num(x.RateBP)
			amt(x.Amount)
		}
	}
	num(int64(len(cart.Lines)))
	for _, l := range cart.Lines {
		str(l.ID)
		str(l.SKU)
		num(l.Quantity)
		amt(l.UnitPrice)
		if l.Purchasable {
			num(1)
		} else {
			num(0)
		}
		amt(l.Total)
		amt(l.Tax)
		taxes(l.Taxes)
		num(int64(len(l.Discounts)))
		for _, d := range l.Discounts {
			str(d.PromotionID)
			amt(d.Amount)
		}
	}
	s := cart.Shipping
	str(s.Zone)
	amt(s.Fee)
	amt(s.Discount)
	taxes(s.Taxes)
	t := cart.Totals
	for _, m := range []money.Money{t.Subtotal, t.Discount, t.Shipping, t.Tax, t.Grand} {
		amt(m)
	}
	taxes(t.Taxes)
	num(int64(len(t.Discounts)))
	for _, a := range t.Discounts {
		str(a.PromotionID)
		amt(a.Amount)
	}
	if a := cart.ShippingAddress; a != nil {
		for _, f := range []string{a.Name, a.Phone, a.Line1, a.Line2, a.Landmark, a.City, a.State, a.PostalCode, a.Country} {
			str(f)
		}
	} else {
		num(-1)
	}
	return base64.RawURLEncoding.EncodeToString(h.Sum(nil)[:18])
}
