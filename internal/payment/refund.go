package payment

import (
	"context"
	"errors"
	"fmt"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// RefundIntent implements Service.
func (c *Core) RefundIntent(ctx context.Context, id string, in RefundIntentInput) (Refund, error) {
	if err := accessOf(ctx).requireTrusted("refund"); err != nil {
		return Refund{}, err
	}
	if err := ids.Valid(id); err != nil {
		return Refund{}, ErrIntentNotFound
	}
	if n := len(in.IdempotencyKey); n == 0 || n > 255 {
		return Refund{}, invalid([]errs.FieldError{{Field: "idempotency_key", Message: "must be 1 to 255 characters"}})
	}
	if r, ok, err := c.refundByKey(ctx, id, in); ok || err != nil {
		return r, err
	}
	reason := orDefault(in.Reason, "refund")
	var r Refund
	it, err := c.store.UpdateIntent(ctx, id, func(it *Intent, m *Mutation) error {
		var err error
		r, err = c.newRefund(it, m, in.IdempotencyKey, in.Amount, reason)
		return err
	})
	if err != nil {
		if errs.KindOf(err) == errs.KindConflict && errors.Is(err, errConflictKey) {
			if r, ok, err := c.refundByKey(ctx, id, in); ok || err != nil {
				return r, err
			}
		}
		return Refund{}, err
	}
	return c.driveRefund(ctx, it, r)
}

// errConflictKey is the store's unique violation (code already_exists).
var errConflictKey = errs.Conflict("already_exists", "")

// refundByKey answers a refund whose key was seen: the same refund (sent
// again if still pending), or ErrKeyReused for another amount.
func (c *Core) refundByKey(ctx context.Context, id string, in RefundIntentInput) (Refund, bool, error) {
	rs, err := c.store.ListRefunds(ctx, id)
	if err != nil {
		if errors.Is(err, ErrIntentNotFound) {
			return Refund{}, false, nil
		}
		return Refund{}, false, err
	}
	for _, r := range rs {
		if r.Key != in.IdempotencyKey {
			continue
		}
		if !in.Amount.IsZero() && (in.Amount.Amount != r.Amount.Amount || in.Amount.Currency != r.Amount.Currency) {
			return Refund{}, true, ErrKeyReused.With("this idempotency key was used for a refund of another amount")
		}
		if r.Status == RefundPending {
			it, err := c.store.GetIntent(ctx, id)
			if err != nil {
				return Refund{}, true, err
			}
			r, err = c.driveRefund(ctx, it, r)
			return r, true, err
		}
		return r, true, nil
	}
	return Refund{}, false, nil
}

// newRefund reserves amount (zero: all that is left) of a captured intent
// for a pending refund. The reservation (RefundPending) is what keeps
// concurrent refunds from exceeding the capture.
func (c *Core) newRefund(it *Intent, m *Mutation, key string, want money.Money, reason string) (Refund, error) {
	if !it.Status.Captured() && it.AmountCaptured.Amount == 0 {
		return Refund{}, ErrIllegalTransition.With(fmt.Sprintf("a %s payment cannot be refunded; only captured money can", it.Status))
	}
	amount := it.Refundable()
	if !want.IsZero() {
		if want.Currency != it.Amount.Currency {
			return Refund{}, money.ErrCurrencyMismatch.With("the refund must be in " + it.Amount.Currency)
		}
		if want.Amount <= 0 {
			return Refund{}, ErrInvalidInput.With("the refund amount must be positive")
		}
		if want.Amount > amount {
			return Refund{}, ErrRefundExceedsCaptured.With(fmt.Sprintf("%d is more than the %d left to refund", want.Amount, amount))
		}
		amount = want.Amount
	}
	if amount <= 0 {
		return Refund{}, ErrRefundExceedsCaptured.With("nothing is left to refund")
	}
	now := c.now()
	r := Refund{
		ID: ids.New(), IntentID: it.ID, Amount: money.Money{Amount: amount, Currency: it.Amount.Currency},
		Status: RefundPending, Reason: reason, CreatedAt: now, UpdatedAt: now, Key: key,
	}
	it.RefundPending += amount
	it.UpdatedAt = now
	m.Refunds = append(m.Refunds, r)
	return r, nil
}

// driveRefund sends a pending refund to the provider (its id is the
// idempotency key) and records the answer. Without an answer it stays
// pending: a retry, the webhook or the reconciler settles it.
func (c *Core) driveRefund(ctx context.Context, it Intent, r Refund) (Refund, error) {
	pctx, cancel := c.providerCtx(ctx)
	pr, err := c.providers[it.Provider].Refund(pctx, RefundRequest{
		Key: r.ID, IntentID: it.ID, Ref: it.ProviderRef, Amount: r.Amount, Reason: r.Reason,
	})
	cancel()
	if err != nil {
		err = providerError(err)
		if retryable(err) {
			c.log.WarnContext(ctx, "payment: refund not answered; it stays pending", "intent", it.ID, "refund", r.ID, "error", err)
			return r, nil
		}
		if !errors.Is(err, ErrProviderRejected) {
			return r, err
		}
		pr = ProviderRefund{Status: RefundFailed, FailureCode: "provider_rejected"}
	}
	_, r, err = c.settleRefund(ctx, r.ID, pr, "refund")
	return r, err
}

// settleRefund records a provider's word on a refund. Settling twice (the
// call's answer and the webhook) changes nothing the second time.
func (c *Core) settleRefund(ctx context.Context, refundID string, pr ProviderRefund, reason string) (Intent, Refund, error) {
	return c.store.UpdateRefund(ctx, refundID, func(it *Intent, r *Refund, m *Mutation) error {
		return c.settle(it, r, m, pr, reason)
	})
}

func (c *Core) settle(it *Intent, r *Refund, m *Mutation, pr ProviderRefund, reason string) error {
	if r.Status != RefundPending {
		return ErrNoChange
	}
	if pr.Ref != "" {
		r.ProviderRef = pr.Ref
	}
	now := c.now()
	switch pr.Status {
	case RefundSucceeded:
		r.Status, r.UpdatedAt = RefundSucceeded, now
		it.RefundPending -= r.Amount.Amount
		it.AmountRefunded.Amount += r.Amount.Amount
		m.Ledger = append(m.Ledger, refundEntry(it, r.ID, r.Amount.Amount, now)...)
		m.Refunds = append(m.Refunds, *r)
		if it.Status.Captured() {
			to := StatusPartiallyRefunded
			if it.AmountRefunded.Amount == it.AmountCaptured.Amount {
				to = StatusRefunded
			}
			if err := c.move(it, m, to, reason, r.Amount.Amount); err != nil {
				return err
			}
		} else {
			// A reversal of money taken for a failed or cancelled intent.
			c.record(it, m, it.Status, reason, r.Amount.Amount)
			if it.Refundable() == 0 && it.RefundPending == 0 {
				it.NeedsCheck = false
			}
		}
		return c.emit(it, m, EventRefunded, reason, r)
	case RefundFailed:
		r.Status, r.FailureCode, r.UpdatedAt = RefundFailed, orDefault(pr.FailureCode, "refund_failed"), now
		it.RefundPending -= r.Amount.Amount
		it.UpdatedAt = now
		m.Refunds = append(m.Refunds, *r)
		return c.emit(it, m, EventRefundFailed, reason, r)
	}
	// Still pending.
	if pr.Ref != "" {
		r.UpdatedAt = now
		m.Refunds = append(m.Refunds, *r)
		return nil
	}
	if m.Webhook != nil {
		return nil // nothing new, but remember the event
	}
	return ErrNoChange
}

// ListRefunds implements Service.
func (c *Core) ListRefunds(ctx context.Context, intentID string) ([]Refund, error) {
	if _, err := c.owned(ctx, intentID); err != nil {
		return nil, err
	}
	rs, err := c.store.ListRefunds(ctx, intentID)
	if rs == nil {
		rs = []Refund{}
	}
	return rs, err
}
