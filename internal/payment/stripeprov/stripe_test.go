package stripeprov_test

import (
	"bufio"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"go/build"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/card"
	"github.com/bazaarshop/bazaar/internal/payment/paymenttest"
	"github.com/bazaarshop/bazaar/internal/payment/stripeprov"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
	"github.com/bazaarshop/bazaar/internal/platform/testenv"
)

// InstallStripeMock is how CI gets the stripe-mock binary.
const InstallStripeMock = "go install github.com/stripe/stripe-mock@latest"

// One stripe-mock serves the package's tests; TestMain stops it.
var mock struct {
	once sync.Once
	cmd  *exec.Cmd
	url  string
	err  error
}

func TestMain(m *testing.M) {
	code := m.Run()
	if mock.cmd != nil {
		_ = mock.cmd.Process.Kill()
		_ = mock.cmd.Wait()
	}
	os.Exit(code)
}

// stripeMock returns the base URL of stripe-mock, started on the first
// call on a free port of 127.0.0.1 (HTTP and HTTPS both: left alone, it
// listens on every interface). Without the binary the test is skipped, or
// fails when BAZAAR_TEST_REQUIRE_EXTERNAL is set.
func stripeMock(t *testing.T) string {
	t.Helper()
	bin, err := exec.LookPath("stripe-mock")
	if err != nil {
		bin = filepath.Join(build.Default.GOPATH, "bin", "stripe-mock")
		if _, err := os.Stat(bin); err != nil {
			msg := "stripe-mock is not on PATH or in $(go env GOPATH)/bin; install it with: " + InstallStripeMock
			if os.Getenv(testenv.RequireVar) != "" {
				t.Fatalf("%s (%s=1)", msg, testenv.RequireVar)
			}
			t.Skip("skipping the Stripe contract test: " + msg)
		}
	}
	mock.once.Do(func() { mock.url, mock.err = startStripeMock(bin) })
	if mock.err != nil {
		t.Fatal(mock.err)
	}
	return mock.url
}

func startStripeMock(bin string) (string, error) {
	cmd := exec.Command(bin, "-http-addr", "127.0.0.1:", "-https-addr", "127.0.0.1:")
	out, err := cmd.StdoutPipe()
	if err != nil {
		return "", err
	}
	cmd.Stderr = cmd.Stdout
	if err := cmd.Start(); err != nil {
		return "", fmt.Errorf("start stripe-mock: %w", err)
	}
	mock.cmd = cmd
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "Listening for HTTP at address: "); ok {
				addr <- a
			}
		}
	}()
	select {
	case a := <-addr:
		return "http://" + a, nil
	case <-time.After(30 * time.Second):
		return "", errors.New("stripe-mock did not start listening within 30s")
	}
}

func testCard() payment.CardData {
	return payment.CardData{Number: "4242424242424242", ExpMonth: 12, ExpYear: time.Now().Year() + 2, CVC: "123", Brand: card.Visa, Name: "A Shopper"}
}

// The provider's requests are valid Stripe API requests (stripe-mock
// validates each against Stripe's OpenAPI description) and their answers
// are read.
func TestContract(t *testing.T) {
	p, err := stripeprov.New(stripeprov.Options{SecretKey: "sk_test_bazaar", APIBase: stripeMock(t)})
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	pm, err := p.TokenizeCard(ctx, testCard())
	if err != nil || !strings.HasPrefix(pm, "pm_") {
		t.Fatalf("tokenise = %q, %v", pm, err)
	}
	c := testCard()
	c.CVC = ""
	for _, tok := range []string{pm, ""} {
		c.ProviderToken = tok
		pp, err := p.Authorize(ctx, payment.AuthorizeRequest{Key: ids.New() + "/authorize", IntentID: ids.New(), OrderID: ids.New(),
			Amount: money.MustNew(129900, "INR"), Method: payment.MethodCard, Card: &c, ReturnURL: "https://shop.example/return"})
		if err != nil || !strings.HasPrefix(pp.Ref, "pi_") || pp.Status == "" {
			t.Fatalf("authorize (token %q) = %+v, %v", tok, pp, err)
		}
	}
	auto := testCard()
	auto.ProviderToken = pm
	if _, err := p.Authorize(ctx, payment.AuthorizeRequest{Key: ids.New(), IntentID: ids.New(), Amount: money.MustNew(500, "USD"),
		Method: payment.MethodCard, Card: &auto, CaptureNow: true}); err != nil {
		t.Fatalf("authorize with capture: %v", err)
	}
	if pp, err := p.Capture(ctx, payment.CaptureRequest{Key: "k/capture", Ref: "pi_123", Amount: money.MustNew(1000, "INR")}); err != nil || pp.Ref == "" {
		t.Fatalf("capture = %+v, %v", pp, err)
	}
	if pp, err := p.Cancel(ctx, payment.CancelRequest{Key: "k/cancel", Ref: "pi_123"}); err != nil || pp.Ref == "" {
		t.Fatalf("cancel = %+v, %v", pp, err)
	}
	if pp, err := p.Cancel(ctx, payment.CancelRequest{Key: "k/cancel2", IntentID: ids.New()}); err != nil || pp.Ref == "" {
		t.Fatalf("cancel by intent = %+v, %v", pp, err)
	}
	if r, err := p.Refund(ctx, payment.RefundRequest{Key: ids.New(), IntentID: ids.New(), Ref: "pi_123", Amount: money.MustNew(100, "INR")}); err != nil ||
		!strings.HasPrefix(r.Ref, "re_") || r.Status != payment.RefundSucceeded {
		t.Fatalf("refund = %+v, %v", r, err)
	}
	if pp, err := p.Lookup(ctx, payment.LookupRequest{Ref: "pi_123"}); err != nil || pp.Ref != "pi_123" {
		t.Fatalf("lookup = %+v, %v", pp, err)
	}
	if pp, err := p.Lookup(ctx, payment.LookupRequest{IntentID: ids.New()}); err != nil || pp.Ref == "" {
		t.Fatalf("lookup by intent (search) = %+v, %v", pp, err)
	}
	bad, _ := stripeprov.New(stripeprov.Options{SecretKey: "not-a-key", APIBase: stripeMock(t)})
	if _, err := bad.TokenizeCard(ctx, testCard()); !errors.Is(err, payment.ErrProviderRejected) {
		t.Fatalf("a bad key = %v", err)
	}
}

// With Stripe configured, Core tokenises cards at Stripe too (with the
// CVC, once) and charges the Stripe PaymentMethod.
func TestCoreWithStripe(t *testing.T) {
	p, err := stripeprov.New(stripeprov.Options{SecretKey: "sk_test_bazaar", APIBase: stripeMock(t)})
	if err != nil {
		t.Fatal(err)
	}
	e := paymenttest.NewEnv(t, sqldbtest.OpenSQLite(t), paymenttest.Config{
		Extra: []payment.Provider{p}, Core: payment.Options{Routes: map[payment.MethodType]string{payment.MethodCard: stripeprov.Name}},
	})
	m := paymenttest.Tokenize(t, e.Svc, "cust-1", "4242424242424242")
	sm, err := e.Store.GetMethod(context.Background(), m.ID)
	if err != nil || !strings.HasPrefix(sm.ProviderTokens[stripeprov.Name], "pm_") {
		t.Fatalf("stored method = %+v, %v", sm.ProviderTokens, err)
	}
	it, err := e.Svc.CreateIntent(paymenttest.Service, payment.CreateIntentInput{IdempotencyKey: ids.New(), OrderID: ids.New(), CustomerID: "cust-1",
		Amount: money.MustNew(5000, "INR"), Method: payment.MethodInput{Type: payment.MethodCard, Token: m.ID}, Confirm: true})
	if err != nil || it.Provider != stripeprov.Name || !strings.HasPrefix(it.ProviderRef, "pi_") {
		t.Fatalf("intent = %+v, %v", it, err)
	}
}

func TestStatusMapping(t *testing.T) {
	// Webhook bodies carry PaymentIntents; ParseWebhook maps them as the
	// API answers are mapped.
	secret := "whsec_test"
	p, _ := stripeprov.New(stripeprov.Options{SecretKey: "sk_test_x", WebhookSecret: secret})
	for _, tc := range []struct {
		pi   string
		want payment.Status
		code string
	}{
		{`{"id":"pi_1","object":"payment_intent","status":"requires_capture","amount_capturable":900,"metadata":{"bazaar_intent":"i1"}}`, payment.StatusAuthorized, ""},
		{`{"id":"pi_1","object":"payment_intent","status":"succeeded","amount_received":900,"metadata":{"bazaar_intent":"i1"}}`, payment.StatusCaptured, ""},
		{`{"id":"pi_1","object":"payment_intent","status":"requires_action","next_action":{"type":"redirect_to_url","redirect_to_url":{"url":"https://hooks.stripe.com/3ds"}},"metadata":{"bazaar_intent":"i1"}}`, payment.StatusRequiresAction, ""},
		{`{"id":"pi_1","object":"payment_intent","status":"processing","metadata":{"bazaar_intent":"i1"}}`, payment.StatusProcessing, ""},
		{`{"id":"pi_1","object":"payment_intent","status":"canceled","metadata":{"bazaar_intent":"i1"}}`, payment.StatusCancelled, ""},
		{`{"id":"pi_1","object":"payment_intent","status":"requires_payment_method","last_payment_error":{"type":"card_error","code":"card_declined","decline_code":"insufficient_funds","message":"no"},"metadata":{"bazaar_intent":"i1"}}`, payment.StatusFailed, "insufficient_funds"},
	} {
		body := `{"id":"evt_` + ids.New() + `","object":"event","type":"payment_intent.updated","created":` + jsonNum(time.Now().Unix()) + `,"data":{"object":` + tc.pi + `}}`
		signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(body), Secret: secret, Timestamp: time.Now()})
		ev, err := p.ParseWebhook(signed.Payload, http.Header{stripeprov.SignatureHeader: {signed.Header}}, time.Now())
		if err != nil {
			t.Fatalf("%s: %v", tc.want, err)
		}
		if ev.IntentID != "i1" || ev.Payment == nil || ev.Payment.Status != tc.want || ev.Payment.FailureCode != tc.code {
			t.Fatalf("%s: %+v %+v", tc.want, ev, ev.Payment)
		}
		if tc.want == payment.StatusRequiresAction && ev.Payment.Action.URL != "https://hooks.stripe.com/3ds" {
			t.Fatalf("action = %+v", ev.Payment.Action)
		}
	}
	refund := `{"id":"evt_r","object":"event","type":"refund.updated","created":1,"data":{"object":{"id":"re_1","object":"refund","status":"succeeded","metadata":{"bazaar_refund":"r1","bazaar_intent":"i1"}}}}`
	signed := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(refund), Secret: secret, Timestamp: time.Now()})
	ev, err := p.ParseWebhook(signed.Payload, http.Header{stripeprov.SignatureHeader: {signed.Header}}, time.Now())
	if err != nil || ev.Refund == nil || ev.Refund.RefundID != "r1" || ev.Refund.Status != payment.RefundSucceeded || ev.IntentID != "i1" {
		t.Fatalf("refund event = %+v, %v", ev, err)
	}

	// Refused: another secret, an old signature, a tampered body.
	other := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(refund), Secret: "whsec_other", Timestamp: time.Now()})
	if _, err := p.ParseWebhook(other.Payload, http.Header{stripeprov.SignatureHeader: {other.Header}}, time.Now()); !errors.Is(err, payment.ErrWebhookSignature) {
		t.Fatalf("another secret: %v", err)
	}
	old := webhook.GenerateTestSignedPayload(&webhook.UnsignedPayload{Payload: []byte(refund), Secret: secret, Timestamp: time.Now().Add(-10 * time.Minute)})
	if _, err := p.ParseWebhook(old.Payload, http.Header{stripeprov.SignatureHeader: {old.Header}}, time.Now()); !errors.Is(err, payment.ErrWebhookStale) {
		t.Fatalf("old: %v", err)
	}
	tampered := []byte(strings.Replace(string(signed.Payload), "succeeded", "failed", 1))
	if _, err := p.ParseWebhook(tampered, http.Header{stripeprov.SignatureHeader: {signed.Header}}, time.Now()); !errors.Is(err, payment.ErrWebhookSignature) {
		t.Fatalf("tampered: %v", err)
	}
}

func jsonNum(n int64) string {
	b, _ := json.Marshal(n)
	return string(b)
}
