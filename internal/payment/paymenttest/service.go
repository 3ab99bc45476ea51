package paymenttest

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/card"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// ServiceSuite runs the behaviour every payment.Service shows, in-process
// or remote. newEnv returns a fresh environment whose Svc is under test.
func ServiceSuite(t *testing.T, newEnv func(t *testing.T) *Env) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, e *Env)
	}{
		{"CardAuthorizeCapture", testCardAuthorizeCapture},
		{"CallerSettles", testCallerSettles},
		{"IdempotentCreate", testIdempotentCreate},
		{"IdempotentCreateConfirm", testIdempotentCreateConfirm},
		{"Declines", testDeclines},
		{"IllegalTransitions", testIllegalTransitions},
		{"PartialCaptureAndRefunds", testPartialCaptureAndRefunds},
		{"ConcurrentRefunds", testConcurrentRefunds},
		{"ManyPaymentsAtOnce", testManyAtOnce},
		{"AutomaticCapture", testAutomaticCapture},
		{"ThreeDSecure", testThreeDSecure},
		{"UPICollect", testUPICollect},
		{"RedirectMethods", testRedirectMethods},
		{"CashOnDelivery", testCashOnDelivery},
		{"TimeoutSettledByReconciler", testTimeoutReconciled},
		{"LateWebhook", testLateWebhook},
		{"ReversalOfLateCapture", testReversal},
		{"PendingTimeout", testPendingTimeout},
		{"Ownership", testOwnership},
		{"SavedMethods", testSavedMethods},
		{"CardValidation", testCardValidation},
		{"Listing", testListing},
	} {
		t.Run(tc.name, func(t *testing.T) { tc.fn(t, newEnv(t)) })
	}
}

// must(f())(t) is f's value, or a fatal error.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

// wantErr checks err is want (same kind and code).
func wantErr(t testing.TB, err error, want *errs.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %s (%s)", err, want.Code, want.Kind)
	}
}

func inr(n int64) money.Money { return money.MustNew(n, "INR") }

// Tokenize saves nothing: it tokenises number for customer (a guest for "").
func Tokenize(t testing.TB, svc payment.Service, customer, number string) payment.Method {
	t.Helper()
	ctx := Guest
	if customer != "" {
		ctx = Customer(customer)
	}
	return must(svc.CreateMethod(ctx, payment.CreateMethodInput{
		Type: payment.MethodCard,
		Card: &payment.CardInput{Number: card.PAN(number), ExpMonth: 12, ExpYear: time.Now().Year() + 3, CVC: "123"},
	}))(t)
}

// CardIntent creates (and, with confirm, confirms) a 10,000 paise intent
// paid by card number, as the order worker would.
func CardIntent(t testing.TB, e *Env, number string, confirm bool) payment.Intent {
	t.Helper()
	m := Tokenize(t, e.Svc, "cust-1", number)
	return must(e.Svc.CreateIntent(Service, payment.CreateIntentInput{
		IdempotencyKey: ids.New(), OrderID: ids.New(), CustomerID: "cust-1", Amount: inr(10000),
		Method: payment.MethodInput{Type: payment.MethodCard, Token: m.ID}, Confirm: confirm,
	}))(t)
}

func statuses(ts []payment.IntentTransition) []payment.Status {
	out := make([]payment.Status, len(ts))
	for i, tr := range ts {
		out[i] = tr.To
	}
	return out
}

func get(t testing.TB, e *Env, id string) payment.Intent {
	t.Helper()
	return must(e.Svc.GetIntent(Service, id))(t)
}

// waitStatus waits for an asynchronous outcome (a webhook).
func waitStatus(t testing.TB, e *Env, id string, want payment.Status) payment.Intent {
	t.Helper()
	var it payment.Intent
	Wait(t, 5*time.Second, "intent "+string(want), func() bool {
		it = get(t, e, id)
		return it.Status == want
	})
	return it
}

// LedgerOK fails unless the ledger balances and matches the intents.
func LedgerOK(t testing.TB, e *Env) payment.LedgerReport {
	t.Helper()
	r := must(e.Svc.Ledger(Service))(t)
	if !r.OK {
		t.Fatalf("ledger does not balance: %+v", r)
	}
	return r
}

// Events counts the outbox rows per subject.
func Events(t testing.TB, e *Env) map[string]int {
	t.Helper()
	rows, err := e.DB.QueryContext(context.Background(), `SELECT subject FROM outbox`)
	if err != nil {
		t.Fatal(err)
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var s string
		if err := rows.Scan(&s); err != nil {
			t.Fatal(err)
		}
		out[s]++
	}
	return out
}

// testCallerSettles: the changes a trusted caller settles from the answer
// publish on the answered subjects (not delivered to the order worker);
// a shopper's flag is ignored, so the order still hears of their payment.
func testCallerSettles(t *testing.T, e *Env) {
	m := Tokenize(t, e.Svc, "cust-1", "4242 4242 4242 4242")
	create := func(confirm bool) payment.Intent {
		order := ids.New()
		return must(e.Svc.CreateIntent(Service, payment.CreateIntentInput{
			IdempotencyKey: "order-" + order, OrderID: order, CustomerID: "cust-1", Amount: inr(5000),
			Method: payment.MethodInput{Type: payment.MethodCard, Token: m.ID}, Confirm: confirm, Settling: payment.Settling{CallerSettles: true},
		}))(t)
	}
	paid := create(true)
	if paid.Status != payment.StatusAuthorized {
		t.Fatalf("created = %s", paid.Status)
	}
	must(e.Svc.CaptureIntent(Service, paid.ID, payment.CaptureIntentInput{Settling: payment.Settling{CallerSettles: true}}))(t)
	called := create(true)
	must(e.Svc.CancelIntent(Service, called.ID, payment.CancelIntentInput{Settling: payment.Settling{CallerSettles: true}}))(t)
	shoppers := create(false)
	if it := must(e.Svc.ConfirmIntent(Customer("cust-1"), shoppers.ID, payment.ConfirmIntentInput{Settling: payment.Settling{CallerSettles: true}}))(t); it.Status != payment.StatusAuthorized {
		t.Fatalf("the shopper's confirmation = %s", it.Status)
	}
	a := payment.AnsweredSuffix
	want := map[string]int{
		payment.EventAuthorized + a: 2, payment.EventCaptured + a: 1, payment.EventCancelled + a: 1,
		payment.EventAuthorized: 1, // the shopper's
	}
	if got := Events(t, e); !maps.Equal(got, want) {
		t.Fatalf("events by subject = %v, want %v", got, want)
	}
}

func testCardAuthorizeCapture(t *testing.T, e *Env) {
	m := Tokenize(t, e.Svc, "cust-1", "4242 4242 4242 4242")
	if m.Card == nil || m.Card.Brand != card.Visa || m.Card.Last4 != "4242" || m.ExpiresAt == nil {
		t.Fatalf("method = %+v", m)
	}
	order := ids.New()
	it := must(e.Svc.CreateIntent(Service, payment.CreateIntentInput{
		IdempotencyKey: "order-" + order, OrderID: order, CustomerID: "cust-1", Amount: inr(129900),
		Method: payment.MethodInput{Type: payment.MethodCard, Token: m.ID},
	}))(t)
	if it.Status != payment.StatusRequiresConfirmation || it.Provider != "sandbox" || it.Method.Card.Last4 != "4242" {
		t.Fatalf("created = %+v", it)
	}
	it = must(e.Svc.ConfirmIntent(Service, it.ID, payment.ConfirmIntentInput{}))(t)
	if it.Status != payment.StatusAuthorized || it.AmountCapturable.Amount != 129900 || it.ProviderRef == "" {
		t.Fatalf("confirmed = %+v", it)
	}
	again := must(e.Svc.ConfirmIntent(Service, it.ID, payment.ConfirmIntentInput{}))(t)
	if again.Status != payment.StatusAuthorized {
		t.Fatalf("second confirm = %s", again.Status)
	}
	it = must(e.Svc.CaptureIntent(Service, it.ID, payment.CaptureIntentInput{}))(t)
	if it.Status != payment.StatusCaptured || it.AmountCaptured.Amount != 129900 || it.AmountCapturable.Amount != 0 {
		t.Fatalf("captured = %+v", it)
	}
	again = must(e.Svc.CaptureIntent(Service, it.ID, payment.CaptureIntentInput{}))(t)
	if again.Status != payment.StatusCaptured || again.AmountCaptured.Amount != 129900 {
		t.Fatalf("second capture = %+v", again)
	}
	full := get(t, e, it.ID)
	want := []payment.Status{payment.StatusRequiresConfirmation, payment.StatusProcessing, payment.StatusAuthorized, payment.StatusCaptured}
	if !slices.Equal(statuses(full.Transitions), want) {
		t.Fatalf("history = %v, want %v", statuses(full.Transitions), want)
	}
	r := LedgerOK(t, e)
	if len(r.Currencies) != 1 || r.Currencies[0].Captured != 129900 || r.Currencies[0].Accounts["provider_clearing:sandbox"] != 129900 {
		t.Fatalf("ledger = %+v", r)
	}
	ev := Events(t, e)
	if ev[payment.EventAuthorized] != 1 || ev[payment.EventCaptured] != 1 {
		t.Fatalf("events = %v", ev)
	}
}

func testIdempotentCreate(t *testing.T, e *Env) {
	m := Tokenize(t, e.Svc, "cust-1", "4242424242424242")
	in := payment.CreateIntentInput{
		IdempotencyKey: "order-42", OrderID: ids.New(), CustomerID: "cust-1", Amount: inr(5000),
		Method: payment.MethodInput{Type: payment.MethodCard, Token: m.ID},
	}
	var got []string
	for _, it := range createConcurrently(t, e, in, 8) {
		got = append(got, it.ID)
	}
	for _, id := range got {
		if id != got[0] {
			t.Fatalf("concurrent creates with one key made several intents: %v", got)
		}
	}
	// The same key again, now confirming: the same intent, confirmed.
	in.Confirm = true
	it := must(e.Svc.CreateIntent(Service, in))(t)
	if it.ID != got[0] || it.Status != payment.StatusAuthorized {
		t.Fatalf("replay with confirm = %s %s", it.ID, it.Status)
	}
	again := must(e.Svc.CreateIntent(Service, in))(t)
	if again.ID != it.ID || again.Status != payment.StatusAuthorized {
		t.Fatalf("replay after confirm = %s %s", again.ID, again.Status)
	}
	other := in
	other.Amount = inr(5001)
	_, err := e.Svc.CreateIntent(Service, other)
	wantErr(t, err, payment.ErrKeyReused)
	// Another customer may use the same key string.
	m2 := Tokenize(t, e.Svc, "cust-2", "4242424242424242")
	in2 := in
	in2.CustomerID, in2.Method.Token = "cust-2", m2.ID
	it2 := must(e.Svc.CreateIntent(Service, in2))(t)
	if it2.ID == it.ID {
		t.Fatal("keys of different customers collided")
	}
	page := must(e.Svc.ListIntents(Service, payment.ListIntentsInput{OrderID: in.OrderID}))(t)
	if len(page.Items) != 2 {
		t.Fatalf("intents for the order = %d, want 2", len(page.Items))
	}
}

// createConcurrently runs n creates of in at once and returns what each
// got; an error fails t.
func createConcurrently(t *testing.T, e *Env, in payment.CreateIntentInput, n int) []payment.Intent {
	t.Helper()
	var wg sync.WaitGroup
	got := make([]payment.Intent, n)
	for i := range got {
		wg.Add(1)
		go func() {
			defer wg.Done()
			it, err := e.Svc.CreateIntent(Service, in)
			if err != nil {
				t.Errorf("create %d: %v", i, err)
			}
			got[i] = it
		}()
	}
	wg.Wait()
	return got
}

// Concurrent creates that confirm, with one key (an order worker and its
// redelivered message): one intent, authorised once, announced once.
func testIdempotentCreateConfirm(t *testing.T, e *Env) {
	m := Tokenize(t, e.Svc, "cust-1", "4242424242424242")
	order := ids.New()
	in := payment.CreateIntentInput{
		IdempotencyKey: "order-" + order, OrderID: order, CustomerID: "cust-1", Amount: inr(5000),
		Method: payment.MethodInput{Type: payment.MethodCard, Token: m.ID}, Confirm: true,
	}
	got := createConcurrently(t, e, in, 8)
	for _, it := range got {
		if it.ID != got[0].ID || it.Status != payment.StatusAuthorized {
			t.Fatalf("concurrent creates: %s %s, and %s %s", it.ID, it.Status, got[0].ID, got[0].Status)
		}
	}
	if pp, _ := e.Sandbox.Payment(got[0].ID); pp.Status != payment.StatusAuthorized || pp.AmountCapturable != 5000 {
		t.Fatalf("provider = %+v", pp)
	}
	it := must(e.Svc.CaptureIntent(Service, got[0].ID, payment.CaptureIntentInput{}))(t)
	if it.Status != payment.StatusCaptured {
		t.Fatalf("captured = %s", it.Status)
	}
	want := []payment.Status{payment.StatusRequiresConfirmation, payment.StatusProcessing, payment.StatusAuthorized, payment.StatusCaptured}
	if h := statuses(get(t, e, it.ID).Transitions); !slices.Equal(h, want) {
		t.Fatalf("history = %v, want %v", h, want)
	}
	if ev := Events(t, e); ev[payment.EventAuthorized] != 1 || ev[payment.EventCaptured] != 1 {
		t.Fatalf("events = %v", ev)
	}
	LedgerOK(t, e)
}

func testDeclines(t *testing.T, e *Env) {
	for _, tc := range []struct{ number, code string }{
		{"4000000000000002", "card_declined"},
		{"4000000000009995", "insufficient_funds"},
		{"4000000000000069", "expired_card"},
	} {
		it := CardIntent(t, e, tc.number, true)
		if it.Status != payment.StatusFailed || it.FailureCode != tc.code || it.FailureMessage == "" {
			t.Fatalf("%s: %s %q", tc.number, it.Status, it.FailureCode)
		}
		_, err := e.Svc.ConfirmIntent(Service, it.ID, payment.ConfirmIntentInput{})
		wantErr(t, err, payment.ErrIllegalTransition)
		_, err = e.Svc.CaptureIntent(Service, it.ID, payment.CaptureIntentInput{})
		wantErr(t, err, payment.ErrIllegalTransition)
		if c := must(e.Svc.CancelIntent(Service, it.ID, payment.CancelIntentInput{}))(t); c.Status != payment.StatusFailed {
			t.Fatalf("cancel of a failed payment = %s", c.Status)
		}
	}
	if ev := Events(t, e); ev[payment.EventFailed] != 3 {
		t.Fatalf("events = %v", ev)
	}
	LedgerOK(t, e)
}

func testIllegalTransitions(t *testing.T, e *Env) {
	it := CardIntent(t, e, "4242424242424242", false)
	_, err := e.Svc.CaptureIntent(Service, it.ID, payment.CaptureIntentInput{})
	wantErr(t, err, payment.ErrIllegalTransition)
	_, err = e.Svc.RefundIntent(Service, it.ID, payment.RefundIntentInput{IdempotencyKey: "r"})
	wantErr(t, err, payment.ErrIllegalTransition)

	it = must(e.Svc.ConfirmIntent(Service, it.ID, payment.ConfirmIntentInput{}))(t)
	_, err = e.Svc.RefundIntent(Service, it.ID, payment.RefundIntentInput{IdempotencyKey: "r"})
	wantErr(t, err, payment.ErrIllegalTransition)
	_, err = e.Svc.CaptureIntent(Service, it.ID, payment.CaptureIntentInput{Amount: inr(10001)})
	wantErr(t, err, payment.ErrCaptureExceedsAuthorized)
	_, err = e.Svc.CaptureIntent(Service, it.ID, payment.CaptureIntentInput{Amount: money.MustNew(100, "USD")})
	wantErr(t, err, money.ErrCurrencyMismatch)

	it = must(e.Svc.CaptureIntent(Service, it.ID, payment.CaptureIntentInput{}))(t)
	_, err = e.Svc.CancelIntent(Service, it.ID, payment.CancelIntentInput{})
	wantErr(t, err, payment.ErrIllegalTransition)

	c := CardIntent(t, e, "4242424242424242", true)
	c = must(e.Svc.CancelIntent(Service, c.ID, payment.CancelIntentInput{Reason: "order expired"}))(t)
	if c.Status != payment.StatusCancelled {
		t.Fatalf("cancelled = %s", c.Status)
	}
	if pp, _ := e.Sandbox.Payment(c.ID); pp.Status != payment.StatusCancelled {
		t.Fatalf("provider after cancel = %s", pp.Status)
	}
	_, err = e.Svc.ConfirmIntent(Service, c.ID, payment.ConfirmIntentInput{})
	wantErr(t, err, payment.ErrIllegalTransition)
	_, err = e.Svc.CaptureIntent(Service, c.ID, payment.CaptureIntentInput{})
	wantErr(t, err, payment.ErrIllegalTransition)
	if again := must(e.Svc.CancelIntent(Service, c.ID, payment.CancelIntentInput{}))(t); again.Status != payment.StatusCancelled {
		t.Fatalf("second cancel = %s", again.Status)
	}
	_, err = e.Svc.GetIntent(Service, ids.New())
	wantErr(t, err, payment.ErrIntentNotFound)
	_, err = e.Svc.GetIntent(Service, "not-an-id")
	wantErr(t, err, payment.ErrIntentNotFound)
	for _, ts := range get(t, e, c.ID).Transitions {
		if ts.To == payment.StatusCancelled && ts.Reason != "cancel: order expired" {
			t.Fatalf("cancel reason = %q", ts.Reason)
		}
	}
}

func testPartialCaptureAndRefunds(t *testing.T, e *Env) {
	it := CardIntent(t, e, "5555555555554444", true)
	it = must(e.Svc.CaptureIntent(Service, it.ID, payment.CaptureIntentInput{Amount: inr(6000)}))(t)
	if it.Status != payment.StatusCaptured || it.AmountCaptured.Amount != 6000 || it.AmountCapturable.Amount != 0 {
		t.Fatalf("partial capture = %+v", it)
	}
	if again := must(e.Svc.CaptureIntent(Service, it.ID, payment.CaptureIntentInput{Amount: inr(6000)}))(t); again.AmountCaptured.Amount != 6000 {
		t.Fatal("repeat capture changed the amount")
	}
	_, err := e.Svc.CaptureIntent(Service, it.ID, payment.CaptureIntentInput{Amount: inr(7000)})
	wantErr(t, err, payment.ErrIllegalTransition)

	r1 := must(e.Svc.RefundIntent(Service, it.ID, payment.RefundIntentInput{IdempotencyKey: "r1", Amount: inr(2500), Reason: "return"}))(t)
	if r1.Status != payment.RefundSucceeded || r1.Amount.Amount != 2500 || r1.ProviderRef == "" {
		t.Fatalf("refund = %+v", r1)
	}
	if again := must(e.Svc.RefundIntent(Service, it.ID, payment.RefundIntentInput{IdempotencyKey: "r1", Amount: inr(2500)}))(t); again.ID != r1.ID {
		t.Fatal("a repeated refund key made a new refund")
	}
	if again := must(e.Svc.RefundIntent(Service, it.ID, payment.RefundIntentInput{IdempotencyKey: "r1"}))(t); again.ID != r1.ID {
		t.Fatal("a repeated refund key without amount made a new refund")
	}
	_, err = e.Svc.RefundIntent(Service, it.ID, payment.RefundIntentInput{IdempotencyKey: "r1", Amount: inr(3000)})
	wantErr(t, err, payment.ErrKeyReused)
	if got := get(t, e, it.ID); got.Status != payment.StatusPartiallyRefunded || got.AmountRefunded.Amount != 2500 {
		t.Fatalf("after a partial refund: %s %d", got.Status, got.AmountRefunded.Amount)
	}
	_, err = e.Svc.RefundIntent(Service, it.ID, payment.RefundIntentInput{IdempotencyKey: "r2", Amount: inr(4000)})
	wantErr(t, err, payment.ErrRefundExceedsCaptured)
	r3 := must(e.Svc.RefundIntent(Service, it.ID, payment.RefundIntentInput{IdempotencyKey: "r3"}))(t)
	if r3.Amount.Amount != 3500 {
		t.Fatalf("refund of the rest = %d", r3.Amount.Amount)
	}
	_, err = e.Svc.RefundIntent(Service, it.ID, payment.RefundIntentInput{IdempotencyKey: "r4", Amount: inr(1)})
	wantErr(t, err, payment.ErrRefundExceedsCaptured)
	got := get(t, e, it.ID)
	if got.Status != payment.StatusRefunded || got.AmountRefunded.Amount != 6000 {
		t.Fatalf("after refunding all: %s %d", got.Status, got.AmountRefunded.Amount)
	}
	want := []payment.Status{payment.StatusRequiresConfirmation, payment.StatusProcessing, payment.StatusAuthorized,
		payment.StatusCaptured, payment.StatusPartiallyRefunded, payment.StatusRefunded}
	if !slices.Equal(statuses(got.Transitions), want) {
		t.Fatalf("history = %v", statuses(got.Transitions))
	}
	rs := must(e.Svc.ListRefunds(Service, it.ID))(t)
	if len(rs) != 2 || rs[0].ID != r1.ID {
		t.Fatalf("refunds = %+v", rs)
	}
	r := LedgerOK(t, e)
	if c := r.Currencies[0]; c.Captured != 6000 || c.Refunded != 6000 || c.Accounts["refunds"] != 6000 || c.Accounts["provider_clearing:sandbox"] != 0 {
		t.Fatalf("ledger = %+v", c)
	}
	if ev := Events(t, e); ev[payment.EventRefunded] != 2 {
		t.Fatalf("events = %v", ev)
	}
}

// Refunds racing on one intent never exceed what was captured.
func testConcurrentRefunds(t *testing.T, e *Env) {
	it := CardIntent(t, e, "4242424242424242", true)
	it = must(e.Svc.CaptureIntent(Service, it.ID, payment.CaptureIntentInput{Amount: inr(6000)}))(t)
	var wg sync.WaitGroup
	var mu sync.Mutex
	ok, refused := 0, 0
	for i := 0; i < 10; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := e.Svc.RefundIntent(Service, it.ID, payment.RefundIntentInput{IdempotencyKey: fmt.Sprint("k", i), Amount: inr(1000)})
			mu.Lock()
			defer mu.Unlock()
			switch {
			case err == nil:
				ok++
			case errors.Is(err, payment.ErrRefundExceedsCaptured):
				refused++
			default:
				t.Errorf("refund %d: %v", i, err)
			}
		}()
	}
	wg.Wait()
	if ok != 6 || refused != 4 {
		t.Fatalf("refunds: %d succeeded, %d refused; want 6 and 4", ok, refused)
	}
	if got := get(t, e, it.ID); got.Status != payment.StatusRefunded || got.AmountRefunded.Amount != 6000 {
		t.Fatalf("after: %s %d", got.Status, got.AmountRefunded.Amount)
	}
	LedgerOK(t, e)
}

// Many orders paid at once, the way the order workers pay them (create
// with confirm, then capture), while some of the captures race a cancel of
// the same intent: on PostgreSQL the steps are written in batches, each
// guarded by the version its writer read. Every intent ends captured or
// cancelled, never both; its history is the one its path writes; the
// ledger balances; and each event is announced once.
func testManyAtOnce(t *testing.T, e *Env) {
	const n, racing = 48, 12
	methods := make([]payment.Method, n)
	for i := range methods {
		methods[i] = Tokenize(t, e.Svc, fmt.Sprint("cust-", i), "4242424242424242")
	}
	var wg sync.WaitGroup
	final := make([]payment.Intent, n)
	captureOK, cancelOK := make([]bool, n), make([]bool, n)
	for i := range n {
		wg.Add(1)
		go func() {
			defer wg.Done()
			order := ids.New()
			it, err := e.Svc.CreateIntent(Service, payment.CreateIntentInput{
				IdempotencyKey: "order-" + order, OrderID: order, CustomerID: fmt.Sprint("cust-", i), Amount: inr(int64(1000 + i)),
				Method: payment.MethodInput{Type: payment.MethodCard, Token: methods[i].ID}, CaptureMethod: payment.CaptureManual,
				Confirm: true,
			})
			if err != nil || it.Status != payment.StatusAuthorized {
				t.Errorf("intent %d: %v %s", i, err, it.Status)
				return
			}
			var inner sync.WaitGroup
			if i < racing {
				inner.Add(1)
				go func() {
					defer inner.Done()
					got, err := e.Svc.CancelIntent(Service, it.ID, payment.CancelIntentInput{Reason: "race"})
					if err != nil && !lostRace(err) {
						t.Errorf("cancel %d: %v", i, err)
					}
					cancelOK[i] = err == nil && got.Status == payment.StatusCancelled
				}()
			}
			got, err := e.Svc.CaptureIntent(Service, it.ID, payment.CaptureIntentInput{})
			if err != nil && (i >= racing || !lostRace(err)) {
				t.Errorf("capture %d: %v", i, err)
			}
			captureOK[i] = err == nil && got.Status == payment.StatusCaptured
			inner.Wait()
			final[i] = get(t, e, it.ID)
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	captured, cancelled := 0, 0
	for i, it := range final {
		got := statuses(it.Transitions)
		want := []payment.Status{payment.StatusRequiresConfirmation, payment.StatusProcessing, payment.StatusAuthorized, it.Status}
		switch {
		case it.Status == payment.StatusCaptured && !cancelOK[i] && it.AmountCaptured.Amount == int64(1000+i):
			captured++
		case it.Status == payment.StatusCancelled && !captureOK[i] && i < racing && it.AmountCaptured.Amount == 0:
			cancelled++
		default:
			t.Errorf("intent %d: %s, captured %d; the capture said ok: %v, the cancel: %v", i, it.Status,
				it.AmountCaptured.Amount, captureOK[i], cancelOK[i])
		}
		if !slices.Equal(got, want) {
			t.Errorf("intent %d: history %v, want %v", i, got, want)
		}
		if it.Status == payment.StatusCaptured && !captureOK[i] {
			t.Errorf("intent %d: captured, but the capture was refused", i)
		}
	}
	if captured+cancelled != n || captured < n-racing {
		t.Fatalf("%d captured, %d cancelled of %d", captured, cancelled, n)
	}
	LedgerOK(t, e)
	ev := Events(t, e)
	if ev[payment.EventAuthorized] != n || ev[payment.EventCaptured] != captured || ev[payment.EventCancelled] != cancelled {
		t.Fatalf("events = %v; want %d authorised, %d captured, %d cancelled", ev, n, captured, cancelled)
	}
}

// lostRace: a capture or cancel refused because the other got there first
// (here, or at the provider).
func lostRace(err error) bool {
	switch errs.KindOf(err) {
	case errs.KindConflict, errs.KindUnprocessable:
		return true
	}
	return false
}

func testAutomaticCapture(t *testing.T, e *Env) {
	m := Tokenize(t, e.Svc, "", "6521500000000006")
	if m.Card.Brand != card.RuPay || m.CustomerID != "" {
		t.Fatalf("guest method = %+v", m)
	}
	it := must(e.Svc.CreateIntent(Service, payment.CreateIntentInput{
		IdempotencyKey: "k", OrderID: ids.New(), Amount: inr(4999), CaptureMethod: payment.CaptureAutomatic, Confirm: true,
		Method: payment.MethodInput{Type: payment.MethodCard, Token: m.ID},
	}))(t)
	if it.Status != payment.StatusCaptured || it.AmountCaptured.Amount != 4999 {
		t.Fatalf("automatic = %+v", it)
	}
	LedgerOK(t, e)
}

func testThreeDSecure(t *testing.T, e *Env) {
	for _, approve := range []bool{true, false} {
		m := Tokenize(t, e.Svc, "cust-1", "4000000000003220")
		it := must(e.Svc.CreateIntent(Service, payment.CreateIntentInput{
			IdempotencyKey: ids.New(), OrderID: ids.New(), CustomerID: "cust-1", Amount: inr(2500), Confirm: true,
			Method: payment.MethodInput{Type: payment.MethodCard, Token: m.ID}, ReturnURL: "https://shop.example/return",
		}))(t)
		if it.Status != payment.StatusRequiresAction || it.NextAction == nil || it.NextAction.Type != "redirect" || it.NextAction.URL == "" {
			t.Fatalf("challenge = %+v", it)
		}
		// The shopper has not decided: confirming again changes nothing.
		if again := must(e.Svc.ConfirmIntent(Customer("cust-1"), it.ID, payment.ConfirmIntentInput{}))(t); again.Status != payment.StatusRequiresAction {
			t.Fatalf("confirm before the challenge = %s", again.Status)
		}
		if approve {
			if err := e.Sandbox.Approve(it.ProviderRef); err != nil {
				t.Fatal(err)
			}
			it = waitStatus(t, e, it.ID, payment.StatusAuthorized)
			if it.NextAction != nil {
				t.Fatal("next action kept after the challenge")
			}
		} else {
			if err := e.Sandbox.Deny(it.ProviderRef); err != nil {
				t.Fatal(err)
			}
			it = waitStatus(t, e, it.ID, payment.StatusFailed)
			if it.FailureCode != "authentication_failed" {
				t.Fatalf("failure = %q", it.FailureCode)
			}
		}
	}
	if ev := Events(t, e); ev[payment.EventActionRequired] != 2 || ev[payment.EventAuthorized] != 1 || ev[payment.EventFailed] != 1 {
		t.Fatalf("events = %v", ev)
	}
}

func upiIntent(t testing.TB, e *Env, vpa string) payment.Intent {
	t.Helper()
	return must(e.Svc.CreateIntent(Service, payment.CreateIntentInput{
		IdempotencyKey: ids.New(), OrderID: ids.New(), CustomerID: "cust-1", Amount: inr(79900), Confirm: true,
		Method: payment.MethodInput{Type: payment.MethodUPI, UPI: &payment.UPIDetails{VPA: vpa}},
	}))(t)
}

func testUPICollect(t *testing.T, e *Env) {
	it := upiIntent(t, e, "Success@UPI")
	if it.Status != payment.StatusProcessing || it.NextAction == nil || it.NextAction.Type != "upi_collect" || it.Method.UPI.VPA != "success@upi" {
		t.Fatalf("collect = %+v", it)
	}
	waitStatus(t, e, it.ID, payment.StatusAuthorized)

	failed := upiIntent(t, e, "failure@upi")
	if got := waitStatus(t, e, failed.ID, payment.StatusFailed); got.FailureCode != "upi_collect_declined" {
		t.Fatalf("failure = %q", got.FailureCode)
	}
	for _, bad := range []string{"nobody", "a@", "@upi", "a b@upi", "x@1upi"} {
		_, err := e.Svc.CreateIntent(Service, payment.CreateIntentInput{
			IdempotencyKey: ids.New(), OrderID: ids.New(), Amount: inr(100),
			Method: payment.MethodInput{Type: payment.MethodUPI, UPI: &payment.UPIDetails{VPA: bad}},
		})
		wantErr(t, err, payment.ErrInvalidVPA)
	}
	// A saved UPI address pays like a typed one.
	saved := must(e.Svc.CreateMethod(Customer("cust-1"), payment.CreateMethodInput{Type: payment.MethodUPI, UPI: &payment.UPIDetails{VPA: "success@upi"}, Save: true}))(t)
	viaToken := must(e.Svc.CreateIntent(Service, payment.CreateIntentInput{
		IdempotencyKey: ids.New(), OrderID: ids.New(), CustomerID: "cust-1", Amount: inr(100), Confirm: true,
		Method: payment.MethodInput{Type: payment.MethodUPI, Token: saved.ID},
	}))(t)
	waitStatus(t, e, viaToken.ID, payment.StatusAuthorized)
}

func testRedirectMethods(t *testing.T, e *Env) {
	for _, m := range []payment.MethodInput{
		{Type: payment.MethodNetBanking, NetBanking: &payment.NetBankingDetails{Bank: "hdfc"}},
		{Type: payment.MethodWallet, Wallet: &payment.WalletDetails{Wallet: "PayTM"}},
	} {
		it := must(e.Svc.CreateIntent(Service, payment.CreateIntentInput{
			IdempotencyKey: ids.New(), OrderID: ids.New(), Amount: inr(1500), Confirm: true, Method: m,
			ReturnURL: "https://shop.example/orders/1",
		}))(t)
		if it.Status != payment.StatusRequiresAction || it.NextAction == nil || it.NextAction.URL == "" {
			t.Fatalf("%s = %+v", m.Type, it)
		}
		if err := e.Sandbox.Approve(it.ProviderRef); err != nil {
			t.Fatal(err)
		}
		got := waitStatus(t, e, it.ID, payment.StatusAuthorized)
		if (got.Method.NetBanking != nil && got.Method.NetBanking.Bank != "HDFC") || (got.Method.Wallet != nil && got.Method.Wallet.Wallet != "paytm") {
			t.Fatalf("method = %+v", got.Method)
		}
	}
	for _, m := range []payment.MethodInput{
		{Type: payment.MethodNetBanking, NetBanking: &payment.NetBankingDetails{Bank: "HDFC0001"}},
		{Type: payment.MethodWallet, Wallet: &payment.WalletDetails{Wallet: "bitcoin"}},
		{Type: payment.MethodWallet},
		{Type: "cheque"},
	} {
		_, err := e.Svc.CreateIntent(Service, payment.CreateIntentInput{IdempotencyKey: ids.New(), OrderID: ids.New(), Amount: inr(1), Method: m})
		wantErr(t, err, payment.ErrInvalidInput)
	}
}

func testCashOnDelivery(t *testing.T, e *Env) {
	it := must(e.Svc.CreateIntent(Service, payment.CreateIntentInput{
		IdempotencyKey: ids.New(), OrderID: ids.New(), CustomerID: "cust-1", Amount: inr(89900), Confirm: true,
		Method: payment.MethodInput{Type: payment.MethodCOD},
	}))(t)
	if it.Status != payment.StatusAuthorized || it.Provider != "cod" {
		t.Fatalf("cod = %+v", it)
	}
	// The courier collected the cash.
	it = must(e.Svc.CaptureIntent(Service, it.ID, payment.CaptureIntentInput{}))(t)
	if it.Status != payment.StatusCaptured {
		t.Fatalf("collected = %s", it.Status)
	}
	must(e.Svc.RefundIntent(Service, it.ID, payment.RefundIntentInput{IdempotencyKey: "return", Amount: inr(10000)}))(t)
	r := LedgerOK(t, e)
	if r.Currencies[0].Accounts["provider_clearing:cod"] != 79900 {
		t.Fatalf("cod clearing = %+v", r.Currencies[0].Accounts)
	}
	_, err := e.Svc.CreateIntent(Service, payment.CreateIntentInput{IdempotencyKey: ids.New(), OrderID: ids.New(), Amount: inr(1),
		Method: payment.MethodInput{Type: payment.MethodCard, Token: ids.New()}, Provider: "cod"})
	if err == nil {
		t.Fatal("a card payment was routed to cash on delivery")
	}
}

// A provider that takes the money but whose answer is lost leaves the
// intent processing; the reconciler finds the money and records it.
func testTimeoutReconciled(t *testing.T, e *Env) {
	it := CardIntent(t, e, "4000000000000408", true)
	if it.Status != payment.StatusProcessing {
		t.Fatalf("after a timeout = %s", it.Status)
	}
	if again := must(e.Svc.ConfirmIntent(Service, it.ID, payment.ConfirmIntentInput{}))(t); again.Status != payment.StatusProcessing {
		t.Fatalf("retry after a timeout = %s", again.Status)
	}
	// Too soon: the reconciler leaves it to the webhook.
	if rep := must(e.Svc.Reconcile(Service))(t); rep.Checked != 0 {
		t.Fatalf("reconciled too early: %+v", rep)
	}
	e.Clock.Advance(2 * time.Minute)
	rep := must(e.Svc.Reconcile(Service))(t)
	if rep.Settled != 1 || len(rep.Errors) != 0 {
		t.Fatalf("reconcile = %+v", rep)
	}
	it = get(t, e, it.ID)
	if it.Status != payment.StatusAuthorized {
		t.Fatalf("after reconciling = %s", it.Status)
	}
	if reasons := it.Transitions[len(it.Transitions)-1].Reason; reasons != "reconciler" {
		t.Fatalf("reason = %q", reasons)
	}
	must(e.Svc.CaptureIntent(Service, it.ID, payment.CaptureIntentInput{}))(t)
	LedgerOK(t, e)
	if pp, _ := e.Sandbox.Payment(it.ID); pp.AmountCaptured != 10000 {
		t.Fatalf("provider captured %d", pp.AmountCaptured)
	}
}

func testLateWebhook(t *testing.T, e *Env) {
	it := CardIntent(t, e, "4000000000000416", true)
	if it.Status != payment.StatusProcessing {
		t.Fatalf("after a timeout = %s", it.Status)
	}
	waitStatus(t, e, it.ID, payment.StatusAuthorized)
	if ev := Events(t, e); ev[payment.EventAuthorized] != 1 {
		t.Fatalf("events = %v", ev)
	}
}

// The order gave up on a payment whose outcome was unknown; the provider
// took the money anyway. The reconciler gives it back.
func testReversal(t *testing.T, e *Env) {
	it := CardIntent(t, e, "4000000000000408", true)
	it = must(e.Svc.CancelIntent(Service, it.ID, payment.CancelIntentInput{Reason: "order expired"}))(t)
	if it.Status != payment.StatusCancelled {
		t.Fatalf("cancel = %s", it.Status)
	}
	if err := e.Sandbox.ForceCapture(it.ID); err != nil {
		t.Fatal(err)
	}
	e.Clock.Advance(2 * time.Minute)
	rep := must(e.Svc.Reconcile(Service))(t)
	if rep.Reversed != 1 || len(rep.Errors) != 0 {
		t.Fatalf("reconcile = %+v", rep)
	}
	got := get(t, e, it.ID)
	if got.Status != payment.StatusCancelled || got.AmountCaptured.Amount != 10000 || got.AmountRefunded.Amount != 10000 {
		t.Fatalf("after reversal: %s captured %d refunded %d", got.Status, got.AmountCaptured.Amount, got.AmountRefunded.Amount)
	}
	if pp, _ := e.Sandbox.Payment(it.ID); pp.AmountRefunded != 10000 {
		t.Fatalf("provider refunded %d", pp.AmountRefunded)
	}
	rs := must(e.Svc.ListRefunds(Service, it.ID))(t)
	if len(rs) != 1 || rs[0].Status != payment.RefundSucceeded {
		t.Fatalf("refunds = %+v", rs)
	}
	LedgerOK(t, e)
	e.Clock.Advance(2 * time.Minute)
	if rep := must(e.Svc.Reconcile(Service))(t); rep.Checked != 0 {
		t.Fatalf("reconciled again: %+v", rep)
	}
	if ev := Events(t, e); ev[payment.EventRefunded] != 1 || ev[payment.EventCaptured] != 0 {
		t.Fatalf("events = %v", ev)
	}
}

func testPendingTimeout(t *testing.T, e *Env) {
	it := upiIntent(t, e, "expire@upi")
	e.Clock.Advance(5 * time.Minute)
	if rep := must(e.Svc.Reconcile(Service))(t); rep.Checked != 1 || rep.TimedOut != 0 {
		t.Fatalf("reconcile while pending = %+v", rep)
	}
	e.Clock.Advance(30 * time.Minute)
	rep := must(e.Svc.Reconcile(Service))(t)
	if rep.TimedOut != 1 {
		t.Fatalf("reconcile after the timeout = %+v", rep)
	}
	got := get(t, e, it.ID)
	if got.Status != payment.StatusFailed || got.FailureCode != "payment_timeout" {
		t.Fatalf("after: %s %q", got.Status, got.FailureCode)
	}
	if pp, _ := e.Sandbox.Payment(it.ID); pp.Status != payment.StatusCancelled {
		t.Fatalf("provider = %s", pp.Status)
	}
	// One more look confirms nothing is held, then it is left alone.
	e.Clock.Advance(2 * time.Minute)
	must(e.Svc.Reconcile(Service))(t)
	e.Clock.Advance(2 * time.Minute)
	if rep := must(e.Svc.Reconcile(Service))(t); rep.Checked != 0 {
		t.Fatalf("still reconciling: %+v", rep)
	}
}

func testOwnership(t *testing.T, e *Env) {
	a, b := Customer("user-a"), Customer("user-b")
	ma := must(e.Svc.CreateMethod(a, payment.CreateMethodInput{Type: payment.MethodCard, Save: true,
		Card: &payment.CardInput{Number: "4242424242424242", ExpMonth: 1, ExpYear: time.Now().Year() + 2, CVC: "999"}}))(t)
	if ma.CustomerID != "user-a" || !ma.Saved || ma.ExpiresAt != nil {
		t.Fatalf("saved = %+v", ma)
	}
	_, err := e.Svc.GetMethod(b, ma.ID)
	wantErr(t, err, payment.ErrMethodNotFound)
	wantErr(t, e.Svc.DeleteMethod(b, ma.ID), payment.ErrMethodNotFound)
	if ms := must(e.Svc.ListMethods(b, "user-a"))(t); len(ms) != 0 {
		t.Fatalf("user-b listed user-a's methods: %+v", ms)
	}
	if ms := must(e.Svc.ListMethods(a, ""))(t); len(ms) != 1 {
		t.Fatalf("user-a's methods = %+v", ms)
	}
	_, err = e.Svc.CreateMethod(b, payment.CreateMethodInput{CustomerID: "user-a", Type: payment.MethodUPI, UPI: &payment.UPIDetails{VPA: "x@upi"}, Save: true})
	wantErr(t, err, authn.ErrForbidden)
	_, err = e.Svc.CreateMethod(Guest, payment.CreateMethodInput{Type: payment.MethodUPI, UPI: &payment.UPIDetails{VPA: "x@upi"}, Save: true})
	wantErr(t, err, authn.ErrUnauthenticated)

	in := payment.CreateIntentInput{IdempotencyKey: "k", OrderID: ids.New(), CustomerID: "user-a", Amount: inr(100),
		Method: payment.MethodInput{Type: payment.MethodCard, Token: ma.ID}}
	_, err = e.Svc.CreateIntent(a, in)
	wantErr(t, err, authn.ErrForbidden)
	it := must(e.Svc.CreateIntent(Service, in))(t)
	// user-a's card cannot pay user-b's order.
	stolen := in
	stolen.CustomerID = "user-b"
	_, err = e.Svc.CreateIntent(Service, stolen)
	wantErr(t, err, payment.ErrMethodNotFound)

	_, err = e.Svc.GetIntent(b, it.ID)
	wantErr(t, err, payment.ErrIntentNotFound)
	_, err = e.Svc.ConfirmIntent(b, it.ID, payment.ConfirmIntentInput{})
	wantErr(t, err, payment.ErrIntentNotFound)
	_, err = e.Svc.ListRefunds(b, it.ID)
	wantErr(t, err, payment.ErrIntentNotFound)
	if page := must(e.Svc.ListIntents(b, payment.ListIntentsInput{CustomerID: "user-a"}))(t); len(page.Items) != 0 {
		t.Fatalf("user-b listed user-a's payments: %d", len(page.Items))
	}
	it = must(e.Svc.ConfirmIntent(a, it.ID, payment.ConfirmIntentInput{}))(t)
	if got := must(e.Svc.GetIntent(a, it.ID))(t); got.Status != payment.StatusAuthorized {
		t.Fatalf("owner sees %s", got.Status)
	}
	if page := must(e.Svc.ListIntents(a, payment.ListIntentsInput{}))(t); len(page.Items) != 1 {
		t.Fatalf("owner lists %d", len(page.Items))
	}
	for name, err := range map[string]error{
		"capture": second(e.Svc.CaptureIntent(a, it.ID, payment.CaptureIntentInput{})),
		"cancel":  second(e.Svc.CancelIntent(a, it.ID, payment.CancelIntentInput{})),
		"refund":  second(e.Svc.RefundIntent(a, it.ID, payment.RefundIntentInput{IdempotencyKey: "x"})),
		"ledger":  second(e.Svc.Ledger(a)),
		"recon":   second(e.Svc.Reconcile(a)),
	} {
		if !errors.Is(err, authn.ErrForbidden) {
			t.Errorf("customer %s: %v, want forbidden", name, err)
		}
	}
	if got := must(e.Svc.GetIntent(Admin, it.ID))(t); got.ID != it.ID {
		t.Fatal("admin cannot read")
	}
}

func second[T any](_ T, err error) error { return err }

func testSavedMethods(t *testing.T, e *Env) {
	c := Customer("cust-9")
	in := payment.CreateMethodInput{Type: payment.MethodCard, Save: true,
		Card: &payment.CardInput{Number: "3782 822463 10005", ExpMonth: 6, ExpYear: time.Now().Year() + 1, CVC: "1234"}}
	m1 := must(e.Svc.CreateMethod(c, in))(t)
	m2 := must(e.Svc.CreateMethod(c, in))(t)
	if m1.ID != m2.ID || m1.Card.Brand != card.Amex {
		t.Fatalf("saving a card twice: %s %s", m1.ID, m2.ID)
	}
	upi := must(e.Svc.CreateMethod(c, payment.CreateMethodInput{Type: payment.MethodUPI, UPI: &payment.UPIDetails{VPA: "me@okhdfc"}, Save: true}))(t)
	if ms := must(e.Svc.ListMethods(c, ""))(t); len(ms) != 2 {
		t.Fatalf("saved = %d", len(ms))
	}
	if got := must(e.Svc.GetMethod(c, upi.ID))(t); got.UPI.VPA != "me@okhdfc" {
		t.Fatalf("upi = %+v", got)
	}
	if err := e.Svc.DeleteMethod(c, m1.ID); err != nil {
		t.Fatal(err)
	}
	if ms := must(e.Svc.ListMethods(c, ""))(t); len(ms) != 1 {
		t.Fatalf("after delete = %d", len(ms))
	}
	_, err := e.Svc.CreateIntent(Service, payment.CreateIntentInput{IdempotencyKey: ids.New(), OrderID: ids.New(), CustomerID: "cust-9",
		Amount: inr(100), Method: payment.MethodInput{Type: payment.MethodCard, Token: m1.ID}})
	wantErr(t, err, payment.ErrMethodNotFound)
	var sealed []byte
	if err := e.DB.QueryRowContext(context.Background(), `SELECT sealed FROM payment_methods WHERE id = $1`, m1.ID).Scan(&sealed); err != nil || sealed != nil {
		t.Fatalf("deleted card data = %x, %v", sealed, err)
	}

	// A one-time token expires; an intent made with it before is still
	// answered when its create is replayed.
	tok := Tokenize(t, e.Svc, "cust-9", "4242424242424242")
	early := payment.CreateIntentInput{IdempotencyKey: ids.New(), OrderID: ids.New(), CustomerID: "cust-9",
		Amount: inr(100), Method: payment.MethodInput{Type: payment.MethodCard, Token: tok.ID}, Confirm: true}
	first := must(e.Svc.CreateIntent(Service, early))(t)
	e.Clock.Advance(2 * time.Hour)
	_, err = e.Svc.CreateIntent(Service, payment.CreateIntentInput{IdempotencyKey: ids.New(), OrderID: ids.New(), CustomerID: "cust-9",
		Amount: inr(100), Method: payment.MethodInput{Type: payment.MethodCard, Token: tok.ID}})
	wantErr(t, err, payment.ErrMethodExpired)
	if again := must(e.Svc.CreateIntent(Service, early))(t); again.ID != first.ID || again.Status != payment.StatusAuthorized {
		t.Fatalf("replay after the token expired = %s %s, want %s authorized", again.ID, again.Status, first.ID)
	}
	_, err = e.Svc.CreateIntent(Service, payment.CreateIntentInput{IdempotencyKey: ids.New(), OrderID: ids.New(), Amount: inr(100),
		Method: payment.MethodInput{Type: payment.MethodCard}})
	wantErr(t, err, payment.ErrInvalidInput)
}

func testCardValidation(t *testing.T, e *Env) {
	year := time.Now().Year() + 2
	for _, tc := range []struct {
		in   payment.CardInput
		want *errs.Error
	}{
		{payment.CardInput{Number: "4242424242424241", ExpMonth: 1, ExpYear: year}, card.ErrInvalidNumber},
		{payment.CardInput{Number: "4242424242424242", ExpMonth: 1, ExpYear: 2001}, card.ErrExpired},
		{payment.CardInput{Number: "4242424242424242", ExpMonth: 13, ExpYear: year}, card.ErrInvalidExpiry},
		{payment.CardInput{Number: "378282246310005", ExpMonth: 1, ExpYear: year, CVC: "123"}, card.ErrInvalidCVC},
		{payment.CardInput{Number: "9999999999999995", ExpMonth: 1, ExpYear: year}, card.ErrUnsupportedBrand},
	} {
		_, err := e.Svc.CreateMethod(Guest, payment.CreateMethodInput{Type: payment.MethodCard, Card: &tc.in})
		wantErr(t, err, tc.want)
	}
}

func testListing(t *testing.T, e *Env) {
	var want []string
	for i := 0; i < 5; i++ {
		it := must(e.Svc.CreateIntent(Service, payment.CreateIntentInput{IdempotencyKey: ids.New(), OrderID: ids.New(),
			CustomerID: "lister", Amount: inr(100), Method: payment.MethodInput{Type: payment.MethodCOD}, Confirm: i%2 == 0}))(t)
		want = append([]string{it.ID}, want...)
	}
	var got []string
	token := ""
	for {
		page := must(e.Svc.ListIntents(Customer("lister"), payment.ListIntentsInput{PageSize: 2, PageToken: token}))(t)
		for _, it := range page.Items {
			got = append(got, it.ID)
		}
		if page.NextPageToken == "" {
			break
		}
		token = page.NextPageToken
	}
	if !slices.Equal(got, want) {
		t.Fatalf("pages = %v, want %v", got, want)
	}
	page := must(e.Svc.ListIntents(Service, payment.ListIntentsInput{CustomerID: "lister", Status: payment.StatusAuthorized}))(t)
	if len(page.Items) != 3 {
		t.Fatalf("authorized = %d", len(page.Items))
	}
}
