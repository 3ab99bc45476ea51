package order

import (
	"github.com/google/uuid"

	"context"
	"fmt"
	"strings"

	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// returnable: statuses a return may be requested from (a second return
// after a first one was settled included).
func returnable(s Status) bool {
	return s == StatusDelivered || s == StatusReturned || s == StatusRefunded
}

// openReturn is the order's return in progress, if any.
func openReturn(o *Order) *Return {
	for i := range o.Returns {
		if s := o.Returns[i].Status; s == ReturnRequested || s == ReturnApproved {
			return &o.Returns[i]
		}
	}
	return nil
}

func unitsLeft(o *Order) int64 {
	var n int64
	for _, l := range o.Lines {
		n += l.Quantity - l.Returned
	}
	return n
}

// RequestReturn implements Service.
func (c *Core) RequestReturn(ctx context.Context, id, token string, in ReturnInput) (Order, error) {
	if _, err := c.owned(ctx, id, token); err != nil {
		return Order{}, err
	}
	if in.Resolution != ResolutionRefund && in.Resolution != ResolutionExchange {
		return Order{}, ErrReturnInvalid.With("resolution must be refund or exchange")
	}
	in.Reason = strings.TrimSpace(in.Reason)
	if in.Reason == "" {
		return Order{}, ErrReturnInvalid.With("say why the items go back")
	}
	actor := accessOf(ctx).actor
	o, err := c.update(ctx, id, func(x *Order, m *Mutation) error {
		if openReturn(x) != nil {
			return ErrReturnOpen
		}
		if !returnable(x.Status) {
			return illegal(x.Status, StatusReturnRequested)
		}
		if x.DeliveredAt == nil || c.now().After(x.DeliveredAt.Add(c.opts.ReturnWindow)) {
			return ErrReturnWindowClosed
		}
		amount, err := returnValue(x, in.Lines)
		if err != nil {
			return err
		}
		exchange := in.ExchangeLines
		if in.Resolution == ResolutionExchange && len(exchange) == 0 {
			exchange = in.Lines
		}
		if in.Resolution == ResolutionRefund {
			exchange = nil
		}
		for _, l := range exchange {
			if l.Quantity <= 0 || l.SKU == "" {
				return ErrReturnInvalid.With("exchange lines need a SKU and a positive quantity")
			}
		}
		now := c.now()
		x.Returns = append(x.Returns, Return{
			ID: ids.New(), Status: ReturnRequested, Lines: in.Lines, Reason: in.Reason, Resolution: in.Resolution,
			ExchangeLines: exchange, RefundAmount: amount, CreatedAt: now, UpdatedAt: now,
		})
		return c.move(x, m, StatusReturnRequested, "return_requested", actor, in.Reason)
	})
	return c.view(o), err
}

// returnValue is what lines are worth as the order charged them; it fails
// for units the order does not have or returned already.
func returnValue(o *Order, lines []ReturnLine) (money.Money, error) {
	total := money.Money{Currency: o.Currency}
	seen := map[string]bool{}
	for _, rl := range lines {
		if seen[rl.SKU] {
			return total, ErrReturnInvalid.With("each SKU may appear once")
		}
		seen[rl.SKU] = true
		var line *Line
		for i := range o.Lines {
			if o.Lines[i].SKU == rl.SKU {
				line = &o.Lines[i]
			}
		}
		if line == nil || rl.Quantity <= 0 || rl.Quantity > line.Quantity-line.Returned {
			return total, ErrReturnInvalid.With(fmt.Sprintf("%s: the order has no %d such units left to return", rl.SKU, rl.Quantity))
		}
		// Pro rata of what the line cost after discounts; the last units of
		// a line take the remainder so that a line returned in parts
		// refunds exactly its total.
		share := line.Total.Amount * rl.Quantity / line.Quantity
		if rl.Quantity == line.Quantity-line.Returned {
			share = line.Total.Amount - line.Total.Amount*line.Returned/line.Quantity
		}
		total.Amount += share
	}
	return total, nil
}

// findReturn returns the order's return with id.
func findReturn(o *Order, id string) (*Return, error) {
	for i := range o.Returns {
		if o.Returns[i].ID == id {
			return &o.Returns[i], nil
		}
	}
	return nil, ErrReturnNotFound
}

// returnIn returns the order's return with id, which must be in status
// want for the step asked.
func returnIn(o *Order, id string, want ReturnStatus) (*Return, error) {
	r, err := findReturn(o, id)
	switch {
	case err != nil:
		return nil, err
	case r.Status == want:
		return r, nil
	case want == ReturnRequested:
		return nil, ErrIllegalTransition.With("the return was decided already")
	}
	return nil, ErrIllegalTransition.With("only an approved return can be received")
}

// DecideReturn implements Service. Approving an exchange holds the
// replacement's stock and places the replacement order at once.
func (c *Core) DecideReturn(ctx context.Context, id, returnID string, in ReturnDecision) (Order, error) {
	ctx, a, o, err := c.staffOrder(ctx, id)
	if err != nil {
		return Order{}, err
	}
	r, err := returnIn(&o, returnID, ReturnRequested)
	if err != nil {
		return Order{}, err
	}
	var replacement string
	if in.Approve && r.Resolution == ResolutionExchange {
		if replacement, err = c.placeExchange(ctx, o, *r); err != nil {
			return Order{}, err
		}
	}
	out, err := c.update(ctx, id, func(x *Order, m *Mutation) error {
		xr, err := returnIn(x, returnID, ReturnRequested)
		if err != nil {
			return err
		}
		xr.UpdatedAt, xr.Note = c.now(), in.Note
		if !in.Approve {
			xr.Status = ReturnRejected
			return c.move(x, m, StatusDelivered, "return_rejected", a.actor, in.Note)
		}
		xr.Status, xr.ReplacementOrderID = ReturnApproved, replacement
		return c.move(x, m, StatusReturnApproved, "return_approved", a.actor, in.Note)
	})
	if err == nil && replacement != "" {
		// The replacement is on the bus; settle it now if this process
		// runs the workers' store (a worker would do it anyway).
		_ = c.drive(ctx, replacement)
	}
	return c.view(out), err
}

// placeExchange holds the replacement units and publishes the replacement
// order's request; its id derives from the return, so a retry places the
// same order.
func (c *Core) placeExchange(ctx context.Context, o Order, r Return) (string, error) {
	rid := exchangeOrderID(r.ID)
	hold := inventory.ReserveRequest{Reference: rid, TTL: c.opts.HoldTTL}
	for _, l := range r.ExchangeLines {
		hold.Lines = append(hold.Lines, inventory.Line{SKU: l.SKU, Quantity: l.Quantity})
	}
	if _, err := c.opts.Stock.Reserve(serviceCtx(ctx), hold); err != nil {
		return "", ErrOutOfStock.With("the replacement is not in stock: " + err.Error())
	}
	zero := money.Money{Currency: o.Currency}
	var lines []Line
	for _, l := range r.ExchangeLines {
		line := Line{SKU: l.SKU, Quantity: l.Quantity, UnitPrice: zero, Subtotal: zero, Discount: zero, Total: zero, Tax: zero}
		for _, ol := range o.Lines {
			if ol.SKU == l.SKU {
				line.ProductID, line.Slug, line.Title, line.Image = ol.ProductID, ol.Slug, ol.Title, ol.Image
				line.Size, line.Color, line.Brand = ol.Size, ol.Color, ol.Brand
			}
		}
		lines = append(lines, line)
	}
	req := Request{
		OrderID: rid, Number: numberOf(rid), CustomerID: o.CustomerID, Email: o.Email, CartID: o.CartID,
		Currency: o.Currency, Lines: lines,
		Totals:          Totals{Subtotal: zero, Discount: zero, Shipping: zero, Tax: zero, Total: zero, Refunded: zero},
		ShippingAddress: o.ShippingAddress, BillingAddress: o.BillingAddress, TokenHash: o.TokenHash,
		AcceptedAt: c.now(), ExchangeOf: o.ID,
	}
	req.Payment.Type = o.Payment.Method
	if err := c.publishRequest(ctx, req); err != nil {
		_, _ = c.opts.Stock.Release(serviceCtx(ctx), rid)
		return "", err
	}
	return rid, nil
}

// exchangeOrderID derives a replacement order's id from its return's, so
// that a retried approval places the same order: a name-based UUID (v5)
// in a namespace of its own, which no generated (v7) id can equal.
func exchangeOrderID(returnID string) string {
	return uuid.NewSHA1(exchangeNamespace, []byte(returnID)).String()
}

var exchangeNamespace = uuid.MustParse("6b1f3c2e-8a4d-5e7f-9b0a-1c2d3e4f5a6b")

// ReceiveReturn implements Service.
func (c *Core) ReceiveReturn(ctx context.Context, id, returnID string) (Order, error) {
	ctx, a, o, err := c.staffOrder(ctx, id)
	if err != nil {
		return Order{}, err
	}
	r, err := returnIn(&o, returnID, ReturnApproved)
	if err != nil {
		return Order{}, err
	}
	if err := c.restock(ctx, o, "return:"+r.ID, r.Lines, "returned"); err != nil {
		return Order{}, err
	}
	key := "return-" + r.ID
	var refunded *payment.Intent // the intent after the refund, if one was made
	if r.Resolution == ResolutionRefund && r.RefundAmount.Amount > 0 && o.Payment.IntentID != "" {
		it, err := c.refund(ctx, o, key, r.RefundAmount, "return")
		if err != nil {
			return Order{}, err
		}
		refunded = &it
	}
	out, err := c.update(ctx, id, func(x *Order, m *Mutation) error {
		xr, err := returnIn(x, returnID, ReturnApproved)
		if err != nil {
			return err
		}
		for _, rl := range xr.Lines {
			for i := range x.Lines {
				if x.Lines[i].SKU == rl.SKU {
					x.Lines[i].Returned += rl.Quantity
				}
			}
		}
		xr.UpdatedAt = c.now()
		xr.Status = ReturnReceived
		if xr.Resolution == ResolutionExchange {
			xr.Status = ReturnExchanged
		}
		if err := c.move(x, m, StatusReturned, "return_received", a.actor, ""); err != nil {
			return err
		}
		if refunded == nil {
			return nil
		}
		xr.Status = ReturnRefunded
		setPayment(x, *refunded)
		noteRefund(x, key, xr.ID, xr.RefundAmount.Amount)
		return c.move(x, m, StatusRefunded, "refunded", a.actor, xr.RefundAmount.Display())
	})
	return c.view(out), err
}
