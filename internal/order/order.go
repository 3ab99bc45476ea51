// Package order takes orders: checkout with a durable intake, the order
// workers that turn an accepted request into a paid order, and the order's
// life after that (packing, shipping, delivery, cancellation, returns,
// exchanges and refunds) as an explicit state machine with a history.
//
// Checkout never waits for the order database or the payment provider. It
// prices the cart, reserves the stock, records the cart's promotions, writes
// the order request to JetStream (de-duplicated by the Idempotency-Key) and
// answers 202 with the order id. Order workers (any number, in any process
// running the order-worker role) consume the requests, create the orders,
// drive payment and finish them. Every step a worker takes is idempotent
// (keyed by the order id) and every change of an order is a compare-and-set
// of its version, so a request redelivered after a crash, or handled by two
// workers at once, changes the order once.
package order

import (
	"context"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Order is an order as its owner and staff see it.
type Order struct {
	ID         string `json:"id"`
	Number     string `json:"number" doc:"A short human-readable order number (BZ-…), for mails and the phone."`
	Status     Status `json:"status" enum:"pending,awaiting_payment,paid,confirmed,packed,shipped,delivered,cancelled,payment_failed,expired,return_requested,return_approved,returned,refunded"`
	CustomerID string `json:"customer_id,omitempty" doc:"The member who ordered; empty for a guest order."`
	Email      string `json:"email"`
	CartID     string `json:"cart_id"`
	Currency   string `json:"currency"`

	Lines           []Line        `json:"lines"`
	Totals          Totals        `json:"totals"`
	ShippingAddress cart.Address  `json:"shipping_address"`
	BillingAddress  *cart.Address `json:"billing_address,omitempty"`
	Payment         PaymentInfo   `json:"payment"`
	Tracking        *Tracking     `json:"tracking,omitempty"`
	Returns         []Return      `json:"returns"`

	// ExchangeOf is the order an exchange replaced; set on replacement orders.
	ExchangeOf string `json:"exchange_of,omitempty" doc:"Set on a replacement order: the order whose return it replaces."`

	CanCancel        bool       `json:"can_cancel" doc:"The shopper may cancel now."`
	CanReturn        bool       `json:"can_return" doc:"The shopper may request a return now."`
	ReturnWindowEnds *time.Time `json:"return_window_ends,omitempty"`

	History []Transition `json:"history" doc:"Every change of status, oldest first."`

	CreatedAt time.Time `json:"created_at" doc:"When checkout accepted the order."`
	UpdatedAt time.Time `json:"updated_at"`
	// PaymentDue is when an unpaid order expires and its stock is released.
	PaymentDue *time.Time `json:"payment_due,omitempty"`
	PaidAt     *time.Time `json:"paid_at,omitempty"`
	ShippedAt  *time.Time `json:"shipped_at,omitempty"`
	// DeliveredAt starts the return window.
	DeliveredAt *time.Time `json:"delivered_at,omitempty"`

	// What follows is the service's own bookkeeping, never sent to clients.

	TokenHash  string       `json:"-"` // SHA-256 of a guest order's access token
	Request    *Request     `json:"-"` // the accepted request, until the order is settled
	Promotions []string     `json:"-"` // promotions redeemed (for the record)
	Seq        int          `json:"-"` // transitions recorded
	Version    int          `json:"-"` // bumped by every update
	Refunds    []RefundNote `json:"-"` // refunds asked of payment, by key
}

// Line is one SKU of an order, priced as checkout charged it.
type Line struct {
	SKU       string      `json:"sku"`
	ProductID string      `json:"product_id,omitempty"`
	Slug      string      `json:"slug,omitempty"`
	Title     string      `json:"title,omitempty"`
	Image     string      `json:"image,omitempty"`
	Size      string      `json:"size,omitempty"`
	Color     string      `json:"color,omitempty"`
	Brand     string      `json:"brand,omitempty"`
	Quantity  int64       `json:"quantity"`
	UnitPrice money.Money `json:"unit_price" doc:"Tax included."`
	Subtotal  money.Money `json:"subtotal"`
	Discount  money.Money `json:"discount"`
	Total     money.Money `json:"total" doc:"Subtotal less discount; tax included."`
	Tax       money.Money `json:"tax" doc:"The GST contained in total."`
	// Returned counts units returned (or being returned) so far.
	Returned int64 `json:"returned,omitempty"`
}

// Totals is what the order costs. Total = Subtotal - Discount + Shipping;
// Tax is contained in it.
type Totals struct {
	Subtotal money.Money `json:"subtotal"`
	Discount money.Money `json:"discount"`
	Shipping money.Money `json:"shipping"`
	Tax      money.Money `json:"tax"`
	Total    money.Money `json:"total"`
	// Refunded is what went back to the shopper so far.
	Refunded money.Money `json:"refunded"`
}

// PaymentInfo is the order's payment as the shopper may see it.
type PaymentInfo struct {
	Method         payment.MethodType   `json:"method" enum:"card,upi,wallet,netbanking,cod"`
	IntentID       string               `json:"intent_id,omitempty"`
	Status         payment.Status       `json:"status,omitempty"`
	Card           *payment.CardDetails `json:"card,omitempty"`
	NextAction     *payment.NextAction  `json:"next_action,omitempty" doc:"Set while awaiting payment: where the shopper must go (3-D Secure, bank page) or what to do (approve the UPI request)."`
	FailureCode    string               `json:"failure_code,omitempty" doc:"Why the payment failed: card_declined, insufficient_funds, ..."`
	FailureMessage string               `json:"failure_message,omitempty"`
	Captured       money.Money          `json:"captured"`
	Refunded       money.Money          `json:"refunded"`
}

// Tracking is where a shipped order is.
type Tracking struct {
	Carrier string `json:"carrier"`
	Number  string `json:"number"`
	URL     string `json:"url,omitempty"`
}

// Transition is one entry of an order's history.
type Transition struct {
	Seq    int       `json:"seq"`
	From   Status    `json:"from,omitempty"`
	To     Status    `json:"to"`
	Reason string    `json:"reason" doc:"What caused it: checkout, payment, shopper, staff, expiry, ..."`
	Actor  string    `json:"actor,omitempty" doc:"Who caused it: a user id, \"worker\" or \"system\"."`
	Note   string    `json:"note,omitempty"`
	At     time.Time `json:"at"`
}

// Return is a shopper's request to send units back.
type Return struct {
	ID         string       `json:"id"`
	Status     ReturnStatus `json:"status" enum:"requested,approved,rejected,received,refunded,exchanged"`
	Lines      []ReturnLine `json:"lines"`
	Reason     string       `json:"reason"`
	Resolution Resolution   `json:"resolution" enum:"refund,exchange"`
	// ExchangeLines are what the replacement order ships (by default the
	// returned SKUs again).
	ExchangeLines      []ReturnLine `json:"exchange_lines,omitempty"`
	RefundAmount       money.Money  `json:"refund_amount" doc:"What the returned units are worth: refunded for a refund resolution."`
	ReplacementOrderID string       `json:"replacement_order_id,omitempty"`
	Note               string       `json:"note,omitempty" doc:"Staff's note, e.g. why a return was rejected."`
	CreatedAt          time.Time    `json:"created_at"`
	UpdatedAt          time.Time    `json:"updated_at"`
}

// ReturnLine is units of a SKU.
type ReturnLine struct {
	SKU      string `json:"sku" maxLength:"64"`
	Quantity int64  `json:"quantity" minimum:"1"`
}

// ReturnStatus is where a return is.
type ReturnStatus string

const (
	ReturnRequested ReturnStatus = "requested"
	ReturnApproved  ReturnStatus = "approved"
	ReturnRejected  ReturnStatus = "rejected"
	ReturnReceived  ReturnStatus = "received"
	ReturnRefunded  ReturnStatus = "refunded"
	ReturnExchanged ReturnStatus = "exchanged"
)

// Resolution is what the shopper wants for a return.
type Resolution string

const (
	ResolutionRefund   Resolution = "refund"
	ResolutionExchange Resolution = "exchange"
)

// RefundNote records a refund asked of the payment service, so that a
// retried refund reuses its key.
type RefundNote struct {
	Key      string `json:"key"`
	ReturnID string `json:"return_id,omitempty"`
	Amount   int64  `json:"amount"`
}

// Request is an accepted checkout as it travels on the bus to the order
// workers: everything needed to create the order without calling the cart
// again.
type Request struct {
	OrderID         string              `json:"order_id"`
	Number          string              `json:"number"`
	CustomerID      string              `json:"customer_id,omitempty"`
	Email           string              `json:"email"`
	CartID          string              `json:"cart_id"`
	Currency        string              `json:"currency"`
	Lines           []Line              `json:"lines"`
	Totals          Totals              `json:"totals"`
	ShippingAddress cart.Address        `json:"shipping_address"`
	BillingAddress  *cart.Address       `json:"billing_address,omitempty"`
	Payment         payment.MethodInput `json:"payment"`
	ReturnURL       string              `json:"return_url,omitempty"`
	Promotions      []string            `json:"promotions,omitempty"`
	TokenHash       string              `json:"token_hash,omitempty"`
	AcceptedAt      time.Time           `json:"accepted_at"`
	PaymentDue      time.Time           `json:"payment_due"`
	// ExchangeOf is set on a replacement order created by an exchange.
	ExchangeOf string `json:"exchange_of,omitempty"`
}

// CheckoutInput is a checkout as the shopper sends it.
type CheckoutInput struct {
	// IdempotencyKey is the request's Idempotency-Key header (required).
	IdempotencyKey string `json:"-"`
	// Scope says whose key it is (the caller); the HTTP server fills it.
	Scope string `json:"-"`
	// CartToken is a guest cart's X-Cart-Token.
	CartToken string `json:"-"`
	// Fingerprint is a hash of the request body; the same key with another
	// fingerprint is ErrKeyReused. The HTTP server fills it.
	Fingerprint string `json:"-"`

	CartID            string        `json:"cart_id" maxLength:"64"`
	QuoteHash         string        `json:"quote_hash,omitempty" maxLength:"128" doc:"The cart's quote_hash as the shopper last saw it: if anything checkout would charge changed since, checkout fails with quote_changed instead of charging another amount."`
	Email             string        `json:"email,omitempty" maxLength:"254" doc:"Where mail about the order goes. Required for a guest; a member's account email by default."`
	ShippingAddress   *cart.Address `json:"shipping_address,omitempty"`
	ShippingAddressID string        `json:"shipping_address_id,omitempty" maxLength:"64" doc:"A saved address of the signed-in member instead of shipping_address."`
	BillingAddress    *cart.Address `json:"billing_address,omitempty"`
	Payment           PaymentChoice `json:"payment"`
	ReturnURL         string        `json:"return_url,omitempty" maxLength:"2048" doc:"Where a 3-D Secure challenge or bank page sends the shopper back to; the order page by default."`
}

// PaymentChoice is how the shopper will pay.
type PaymentChoice struct {
	Method     payment.MethodType         `json:"method" enum:"card,upi,wallet,netbanking,cod"`
	Token      string                     `json:"token,omitempty" maxLength:"64" doc:"For card (and a saved UPI address): the token from POST /api/v1/payments/methods."`
	UPI        *payment.UPIDetails        `json:"upi,omitempty"`
	Wallet     *payment.WalletDetails     `json:"wallet,omitempty"`
	NetBanking *payment.NetBankingDetails `json:"netbanking,omitempty"`
}

// Accepted is checkout's answer.
type Accepted struct {
	OrderID   string `json:"order_id"`
	Number    string `json:"number"`
	Status    Status `json:"status" enum:"pending"`
	StatusURL string `json:"status_url"`
	EventsURL string `json:"events_url"`
	// OrderToken lets a guest read and follow the order.
	OrderToken string `json:"order_token,omitempty" doc:"Guest orders only: send it as X-Order-Token (or ?token= on the events URL) to read, follow, cancel or return the order."`
}

// HeaderOrderToken carries a guest order's token.
const HeaderOrderToken = "X-Order-Token"

// CancelInput cancels an order.
type CancelInput struct {
	Reason string `json:"reason,omitempty" maxLength:"200"`
}

// ReturnInput asks to return units of a delivered order.
type ReturnInput struct {
	Lines         []ReturnLine `json:"lines" minItems:"1" maxItems:"100"`
	Reason        string       `json:"reason" maxLength:"500"`
	Resolution    Resolution   `json:"resolution" enum:"refund,exchange"`
	ExchangeLines []ReturnLine `json:"exchange_lines,omitempty" maxItems:"100" doc:"For an exchange: what to send instead (another size, say); the returned SKUs by default."`
}

// ShipInput marks an order shipped.
type ShipInput struct {
	Carrier string `json:"carrier" maxLength:"64"`
	Number  string `json:"tracking_number" maxLength:"64"`
	URL     string `json:"tracking_url,omitempty" maxLength:"2048"`
}

// ReturnDecision approves or rejects a return.
type ReturnDecision struct {
	Approve bool   `json:"approve"`
	Note    string `json:"note,omitempty" maxLength:"500"`
}

// RefundInput refunds (part of) an order.
type RefundInput struct {
	// Amount to refund; zero refunds what is left.
	Amount money.Money `json:"amount,omitzero"`
	Reason string      `json:"reason,omitempty" maxLength:"200"`
	// Key makes the refund safe to retry; the HTTP server fills it from the
	// Idempotency-Key header when the body has none.
	Key string `json:"key,omitempty" maxLength:"255"`
}

// ListFilter filters a staff listing; customers see only their own orders.
type ListFilter struct {
	Status     Status    `json:"status,omitempty"`
	CustomerID string    `json:"customer_id,omitempty"`
	Email      string    `json:"email,omitempty"`
	Number     string    `json:"number,omitempty"`
	From       time.Time `json:"from,omitzero"`
	To         time.Time `json:"to,omitzero"`
	PageSize   int       `json:"page_size,omitempty"`
	PageToken  string    `json:"page_token,omitempty"`
}

// Page is one page of orders, newest first.
type Page struct {
	Items         []Order `json:"items"`
	NextPageToken string  `json:"next_page_token,omitempty"`
}

// Service is the order service, in-process (Core) or remote
// (orderhttp.Client).
//
// Who may do what: a customer (authn.RoleCustomer on the context) reads,
// follows, cancels and returns only their own orders; a guest only the
// order whose token they hold; another's order is "not found". Listing all
// orders, packing, shipping, delivering, deciding returns and refunding are
// for staff and admins. A context without a principal is a trusted
// in-process caller.
type Service interface {
	// Checkout accepts an order: see the package comment. The same
	// IdempotencyKey (in the same Scope) with the same input returns the
	// same Accepted; with another input ErrKeyReused; while the first is
	// still running ErrCheckoutInProgress.
	Checkout(ctx context.Context, in CheckoutInput) (Accepted, error)
	// Order returns an order with its history. token is a guest's order
	// token (empty for members and staff). An order accepted but not yet
	// created by a worker is returned as pending, from its request.
	Order(ctx context.Context, id, token string) (Order, error)
	// MyOrders lists the signed-in customer's orders, newest first.
	MyOrders(ctx context.Context, pageSize int, pageToken string) (Page, error)
	// Cancel cancels an order before it ships: an unpaid one has its
	// payment called off; a paid one is refunded in full. Stock goes back.
	Cancel(ctx context.Context, id, token string, in CancelInput) (Order, error)
	// RequestReturn asks to return units of a delivered order within the
	// return window.
	RequestReturn(ctx context.Context, id, token string, in ReturnInput) (Order, error)

	// Staff.
	Orders(ctx context.Context, f ListFilter) (Page, error)
	Pack(ctx context.Context, id string) (Order, error)
	Ship(ctx context.Context, id string, in ShipInput) (Order, error)
	Deliver(ctx context.Context, id string) (Order, error)
	// DecideReturn approves or rejects the order's open return. Approving an
	// exchange creates the replacement order.
	DecideReturn(ctx context.Context, id, returnID string, in ReturnDecision) (Order, error)
	// ReceiveReturn records the returned units as received (back in stock);
	// a refund resolution refunds them.
	ReceiveReturn(ctx context.Context, id, returnID string) (Order, error)
	// Refund refunds an order (goodwill, a partial refund).
	Refund(ctx context.Context, id string, in RefundInput) (Order, error)
}
