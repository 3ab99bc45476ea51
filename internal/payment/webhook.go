package payment

import (
	"context"
	"errors"
	"net/http"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// WebhookReceiver takes verified-or-refused webhook deliveries; Core is one.
// paymenthttp serves it at POST /api/v1/payments/webhooks/{provider}.
type WebhookReceiver interface {
	HandleWebhook(ctx context.Context, provider string, payload []byte, h http.Header) error
}

var _ WebhookReceiver = (*Core)(nil)

// HandleWebhook verifies a provider's webhook and applies it. A delivery
// whose event id was processed before is acknowledged and ignored (replay
// protection beyond the provider's timestamp window, and idempotence for
// providers that deliver twice); the event's record and its effect commit
// together, so a crash in between makes the provider's redelivery apply it.
// A nil error means "acknowledge"; an error makes the provider retry, except
// for a bad signature or a stale timestamp, which it should not.
func (c *Core) HandleWebhook(ctx context.Context, provider string, payload []byte, h http.Header) error {
	p, ok := c.providers[provider]
	if !ok {
		return ErrUnknownProvider
	}
	ev, err := p.ParseWebhook(payload, h, c.now())
	if err != nil {
		c.log.WarnContext(ctx, "payment: webhook refused", "provider", provider, "error", err)
		return err
	}
	rec := WebhookRecord{Provider: provider, EventID: ev.ID, Type: ev.Type, IntentID: ev.IntentID, ReceivedAt: c.now()}
	if ev.ID == "" {
		return ErrWebhookMalformed.With("the event has no id")
	}
	reason := "webhook " + ev.Type
	switch {
	case ev.Refund != nil && ev.Refund.RefundID != "":
		_, _, err = c.store.UpdateRefund(ctx, ev.Refund.RefundID, func(it *Intent, r *Refund, m *Mutation) error {
			if it.Provider != provider {
				return ErrRefundNotFound
			}
			m.Webhook = &rec
			return c.settle(it, r, m, ev.Refund.ProviderRefund, reason)
		})
		if errors.Is(err, ErrRefundNotFound) {
			return c.unmatched(ctx, rec)
		}
	case ev.Payment != nil && ev.IntentID != "":
		_, err = c.store.UpdateIntent(ctx, ev.IntentID, func(it *Intent, m *Mutation) error {
			if it.Provider != provider {
				return ErrIntentNotFound
			}
			m.Webhook = &rec
			if _, err := c.apply(it, m, *ev.Payment, reason); err != nil {
				return err
			}
			return nil
		})
		if errors.Is(err, ErrIntentNotFound) {
			return c.unmatched(ctx, rec)
		}
	default:
		return c.unmatched(ctx, rec)
	}
	switch {
	case errors.Is(err, ErrWebhookSeen):
		return nil
	case errs.KindOf(err) == errs.KindConflict && errors.Is(err, ErrIllegalTransition):
		// A report the state machine cannot take (stale, out of order):
		// acknowledge it; the reconciler compares states anyway.
		c.log.InfoContext(ctx, "payment: webhook ignored", "provider", provider, "event", ev.ID, "type", ev.Type, "error", err)
		return nil
	}
	return err
}

// unmatched records an event about nothing Bazaar knows, so that
// redeliveries are recognised, and acknowledges it.
func (c *Core) unmatched(ctx context.Context, rec WebhookRecord) error {
	seen, err := c.store.RecordWebhook(ctx, rec)
	if err != nil {
		return err
	}
	if !seen {
		c.log.WarnContext(ctx, "payment: webhook for no known payment", "provider", rec.Provider, "event", rec.EventID, "type", rec.Type, "intent", rec.IntentID)
	}
	return nil
}
