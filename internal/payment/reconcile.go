package payment

import (
	"context"
	"errors"
	"fmt"
	"strconv"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// ReconcileReport says what one reconciliation pass did.
type ReconcileReport struct {
	Checked  int      `json:"checked" doc:"Intents looked at."`
	Settled  int      `json:"settled" doc:"Open intents brought to the provider's state (authorised, captured, failed, cancelled)."`
	TimedOut int      `json:"timed_out" doc:"Open intents the provider never settled, called off and failed."`
	Reversed int      `json:"reversed" doc:"Failed or cancelled intents whose money the provider held or took, released or refunded."`
	Captures int      `json:"captures" doc:"Captures sent again and settled."`
	Refunds  int      `json:"refunds" doc:"Pending refunds sent again."`
	Errors   []string `json:"errors,omitempty"`
}

// reversalKey is the refund key of a reconciler's reversal. It names the
// intent's history position, so two reconcilers racing on one intent make
// one refund, and a reversal refund that failed can be tried again later.
func reversalKey(it *Intent) string { return "reconciler-reversal-" + strconv.Itoa(it.Seq) }

// Reconcile implements Service. The rule it applies, per intent:
//
//   - Open (processing, requires_action) and unchanged for ReconcileAfter:
//     ask the provider. What it reports is applied as if a webhook had
//     said it: authorised or captured money is recorded and announced
//     (payment.authorized / payment.captured), and the order side, which
//     has not been told the payment failed, goes on with the order. If the
//     provider never heard of it, the authorisation is sent again with the
//     same idempotency key. If it stays open past PendingTimeout, it is
//     cancelled at the provider and failed with payment_timeout.
//   - Failed or cancelled but not confirmed so by the provider (a timeout,
//     a cancel that raced the provider): if the provider holds money, the
//     hold is released; if it took money, the capture is recorded and
//     refunded at once (payment.refunded, reason reconciler): the order
//     side was told this payment failed and has moved on, so the money
//     goes back rather than to an order that no longer expects it.
//   - A capture or refund sent and not settled: sent again with the same
//     key, and its answer recorded.
func (c *Core) Reconcile(ctx context.Context) (ReconcileReport, error) {
	var rep ReconcileReport
	if err := accessOf(ctx).requireTrusted("reconcile"); err != nil {
		return rep, err
	}
	its, err := c.store.ToReconcile(ctx, c.now().Add(-c.opts.ReconcileAfter), 500)
	if err != nil {
		return rep, err
	}
	for _, it := range its {
		if ctx.Err() != nil {
			return rep, ctx.Err()
		}
		rep.Checked++
		if err := c.reconcileOne(ctx, it, &rep); err != nil {
			rep.Errors = append(rep.Errors, fmt.Sprintf("%s: %v", it.ID, err))
		}
	}
	return rep, nil
}

func (c *Core) reconcileOne(ctx context.Context, it Intent, rep *ReconcileReport) error {
	p, ok := c.providers[it.Provider]
	if !ok {
		return fmt.Errorf("provider %q is not configured", it.Provider)
	}
	if it.RefundPending > 0 {
		rs, err := c.store.ListRefunds(ctx, it.ID)
		if err != nil {
			return err
		}
		for _, r := range rs {
			if r.Status == RefundPending {
				rep.Refunds++
				if _, err := c.driveRefund(ctx, it, r); err != nil {
					return err
				}
			}
		}
	}
	switch {
	case it.Status == StatusAuthorized && (it.CaptureRequested > 0 || it.CaptureMethod == CaptureAutomatic):
		rep.Captures++
		amount := money.Money{}
		if it.CaptureRequested > 0 {
			amount = money.Money{Amount: it.CaptureRequested, Currency: it.Amount.Currency}
		}
		after, err := c.capture(ctx, it, amount, "reconciler")
		if errors.Is(err, ErrProviderRejected) && after.CaptureRequested == 0 {
			rep.Settled++ // the provider had released the hold: recorded
			return nil
		}
		return err
	case it.Status.Open():
		return c.reconcileOpen(ctx, p, it, rep)
	case it.NeedsCheck && (it.Status == StatusFailed || it.Status == StatusCancelled):
		return c.reconcileDead(ctx, p, it, rep)
	}
	return nil
}

// reconcileOpen settles an intent still waiting for its provider.
func (c *Core) reconcileOpen(ctx context.Context, p Provider, it Intent, rep *ReconcileReport) error {
	pctx, cancel := c.providerCtx(ctx)
	pp, err := p.Lookup(pctx, LookupRequest{IntentID: it.ID, Ref: it.ProviderRef})
	cancel()
	overdue := c.now().Sub(it.CreatedAt) > c.opts.PendingTimeout
	switch {
	case errors.Is(err, ErrProviderNotFound):
		if !overdue && it.Status == StatusProcessing {
			// The authorisation may never have left: send it again.
			after, err := c.drive(ctx, it, nil)
			if err == nil && after.Status != it.Status {
				rep.Settled++
			}
			return err
		}
		return c.timeOut(ctx, p, it, rep)
	case err != nil:
		return providerError(err)
	case pp.Status.Open() || pp.Status == "":
		if overdue {
			return c.timeOut(ctx, p, it, rep)
		}
		return nil
	}
	after, err := c.applyPaymentFrom(ctx, it, pp, "reconciler")
	if err != nil {
		return err
	}
	if after.Status != it.Status {
		rep.Settled++
	}
	if after.Status == StatusAuthorized && after.CaptureMethod == CaptureAutomatic {
		_, err = c.capture(ctx, after, money.Money{}, "automatic capture")
	}
	return err
}

// timeOut calls off a payment the provider never settled and fails it. It
// stays NeedsCheck: if money moves after all, the next pass gives it back.
func (c *Core) timeOut(ctx context.Context, p Provider, it Intent, rep *ReconcileReport) error {
	pctx, cancel := c.providerCtx(ctx)
	pp, err := p.Cancel(pctx, CancelRequest{Key: it.ID + "/cancel", IntentID: it.ID, Ref: it.ProviderRef})
	cancel()
	if err != nil && !errors.Is(err, ErrProviderNotFound) {
		return providerError(err)
	}
	if err == nil && (pp.Status == StatusAuthorized || pp.Status == StatusCaptured) {
		// Money moved just now: take it as the provider says.
		_, err := c.applyPayment(ctx, it.ID, pp, "reconciler")
		rep.Settled++
		return err
	}
	rep.TimedOut++
	_, err = c.store.UpdateIntent(ctx, it.ID, func(it *Intent, m *Mutation) error {
		if !it.Status.Open() {
			return ErrNoChange
		}
		it.FailureCode, it.FailureMessage = "payment_timeout", "the payment provider did not settle the payment in time"
		it.NextAction = nil
		it.NeedsCheck = true
		return c.move(it, m, StatusFailed, "reconciler: timed out", 0)
	})
	return err
}

// reconcileDead makes sure a failed or cancelled intent holds no money at
// its provider.
func (c *Core) reconcileDead(ctx context.Context, p Provider, it Intent, rep *ReconcileReport) error {
	pctx, cancel := c.providerCtx(ctx)
	pp, err := p.Lookup(pctx, LookupRequest{IntentID: it.ID, Ref: it.ProviderRef})
	cancel()
	switch {
	case errors.Is(err, ErrProviderNotFound):
		return c.checked(ctx, it.ID)
	case err != nil:
		return providerError(err)
	}
	switch pp.Status {
	case StatusAuthorized:
		rep.Reversed++
		pctx, cancel := c.providerCtx(ctx)
		_, err := p.Cancel(pctx, CancelRequest{Key: it.ID + "/cancel", IntentID: it.ID, Ref: orDefault(it.ProviderRef, pp.Ref)})
		cancel()
		if err != nil {
			return providerError(err)
		}
		return c.checked(ctx, it.ID)
	case StatusCaptured:
		rep.Reversed++
		return c.reverse(ctx, it.ID, pp)
	case StatusFailed, StatusCancelled:
		return c.checked(ctx, it.ID)
	}
	if c.now().Sub(it.CreatedAt) > c.opts.PendingTimeout {
		pctx, cancel := c.providerCtx(ctx)
		_, err := p.Cancel(pctx, CancelRequest{Key: it.ID + "/cancel", IntentID: it.ID, Ref: orDefault(it.ProviderRef, pp.Ref)})
		cancel()
		return providerError(err)
	}
	return nil
}

// reverse records money a provider took for a failed or cancelled intent
// and refunds it: the capture and the refund both go through the ledger,
// so it mirrors what the provider did.
func (c *Core) reverse(ctx context.Context, id string, pp ProviderPayment) error {
	var r Refund
	it, err := c.store.UpdateIntent(ctx, id, func(it *Intent, m *Mutation) error {
		if it.Status != StatusFailed && it.Status != StatusCancelled {
			return ErrNoChange
		}
		if it.ProviderRef == "" {
			it.ProviderRef = pp.Ref
		}
		taken := pp.AmountCaptured
		if taken <= 0 || taken > it.Amount.Amount {
			taken = it.Amount.Amount
		}
		if extra := taken - it.AmountCaptured.Amount; extra > 0 {
			it.AmountCaptured.Amount = taken
			m.Ledger = append(m.Ledger, captureEntry(it, extra, c.now())...)
			c.record(it, m, it.Status, "reconciler: captured at the provider after the payment ended", extra)
		}
		left := it.Refundable() - max(pp.AmountRefunded-it.AmountRefunded.Amount-it.RefundPending, 0)
		if left <= 0 {
			if it.RefundPending == 0 && it.Refundable() == 0 {
				it.NeedsCheck = false
			}
			return nil
		}
		var err error
		r, err = c.newRefund(it, m, reversalKey(it), money.Money{Amount: left, Currency: it.Amount.Currency}, "reconciler: returning money taken for a payment that had ended")
		return err
	})
	if err != nil {
		if errors.Is(err, errConflictKey) {
			return nil // a reversal is already under way
		}
		return err
	}
	if r.ID == "" {
		return nil
	}
	_, err = c.driveRefund(ctx, it, r)
	return err
}

// checked clears NeedsCheck: the provider confirmed nothing is held.
func (c *Core) checked(ctx context.Context, id string) error {
	_, err := c.store.UpdateIntent(ctx, id, func(it *Intent, m *Mutation) error {
		if !it.NeedsCheck || it.RefundPending > 0 {
			return ErrNoChange
		}
		it.NeedsCheck = false
		return nil
	})
	return err
}

// RunReconciler reconciles every ReconcileInterval (and when Nudge is
// called) until ctx ends, and forgets old webhook ids once an hour. Run it
// on every payment replica: passes on different replicas are safe
// together (provider calls are idempotent and updates lock the intent).
func (c *Core) RunReconciler(ctx context.Context) error {
	t := time.NewTicker(c.opts.ReconcileInterval)
	defer t.Stop()
	var pruned time.Time
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
		case <-c.wake:
		}
		rep, err := c.Reconcile(ctx)
		switch {
		case err != nil && ctx.Err() == nil:
			c.log.WarnContext(ctx, "payment: reconciliation failed", "error", err)
		case len(rep.Errors) > 0:
			c.log.WarnContext(ctx, "payment: reconciliation left intents unsettled", "errors", rep.Errors)
		case rep.Settled+rep.TimedOut+rep.Reversed > 0:
			c.log.InfoContext(ctx, "payment: reconciled", "settled", rep.Settled, "timed_out", rep.TimedOut, "reversed", rep.Reversed)
		}
		if now := c.now(); now.Sub(pruned) > time.Hour {
			c.housekeeping(ctx, now)
			pruned = now
		}
	}
}

// housekeeping forgets old webhook ids and destroys the card data of
// one-time tokens past CardRetention.
func (c *Core) housekeeping(ctx context.Context, now time.Time) {
	if _, err := c.store.PruneWebhooks(ctx, now.Add(-c.opts.WebhookRetention)); err != nil && ctx.Err() == nil {
		c.log.WarnContext(ctx, "payment: pruning webhook ids failed", "error", err)
	}
	if _, err := c.store.PurgeUnsaved(ctx, now.Add(-c.opts.CardRetention)); err != nil && ctx.Err() == nil {
		c.log.WarnContext(ctx, "payment: purging one-time card data failed", "error", err)
	}
}

// Nudge asks RunReconciler for a pass now.
func (c *Core) Nudge() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
}

// Ledger implements Service.
func (c *Core) Ledger(ctx context.Context) (LedgerReport, error) {
	if err := accessOf(ctx).requireTrusted("audit"); err != nil {
		return LedgerReport{}, err
	}
	r, err := c.store.Ledger(ctx)
	if err != nil {
		return LedgerReport{}, err
	}
	r.check()
	return r, nil
}
