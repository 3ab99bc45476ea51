package payment

import (
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Stream holds the payment service's events; the wiring ensures it and the
// outbox relay publishes to it.
var Stream = bus.StreamConfig{Name: "PAYMENT", Subjects: []string{"payment.>"}}

// Event subjects; each is also the event's Type. They are written to the
// outbox in the transaction that makes the change, so an event is published
// if and only if the change committed.
const (
	EventActionRequired = "payment.action_required" // the shopper must complete a challenge or page
	EventAuthorized     = "payment.authorized"      // money held
	EventCaptured       = "payment.captured"        // money taken
	EventFailed         = "payment.failed"          // nothing taken, for good
	EventCancelled      = "payment.cancelled"       // called off; any hold released
	EventRefunded       = "payment.refunded"        // a refund succeeded
	EventRefundFailed   = "payment.refund_failed"   // a refund failed at the provider
)

// IntentEvent is the data of every payment event: the intent as it stands
// after the change, so a consumer needs no call back. Consumers key their
// processing on OrderID and must tolerate duplicates (Seq orders an
// intent's events and makes them easy to de-duplicate).
type IntentEvent struct {
	IntentID       string      `json:"intent_id"`
	OrderID        string      `json:"order_id"`
	CustomerID     string      `json:"customer_id,omitempty"`
	Status         Status      `json:"status"`
	Seq            int         `json:"seq"`
	Amount         money.Money `json:"amount"`
	AmountCaptured money.Money `json:"amount_captured"`
	AmountRefunded money.Money `json:"amount_refunded"`
	Method         MethodType  `json:"method"`
	Provider       string      `json:"provider"`
	FailureCode    string      `json:"failure_code,omitempty"`
	Reason         string      `json:"reason,omitempty"`
	// Refund is set on refund events.
	Refund *Refund `json:"refund,omitempty"`
	// NextAction is set on payment.action_required.
	NextAction *NextAction `json:"next_action,omitempty"`
}

// Outgoing is an event a store writes to its outbox with the change.
type Outgoing = bus.SubjectEvent
