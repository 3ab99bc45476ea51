package order

import (
	"fmt"
	"slices"
)

// Status is where an order is in its life.
//
//	pending ─► awaiting_payment ─► paid ──────┬─► packed ─► shipped ─► delivered ─► return_requested ─► return_approved ─► returned ─► refunded
//	   │              │   │  └─► confirmed (COD)┘                                        │  (rejected: back to delivered)
//	   │              │   └─► payment_failed
//	   └──────────────┴─► expired, cancelled (paid, confirmed and packed may be cancelled too)
type Status string

const (
	// StatusPending: checkout accepted the order; a worker has yet to take it.
	StatusPending Status = "pending"
	// StatusAwaitingPayment: the payment is with the provider or the shopper
	// (a 3-D Secure challenge, a UPI collect request).
	StatusAwaitingPayment Status = "awaiting_payment"
	// StatusPaid: the money is captured and the stock is sold.
	StatusPaid Status = "paid"
	// StatusConfirmed: a cash-on-delivery order is accepted; the money is
	// collected at delivery.
	StatusConfirmed       Status = "confirmed"
	StatusPacked          Status = "packed"
	StatusShipped         Status = "shipped"
	StatusDelivered       Status = "delivered"
	StatusCancelled       Status = "cancelled"
	StatusPaymentFailed   Status = "payment_failed"
	StatusExpired         Status = "expired"
	StatusReturnRequested Status = "return_requested"
	StatusReturnApproved  Status = "return_approved"
	StatusReturned        Status = "returned"
	StatusRefunded        Status = "refunded"
)

// Statuses lists every status.
var Statuses = []Status{
	StatusPending, StatusAwaitingPayment, StatusPaid, StatusConfirmed, StatusPacked, StatusShipped,
	StatusDelivered, StatusCancelled, StatusPaymentFailed, StatusExpired, StatusReturnRequested,
	StatusReturnApproved, StatusReturned, StatusRefunded,
}

// next lists the statuses each status may move to.
var next = map[Status][]Status{
	StatusPending:         {StatusAwaitingPayment, StatusPaymentFailed, StatusCancelled, StatusExpired},
	StatusAwaitingPayment: {StatusPaid, StatusConfirmed, StatusPaymentFailed, StatusCancelled, StatusExpired},
	StatusPaid:            {StatusPacked, StatusCancelled, StatusRefunded},
	StatusConfirmed:       {StatusPacked, StatusCancelled},
	StatusPacked:          {StatusShipped, StatusCancelled},
	StatusShipped:         {StatusDelivered},
	StatusDelivered:       {StatusReturnRequested, StatusRefunded},
	StatusReturnRequested: {StatusReturnApproved, StatusDelivered},
	StatusReturnApproved:  {StatusReturned},
	StatusReturned:        {StatusRefunded, StatusReturnRequested},
	StatusRefunded:        {StatusReturnRequested},
}

// CanMove reports whether an order may go from one status to another.
func CanMove(from, to Status) bool { return slices.Contains(next[from], to) }

// Settled reports whether checkout's work on the order is over: the order
// was paid (or confirmed) or it failed, expired or was cancelled. Every
// accepted checkout reaches a settled status.
func (s Status) Settled() bool { return s != StatusPending && s != StatusAwaitingPayment }

// Unpaid reports whether the order has failed for good without taking money.
func (s Status) Unpaid() bool {
	return s == StatusPaymentFailed || s == StatusExpired
}

// Fulfilled reports whether the order reached (or passed) the shopper.
func (s Status) Fulfilled() bool {
	switch s {
	case StatusDelivered, StatusReturnRequested, StatusReturnApproved, StatusReturned:
		return true
	}
	return false
}

// cancellable: the shopper may cancel before the order ships.
func (s Status) cancellable() bool {
	switch s {
	case StatusPending, StatusAwaitingPayment, StatusPaid, StatusConfirmed, StatusPacked:
		return true
	}
	return false
}

// illegal is the 409 for a move the machine does not allow.
func illegal(from, to Status) error {
	return ErrIllegalTransition.With(fmt.Sprintf("an order cannot go from %s to %s", from, to))
}
