// Package payment takes money for orders: payment intents and their state
// machine, payment methods (card, UPI, wallet, net banking, cash on
// delivery), card tokenisation, providers behind one interface (a built-in
// sandbox, Stripe, Razorpay), webhooks, captures and refunds, a double-entry
// ledger and a reconciler that settles what a provider did while Bazaar was
// not looking.
//
// Every call that moves money is idempotent: intents by the caller's key,
// confirmations, captures and cancellations by the intent's state, refunds
// by the caller's key; provider calls carry idempotency keys derived from
// the intent, so a call retried after a timeout or a crash never charges
// twice. See docs in README.md beside this file.
package payment

import (
	"context"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment/card"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Status is where an intent is in its life.
//
//	requires_confirmation ─► processing ─► authorized ─► captured ─► partially_refunded ─► refunded
//	        │                  ▲   │            │                    └──────────────────────┘
//	        │                  │   ▼            ▼
//	        └──────────► requires_action     cancelled        (any open state ─► failed | cancelled)
type Status string

const (
	// StatusRequiresConfirmation: created, no provider has been asked yet.
	StatusRequiresConfirmation Status = "requires_confirmation"
	// StatusRequiresAction: the shopper must act (3-D Secure challenge, bank
	// or wallet page); NextAction says where.
	StatusRequiresAction Status = "requires_action"
	// StatusProcessing: the provider has been asked and has not answered for
	// good (a UPI collect request awaiting the shopper, a timeout). The
	// outcome arrives by webhook or from the reconciler, as an event.
	StatusProcessing Status = "processing"
	// StatusAuthorized: the money is held and may be captured.
	StatusAuthorized Status = "authorized"
	// StatusCaptured: the money is taken.
	StatusCaptured Status = "captured"
	// StatusPartiallyRefunded: some of the captured money went back.
	StatusPartiallyRefunded Status = "partially_refunded"
	// StatusRefunded: all of the captured money went back.
	StatusRefunded Status = "refunded"
	// StatusFailed: the provider refused (decline, insufficient funds, a
	// denied challenge) or the payment timed out. Nothing was taken.
	StatusFailed Status = "failed"
	// StatusCancelled: called off before capture; any hold was released.
	StatusCancelled Status = "cancelled"
)

// Open reports whether the provider's answer is still awaited.
func (s Status) Open() bool {
	return s == StatusRequiresConfirmation || s == StatusRequiresAction || s == StatusProcessing
}

// Final reports whether nothing more can happen to the intent but refunds.
func (s Status) Final() bool { return s == StatusFailed || s == StatusCancelled || s == StatusRefunded }

// Captured reports whether money was taken (and may be refunded).
func (s Status) Captured() bool {
	return s == StatusCaptured || s == StatusPartiallyRefunded || s == StatusRefunded
}

// MethodType is how the shopper pays.
type MethodType string

const (
	MethodCard       MethodType = "card"
	MethodUPI        MethodType = "upi"
	MethodWallet     MethodType = "wallet"
	MethodNetBanking MethodType = "netbanking"
	MethodCOD        MethodType = "cod"
)

// MethodTypes lists every method type.
var MethodTypes = []MethodType{MethodCard, MethodUPI, MethodWallet, MethodNetBanking, MethodCOD}

// CaptureMethod says when authorised money is taken.
type CaptureMethod string

const (
	// CaptureManual holds the money at confirmation; CaptureIntent takes it
	// (the order side captures once the stock is committed).
	CaptureManual CaptureMethod = "manual"
	// CaptureAutomatic takes the money as soon as it is authorised.
	CaptureAutomatic CaptureMethod = "automatic"
)

// Intent is one attempt to take an amount for an order.
type Intent struct {
	ID         string `json:"id"`
	OrderID    string `json:"order_id" doc:"The order this payment is for."`
	CustomerID string `json:"customer_id,omitempty" doc:"The paying account; empty for a guest."`
	Status     Status `json:"status" enum:"requires_confirmation,requires_action,processing,authorized,captured,partially_refunded,refunded,failed,cancelled"`

	Amount           money.Money `json:"amount" doc:"What the order asks for."`
	AmountCapturable money.Money `json:"amount_capturable" doc:"Authorised and not yet captured."`
	AmountCaptured   money.Money `json:"amount_captured"`
	AmountRefunded   money.Money `json:"amount_refunded" doc:"Refunds that succeeded."`

	CaptureMethod CaptureMethod `json:"capture_method" enum:"manual,automatic"`
	Method        MethodDetails `json:"method"`
	Provider      string        `json:"provider" doc:"The provider that handles the payment: sandbox, stripe, razorpay, cod."`
	ProviderRef   string        `json:"provider_ref,omitempty" doc:"The provider's id of the payment."`
	NextAction    *NextAction   `json:"next_action,omitempty" doc:"Set in requires_action: where to send the shopper."`
	ReturnURL     string        `json:"return_url,omitempty" doc:"Where the provider sends the shopper back after an action."`

	FailureCode    string `json:"failure_code,omitempty" doc:"Why the payment failed: card_declined, insufficient_funds, ..."`
	FailureMessage string `json:"failure_message,omitempty"`

	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`

	// Transitions is the intent's history, oldest first (GetIntent fills it).
	Transitions []IntentTransition `json:"transitions,omitempty"`

	// What follows is the service's own bookkeeping, never sent to clients.

	Key              string `json:"-"` // the creator's idempotency key
	Fingerprint      string `json:"-"` // what the key was first used for
	RefundPending    int64  `json:"-"` // refunds sent to the provider, not yet settled
	CaptureRequested int64  `json:"-"` // a capture sent to the provider, not yet settled
	NeedsCheck       bool   `json:"-"` // ended without the provider's word: the reconciler looks again
	Attempts         int    `json:"-"` // confirmations
	Seq              int    `json:"-"` // transitions recorded
	Version          int    `json:"-"` // bumped by every update
}

// Refundable is what may still be refunded.
func (it *Intent) Refundable() int64 {
	return it.AmountCaptured.Amount - it.AmountRefunded.Amount - it.RefundPending
}

// NextAction tells the client where the shopper must go.
type NextAction struct {
	Type string `json:"type" enum:"redirect,upi_collect" doc:"redirect: open URL (3-D Secure challenge, bank or wallet page); upi_collect: approve the request in the UPI app."`
	URL  string `json:"url,omitempty"`
	// Expires is when a UPI collect request lapses.
	Expires *time.Time `json:"expires,omitempty"`
}

// MethodDetails is what everybody may see of the way an intent is paid.
type MethodDetails struct {
	Type       MethodType         `json:"type" enum:"card,upi,wallet,netbanking,cod"`
	Token      string             `json:"token,omitempty" doc:"The payment method (card token or saved method) used."`
	Card       *CardDetails       `json:"card,omitempty"`
	UPI        *UPIDetails        `json:"upi,omitempty"`
	Wallet     *WalletDetails     `json:"wallet,omitempty"`
	NetBanking *NetBankingDetails `json:"netbanking,omitempty"`
}

// CardDetails is the visible part of a card.
type CardDetails struct {
	Brand    card.Brand `json:"brand" doc:"visa, mastercard, rupay, amex, discover, diners, jcb, maestro, unionpay"`
	Last4    string     `json:"last4"`
	ExpMonth int        `json:"exp_month"`
	ExpYear  int        `json:"exp_year"`
}

// UPIDetails names the virtual payment address paid from.
type UPIDetails struct {
	VPA string `json:"vpa" doc:"name@handle"`
}

// WalletDetails names the wallet.
type WalletDetails struct {
	Wallet string `json:"wallet" doc:"paytm, phonepe, amazonpay, mobikwik, freecharge, airtelmoney, jiomoney, olamoney"`
}

// NetBankingDetails names the bank.
type NetBankingDetails struct {
	Bank string `json:"bank" doc:"The bank's code: HDFC, ICIC, SBIN, UTIB, KKBK, ..."`
}

// IntentTransition is one entry of an intent's history: a change of
// status, or an event that kept the status (a refund, a reversal).
type IntentTransition struct {
	Seq    int       `json:"seq"`
	From   Status    `json:"from"`
	To     Status    `json:"to"`
	Reason string    `json:"reason" doc:"What caused it: confirm, provider, webhook, capture, refund, reconciler, ..."`
	Amount int64     `json:"amount,omitempty" doc:"The amount moved, in minor units, when money moved."`
	At     time.Time `json:"at"`
}

// RefundStatus is where a refund is.
type RefundStatus string

const (
	RefundPending   RefundStatus = "pending"
	RefundSucceeded RefundStatus = "succeeded"
	RefundFailed    RefundStatus = "failed"
)

// Refund returns some or all of an intent's captured money.
type Refund struct {
	ID          string       `json:"id"`
	IntentID    string       `json:"intent_id"`
	Amount      money.Money  `json:"amount"`
	Status      RefundStatus `json:"status" enum:"pending,succeeded,failed"`
	Reason      string       `json:"reason,omitempty"`
	ProviderRef string       `json:"provider_ref,omitempty"`
	FailureCode string       `json:"failure_code,omitempty"`
	CreatedAt   time.Time    `json:"created_at"`
	UpdatedAt   time.Time    `json:"updated_at"`

	Key string `json:"-"` // the caller's idempotency key
}

// Method is a payment method: a tokenised card (the token is its ID) or a
// UPI address, saved for a customer or for one payment only.
type Method struct {
	ID         string       `json:"id" doc:"The token: pass it as method.token to pay with this method."`
	CustomerID string       `json:"customer_id,omitempty"`
	Type       MethodType   `json:"type" enum:"card,upi"`
	Saved      bool         `json:"saved" doc:"Listed among the customer's saved methods."`
	Card       *CardDetails `json:"card,omitempty"`
	UPI        *UPIDetails  `json:"upi,omitempty"`
	CreatedAt  time.Time    `json:"created_at"`
	// ExpiresAt is when an unsaved method stops being usable for new payments.
	ExpiresAt *time.Time `json:"expires_at,omitempty"`
}

// Service is the payment service, in-process (Core) or remote
// (paymenthttp.Client).
//
// Who may do what: a customer (authn.RoleCustomer on the context) sees and
// confirms only their own intents and methods; another customer's are "not
// found". Creating, capturing, cancelling and refunding intents, and the
// ledger and reconciler, are for staff, admins and Bazaar services (the
// order worker). A context without a principal is a trusted in-process
// caller.
type Service interface {
	// CreateIntent creates an intent, or returns the one created before
	// with the same IdempotencyKey (and customer) if the input is the same;
	// another input with that key fails with ErrKeyReused. With Confirm it
	// also confirms, as ConfirmIntent does.
	CreateIntent(ctx context.Context, in CreateIntentInput) (Intent, error)
	// GetIntent returns an intent with its transitions.
	GetIntent(ctx context.Context, id string) (Intent, error)
	// ListIntents lists intents, newest first.
	ListIntents(ctx context.Context, f ListIntentsInput) (IntentPage, error)
	// ConfirmIntent asks the provider to authorise (and, with automatic
	// capture, capture). It returns the intent in its new state: authorized
	// or captured, failed (a decline is not an error), requires_action
	// (NextAction says where the shopper must go), or processing when the
	// provider has not answered for good (a UPI collect, a timeout): the
	// outcome then arrives as an event, and calling ConfirmIntent again asks
	// the provider again with the same idempotency key. Confirming an intent
	// past confirmation returns it unchanged.
	ConfirmIntent(ctx context.Context, id string, in ConfirmIntentInput) (Intent, error)
	// CaptureIntent takes authorised money: all of it, or in.Amount (the
	// rest of the hold is released). Capturing a captured intent again
	// returns it unchanged. A provider timeout fails with ErrProviderTimeout;
	// retrying is safe.
	CaptureIntent(ctx context.Context, id string, in CaptureIntentInput) (Intent, error)
	// CancelIntent calls a payment off before capture. Cancelling a
	// cancelled or failed intent returns it unchanged; a captured one fails
	// with ErrIllegalTransition (refund it).
	CancelIntent(ctx context.Context, id string, in CancelIntentInput) (Intent, error)
	// RefundIntent returns captured money, idempotent by in.IdempotencyKey.
	// The refund may come back pending (the provider has not answered); its
	// outcome then arrives as a payment.refunded or payment.refund_failed
	// event. Refunds never exceed what was captured: ErrRefundExceedsCaptured.
	RefundIntent(ctx context.Context, id string, in RefundIntentInput) (Refund, error)
	// ListRefunds lists an intent's refunds, oldest first.
	ListRefunds(ctx context.Context, intentID string) ([]Refund, error)

	// CreateMethod tokenises a card (or records a UPI address), for one
	// payment or, with Save, among the customer's saved methods. A card
	// already saved by the customer returns the saved method.
	CreateMethod(ctx context.Context, in CreateMethodInput) (Method, error)
	// GetMethod returns a method; only its owner (or staff) may see it.
	GetMethod(ctx context.Context, id string) (Method, error)
	// ListMethods lists a customer's saved methods (the caller's own for a
	// customer).
	ListMethods(ctx context.Context, customerID string) ([]Method, error)
	// DeleteMethod removes a saved method and destroys its card data.
	DeleteMethod(ctx context.Context, id string) error

	// Ledger checks the double-entry ledger: every entry balances and the
	// ledger agrees with the intents' captured and refunded amounts.
	Ledger(ctx context.Context) (LedgerReport, error)
	// Reconcile compares open and unsettled intents with their providers
	// now and settles the differences (it also runs in the background).
	Reconcile(ctx context.Context) (ReconcileReport, error)
}

// CreateIntentInput asks for an intent.
type CreateIntentInput struct {
	IdempotencyKey string      `json:"idempotency_key" maxLength:"255" doc:"Makes the call safe to retry: the same key and input return the same intent. The order worker uses the order id (plus an attempt number when a shopper retries with another method)."`
	OrderID        string      `json:"order_id" maxLength:"64"`
	CustomerID     string      `json:"customer_id,omitempty" maxLength:"64" doc:"The paying account; empty for a guest."`
	Amount         money.Money `json:"amount"`
	Method         MethodInput `json:"method"`
	// Provider picks a provider by name; empty routes by method.
	Provider      string        `json:"provider,omitempty" maxLength:"32"`
	CaptureMethod CaptureMethod `json:"capture_method,omitempty" doc:"manual (the default): confirm authorises, CaptureIntent takes the money."`
	Confirm       bool          `json:"confirm,omitempty" doc:"Confirm at once."`
	ReturnURL     string        `json:"return_url,omitempty" maxLength:"2048" doc:"Where to send the shopper after a challenge or a bank page."`
	Settling
}

// Settling is part of the input of every call that moves an intent
// (create, confirm, capture, cancel). CallerSettles: the caller settles
// its order from this call's answer itself, so the change's event goes to
// the subject ending in AnsweredSuffix, which the order worker does not
// consume. Honoured for the shop's own callers only.
type Settling struct {
	CallerSettles bool `json:"caller_settles,omitempty" doc:"The caller settles its order from the answer itself: the change's event is published as payment.<event>.answered, not delivered to the order worker. Honoured for staff and services only."`
}

// MethodInput says how an intent is paid. Cards are paid by token only: the
// card number goes to CreateMethod, straight from the shopper's browser to
// the payment service, and nowhere else.
type MethodInput struct {
	Type       MethodType         `json:"type" doc:"card, upi, wallet, netbanking or cod"`
	Token      string             `json:"token,omitempty" maxLength:"64" doc:"A card token or saved method (type card or upi)."`
	UPI        *UPIDetails        `json:"upi,omitempty"`
	Wallet     *WalletDetails     `json:"wallet,omitempty"`
	NetBanking *NetBankingDetails `json:"netbanking,omitempty"`
}

// ListIntentsInput filters a listing. Customers see only their own.
type ListIntentsInput struct {
	CustomerID string `json:"customer_id,omitempty"`
	OrderID    string `json:"order_id,omitempty"`
	Status     Status `json:"status,omitempty"`
	PageSize   int    `json:"page_size,omitempty"`
	PageToken  string `json:"page_token,omitempty"`
}

// IntentPage is one page of a listing.
type IntentPage struct {
	Items         []Intent `json:"items"`
	NextPageToken string   `json:"next_page_token,omitempty"`
}

// ConfirmIntentInput confirms an intent.
type ConfirmIntentInput struct {
	ReturnURL string `json:"return_url,omitempty" maxLength:"2048"`
	Settling
}

// CaptureIntentInput captures an intent.
type CaptureIntentInput struct {
	// Amount to take; zero takes everything authorised.
	Amount money.Money `json:"amount,omitzero"`
	Settling
}

// CancelIntentInput cancels an intent.
type CancelIntentInput struct {
	Reason string `json:"reason,omitempty" maxLength:"200"`
	Settling
}

// RefundIntentInput refunds an intent.
type RefundIntentInput struct {
	IdempotencyKey string `json:"idempotency_key" maxLength:"255" doc:"The same key returns the same refund."`
	// Amount to return; zero returns everything still refundable.
	Amount money.Money `json:"amount,omitzero"`
	Reason string      `json:"reason,omitempty" maxLength:"200"`
}

// CreateMethodInput tokenises a card or records a UPI address.
type CreateMethodInput struct {
	CustomerID string      `json:"customer_id,omitempty" maxLength:"64" doc:"The owner; a signed-in customer owns what they create."`
	Type       MethodType  `json:"type" doc:"card or upi"`
	Card       *CardInput  `json:"card,omitempty"`
	UPI        *UPIDetails `json:"upi,omitempty"`
	Save       bool        `json:"save,omitempty" doc:"Keep it among the customer's saved methods."`
}

// CardInput is a card as the shopper typed it. It reaches only the payment
// service; the CVC is checked, handed to a provider that verifies cards at
// tokenisation, and forgotten.
type CardInput struct {
	Number   card.PAN `json:"number" maxLength:"32"`
	ExpMonth int      `json:"exp_month" doc:"1 to 12"`
	ExpYear  int      `json:"exp_year" doc:"Four digits (two are read as 20xx)."`
	CVC      card.CVC `json:"cvc,omitempty" maxLength:"4"`
	Name     string   `json:"name,omitempty" maxLength:"100"`
}
