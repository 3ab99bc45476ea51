package order

import (
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Stream holds the order requests (written by checkout) and the order
// service's events (written through the outbox).
var Stream = bus.StreamConfig{Name: "ORDERS", Subjects: []string{"order.>"}}

// SubjectRequested carries accepted checkouts to the order workers. Its
// messages are Requests, de-duplicated by order id.
const SubjectRequested = "order.requested"

// Event subjects; each is also the event's Type. The outbox writes them in
// the transaction that makes the change.
const (
	EventCreated = "order.created" // a worker created the order from its request
	// EventAwaitingPayment: the shopper must act (a 3-D Secure page, a UPI
	// request); not sent when the payment settles in the same step.
	EventAwaitingPayment = "order.awaiting_payment"
	EventPaid            = "order.paid"      // paid (or confirmed, for cash on delivery): mail a confirmation
	EventCancelled       = "order.cancelled" // cancelled, failed or expired
	EventShipped         = "order.shipped"   // mail the tracking number
	EventDelivered       = "order.delivered"
	EventReturn          = "order.return_updated" // a return was requested or decided
	EventRefunded        = "order.refunded"       // money went back: mail it
	EventStatus          = "order.status"         // every change of status (for SSE fan-out and analytics)
)

// Event is the data of every order event: the order as it stands, in brief.
// Consumers must tolerate duplicates (Seq orders an order's events).
type Event struct {
	OrderID    string      `json:"order_id"`
	Number     string      `json:"number"`
	CustomerID string      `json:"customer_id,omitempty"`
	Email      string      `json:"email"`
	Status     Status      `json:"status"`
	From       Status      `json:"from,omitempty"`
	Seq        int         `json:"seq"`
	Total      money.Money `json:"total"`
	Items      []EventItem `json:"items"`
	Tracking   *Tracking   `json:"tracking,omitempty"`
	Refunded   money.Money `json:"refunded,omitzero"`
	// Amount is what this event refunded, on order.refunded.
	Amount money.Money `json:"amount,omitzero"`
	At     time.Time   `json:"at"`
}

// EventItem is a line in brief.
type EventItem struct {
	SKU       string      `json:"sku"`
	ProductID string      `json:"product_id,omitempty"`
	Title     string      `json:"title,omitempty"`
	Quantity  int64       `json:"quantity"`
	Total     money.Money `json:"total"`
}

// Outgoing is an event a store writes to its outbox with the change.
type Outgoing = bus.SubjectEvent
