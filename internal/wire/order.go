package wire

import (
	"context"

	"github.com/danielgtaylor/huma/v2"
	"github.com/prometheus/client_golang/prometheus"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/order/orderdb"
	"github.com/bazaarshop/bazaar/internal/order/orderhttp"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// The order service is two roles on one store: "order" serves the API
// (checkout, reads, the shopper's and staff's actions, the event streams)
// and "order-worker" consumes accepted checkouts and payment events and
// sweeps unpaid orders. A process running both builds one Core for them.
var (
	orderModule = module{
		name:       "order",
		migrations: []sqldb.Migrations{orderdb.Migrations, outbox.Migrations},
		build:      buildOrder,
	}
	orderWorkerModule = module{
		name:       "order-worker",
		store:      "order",
		migrations: []sqldb.Migrations{orderdb.Migrations, outbox.Migrations},
		build:      buildOrderWorker,
	}
)

func buildOrder(ctx context.Context, a *App, db *sqldb.DB) error {
	core, err := a.buildOrderCore(ctx, db)
	if err != nil {
		return err
	}
	api := a.Router.API
	orderhttp.Register(api, core, orderhttp.Options{
		Admin: huma.Middlewares{authn.RequireRole(api, authn.RoleStaff, authn.RoleAdmin)},
	})
	orderhttp.RegisterEvents(a.Router, core, orderhttp.EventsOptions{Shutdown: a.stopping})
	a.addWorker("order-follow", core.FollowBus) // wakes event streams for other processes' changes
	return nil
}

func buildOrderWorker(ctx context.Context, a *App, db *sqldb.DB) error {
	core, err := a.buildOrderCore(ctx, db)
	if err != nil {
		return err
	}
	a.addWorker("order-workers", core.RunWorkers)
	return nil
}

// buildOrderCore makes the process's order Core, once: it ensures the
// ORDERS stream (checkout writes requests to it, identity reads order.paid
// from it) and runs the outbox relay that publishes the order events.
func (a *App) buildOrderCore(ctx context.Context, db *sqldb.DB) (*order.Core, error) {
	if a.orderCore != nil {
		return a.orderCore, nil
	}
	relay, err := a.startOutbox(ctx, "order", db, order.Stream)
	if err != nil {
		return nil, err
	}
	carts, err := a.cartService()
	if err != nil {
		return nil, err
	}
	stock, err := a.inventoryService()
	if err != nil {
		return nil, err
	}
	payments, err := a.paymentService()
	if err != nil {
		return nil, err
	}
	// Only checkout asks identity (a member's email and saved addresses):
	// a process running just the workers needs no identity URL.
	var accounts order.Accounts
	if a.cfg.Runs("order") {
		ids, err := a.identityService()
		if err != nil {
			return nil, err
		}
		accounts = orderAccounts{ids}
	}
	core, err := order.NewCore(orderdb.New(db), order.Options{
		Carts:          carts,
		Stock:          stock,
		Payments:       payments,
		Accounts:       accounts,
		Bus:            a.Bus,
		PublicURL:      a.cfg.PublicURL,
		PaymentTimeout: a.cfg.OrderPaymentTimeout,
		ReturnWindow:   a.cfg.OrderReturnWindow,
		OnCommit:       relay.Notify,
		OnTransition:   a.orderTransitions(),
		Workers:        orderWorkers(db),
		Logger:         a.log.With("service", "order"),
	})
	if err != nil {
		return nil, err
	}
	a.orderCore = core
	a.Order = core
	return core, nil
}

// orderWorkers is how many requests a worker process handles at once. On
// PostgreSQL the order and payment stores write the steps that arrive
// together as one statement, so more orders in flight make larger batches
// (with the payment writes batched: 1.0x completed orders/s with 32,
// 1.15x with 128). On SQLite, one writer with no round trips to save, 128
// gained 1.05x completed and took a quarter of checkout's 202s/s in the
// same process.
func orderWorkers(db *sqldb.DB) int {
	if db.Dialect() == sqldb.Postgres {
		return 128
	}
	return 32
}

// orderAccounts gives checkout what it needs of identity, whether identity
// runs here or elsewhere: the caller's email and saved addresses.
type orderAccounts struct{ svc identity.Service }

func (o orderAccounts) Email(ctx context.Context) (string, error) {
	u, err := o.svc.Me(ctx)
	return u.Email, err
}

func (o orderAccounts) Address(ctx context.Context, id string) (cart.Address, error) {
	ad, err := o.svc.Address(ctx, id)
	if err != nil {
		return cart.Address{}, err
	}
	return cart.Address{
		Name: ad.Name, Phone: ad.Phone, Line1: ad.Line1, Line2: ad.Line2, Landmark: ad.Landmark,
		City: ad.City, State: ad.State, PostalCode: ad.PostalCode, Country: ad.Country,
	}, nil
}

// orderTransitions counts the status moves this process committed, by the
// status moved to, as bazaar_order_transitions_total: orders placed
// (pending), paid, failed, shipped... per second on a dashboard.
func (a *App) orderTransitions() func(order.Status) {
	moves := prometheus.NewCounterVec(prometheus.CounterOpts{
		Name: "bazaar_order_transitions_total",
		Help: "Order status changes committed by this process, by the status moved to.",
	}, []string{"to"})
	a.Metrics.Registry.MustRegister(moves)
	return func(to order.Status) { moves.WithLabelValues(string(to)).Inc() }
}
