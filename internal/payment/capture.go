package payment

import (
	"context"
	"errors"
	"fmt"

	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// CaptureIntent implements Service.
func (c *Core) CaptureIntent(ctx context.Context, id string, in CaptureIntentInput) (Intent, error) {
	a := accessOf(ctx)
	if err := a.requireTrusted("capture"); err != nil {
		return Intent{}, err
	}
	ctx = answering(ctx, in.CallerSettles)
	if err := ids.Valid(id); err != nil {
		return Intent{}, ErrIntentNotFound
	}
	it, ok := c.known.take(id)
	if !ok {
		var err error
		if it, err = c.store.GetIntent(ctx, id); err != nil {
			return Intent{}, err
		}
	}
	return c.capture(ctx, it, in.Amount, "capture")
}

// capture takes want (zero: all that is authorised) of an authorized
// intent, known as this call last read or wrote it. The amount is recorded
// before the provider is called, so a retry after a timeout sends the same
// capture with the same key, and the reconciler can finish it.
func (c *Core) capture(ctx context.Context, known Intent, want money.Money, reason string) (Intent, error) {
	var send bool
	it, err := c.store.UpdateIntentFrom(ctx, known, func(it *Intent, m *Mutation) error {
		send = false
		switch {
		case it.Status.Captured():
			if want.IsZero() || want.Amount == it.AmountCaptured.Amount {
				return ErrNoChange
			}
			return ErrIllegalTransition.With(fmt.Sprintf("the payment was already captured (%d)", it.AmountCaptured.Amount))
		case it.Status != StatusAuthorized:
			return ErrIllegalTransition.With(fmt.Sprintf("a %s payment cannot be captured", it.Status))
		}
		amount := it.AmountCapturable.Amount
		if !want.IsZero() {
			if want.Currency != it.Amount.Currency {
				return money.ErrCurrencyMismatch.With("the capture must be in " + it.Amount.Currency)
			}
			amount = want.Amount
		}
		if amount <= 0 {
			return ErrInvalidInput.With("the capture amount must be positive")
		}
		if amount > it.AmountCapturable.Amount {
			return ErrCaptureExceedsAuthorized.With(fmt.Sprintf("%d is more than the %d authorised", amount, it.AmountCapturable.Amount))
		}
		send = true
		if it.CaptureRequested != 0 {
			if it.CaptureRequested != amount {
				return ErrCaptureInProgress
			}
			return ErrNoChange // the same capture again: resend it
		}
		it.CaptureRequested = amount
		return nil
	})
	if err != nil || !send {
		return it, err
	}
	pctx, cancel := c.providerCtx(ctx)
	pp, err := c.providers[it.Provider].Capture(pctx, CaptureRequest{
		Key: it.ID + "/capture", IntentID: it.ID, Ref: it.ProviderRef,
		Amount: money.Money{Amount: it.CaptureRequested, Currency: it.Amount.Currency},
	})
	cancel()
	if err != nil {
		err = providerError(err)
		if errors.Is(err, ErrProviderRejected) {
			return c.captureRefused(ctx, it, err)
		}
		return it, err
	}
	return c.applyPaymentFrom(ctx, it, pp, reason)
}

// captureRefused learns why a provider refused a capture (the hold lapsed,
// or was released by a cancel whose answer was lost), records the
// provider's state, and drops the capture request so it is not sent again.
func (c *Core) captureRefused(ctx context.Context, it Intent, refusal error) (Intent, error) {
	pctx, cancel := c.providerCtx(ctx)
	pp, err := c.providers[it.Provider].Lookup(pctx, LookupRequest{IntentID: it.ID, Ref: it.ProviderRef})
	cancel()
	if err != nil {
		return it, refusal
	}
	after, err := c.store.UpdateIntent(ctx, it.ID, func(it *Intent, m *Mutation) error {
		changed, err := c.apply(it, m, pp, "capture refused by the provider")
		if err != nil {
			return err
		}
		if it.Status == StatusAuthorized && it.CaptureRequested != 0 {
			it.CaptureRequested, changed = 0, true
		}
		if !changed {
			return ErrNoChange
		}
		return nil
	})
	if err != nil {
		return it, err
	}
	if after.Status.Captured() {
		return after, nil
	}
	return after, refusal
}

// CancelIntent implements Service.
func (c *Core) CancelIntent(ctx context.Context, id string, in CancelIntentInput) (Intent, error) {
	a := accessOf(ctx)
	if err := a.requireTrusted("cancel"); err != nil {
		return Intent{}, err
	}
	ctx = answering(ctx, in.CallerSettles)
	if err := ids.Valid(id); err != nil {
		return Intent{}, ErrIntentNotFound
	}
	reason := "cancel"
	if in.Reason != "" {
		reason = "cancel: " + in.Reason
	}
	send := false
	it, err := c.store.UpdateIntent(ctx, id, func(it *Intent, m *Mutation) error {
		switch it.Status {
		case StatusCancelled, StatusFailed:
			return ErrNoChange
		case StatusRequiresConfirmation:
			return c.move(it, m, StatusCancelled, reason, 0) // the provider never heard of it
		case StatusProcessing, StatusRequiresAction, StatusAuthorized:
			if it.CaptureRequested != 0 {
				return ErrCaptureInProgress.With("a capture of this payment is in progress; it cannot be cancelled now")
			}
			send = true
			return ErrNoChange
		}
		return ErrIllegalTransition.With(fmt.Sprintf("a %s payment cannot be cancelled; refund it", it.Status))
	})
	if err != nil || !send {
		return it, err
	}
	wasOpen := it.Status.Open()
	pctx, cancel := c.providerCtx(ctx)
	pp, err := c.providers[it.Provider].Cancel(pctx, CancelRequest{Key: it.ID + "/cancel", IntentID: it.ID, Ref: it.ProviderRef})
	cancel()
	switch {
	case errors.Is(err, ErrProviderNotFound):
		pp = ProviderPayment{Status: StatusCancelled} // it never reached the provider
	case err != nil:
		return it, providerError(err)
	}
	if pp.Status == StatusFailed {
		pp.Status = StatusCancelled
	}
	it, err = c.store.UpdateIntent(ctx, id, func(it *Intent, m *Mutation) error {
		changed, err := c.apply(it, m, pp, reason)
		if err != nil {
			return err
		}
		if it.Status == StatusCancelled && wasOpen && !it.NeedsCheck {
			// Called off while the provider was still deciding: look again
			// later, in case money moved after all.
			it.NeedsCheck, changed = true, true
		}
		if !changed {
			return ErrNoChange
		}
		return nil
	})
	if err != nil {
		return it, err
	}
	if it.Status.Captured() {
		return it, ErrIllegalTransition.With("the provider had already captured the payment; refund it instead")
	}
	if it.Status != StatusCancelled {
		return it, ErrProviderRejected.With(fmt.Sprintf("the provider did not cancel the payment (it is %s)", it.Status))
	}
	return it, nil
}
