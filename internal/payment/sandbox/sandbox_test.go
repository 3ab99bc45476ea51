package sandbox_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/card"
	"github.com/bazaarshop/bazaar/internal/payment/sandbox"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Every documented card is a valid card of the brand the docs give.
func TestCardsAreValid(t *testing.T) {
	for _, c := range sandbox.Cards {
		got, err := card.Validate(card.PAN(c.Number), 12, time.Now().Year()+1, "", time.Now())
		if err != nil || got.Brand != c.Brand {
			t.Errorf("%s: brand %q, %v; documented as %s", c.Number, got.Brand, err, c.Brand)
		}
	}
	for vpa := range sandbox.VPAs {
		if _, err := payment.ValidVPA(vpa); err != nil {
			t.Errorf("%s: %v", vpa, err)
		}
	}
}

func authorize(t *testing.T, p *sandbox.Provider, number string, captureNow bool) (payment.ProviderPayment, error) {
	t.Helper()
	return p.Authorize(context.Background(), payment.AuthorizeRequest{Key: "k", IntentID: ids.New(), Amount: money.MustNew(1000, "INR"),
		Method: payment.MethodCard, Card: &payment.CardData{Number: card.PAN(number)}, CaptureNow: captureNow})
}

func TestScenarios(t *testing.T) {
	p := sandbox.New(sandbox.Options{AsyncDelay: time.Hour, LateWebhookDelay: time.Hour})
	defer p.Close()
	for _, tc := range []struct {
		number  string
		capture bool
		status  payment.Status
		code    string
		timeout bool
	}{
		{"4242424242424242", false, payment.StatusAuthorized, "", false},
		{"4242424242424242", true, payment.StatusCaptured, "", false},
		{"4000000000000002", false, payment.StatusFailed, "card_declined", false},
		{"4000000000009995", false, payment.StatusFailed, "insufficient_funds", false},
		{"4000000000000069", false, payment.StatusFailed, "expired_card", false},
		{"4000000000003220", false, payment.StatusRequiresAction, "", false},
		{"4000000000000408", false, "", "", true},
		{"4000000000000416", false, "", "", true},
	} {
		pp, err := authorize(t, p, tc.number, tc.capture)
		if tc.timeout {
			if !errors.Is(err, payment.ErrProviderTimeout) {
				t.Errorf("%s: %v, want a timeout", tc.number, err)
			}
			continue
		}
		if err != nil || pp.Status != tc.status || pp.FailureCode != tc.code {
			t.Errorf("%s: %+v, %v", tc.number, pp, err)
		}
	}
}

// A delivered webhook verifies with the provider's own ParseWebhook, and
// Close does not wait for timers that never fired.
func TestWebhookDelivery(t *testing.T) {
	got := make(chan payment.WebhookEvent, 1)
	p := sandbox.New(sandbox.Options{AsyncDelay: time.Millisecond, LateWebhookDelay: time.Hour})
	p.SetWebhookSink(func(ctx context.Context, body []byte, h http.Header) error {
		ev, err := p.ParseWebhook(body, h, time.Now())
		if err != nil {
			t.Error(err)
		}
		got <- ev
		return nil
	})
	intent := ids.New()
	pp, err := p.Authorize(context.Background(), payment.AuthorizeRequest{IntentID: intent, Amount: money.MustNew(1000, "INR"), Method: payment.MethodUPI, VPA: "success@upi"})
	if err != nil || pp.Status != payment.StatusProcessing {
		t.Fatalf("collect = %+v, %v", pp, err)
	}
	select {
	case ev := <-got:
		if ev.IntentID != intent || ev.Payment.Status != payment.StatusAuthorized {
			t.Fatalf("event = %+v", ev)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("no webhook")
	}
	if _, err := authorize(t, p, "4000000000000416", false); err == nil {
		t.Fatal("no timeout")
	}
	done := make(chan struct{})
	go func() { p.Close(); close(done) }()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("Close waited for a timer that was stopped")
	}
}
