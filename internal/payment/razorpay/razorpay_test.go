package razorpay_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/paymenttest"
	"github.com/bazaarshop/bazaar/internal/payment/razorpay"
	"github.com/bazaarshop/bazaar/internal/payment/razorpay/razorpaytest"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

var svc = paymenttest.Service

func inr(n int64) money.Money { return money.MustNew(n, "INR") }

// setup runs a Core with Razorpay taking UPI, net banking and wallets,
// against the fake, whose webhooks go to the Core.
func setup(t *testing.T) (*paymenttest.Env, *razorpaytest.Fake) {
	f := razorpaytest.New(t)
	p, err := razorpay.New(f.Options())
	if err != nil {
		t.Fatal(err)
	}
	e := paymenttest.NewEnv(t, sqldbtest.OpenSQLite(t), paymenttest.Config{
		Extra: []payment.Provider{p},
		Core: payment.Options{Routes: map[payment.MethodType]string{
			payment.MethodUPI: razorpay.Name, payment.MethodNetBanking: razorpay.Name, payment.MethodWallet: razorpay.Name}},
	})
	f.Deliver = func(ctx context.Context, body []byte, h http.Header) error {
		return e.Core.HandleWebhook(ctx, razorpay.Name, body, h)
	}
	return e, f
}

func create(t *testing.T, e *paymenttest.Env, m payment.MethodInput, capture payment.CaptureMethod) payment.Intent {
	t.Helper()
	it, err := e.Svc.CreateIntent(svc, payment.CreateIntentInput{IdempotencyKey: ids.New(), OrderID: ids.New(), Amount: inr(49900),
		Method: m, Confirm: true, CaptureMethod: capture, ReturnURL: "https://shop.example/return"})
	if err != nil {
		t.Fatal(err)
	}
	if it.Provider != razorpay.Name {
		t.Fatalf("provider = %s", it.Provider)
	}
	return it
}

func get(t *testing.T, e *paymenttest.Env, id string) payment.Intent {
	t.Helper()
	it, err := e.Svc.GetIntent(svc, id)
	if err != nil {
		t.Fatal(err)
	}
	return it
}

func TestUPICollectCaptureRefund(t *testing.T) {
	e, f := setup(t)
	it := create(t, e, payment.MethodInput{Type: payment.MethodUPI, UPI: &payment.UPIDetails{VPA: "success@razorpay"}}, "")
	if it.Status != payment.StatusProcessing || it.ProviderRef == "" || it.NextAction == nil || it.NextAction.Type != "upi_collect" {
		t.Fatalf("collect = %+v", it)
	}
	if err := f.Approve(it.ProviderRef); err != nil {
		t.Fatal(err)
	}
	if got := get(t, e, it.ID); got.Status != payment.StatusAuthorized {
		t.Fatalf("after approval = %s", got.Status)
	}
	it, err := e.Svc.CaptureIntent(svc, it.ID, payment.CaptureIntentInput{})
	if err != nil || it.Status != payment.StatusCaptured {
		t.Fatalf("capture = %+v, %v", it, err)
	}
	r, err := e.Svc.RefundIntent(svc, it.ID, payment.RefundIntentInput{IdempotencyKey: "r1", Amount: inr(9900)})
	if err != nil || r.Status != payment.RefundSucceeded || r.ProviderRef == "" {
		t.Fatalf("refund = %+v, %v", r, err)
	}
	if again, _ := e.Svc.RefundIntent(svc, it.ID, payment.RefundIntentInput{IdempotencyKey: "r1", Amount: inr(9900)}); again.ID != r.ID {
		t.Fatal("a repeated refund made another")
	}
	orders, payments, refunds := f.Counts()
	if orders != 1 || payments != 1 || refunds != 1 {
		t.Fatalf("razorpay holds %d orders, %d payments, %d refunds", orders, payments, refunds)
	}
	if py, _ := f.Payment(it.ProviderRef); py.Status != "captured" || py.AmountRefunded != 9900 || py.Notes["bazaar_intent"] != it.ID {
		t.Fatalf("razorpay payment = %+v", py)
	}
	got := get(t, e, it.ID)
	if got.Status != payment.StatusPartiallyRefunded || got.AmountRefunded.Amount != 9900 {
		t.Fatalf("after: %s %d", got.Status, got.AmountRefunded.Amount)
	}
	paymenttest.LedgerOK(t, e)
}

func TestRedirectsAndDeclines(t *testing.T) {
	e, f := setup(t)
	nb := create(t, e, payment.MethodInput{Type: payment.MethodNetBanking, NetBanking: &payment.NetBankingDetails{Bank: "HDFC"}}, payment.CaptureAutomatic)
	if nb.Status != payment.StatusRequiresAction || nb.NextAction == nil || nb.NextAction.URL != f.URL+"/v1/payments/"+nb.ProviderRef+"/authenticate" {
		t.Fatalf("net banking = %+v", nb)
	}
	if err := f.Approve(nb.ProviderRef); err != nil {
		t.Fatal(err)
	}
	if got := get(t, e, nb.ID); got.Status != payment.StatusCaptured || got.AmountCaptured.Amount != 49900 {
		t.Fatalf("auto-captured net banking = %s", got.Status)
	}
	w := create(t, e, payment.MethodInput{Type: payment.MethodWallet, Wallet: &payment.WalletDetails{Wallet: "paytm"}}, "")
	if err := f.Decline(w.ProviderRef, "payment_cancelled"); err != nil {
		t.Fatal(err)
	}
	if got := get(t, e, w.ID); got.Status != payment.StatusFailed || got.FailureCode != "payment_cancelled" {
		t.Fatalf("declined wallet = %s %q", got.Status, got.FailureCode)
	}
	upi := create(t, e, payment.MethodInput{Type: payment.MethodUPI, UPI: &payment.UPIDetails{VPA: "failure@razorpay"}}, "")
	if err := f.Decline(upi.ProviderRef, "upi_collect_declined"); err != nil {
		t.Fatal(err)
	}
	if got := get(t, e, upi.ID); got.Status != payment.StatusFailed {
		t.Fatalf("declined upi = %s", got.Status)
	}
	paymenttest.LedgerOK(t, e)
}

// Every write may lose its answer; a retry finds what the first made.
func TestLostAnswersAreFoundAgain(t *testing.T) {
	f := razorpaytest.New(t)
	p, _ := razorpay.New(f.Options())
	ctx := context.Background()
	r := payment.AuthorizeRequest{IntentID: ids.New(), OrderID: ids.New(), Amount: inr(10000), Method: payment.MethodUPI, VPA: "shopper@okaxis"}

	f.LoseNextAnswer() // the order is made, its answer lost
	if _, err := p.Authorize(ctx, r); !errors.Is(err, payment.ErrProviderUnavailable) {
		t.Fatalf("lost answer = %v", err)
	}
	f.LoseNextAnswer() // the payment is made, its answer lost
	if _, err := p.Authorize(ctx, r); err == nil {
		t.Fatal("no error")
	}
	pp, err := p.Authorize(ctx, r)
	if err != nil || pp.Ref == "" || pp.Status != payment.StatusProcessing {
		t.Fatalf("retry = %+v, %v", pp, err)
	}
	if orders, payments, _ := f.Counts(); orders != 1 || payments != 1 {
		t.Fatalf("retries made %d orders and %d payments", orders, payments)
	}
	if found, err := p.Lookup(ctx, payment.LookupRequest{IntentID: r.IntentID}); err != nil || found.Ref != pp.Ref {
		t.Fatalf("lookup by intent = %+v, %v", found, err)
	}
	if err := f.Approve(pp.Ref); err != nil {
		t.Fatal(err)
	}
	f.LoseNextAnswer()
	if _, err := p.Capture(ctx, payment.CaptureRequest{Ref: pp.Ref, IntentID: r.IntentID, Amount: inr(10000)}); err == nil {
		t.Fatal("no error")
	}
	if c, err := p.Capture(ctx, payment.CaptureRequest{Ref: pp.Ref, IntentID: r.IntentID, Amount: inr(10000)}); err != nil || c.Status != payment.StatusCaptured {
		t.Fatalf("capture retry = %+v, %v", c, err)
	}
	rr := payment.RefundRequest{Key: ids.New(), Ref: pp.Ref, IntentID: r.IntentID, Amount: inr(2500)}
	f.LoseNextAnswer()
	if _, err := p.Refund(ctx, rr); err == nil {
		t.Fatal("no error")
	}
	if got, err := p.Refund(ctx, rr); err != nil || got.Status != payment.RefundSucceeded {
		t.Fatalf("refund retry = %+v, %v", got, err)
	}
	if _, _, refunds := f.Counts(); refunds != 1 {
		t.Fatalf("retries made %d refunds", refunds)
	}
	if _, err := p.Lookup(ctx, payment.LookupRequest{IntentID: ids.New()}); !errors.Is(err, payment.ErrProviderNotFound) {
		t.Fatalf("unknown intent = %v", err)
	}
	bad, _ := razorpay.New(razorpay.Options{KeyID: "rzp_test_x", KeySecret: "wrong", BaseURL: f.URL})
	if _, err := bad.Authorize(ctx, r); !errors.Is(err, payment.ErrProviderRejected) {
		t.Fatalf("wrong keys = %v", err)
	}
}

// An authorisation whose answer was lost is found by the reconciler.
func TestReconcilerFindsLostAuthorisation(t *testing.T) {
	e, f := setup(t)
	f.LoseNextAnswer()
	it := create(t, e, payment.MethodInput{Type: payment.MethodUPI, UPI: &payment.UPIDetails{VPA: "shopper@okicici"}}, "")
	if it.Status != payment.StatusProcessing || it.ProviderRef != "" {
		t.Fatalf("after a lost answer = %+v", it)
	}
	e.Clock.Advance(2 * time.Minute)
	if rep, err := e.Svc.Reconcile(svc); err != nil || len(rep.Errors) > 0 {
		t.Fatalf("reconcile = %+v, %v", rep, err)
	}
	it = get(t, e, it.ID)
	if it.ProviderRef == "" {
		t.Fatal("the reconciler did not find the payment")
	}
	if err := f.Approve(it.ProviderRef); err != nil {
		t.Fatal(err)
	}
	if got := get(t, e, it.ID); got.Status != payment.StatusAuthorized {
		t.Fatalf("after approval = %s", got.Status)
	}
	if _, payments, _ := f.Counts(); payments != 1 {
		t.Fatalf("%d payments at razorpay", payments)
	}
}

func TestWebhooks(t *testing.T) {
	e, f := setup(t)
	ctx := context.Background()
	it := create(t, e, payment.MethodInput{Type: payment.MethodUPI, UPI: &payment.UPIDetails{VPA: "ok@upi"}}, "")
	py, _ := f.Payment(it.ProviderRef)
	py.Status = "authorized"
	body, h := f.Webhook("payment.authorized", &py, nil, time.Now())

	tampered := append([]byte{}, body...)
	tampered[len(tampered)-2] ^= 1
	if err := e.Core.HandleWebhook(ctx, razorpay.Name, tampered, h); !errors.Is(err, payment.ErrWebhookSignature) {
		t.Fatalf("tampered = %v", err)
	}
	stale, sh := f.Webhook("payment.authorized", &py, nil, time.Now().Add(-26*time.Hour))
	if err := e.Core.HandleWebhook(ctx, razorpay.Name, stale, sh); !errors.Is(err, payment.ErrWebhookStale) {
		t.Fatalf("stale = %v", err)
	}
	for i := 0; i < 2; i++ {
		if err := e.Core.HandleWebhook(ctx, razorpay.Name, body, h); err != nil {
			t.Fatal(err)
		}
	}
	got := get(t, e, it.ID)
	if got.Status != payment.StatusAuthorized || len(got.Transitions) != 3 {
		t.Fatalf("after a delivered and a replayed webhook: %s, %d transitions", got.Status, len(got.Transitions))
	}
	noID := h.Clone()
	noID.Del(razorpay.EventIDHeader)
	if err := e.Core.HandleWebhook(ctx, razorpay.Name, body, noID); !errors.Is(err, payment.ErrWebhookMalformed) {
		t.Fatalf("no event id = %v", err)
	}
}
