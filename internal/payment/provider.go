package payment

import (
	"context"
	"net/http"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment/card"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Provider is a payment network Bazaar talks to. Every call that changes
// money carries an idempotency key that stays the same when Core retries,
// and a provider must make a repeat of a call with the same key return the
// first call's result, whatever it knows natively: a timeout is always
// followed by a retry with the same key.
//
// A shopper's refusal (a decline, insufficient funds, a denied challenge)
// is not an error: it is a ProviderPayment with StatusFailed and a
// FailureCode. Errors mean the provider's answer is not known
// (ErrProviderTimeout, ErrProviderUnavailable) or the request was wrong
// (ErrProviderRejected).
type Provider interface {
	// Name is the provider's short name: "sandbox", "stripe", "razorpay".
	Name() string
	// Supports reports whether the provider takes method in currency.
	Supports(method MethodType, currency string) bool

	Authorize(ctx context.Context, r AuthorizeRequest) (ProviderPayment, error)
	Capture(ctx context.Context, r CaptureRequest) (ProviderPayment, error)
	Cancel(ctx context.Context, r CancelRequest) (ProviderPayment, error)
	Refund(ctx context.Context, r RefundRequest) (ProviderRefund, error)
	// Lookup returns what the provider knows of a payment: by its Ref, or,
	// without one (the authorisation timed out before the answer), by the
	// intent id it was sent with. ErrProviderNotFound when it knows nothing.
	Lookup(ctx context.Context, r LookupRequest) (ProviderPayment, error)

	// ParseWebhook verifies a webhook delivery (its HMAC signature and,
	// where the scheme has one, its timestamp against now) and decodes it.
	// It returns ErrWebhookSignature, ErrWebhookStale or
	// ErrWebhookMalformed; Core handles de-duplication by event id.
	ParseWebhook(payload []byte, h http.Header, now time.Time) (WebhookEvent, error)
}

// CardTokenizer is a Provider that verifies a card (with its CVC) when it
// is tokenised and keeps its own token for it, so later charges need
// neither the number nor the CVC (Stripe's PaymentMethods).
type CardTokenizer interface {
	TokenizeCard(ctx context.Context, c CardData) (providerToken string, err error)
}

// WebhookSource is a Provider that delivers its webhooks in-process (the
// sandbox). NewCore hands it the function that receives them; the payload
// and headers are verified exactly like a delivery over HTTP.
type WebhookSource interface {
	SetWebhookSink(sink func(ctx context.Context, payload []byte, h http.Header) error)
}

// PageProvider is a Provider that serves pages of its own to shoppers (the
// sandbox's 3-D Secure and bank pages). paymenthttp mounts them.
type PageProvider interface {
	Pages() map[string]http.Handler // ServeMux pattern -> handler
}

// CardData is a card as a provider sees it. Number is the PAN, unsealed
// only for the call; CVC is present only in the request that carried it.
type CardData struct {
	Number        card.PAN
	ExpMonth      int
	ExpYear       int
	CVC           card.CVC
	Brand         card.Brand
	Name          string
	ProviderToken string // from CardTokenizer, if this provider tokenised the card
}

// AuthorizeRequest asks a provider to hold (or, with CaptureNow, take) money.
type AuthorizeRequest struct {
	Key        string // idempotency key
	IntentID   string
	OrderID    string
	CustomerID string
	Amount     money.Money
	Method     MethodType
	Card       *CardData
	VPA        string
	Wallet     string
	Bank       string
	CaptureNow bool
	ReturnURL  string
}

// CaptureRequest takes held money.
type CaptureRequest struct {
	Key      string
	IntentID string
	Ref      string
	Amount   money.Money
}

// CancelRequest releases a hold or calls off a payment not yet held.
type CancelRequest struct {
	Key      string
	IntentID string
	Ref      string // may be empty: the provider finds the payment by IntentID
}

// RefundRequest returns captured money.
type RefundRequest struct {
	Key      string // our refund id
	IntentID string
	Ref      string
	Amount   money.Money
	Reason   string
}

// LookupRequest names a payment.
type LookupRequest struct {
	IntentID string
	Ref      string
}

// ProviderPayment is a payment as the provider sees it. Status uses the
// intent statuses: requires_action, processing, authorized, captured,
// failed or cancelled (refunds show in AmountRefunded).
type ProviderPayment struct {
	Ref              string
	Status           Status
	AmountCapturable int64
	AmountCaptured   int64
	AmountRefunded   int64
	Action           *NextAction
	FailureCode      string
	FailureMessage   string
}

// ProviderRefund is a refund as the provider sees it.
type ProviderRefund struct {
	Ref         string
	Status      RefundStatus
	FailureCode string
}

// WebhookEvent is a verified webhook, decoded.
type WebhookEvent struct {
	ID        string // the provider's event id: de-duplicates deliveries
	Type      string // the provider's event type, for the record
	IntentID  string // our intent id, as sent to the provider (metadata, receipt)
	Ref       string // the provider's payment id
	CreatedAt time.Time
	Payment   *ProviderPayment // the payment's new state, if the event carries one
	Refund    *WebhookRefund   // a refund's new state, if the event is about one
}

// WebhookRefund is a refund in a webhook.
type WebhookRefund struct {
	RefundID string // our refund id, as sent to the provider
	ProviderRefund
}
