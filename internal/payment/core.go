package payment

import (
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment/card"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
)

// Options configure Core. Zero durations take the defaults in the comments.
type Options struct {
	// Providers in order of preference; a method goes to the first that
	// supports it unless Routes names one. Cash on delivery is built in.
	Providers []Provider
	// Routes pins a method type to a provider by name ("upi": "razorpay").
	Routes map[MethodType]string
	// CardKey seals card numbers: 32 bytes (AES-256-GCM). OldCardKeys open
	// numbers sealed before a key rotation.
	CardKey     []byte
	OldCardKeys [][]byte
	// AcceptedBrands limits card brands; empty accepts every known brand.
	AcceptedBrands []card.Brand

	Clock  func() time.Time // time.Now
	Logger *slog.Logger     // slog.Default()

	// ProviderTimeout bounds one provider call: 20s.
	ProviderTimeout time.Duration
	// MethodTTL is how long an unsaved card token may start payments: 1h.
	MethodTTL time.Duration
	// ReconcileInterval is how often RunReconciler runs: 30s.
	ReconcileInterval time.Duration
	// ReconcileAfter is how long an open intent or an unsettled capture or
	// refund waits for its webhook before the reconciler asks: 1m.
	ReconcileAfter time.Duration
	// PendingTimeout is how long a payment may stay open (a UPI collect
	// nobody approves, a provider that never answers) before it is called
	// off and failed: 30m.
	PendingTimeout time.Duration
	// WebhookRetention is how long seen webhook ids are kept: 7 days
	// (webhooks older than a provider's tolerance are refused anyway).
	WebhookRetention time.Duration
	// CardRetention is how long the sealed number of a card tokenised for
	// one payment (not saved) is kept: 24h, time enough to authorise it
	// again after a lost answer. Saved cards are kept until deleted.
	CardRetention time.Duration
}

func (o *Options) defaults() {
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.ProviderTimeout <= 0 {
		o.ProviderTimeout = 20 * time.Second
	}
	if o.MethodTTL <= 0 {
		o.MethodTTL = time.Hour
	}
	if o.ReconcileInterval <= 0 {
		o.ReconcileInterval = 30 * time.Second
	}
	if o.ReconcileAfter <= 0 {
		o.ReconcileAfter = time.Minute
	}
	if o.PendingTimeout <= 0 {
		o.PendingTimeout = 30 * time.Minute
	}
	if o.WebhookRetention <= 0 {
		o.WebhookRetention = 7 * 24 * time.Hour
	}
	if o.CardRetention <= 0 {
		o.CardRetention = 24 * time.Hour
	}
}

// Core is the payment service in-process: the rules, over a Store and the
// providers.
type Core struct {
	store     Store
	opts      Options
	sealer    *card.Sealer
	providers map[string]Provider
	order     []Provider
	log       *slog.Logger
	wake      chan struct{} // nudges the reconciler
	known     knownIntents  // authorised here, awaiting capture
}

var _ Service = (*Core)(nil)

// NewCore returns the service over store. It fails on a card key that is
// not 32 bytes, duplicate provider names or a route to a missing provider.
func NewCore(store Store, o Options) (*Core, error) {
	o.defaults()
	sealer, err := card.NewSealer(o.CardKey, o.OldCardKeys...)
	if err != nil {
		return nil, fmt.Errorf("payment: card key: %w", err)
	}
	c := &Core{store: answeringStore{store}, opts: o, sealer: sealer, providers: map[string]Provider{}, log: o.Logger, wake: make(chan struct{}, 1)}
	all := append([]Provider{}, o.Providers...)
	if !hasProvider(all, codName) {
		all = append(all, cod{})
	}
	for _, p := range all {
		if _, dup := c.providers[p.Name()]; dup {
			return nil, fmt.Errorf("payment: two providers are named %q", p.Name())
		}
		c.providers[p.Name()] = p
		c.order = append(c.order, p)
		if ws, ok := p.(WebhookSource); ok {
			name := p.Name()
			ws.SetWebhookSink(func(ctx context.Context, payload []byte, h http.Header) error {
				return c.HandleWebhook(ctx, name, payload, h)
			})
		}
	}
	for m, name := range o.Routes {
		if _, ok := c.providers[name]; !ok {
			return nil, fmt.Errorf("payment: route %s -> %s: no such provider", m, name)
		}
	}
	return c, nil
}

func hasProvider(ps []Provider, name string) bool {
	for _, p := range ps {
		if p.Name() == name {
			return true
		}
	}
	return false
}

// Providers lists the configured providers, cash on delivery included.
func (c *Core) Providers() []Provider { return append([]Provider{}, c.order...) }

// Provider returns the provider named name.
func (c *Core) Provider(name string) (Provider, bool) {
	p, ok := c.providers[name]
	return p, ok
}

func (c *Core) now() time.Time { return c.opts.Clock().UTC() }

// route picks the provider for a method and currency.
func (c *Core) route(m MethodType, currency, want string) (Provider, error) {
	if want == "" {
		want = c.opts.Routes[m]
	}
	if m == MethodCOD && want == "" {
		want = codName
	}
	if want != "" {
		p, ok := c.providers[want]
		if !ok {
			return nil, ErrMethodUnsupported.With(fmt.Sprintf("there is no payment provider %q", want))
		}
		if !p.Supports(m, currency) {
			return nil, ErrMethodUnsupported.With(fmt.Sprintf("%s does not take %s in %s", want, m, currency))
		}
		return p, nil
	}
	for _, p := range c.order {
		if p.Name() != codName && p.Supports(m, currency) {
			return p, nil
		}
	}
	return nil, ErrMethodUnsupported.With(fmt.Sprintf("no payment provider takes %s in %s", m, currency))
}

// access is what the caller of ctx may do.
type access struct {
	customer string // non-empty: a customer, limited to their own things
	guest    bool   // an anonymous shopper (AsGuest): may only tokenise
	trusted  bool   // staff, admin, a service, or an in-process caller
	actor    string // for the history
}

// accessOf classifies the caller. No principal means an in-process caller
// (the wiring, a worker): trusted. Over HTTP every route requires a
// principal, so a remote anonymous caller never gets here.
func accessOf(ctx context.Context) access {
	p, ok := authn.FromContext(ctx)
	if !ok {
		return access{trusted: true, actor: "system"}
	}
	switch {
	case p.UserID == "" && p.Role == "":
		return access{guest: true, customer: "\x00guest", actor: "guest"}
	case p.Role == authn.RoleCustomer && p.UserID != "":
		return access{customer: p.UserID, actor: "customer"}
	case p.Has(authn.RoleStaff, authn.RoleAdmin):
		return access{trusted: true, actor: string(p.Role)}
	case p.Role == authn.RoleService:
		return access{trusted: true, actor: "service:" + p.Service}
	}
	// A principal of no known role may do nothing: treat it as a customer
	// with no account, who owns nothing.
	return access{customer: "\x00nobody", actor: "unknown"}
}

// AsGuest marks ctx as an anonymous shopper's: HTTP routes open to guests
// (card tokenisation) call it, so Core does not take the request for a
// trusted in-process one.
func AsGuest(ctx context.Context) context.Context {
	return authn.WithPrincipal(ctx, authn.Principal{})
}

// owns reports whether the caller may see something of customerID.
func (a access) owns(customerID string) bool {
	return a.trusted || (a.customer != "" && a.customer == customerID)
}

// requireTrusted refuses customers an operation of the merchant's side.
func (a access) requireTrusted(what string) error {
	if a.trusted {
		return nil
	}
	return authn.ErrForbidden.With("only the shop may " + what + " a payment")
}
