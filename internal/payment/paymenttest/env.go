// Package paymenttest holds what the payment tests share: a fake clock, an
// environment that builds a Core over a real store with the sandbox, and the
// suites every payment.Store and every payment.Service must pass.
package paymenttest

import (
	"bytes"
	"context"
	"crypto/rand"
	"log/slog"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/paymentdb"
	"github.com/bazaarshop/bazaar/internal/payment/sandbox"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// Clock is a settable clock for the rules that depend on time (token
// expiry, reconciliation delays, webhook tolerance).
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at the real current time.
func NewClock() *Clock { return &Clock{t: time.Now().UTC()} }

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.t = c.t.Add(d)
	c.mu.Unlock()
}

// Env is a payment service under test and the parts behind it.
type Env struct {
	Svc     payment.Service // what the suite calls: Core, or a client of it
	Core    *payment.Core
	Store   *paymentdb.Store
	DB      *sqldb.DB
	Sandbox *sandbox.Provider
	Clock   *Clock
	Flaky   *Flaky      // the sandbox as Core sees it, with Config.Flaky
	Logs    *SafeBuffer // every line Core and the sandbox logged, JSON
	Key     []byte      // the card key
}

// SafeBuffer is a bytes.Buffer safe for concurrent writers (log lines).
type SafeBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *SafeBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *SafeBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Config adjusts an Env before its Core is built.
type Config struct {
	Core    payment.Options // Providers gets the sandbox prepended
	Sandbox sandbox.Options // short delays by default
	Extra   []payment.Provider
	// Flaky wraps the sandbox in a Flaky (Env.Flaky) that can lose answers.
	Flaky bool
}

// NewEnv builds a Core over a migrated store on db with the sandbox (short
// delays) and a fresh card key. Svc is the Core; swap it for a client.
func NewEnv(t testing.TB, db *sqldb.DB, cfg Config) *Env {
	t.Helper()
	ctx := context.Background()
	if err := paymentdb.Migrate(ctx, db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	e := &Env{DB: db, Store: paymentdb.New(db), Clock: NewClock(), Logs: &SafeBuffer{}, Key: make([]byte, 32)}
	_, _ = rand.Read(e.Key)
	log := slog.New(slog.NewJSONHandler(e.Logs, &slog.HandlerOptions{Level: slog.LevelDebug}))
	so := cfg.Sandbox
	if so.AsyncDelay == 0 {
		so.AsyncDelay = 20 * time.Millisecond
	}
	if so.LateWebhookDelay == 0 {
		so.LateWebhookDelay = 30 * time.Millisecond
	}
	if so.Clock == nil {
		so.Clock = e.Clock.Now
	}
	if so.Logger == nil {
		so.Logger = log
	}
	e.Sandbox = sandbox.New(so)
	t.Cleanup(e.Sandbox.Close)
	o := cfg.Core
	var sb payment.Provider = e.Sandbox
	if cfg.Flaky {
		e.Flaky = NewFlaky(e.Sandbox)
		sb = e.Flaky
	}
	o.Providers = append(append([]payment.Provider{sb}, o.Providers...), cfg.Extra...)
	if o.CardKey == nil {
		o.CardKey = e.Key
	}
	if o.Clock == nil {
		o.Clock = e.Clock.Now
	}
	if o.Logger == nil {
		o.Logger = log
	}
	core, err := payment.NewCore(e.Store, o)
	if err != nil {
		t.Fatalf("new core: %v", err)
	}
	e.Core, e.Svc = core, core
	return e
}

// Contexts of the callers the rules tell apart.
var (
	// Service is the order worker: a Bazaar service acting for itself.
	Service = authn.WithPrincipal(context.Background(), authn.Principal{Role: authn.RoleService, Service: "order"})
	// Admin is a signed-in admin.
	Admin = authn.WithPrincipal(context.Background(), authn.Principal{UserID: "admin-1", Role: authn.RoleAdmin})
	// Guest is an anonymous shopper.
	Guest = payment.AsGuest(context.Background())
)

// Customer is the context of a signed-in customer.
func Customer(id string) context.Context {
	return authn.WithPrincipal(context.Background(), authn.Principal{UserID: id, Role: authn.RoleCustomer})
}

// Wait polls cond every 5ms until it holds or timeout passes.
func Wait(t testing.TB, timeout time.Duration, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(timeout)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("timed out after %s waiting for %s", timeout, what)
		}
		time.Sleep(5 * time.Millisecond)
	}
}
