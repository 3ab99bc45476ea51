// Package sandbox is a payment provider that moves no money: it answers
// like a real network, decided by documented test cards and UPI addresses
// (see Cards and VPAs, and the payments README), with 3-D Secure and bank
// pages served by the binary, asynchronous UPI confirmations, timeouts and
// late webhooks. Its webhooks are signed like Stripe's and go through the
// same verification as any provider's.
//
// Its state lives in memory: it is for development, tests and demos, in
// one process. A restart forgets its payments (the reconciler then fails
// open intents as unknown to the provider). It approves payments without
// money: never enable it where real orders ship.
package sandbox

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/card"
)

// Name is the provider's name.
const Name = "sandbox"

// PagePath is where the sandbox's shopper pages live: PagePath + ref.
const PagePath = "/api/v1/payments/sandbox/pages/"

// Scenario is what the sandbox does with a payment.
type Scenario string

const (
	Succeed           Scenario = "succeed"            // authorised at once
	Decline           Scenario = "card_declined"      // refused
	InsufficientFunds Scenario = "insufficient_funds" // refused
	ExpiredCard       Scenario = "expired_card"       // refused
	Challenge         Scenario = "challenge"          // 3-D Secure page, approve or deny
	Timeout           Scenario = "timeout"            // authorised, but the call times out; no webhook
	LateWebhook       Scenario = "late_webhook"       // authorised, the call times out, the webhook comes later
	Collect           Scenario = "collect"            // UPI collect, approved after AsyncDelay
	CollectDeclined   Scenario = "collect_declined"   // UPI collect, declined after AsyncDelay
	CollectExpires    Scenario = "collect_expires"    // UPI collect nobody answers
	Redirect          Scenario = "redirect"           // bank or wallet page, approve or deny
)

// Cards are the test card numbers and what they do; any future expiry and
// any CVC work. Other valid numbers succeed.
var Cards = []TestCard{
	{"4242424242424242", card.Visa, Succeed},
	{"5555555555554444", card.Mastercard, Succeed},
	{"2223003122003222", card.Mastercard, Succeed},
	{"6521500000000006", card.RuPay, Succeed},
	{"5085000000000007", card.RuPay, Succeed},
	{"378282246310005", card.Amex, Succeed},
	{"4000000000000002", card.Visa, Decline},
	{"4000000000009995", card.Visa, InsufficientFunds},
	{"4000000000000069", card.Visa, ExpiredCard},
	{"4000000000003220", card.Visa, Challenge},
	{"4000000000000408", card.Visa, Timeout},
	{"4000000000000416", card.Visa, LateWebhook},
}

// TestCard is one documented card.
type TestCard struct {
	Number   string
	Brand    card.Brand
	Scenario Scenario
}

// VPAs are the test UPI addresses; any other valid address is approved
// after AsyncDelay, like success@upi.
var VPAs = map[string]Scenario{
	"success@upi":      Collect,
	"failure@upi":      CollectDeclined,
	"expire@upi":       CollectExpires,
	"timeout@upi":      Timeout,
	"success@razorpay": Collect,
	"failure@razorpay": CollectDeclined,
}

// Options configure the sandbox. Zero values take the defaults shown.
type Options struct {
	// WebhookSecret signs webhooks; by default a random one per process,
	// so nobody outside can forge a sandbox webhook (deliveries in-process
	// need no shared secret).
	WebhookSecret string
	// BaseURL is how the shopper's browser reaches this binary; page links
	// start with it ("http://localhost:8080").
	BaseURL string
	// WebhookURL, if set, receives webhooks over HTTP; otherwise they go
	// straight to the payment service in-process (see payment.WebhookSource).
	WebhookURL string
	// AsyncDelay is how long a UPI collect waits for the "shopper": 2s.
	AsyncDelay time.Duration
	// LateWebhookDelay is how long the late-webhook card's webhook takes: 5s.
	LateWebhookDelay time.Duration
	// Tolerance is how old a webhook may be: 5m.
	Tolerance time.Duration
	Clock     func() time.Time
	Logger    *slog.Logger
	// HTTP delivers webhooks to WebhookURL (http.DefaultClient).
	HTTP *http.Client
}

// Provider is the sandbox.
type Provider struct {
	opts Options

	mu       sync.Mutex
	payments map[string]*pay    // by ref
	byIntent map[string]*pay    // by intent id
	refunds  map[string]*refund // by our refund id (the idempotency key)
	sink     func(ctx context.Context, payload []byte, h http.Header) error
	timers   map[*time.Timer]struct{}
	closed   bool
	inflight sync.WaitGroup
}

type pay struct {
	ref, intentID      string
	method             payment.MethodType
	scenario           Scenario
	amount             int64
	currency           string
	status             payment.Status
	capturable         int64
	captured, refunded int64
	failure            string
	captureNow         bool
	returnURL, last4   string
	vpa, wallet, bank  string
	action             *payment.NextAction
}

type refund struct {
	id, ref, payRef string
	amount          int64
	status          payment.RefundStatus
	failure         string
}

var (
	_ payment.Provider      = (*Provider)(nil)
	_ payment.WebhookSource = (*Provider)(nil)
	_ payment.PageProvider  = (*Provider)(nil)
)

// New returns a sandbox.
func New(o Options) *Provider {
	if o.WebhookSecret == "" {
		o.WebhookSecret = newID("whsec_")
	}
	if o.BaseURL == "" {
		o.BaseURL = "http://localhost:8080"
	}
	o.BaseURL = strings.TrimRight(o.BaseURL, "/")
	if o.AsyncDelay <= 0 {
		o.AsyncDelay = 2 * time.Second
	}
	if o.LateWebhookDelay <= 0 {
		o.LateWebhookDelay = 5 * time.Second
	}
	if o.Tolerance <= 0 {
		o.Tolerance = 5 * time.Minute
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.HTTP == nil {
		o.HTTP = http.DefaultClient
	}
	return &Provider{
		opts: o, payments: map[string]*pay{}, byIntent: map[string]*pay{}, refunds: map[string]*refund{},
		timers: map[*time.Timer]struct{}{},
	}
}

// Name implements payment.Provider.
func (p *Provider) Name() string { return Name }

// Supports implements payment.Provider: every method but cash on delivery,
// in every currency.
func (p *Provider) Supports(m payment.MethodType, _ string) bool { return m != payment.MethodCOD }

// SetWebhookSink implements payment.WebhookSource.
func (p *Provider) SetWebhookSink(sink func(ctx context.Context, payload []byte, h http.Header) error) {
	p.mu.Lock()
	p.sink = sink
	p.mu.Unlock()
}

// Close stops pending timers and waits for webhook deliveries under way.
func (p *Provider) Close() {
	p.mu.Lock()
	p.closed = true
	for t := range p.timers {
		if t.Stop() {
			p.inflight.Done() // its function will never run
		}
	}
	p.timers = map[*time.Timer]struct{}{}
	p.mu.Unlock()
	p.inflight.Wait()
}

// scenarioOf decides what happens to an authorisation.
func scenarioOf(r payment.AuthorizeRequest) Scenario {
	switch r.Method {
	case payment.MethodCard:
		if r.Card != nil {
			n := strings.Map(func(c rune) rune {
				if c >= '0' && c <= '9' {
					return c
				}
				return -1
			}, r.Card.Number.Reveal())
			for _, c := range Cards {
				if c.Number == n {
					return c.Scenario
				}
			}
		}
		return Succeed
	case payment.MethodUPI:
		if s, ok := VPAs[strings.ToLower(r.VPA)]; ok {
			return s
		}
		return Collect
	case payment.MethodWallet, payment.MethodNetBanking:
		return Redirect
	}
	return Decline
}

func newID(prefix string) string {
	var b [12]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// view is what the provider says of a payment.
func (py *pay) view() payment.ProviderPayment {
	return payment.ProviderPayment{
		Ref: py.ref, Status: py.status, AmountCapturable: py.capturable, AmountCaptured: py.captured,
		AmountRefunded: py.refunded, Action: py.action, FailureCode: py.failure, FailureMessage: failureMessages[py.failure],
	}
}

var failureMessages = map[string]string{
	"card_declined":         "The card was declined.",
	"insufficient_funds":    "The card has insufficient funds.",
	"expired_card":          "The card has expired.",
	"authentication_failed": "The shopper failed 3-D Secure authentication.",
	"upi_collect_declined":  "The shopper declined the UPI collect request.",
	"payment_declined":      "The shopper cancelled at the bank or wallet page.",
}

// after runs fn after d unless the sandbox is closed first.
func (p *Provider) after(d time.Duration, fn func()) {
	p.mu.Lock()
	defer p.mu.Unlock()
	if p.closed {
		return
	}
	p.inflight.Add(1)
	var t *time.Timer
	t = time.AfterFunc(d, func() {
		defer p.inflight.Done()
		p.mu.Lock()
		delete(p.timers, t)
		closed := p.closed
		p.mu.Unlock()
		if !closed {
			fn()
		}
	})
	p.timers[t] = struct{}{}
}
