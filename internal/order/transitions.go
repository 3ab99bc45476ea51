package order

import (
	"context"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
)

// eventOf is the event a status change publishes.
var eventOf = map[Status]string{
	StatusAwaitingPayment: EventAwaitingPayment,
	StatusPaid:            EventPaid,
	StatusConfirmed:       EventPaid,
	StatusCancelled:       EventCancelled,
	StatusPaymentFailed:   EventCancelled,
	StatusExpired:         EventCancelled,
	StatusShipped:         EventShipped,
	StatusDelivered:       EventDelivered,
	StatusReturnRequested: EventReturn,
	StatusReturnApproved:  EventReturn,
	StatusReturned:        EventReturn,
	StatusRefunded:        EventRefunded,
}

// move changes o's status, records the transition in m and adds the
// status's event.
func (c *Core) move(o *Order, m *Mutation, to Status, reason, actor, note string) error {
	if !CanMove(o.Status, to) {
		return illegal(o.Status, to)
	}
	from := o.Status
	o.Status = to
	c.record(o, m, from, reason, actor, note)
	if subject, ok := eventOf[to]; ok {
		return c.emit(o, m, subject, from)
	}
	return nil
}

// record adds a history entry from -> o.Status.
func (c *Core) record(o *Order, m *Mutation, from Status, reason, actor, note string) {
	now := c.now()
	o.UpdatedAt = now
	o.Seq++
	m.Transitions = append(m.Transitions, Transition{Seq: o.Seq, From: from, To: o.Status, Reason: reason, Actor: actor, Note: note, At: now})
}

// emit adds an event about o as it now stands.
func (c *Core) emit(o *Order, m *Mutation, subject string, from Status) error {
	ev, err := bus.NewEvent(subject, eventData(o, from, c))
	if err != nil {
		return err
	}
	m.Events = append(m.Events, Outgoing{Subject: subject, Event: ev})
	return nil
}

func eventData(o *Order, from Status, c *Core) Event {
	e := Event{
		OrderID: o.ID, Number: o.Number, CustomerID: o.CustomerID, Email: o.Email, Status: o.Status,
		From: from, Seq: o.Seq, Total: o.Totals.Total, Tracking: o.Tracking, Refunded: o.Totals.Refunded, At: c.now(),
	}
	for _, l := range o.Lines {
		e.Items = append(e.Items, EventItem{SKU: l.SKU, ProductID: l.ProductID, Title: l.Title, Quantity: l.Quantity, Total: l.Total})
	}
	return e
}

// update runs fn on order id under the store's lock and wakes the order's
// watchers when something was written.
func (c *Core) update(ctx context.Context, id string, fn func(o *Order, m *Mutation) error) (Order, error) {
	return c.write(id, fn, func(fn func(o *Order, m *Mutation) error) (Order, error) {
		return c.store.Update(ctx, id, fn)
	})
}

// updateFrom is update from known, the order as this call last read or
// wrote it: no read when nothing changed it since (Store.UpdateFrom). fn
// must not change what known shares (its slices' elements).
func (c *Core) updateFrom(ctx context.Context, known Order, fn func(o *Order, m *Mutation) error) (Order, error) {
	return c.write(known.ID, fn, func(fn func(o *Order, m *Mutation) error) (Order, error) {
		return c.store.UpdateFrom(ctx, known, fn)
	})
}

// write runs fn through store (Update or UpdateFrom) and, if fn's last
// run wrote, tells the outbox and the order's watchers.
func (c *Core) write(id string, fn func(o *Order, m *Mutation) error, store func(func(o *Order, m *Mutation) error) (Order, error)) (Order, error) {
	wrote := false
	var moved []Transition
	o, err := store(func(o *Order, m *Mutation) error {
		wrote, moved = false, nil // fn may run twice
		if err := fn(o, m); err != nil {
			return err
		}
		wrote, moved = true, m.Transitions
		return nil
	})
	if err == nil && wrote {
		if o.Status.Settled() {
			c.pastPayment.add(id) // drive needs no read to learn it
		}
		c.committed(id, moved)
	}
	return o, err
}

// committed tells the outbox, the order's watchers and the metrics about a
// write that moved order id through moved.
func (c *Core) committed(id string, moved []Transition) {
	c.opts.OnCommit()
	c.changed(id)
	for _, t := range moved {
		c.opts.OnTransition(t.To)
	}
}
