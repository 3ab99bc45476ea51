// Package razorpaytest is a fake Razorpay: an HTTP server speaking the
// request, response and webhook formats of Razorpay's API for the calls
// Bazaar makes, with switches for the shopper's side (approve, decline) and
// for failures (a lost answer). It is a fake at the edge of the world, for
// the provider's contract tests.
package razorpaytest

import (
	"bytes"
	"context"
	"crypto/rand"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"regexp"
	"sort"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment/razorpay"
)

// Fake is a running fake Razorpay.
type Fake struct {
	*httptest.Server
	KeyID, KeySecret, WebhookSecret string
	// Deliver receives webhooks; set it before payments happen.
	Deliver func(ctx context.Context, body []byte, h http.Header) error

	mu       sync.Mutex
	orders   map[string]*razorpay.Order
	capture  map[string]bool // order id -> payment_capture
	payments map[string]*razorpay.Payment
	refunds  map[string]*razorpay.Refund
	seq      int
	lose     int // answers to lose
	requests []string
}

// New starts a fake on a free local port, closed at cleanup.
func New(t testing.TB) *Fake {
	f := &Fake{KeyID: "rzp_test_fake", KeySecret: "fake_secret", WebhookSecret: "fake_webhook_secret",
		orders: map[string]*razorpay.Order{}, capture: map[string]bool{}, payments: map[string]*razorpay.Payment{}, refunds: map[string]*razorpay.Refund{}}
	mux := http.NewServeMux()
	mux.HandleFunc("GET /v1/orders", f.listOrders)
	mux.HandleFunc("POST /v1/orders", f.createOrder)
	mux.HandleFunc("GET /v1/orders/{id}/payments", f.orderPayments)
	mux.HandleFunc("POST /v1/payments/create/upi", f.createPayment)
	mux.HandleFunc("POST /v1/payments/create/json", f.createPayment)
	mux.HandleFunc("GET /v1/payments/{id}", f.getPayment)
	mux.HandleFunc("POST /v1/payments/{id}/capture", f.capturePayment)
	mux.HandleFunc("GET /v1/payments/{id}/refunds", f.listRefunds)
	mux.HandleFunc("POST /v1/payments/{id}/refund", f.createRefund)
	f.Server = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		f.mu.Lock()
		f.requests = append(f.requests, r.Method+" "+r.URL.Path)
		f.mu.Unlock()
		if id, secret, ok := r.BasicAuth(); !ok || id != f.KeyID || secret != f.KeySecret {
			fail(w, http.StatusUnauthorized, "BAD_REQUEST_ERROR", "The api key provided is invalid")
			return
		}
		if r.Method == http.MethodPost && r.Header.Get("Content-Type") != "application/json" {
			fail(w, http.StatusBadRequest, "BAD_REQUEST_ERROR", "content type must be application/json")
			return
		}
		if r.Method == http.MethodPost && f.takeLoss() {
			// Do the work, then drop the connection: the answer is lost.
			mux.ServeHTTP(httptest.NewRecorder(), r)
			if hj, ok := w.(http.Hijacker); ok {
				if c, _, err := hj.Hijack(); err == nil {
					c.Close()
					return
				}
			}
		}
		mux.ServeHTTP(w, r)
	}))
	t.Cleanup(f.Close)
	return f
}

// Options returns provider options for the fake.
func (f *Fake) Options() razorpay.Options {
	return razorpay.Options{KeyID: f.KeyID, KeySecret: f.KeySecret, WebhookSecret: f.WebhookSecret, BaseURL: f.URL}
}

// LoseNextAnswer makes the next write happen but its answer never arrive.
func (f *Fake) LoseNextAnswer() {
	f.mu.Lock()
	f.lose++
	f.mu.Unlock()
}

func (f *Fake) takeLoss() bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.lose > 0 {
		f.lose--
		return true
	}
	return false
}

// Requests lists the requests received, "METHOD /path".
func (f *Fake) Requests() []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]string(nil), f.requests...)
}

// Counts reports how many orders, payments and refunds exist.
func (f *Fake) Counts() (orders, payments, refunds int) {
	f.mu.Lock()
	defer f.mu.Unlock()
	return len(f.orders), len(f.payments), len(f.refunds)
}

// Payment returns a payment by id.
func (f *Fake) Payment(id string) (razorpay.Payment, bool) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.payments[id]
	if !ok {
		return razorpay.Payment{}, false
	}
	return *p, true
}

func (f *Fake) id(prefix string) string {
	f.seq++
	var b [5]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s%x%04d", prefix, b, f.seq)
}

func fail(w http.ResponseWriter, status int, code, desc string) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(map[string]any{"error": map[string]any{"code": code, "description": desc, "source": "business", "reason": "input_validation_failed"}})
}

func reply(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}

func decode(r *http.Request, v any) error {
	d := json.NewDecoder(r.Body)
	d.UseNumber()
	return d.Decode(v)
}

type collection[T any] struct {
	Entity string `json:"entity"`
	Count  int    `json:"count"`
	Items  []T    `json:"items"`
}

func list[T any](items []T) collection[T] {
	if items == nil {
		items = []T{}
	}
	return collection[T]{Entity: "collection", Count: len(items), Items: items}
}

func (f *Fake) listOrders(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []razorpay.Order
	for _, o := range f.orders {
		if rc := r.URL.Query().Get("receipt"); rc == "" || o.Receipt == rc {
			out = append(out, *o)
		}
	}
	reply(w, list(out))
}

func (f *Fake) createOrder(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Amount         int64             `json:"amount"`
		Currency       string            `json:"currency"`
		Receipt        string            `json:"receipt"`
		PaymentCapture bool              `json:"payment_capture"`
		Notes          map[string]string `json:"notes"`
	}
	if err := decode(r, &in); err != nil {
		fail(w, 400, "BAD_REQUEST_ERROR", "The request body is invalid: "+err.Error())
		return
	}
	switch {
	case in.Amount < 100:
		fail(w, 400, "BAD_REQUEST_ERROR", "The amount must be atleast INR 1.00")
		return
	case in.Currency != "INR":
		fail(w, 400, "BAD_REQUEST_ERROR", "Currency is not supported")
		return
	case len(in.Receipt) > 40:
		fail(w, 400, "BAD_REQUEST_ERROR", "receipt may not be greater than 40 characters")
		return
	}
	f.mu.Lock()
	o := &razorpay.Order{ID: f.id("order_"), Entity: "order", Amount: in.Amount, Currency: in.Currency, Receipt: in.Receipt, Status: "created", Notes: in.Notes}
	f.orders[o.ID] = o
	f.capture[o.ID] = in.PaymentCapture
	f.mu.Unlock()
	reply(w, o)
}

func (f *Fake) orderPayments(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if _, ok := f.orders[r.PathValue("id")]; !ok {
		fail(w, 404, "BAD_REQUEST_ERROR", "The id provided does not exist")
		return
	}
	var out []razorpay.Payment
	for _, p := range f.payments {
		if p.OrderID == r.PathValue("id") {
			out = append(out, *p)
		}
	}
	sort.Slice(out, func(i, j int) bool { return out[i].CreatedAt > out[j].CreatedAt || out[i].ID > out[j].ID })
	reply(w, list(out))
}

var vpa = regexp.MustCompile(`^[a-zA-Z0-9.\-_]{2,256}@[a-zA-Z]{2,64}$`)

func (f *Fake) createPayment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Amount   int64                       `json:"amount"`
		Currency string                      `json:"currency"`
		OrderID  string                      `json:"order_id"`
		Email    string                      `json:"email"`
		Contact  string                      `json:"contact"`
		Method   string                      `json:"method"`
		Bank     string                      `json:"bank"`
		Wallet   string                      `json:"wallet"`
		UPI      *struct{ Flow, VPA string } `json:"upi"`
		Callback string                      `json:"callback_url"`
		Notes    map[string]string           `json:"notes"`
	}
	if err := decode(r, &in); err != nil {
		fail(w, 400, "BAD_REQUEST_ERROR", "The request body is invalid")
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	o, ok := f.orders[in.OrderID]
	switch {
	case !ok:
		fail(w, 400, "BAD_REQUEST_ERROR", "The id provided does not exist")
		return
	case in.Amount != o.Amount || in.Currency != o.Currency:
		fail(w, 400, "BAD_REQUEST_ERROR", "The amount must match the order amount")
		return
	case in.Email == "" || in.Contact == "":
		fail(w, 400, "BAD_REQUEST_ERROR", "The email and contact fields are required")
		return
	}
	upi := strings.HasSuffix(r.URL.Path, "/upi")
	switch {
	case upi && (in.Method != "upi" || in.UPI == nil || in.UPI.Flow != "collect" || !vpa.MatchString(in.UPI.VPA)):
		fail(w, 400, "BAD_REQUEST_ERROR", "Invalid VPA. Please enter a valid Virtual Payment Address")
		return
	case !upi && in.Method == "netbanking" && len(in.Bank) != 4:
		fail(w, 400, "BAD_REQUEST_ERROR", "The selected bank is invalid")
		return
	case !upi && in.Method == "wallet" && in.Wallet == "":
		fail(w, 400, "BAD_REQUEST_ERROR", "The wallet field is required")
		return
	case !upi && in.Method != "netbanking" && in.Method != "wallet":
		fail(w, 400, "BAD_REQUEST_ERROR", "Invalid payment method")
		return
	}
	p := &razorpay.Payment{ID: f.id("pay_"), Entity: "payment", Amount: in.Amount, Currency: in.Currency, Status: "created",
		OrderID: o.ID, Method: in.Method, Notes: in.Notes, CreatedAt: time.Now().Unix()}
	f.payments[p.ID] = p
	o.Status = "attempted"
	out := map[string]any{"razorpay_payment_id": p.ID}
	if !upi {
		out["next"] = []map[string]string{{"action": "redirect", "url": f.URL + "/v1/payments/" + p.ID + "/authenticate"}}
	}
	reply(w, out)
}

func (f *Fake) getPayment(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	p, ok := f.payments[r.PathValue("id")]
	if !ok {
		fail(w, 404, "BAD_REQUEST_ERROR", "The id provided does not exist")
		return
	}
	reply(w, p)
}

func (f *Fake) capturePayment(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Amount   int64  `json:"amount"`
		Currency string `json:"currency"`
	}
	if err := decode(r, &in); err != nil {
		fail(w, 400, "BAD_REQUEST_ERROR", "The request body is invalid")
		return
	}
	f.mu.Lock()
	p, ok := f.payments[r.PathValue("id")]
	switch {
	case !ok:
		f.mu.Unlock()
		fail(w, 404, "BAD_REQUEST_ERROR", "The id provided does not exist")
		return
	case p.Status == "captured":
		f.mu.Unlock()
		fail(w, 400, "BAD_REQUEST_ERROR", "This payment has already been captured")
		return
	case p.Status != "authorized":
		f.mu.Unlock()
		fail(w, 400, "BAD_REQUEST_ERROR", "Only payments which have been authorized and not yet captured can be captured")
		return
	case in.Amount != p.Amount:
		f.mu.Unlock()
		fail(w, 400, "BAD_REQUEST_ERROR", "Capture amount must be equal to the amount authorized")
		return
	}
	p.Status, p.Captured = "captured", true
	cp := *p
	f.mu.Unlock()
	reply(w, cp)
	f.notify("payment.captured", &cp, nil)
}

func (f *Fake) listRefunds(w http.ResponseWriter, r *http.Request) {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []razorpay.Refund
	for _, rf := range f.refunds {
		if rf.PaymentID == r.PathValue("id") {
			out = append(out, *rf)
		}
	}
	reply(w, list(out))
}

func (f *Fake) createRefund(w http.ResponseWriter, r *http.Request) {
	var in struct {
		Amount  int64             `json:"amount"`
		Receipt string            `json:"receipt"`
		Notes   map[string]string `json:"notes"`
	}
	if err := decode(r, &in); err != nil {
		fail(w, 400, "BAD_REQUEST_ERROR", "The request body is invalid")
		return
	}
	f.mu.Lock()
	p, ok := f.payments[r.PathValue("id")]
	if !ok || p.Status != "captured" && p.Status != "refunded" {
		f.mu.Unlock()
		fail(w, 400, "BAD_REQUEST_ERROR", "The payment has not been captured")
		return
	}
	if in.Amount <= 0 || in.Amount > p.Amount-p.AmountRefunded {
		f.mu.Unlock()
		fail(w, 400, "BAD_REQUEST_ERROR", "The refund amount provided is greater than amount captured")
		return
	}
	rf := &razorpay.Refund{ID: f.id("rfnd_"), Entity: "refund", Amount: in.Amount, PaymentID: p.ID, Status: "processed", Receipt: in.Receipt, Notes: in.Notes}
	f.refunds[rf.ID] = rf
	p.AmountRefunded += in.Amount
	if p.AmountRefunded == p.Amount {
		p.Status = "refunded"
	}
	cp, cr := *p, *rf
	f.mu.Unlock()
	reply(w, cr)
	f.notify("refund.processed", &cp, &cr)
}

// Approve is the shopper approving a payment (in the UPI app, on the bank
// page): it is authorised, or captured if its order said so, and the
// webhooks go out.
func (f *Fake) Approve(paymentID string) error {
	f.mu.Lock()
	p, ok := f.payments[paymentID]
	if !ok || p.Status != "created" {
		f.mu.Unlock()
		return fmt.Errorf("razorpaytest: payment %s is not awaiting the shopper", paymentID)
	}
	p.Status = "authorized"
	auth := *p
	capture := f.capture[p.OrderID]
	if capture {
		p.Status, p.Captured = "captured", true
	}
	captured := *p
	f.mu.Unlock()
	if err := f.notify("payment.authorized", &auth, nil); err != nil {
		return err
	}
	if capture {
		return f.notify("payment.captured", &captured, nil)
	}
	return nil
}

// Decline is the shopper declining (or the bank refusing) a payment.
func (f *Fake) Decline(paymentID, reason string) error {
	f.mu.Lock()
	p, ok := f.payments[paymentID]
	if !ok || p.Status != "created" {
		f.mu.Unlock()
		return fmt.Errorf("razorpaytest: payment %s is not awaiting the shopper", paymentID)
	}
	p.Status, p.ErrorCode, p.ErrorReason, p.ErrorDescription = "failed", "BAD_REQUEST_ERROR", reason, "Payment was unsuccessful"
	cp := *p
	f.mu.Unlock()
	return f.notify("payment.failed", &cp, nil)
}

// Webhook builds a signed delivery of event about p (and r), as Razorpay
// sends it; tests replay and tamper with it.
func (f *Fake) Webhook(event string, p *razorpay.Payment, r *razorpay.Refund, at time.Time) ([]byte, http.Header) {
	payload := map[string]any{}
	contains := []string{}
	if p != nil {
		payload["payment"] = map[string]any{"entity": p}
		contains = append(contains, "payment")
	}
	if r != nil {
		payload["refund"] = map[string]any{"entity": r}
		contains = append(contains, "refund")
	}
	body, _ := json.Marshal(map[string]any{"entity": "event", "account_id": "acc_fake", "event": event,
		"contains": contains, "payload": payload, "created_at": at.Unix()})
	f.mu.Lock()
	id := f.id("evt_")
	f.mu.Unlock()
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(razorpay.SignatureHeader, razorpay.Sign(f.WebhookSecret, body))
	h.Set(razorpay.EventIDHeader, id)
	return body, h
}

func (f *Fake) notify(event string, p *razorpay.Payment, r *razorpay.Refund) error {
	if f.Deliver == nil {
		return nil
	}
	body, h := f.Webhook(event, p, r, time.Now())
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return f.Deliver(ctx, bytes.Clone(body), h)
}
