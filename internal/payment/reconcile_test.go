package payment_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/paymenttest"
)

// The background loop settles a timed-out payment without anyone asking,
// and stops with its context.
func TestRunReconciler(t *testing.T) {
	e := newEnv(t, paymenttest.Config{Core: payment.Options{ReconcileInterval: time.Hour, ReconcileAfter: time.Millisecond}})
	it := paymenttest.CardIntent(t, e, "4000000000000408", true)
	if it.Status != payment.StatusProcessing {
		t.Fatalf("status = %s", it.Status)
	}
	e.Clock.Advance(time.Second)
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- e.Core.RunReconciler(ctx) }()
	e.Core.Nudge() // the interval is an hour: only the nudge can run it
	paymenttest.Wait(t, 5*time.Second, "the reconciler", func() bool {
		got, err := e.Svc.GetIntent(paymenttest.Service, it.ID)
		return err == nil && got.Status == payment.StatusAuthorized
	})
	cancel()
	select {
	case err := <-done:
		if !errors.Is(err, context.Canceled) {
			t.Fatalf("RunReconciler = %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("RunReconciler did not stop")
	}
}
