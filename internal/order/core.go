package order

import (
	"context"
	"errors"
	"log/slog"
	"sync"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
)

// Carts is what checkout needs of the cart service.
type Carts interface {
	QuoteTo(ctx context.Context, id, token string, a cart.Address) (cart.Quote, error)
	Redeem(ctx context.Context, r cart.Redemption) error
	ReleaseRedemption(ctx context.Context, reference string) error
}

// Stock is what orders need of inventory.
type Stock interface {
	Reserve(ctx context.Context, r inventory.ReserveRequest) (inventory.Reservation, error)
	Commit(ctx context.Context, reference string) (inventory.Reservation, error)
	Release(ctx context.Context, reference string) (inventory.Reservation, error)
	Adjust(ctx context.Context, a inventory.Adjustment) (inventory.StockLevel, error)
}

// Payments is what orders need of the payment service.
type Payments interface {
	CreateIntent(ctx context.Context, in payment.CreateIntentInput) (payment.Intent, error)
	GetIntent(ctx context.Context, id string) (payment.Intent, error)
	ConfirmIntent(ctx context.Context, id string, in payment.ConfirmIntentInput) (payment.Intent, error)
	CaptureIntent(ctx context.Context, id string, in payment.CaptureIntentInput) (payment.Intent, error)
	CancelIntent(ctx context.Context, id string, in payment.CancelIntentInput) (payment.Intent, error)
	RefundIntent(ctx context.Context, id string, in payment.RefundIntentInput) (payment.Refund, error)
}

// Accounts is what checkout needs of identity: the signed-in member's
// email and saved addresses (the principal travels on the context).
type Accounts interface {
	Email(ctx context.Context) (string, error)
	Address(ctx context.Context, id string) (cart.Address, error)
}

// Options configure a Core.
type Options struct {
	Carts    Carts
	Stock    Stock
	Payments Payments
	Accounts Accounts // nil: members give their email and address like guests
	// Bus carries order requests to the workers and keeps checkout's
	// idempotency records (a JetStream key-value bucket). Required for
	// Checkout and the workers; reads work without it.
	Bus *bus.Bus
	// PublicURL is the shop's base URL, for the default return URL after a
	// 3-D Secure challenge ("http://127.0.0.1:8080").
	PublicURL string
	// PaymentTimeout is how long an order may await payment before it
	// expires and its stock is released; 15 minutes.
	PaymentTimeout time.Duration
	// ReturnWindow is how long after delivery a return may be requested;
	// 30 days.
	ReturnWindow time.Duration
	// IntakeTimeout is how long a checkout's idempotency claim may stay in
	// progress before it is taken for abandoned (its process died) and its
	// holds are released; 2 minutes.
	IntakeTimeout time.Duration
	// HoldTTL is how long checkout holds the stock: a backstop that frees
	// the units of an order nobody finished (the workers release them at
	// the payment deadline); 2 hours.
	HoldTTL time.Duration
	// SweepInterval is how often the workers look for unpaid orders past
	// their deadline and abandoned checkouts; 5 seconds.
	SweepInterval time.Duration
	// Workers is how many requests one worker process handles at once;
	// 32. Where the stores write the steps that arrive together as one
	// statement (PostgreSQL), more orders in flight make larger batches,
	// not more statements, and the composition root asks for more.
	Workers int
	// OnCommit is called after a transaction that wrote outbox events
	// (the relay's Notify).
	OnCommit func()
	// OnTransition is called with each status an order moved to, once the
	// move is committed (the composition root counts them for /metrics).
	OnTransition func(to Status)
	Clock        func() time.Time
	Logger       *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.PaymentTimeout <= 0 {
		o.PaymentTimeout = 15 * time.Minute
	}
	if o.ReturnWindow <= 0 {
		o.ReturnWindow = 30 * 24 * time.Hour
	}
	if o.IntakeTimeout <= 0 {
		o.IntakeTimeout = 2 * time.Minute
	}
	if o.HoldTTL <= 0 {
		o.HoldTTL = 2 * time.Hour
	}
	if o.SweepInterval <= 0 {
		o.SweepInterval = 5 * time.Second
	}
	if o.Workers <= 0 {
		o.Workers = 32
	}
	if o.OnCommit == nil {
		o.OnCommit = func() {}
	}
	if o.OnTransition == nil {
		o.OnTransition = func(Status) {}
	}
	if o.Clock == nil {
		o.Clock = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Core implements Service over a Store, and runs the order workers.
type Core struct {
	store Store
	opts  Options
	log   *slog.Logger

	in          intake     // checkout's idempotency bucket
	locks       orderLocks // one order at a time in this process
	pastPayment pastPayment

	mu         sync.Mutex
	watchers   map[string][]chan struct{} // order id -> waiting SSE streams
	followWake chan struct{}              // FollowBus: the watchers came or went
}

var _ Service = (*Core)(nil)

// NewCore returns a Core. Checkout and the workers need opts.Carts,
// opts.Stock, opts.Payments and opts.Bus; a Core without them serves reads.
func NewCore(store Store, opts Options) (*Core, error) {
	if store == nil {
		return nil, errors.New("order: a Core needs a store")
	}
	opts = opts.withDefaults()
	return &Core{store: store, opts: opts, log: opts.Logger, watchers: map[string][]chan struct{}{}, followWake: make(chan struct{}, 1)}, nil
}

func (c *Core) now() time.Time { return c.opts.Clock().UTC() }
