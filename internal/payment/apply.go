package payment

import (
	"context"
)

// applyPayment records what a provider says of an intent's payment.
func (c *Core) applyPayment(ctx context.Context, id string, pp ProviderPayment, reason string) (Intent, error) {
	return c.store.UpdateIntent(ctx, id, c.applyFn(pp, reason))
}

// applyPaymentFrom is applyPayment for an intent as this call last read or
// wrote it: no read when nothing changed it since.
func (c *Core) applyPaymentFrom(ctx context.Context, known Intent, pp ProviderPayment, reason string) (Intent, error) {
	return c.store.UpdateIntentFrom(ctx, known, c.applyFn(pp, reason))
}

func (c *Core) applyFn(pp ProviderPayment, reason string) func(it *Intent, m *Mutation) error {
	return func(it *Intent, m *Mutation) error {
		changed, err := c.apply(it, m, pp, reason)
		if err != nil {
			return err
		}
		if !changed {
			return ErrNoChange
		}
		return nil
	}
}

// apply moves an intent to what its provider reports. It is the one place
// provider answers, webhooks and the reconciler change an intent, so they
// agree. Reports that are stale (an authorisation after the capture) change
// nothing; money the provider holds for an intent that is already failed or
// cancelled marks it NeedsCheck, and the reconciler gives it back.
func (c *Core) apply(it *Intent, m *Mutation, pp ProviderPayment, reason string) (changed bool, err error) {
	if pp.Ref != "" && it.ProviderRef == "" {
		it.ProviderRef, changed = pp.Ref, true
	}
	dead := it.Status == StatusFailed || it.Status == StatusCancelled
	switch pp.Status {
	case StatusRequiresAction:
		if it.Status == StatusRequiresConfirmation || it.Status == StatusProcessing {
			it.NextAction = pp.Action
			return true, c.move(it, m, StatusRequiresAction, reason, 0)
		}
	case StatusProcessing:
		if it.Status == StatusRequiresConfirmation || it.Status == StatusRequiresAction {
			it.NextAction = pp.Action
			return true, c.move(it, m, StatusProcessing, reason, 0)
		}
		if it.Status == StatusProcessing && pp.Action != nil && it.NextAction == nil {
			it.NextAction = pp.Action // a UPI collect request went out
			return true, nil
		}
	case StatusAuthorized:
		if it.Status.Open() {
			return true, c.authorize(it, m, pp.AmountCapturable, reason)
		}
		if dead && !it.NeedsCheck {
			it.NeedsCheck = true
			return true, nil
		}
	case StatusCaptured:
		amount := pp.AmountCaptured
		if amount <= 0 {
			amount = firstPositive(it.CaptureRequested, it.AmountCapturable.Amount, it.Amount.Amount)
		}
		if it.Status.Open() {
			if err := c.authorize(it, m, amount, reason); err != nil {
				return true, err
			}
		}
		if it.Status == StatusAuthorized {
			return true, c.recordCapture(it, m, amount, reason)
		}
		if dead && !it.NeedsCheck {
			it.NeedsCheck = true
			return true, nil
		}
	case StatusFailed:
		if it.Status.Open() {
			it.FailureCode, it.FailureMessage = orDefault(pp.FailureCode, "payment_failed"), pp.FailureMessage
			it.NextAction = nil
			return true, c.move(it, m, StatusFailed, reason, 0)
		}
		if it.Status == StatusAuthorized {
			// The provider let the hold go (it expired): nothing can be captured.
			it.AmountCapturable.Amount, it.CaptureRequested = 0, 0
			return true, c.move(it, m, StatusCancelled, reason+": hold released by the provider", 0)
		}
	case StatusCancelled:
		if it.Status.Open() || it.Status == StatusAuthorized {
			it.NextAction = nil
			it.AmountCapturable.Amount, it.CaptureRequested = 0, 0
			return true, c.move(it, m, StatusCancelled, reason, 0)
		}
	}
	return changed, nil
}

// authorize moves an open intent to authorized for amount (all of it when
// the provider does not say).
func (c *Core) authorize(it *Intent, m *Mutation, amount int64, reason string) error {
	if amount <= 0 || amount > it.Amount.Amount {
		amount = it.Amount.Amount
	}
	it.AmountCapturable.Amount = amount
	it.NextAction = nil
	return c.move(it, m, StatusAuthorized, reason, amount)
}

// recordCapture moves an authorized intent to captured and posts the
// ledger entry.
func (c *Core) recordCapture(it *Intent, m *Mutation, amount int64, reason string) error {
	if amount <= 0 || amount > it.Amount.Amount {
		amount = it.Amount.Amount
	}
	it.AmountCaptured.Amount = amount
	it.AmountCapturable.Amount, it.CaptureRequested = 0, 0
	m.Ledger = append(m.Ledger, captureEntry(it, amount, c.now())...)
	return c.move(it, m, StatusCaptured, reason, amount)
}

func firstPositive(vs ...int64) int64 {
	for _, v := range vs {
		if v > 0 {
			return v
		}
	}
	return 0
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}
