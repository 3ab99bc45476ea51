// Package wire is Bazaar's composition root: the one package that knows every
// service, its storage adapter and its HTTP adapter, and puts them together
// for the services this process runs. A service run here is called through
// its Core; one run elsewhere through its HTTP client. Both satisfy the same
// interface, so no other code knows the difference.
package wire

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/cache"
	"github.com/bazaarshop/bazaar/internal/platform/config"
	"github.com/bazaarshop/bazaar/internal/platform/idempotency"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// Version is the build's version, set by the linker (-X).
var Version = "dev"

// App is one running Bazaar process: its dependencies, its services, its HTTP
// surface and its background workers.
type App struct {
	cfg     *config.Config
	log     *slog.Logger
	Metrics *web.Metrics
	Router  *web.Router
	Bus     *bus.Bus
	Cache   cache.Cache

	// The services this process runs, nil for those it does not; reach a
	// service through its xService method, which falls back to a client.
	Identity  identity.Service
	Inventory inventory.Service
	Catalog   catalog.Service
	Cart      cart.Service
	Payment   payment.Service
	Order     order.Service

	orderCore *order.Core // the order service and workers of this process, built once

	signer *authn.Signer // signs the caller's identity on calls to other services

	dbs     map[string]*sqldb.DB // by service
	workers []worker
	checks  []check
	closers []func() error // run in reverse order at shutdown

	services []string // the services this process runs
	draining atomic.Bool
	// stopping is closed by Drain: long-lived responses (order event
	// streams) end, as http.Server.Shutdown waits for them but does not
	// tell them.
	stopping  chan struct{}
	drainOnce sync.Once
}

// worker is a background loop that returns when its context is cancelled.
type worker struct {
	name string
	run  func(ctx context.Context) error
}

// check is one dependency /readyz probes.
type check struct {
	name string
	fn   func(ctx context.Context) error
}

// New opens the process's dependencies and builds the services it runs. On
// error everything opened so far is closed again.
func New(ctx context.Context, cfg *config.Config, log *slog.Logger) (_ *App, err error) {
	a := &App{cfg: cfg, log: log, dbs: map[string]*sqldb.DB{}, Metrics: web.NewMetrics(), stopping: make(chan struct{})}
	defer func() {
		if err != nil {
			a.close()
		}
	}()
	// Idempotency-Key records live in the process's own "platform" store,
	// beside whatever services it runs.
	platformDB, err := a.openDB(ctx, module{name: "platform", migrations: []sqldb.Migrations{idempotency.Migrations}})
	if err != nil {
		return nil, err
	}
	idem := idempotency.NewStore(platformDB)
	a.addWorker("idempotency-sweeper", func(ctx context.Context) error {
		return every(ctx, time.Hour, func(ctx context.Context) error {
			_, err := idem.Sweep(ctx, time.Now())
			return err
		})
	})
	secret, err := a.devSecret(cfg.InternalSecret, "internal-secret")
	if err != nil {
		return nil, err
	}
	var serviceSecrets [][]byte
	if secret != "" {
		serviceSecrets = [][]byte{[]byte(secret)}
		if a.signer, err = authn.NewSigner("bazaar", []byte(secret)); err != nil {
			return nil, err
		}
	}
	a.Router = web.NewRouter(web.Options{
		Title: "Bazaar", Version: Version, Logger: log, Metrics: a.Metrics,
		MaxBodyBytes: cfg.MaxBodyBytes, RequestTimeout: cfg.RequestTimeout,
		Middleware: []func(http.Handler) http.Handler{
			// Who is calling, before the idempotency records are scoped by it.
			authn.Middleware(authn.ResolverFunc(a.authenticate), authn.Options{
				ServiceSecrets: serviceSecrets, WriteError: web.WriteError, Logger: log,
			}),
			skipIdempotency(idempotency.Middleware(idem, idempotency.Options{WriteError: web.WriteError, MaxBodyBytes: cfg.MaxBodyBytes, Logger: log})),
		},
	})

	b, err := bus.Open(ctx, bus.Config{URL: cfg.NATSURL, DataDir: cfg.DataDir, Name: "bazaar", Logger: log})
	if err != nil {
		return nil, fmt.Errorf("open the event bus: %w", err)
	}
	a.Bus = b
	a.closers = append(a.closers, b.Close)
	a.checks = append(a.checks, check{"bus", b.Ready})

	c, err := cache.Open(ctx, cfg.RedisURL)
	if err != nil {
		return nil, fmt.Errorf("open the cache: %w", err)
	}
	a.Cache = c
	a.closers = append(a.closers, c.Close)
	a.checks = append(a.checks, check{"cache", c.Ping})

	if err := checkBuilt(cfg); err != nil {
		return nil, err
	}
	for _, m := range modules {
		if !cfg.Runs(m.name) {
			continue
		}
		a.services = append(a.services, m.name)
		var db *sqldb.DB
		if len(m.migrations) > 0 {
			if db, err = a.openDB(ctx, m); err != nil {
				return nil, err
			}
		}
		if err := m.build(ctx, a, db); err != nil {
			return nil, fmt.Errorf("start %s: %w", m.name, err)
		}
	}
	a.routeOps()
	a.routeStorefront()
	return a, nil
}

// Handler is the process's HTTP surface.
func (a *App) Handler() http.Handler { return a.Router.Handler() }

// Run starts the background workers and blocks until ctx is cancelled, then
// waits for them to return (each finishes what it holds). If a worker fails
// for good before that, Run returns its error at once so the process exits
// and its supervisor restarts it.
func (a *App) Run(ctx context.Context) error {
	var wg sync.WaitGroup
	failed := make(chan error, len(a.workers))
	for _, w := range a.workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			if err := w.run(ctx); err != nil && ctx.Err() == nil {
				a.log.Error("worker stopped", "worker", w.name, "error", err)
				failed <- fmt.Errorf("%s: %w", w.name, err)
			}
		}()
	}
	select {
	case <-ctx.Done():
		wg.Wait()
		return nil
	case err := <-failed:
		return err
	}
}

// Drain marks the process as going away: /readyz answers 503 so balancers
// stop sending new work while in-flight requests finish, and event streams
// end (their browsers reconnect elsewhere).
func (a *App) Drain() {
	a.draining.Store(true)
	a.drainOnce.Do(func() { close(a.stopping) })
}

// Close closes every store, the cache and the bus, in reverse order of opening.
func (a *App) Close() error { return a.close() }

func (a *App) close() error {
	var errsList []error
	for i := len(a.closers) - 1; i >= 0; i-- {
		if err := a.closers[i](); err != nil {
			errsList = append(errsList, err)
		}
	}
	a.closers = nil
	return errors.Join(errsList...)
}

// addWorker registers a background loop started by Run.
func (a *App) addWorker(name string, run func(ctx context.Context) error) {
	a.workers = append(a.workers, worker{name, run})
}

// openDB opens and migrates the store of module m, once per process.
func (a *App) openDB(ctx context.Context, m module) (*sqldb.DB, error) {
	service := m.storeName()
	if db, ok := a.dbs[service]; ok {
		return db, nil
	}
	db, err := sqldb.Open(ctx, storeURL(a.cfg), service)
	if err != nil {
		return nil, fmt.Errorf("open %s store: %w", service, err)
	}
	a.dbs[service] = db
	a.closers = append(a.closers, db.Close)
	a.checks = append(a.checks, check{"database:" + service, db.PingContext})
	if err := db.MigrateAll(ctx, m.migrations...); err != nil {
		return nil, err
	}
	return db, nil
}

// sign makes c carry the caller's identity, signed, to the service it calls.
func (a *App) sign(c *web.Client) {
	if a.signer != nil {
		c.HTTP.Transport = authn.NewTransport(c.HTTP.Transport, a.signer)
	}
}

// remoteURL is the base URL of a service this process does not run.
func (a *App) remoteURL(service string) (string, error) {
	if u := a.cfg.ServiceURLs[service]; u != "" {
		return u, nil
	}
	return "", fmt.Errorf("this process does not run %s (--services=%s): set %s to where it runs",
		service, joinServices(a.cfg.Services), "BAZAAR_"+upperSnake(service)+"_URL")
}

// every runs fn at each tick of interval until ctx is done. A failed run is
// logged and retried at the next tick: housekeeping must not stop the process.
func every(ctx context.Context, interval time.Duration, fn func(ctx context.Context) error) error {
	t := time.NewTicker(interval)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-t.C:
			if err := fn(ctx); err != nil && ctx.Err() == nil {
				slog.WarnContext(ctx, "periodic task failed", "error", err)
			}
		}
	}
}

// readyTimeout bounds one /readyz probe of all dependencies.
const readyTimeout = 2 * time.Second

// skipIdempotency keeps responses that carry secrets out of the idempotency
// records: a replayed sign-in would hand out a stored live session token.
func skipIdempotency(idem func(http.Handler) http.Handler) func(http.Handler) http.Handler {
	return func(next http.Handler) http.Handler {
		wrapped := idem(next)
		return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			p := r.URL.Path
			// POST /api/v1/carts answers with a new guest cart's token:
			// repeating it is harmless, storing the token is not.
			// POST /api/v1/checkout keeps its own Idempotency-Key records
			// (in the bus, so that checkout works with databases down) and
			// answers a guest with an order token.
			if strings.HasPrefix(p, "/api/v1/auth/") || strings.HasPrefix(p, "/api/v1/internal/") || p == "/api/v1/carts" || p == "/api/v1/checkout" {
				next.ServeHTTP(w, r)
				return
			}
			wrapped.ServeHTTP(w, r)
		})
	}
}
