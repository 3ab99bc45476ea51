package payment_test

import (
	"errors"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/paymenttest"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Every call that moves money can lose its answer and be retried (or left
// to the reconciler) without moving money twice.
func TestLostAnswers(t *testing.T) {
	svc := paymenttest.Service
	inr := func(n int64) money.Money { return money.MustNew(n, "INR") }

	t.Run("capture retried", func(t *testing.T) {
		e := newEnv(t, paymenttest.Config{Flaky: true})
		it := paymenttest.CardIntent(t, e, "4242424242424242", true)
		e.Flaky.Fail("capture", 1)
		_, err := e.Svc.CaptureIntent(svc, it.ID, payment.CaptureIntentInput{Amount: inr(7000)})
		if !errors.Is(err, payment.ErrProviderTimeout) {
			t.Fatalf("err = %v", err)
		}
		// The money moved; Bazaar does not know yet. Nothing else may
		// happen to the payment meanwhile.
		if pp, _ := e.Sandbox.Payment(it.ID); pp.AmountCaptured != 7000 {
			t.Fatalf("provider captured %d", pp.AmountCaptured)
		}
		_, err = e.Svc.CancelIntent(svc, it.ID, payment.CancelIntentInput{})
		if !errors.Is(err, payment.ErrCaptureInProgress) {
			t.Fatalf("cancel during capture: %v", err)
		}
		_, err = e.Svc.CaptureIntent(svc, it.ID, payment.CaptureIntentInput{Amount: inr(5000)})
		if !errors.Is(err, payment.ErrCaptureInProgress) {
			t.Fatalf("another amount during capture: %v", err)
		}
		got, err := e.Svc.CaptureIntent(svc, it.ID, payment.CaptureIntentInput{Amount: inr(7000)})
		if err != nil || got.Status != payment.StatusCaptured || got.AmountCaptured.Amount != 7000 {
			t.Fatalf("retry = %+v, %v", got, err)
		}
		paymenttest.LedgerOK(t, e)
	})

	t.Run("capture settled by the reconciler", func(t *testing.T) {
		e := newEnv(t, paymenttest.Config{Flaky: true})
		it := paymenttest.CardIntent(t, e, "4242424242424242", true)
		e.Flaky.Fail("capture", 1)
		if _, err := e.Svc.CaptureIntent(svc, it.ID, payment.CaptureIntentInput{}); err == nil {
			t.Fatal("no error")
		}
		e.Clock.Advance(2 * time.Minute)
		rep, err := e.Svc.Reconcile(svc)
		if err != nil || rep.Captures != 1 {
			t.Fatalf("reconcile = %+v, %v", rep, err)
		}
		if got, _ := e.Svc.GetIntent(svc, it.ID); got.Status != payment.StatusCaptured {
			t.Fatalf("status = %s", got.Status)
		}
		paymenttest.LedgerOK(t, e)
	})

	t.Run("refund retried and reconciled", func(t *testing.T) {
		e := newEnv(t, paymenttest.Config{Flaky: true})
		it := paymenttest.CardIntent(t, e, "4242424242424242", true)
		if _, err := e.Svc.CaptureIntent(svc, it.ID, payment.CaptureIntentInput{}); err != nil {
			t.Fatal(err)
		}
		e.Flaky.Fail("refund", 2)
		r, err := e.Svc.RefundIntent(svc, it.ID, payment.RefundIntentInput{IdempotencyKey: "a", Amount: inr(3000)})
		if err != nil || r.Status != payment.RefundPending {
			t.Fatalf("refund = %+v, %v", r, err)
		}
		// While it is pending, the money it may return is reserved.
		if _, err := e.Svc.RefundIntent(svc, it.ID, payment.RefundIntentInput{IdempotencyKey: "b", Amount: inr(7001)}); !errors.Is(err, payment.ErrRefundExceedsCaptured) {
			t.Fatalf("refund beyond the reservation: %v", err)
		}
		again, err := e.Svc.RefundIntent(svc, it.ID, payment.RefundIntentInput{IdempotencyKey: "a", Amount: inr(3000)})
		if err != nil || again.ID != r.ID || again.Status != payment.RefundPending {
			t.Fatalf("retry = %+v, %v", again, err)
		}
		e.Clock.Advance(2 * time.Minute)
		rep, err := e.Svc.Reconcile(svc)
		if err != nil || rep.Refunds != 1 {
			t.Fatalf("reconcile = %+v, %v", rep, err)
		}
		got, _ := e.Svc.GetIntent(svc, it.ID)
		if got.AmountRefunded.Amount != 3000 || got.Status != payment.StatusPartiallyRefunded {
			t.Fatalf("after: %s %d", got.Status, got.AmountRefunded.Amount)
		}
		if pp, _ := e.Sandbox.Payment(it.ID); pp.AmountRefunded != 3000 {
			t.Fatalf("provider refunded %d: a lost answer refunded twice", pp.AmountRefunded)
		}
		paymenttest.LedgerOK(t, e)
	})

	t.Run("cancel retried", func(t *testing.T) {
		e := newEnv(t, paymenttest.Config{Flaky: true})
		it := paymenttest.CardIntent(t, e, "4242424242424242", true)
		e.Flaky.Fail("cancel", 1)
		if _, err := e.Svc.CancelIntent(svc, it.ID, payment.CancelIntentInput{}); !errors.Is(err, payment.ErrProviderTimeout) {
			t.Fatalf("err = %v", err)
		}
		got, err := e.Svc.CancelIntent(svc, it.ID, payment.CancelIntentInput{})
		if err != nil || got.Status != payment.StatusCancelled {
			t.Fatalf("retry = %+v, %v", got, err)
		}
	})

	t.Run("authorisation answer lost", func(t *testing.T) {
		e := newEnv(t, paymenttest.Config{Flaky: true})
		e.Flaky.Fail("authorize", 1)
		it := paymenttest.CardIntent(t, e, "4242424242424242", true)
		if it.Status != payment.StatusProcessing {
			t.Fatalf("status = %s", it.Status)
		}
		// The worker retries: the provider returns the first answer.
		got, err := e.Svc.ConfirmIntent(svc, it.ID, payment.ConfirmIntentInput{})
		if err != nil || got.Status != payment.StatusAuthorized {
			t.Fatalf("retry = %+v, %v", got, err)
		}
	})
}
