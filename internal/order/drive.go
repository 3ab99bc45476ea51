package order

import (
	"context"
	"errors"

	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// drive moves an order along as far as it can go now: it starts the
// payment of a pending order, and settles an order awaiting payment from
// its intent. Every step is idempotent, so driving twice, or from two
// processes, does each thing once. Its payment calls say CallerSettles: it
// acts on each answer before its message is acknowledged (a crash
// redelivers the message and the drive runs again), so the bus need not
// deliver it the events of its own changes.
func (c *Core) drive(ctx context.Context, id string) error {
	if c.pastPayment.has(id) {
		// Settled here before: a status never goes back to pending or
		// awaiting_payment, so there is nothing to drive (the payment
		// events of an order the worker just paid need no read).
		return nil
	}
	unlock := c.lockOrder(id)
	defer unlock()
	return c.driveLocked(ctx, id, nil)
}

// driveLocked drives order id, starting from known when the caller has
// just read or written it (nil: read it).
func (c *Core) driveLocked(ctx context.Context, id string, known *Order) error {
	for range 4 {
		var o Order
		if known != nil {
			o, known = *known, nil
		} else {
			if c.pastPayment.has(id) {
				// Settled by this drive's last step, or by whoever held
				// the order's lock before us (the request's worker).
				return nil
			}
			var err error
			if o, err = c.store.Current(ctx, id); err != nil {
				return err
			}
		}
		if o.Status.Settled() {
			c.pastPayment.add(id)
			return nil
		}
		progressed, err := c.step(ctx, o)
		if err != nil || !progressed {
			return err
		}
	}
	return nil
}

func (c *Core) step(ctx context.Context, o Order) (bool, error) {
	switch o.Status {
	case StatusPending:
		if o.ExchangeOf != "" || o.Totals.Total.Amount == 0 {
			return true, c.settleFree(ctx, o)
		}
		it, err := c.startPayment(ctx, o)
		if err != nil {
			if refused(err) {
				e := errs.As(err)
				return true, c.finishUnpaid(ctx, o, StatusPaymentFailed, "payment", e.Code, e.Detail)
			}
			return false, err
		}
		if it.Status == payment.StatusAuthorized || it.Status.Captured() {
			// Authorised at once (most cards): settle it now and write
			// both moves in one update instead of two.
			return c.applyIntent(ctx, o, it)
		}
		_, err = c.updateFrom(ctx, o, func(x *Order, m *Mutation) error {
			if x.Status != StatusPending {
				return ErrNoChange
			}
			setPayment(x, it)
			due := c.now().Add(c.opts.PaymentTimeout)
			x.PaymentDue = &due
			return c.move(x, m, StatusAwaitingPayment, "payment", "worker", "")
		})
		return err == nil, err
	case StatusAwaitingPayment:
		it, err := c.opts.Payments.GetIntent(ctx, o.Payment.IntentID)
		if err != nil {
			return false, err
		}
		return c.applyIntent(ctx, o, it)
	}
	return false, nil
}

// startPayment creates and confirms the order's intent (idempotent by the
// order id: a retry gets the same intent).
func (c *Core) startPayment(ctx context.Context, o Order) (payment.Intent, error) {
	if o.Request == nil {
		return payment.Intent{}, errs.Internal(errors.New("order " + o.ID + " has no request"))
	}
	it, err := c.opts.Payments.CreateIntent(ctx, payment.CreateIntentInput{
		IdempotencyKey: "order-" + o.ID, OrderID: o.ID, CustomerID: o.CustomerID,
		Amount: o.Totals.Total, Method: o.Request.Payment, CaptureMethod: payment.CaptureManual,
		Confirm: true, ReturnURL: o.Request.ReturnURL, Settling: payment.Settling{CallerSettles: true},
	})
	if err != nil {
		return payment.Intent{}, err
	}
	if it.Status == payment.StatusRequiresConfirmation {
		return c.opts.Payments.ConfirmIntent(ctx, it.ID, payment.ConfirmIntentInput{ReturnURL: o.Request.ReturnURL, Settling: payment.Settling{CallerSettles: true}})
	}
	return it, nil
}

// refused: the payment service said no for good (a bad or expired method),
// as opposed to being unreachable.
func refused(err error) bool {
	switch errs.KindOf(err) {
	case errs.KindInvalid, errs.KindNotFound, errs.KindUnprocessable, errs.KindForbidden:
		return true
	}
	return false
}

// applyIntent settles an order awaiting payment from its intent.
func (c *Core) applyIntent(ctx context.Context, o Order, it payment.Intent) (bool, error) {
	switch {
	case it.Status == payment.StatusRequiresConfirmation:
		it2, err := c.opts.Payments.ConfirmIntent(ctx, it.ID, payment.ConfirmIntentInput{ReturnURL: o.Request.ReturnURL, Settling: payment.Settling{CallerSettles: true}})
		if err != nil {
			return false, err
		}
		return it2.Status != it.Status, c.notePayment(ctx, o.ID, it2)
	case it.Status.Open():
		return false, c.notePayment(ctx, o.ID, it)
	case it.Status == payment.StatusFailed:
		return true, c.finishUnpaid(ctx, o, StatusPaymentFailed, "payment", it.FailureCode, it.FailureMessage)
	case it.Status == payment.StatusCancelled:
		return true, c.finishUnpaid(ctx, o, StatusExpired, "payment_cancelled", "payment_cancelled", "the payment was called off")
	}
	// Authorised or captured: sell the stock, then take the money.
	if _, err := c.opts.Stock.Commit(serviceCtx(ctx), o.ID); err != nil {
		if !holdGone(err) {
			return false, err
		}
		if !it.Status.Captured() {
			if _, cerr := c.opts.Payments.CancelIntent(ctx, it.ID, payment.CancelIntentInput{Reason: "stock released", Settling: payment.Settling{CallerSettles: true}}); cerr != nil {
				return false, cerr
			}
			return true, c.finishUnpaid(ctx, o, StatusExpired, "stock_released", "stock_released", "the stock held for the order was released before it was paid")
		}
		// Captured with the hold gone (it expired while the workers were
		// away): the money is taken, so the order stands; the stock is
		// sold from what is left, or the shortfall is for staff.
		c.log.Warn("order: paid after its hold expired", "order_id", o.ID)
	}
	// The settling update writes from o, read or written just before in
	// this drive (the payment calls in between do not change the order).
	if it.Method.Type == payment.MethodCOD && it.Status == payment.StatusAuthorized {
		_, err := c.updateFrom(ctx, o, func(x *Order, m *Mutation) error {
			if err := c.toAwaiting(x, m, it); err != nil {
				return err
			}
			x.PaymentDue = nil
			return c.move(x, m, StatusConfirmed, "cash_on_delivery", "worker", "")
		})
		return true, err
	}
	if it.Status == payment.StatusAuthorized {
		var err error
		if it, err = c.opts.Payments.CaptureIntent(ctx, it.ID, payment.CaptureIntentInput{Settling: payment.Settling{CallerSettles: true}}); err != nil {
			return false, err
		}
		if !it.Status.Captured() {
			return false, c.notePayment(ctx, o.ID, it) // the capture is with the provider
		}
	}
	_, err := c.updateFrom(ctx, o, func(x *Order, m *Mutation) error {
		if err := c.toAwaiting(x, m, it); err != nil {
			return err
		}
		now := c.now()
		x.PaidAt, x.PaymentDue = &now, nil
		return c.move(x, m, StatusPaid, "payment", "worker", "")
	})
	return true, err
}

// toAwaiting brings an order that is settling its payment to
// awaiting_payment: a pending order whose payment was authorised at once
// records the step it skipped. Any other status has been settled by
// someone else (ErrNoChange).
func (c *Core) toAwaiting(x *Order, m *Mutation, it payment.Intent) error {
	setPayment(x, it)
	switch x.Status {
	case StatusAwaitingPayment:
		return nil
	case StatusPending:
		// Recorded without its event: the order settles in this update.
		x.Status = StatusAwaitingPayment
		c.record(x, m, StatusPending, "payment", "worker", "")
		return nil
	}
	return ErrNoChange
}

// holdGone: the reservation cannot be committed any more.
func holdGone(err error) bool {
	return errors.Is(err, inventory.ErrReservationExpired) || errors.Is(err, inventory.ErrReservationReleased) ||
		errors.Is(err, inventory.ErrReservationNotFound)
}

// notePayment records the intent's visible state (a challenge URL, say)
// when it changed.
func (c *Core) notePayment(ctx context.Context, id string, it payment.Intent) error {
	_, err := c.update(ctx, id, func(x *Order, m *Mutation) error {
		before := x.Payment
		setPayment(x, it)
		if samePayment(before, x.Payment) {
			return ErrNoChange
		}
		x.UpdatedAt = c.now()
		return nil
	})
	return err
}

func samePayment(a, b PaymentInfo) bool {
	sameAction := (a.NextAction == nil) == (b.NextAction == nil) &&
		(a.NextAction == nil || (a.NextAction.Type == b.NextAction.Type && a.NextAction.URL == b.NextAction.URL))
	return a.IntentID == b.IntentID && a.Status == b.Status && sameAction && a.FailureCode == b.FailureCode &&
		a.Captured == b.Captured && a.Refunded == b.Refunded
}

// setPayment copies what the shopper may see of an intent.
func setPayment(o *Order, it payment.Intent) {
	o.Payment.IntentID = it.ID
	o.Payment.Status = it.Status
	o.Payment.Method = it.Method.Type
	o.Payment.Card = it.Method.Card
	o.Payment.NextAction = nil
	if it.Status == payment.StatusRequiresAction || it.Status == payment.StatusProcessing {
		o.Payment.NextAction = it.NextAction
	}
	o.Payment.FailureCode, o.Payment.FailureMessage = it.FailureCode, it.FailureMessage
	if it.AmountCaptured.Currency != "" {
		o.Payment.Captured = it.AmountCaptured
	}
	if it.AmountRefunded.Currency != "" {
		o.Payment.Refunded = it.AmountRefunded
		o.Totals.Refunded = it.AmountRefunded
	}
}

// finishUnpaid ends an order that took no money: its stock and promotions
// go back first (idempotently), then the order moves to its final status.
func (c *Core) finishUnpaid(ctx context.Context, o Order, to Status, reason, code, message string) error {
	if err := c.undoIntake(ctx, o.ID); err != nil {
		return err
	}
	_, err := c.update(ctx, o.ID, func(x *Order, m *Mutation) error {
		if x.Status != StatusPending && x.Status != StatusAwaitingPayment {
			return ErrNoChange
		}
		x.PaymentDue = nil
		x.Payment.NextAction = nil
		if code != "" {
			x.Payment.FailureCode, x.Payment.FailureMessage = code, message
		}
		if x.Payment.Status.Open() {
			x.Payment.Status = payment.StatusCancelled
			if to == StatusPaymentFailed {
				x.Payment.Status = payment.StatusFailed
			}
		}
		return c.move(x, m, to, reason, "worker", message)
	})
	return err
}

// settleFree completes an order with nothing to pay (an exchange's
// replacement, a fully discounted cart): sell the stock, mark it paid.
func (c *Core) settleFree(ctx context.Context, o Order) error {
	if _, err := c.opts.Stock.Commit(serviceCtx(ctx), o.ID); err != nil {
		if holdGone(err) {
			return c.finishUnpaid(ctx, o, StatusExpired, "stock_released", "stock_released", "the stock held for the order was released")
		}
		return err
	}
	_, err := c.update(ctx, o.ID, func(x *Order, m *Mutation) error {
		if x.Status != StatusPending {
			return ErrNoChange
		}
		now := c.now()
		x.PaidAt = &now
		if err := c.move(x, m, StatusAwaitingPayment, "nothing_to_pay", "worker", ""); err != nil {
			return err
		}
		reason := "nothing_to_pay"
		if x.ExchangeOf != "" {
			reason = "exchange"
		}
		return c.move(x, m, StatusPaid, reason, "worker", "")
	})
	return err
}

// expire ends an order whose payment deadline passed: the payment is
// called off (if it was captured meanwhile, the order is paid instead) and
// the stock goes back.
func (c *Core) expire(ctx context.Context, id string) error {
	unlock := c.lockOrder(id)
	defer unlock()
	o, err := c.store.Order(ctx, id)
	if err != nil || o.Status != StatusAwaitingPayment || o.PaymentDue == nil || c.now().Before(*o.PaymentDue) {
		return err
	}
	if o.Payment.IntentID != "" {
		it, err := c.opts.Payments.CancelIntent(ctx, o.Payment.IntentID, payment.CancelIntentInput{Reason: "payment_timeout"})
		if errors.Is(err, payment.ErrIllegalTransition) {
			return c.driveLocked(ctx, id, nil) // captured meanwhile: it is paid
		}
		if err != nil {
			return err
		}
		if it.Status != payment.StatusCancelled && it.Status != payment.StatusFailed {
			return c.driveLocked(ctx, id, nil)
		}
	}
	return c.finishUnpaid(ctx, o, StatusExpired, "payment_timeout", "payment_timeout", "the order was not paid in time")
}
