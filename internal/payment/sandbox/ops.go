package sandbox

import (
	"context"
	"fmt"

	"github.com/bazaarshop/bazaar/internal/payment"
)

// Authorize implements payment.Provider.
func (p *Provider) Authorize(ctx context.Context, r payment.AuthorizeRequest) (payment.ProviderPayment, error) {
	p.mu.Lock()
	py, seen := p.byIntent[r.IntentID]
	if !seen {
		py = p.start(r)
	}
	v, sc := py.view(), py.scenario
	p.mu.Unlock()
	if sc == Timeout || sc == LateWebhook {
		// The payment went through, but the answer is lost: every call
		// for it times out, as a provider that hangs would.
		if !seen && sc == LateWebhook {
			p.after(p.opts.LateWebhookDelay, func() { p.notify(py.ref) })
		}
		return payment.ProviderPayment{}, payment.ErrProviderTimeout.With("sandbox: the authorisation timed out (test scenario)")
	}
	if !seen {
		switch sc {
		case Collect, CollectDeclined:
			p.after(p.opts.AsyncDelay, func() { p.decide(py.ref, sc == Collect, "upi_collect_declined") })
		}
	}
	return v, nil
}

// start records a new payment and decides its first state. p.mu is held.
func (p *Provider) start(r payment.AuthorizeRequest) *pay {
	py := &pay{
		ref: newID("sb_pay_"), intentID: r.IntentID, method: r.Method, scenario: scenarioOf(r),
		amount: r.Amount.Amount, currency: r.Amount.Currency, captureNow: r.CaptureNow, returnURL: r.ReturnURL,
		vpa: r.VPA, wallet: r.Wallet, bank: r.Bank,
	}
	if r.Card != nil {
		py.last4 = r.Card.Number.Last4()
	}
	switch py.scenario {
	case Succeed, Timeout, LateWebhook:
		py.approve()
	case Decline, InsufficientFunds, ExpiredCard:
		py.status, py.failure = payment.StatusFailed, string(py.scenario)
	case Challenge, Redirect:
		py.status = payment.StatusRequiresAction
		py.action = &payment.NextAction{Type: "redirect", URL: p.opts.BaseURL + PagePath + py.ref}
	case Collect, CollectDeclined, CollectExpires:
		py.status = payment.StatusProcessing
		exp := p.opts.Clock().Add(15 * 60e9).UTC()
		py.action = &payment.NextAction{Type: "upi_collect", Expires: &exp}
	}
	p.payments[py.ref] = py
	p.byIntent[py.intentID] = py
	return py
}

// approve holds (or takes) the money.
func (py *pay) approve() {
	py.action = nil
	if py.captureNow {
		py.status, py.captured = payment.StatusCaptured, py.amount
		return
	}
	py.status, py.capturable = payment.StatusAuthorized, py.amount
}

// decide settles a payment awaiting the shopper and sends the webhook.
func (p *Provider) decide(ref string, approve bool, failure string) error {
	p.mu.Lock()
	py, ok := p.payments[ref]
	if !ok {
		p.mu.Unlock()
		return payment.ErrProviderNotFound
	}
	if py.status != payment.StatusRequiresAction && py.status != payment.StatusProcessing {
		p.mu.Unlock()
		return nil // already settled (or cancelled)
	}
	if approve {
		py.approve()
	} else {
		py.status, py.failure, py.action = payment.StatusFailed, failure, nil
	}
	p.mu.Unlock()
	p.notify(ref)
	return nil
}

// Approve completes a payment awaiting the shopper (a challenge, a bank
// or wallet page, a UPI collect) as the shopper approving it would, and
// sends the webhook. Tests use it; the pages call it.
func (p *Provider) Approve(ref string) error { return p.decide(ref, true, "") }

// Deny refuses a payment awaiting the shopper.
func (p *Provider) Deny(ref string) error {
	p.mu.Lock()
	failure := "payment_declined"
	if py, ok := p.payments[ref]; ok && py.method == payment.MethodCard {
		failure = "authentication_failed"
	} else if ok && py.method == payment.MethodUPI {
		failure = "upi_collect_declined"
	}
	p.mu.Unlock()
	return p.decide(ref, false, failure)
}

// find looks a payment up by ref or intent. p.mu is held.
func (p *Provider) find(ref, intentID string) (*pay, bool) {
	if py, ok := p.payments[ref]; ok && ref != "" {
		return py, true
	}
	py, ok := p.byIntent[intentID]
	return py, ok
}

// Capture implements payment.Provider.
func (p *Provider) Capture(ctx context.Context, r payment.CaptureRequest) (payment.ProviderPayment, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	py, ok := p.find(r.Ref, r.IntentID)
	if !ok {
		return payment.ProviderPayment{}, payment.ErrProviderNotFound
	}
	switch py.status {
	case payment.StatusCaptured:
		return py.view(), nil // the same capture again
	case payment.StatusAuthorized:
		if r.Amount.Amount <= 0 || r.Amount.Amount > py.capturable {
			return payment.ProviderPayment{}, payment.ErrProviderRejected.With(fmt.Sprintf("sandbox: cannot capture %d of %d", r.Amount.Amount, py.capturable))
		}
		py.status, py.captured, py.capturable = payment.StatusCaptured, r.Amount.Amount, 0
		return py.view(), nil
	}
	return payment.ProviderPayment{}, payment.ErrProviderRejected.With("sandbox: a " + string(py.status) + " payment cannot be captured")
}

// Cancel implements payment.Provider.
func (p *Provider) Cancel(ctx context.Context, r payment.CancelRequest) (payment.ProviderPayment, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	py, ok := p.find(r.Ref, r.IntentID)
	if !ok {
		return payment.ProviderPayment{}, payment.ErrProviderNotFound
	}
	switch py.status {
	case payment.StatusAuthorized, payment.StatusProcessing, payment.StatusRequiresAction:
		py.status, py.capturable, py.action = payment.StatusCancelled, 0, nil
	}
	return py.view(), nil // captured, failed and cancelled payments stay as they are
}

// Refund implements payment.Provider.
func (p *Provider) Refund(ctx context.Context, r payment.RefundRequest) (payment.ProviderRefund, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if rf, ok := p.refunds[r.Key]; ok {
		return payment.ProviderRefund{Ref: rf.ref, Status: rf.status, FailureCode: rf.failure}, nil
	}
	py, ok := p.find(r.Ref, r.IntentID)
	if !ok {
		return payment.ProviderRefund{}, payment.ErrProviderNotFound
	}
	if py.status != payment.StatusCaptured || r.Amount.Amount <= 0 || r.Amount.Amount > py.captured-py.refunded {
		return payment.ProviderRefund{}, payment.ErrProviderRejected.With(fmt.Sprintf("sandbox: cannot refund %d of a %s payment with %d left", r.Amount.Amount, py.status, py.captured-py.refunded))
	}
	py.refunded += r.Amount.Amount
	rf := &refund{id: r.Key, ref: newID("sb_re_"), payRef: py.ref, amount: r.Amount.Amount, status: payment.RefundSucceeded}
	p.refunds[r.Key] = rf
	return payment.ProviderRefund{Ref: rf.ref, Status: rf.status}, nil
}

// Lookup implements payment.Provider.
func (p *Provider) Lookup(ctx context.Context, r payment.LookupRequest) (payment.ProviderPayment, error) {
	p.mu.Lock()
	defer p.mu.Unlock()
	py, ok := p.find(r.Ref, r.IntentID)
	if !ok {
		return payment.ProviderPayment{}, payment.ErrProviderNotFound
	}
	return py.view(), nil
}

// Payment returns the sandbox's view of the payment for intentID (tests).
func (p *Provider) Payment(intentID string) (payment.ProviderPayment, bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	py, ok := p.byIntent[intentID]
	if !ok {
		return payment.ProviderPayment{}, false
	}
	return py.view(), true
}

// Capture at the provider outside Bazaar, as a merchant could in a
// dashboard: tests use it to make the provider hold money Bazaar does not
// know about.
func (p *Provider) ForceCapture(intentID string) error {
	p.mu.Lock()
	defer p.mu.Unlock()
	py, ok := p.byIntent[intentID]
	if !ok {
		return payment.ErrProviderNotFound
	}
	py.status, py.captured, py.capturable, py.action = payment.StatusCaptured, py.amount, 0, nil
	return nil
}
