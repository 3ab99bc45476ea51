// Package razorpay is the Razorpay provider for UPI, net banking and
// wallets: a small client of Razorpay's REST API (orders, server-to-server
// payments, captures, refunds) and its webhooks, written against the
// documented formats (https://razorpay.com/docs/api/) and tested against a
// local fake of them (razorpaytest).
//
// Razorpay has no idempotency keys on these endpoints, so every write
// looks before it leaps: an intent's Razorpay order carries the intent id
// as its receipt, its payment and refunds carry Bazaar's ids in their notes,
// and a retry finds what the first attempt made instead of making another.
package razorpay

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// Name is the provider's name.
const Name = "razorpay"

// Options configure the provider.
type Options struct {
	KeyID, KeySecret string // API keys (basic auth)
	WebhookSecret    string // the secret set on the webhook in the dashboard
	// BaseURL is the API's root: "https://api.razorpay.com".
	BaseURL string
	// Email and Contact are sent with server-to-server payments, which
	// Razorpay requires, when the intent has none of its own.
	Email, Contact string
	// Tolerance is how old a webhook may be. Razorpay retries a failed
	// delivery for 24 hours with the event's original time, so the default
	// is 25h; replays within it are caught by the event id.
	Tolerance time.Duration
	HTTP      *http.Client // a client with a 15s timeout
}

// Provider is Razorpay.
type Provider struct{ o Options }

var _ payment.Provider = (*Provider)(nil)

// New returns the provider; it fails without keys.
func New(o Options) (*Provider, error) {
	if o.KeyID == "" || o.KeySecret == "" {
		return nil, errors.New("razorpay: key id and secret are required")
	}
	if o.BaseURL == "" {
		o.BaseURL = "https://api.razorpay.com"
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if o.Email == "" {
		o.Email = "payments@bazaar.invalid"
	}
	if o.Contact == "" {
		o.Contact = "+919999999999"
	}
	if o.Tolerance <= 0 {
		o.Tolerance = 25 * time.Hour
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 15 * time.Second}
	}
	return &Provider{o: o}, nil
}

// Name implements payment.Provider.
func (p *Provider) Name() string { return Name }

// Supports implements payment.Provider: UPI, net banking and wallets in rupees.
func (p *Provider) Supports(m payment.MethodType, currency string) bool {
	return (m == payment.MethodUPI || m == payment.MethodNetBanking || m == payment.MethodWallet) && (currency == "INR" || currency == "")
}

// Order is a Razorpay order.
type Order struct {
	ID       string            `json:"id"`
	Entity   string            `json:"entity"`
	Amount   int64             `json:"amount"`
	Currency string            `json:"currency"`
	Receipt  string            `json:"receipt"`
	Status   string            `json:"status"`
	Notes    map[string]string `json:"notes"`
}

// Payment is a Razorpay payment.
type Payment struct {
	ID               string            `json:"id"`
	Entity           string            `json:"entity"`
	Amount           int64             `json:"amount"`
	Currency         string            `json:"currency"`
	Status           string            `json:"status"` // created, authorized, captured, refunded, failed
	OrderID          string            `json:"order_id"`
	Method           string            `json:"method"`
	Captured         bool              `json:"captured"`
	AmountRefunded   int64             `json:"amount_refunded"`
	ErrorCode        string            `json:"error_code,omitempty"`
	ErrorReason      string            `json:"error_reason,omitempty"`
	ErrorDescription string            `json:"error_description,omitempty"`
	Notes            map[string]string `json:"notes"`
	CreatedAt        int64             `json:"created_at"`
}

// Refund is a Razorpay refund.
type Refund struct {
	ID        string            `json:"id"`
	Entity    string            `json:"entity"`
	Amount    int64             `json:"amount"`
	PaymentID string            `json:"payment_id"`
	Status    string            `json:"status"` // pending, processed, failed
	Receipt   string            `json:"receipt,omitempty"`
	Notes     map[string]string `json:"notes"`
}

type collection[T any] struct {
	Entity string `json:"entity"`
	Count  int    `json:"count"`
	Items  []T    `json:"items"`
}

// Note keys under which Bazaar's ids travel.
const (
	noteIntent = "bazaar_intent"
	noteRefund = "bazaar_refund"
)

// apiError is Razorpay's error body.
type apiError struct {
	Error struct {
		Code        string `json:"code"`
		Description string `json:"description"`
		Reason      string `json:"reason"`
	} `json:"error"`
}

// call sends one request. Network failures and 5xx are Unavailable (or
// Timeout), 4xx are Rejected with Razorpay's description.
func (p *Provider) call(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, p.o.BaseURL+path, rd)
	if err != nil {
		return err
	}
	req.SetBasicAuth(p.o.KeyID, p.o.KeySecret)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := p.o.HTTP.Do(req)
	if err != nil {
		var ne interface{ Timeout() bool }
		if errors.Is(err, context.DeadlineExceeded) || (errors.As(err, &ne) && ne.Timeout()) {
			return payment.ErrProviderTimeout.Wrap(err)
		}
		return payment.ErrProviderUnavailable.Wrap(err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return payment.ErrProviderUnavailable.Wrap(err)
	}
	if resp.StatusCode >= 500 || resp.StatusCode == http.StatusTooManyRequests {
		return payment.ErrProviderUnavailable.Wrap(fmt.Errorf("razorpay %s %s: %s", method, path, resp.Status))
	}
	if resp.StatusCode >= 400 {
		var e apiError
		_ = json.Unmarshal(raw, &e)
		if resp.StatusCode == http.StatusNotFound {
			return payment.ErrProviderNotFound.Wrap(fmt.Errorf("razorpay %s %s: %s", method, path, e.Error.Description))
		}
		return &errs.Error{Kind: errs.KindUnprocessable, Code: payment.ErrProviderRejected.Code,
			Detail: "razorpay: " + orDefault(e.Error.Description, resp.Status), Err: fmt.Errorf("%s %s: %s %s", method, path, resp.Status, e.Error.Code)}
	}
	if out != nil {
		if err := json.Unmarshal(raw, out); err != nil {
			return payment.ErrProviderUnavailable.Wrap(fmt.Errorf("razorpay %s %s: unreadable answer: %w", method, path, err))
		}
	}
	return nil
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// order finds the intent's order by receipt, or creates it.
func (p *Provider) order(ctx context.Context, r payment.AuthorizeRequest) (Order, error) {
	var found collection[Order]
	if err := p.call(ctx, http.MethodGet, "/v1/orders?receipt="+url.QueryEscape(r.IntentID), nil, &found); err != nil {
		return Order{}, err
	}
	if len(found.Items) > 0 {
		return found.Items[0], nil
	}
	var o Order
	err := p.call(ctx, http.MethodPost, "/v1/orders", map[string]any{
		"amount": r.Amount.Amount, "currency": r.Amount.Currency, "receipt": r.IntentID,
		"payment_capture": r.CaptureNow, "notes": map[string]string{noteIntent: r.IntentID, "bazaar_order": r.OrderID},
	}, &o)
	return o, err
}

// payments lists an order's payments, newest first.
func (p *Provider) payments(ctx context.Context, orderID string) ([]Payment, error) {
	var ps collection[Payment]
	err := p.call(ctx, http.MethodGet, "/v1/orders/"+url.PathEscape(orderID)+"/payments", nil, &ps)
	return ps.Items, err
}

// Authorize implements payment.Provider.
func (p *Provider) Authorize(ctx context.Context, r payment.AuthorizeRequest) (payment.ProviderPayment, error) {
	o, err := p.order(ctx, r)
	if err != nil {
		return payment.ProviderPayment{}, err
	}
	existing, err := p.payments(ctx, o.ID)
	if err != nil {
		return payment.ProviderPayment{}, err
	}
	if len(existing) > 0 {
		return view(newest(existing), nil), nil // an earlier attempt got through
	}
	body := map[string]any{
		"amount": r.Amount.Amount, "currency": r.Amount.Currency, "order_id": o.ID,
		"email": p.o.Email, "contact": p.o.Contact, "notes": map[string]string{noteIntent: r.IntentID},
	}
	path := "/v1/payments/create/json"
	switch r.Method {
	case payment.MethodUPI:
		path = "/v1/payments/create/upi"
		body["method"] = "upi"
		body["upi"] = map[string]any{"flow": "collect", "vpa": r.VPA, "expiry_time": 15}
	case payment.MethodNetBanking:
		body["method"], body["bank"] = "netbanking", r.Bank
	case payment.MethodWallet:
		body["method"], body["wallet"] = "wallet", r.Wallet
	default:
		return payment.ProviderPayment{}, payment.ErrProviderRejected.With("razorpay: " + string(r.Method) + " is not supported")
	}
	if r.ReturnURL != "" {
		body["callback_url"] = r.ReturnURL
	}
	var created struct {
		PaymentID string `json:"razorpay_payment_id"`
		Next      []struct {
			Action string `json:"action"`
			URL    string `json:"url"`
		} `json:"next"`
	}
	if err := p.call(ctx, http.MethodPost, path, body, &created); err != nil {
		return payment.ProviderPayment{}, err
	}
	var action *payment.NextAction
	for _, n := range created.Next {
		if n.Action == "redirect" && n.URL != "" {
			action = &payment.NextAction{Type: "redirect", URL: n.URL}
		}
	}
	if r.Method == payment.MethodUPI {
		exp := time.Now().Add(15 * time.Minute).UTC()
		action = &payment.NextAction{Type: "upi_collect", Expires: &exp}
	}
	var py Payment
	if err := p.call(ctx, http.MethodGet, "/v1/payments/"+url.PathEscape(created.PaymentID), nil, &py); err != nil {
		// Created, but not yet readable: report what the create said.
		return payment.ProviderPayment{Ref: created.PaymentID, Status: pending(action), Action: action}, nil
	}
	return view(py, action), nil
}

func pending(action *payment.NextAction) payment.Status {
	if action != nil && action.Type == "redirect" {
		return payment.StatusRequiresAction
	}
	return payment.StatusProcessing
}

// view maps a Razorpay payment onto Bazaar's statuses.
func view(py Payment, action *payment.NextAction) payment.ProviderPayment {
	pp := payment.ProviderPayment{Ref: py.ID, AmountRefunded: py.AmountRefunded}
	switch py.Status {
	case "created":
		pp.Status, pp.Action = pending(action), action
		if action == nil && py.Method == "upi" {
			pp.Status = payment.StatusProcessing
		}
	case "authorized":
		pp.Status, pp.AmountCapturable = payment.StatusAuthorized, py.Amount
	case "captured":
		pp.Status, pp.AmountCaptured = payment.StatusCaptured, py.Amount
	case "refunded":
		if py.Captured {
			pp.Status, pp.AmountCaptured = payment.StatusCaptured, py.Amount
		} else {
			pp.Status = payment.StatusCancelled // an authorisation Razorpay gave back
		}
	case "failed":
		pp.Status = payment.StatusFailed
		pp.FailureCode = strings.ToLower(orDefault(py.ErrorReason, orDefault(py.ErrorCode, "payment_failed")))
		pp.FailureMessage = py.ErrorDescription
	default:
		pp.Status = payment.StatusProcessing
	}
	return pp
}

func (p *Provider) payment(ctx context.Context, ref, intentID string) (Payment, error) {
	if ref != "" {
		var py Payment
		err := p.call(ctx, http.MethodGet, "/v1/payments/"+url.PathEscape(ref), nil, &py)
		return py, err
	}
	var found collection[Order]
	if err := p.call(ctx, http.MethodGet, "/v1/orders?receipt="+url.QueryEscape(intentID), nil, &found); err != nil {
		return Payment{}, err
	}
	if len(found.Items) == 0 {
		return Payment{}, payment.ErrProviderNotFound
	}
	ps, err := p.payments(ctx, found.Items[0].ID)
	if err != nil {
		return Payment{}, err
	}
	if len(ps) == 0 {
		return Payment{}, payment.ErrProviderNotFound
	}
	return newest(ps), nil
}

// newest picks the payment that speaks for an order: the newest that did
// not fail, else the newest.
func newest(ps []Payment) Payment {
	for _, py := range ps {
		if py.Status != "failed" {
			return py
		}
	}
	return ps[0]
}

// Lookup implements payment.Provider.
func (p *Provider) Lookup(ctx context.Context, r payment.LookupRequest) (payment.ProviderPayment, error) {
	py, err := p.payment(ctx, r.Ref, r.IntentID)
	if err != nil {
		return payment.ProviderPayment{}, err
	}
	return view(py, nil), nil
}

// Capture implements payment.Provider. Capturing a captured payment is an
// error at Razorpay; a retry finds the capture done and reports it.
func (p *Provider) Capture(ctx context.Context, r payment.CaptureRequest) (payment.ProviderPayment, error) {
	var py Payment
	err := p.call(ctx, http.MethodPost, "/v1/payments/"+url.PathEscape(r.Ref)+"/capture",
		map[string]any{"amount": r.Amount.Amount, "currency": r.Amount.Currency}, &py)
	if errors.Is(err, payment.ErrProviderRejected) {
		if now, lerr := p.payment(ctx, r.Ref, r.IntentID); lerr == nil && now.Status == "captured" {
			return view(now, nil), nil
		}
	}
	if err != nil {
		return payment.ProviderPayment{}, err
	}
	return view(py, nil), nil
}

// Cancel implements payment.Provider. Razorpay cannot void: an
// authorisation that is never captured is given back to the shopper by
// Razorpay after a few days, and a collect request lapses. So Cancel
// reports the payment called off unless it was captured.
func (p *Provider) Cancel(ctx context.Context, r payment.CancelRequest) (payment.ProviderPayment, error) {
	py, err := p.payment(ctx, r.Ref, r.IntentID)
	if err != nil {
		return payment.ProviderPayment{}, err
	}
	v := view(py, nil)
	if v.Status != payment.StatusCaptured && v.Status != payment.StatusFailed {
		v.Status, v.AmountCapturable, v.Action = payment.StatusCancelled, 0, nil
	}
	return v, nil
}

// Refund implements payment.Provider, idempotent by the refund id carried
// in the refund's notes and receipt.
func (p *Provider) Refund(ctx context.Context, r payment.RefundRequest) (payment.ProviderRefund, error) {
	var existing collection[Refund]
	if err := p.call(ctx, http.MethodGet, "/v1/payments/"+url.PathEscape(r.Ref)+"/refunds", nil, &existing); err != nil {
		return payment.ProviderRefund{}, err
	}
	for _, rf := range existing.Items {
		if rf.Notes[noteRefund] == r.Key {
			return refundView(rf), nil
		}
	}
	var rf Refund
	err := p.call(ctx, http.MethodPost, "/v1/payments/"+url.PathEscape(r.Ref)+"/refund", map[string]any{
		"amount": r.Amount.Amount, "receipt": r.Key, "notes": map[string]string{noteRefund: r.Key, noteIntent: r.IntentID},
	}, &rf)
	if err != nil {
		return payment.ProviderRefund{}, err
	}
	return refundView(rf), nil
}

func refundView(rf Refund) payment.ProviderRefund {
	v := payment.ProviderRefund{Ref: rf.ID, Status: payment.RefundPending}
	switch rf.Status {
	case "processed":
		v.Status = payment.RefundSucceeded
	case "failed":
		v.Status, v.FailureCode = payment.RefundFailed, "refund_failed"
	}
	return v
}

// Webhook headers.
const (
	SignatureHeader = "X-Razorpay-Signature" // hex HMAC-SHA256 of the body
	EventIDHeader   = "X-Razorpay-Event-Id"
)

// Event is a Razorpay webhook body.
type Event struct {
	Entity    string   `json:"entity"`
	AccountID string   `json:"account_id"`
	Event     string   `json:"event"` // payment.authorized, payment.captured, payment.failed, refund.processed, ...
	Contains  []string `json:"contains"`
	Payload   struct {
		Payment *struct {
			Entity Payment `json:"entity"`
		} `json:"payment,omitempty"`
		Refund *struct {
			Entity Refund `json:"entity"`
		} `json:"refund,omitempty"`
	} `json:"payload"`
	CreatedAt int64 `json:"created_at"`
}

// Sign is what Razorpay puts in SignatureHeader.
func Sign(secret string, body []byte) string {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

// ParseWebhook implements payment.Provider.
func (p *Provider) ParseWebhook(body []byte, h http.Header, now time.Time) (payment.WebhookEvent, error) {
	got, err := hex.DecodeString(h.Get(SignatureHeader))
	if err != nil || len(got) == 0 || p.o.WebhookSecret == "" {
		return payment.WebhookEvent{}, payment.ErrWebhookSignature
	}
	want, _ := hex.DecodeString(Sign(p.o.WebhookSecret, body))
	if !hmac.Equal(got, want) {
		return payment.WebhookEvent{}, payment.ErrWebhookSignature
	}
	var ev Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.Entity != "event" {
		return payment.WebhookEvent{}, payment.ErrWebhookMalformed
	}
	created := time.Unix(ev.CreatedAt, 0).UTC()
	if age := now.Sub(created); age > p.o.Tolerance || age < -5*time.Minute {
		return payment.WebhookEvent{}, payment.ErrWebhookStale
	}
	out := payment.WebhookEvent{ID: h.Get(EventIDHeader), Type: ev.Event, CreatedAt: created}
	if ev.Payload.Payment != nil {
		py := ev.Payload.Payment.Entity
		v := view(py, nil)
		out.Ref, out.IntentID, out.Payment = py.ID, py.Notes[noteIntent], &v
	}
	if ev.Payload.Refund != nil {
		rf := ev.Payload.Refund.Entity
		out.Refund = &payment.WebhookRefund{RefundID: rf.Notes[noteRefund], ProviderRefund: refundView(rf)}
		if out.IntentID == "" {
			out.IntentID = rf.Notes[noteIntent]
		}
		out.Payment = nil // a refund event's payment entity adds nothing the refund does not
	}
	if out.ID == "" {
		return payment.WebhookEvent{}, payment.ErrWebhookMalformed.With("the webhook has no " + EventIDHeader)
	}
	return out, nil
}
