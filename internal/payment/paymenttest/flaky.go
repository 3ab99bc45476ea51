package paymenttest

import (
	"context"
	"math/rand/v2"
	"net/http"
	"sync"

	"github.com/bazaarshop/bazaar/internal/payment"
)

// Flaky wraps a provider and loses some of its answers: the call is made
// (the money moves) but the caller gets ErrProviderTimeout, the worst case
// of a network that fails on the way back. Fail queues failures for named
// operations; Rate fails that share of all calls at random.
type Flaky struct {
	payment.Provider
	mu   sync.Mutex
	fail map[string]int
	rate float64
	rng  *rand.Rand
	lost int
}

// NewFlaky wraps p.
func NewFlaky(p payment.Provider) *Flaky { return &Flaky{Provider: p, fail: map[string]int{}} }

// Fail makes the next n calls of op ("authorize", "capture", "cancel",
// "refund", "lookup") time out after they took effect.
func (f *Flaky) Fail(op string, n int) {
	f.mu.Lock()
	f.fail[op] += n
	f.mu.Unlock()
}

// Randomly fails a share rate of calls, seeded.
func (f *Flaky) Randomly(rate float64, seed uint64) {
	f.mu.Lock()
	f.rate, f.rng = rate, rand.New(rand.NewPCG(seed, seed))
	f.mu.Unlock()
}

// Lost counts the answers lost so far.
func (f *Flaky) Lost() int {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.lost
}

func (f *Flaky) trip(op string) bool {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.fail[op] > 0 {
		f.fail[op]--
		f.lost++
		return true
	}
	if f.rng != nil && f.rng.Float64() < f.rate {
		f.lost++
		return true
	}
	return false
}

var errLost = payment.ErrProviderTimeout.With("test: the answer was lost")

func (f *Flaky) Authorize(ctx context.Context, r payment.AuthorizeRequest) (payment.ProviderPayment, error) {
	pp, err := f.Provider.Authorize(ctx, r)
	if f.trip("authorize") {
		return payment.ProviderPayment{}, errLost
	}
	return pp, err
}

func (f *Flaky) Capture(ctx context.Context, r payment.CaptureRequest) (payment.ProviderPayment, error) {
	pp, err := f.Provider.Capture(ctx, r)
	if f.trip("capture") {
		return payment.ProviderPayment{}, errLost
	}
	return pp, err
}

func (f *Flaky) Cancel(ctx context.Context, r payment.CancelRequest) (payment.ProviderPayment, error) {
	pp, err := f.Provider.Cancel(ctx, r)
	if f.trip("cancel") {
		return payment.ProviderPayment{}, errLost
	}
	return pp, err
}

func (f *Flaky) Refund(ctx context.Context, r payment.RefundRequest) (payment.ProviderRefund, error) {
	pr, err := f.Provider.Refund(ctx, r)
	if f.trip("refund") {
		return payment.ProviderRefund{}, errLost
	}
	return pr, err
}

func (f *Flaky) Lookup(ctx context.Context, r payment.LookupRequest) (payment.ProviderPayment, error) {
	if f.trip("lookup") {
		return payment.ProviderPayment{}, errLost
	}
	return f.Provider.Lookup(ctx, r)
}

// SetWebhookSink passes the sink on to the wrapped provider.
func (f *Flaky) SetWebhookSink(sink func(ctx context.Context, payload []byte, h http.Header) error) {
	if ws, ok := f.Provider.(payment.WebhookSource); ok {
		ws.SetWebhookSink(sink)
	}
}

// Pages passes the wrapped provider's pages on.
func (f *Flaky) Pages() map[string]http.Handler {
	if pp, ok := f.Provider.(payment.PageProvider); ok {
		return pp.Pages()
	}
	return nil
}
