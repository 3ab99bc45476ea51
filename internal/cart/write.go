package cart

import (
	"context"
	"errors"
	"fmt"
	"regexp"
	"slices"
	"strconv"

	"github.com/bazaarshop/bazaar/internal/cart/pricing"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

var (
	skuRe    = regexp.MustCompile(`^[A-Za-z0-9._-]{1,64}$`)
	deviceRe = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)
)

// CreateCart implements Service.
func (c *Core) CreateCart(ctx context.Context, in NewCart) (Cart, error) {
	if in.DeviceID != "" && !deviceRe.MatchString(in.DeviceID) {
		return Cart{}, ErrInvalidDevice
	}
	if p, ok := authn.FromContext(ctx); ok && p.IsUser() {
		return c.MyCart(ctx)
	}
	token, hash := newToken()
	now := c.now()
	exp := now.Add(c.opts.GuestTTL)
	r := Record{ID: c.opts.NewID(), TokenHash: hash, DeviceID: in.DeviceID, Status: StatusActive,
		Currency: c.opts.Rules.Currency, Lines: []StoredLine{}, Codes: []string{}, Version: 1,
		CreatedAt: now, UpdatedAt: now, ExpiresAt: &exp}
	if err := c.store.InTx(ctx, func(tx Tx) error { return tx.InsertCart(ctx, r) }); err != nil {
		return Cart{}, fmt.Errorf("create cart: %w", err)
	}
	c.stored(ctx, r)
	cart, err := c.view(ctx, r, c.gather(ctx, r))
	cart.Token = token
	return cart, err
}

// memberCart returns uid's active cart, creating it on first use.
func (c *Core) memberCart(ctx context.Context, uid string) (Record, error) {
	r, err := c.loadUser(ctx, uid)
	if !isNotFound(err) {
		return r, err
	}
	err = c.store.InTx(ctx, func(tx Tx) error {
		r, err = tx.UserCart(ctx, uid)
		if !isNotFound(err) {
			return err
		}
		now := c.now()
		r = Record{ID: c.opts.NewID(), UserID: uid, Status: StatusActive, Currency: c.opts.Rules.Currency,
			Lines: []StoredLine{}, Codes: []string{}, Version: 1, CreatedAt: now, UpdatedAt: now}
		return tx.InsertCart(ctx, r)
	})
	if errs.KindOf(err) == errs.KindConflict {
		// Another request created it first.
		return c.store.UserCart(ctx, uid)
	}
	if err != nil {
		return Record{}, fmt.Errorf("member cart: %w", err)
	}
	c.stored(ctx, r)
	return r, nil
}

// change is one mutation of a locked cart record. It may return events.
type change func(r *Record) ([]event, error)

type event struct {
	subject string
	data    any
}

// mutate applies fn to cart id inside a transaction, after checking that
// the caller owns it and that it is open, and returns the cart priced
// with lk (gathered before the transaction, completed after it).
func (c *Core) mutate(ctx context.Context, id, token string, lk *lookups, fn change) (Cart, error) {
	var out Record
	emitted := false
	err := c.store.InTx(ctx, func(tx Tx) error {
		out, emitted = Record{}, false // fn may run twice
		if !validID(id) {
			return ErrCartNotFound
		}
		r, err := tx.Cart(ctx, id)
		if err != nil {
			return err
		}
		if err := c.authorize(ctx, r, token); err != nil {
			return err
		}
		if r.Status != StatusActive {
			return ErrCartClosed
		}
		evs, err := fn(&r)
		if err != nil {
			return err
		}
		c.touch(&r)
		if err := tx.UpdateCart(ctx, r); err != nil {
			return err
		}
		for _, e := range evs {
			if err := tx.Emit(ctx, e.subject, e.data); err != nil {
				return err
			}
			emitted = true
		}
		out = r
		return nil
	})
	if err != nil {
		if errs.KindOf(err) == errs.KindInternal {
			return Cart{}, fmt.Errorf("change cart %s: %w", id, err)
		}
		return Cart{}, err
	}
	c.committed(emitted)
	c.stored(ctx, out)
	if lk == nil {
		l := c.gather(ctx, out)
		lk = &l
	}
	return c.view(ctx, out, *lk)
}

// touch marks a change: a new version, and a guest cart's life extended.
func (c *Core) touch(r *Record) {
	now := c.now()
	r.Version++
	r.UpdatedAt = now
	if r.UserID == "" {
		exp := now.Add(c.opts.GuestTTL)
		r.ExpiresAt = &exp
	}
}

// preload reads a cart for the checks made before its transaction (which
// reads it again, locked).
func (c *Core) preload(ctx context.Context, id, token string) (Record, error) {
	r, err := c.load(ctx, id)
	if err != nil {
		return Record{}, err
	}
	if err := c.authorize(ctx, r, token); err != nil {
		return Record{}, err
	}
	if r.Status != StatusActive {
		return Record{}, ErrCartClosed
	}
	return r, nil
}

// AddItem implements Service.
func (c *Core) AddItem(ctx context.Context, id, token string, in AddItem) (Cart, error) {
	if !skuRe.MatchString(in.SKU) {
		return Cart{}, ErrInvalidSKU
	}
	if in.Quantity < 1 {
		return Cart{}, ErrInvalidQuantity
	}
	if in.Quantity > c.opts.MaxQuantity {
		return Cart{}, ErrQuantityLimit.With(fmt.Sprintf("at most %d units per line", c.opts.MaxQuantity))
	}
	pre, err := c.preload(ctx, id, token)
	if err != nil {
		return Cart{}, err
	}
	lk := c.gather(ctx, pre, in.SKU)
	if lk.infoErr != nil {
		return Cart{}, ErrPricingUnavailable.Wrap(lk.infoErr)
	}
	info, ok := lk.info[in.SKU]
	if !ok {
		return Cart{}, ErrUnknownSKU.With("no product is sold under SKU " + in.SKU)
	}
	if !info.Purchasable {
		return Cart{}, ErrProductUnavailable.With(info.Title + " is no longer sold")
	}
	if info.Price.Currency != pre.Currency {
		return Cart{}, ErrProductUnavailable.With(info.Title + " is not sold in " + pre.Currency)
	}
	_, limits, err := c.snapshot(ctx)
	if err != nil {
		return Cart{}, err
	}
	left, err := c.remaining(ctx, pre, limits, []string{in.SKU})
	if err != nil {
		return Cart{}, err
	}
	now := c.now()
	return c.mutate(ctx, id, token, &lk, func(r *Record) ([]event, error) {
		i := r.lineBySKU(in.SKU)
		total := in.Quantity
		if i >= 0 {
			total += r.Lines[i].Quantity
		}
		if err := c.checkQuantity(lk, left, in.SKU, total); err != nil {
			return nil, err
		}
		if i < 0 {
			if len(r.Lines) >= c.opts.MaxLines {
				return nil, ErrTooManyLines.With(fmt.Sprintf("a cart holds at most %d lines", c.opts.MaxLines))
			}
			r.Lines = append(r.Lines, StoredLine{ID: c.opts.NewID(), SKU: in.SKU, Quantity: total, Price: info.Price, AddedAt: now})
		} else {
			r.Lines[i].Quantity, r.Lines[i].Price = total, info.Price
		}
		cat := ""
		if n := len(info.Categories); n > 0 {
			cat = info.Categories[n-1]
		}
		return []event{{SubjectItemAdded, ItemAdded{CartID: r.ID, UserID: r.UserID, DeviceID: r.DeviceID,
			ProductID: info.ProductID, SKU: in.SKU, Category: cat, Quantity: int(in.Quantity), At: now}}}, nil
	})
}

// checkQuantity refuses a line total over the per-line limit, the stock
// (when inventory answered) or the customer's purchase limit.
func (c *Core) checkQuantity(lk lookups, left map[string]int64, sku string, total int64) error {
	if total > c.opts.MaxQuantity {
		return ErrQuantityLimit.With(fmt.Sprintf("at most %d units per line", c.opts.MaxQuantity))
	}
	if lk.avail != nil {
		a := max(lk.avail[sku], 0)
		if a == 0 {
			return ErrOutOfStock.With(sku + " is out of stock")
		}
		if total > a {
			return ErrInsufficientStock.With("only " + strconv.FormatInt(a, 10) + " of " + sku + " left")
		}
	}
	if n, limited := left[sku]; limited && total > n {
		return ErrPurchaseLimit.With(fmt.Sprintf("you may have at most %d more of %s", n, sku))
	}
	return nil
}

// UpdateItem implements Service.
func (c *Core) UpdateItem(ctx context.Context, id, token, lineID string, quantity int64) (Cart, error) {
	if quantity < 1 {
		return Cart{}, ErrInvalidQuantity.With("quantity must be at least 1; remove the line to drop it")
	}
	pre, err := c.preload(ctx, id, token)
	if err != nil {
		return Cart{}, err
	}
	i := pre.line(lineID)
	if i < 0 {
		return Cart{}, ErrLineNotFound
	}
	sku := pre.Lines[i].SKU
	lk := c.gather(ctx, pre)
	if lk.infoErr != nil {
		return Cart{}, ErrPricingUnavailable.Wrap(lk.infoErr)
	}
	info, ok := lk.info[sku]
	if !ok || !info.Purchasable {
		return Cart{}, ErrProductUnavailable.With("this item is no longer sold; remove it")
	}
	_, limits, err := c.snapshot(ctx)
	if err != nil {
		return Cart{}, err
	}
	left, err := c.remaining(ctx, pre, limits, []string{sku})
	if err != nil {
		return Cart{}, err
	}
	now := c.now()
	return c.mutate(ctx, id, token, &lk, func(r *Record) ([]event, error) {
		i := r.line(lineID)
		if i < 0 {
			return nil, ErrLineNotFound
		}
		if err := c.checkQuantity(lk, left, sku, quantity); err != nil {
			return nil, err
		}
		added := quantity - r.Lines[i].Quantity
		// The shopper acted on the line as shown: today's price is accepted.
		r.Lines[i].Quantity, r.Lines[i].Price = quantity, info.Price
		if added <= 0 {
			return nil, nil
		}
		cat := ""
		if n := len(info.Categories); n > 0 {
			cat = info.Categories[n-1]
		}
		return []event{{SubjectItemAdded, ItemAdded{CartID: r.ID, UserID: r.UserID, DeviceID: r.DeviceID,
			ProductID: info.ProductID, SKU: sku, Category: cat, Quantity: int(added), At: now}}}, nil
	})
}

// RemoveItem implements Service.
func (c *Core) RemoveItem(ctx context.Context, id, token, lineID string) (Cart, error) {
	return c.mutate(ctx, id, token, nil, func(r *Record) ([]event, error) {
		i := r.line(lineID)
		if i < 0 {
			return nil, ErrLineNotFound
		}
		r.Lines = slices.Delete(r.Lines, i, i+1)
		return nil, nil
	})
}

// ApplyCoupon implements Service. The code is tried on the cart as it is
// before it is kept: one that would take nothing off is refused with the
// reason pricing gives.
func (c *Core) ApplyCoupon(ctx context.Context, id, token, code string) (Cart, error) {
	code = pricing.NormalizeCode(code)
	if !pricing.ValidCode(code) {
		return Cart{}, ErrInvalidCouponCode
	}
	pre, err := c.preload(ctx, id, token)
	if err != nil {
		return Cart{}, err
	}
	if slices.Contains(pre.Codes, code) {
		return c.view(ctx, pre, c.gather(ctx, pre))
	}
	if len(pre.Codes) >= c.opts.MaxCoupons {
		return Cart{}, ErrTooManyCoupons.With(fmt.Sprintf("a cart holds at most %d coupons", c.opts.MaxCoupons))
	}
	p, err := c.store.PromotionByCode(ctx, code)
	if errors.Is(err, ErrPromotionNotFound) {
		return Cart{}, ErrCouponNotFound.With("no promotion has the code " + code)
	}
	if err != nil {
		return Cart{}, err
	}
	lk := c.gather(ctx, pre)
	if lk.infoErr != nil {
		return Cart{}, ErrPricingUnavailable.Wrap(lk.infoErr)
	}
	trial := pre
	trial.Codes = append(slices.Clone(pre.Codes), code)
	cart, err := c.viewWith(ctx, trial, lk, p)
	if err != nil {
		return Cart{}, err
	}
	for _, cp := range cart.Coupons {
		if cp.Code == code && !cp.Applied {
			e := couponErrors[cp.Reason]
			if e == nil {
				e = ErrCouponNotApplicable
			}
			return Cart{}, e.With(cp.Message)
		}
	}
	return c.mutate(ctx, id, token, &lk, func(r *Record) ([]event, error) {
		if slices.Contains(r.Codes, code) {
			return nil, nil
		}
		if len(r.Codes) >= c.opts.MaxCoupons {
			return nil, ErrTooManyCoupons.With(fmt.Sprintf("a cart holds at most %d coupons", c.opts.MaxCoupons))
		}
		r.Codes = append(r.Codes, code)
		return nil, nil
	})
}

// viewWith prices r as view does, with p (freshly read) among the live
// promotions in place of any older copy.
func (c *Core) viewWith(ctx context.Context, r Record, lk lookups, p Promotion) (Cart, error) {
	promos, limits, err := c.snapshot(ctx)
	if err != nil {
		return Cart{}, err
	}
	list := make([]Promotion, 0, len(promos)+1)
	for _, q := range promos {
		if q.ID != p.ID {
			list = append(list, q)
		}
	}
	list = append(list, p)
	return c.render(ctx, r, lk, list, limits)
}

// RemoveCoupon implements Service.
func (c *Core) RemoveCoupon(ctx context.Context, id, token, code string) (Cart, error) {
	code = pricing.NormalizeCode(code)
	return c.mutate(ctx, id, token, nil, func(r *Record) ([]event, error) {
		i := slices.Index(r.Codes, code)
		if i < 0 {
			return nil, ErrCouponNotOnCart
		}
		r.Codes = slices.Delete(r.Codes, i, i+1)
		return nil, nil
	})
}

// SetShippingAddress implements Service.
func (c *Core) SetShippingAddress(ctx context.Context, id, token string, a Address) (Cart, error) {
	a, err := c.normalizeAddress(a)
	if err != nil {
		return Cart{}, err
	}
	return c.mutate(ctx, id, token, nil, func(r *Record) ([]event, error) {
		r.Address = &a
		return nil, nil
	})
}
