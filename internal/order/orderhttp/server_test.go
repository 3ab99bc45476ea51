package orderhttp_test

import (
	"bufio"
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/order/orderhttp"
	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// The fake's orders: a guest's (its token is guestToken) and a member's.
const (
	guestOrder  = "0190a000-0000-7000-8000-00000000000a"
	memberOrder = "0190a000-0000-7000-8000-00000000000b"
	guestToken  = "bzo_guest-token"
	member      = "user-1"
)

// Bearer tokens the test resolver knows.
var bearers = map[string]authn.Principal{
	"member-token": {UserID: member, Role: authn.RoleCustomer},
	"other-token":  {UserID: "user-2", Role: authn.RoleCustomer},
	"staff-token":  {UserID: "staff-1", Role: authn.RoleStaff},
}

// call is what the fake last received.
type call struct {
	Method   string
	Who      authn.Principal
	ID       string
	Token    string
	ReturnID string
	In       any
}

// fake is an order.Service that checks ownership as Core does, records its
// calls and lets a test change an order's history.
type fake struct {
	t  *testing.T
	mu sync.Mutex

	orders   map[string]*order.Order
	tokens   map[string]string // order id -> guest token
	calls    []call
	fail     error // the next call's error
	watchers map[string][]chan struct{}
	watching int
}

func newFake(t *testing.T) *fake {
	f := &fake{t: t, orders: map[string]*order.Order{}, tokens: map[string]string{}, watchers: map[string][]chan struct{}{}}
	now := time.Date(2025, 11, 1, 10, 0, 0, 0, time.UTC)
	mk := func(id, customer string) *order.Order {
		return &order.Order{
			ID: id, Number: "BZ-" + id[len(id)-5:], Status: order.StatusAwaitingPayment, CustomerID: customer,
			Email: "shopper@example.com", CartID: "cart-1", Currency: "INR",
			Lines: []order.Line{{SKU: "KUR-001-M", Quantity: 1, UnitPrice: inr(129900), Subtotal: inr(129900), Discount: inr(0),
				Total: inr(129900), Tax: inr(13918)}},
			Totals:  order.Totals{Subtotal: inr(129900), Discount: inr(0), Shipping: inr(0), Tax: inr(13918), Total: inr(129900), Refunded: inr(0)},
			Payment: order.PaymentInfo{Method: payment.MethodUPI, Captured: inr(0), Refunded: inr(0)},
			History: []order.Transition{
				{Seq: 1, To: order.StatusPending, Reason: "checkout", At: now},
				{Seq: 2, From: order.StatusPending, To: order.StatusAwaitingPayment, Reason: "payment", At: now},
			},
			Returns: []order.Return{}, CreatedAt: now, UpdatedAt: now,
		}
	}
	f.orders[guestOrder] = mk(guestOrder, "")
	f.tokens[guestOrder] = guestToken
	f.orders[memberOrder] = mk(memberOrder, member)
	return f
}

func inr(n int64) money.Money { return money.MustNew(n, "INR") }

func (f *fake) record(ctx context.Context, c call) error {
	p, ok := authn.FromContext(ctx)
	if !ok {
		f.t.Errorf("%s reached the service with a trusted (principal-less) context", c.Method)
	}
	c.Who = authn.Principal{UserID: p.UserID, Role: p.Role}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.calls = append(f.calls, c)
	err := f.fail
	f.fail = nil
	return err
}

func (f *fake) last() call {
	f.mu.Lock()
	defer f.mu.Unlock()
	if len(f.calls) == 0 {
		return call{}
	}
	return f.calls[len(f.calls)-1]
}

func (f *fake) failNext(err error) {
	f.mu.Lock()
	f.fail = err
	f.mu.Unlock()
}

// get finds an order the caller may see, as Core's rule says.
func (f *fake) get(ctx context.Context, id, token string) (order.Order, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[id]
	if !ok {
		return order.Order{}, order.ErrOrderNotFound
	}
	p, _ := authn.FromContext(ctx)
	switch {
	case p.Has(authn.RoleStaff, authn.RoleAdmin):
	case p.UserID != "" && p.UserID == o.CustomerID:
	case o.CustomerID == "" && token != "" && token == f.tokens[id]:
	default:
		return order.Order{}, order.ErrOrderNotFound
	}
	c := *o
	c.History = append([]order.Transition(nil), o.History...)
	return c, nil
}

// advance moves an order on (a new transition) and wakes its watchers.
func (f *fake) advance(id string, to order.Status) {
	f.mu.Lock()
	o := f.orders[id]
	n := len(o.History) + 1
	o.History = append(o.History, order.Transition{Seq: n, From: o.Status, To: to, Reason: "test", At: time.Now().UTC()})
	o.Status = to
	ws := f.watchers[id]
	f.mu.Unlock()
	for _, w := range ws {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

// touch changes an order within its status (a payment's next action).
func (f *fake) touch(id string) {
	f.mu.Lock()
	o := f.orders[id]
	o.UpdatedAt = o.UpdatedAt.Add(time.Second)
	o.Payment.NextAction = &payment.NextAction{Type: "redirect", URL: "https://bank.example/3ds"}
	ws := f.watchers[id]
	f.mu.Unlock()
	for _, w := range ws {
		select {
		case w <- struct{}{}:
		default:
		}
	}
}

func (f *fake) Checkout(ctx context.Context, in order.CheckoutInput) (order.Accepted, error) {
	if err := f.record(ctx, call{Method: "Checkout", In: in}); err != nil {
		return order.Accepted{}, err
	}
	id := "0190a000-0000-7000-8000-0000000000cc"
	return order.Accepted{OrderID: id, Number: "BZ-AAAAA-BBBBB", Status: order.StatusPending,
		StatusURL: "/api/v1/orders/" + id, EventsURL: "/api/v1/orders/" + id + "/events", OrderToken: "bzo_new"}, nil
}

func (f *fake) Order(ctx context.Context, id, token string) (order.Order, error) {
	if err := f.record(ctx, call{Method: "Order", ID: id, Token: token}); err != nil {
		return order.Order{}, err
	}
	return f.get(ctx, id, token)
}

func (f *fake) MyOrders(ctx context.Context, pageSize int, pageToken string) (order.Page, error) {
	if err := f.record(ctx, call{Method: "MyOrders", In: []any{pageSize, pageToken}}); err != nil {
		return order.Page{}, err
	}
	o, err := f.get(ctx, memberOrder, "")
	if err != nil {
		return order.Page{}, err
	}
	return order.Page{Items: []order.Order{o}, NextPageToken: "next"}, nil
}

func (f *fake) Cancel(ctx context.Context, id, token string, in order.CancelInput) (order.Order, error) {
	if err := f.record(ctx, call{Method: "Cancel", ID: id, Token: token, In: in}); err != nil {
		return order.Order{}, err
	}
	return f.get(ctx, id, token)
}

func (f *fake) RequestReturn(ctx context.Context, id, token string, in order.ReturnInput) (order.Order, error) {
	if err := f.record(ctx, call{Method: "RequestReturn", ID: id, Token: token, In: in}); err != nil {
		return order.Order{}, err
	}
	return f.get(ctx, id, token)
}

func (f *fake) Orders(ctx context.Context, fl order.ListFilter) (order.Page, error) {
	if err := f.record(ctx, call{Method: "Orders", In: fl}); err != nil {
		return order.Page{}, err
	}
	o, err := f.get(ctx, guestOrder, "")
	if err != nil {
		return order.Page{}, err
	}
	return order.Page{Items: []order.Order{o}}, nil
}

func (f *fake) staffOp(ctx context.Context, method, id, returnID string, in any) (order.Order, error) {
	if err := f.record(ctx, call{Method: method, ID: id, ReturnID: returnID, In: in}); err != nil {
		return order.Order{}, err
	}
	return f.get(ctx, id, "")
}

func (f *fake) Pack(ctx context.Context, id string) (order.Order, error) {
	return f.staffOp(ctx, "Pack", id, "", nil)
}

func (f *fake) Ship(ctx context.Context, id string, in order.ShipInput) (order.Order, error) {
	return f.staffOp(ctx, "Ship", id, "", in)
}

func (f *fake) Deliver(ctx context.Context, id string) (order.Order, error) {
	return f.staffOp(ctx, "Deliver", id, "", nil)
}

func (f *fake) DecideReturn(ctx context.Context, id, returnID string, in order.ReturnDecision) (order.Order, error) {
	return f.staffOp(ctx, "DecideReturn", id, returnID, in)
}

func (f *fake) ReceiveReturn(ctx context.Context, id, returnID string) (order.Order, error) {
	return f.staffOp(ctx, "ReceiveReturn", id, returnID, nil)
}

func (f *fake) Refund(ctx context.Context, id string, in order.RefundInput) (order.Order, error) {
	return f.staffOp(ctx, "Refund", id, "", in)
}

// Watch is order.Core's hint to streams.
func (f *fake) Watch(id string) (<-chan struct{}, func()) {
	w := make(chan struct{}, 1)
	f.mu.Lock()
	f.watchers[id] = append(f.watchers[id], w)
	f.watching++
	f.mu.Unlock()
	return w, func() {
		f.mu.Lock()
		defer f.mu.Unlock()
		ws := f.watchers[id]
		for i, x := range ws {
			if x == w {
				f.watchers[id] = append(ws[:i], ws[i+1:]...)
				f.watching--
				break
			}
		}
	}
}

func (f *fake) streams() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.watching
}

// noWatch hides the fake's Watch: streams must poll.
type noWatch struct{ order.Service }

type env struct {
	*httptest.Server
	fake     *fake
	client   *orderhttp.Client
	shutdown chan struct{}
}

type setup struct {
	events         orderhttp.EventsOptions
	hideWatch      bool
	requestTimeout time.Duration // the router's per-request deadline
	readTimeout    time.Duration // the server's ReadTimeout and WriteTimeout
}

func newEnv(t *testing.T, s setup) *env {
	t.Helper()
	f := newFake(t)
	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	log := slog.New(slog.DiscardHandler)
	resolve := authn.ResolverFunc(func(_ context.Context, token string) (authn.Principal, error) {
		if p, ok := bearers[token]; ok {
			return p, nil
		}
		return authn.Principal{}, authn.ErrUnauthenticated
	})
	rt := web.NewRouter(web.Options{Title: "order test", Logger: log, RequestTimeout: s.requestTimeout, Middleware: []func(http.Handler) http.Handler{
		authn.Middleware(resolve, authn.Options{ServiceSecrets: [][]byte{secret}, Logger: log}),
	}})
	var svc order.Service = f
	if s.hideWatch {
		svc = noWatch{f}
	}
	shutdown := make(chan struct{})
	s.events.Shutdown = shutdown
	orderhttp.Register(rt.API, svc, orderhttp.Options{})
	orderhttp.RegisterEvents(rt, svc, s.events)
	ts := httptest.NewUnstartedServer(rt.Handler())
	ts.Config.ReadTimeout = s.readTimeout
	ts.Config.WriteTimeout = s.readTimeout
	ts.Start()
	t.Cleanup(ts.Close)
	t.Cleanup(func() {
		select {
		case <-shutdown:
		default:
			close(shutdown)
		}
	})

	signer, err := authn.NewSigner("order-test", secret)
	if err != nil {
		t.Fatal(err)
	}
	cl := orderhttp.NewClient(ts.URL)
	cl.HTTP.Transport = authn.NewTransport(nil, signer)
	return &env{Server: ts, fake: f, client: cl, shutdown: shutdown}
}

// send makes a raw request as a browser or curl would.
func send(t *testing.T, method, url string, header map[string]string, body string) (*http.Response, string) {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequestWithContext(context.Background(), method, url, r)
	if err != nil {
		t.Fatal(err)
	}
	if body != "" {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Sec-Fetch-Site", "same-origin")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, _ := io.ReadAll(resp.Body)
	return resp, string(b)
}

type problem struct {
	Status int    `json:"status"`
	Code   string `json:"code"`
}

func codeOf(body string) string {
	var p problem
	_ = json.Unmarshal([]byte(body), &p)
	return p.Code
}

const checkoutBody = `{"cart_id":"cart-1","email":"guest@example.com","shipping_address":{"name":"A","line1":"1 MG Road","city":"Pune","state":"MH","postal_code":"411001"},"payment":{"method":"upi","upi":{"vpa":"a@okhdfc"}}}`

func sha(s string) string {
	h := sha256.Sum256([]byte(s))
	return hex.EncodeToString(h[:])
}

func TestCheckout(t *testing.T) {
	e := newEnv(t, setup{})
	url := e.URL + orderhttp.PathCheckout

	resp, body := send(t, http.MethodPost, url, map[string]string{"X-Cart-Token": "cart-token"}, checkoutBody)
	if resp.StatusCode != http.StatusBadRequest || codeOf(body) != "idempotency_key_required" {
		t.Fatalf("no key: %d %s", resp.StatusCode, body)
	}
	if n := len(e.fake.calls); n != 0 {
		t.Fatalf("the service ran without a key: %d calls", n)
	}
	resp, body = send(t, http.MethodPost, url, map[string]string{"Idempotency-Key": strings.Repeat("k", 256)}, checkoutBody)
	if resp.StatusCode != http.StatusBadRequest || codeOf(body) != "invalid_idempotency_key" {
		t.Fatalf("bad key: %d %s", resp.StatusCode, body)
	}

	resp, body = send(t, http.MethodPost, url, map[string]string{"Idempotency-Key": "k1", "X-Cart-Token": "cart-token"}, checkoutBody)
	if resp.StatusCode != http.StatusAccepted {
		t.Fatalf("checkout: %d %s", resp.StatusCode, body)
	}
	var a order.Accepted
	if err := json.Unmarshal([]byte(body), &a); err != nil || a.OrderID == "" || a.OrderToken != "bzo_new" {
		t.Fatalf("accepted %s", body)
	}
	if loc := resp.Header.Get("Location"); loc != a.StatusURL || loc == "" {
		t.Errorf("Location %q, status_url %q", loc, a.StatusURL)
	}
	if cc := resp.Header.Get("Cache-Control"); cc != "no-store" {
		t.Errorf("Cache-Control %q", cc)
	}
	got := e.fake.last().In.(order.CheckoutInput)
	if got.IdempotencyKey != "k1" || got.CartToken != "cart-token" || got.Scope != "guest:"+sha("cart-token") {
		t.Errorf("key, token, scope: %q %q %q", got.IdempotencyKey, got.CartToken, got.Scope)
	}
	if got.CartID != "cart-1" || got.Payment.Method != payment.MethodUPI || got.Payment.UPI == nil || got.ShippingAddress == nil || got.ShippingAddress.PostalCode != "411001" {
		t.Errorf("input %+v", got)
	}
	first := got.Fingerprint
	if len(first) != 64 {
		t.Fatalf("fingerprint %q", first)
	}

	// The fingerprint is of the request's meaning, not its bytes: order of
	// members and spacing do not change it; a changed field does.
	var m map[string]any
	_ = json.Unmarshal([]byte(checkoutBody), &m)
	reordered, _ := json.MarshalIndent(m, "", "   ")
	send(t, http.MethodPost, url, map[string]string{"Idempotency-Key": "k1", "X-Cart-Token": "cart-token"}, string(reordered))
	if fp := e.fake.last().In.(order.CheckoutInput).Fingerprint; fp != first {
		t.Errorf("same checkout, other bytes: fingerprint changed")
	}
	send(t, http.MethodPost, url, map[string]string{"Idempotency-Key": "k1", "X-Cart-Token": "cart-token"}, strings.Replace(checkoutBody, "a@okhdfc", "b@okhdfc", 1))
	if fp := e.fake.last().In.(order.CheckoutInput).Fingerprint; fp == first {
		t.Errorf("another checkout, same fingerprint")
	}

	// A member's key is theirs, whatever the cart.
	send(t, http.MethodPost, url, map[string]string{"Idempotency-Key": "k1", "Authorization": "Bearer member-token"}, checkoutBody)
	if c := e.fake.last(); c.In.(order.CheckoutInput).Scope != "user:"+member || c.Who.UserID != member {
		t.Errorf("member checkout: %+v", c)
	}

	// Bad input is the shopper's to fix: 400, never 500, and the service
	// is not called.
	calls := len(e.fake.calls)
	for _, bad := range []string{
		`{"cart_id":`,
		`{"cart_id":"cart-1","payment":{"method":"bitcoin"}}`,
		`{"cart_id":"cart-1","payment":{"method":"card"},"email":5}`,
		`{"cart_id":"cart-1","payment":{"method":"card"},"surprise":true}`,
		`[]`,
	} {
		resp, body := send(t, http.MethodPost, url, map[string]string{"Idempotency-Key": "k2"}, bad)
		if resp.StatusCode != http.StatusBadRequest && resp.StatusCode != http.StatusUnprocessableEntity {
			t.Errorf("%s: %d %s", bad, resp.StatusCode, body)
		}
	}
	if resp, body := send(t, http.MethodPost, url, map[string]string{"Idempotency-Key": "k3"}, ""); resp.StatusCode != http.StatusBadRequest {
		t.Errorf("no body: %d %s", resp.StatusCode, body)
	}
	if len(e.fake.calls) != calls {
		t.Errorf("bad input reached the service")
	}

	// The service's errors are problems with their codes.
	e.fake.failNext(order.ErrKeyReused)
	resp, body = send(t, http.MethodPost, url, map[string]string{"Idempotency-Key": "k1"}, checkoutBody)
	if resp.StatusCode != http.StatusUnprocessableEntity || codeOf(body) != "checkout_key_reused" {
		t.Errorf("reused key: %d %s", resp.StatusCode, body)
	}
	e.fake.failNext(order.ErrCheckoutInProgress)
	resp, body = send(t, http.MethodPost, url, map[string]string{"Idempotency-Key": "k1"}, checkoutBody)
	if resp.StatusCode != http.StatusConflict || codeOf(body) != "checkout_in_progress" {
		t.Errorf("in progress: %d %s", resp.StatusCode, body)
	}
}

func TestRoutes(t *testing.T) {
	e := newEnv(t, setup{})
	base := e.URL + "/api/v1"
	member := map[string]string{"Authorization": "Bearer member-token"}
	other := map[string]string{"Authorization": "Bearer other-token"}
	staff := map[string]string{"Authorization": "Bearer staff-token"}
	guest := map[string]string{order.HeaderOrderToken: guestToken}

	cases := []struct {
		name, method, path string
		header             map[string]string
		body               string
		status             int
		code               string
	}{
		{"guest reads with the header", "GET", "/orders/" + guestOrder, guest, "", 200, ""},
		{"guest reads with the query", "GET", "/orders/" + guestOrder + "?token=" + guestToken, nil, "", 200, ""},
		{"guest without a token", "GET", "/orders/" + guestOrder, nil, "", 404, "order_not_found"},
		{"guest with a wrong token", "GET", "/orders/" + guestOrder, map[string]string{order.HeaderOrderToken: "nope"}, "", 404, "order_not_found"},
		{"member reads theirs", "GET", "/orders/" + memberOrder, member, "", 200, ""},
		{"another member", "GET", "/orders/" + memberOrder, other, "", 404, "order_not_found"},
		{"id too long", "GET", "/orders/" + strings.Repeat("x", 65), guest, "", 400, "validation_failed"},
		{"my orders anonymously", "GET", "/me/orders", nil, "", 401, "unauthenticated"},
		{"my orders", "GET", "/me/orders?page_size=5&page_token=abc", member, "", 200, ""},
		{"my orders, page too big", "GET", "/me/orders?page_size=1000", member, "", 400, "validation_failed"},
		{"guest cancels", "POST", "/orders/" + guestOrder + "/cancel", guest, `{"reason":"changed my mind"}`, 200, ""},
		{"guest cancels without a body", "POST", "/orders/" + guestOrder + "/cancel", guest, "", 200, ""},
		{"cancel someone else's", "POST", "/orders/" + memberOrder + "/cancel", guest, "", 404, "order_not_found"},
		{"return", "POST", "/orders/" + memberOrder + "/returns", member, `{"lines":[{"sku":"KUR-001-M","quantity":1}],"reason":"too small","resolution":"exchange"}`, 201, ""},
		{"return without lines", "POST", "/orders/" + memberOrder + "/returns", member, `{"lines":[],"reason":"x","resolution":"refund"}`, 400, "validation_failed"},
		{"return, bad resolution", "POST", "/orders/" + memberOrder + "/returns", member, `{"lines":[{"sku":"A","quantity":1}],"reason":"x","resolution":"store_credit"}`, 400, "validation_failed"},
		{"return, zero units", "POST", "/orders/" + memberOrder + "/returns", member, `{"lines":[{"sku":"A","quantity":0}],"reason":"x","resolution":"refund"}`, 400, "validation_failed"},

		{"staff list anonymously", "GET", "/admin/orders", nil, "", 401, "unauthenticated"},
		{"staff list as a customer", "GET", "/admin/orders", member, "", 403, "forbidden"},
		{"staff list", "GET", "/admin/orders?status=paid&from=2025-01-01T00:00:00Z&to=2025-12-31T00:00:00%2B05:30&email=a@b.c&number=BZ-1&customer_id=c&page_size=10&page_token=t", staff, "", 200, ""},
		{"staff list, bad status", "GET", "/admin/orders?status=lost", staff, "", 400, "validation_failed"},
		{"staff list, bad time", "GET", "/admin/orders?from=yesterday", staff, "", 400, "validation_failed"},
		{"staff read", "GET", "/admin/orders/" + memberOrder, staff, "", 200, ""},
		{"staff read as a customer", "GET", "/admin/orders/" + memberOrder, member, "", 403, "forbidden"},
		{"pack", "POST", "/admin/orders/" + memberOrder + "/pack", staff, "", 200, ""},
		{"pack as the customer", "POST", "/admin/orders/" + memberOrder + "/pack", member, "", 403, "forbidden"},
		{"ship", "POST", "/admin/orders/" + memberOrder + "/ship", staff, `{"carrier":"Delhivery","tracking_number":"DL123","tracking_url":"https://track.example/DL123"}`, 200, ""},
		{"ship, no body", "POST", "/admin/orders/" + memberOrder + "/ship", staff, "", 400, ""},
		{"deliver", "POST", "/admin/orders/" + memberOrder + "/deliver", staff, "", 200, ""},
		{"staff cancel", "POST", "/admin/orders/" + memberOrder + "/cancel", staff, "", 200, ""},
		{"decide", "POST", "/admin/orders/" + memberOrder + "/returns/r1/decision", staff, `{"approve":true,"note":"ok"}`, 200, ""},
		{"decide, not a bool", "POST", "/admin/orders/" + memberOrder + "/returns/r1/decision", staff, `{"approve":"yes"}`, 400, "validation_failed"},
		{"receive", "POST", "/admin/orders/" + memberOrder + "/returns/r1/receive", staff, "", 200, ""},
		{"refund", "POST", "/admin/orders/" + memberOrder + "/refund", staff, `{"amount":{"amount":5000,"currency":"INR"},"reason":"goodwill"}`, 200, ""},
		{"refund, float amount", "POST", "/admin/orders/" + memberOrder + "/refund", staff, `{"amount":{"amount":50.5,"currency":"INR"}}`, 400, ""},
		{"unknown order", "GET", "/admin/orders/0190a000-0000-7000-8000-0000000000ff", staff, "", 404, "order_not_found"},
	}
	for _, c := range cases {
		resp, body := send(t, c.method, base+c.path, c.header, c.body)
		if resp.StatusCode != c.status || (c.code != "" && codeOf(body) != c.code) {
			t.Errorf("%s: %d %s, want %d %s", c.name, resp.StatusCode, body, c.status, c.code)
			continue
		}
		if resp.StatusCode < 300 && resp.Header.Get("Cache-Control") != "no-store" {
			t.Errorf("%s: Cache-Control %q", c.name, resp.Header.Get("Cache-Control"))
		}
		if resp.StatusCode >= 500 {
			t.Errorf("%s: %d", c.name, resp.StatusCode)
		}
	}

	// What the routes handed the service.
	send(t, "GET", base+"/admin/orders?status=paid&from=2025-01-01T00:00:00Z&to=2025-12-31T00:00:00%2B05:30&email=a@b.c&number=BZ-1&customer_id=c&page_size=10&page_token=t", staff, "")
	f := e.fake.last().In.(order.ListFilter)
	want := order.ListFilter{Status: order.StatusPaid, CustomerID: "c", Email: "a@b.c", Number: "BZ-1", PageSize: 10, PageToken: "t",
		From: time.Date(2025, 1, 1, 0, 0, 0, 0, time.UTC), To: time.Date(2025, 12, 30, 18, 30, 0, 0, time.UTC)}
	if !f.From.Equal(want.From) || !f.To.Equal(want.To) {
		t.Errorf("filter times %v %v", f.From, f.To)
	}
	f.From, f.To, want.From, want.To = time.Time{}, time.Time{}, time.Time{}, time.Time{}
	if f != want {
		t.Errorf("filter %+v", f)
	}
	send(t, "GET", base+"/me/orders?page_size=5&page_token=abc", member, "")
	if c := e.fake.last(); !reflect.DeepEqual(c.In, []any{5, "abc"}) || c.Who.UserID != "user-1" {
		t.Errorf("my orders call %+v", c)
	}

	// The refund's key: the body's, else the Idempotency-Key header.
	send(t, "POST", base+"/admin/orders/"+memberOrder+"/refund", map[string]string{"Authorization": "Bearer staff-token", "Idempotency-Key": "hdr-key"}, `{"reason":"x"}`)
	if in := e.fake.last().In.(order.RefundInput); in.Key != "hdr-key" || !in.Amount.IsZero() {
		t.Errorf("refund input %+v", in)
	}
	send(t, "POST", base+"/admin/orders/"+memberOrder+"/refund", map[string]string{"Authorization": "Bearer staff-token", "Idempotency-Key": "hdr-key-2"}, `{"key":"body-key"}`)
	if in := e.fake.last().In.(order.RefundInput); in.Key != "body-key" {
		t.Errorf("refund input %+v", in)
	}
	send(t, "POST", base+"/admin/orders/"+memberOrder+"/returns/r-9/decision", staff, `{"approve":false,"note":"worn"}`)
	if c := e.fake.last(); c.ReturnID != "r-9" || c.In.(order.ReturnDecision) != (order.ReturnDecision{Note: "worn"}) {
		t.Errorf("decision call %+v", c)
	}

	// The stream is in the OpenAPI document with the typed operations.
	_, spec := send(t, "GET", e.URL+"/api/v1/openapi.json", nil, "")
	for _, s := range []string{`"/api/v1/orders/{id}/events"`, `"follow-order"`, `"text/event-stream"`, `"/api/v1/checkout"`, `"/api/v1/admin/orders/{id}/returns/{return_id}/decision"`} {
		if !strings.Contains(spec, s) {
			t.Errorf("openapi lacks %s", s)
		}
	}
}

// Every method through the client reaches the service with the same
// arguments and the caller's identity, and answers as the service did.
func TestClientRoundTrips(t *testing.T) {
	e := newEnv(t, setup{})
	ctx := context.Background()
	asGuest := authn.WithPrincipal(ctx, authn.Principal{})
	asMember := authn.WithPrincipal(ctx, bearers["member-token"])
	asStaff := authn.WithPrincipal(ctx, bearers["staff-token"])
	cl := e.client

	check := func(name string, err error, want call) {
		t.Helper()
		if err != nil {
			t.Errorf("%s: %v", name, err)
			return
		}
		got := e.fake.last()
		if !reflect.DeepEqual(got, want) {
			t.Errorf("%s: service got\n  %+v\nwant\n  %+v", name, got, want)
		}
	}
	guest := authn.Principal{}
	memberP := authn.Principal{UserID: member, Role: authn.RoleCustomer}
	staffP := authn.Principal{UserID: "staff-1", Role: authn.RoleStaff}

	ship := cart.Address{Name: "A", Line1: "1 MG Road", City: "Pune", State: "MH", PostalCode: "411001"}
	in := order.CheckoutInput{IdempotencyKey: "key-1", CartToken: "cart-token", CartID: "cart-1", QuoteHash: "qh", Email: "g@example.com",
		ShippingAddress: &ship, Payment: order.PaymentChoice{Method: payment.MethodCard, Token: "pm_1"}, ReturnURL: "https://shop.example/back"}
	a, err := cl.Checkout(asGuest, in)
	if err != nil || a.OrderToken != "bzo_new" || a.Status != order.StatusPending {
		t.Fatalf("checkout %+v %v", a, err)
	}
	got := e.fake.last().In.(order.CheckoutInput)
	body, _ := json.Marshal(in)
	want := in
	want.Scope, want.Fingerprint = "guest:"+sha("cart-token"), sha(string(body))
	if !reflect.DeepEqual(got, want) {
		t.Errorf("checkout input\n  %+v\nwant\n  %+v", got, want)
	}
	if _, err := cl.Checkout(asGuest, order.CheckoutInput{CartID: "c", Payment: order.PaymentChoice{Method: payment.MethodCOD}}); !errors.Is(err, order.ErrIdempotencyKeyRequired) {
		t.Errorf("checkout without a key: %v", err)
	}

	o, err := cl.Order(asGuest, guestOrder, guestToken)
	check("order as guest", err, call{Method: "Order", Who: guest, ID: guestOrder, Token: guestToken})
	if o.ID != guestOrder || len(o.History) != 2 || o.Lines[0].UnitPrice != money.MustNew(129900, "INR") {
		t.Errorf("order %+v", o)
	}
	if _, err := cl.Order(asGuest, guestOrder, "wrong"); !errors.Is(err, order.ErrOrderNotFound) {
		t.Errorf("wrong token: %v", err)
	}
	_, err = cl.Order(asMember, memberOrder, "")
	check("order as member", err, call{Method: "Order", Who: memberP, ID: memberOrder})

	p, err := cl.MyOrders(asMember, 7, "tok")
	check("my orders", err, call{Method: "MyOrders", Who: memberP, In: []any{7, "tok"}})
	if len(p.Items) != 1 || p.NextPageToken != "next" {
		t.Errorf("page %+v", p)
	}
	if _, err := cl.MyOrders(asGuest, 0, ""); !errors.Is(err, authn.ErrUnauthenticated) {
		t.Errorf("my orders as guest: %v", err)
	}

	_, err = cl.Cancel(asGuest, guestOrder, guestToken, order.CancelInput{Reason: "oops"})
	check("cancel", err, call{Method: "Cancel", Who: guest, ID: guestOrder, Token: guestToken, In: order.CancelInput{Reason: "oops"}})
	ret := order.ReturnInput{Lines: []order.ReturnLine{{SKU: "KUR-001-M", Quantity: 1}}, Reason: "small", Resolution: order.ResolutionExchange,
		ExchangeLines: []order.ReturnLine{{SKU: "KUR-001-L", Quantity: 1}}}
	_, err = cl.RequestReturn(asMember, memberOrder, "", ret)
	check("return", err, call{Method: "RequestReturn", Who: memberP, ID: memberOrder, In: ret})

	fl := order.ListFilter{Status: order.StatusShipped, CustomerID: "c", Email: "e@x.y", Number: "BZ-1", From: time.Date(2025, 1, 2, 3, 4, 5, 6, time.UTC),
		To: time.Date(2025, 2, 2, 3, 4, 5, 0, time.UTC), PageSize: 3, PageToken: "pt"}
	_, err = cl.Orders(asStaff, fl)
	check("orders", err, call{Method: "Orders", Who: staffP, In: fl})
	if _, err := cl.Orders(asMember, fl); !errors.Is(err, authn.ErrForbidden) {
		t.Errorf("orders as a customer: %v", err)
	}
	_, err = cl.Pack(asStaff, memberOrder)
	check("pack", err, call{Method: "Pack", Who: staffP, ID: memberOrder})
	si := order.ShipInput{Carrier: "Delhivery", Number: "DL1", URL: "https://t.example/DL1"}
	_, err = cl.Ship(asStaff, memberOrder, si)
	check("ship", err, call{Method: "Ship", Who: staffP, ID: memberOrder, In: si})
	_, err = cl.Deliver(asStaff, memberOrder)
	check("deliver", err, call{Method: "Deliver", Who: staffP, ID: memberOrder})
	d := order.ReturnDecision{Approve: true, Note: "fine"}
	_, err = cl.DecideReturn(asStaff, memberOrder, "ret/1", d)
	check("decide", err, call{Method: "DecideReturn", Who: staffP, ID: memberOrder, ReturnID: "ret/1", In: d})
	_, err = cl.ReceiveReturn(asStaff, memberOrder, "ret-1")
	check("receive", err, call{Method: "ReceiveReturn", Who: staffP, ID: memberOrder, ReturnID: "ret-1"})
	ri := order.RefundInput{Amount: money.MustNew(100, "INR"), Reason: "goodwill", Key: "rk"}
	_, err = cl.Refund(asStaff, memberOrder, ri)
	check("refund", err, call{Method: "Refund", Who: staffP, ID: memberOrder, In: ri})
	_, err = cl.Refund(asStaff, memberOrder, order.RefundInput{})
	check("refund all", err, call{Method: "Refund", Who: staffP, ID: memberOrder, In: order.RefundInput{}})

	// The service's errors come back as themselves.
	for _, want := range []error{order.ErrIllegalTransition, order.ErrReturnWindowClosed, order.ErrRefundTooLarge, order.ErrIntakeUnavailable} {
		e.fake.failNext(want)
		if _, err := cl.Pack(asStaff, memberOrder); !errors.Is(err, want) {
			t.Errorf("error %v came back as %v", want, err)
		}
	}
}

// sse reads a stream's events.
type sse struct {
	resp   *http.Response
	cancel context.CancelFunc
	events chan sseEvent
}

type sseEvent struct {
	ID, Event, Data string
	Comment         string
	Retry           string
}

func follow(t *testing.T, url string, header map[string]string) *sse {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, url, nil)
	req.Header.Set("Accept", "text/event-stream")
	for k, v := range header {
		req.Header.Set(k, v)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		cancel()
		t.Fatal(err)
	}
	s := &sse{resp: resp, cancel: cancel, events: make(chan sseEvent, 100)}
	t.Cleanup(func() {
		cancel()
		resp.Body.Close()
	})
	if resp.StatusCode != http.StatusOK {
		close(s.events)
		return s
	}
	go func() {
		defer close(s.events)
		br := bufio.NewReader(resp.Body)
		var ev sseEvent
		for {
			line, err := br.ReadString('\n')
			if err != nil {
				return
			}
			line = strings.TrimSuffix(line, "\n")
			switch {
			case line == "":
				s.events <- ev
				ev = sseEvent{}
			case strings.HasPrefix(line, ":"):
				ev.Comment = strings.TrimSpace(line[1:])
			default:
				k, v, _ := strings.Cut(line, ":")
				v = strings.TrimPrefix(v, " ")
				switch k {
				case "id":
					ev.ID = v
				case "event":
					ev.Event = v
				case "data":
					ev.Data = v
				case "retry":
					ev.Retry = v
				}
			}
		}
	}()
	return s
}

// next returns the next event with data, skipping comments and retry
// blocks; ok is false when the stream ended.
func (s *sse) next(t *testing.T, within time.Duration) (sseEvent, bool) {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case ev, ok := <-s.events:
			if !ok {
				return sseEvent{}, false
			}
			if ev.Data == "" {
				continue
			}
			return ev, true
		case <-timeout:
			t.Fatalf("no event within %s", within)
		}
	}
}

// ends waits for the stream to end.
func (s *sse) ends(t *testing.T, within time.Duration) {
	t.Helper()
	timeout := time.After(within)
	for {
		select {
		case _, ok := <-s.events:
			if !ok {
				return
			}
		case <-timeout:
			t.Fatalf("the stream did not end within %s", within)
		}
	}
}

func orderOf(t *testing.T, ev sseEvent) order.Order {
	t.Helper()
	var o order.Order
	if ev.Event != "order" || json.Unmarshal([]byte(ev.Data), &o) != nil {
		t.Fatalf("event %+v", ev)
	}
	return o
}

func TestEvents(t *testing.T) {
	for _, mode := range []struct {
		name string
		s    setup
	}{
		// With Watch the wake-up alone must deliver: polling is too slow
		// to matter.
		{"watch", setup{events: orderhttp.EventsOptions{Poll: time.Hour}}},
		{"poll", setup{hideWatch: true, events: orderhttp.EventsOptions{Poll: 20 * time.Millisecond}}},
	} {
		t.Run(mode.name, func(t *testing.T) {
			e := newEnv(t, mode.s)
			url := e.URL + "/api/v1/orders/" + guestOrder + "/events"

			s := follow(t, url+"?token="+guestToken, nil)
			if s.resp.StatusCode != 200 || s.resp.Header.Get("Content-Type") != "text/event-stream" ||
				s.resp.Header.Get("Cache-Control") != "no-cache" || s.resp.Header.Get("X-Accel-Buffering") != "no" {
				t.Fatalf("stream answer %d %v", s.resp.StatusCode, s.resp.Header)
			}
			ev, _ := s.next(t, 5*time.Second)
			if o := orderOf(t, ev); ev.ID != "2" || o.ID != guestOrder || o.Status != order.StatusAwaitingPayment {
				t.Fatalf("first event %+v", ev)
			}
			if mode.name == "watch" {
				bustWait(t, func() bool { return e.fake.streams() == 1 })
			}
			e.fake.advance(guestOrder, order.StatusPaid)
			ev, _ = s.next(t, 5*time.Second)
			if o := orderOf(t, ev); ev.ID != "3" || o.Status != order.StatusPaid {
				t.Fatalf("change event %+v", ev)
			}
			// A change within the status comes too, under the same id.
			e.fake.touch(guestOrder)
			ev, _ = s.next(t, 5*time.Second)
			if o := orderOf(t, ev); ev.ID != "3" || o.Payment.NextAction == nil {
				t.Fatalf("change within a status %+v", ev)
			}

			// Resuming at the latest seq skips the state already seen;
			// the next change comes with the next id.
			r := follow(t, url, map[string]string{order.HeaderOrderToken: guestToken, "Last-Event-ID": "3"})
			r2 := follow(t, url+"?last_event_id=3&token="+guestToken, nil)
			// An older id gets the current state at once.
			r3 := follow(t, url+"?token="+guestToken, map[string]string{"Last-Event-ID": "1"})
			ev, _ = r3.next(t, 5*time.Second)
			if ev.ID != "3" {
				t.Fatalf("resume from 1: %+v", ev)
			}
			if mode.name == "watch" {
				bustWait(t, func() bool { return e.fake.streams() == 4 })
			} else {
				time.Sleep(100 * time.Millisecond)
			}
			e.fake.advance(guestOrder, order.StatusPacked)
			for _, st := range []*sse{s, r, r2, r3} {
				ev, _ = st.next(t, 5*time.Second)
				if o := orderOf(t, ev); ev.ID != "4" || o.Status != order.StatusPacked {
					t.Fatalf("after resume: %+v", ev)
				}
			}

			// The client leaving ends the handler.
			r.cancel()
			r2.cancel()
			r3.cancel()
			s.cancel()
			if mode.name == "watch" {
				bustWait(t, func() bool { return e.fake.streams() == 0 })
			}

			// No token, a wrong one, another's order: a 404 problem, no
			// stream.
			for _, u := range []string{url, url + "?token=nope", e.URL + "/api/v1/orders/" + memberOrder + "/events?token=" + guestToken} {
				s := follow(t, u, nil)
				b, _ := io.ReadAll(s.resp.Body)
				if s.resp.StatusCode != 404 || codeOf(string(b)) != "order_not_found" {
					t.Errorf("%s: %d %s", u, s.resp.StatusCode, b)
				}
			}
			// A member follows theirs by their credentials.
			m := follow(t, e.URL+"/api/v1/orders/"+memberOrder+"/events", map[string]string{"Authorization": "Bearer member-token"})
			if ev, _ := m.next(t, 5*time.Second); orderOf(t, ev).ID != memberOrder {
				t.Errorf("member stream %+v", ev)
			}
		})
	}
}

func bustWait(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(5 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("timed out")
		}
		time.Sleep(5 * time.Millisecond)
	}
}

// Streams ping while idle, end at their maximum age and at shutdown, and
// outlive the request timeout and the server's ReadTimeout.
func TestEventsLifetime(t *testing.T) {
	e := newEnv(t, setup{
		events:         orderhttp.EventsOptions{Ping: 30 * time.Millisecond, Poll: 10 * time.Millisecond},
		requestTimeout: 100 * time.Millisecond,
		readTimeout:    100 * time.Millisecond,
	})
	url := e.URL + "/api/v1/orders/" + guestOrder + "/events?token=" + guestToken
	s := follow(t, url, nil)
	if _, ok := s.next(t, 5*time.Second); !ok {
		t.Fatal("no first event")
	}
	pinged := false
	deadline := time.After(5 * time.Second)
	for !pinged {
		select {
		case ev := <-s.events:
			pinged = ev.Comment == "ping"
		case <-deadline:
			t.Fatal("no ping")
		}
	}
	time.Sleep(400 * time.Millisecond) // past both timeouts
	e.fake.advance(guestOrder, order.StatusPaid)
	if ev, ok := s.next(t, 5*time.Second); !ok || ev.ID != "3" {
		t.Fatalf("after the timeouts: %+v %v", ev, ok)
	}
	// A plain request still has its deadline.
	resp, _ := send(t, "GET", e.URL+"/api/v1/orders/"+guestOrder, map[string]string{order.HeaderOrderToken: guestToken}, "")
	if resp.StatusCode != 200 {
		t.Fatalf("read %d", resp.StatusCode)
	}

	close(e.shutdown)
	s.ends(t, 5*time.Second)

	aged := newEnv(t, setup{events: orderhttp.EventsOptions{MaxAge: 200 * time.Millisecond}})
	start := time.Now()
	s = follow(t, aged.URL+"/api/v1/orders/"+guestOrder+"/events?token="+guestToken, nil)
	s.ends(t, 5*time.Second)
	if time.Since(start) < 200*time.Millisecond {
		t.Error("the stream ended before its age")
	}
	bustWait(t, func() bool { return aged.fake.streams() == 0 })
}
