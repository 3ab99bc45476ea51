package identity

import (
	"context"
	"fmt"
	"net/url"
	"strings"
	"unicode"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// OrderMailKind is which mail an order event calls for.
type OrderMailKind string

const (
	OrderMailPaid     OrderMailKind = "paid"     // the confirmation (order.paid)
	OrderMailShipped  OrderMailKind = "shipped"  // the tracking number (order.shipped)
	OrderMailRefunded OrderMailKind = "refunded" // the money that went back (order.refunded)
)

// HandleOrderMail queues the mail an order event calls for to the address
// the order was placed with, member or guest. A redelivered event (same id)
// queues nothing more; an event without a usable address is dropped, as
// retrying would not give it one.
func (c *Core) HandleOrderMail(ctx context.Context, eventID string, kind OrderMailKind, e OrderMail) error {
	_, record, queued := c.orderMailRecord(ctx, eventID, kind, e)
	if record == nil {
		return nil
	}
	if err := c.store.InTx(ctx, func(tx Store) error { return record(ctx, tx) }); err != nil {
		return err
	}
	if *queued {
		c.committed()
	}
	return nil
}

// orderMailRecord returns what recording an order mail writes in a
// transaction, under the de-duplication id it marks (nil: nothing to
// send); *queued tells, once it has run, whether it queued the mail.
func (c *Core) orderMailRecord(ctx context.Context, eventID string, kind OrderMailKind, e OrderMail) (string, func(context.Context, Store) error, *bool) {
	to := NormalizeEmail(e.Email)
	if validEmail(to) != "" {
		c.log().WarnContext(ctx, "identity: order mail without a usable address; dropped", "order_id", e.OrderID, "kind", string(kind))
		return "", nil, nil
	}
	subject, body := c.orderMail(kind, e)
	if subject == "" {
		return "", nil, nil
	}
	// The purchase-history consumer records order.paid's id too: the
	// mail's record is its own.
	id := "mail:" + eventID
	queued := new(bool)
	return id, func(ctx context.Context, tx Store) error {
		first, err := tx.MarkProcessed(ctx, id, c.now())
		if err != nil || !first {
			return err
		}
		*queued = true
		return c.queueMail(ctx, tx, to, subject, body)
	}, queued
}

// orderMail writes one order mail.
func (c *Core) orderMail(kind OrderMailKind, e OrderMail) (subject, body string) {
	number := plain(e.Number, 40)
	if number == "" {
		number = plain(e.OrderID, 64)
	}
	link := c.opts.PublicURL + "/orders/" + url.PathEscape(e.OrderID)
	var b strings.Builder
	switch kind {
	case OrderMailPaid:
		subject = "Your order " + number + " is confirmed"
		fmt.Fprintf(&b, "Thank you for your order.\n\nOrder %s\n\n", number)
		for _, it := range e.Items {
			name := plain(it.Title, 120)
			if name == "" {
				name = plain(it.SKU, 64)
			}
			fmt.Fprintf(&b, "  %d × %s  %s\n", it.Quantity, name, display(it.Total))
		}
		fmt.Fprintf(&b, "\nTotal: %s\n", display(e.Total))
		if e.Status == "confirmed" {
			b.WriteString("You pay on delivery.\n")
		}
		b.WriteString("\nWe will mail you again when it ships. Your order: " + link + "\n")
	case OrderMailShipped:
		subject = "Your order " + number + " has shipped"
		fmt.Fprintf(&b, "Good news: order %s is on its way.\n\n", number)
		if t := e.Tracking; t != nil {
			fmt.Fprintf(&b, "Carrier: %s\nTracking number: %s\n", plain(t.Carrier, 64), plain(t.Number, 64))
			if u := plain(t.URL, 2048); strings.HasPrefix(u, "https://") || strings.HasPrefix(u, "http://") {
				b.WriteString("Track it: " + u + "\n")
			}
			b.WriteString("\n")
		}
		b.WriteString("Your order: " + link + "\n")
	case OrderMailRefunded:
		amount := e.Amount
		if amount.Valid() != nil || amount.Amount == 0 {
			amount = e.Refunded
		}
		subject = "We have refunded " + display(amount) + " for order " + number
		fmt.Fprintf(&b, "We have refunded %s for order %s to the way you paid.\n", display(amount), number)
		b.WriteString("Your bank may take a few working days to show it.\n\nYour order: " + link + "\n")
	default:
		return "", ""
	}
	return subject, b.String()
}

// display formats an amount for a shopper; a producer's bad amount shows
// as nothing rather than stopping the mail.
func display(m money.Money) string {
	if m.Valid() != nil {
		return ""
	}
	return m.Display()
}

// plain keeps a value from an event fit for a mail line or subject: no
// control characters (no header injection), at most max runes.
func plain(s string, max int) string {
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) {
			return ' '
		}
		return r
	}, strings.TrimSpace(s))
	if r := []rune(s); len(r) > max {
		s = string(r[:max])
	}
	return s
}

func (c *Core) consumeOrderMail(kind OrderMailKind) bus.Handler {
	return func(ctx context.Context, m *bus.Msg) error {
		ev, err := m.Event()
		if err != nil {
			return err
		}
		var e OrderMail
		if err := ev.Decode(&e); err != nil {
			return fmt.Errorf("order mail: %w", err)
		}
		id, record, queued := c.orderMailRecord(ctx, eventID(ev, m), kind, e)
		if record == nil {
			return nil
		}
		if err := c.recordConsumed(ctx, id, record); err != nil {
			return err
		}
		if *queued {
			c.committed()
		}
		return nil
	}
}
