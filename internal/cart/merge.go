package cart

import (
	"context"
	"fmt"
	"slices"

	"github.com/bazaarshop/bazaar/internal/platform/authn"
)

// Merge implements Service. The caller is the member (over HTTP) or the
// sign-in flow in-process, which has no principal yet; a signed-in caller
// may merge only into their own account.
func (c *Core) Merge(ctx context.Context, guestCartID, guestToken, userID string) (Cart, error) {
	if userID == "" {
		return Cart{}, authn.ErrUnauthenticated
	}
	if p, ok := authn.FromContext(ctx); ok && p.IsUser() && p.UserID != userID {
		return Cart{}, authn.ErrForbidden.With("a cart can be merged only into your own account")
	}
	// The member acts from here on, so their own cart is theirs to read.
	ctx = authn.WithPrincipal(ctx, authn.Principal{UserID: userID, Role: authn.RoleCustomer})
	guest, err := c.load(ctx, guestCartID)
	if err != nil {
		return Cart{}, err
	}
	if guest.UserID != "" {
		if guest.UserID == userID {
			return c.view(ctx, guest, c.gather(ctx, guest))
		}
		return Cart{}, ErrCartNotFound
	}
	if err := c.authorize(ctx, guest, guestToken); err != nil {
		return Cart{}, err
	}
	member, err := c.memberCart(ctx, userID)
	if err != nil {
		return Cart{}, err
	}
	switch {
	case guest.Status == StatusMerged && guest.ClosedRef == member.ID:
		return c.view(ctx, member, c.gather(ctx, member))
	case guest.Status != StatusActive:
		return Cart{}, ErrCartClosed
	}
	extra := make([]string, len(guest.Lines))
	for i, l := range guest.Lines {
		extra[i] = l.SKU
	}
	lk := c.gather(ctx, member, extra...)
	_, limits, err := c.snapshot(ctx)
	if err != nil {
		return Cart{}, err
	}
	left, err := c.remaining(ctx, member, limits, extra)
	if err != nil {
		return Cart{}, err
	}

	var out, closed Record
	err = c.store.InTx(ctx, func(tx Tx) error {
		out, closed = Record{}, Record{} // fn may run twice
		g, err := tx.Cart(ctx, guestCartID)
		if err != nil {
			return err
		}
		if err := c.authorize(ctx, g, guestToken); err != nil {
			return err
		}
		m, err := tx.UserCart(ctx, userID)
		if err != nil {
			return err
		}
		if g.Status == StatusMerged && g.ClosedRef == m.ID {
			out = m
			return nil
		}
		if g.Status != StatusActive {
			return ErrCartClosed
		}
		c.fold(&m, g, lk, left)
		g.Status, g.ClosedRef = StatusMerged, m.ID
		c.touch(&g)
		c.touch(&m)
		if err := tx.UpdateCart(ctx, g); err != nil {
			return err
		}
		out, closed = m, g
		return tx.UpdateCart(ctx, m)
	})
	if err != nil {
		return Cart{}, fmt.Errorf("merge cart %s: %w", guestCartID, err)
	}
	if closed.ID != "" {
		c.stored(ctx, closed, out)
	}
	return c.view(ctx, out, lk)
}

// fold adds the guest's lines, coupons and address to the member's cart:
// quantities of a SKU in both are summed, and every line is capped by the
// per-line limit, the stock and the customer's purchase limit (never below
// what the member had, nor below one unit).
func (c *Core) fold(m *Record, g Record, lk lookups, left map[string]int64) {
	for _, gl := range g.Lines {
		j := m.lineBySKU(gl.SKU)
		have := int64(0)
		if j >= 0 {
			have = m.Lines[j].Quantity
		}
		limit := c.opts.MaxQuantity
		if n, ok := left[gl.SKU]; ok {
			limit = min(limit, n)
		}
		if lk.avail != nil {
			// Out of stock, the line keeps the larger of the two and shows
			// the warning; the shopper decides.
			if a := lk.avail[gl.SKU]; a > 0 {
				limit = min(limit, a)
			} else {
				limit = min(limit, max(have, gl.Quantity))
			}
		}
		qty := min(have+gl.Quantity, limit)
		switch {
		case j >= 0:
			m.Lines[j].Quantity = max(qty, have)
		case qty < 1:
			// Nothing of it may be bought: the purchase limit is used up.
		case len(m.Lines) >= c.opts.MaxLines:
			c.log().Warn("cart: merge dropped a line of a full cart", "cart", m.ID, "sku", gl.SKU)
		default:
			nl := gl
			nl.ID, nl.Quantity = c.opts.NewID(), qty
			m.Lines = append(m.Lines, nl)
		}
	}
	for _, code := range g.Codes {
		if !slices.Contains(m.Codes, code) && len(m.Codes) < c.opts.MaxCoupons {
			m.Codes = append(m.Codes, code)
		}
	}
	if m.Address == nil {
		m.Address = g.Address
	}
	if m.DeviceID == "" {
		m.DeviceID = g.DeviceID
	}
}
