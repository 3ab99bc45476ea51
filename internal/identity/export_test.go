package identity

import "context"

// ConsumedForTest is an event for RecordBatchForTest: a paid order, an
// add-to-cart, or (Fail) one whose recording fails.
type ConsumedForTest struct {
	ID   string
	Paid *OrderPaid
	Cart *CartItemAdded
	Mail *OrderMail // an order.paid for the confirmation mail's consumer
	Fail error
}

// RecordBatchForTest records evs as the consumers do, in one batch, and
// returns each event's outcome.
func (c *Core) RecordBatchForTest(ctx context.Context, evs []ConsumedForTest) []error {
	batch := make([]*consumedEvent, len(evs))
	for i, e := range evs {
		if e.Mail != nil {
			id, record, _ := c.orderMailRecord(ctx, e.ID, OrderMailPaid, *e.Mail)
			batch[i] = &consumedEvent{id: id, record: record}
			continue
		}
		batch[i] = &consumedEvent{id: e.ID, record: func(ctx context.Context, tx Store) error {
			switch {
			case e.Fail != nil:
				return e.Fail
			case e.Paid != nil:
				return c.recordPaid(ctx, tx, e.ID, *e.Paid)
			default:
				return c.recordCartAdd(ctx, tx, e.ID, *e.Cart)
			}
		}}
	}
	c.recordBatch(ctx, batch)
	out := make([]error, len(batch))
	for i, ev := range batch {
		out[i] = ev.err
	}
	return out
}

// HandleOrderMailForTest records the confirmation mail of e alone, as the
// consumer does outside a batch.
func (c *Core) HandleOrderMailForTest(ctx context.Context, eventID string, e OrderMail) error {
	_, record, _ := c.orderMailRecord(ctx, eventID, OrderMailPaid, e)
	return c.store.InTx(ctx, func(tx Store) error { return record(ctx, tx) })
}
