// Package stripeprov is the Stripe provider for cards, on stripe-go:
// PaymentMethods (a card is verified, with its CVC, when Bazaar tokenises
// it), PaymentIntents with manual or automatic capture, Refunds, and
// signed webhooks. Every write carries an idempotency key, which Stripe
// honours for 24 hours, so a retry after a timeout returns the first
// answer. Contract-tested against stripe-mock.
//
// Sending raw card numbers to Stripe needs Stripe's approval of the account
// ("raw card data APIs"); test mode and stripe-mock accept them as they are.
package stripeprov

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/stripe/stripe-go/v85"
	"github.com/stripe/stripe-go/v85/webhook"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// Name is the provider's name.
const Name = "stripe"

// Options configure the provider.
type Options struct {
	SecretKey     string // sk_live_… or sk_test_…
	WebhookSecret string // whsec_… of the webhook endpoint
	// APIBase overrides Stripe's API URL (stripe-mock: "http://127.0.0.1:12111").
	APIBase string
	// Tolerance is how old a webhook may be: 5m, Stripe's own default.
	Tolerance time.Duration
	HTTP      *http.Client // a client with a 20s timeout
}

// Provider is Stripe.
type Provider struct {
	sc *stripe.Client
	o  Options
}

var (
	_ payment.Provider      = (*Provider)(nil)
	_ payment.CardTokenizer = (*Provider)(nil)
)

// New returns the provider; it fails without a secret key.
func New(o Options) (*Provider, error) {
	if o.SecretKey == "" {
		return nil, errors.New("stripe: a secret key is required")
	}
	if o.Tolerance <= 0 {
		o.Tolerance = webhook.DefaultTolerance
	}
	if o.HTTP == nil {
		o.HTTP = &http.Client{Timeout: 20 * time.Second}
	}
	cfg := &stripe.BackendConfig{
		HTTPClient:        o.HTTP,
		LeveledLogger:     &stripe.LeveledLogger{Level: stripe.LevelNull}, // Bazaar logs the errors it returns
		MaxNetworkRetries: stripe.Int64(1),                                // retried with the same idempotency key
	}
	if o.APIBase != "" {
		cfg.URL = stripe.String(strings.TrimRight(o.APIBase, "/"))
	}
	return &Provider{sc: stripe.NewClient(o.SecretKey, stripe.WithBackends(stripe.NewBackendsWithConfig(cfg))), o: o}, nil
}

// Name implements payment.Provider.
func (p *Provider) Name() string { return Name }

// Supports implements payment.Provider: cards, in every currency Bazaar has.
func (p *Provider) Supports(m payment.MethodType, _ string) bool { return m == payment.MethodCard }

// Metadata keys under which Bazaar's ids travel.
const (
	metaIntent = "bazaar_intent"
	metaOrder  = "bazaar_order"
	metaRefund = "bazaar_refund"
)

// TokenizeCard implements payment.CardTokenizer: the card becomes a Stripe
// PaymentMethod, checked with its CVC now; charges use the PaymentMethod.
func (p *Provider) TokenizeCard(ctx context.Context, c payment.CardData) (string, error) {
	pm, err := p.paymentMethod(ctx, c, "")
	if err != nil {
		return "", err
	}
	return pm, nil
}

func (p *Provider) paymentMethod(ctx context.Context, c payment.CardData, key string) (string, error) {
	params := &stripe.PaymentMethodCreateParams{
		Type: stripe.String("card"),
		Card: &stripe.PaymentMethodCreateCardParams{
			Number: stripe.String(c.Number.Reveal()), ExpMonth: stripe.Int64(int64(c.ExpMonth)), ExpYear: stripe.Int64(int64(c.ExpYear)),
		},
	}
	if c.CVC != "" {
		params.Card.CVC = stripe.String(c.CVC.Reveal())
	}
	if c.Name != "" {
		params.BillingDetails = &stripe.PaymentMethodCreateBillingDetailsParams{Name: stripe.String(c.Name)}
	}
	if key != "" {
		params.SetIdempotencyKey(key)
	}
	pm, err := p.sc.V1PaymentMethods.Create(ctx, params)
	if err != nil {
		return "", mapError(err)
	}
	return pm.ID, nil
}

// Authorize implements payment.Provider.
func (p *Provider) Authorize(ctx context.Context, r payment.AuthorizeRequest) (payment.ProviderPayment, error) {
	if r.Card == nil {
		return payment.ProviderPayment{}, payment.ErrProviderRejected.With("stripe: only cards are supported")
	}
	pm := r.Card.ProviderToken
	if pm == "" {
		var err error
		if pm, err = p.paymentMethod(ctx, *r.Card, r.Key+"/payment-method"); err != nil {
			return declineOr(err)
		}
	}
	capture := "manual"
	if r.CaptureNow {
		capture = "automatic"
	}
	params := &stripe.PaymentIntentCreateParams{
		Amount: stripe.Int64(r.Amount.Amount), Currency: stripe.String(strings.ToLower(r.Amount.Currency)),
		PaymentMethod: stripe.String(pm), PaymentMethodTypes: []*string{stripe.String("card")},
		Confirm: stripe.Bool(true), CaptureMethod: stripe.String(capture),
	}
	if r.ReturnURL != "" {
		params.ReturnURL = stripe.String(r.ReturnURL)
	}
	params.AddMetadata(metaIntent, r.IntentID)
	params.AddMetadata(metaOrder, r.OrderID)
	params.SetIdempotencyKey(r.Key)
	pi, err := p.sc.V1PaymentIntents.Create(ctx, params)
	if err != nil {
		return declineOr(err)
	}
	return view(pi), nil
}

// declineOr turns a card error (a decline) into a failed payment; other
// errors stay errors.
func declineOr(err error) (payment.ProviderPayment, error) {
	var se *stripe.Error
	if errors.As(err, &se) && se.Type == stripe.ErrorTypeCard {
		pp := payment.ProviderPayment{Status: payment.StatusFailed, FailureCode: failureCode(se), FailureMessage: se.Msg}
		if se.PaymentIntent != nil {
			pp.Ref = se.PaymentIntent.ID
		}
		return pp, nil
	}
	return payment.ProviderPayment{}, mapError(err)
}

func failureCode(se *stripe.Error) string {
	if se.DeclineCode != "" {
		return string(se.DeclineCode)
	}
	if se.Code != "" {
		return string(se.Code)
	}
	return "card_declined"
}

// view maps a PaymentIntent onto Bazaar's statuses.
func view(pi *stripe.PaymentIntent) payment.ProviderPayment {
	pp := payment.ProviderPayment{Ref: pi.ID}
	switch pi.Status {
	case stripe.PaymentIntentStatusRequiresAction:
		pp.Status = payment.StatusRequiresAction
		pp.Action = &payment.NextAction{Type: "redirect"}
		if pi.NextAction != nil && pi.NextAction.RedirectToURL != nil {
			pp.Action.URL = pi.NextAction.RedirectToURL.URL
		}
	case stripe.PaymentIntentStatusRequiresConfirmation, stripe.PaymentIntentStatusProcessing:
		pp.Status = payment.StatusProcessing
	case stripe.PaymentIntentStatusRequiresCapture:
		pp.Status, pp.AmountCapturable = payment.StatusAuthorized, pi.AmountCapturable
	case stripe.PaymentIntentStatusSucceeded:
		pp.Status, pp.AmountCaptured = payment.StatusCaptured, pi.AmountReceived
	case stripe.PaymentIntentStatusCanceled:
		pp.Status = payment.StatusCancelled
	case stripe.PaymentIntentStatusRequiresPaymentMethod:
		// After a confirmation this means the attempt failed.
		pp.Status, pp.FailureCode = payment.StatusFailed, "payment_method_required"
		if e := pi.LastPaymentError; e != nil {
			pp.FailureCode, pp.FailureMessage = failureCode(e), e.Msg
		}
	default:
		pp.Status = payment.StatusProcessing
	}
	return pp
}

// mapError classifies a stripe-go error.
func mapError(err error) error {
	var se *stripe.Error
	if !errors.As(err, &se) {
		if errors.Is(err, context.DeadlineExceeded) {
			return payment.ErrProviderTimeout.Wrap(err)
		}
		return payment.ErrProviderUnavailable.Wrap(err)
	}
	switch {
	case se.HTTPStatusCode == http.StatusNotFound:
		return payment.ErrProviderNotFound.Wrap(err)
	case se.HTTPStatusCode >= 500 || se.HTTPStatusCode == http.StatusTooManyRequests || se.HTTPStatusCode == http.StatusConflict:
		return payment.ErrProviderUnavailable.Wrap(err)
	}
	return &errs.Error{Kind: errs.KindUnprocessable, Code: payment.ErrProviderRejected.Code, Detail: "stripe: " + se.Msg, Err: err}
}

func (p *Provider) find(ctx context.Context, ref, intentID string) (*stripe.PaymentIntent, error) {
	if ref != "" {
		pi, err := p.sc.V1PaymentIntents.Retrieve(ctx, ref, nil)
		if err != nil {
			return nil, mapError(err)
		}
		return pi, nil
	}
	params := &stripe.PaymentIntentSearchParams{}
	params.Query = fmt.Sprintf("metadata['%s']:'%s'", metaIntent, intentID)
	for pi, err := range p.sc.V1PaymentIntents.Search(ctx, params).All(ctx) {
		if err != nil {
			return nil, mapError(err)
		}
		return pi, nil
	}
	return nil, payment.ErrProviderNotFound
}

// Lookup implements payment.Provider. Without a ref it searches by the
// intent id in the metadata (Stripe's search index lags a little: the
// reconciler looks only after a minute).
func (p *Provider) Lookup(ctx context.Context, r payment.LookupRequest) (payment.ProviderPayment, error) {
	pi, err := p.find(ctx, r.Ref, r.IntentID)
	if err != nil {
		return payment.ProviderPayment{}, err
	}
	return view(pi), nil
}

// Capture implements payment.Provider.
func (p *Provider) Capture(ctx context.Context, r payment.CaptureRequest) (payment.ProviderPayment, error) {
	params := &stripe.PaymentIntentCaptureParams{AmountToCapture: stripe.Int64(r.Amount.Amount)}
	params.SetIdempotencyKey(r.Key)
	pi, err := p.sc.V1PaymentIntents.Capture(ctx, r.Ref, params)
	if err != nil {
		return payment.ProviderPayment{}, mapError(err)
	}
	return view(pi), nil
}

// Cancel implements payment.Provider.
func (p *Provider) Cancel(ctx context.Context, r payment.CancelRequest) (payment.ProviderPayment, error) {
	ref := r.Ref
	if ref == "" {
		pi, err := p.find(ctx, "", r.IntentID)
		if err != nil {
			return payment.ProviderPayment{}, err
		}
		ref = pi.ID
	}
	params := &stripe.PaymentIntentCancelParams{}
	params.SetIdempotencyKey(r.Key)
	pi, err := p.sc.V1PaymentIntents.Cancel(ctx, ref, params)
	if err != nil {
		err = mapError(err)
		if errors.Is(err, payment.ErrProviderRejected) {
			// Not cancellable (captured already): report the state instead.
			if now, lerr := p.find(ctx, ref, ""); lerr == nil {
				return view(now), nil
			}
		}
		return payment.ProviderPayment{}, err
	}
	return view(pi), nil
}

// Refund implements payment.Provider.
func (p *Provider) Refund(ctx context.Context, r payment.RefundRequest) (payment.ProviderRefund, error) {
	params := &stripe.RefundCreateParams{PaymentIntent: stripe.String(r.Ref), Amount: stripe.Int64(r.Amount.Amount)}
	params.AddMetadata(metaRefund, r.Key)
	params.AddMetadata(metaIntent, r.IntentID)
	params.SetIdempotencyKey(r.Key)
	rf, err := p.sc.V1Refunds.Create(ctx, params)
	if err != nil {
		return payment.ProviderRefund{}, mapError(err)
	}
	return refundView(rf), nil
}

func refundView(rf *stripe.Refund) payment.ProviderRefund {
	v := payment.ProviderRefund{Ref: rf.ID, Status: payment.RefundPending}
	switch rf.Status {
	case stripe.RefundStatusSucceeded:
		v.Status = payment.RefundSucceeded
	case stripe.RefundStatusFailed, stripe.RefundStatusCanceled:
		v.Status, v.FailureCode = payment.RefundFailed, orDefault(string(rf.FailureReason), "refund_failed")
	}
	return v
}

func orDefault(s, d string) string {
	if s == "" {
		return d
	}
	return s
}

// SignatureHeader carries Stripe's webhook signature.
const SignatureHeader = "Stripe-Signature"

// ParseWebhook implements payment.Provider: Stripe's signature scheme
// (HMAC-SHA256 over "<t>.<body>"), the timestamp checked against now.
func (p *Provider) ParseWebhook(body []byte, h http.Header, now time.Time) (payment.WebhookEvent, error) {
	sig := h.Get(SignatureHeader)
	if err := webhook.ValidatePayloadIgnoringTolerance(body, sig, p.o.WebhookSecret); err != nil {
		return payment.WebhookEvent{}, payment.ErrWebhookSignature
	}
	var ts int64
	for _, part := range strings.Split(sig, ",") {
		if v, ok := strings.CutPrefix(strings.TrimSpace(part), "t="); ok {
			ts, _ = strconv.ParseInt(v, 10, 64)
		}
	}
	if age := now.Sub(time.Unix(ts, 0)); age > p.o.Tolerance || age < -p.o.Tolerance {
		return payment.WebhookEvent{}, payment.ErrWebhookStale
	}
	var ev stripe.Event
	if err := json.Unmarshal(body, &ev); err != nil || ev.ID == "" || ev.Data == nil {
		return payment.WebhookEvent{}, payment.ErrWebhookMalformed
	}
	out := payment.WebhookEvent{ID: ev.ID, Type: string(ev.Type), CreatedAt: time.Unix(ev.Created, 0).UTC()}
	switch {
	case strings.HasPrefix(string(ev.Type), "payment_intent."):
		var pi stripe.PaymentIntent
		if err := json.Unmarshal(ev.Data.Raw, &pi); err != nil {
			return payment.WebhookEvent{}, payment.ErrWebhookMalformed
		}
		v := view(&pi)
		out.Ref, out.IntentID, out.Payment = pi.ID, pi.Metadata[metaIntent], &v
	case strings.HasPrefix(string(ev.Type), "refund.") || ev.Type == "charge.refund.updated":
		var rf stripe.Refund
		if err := json.Unmarshal(ev.Data.Raw, &rf); err != nil {
			return payment.WebhookEvent{}, payment.ErrWebhookMalformed
		}
		out.IntentID = rf.Metadata[metaIntent]
		out.Refund = &payment.WebhookRefund{RefundID: rf.Metadata[metaRefund], ProviderRefund: refundView(&rf)}
	}
	return out, nil
}
