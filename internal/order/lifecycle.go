package order

import (
	"context"
	"errors"
	"fmt"
	"strings"

	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// staffOnly refuses callers who are not staff.
func staffOnly(ctx context.Context) (access, error) {
	a := accessOf(ctx)
	if !a.trusted {
		if a.customer == "" {
			return a, authn.ErrUnauthenticated
		}
		return a, authn.ErrForbidden
	}
	return a, nil
}

// staffOrder checks the caller is staff and loads the order; the context it
// returns makes the shop's calls as the order service.
func (c *Core) staffOrder(ctx context.Context, id string) (context.Context, access, Order, error) {
	a, err := staffOnly(ctx)
	if err != nil {
		return ctx, a, Order{}, err
	}
	ctx = serviceCtx(ctx)
	o, err := c.store.Order(ctx, id)
	return ctx, a, o, err
}

// Cancel implements Service.
func (c *Core) Cancel(ctx context.Context, id, token string, in CancelInput) (Order, error) {
	o, err := c.owned(ctx, id, token)
	if err != nil {
		return Order{}, err
	}
	actor := accessOf(ctx).actor
	// What follows is the shop's doing, not the shopper's: payment and
	// stock calls go out as the order service.
	ctx = serviceCtx(ctx)
	unlock := c.lockOrder(id)
	defer unlock()
	if o.Status == StatusPending {
		// The worker has not taken it yet (or is taking it now): let it
		// settle first, so that no payment starts behind the cancellation.
		if err := c.driveLocked(ctx, id, nil); err != nil && !isNotFound(err) {
			return Order{}, err
		}
		if o, err = c.owned(ctx, id, token); err != nil {
			return Order{}, err
		}
		if o.Status == StatusPending {
			return Order{}, ErrIllegalTransition.With("the order is still being placed; try again in a moment")
		}
	}
	if !o.Status.cancellable() {
		return Order{}, illegal(o.Status, StatusCancelled)
	}
	reason := strings.TrimSpace(in.Reason)
	if o.Status == StatusAwaitingPayment {
		if o.Payment.IntentID != "" {
			it, err := c.opts.Payments.CancelIntent(ctx, o.Payment.IntentID, payment.CancelIntentInput{Reason: "order cancelled"})
			if errors.Is(err, payment.ErrIllegalTransition) || (err == nil && it.Status.Captured()) {
				// Paid meanwhile: settle as paid, then cancel as a paid order.
				if err := c.driveLocked(ctx, id, nil); err != nil {
					return Order{}, err
				}
				if o, err = c.store.Order(ctx, id); err != nil {
					return Order{}, err
				}
				return c.cancelPaid(ctx, o, actor, reason)
			}
			if err != nil {
				return Order{}, err
			}
		}
		if err := c.undoIntake(ctx, id); err != nil {
			return Order{}, err
		}
		o, err := c.update(ctx, id, func(x *Order, m *Mutation) error {
			if x.Status != StatusAwaitingPayment {
				return illegal(x.Status, StatusCancelled)
			}
			x.PaymentDue, x.Payment.NextAction = nil, nil
			x.Payment.Status = payment.StatusCancelled
			return c.move(x, m, StatusCancelled, "cancelled", actor, reason)
		})
		return c.view(o), err
	}
	return c.cancelPaid(ctx, o, actor, reason)
}

// cancelPaid cancels an order whose stock is sold: the money goes back
// (refund, or the cash-on-delivery hold is dropped) and the units return
// to stock.
func (c *Core) cancelPaid(ctx context.Context, o Order, actor, reason string) (Order, error) {
	if !o.Status.cancellable() {
		return Order{}, illegal(o.Status, StatusCancelled)
	}
	var it payment.Intent
	var err error
	if o.Payment.IntentID != "" { // an exchange's replacement was not paid for
		if it, err = c.opts.Payments.GetIntent(ctx, o.Payment.IntentID); err != nil {
			return Order{}, err
		}
	}
	switch {
	case it.ID == "":
	case it.Status == payment.StatusAuthorized:
		if it, err = c.opts.Payments.CancelIntent(ctx, it.ID, payment.CancelIntentInput{Reason: "order cancelled"}); err != nil {
			return Order{}, err
		}
	case it.Refundable() > 0:
		if _, err := c.opts.Payments.RefundIntent(ctx, it.ID, payment.RefundIntentInput{
			IdempotencyKey: "cancel-" + o.ID, Reason: "order cancelled",
		}); err != nil {
			return Order{}, err
		}
		if it, err = c.opts.Payments.GetIntent(ctx, it.ID); err != nil {
			return Order{}, err
		}
	}
	if err := c.restock(ctx, o, "cancel:"+o.ID, unitsOf(o), "order_cancelled"); err != nil {
		return Order{}, err
	}
	if err := c.opts.Carts.ReleaseRedemption(serviceCtx(ctx), o.ID); err != nil && !isNotFound(err) {
		return Order{}, err
	}
	out, err := c.update(ctx, o.ID, func(x *Order, m *Mutation) error {
		if !x.Status.cancellable() || x.Status == StatusAwaitingPayment || x.Status == StatusPending {
			return illegal(x.Status, StatusCancelled)
		}
		if it.ID != "" {
			setPayment(x, it)
		}
		if err := c.move(x, m, StatusCancelled, "cancelled", actor, reason); err != nil {
			return err
		}
		if x.Totals.Refunded.Amount > 0 {
			return c.emit(x, m, EventRefunded, StatusCancelled)
		}
		return nil
	})
	return c.view(out), err
}

// unitsOf lists an order's units not returned.
func unitsOf(o Order) []ReturnLine {
	var out []ReturnLine
	for _, l := range o.Lines {
		if q := l.Quantity - l.Returned; q > 0 {
			out = append(out, ReturnLine{SKU: l.SKU, Quantity: q})
		}
	}
	return out
}

// restock puts sold units back on hand, once per reference.
func (c *Core) restock(ctx context.Context, o Order, ref string, lines []ReturnLine, reason string) error {
	for _, l := range lines {
		_, err := c.opts.Stock.Adjust(serviceCtx(ctx), inventory.Adjustment{
			SKU: l.SKU, Delta: l.Quantity, Reason: reason, Reference: ref + ":" + l.SKU,
		})
		if err != nil && !errors.Is(err, inventory.ErrUnknownSKU) {
			return fmt.Errorf("restock %s: %w", l.SKU, err)
		}
	}
	return nil
}

// Pack implements Service.
func (c *Core) Pack(ctx context.Context, id string) (Order, error) {
	a, err := staffOnly(ctx)
	if err != nil {
		return Order{}, err
	}
	ctx = serviceCtx(ctx)
	o, err := c.update(ctx, id, func(x *Order, m *Mutation) error {
		return c.move(x, m, StatusPacked, "packed", a.actor, "")
	})
	return c.view(o), err
}

// Ship implements Service.
func (c *Core) Ship(ctx context.Context, id string, in ShipInput) (Order, error) {
	a, err := staffOnly(ctx)
	if err != nil {
		return Order{}, err
	}
	ctx = serviceCtx(ctx)
	in.Carrier, in.Number = strings.TrimSpace(in.Carrier), strings.TrimSpace(in.Number)
	if in.Carrier == "" || in.Number == "" {
		return Order{}, ErrInvalidShipment
	}
	o, err := c.update(ctx, id, func(x *Order, m *Mutation) error {
		x.Tracking = &Tracking{Carrier: in.Carrier, Number: in.Number, URL: in.URL}
		now := c.now()
		x.ShippedAt = &now
		return c.move(x, m, StatusShipped, "shipped", a.actor, in.Carrier+" "+in.Number)
	})
	return c.view(o), err
}

// Deliver implements Service. For cash on delivery it records the cash the
// courier collected (the capture).
func (c *Core) Deliver(ctx context.Context, id string) (Order, error) {
	ctx, a, o, err := c.staffOrder(ctx, id)
	if err != nil {
		return Order{}, err
	}
	if !CanMove(o.Status, StatusDelivered) {
		return Order{}, illegal(o.Status, StatusDelivered)
	}
	var it payment.Intent
	if o.Payment.Method == payment.MethodCOD && o.Payment.Status == payment.StatusAuthorized {
		if it, err = c.opts.Payments.CaptureIntent(ctx, o.Payment.IntentID, payment.CaptureIntentInput{}); err != nil {
			return Order{}, err
		}
	}
	out, err := c.update(ctx, id, func(x *Order, m *Mutation) error {
		if it.ID != "" {
			setPayment(x, it)
			now := c.now()
			x.PaidAt = &now
		}
		now := c.now()
		x.DeliveredAt = &now
		return c.move(x, m, StatusDelivered, "delivered", a.actor, "")
	})
	return c.view(out), err
}

// Refund implements Service: staff give back money (goodwill, a partial
// refund). A refund of everything left moves the order to refunded.
func (c *Core) Refund(ctx context.Context, id string, in RefundInput) (Order, error) {
	ctx, a, o, err := c.staffOrder(ctx, id)
	if err != nil {
		return Order{}, err
	}
	if o.Payment.IntentID == "" {
		return Order{}, ErrNothingToRefund
	}
	key := in.Key
	if key == "" {
		key = fmt.Sprintf("refund-%s-%d", o.ID, len(o.Refunds)+1)
	}
	it, err := c.refund(ctx, o, key, in.Amount, in.Reason)
	if err != nil {
		return Order{}, err
	}
	out, err := c.update(ctx, id, func(x *Order, m *Mutation) error {
		setPayment(x, it)
		noteRefund(x, key, "", in.Amount.Amount)
		if it.Refundable() == 0 && CanMove(x.Status, StatusRefunded) {
			return c.move(x, m, StatusRefunded, "refunded", a.actor, in.Reason)
		}
		x.UpdatedAt = c.now()
		return c.emit(x, m, EventRefunded, x.Status)
	})
	return c.view(out), err
}

// refund asks payment to refund amount (zero: all that is left) under key,
// and returns the intent after it.
func (c *Core) refund(ctx context.Context, o Order, key string, amount money.Money, reason string) (payment.Intent, error) {
	it, err := c.opts.Payments.GetIntent(ctx, o.Payment.IntentID)
	if err != nil {
		return payment.Intent{}, err
	}
	if !hasRefund(o, key) {
		if it.Refundable() <= 0 {
			return payment.Intent{}, ErrNothingToRefund
		}
		if amount.Amount > it.Refundable() {
			return payment.Intent{}, ErrRefundTooLarge
		}
	}
	if _, err := c.opts.Payments.RefundIntent(ctx, it.ID, payment.RefundIntentInput{
		IdempotencyKey: key, Amount: amount, Reason: reason,
	}); err != nil {
		if errors.Is(err, payment.ErrRefundExceedsCaptured) {
			return payment.Intent{}, ErrRefundTooLarge
		}
		return payment.Intent{}, err
	}
	return c.opts.Payments.GetIntent(ctx, it.ID)
}

func hasRefund(o Order, key string) bool {
	for _, r := range o.Refunds {
		if r.Key == key {
			return true
		}
	}
	return false
}

func noteRefund(o *Order, key, returnID string, amount int64) {
	if !hasRefund(*o, key) {
		o.Refunds = append(o.Refunds, RefundNote{Key: key, ReturnID: returnID, Amount: amount})
	}
}
