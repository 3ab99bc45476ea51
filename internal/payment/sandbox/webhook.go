package sandbox

import (
	"bytes"
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
)

// SignatureHeader carries a webhook's signature, in Stripe's scheme:
// "t=<unix seconds>,v1=<hex HMAC-SHA256 of "<t>.<body>" under the secret>".
// The timestamp is signed, so an old delivery cannot be replayed with a
// fresh one.
const SignatureHeader = "Sandbox-Signature"

// Event is a sandbox webhook's body.
type Event struct {
	ID      string    `json:"id"`
	Type    string    `json:"type"` // payment.updated, refund.updated
	Created int64     `json:"created"`
	Data    EventData `json:"data"`
}

// EventData is what an event is about.
type EventData struct {
	IntentID string        `json:"intent_id"`
	Payment  *EventPayment `json:"payment,omitempty"`
	Refund   *EventRefund  `json:"refund,omitempty"`
}

// EventPayment is a payment in an event.
type EventPayment struct {
	Ref              string `json:"ref"`
	Status           string `json:"status"`
	AmountCapturable int64  `json:"amount_capturable"`
	AmountCaptured   int64  `json:"amount_captured"`
	AmountRefunded   int64  `json:"amount_refunded"`
	FailureCode      string `json:"failure_code,omitempty"`
}

// EventRefund is a refund in an event.
type EventRefund struct {
	RefundID string `json:"refund_id"` // Bazaar's refund id
	Ref      string `json:"ref"`
	Status   string `json:"status"`
}

// Sign returns the headers of a delivery of payload signed at t.
func (p *Provider) Sign(payload []byte, t time.Time) http.Header {
	ts := strconv.FormatInt(t.Unix(), 10)
	h := http.Header{}
	h.Set("Content-Type", "application/json")
	h.Set(SignatureHeader, "t="+ts+",v1="+hex.EncodeToString(mac(p.opts.WebhookSecret, ts, payload)))
	return h
}

func mac(secret, ts string, payload []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte("."))
	m.Write(payload)
	return m.Sum(nil)
}

// ParseWebhook implements payment.Provider.
func (p *Provider) ParseWebhook(payload []byte, h http.Header, now time.Time) (payment.WebhookEvent, error) {
	var ts string
	var sigs [][]byte
	for _, part := range strings.Split(h.Get(SignatureHeader), ",") {
		k, v, _ := strings.Cut(strings.TrimSpace(part), "=")
		switch k {
		case "t":
			ts = v
		case "v1":
			if b, err := hex.DecodeString(v); err == nil {
				sigs = append(sigs, b)
			}
		}
	}
	sec, err := strconv.ParseInt(ts, 10, 64)
	if err != nil || len(sigs) == 0 {
		return payment.WebhookEvent{}, payment.ErrWebhookSignature.With("missing or malformed " + SignatureHeader)
	}
	want := mac(p.opts.WebhookSecret, ts, payload)
	ok := false
	for _, s := range sigs {
		ok = ok || hmac.Equal(s, want)
	}
	if !ok {
		return payment.WebhookEvent{}, payment.ErrWebhookSignature
	}
	if age := now.Sub(time.Unix(sec, 0)); age > p.opts.Tolerance || age < -p.opts.Tolerance {
		return payment.WebhookEvent{}, payment.ErrWebhookStale.With(fmt.Sprintf("the webhook was signed %s from now; the limit is %s", age.Round(time.Second), p.opts.Tolerance))
	}
	var ev Event
	if err := json.Unmarshal(payload, &ev); err != nil || ev.ID == "" {
		return payment.WebhookEvent{}, payment.ErrWebhookMalformed
	}
	out := payment.WebhookEvent{ID: ev.ID, Type: ev.Type, IntentID: ev.Data.IntentID, CreatedAt: time.Unix(ev.Created, 0).UTC()}
	if pp := ev.Data.Payment; pp != nil {
		out.Ref = pp.Ref
		out.Payment = &payment.ProviderPayment{
			Ref: pp.Ref, Status: payment.Status(pp.Status), AmountCapturable: pp.AmountCapturable,
			AmountCaptured: pp.AmountCaptured, AmountRefunded: pp.AmountRefunded, FailureCode: pp.FailureCode,
			FailureMessage: failureMessages[pp.FailureCode],
		}
	}
	if r := ev.Data.Refund; r != nil {
		out.Refund = &payment.WebhookRefund{RefundID: r.RefundID, ProviderRefund: payment.ProviderRefund{Ref: r.Ref, Status: payment.RefundStatus(r.Status)}}
	}
	return out, nil
}

// Event returns the webhook body the sandbox would send now about the
// payment of intentID (tests replay and tamper with it).
func (p *Provider) Event(intentID string) ([]byte, bool) {
	p.mu.Lock()
	py, ok := p.byIntent[intentID]
	p.mu.Unlock()
	if !ok {
		return nil, false
	}
	return p.paymentEvent(py.ref), true
}

func (p *Provider) paymentEvent(ref string) []byte {
	p.mu.Lock()
	py := p.payments[ref]
	ev := Event{ID: newID("evt_"), Type: "payment.updated", Created: p.opts.Clock().Unix(), Data: EventData{
		IntentID: py.intentID,
		Payment: &EventPayment{Ref: py.ref, Status: string(py.status), AmountCapturable: py.capturable,
			AmountCaptured: py.captured, AmountRefunded: py.refunded, FailureCode: py.failure},
	}}
	p.mu.Unlock()
	b, _ := json.Marshal(ev)
	return b
}

// notify sends a payment's webhook, retrying like a provider would (a few
// times, backing off) while the receiver fails.
func (p *Provider) notify(ref string) {
	payload := p.paymentEvent(ref)
	p.mu.Lock()
	if p.closed {
		p.mu.Unlock()
		return
	}
	p.inflight.Add(1)
	p.mu.Unlock()
	go func() {
		defer p.inflight.Done()
		delay := 50 * time.Millisecond
		for attempt := 1; attempt <= 6; attempt++ {
			err := p.deliver(payload)
			if err == nil {
				return
			}
			p.opts.Logger.Warn("sandbox: webhook delivery failed", "ref", ref, "attempt", attempt, "error", err)
			p.mu.Lock()
			closed := p.closed
			p.mu.Unlock()
			if closed {
				return
			}
			time.Sleep(delay)
			delay *= 4
		}
	}()
}

func (p *Provider) deliver(payload []byte) error {
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	h := p.Sign(payload, p.opts.Clock())
	if p.opts.WebhookURL == "" {
		p.mu.Lock()
		sink := p.sink
		p.mu.Unlock()
		if sink == nil {
			return fmt.Errorf("no webhook receiver")
		}
		return sink(ctx, payload, h)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, p.opts.WebhookURL, bytes.NewReader(payload))
	if err != nil {
		return err
	}
	req.Header = h
	resp, err := p.opts.HTTP.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode >= 300 {
		return fmt.Errorf("webhook receiver answered %s", resp.Status)
	}
	return nil
}
