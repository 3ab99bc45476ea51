package payment_test

import (
	"context"
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/paymenttest"
	"github.com/bazaarshop/bazaar/internal/payment/sandbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

func newEnv(t *testing.T, cfg paymenttest.Config) *paymenttest.Env {
	return paymenttest.NewEnv(t, sqldbtest.OpenSQLite(t), cfg)
}

// event builds a sandbox webhook body about an intent.
func event(id, intentID, status string, captured int64) []byte {
	b, _ := json.Marshal(sandbox.Event{ID: id, Type: "payment.updated", Created: time.Now().Unix(), Data: sandbox.EventData{
		IntentID: intentID, Payment: &sandbox.EventPayment{Ref: "sb_pay_x", Status: status, AmountCaptured: captured},
	}})
	return b
}

func TestWebhookVerification(t *testing.T) {
	e := newEnv(t, paymenttest.Config{})
	ctx := context.Background()
	// A challenge awaits the shopper: the webhook will settle it.
	it := paymenttest.CardIntent(t, e, "4000000000003220", true)
	if it.Status != payment.StatusRequiresAction {
		t.Fatalf("status = %s", it.Status)
	}
	body := event("evt_1", it.ID, "authorized", 0)
	now := e.Clock.Now()

	for _, tc := range []struct {
		name    string
		payload []byte
		header  func() map[string][]string
		want    error
	}{
		{"tampered body", []byte(strings.Replace(string(body), "authorized", "captured", 1)), func() map[string][]string { return e.Sandbox.Sign(body, now) }, payment.ErrWebhookSignature},
		{"no signature", body, func() map[string][]string { return map[string][]string{} }, payment.ErrWebhookSignature},
		{"wrong secret", body, func() map[string][]string {
			return sandbox.New(sandbox.Options{WebhookSecret: "other"}).Sign(body, now)
		}, payment.ErrWebhookSignature},
		{"too old", body, func() map[string][]string { return e.Sandbox.Sign(body, now.Add(-6*time.Minute)) }, payment.ErrWebhookStale},
		{"from the future", body, func() map[string][]string { return e.Sandbox.Sign(body, now.Add(6*time.Minute)) }, payment.ErrWebhookStale},
	} {
		err := e.Core.HandleWebhook(ctx, "sandbox", tc.payload, tc.header())
		if !errors.Is(err, tc.want) {
			t.Errorf("%s: err = %v, want %v", tc.name, err, tc.want)
		}
	}
	if got, _ := e.Svc.GetIntent(paymenttest.Service, it.ID); got.Status != payment.StatusRequiresAction {
		t.Fatalf("a refused webhook changed the intent: %s", got.Status)
	}
	if err := e.Core.HandleWebhook(ctx, "nope", body, e.Sandbox.Sign(body, now)); !errors.Is(err, payment.ErrUnknownProvider) {
		t.Fatalf("unknown provider: %v", err)
	}

	// The genuine delivery applies once; its replay (the same event id,
	// even freshly signed) changes nothing.
	for i := 0; i < 3; i++ {
		if err := e.Core.HandleWebhook(ctx, "sandbox", body, e.Sandbox.Sign(body, e.Clock.Now())); err != nil {
			t.Fatal(err)
		}
	}
	got, _ := e.Svc.GetIntent(paymenttest.Service, it.ID)
	if got.Status != payment.StatusAuthorized || len(got.Transitions) != 4 {
		t.Fatalf("after webhooks: %s with %d transitions", got.Status, len(got.Transitions))
	}
	if ev := paymenttest.Events(t, e); ev[payment.EventAuthorized] != 1 {
		t.Fatalf("events = %v", ev)
	}

	// The capture reported; then a stale report (authorised again) is
	// acknowledged and ignored; an event about nothing known is acknowledged.
	captured := event("evt_2", it.ID, "captured", 10000)
	if err := e.Core.HandleWebhook(ctx, "sandbox", captured, e.Sandbox.Sign(captured, e.Clock.Now())); err != nil {
		t.Fatal(err)
	}
	late := event("evt_4", it.ID, "authorized", 0)
	if err := e.Core.HandleWebhook(ctx, "sandbox", late, e.Sandbox.Sign(late, e.Clock.Now())); err != nil {
		t.Fatal(err)
	}
	stranger := event("evt_3", "0190aaaa-0000-7000-8000-000000000000", "captured", 100)
	if err := e.Core.HandleWebhook(ctx, "sandbox", stranger, e.Sandbox.Sign(stranger, e.Clock.Now())); err != nil {
		t.Fatal(err)
	}
	if got, _ := e.Svc.GetIntent(paymenttest.Service, it.ID); got.Status != payment.StatusCaptured {
		t.Fatalf("after a stale webhook: %s", got.Status)
	}
	if !strings.Contains(e.Logs.String(), "webhook for no known payment") {
		t.Fatal("the unmatched webhook was not logged")
	}
	paymenttest.LedgerOK(t, e)
}

// A provider that reports a capture for a payment Bazaar already called
// off is not believed blindly: the intent is marked, and the reconciler
// returns the money.
func TestWebhookCaptureAfterCancel(t *testing.T) {
	e := newEnv(t, paymenttest.Config{})
	it := paymenttest.CardIntent(t, e, "4000000000003220", true)
	if _, err := e.Svc.CancelIntent(paymenttest.Service, it.ID, payment.CancelIntentInput{}); err != nil {
		t.Fatal(err)
	}
	if err := e.Sandbox.ForceCapture(it.ID); err != nil {
		t.Fatal(err)
	}
	body, _ := e.Sandbox.Event(it.ID)
	if err := e.Core.HandleWebhook(context.Background(), "sandbox", body, e.Sandbox.Sign(body, e.Clock.Now())); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(2 * time.Minute)
	rep, err := e.Svc.Reconcile(paymenttest.Service)
	if err != nil || rep.Reversed != 1 {
		t.Fatalf("reconcile = %+v, %v", rep, err)
	}
	got, _ := e.Svc.GetIntent(paymenttest.Service, it.ID)
	if got.Status != payment.StatusCancelled || got.AmountRefunded.Amount != got.AmountCaptured.Amount || got.AmountCaptured.Amount != 10000 {
		t.Fatalf("after: %+v", got)
	}
	paymenttest.LedgerOK(t, e)
}
