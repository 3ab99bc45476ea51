package payment

import (
	"fmt"
	"slices"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
)

// next lists the statuses each status may move to. Refund statuses may
// repeat (a second partial refund); nothing else moves to itself.
var next = map[Status][]Status{
	StatusRequiresConfirmation: {StatusProcessing, StatusRequiresAction, StatusAuthorized, StatusFailed, StatusCancelled},
	StatusProcessing:           {StatusRequiresAction, StatusAuthorized, StatusFailed, StatusCancelled},
	StatusRequiresAction:       {StatusProcessing, StatusAuthorized, StatusFailed, StatusCancelled},
	StatusAuthorized:           {StatusCaptured, StatusCancelled},
	StatusCaptured:             {StatusPartiallyRefunded, StatusRefunded},
	StatusPartiallyRefunded:    {StatusPartiallyRefunded, StatusRefunded},
}

// CanMove reports whether an intent may go from one status to another.
func CanMove(from, to Status) bool { return slices.Contains(next[from], to) }

// eventOf is the event a status change publishes; refund statuses publish
// refund events instead, from the refund code.
var eventOf = map[Status]string{
	StatusRequiresAction: EventActionRequired,
	StatusAuthorized:     EventAuthorized,
	StatusCaptured:       EventCaptured,
	StatusFailed:         EventFailed,
	StatusCancelled:      EventCancelled,
}

// move changes the intent's status, records the transition in m and adds
// the status's event.
func (c *Core) move(it *Intent, m *Mutation, to Status, reason string, amount int64) error {
	if !CanMove(it.Status, to) {
		return ErrIllegalTransition.With(fmt.Sprintf("a payment cannot go from %s to %s", it.Status, to))
	}
	from := it.Status
	it.Status = to
	c.record(it, m, from, reason, amount)
	if subject, ok := eventOf[to]; ok {
		return c.emit(it, m, subject, reason, nil)
	}
	return nil
}

// record adds a history entry from -> it.Status.
func (c *Core) record(it *Intent, m *Mutation, from Status, reason string, amount int64) {
	now := c.now()
	it.UpdatedAt = now
	it.Seq++
	m.Transitions = append(m.Transitions, IntentTransition{Seq: it.Seq, From: from, To: it.Status, Reason: reason, Amount: amount, At: now})
}

// emit adds an event about the intent as it now stands.
func (c *Core) emit(it *Intent, m *Mutation, subject, reason string, r *Refund) error {
	data := IntentEvent{
		IntentID: it.ID, OrderID: it.OrderID, CustomerID: it.CustomerID, Status: it.Status,
		Seq: it.Seq, Amount: it.Amount, AmountCaptured: it.AmountCaptured,
		AmountRefunded: it.AmountRefunded, Method: it.Method.Type, Provider: it.Provider,
		FailureCode: it.FailureCode, Reason: reason, Refund: r,
	}
	if subject == EventActionRequired {
		data.NextAction = it.NextAction
	}
	ev, err := bus.NewEvent(subject, data)
	if err != nil {
		return err
	}
	ev.Time = c.now()
	m.Events = append(m.Events, Outgoing{Subject: subject, Event: ev})
	return nil
}
