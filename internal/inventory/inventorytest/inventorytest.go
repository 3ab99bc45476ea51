// Package inventorytest holds the suites every inventory implementation
// must pass: StoreSuite for inventory.Store adapters, ServiceSuite for
// inventory.Service (Core in-process and the HTTP client), and HotSKU, the
// flash-sale concurrency proof.
package inventorytest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/inventory/inventorydb"
	"github.com/bazaarshop/bazaar/internal/inventory/inventoryhttp"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/bustest"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// Clock is a clock tests move by hand.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts at a fixed instant.
func NewClock() *Clock { return &Clock{now: time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC)} }

// Now is the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Env is a service under test with what the suites need around it.
type Env struct {
	Service inventory.Service // Core, or a Client of it
	Core    *inventory.Core   // the Core behind Service
	Clock   *Clock
	DB      *sqldb.DB
	Remote  bool // Service is an HTTP client
}

// NewEnv migrates db and runs a Core on it with a test clock (unless o
// names a clock).
func NewEnv(t testing.TB, db *sqldb.DB, o inventory.Options) *Env {
	t.Helper()
	if err := inventorydb.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	clock := NewClock()
	if o.Clock == nil {
		o.Clock = clock.Now
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	core := inventory.NewCore(inventorydb.New(db), o)
	return &Env{Service: core, Core: core, Clock: clock, DB: db}
}

// AdminToken is the bearer token OverHTTP's server asks for.
const AdminToken = "inventory-test-admin-token"

// OverHTTP serves e's Core on a test server and returns an Env whose
// Service is an inventoryhttp.Client of it.
func (e *Env) OverHTTP(t testing.TB) *Env {
	t.Helper()
	rt := web.NewRouter(web.Options{Title: "inventory", Version: "test", Logger: slog.New(slog.NewTextHandler(io.Discard, nil))})
	inventoryhttp.Register(rt.API, e.Core, inventoryhttp.Options{
		Admin: huma.Middlewares{web.RequireBearerToken(rt.API, AdminToken)},
	})
	srv := httptest.NewServer(rt.Handler())
	t.Cleanup(srv.Close)
	cl := inventoryhttp.NewClient(srv.URL)
	cl.Header = http.Header{"Authorization": {"Bearer " + AdminToken}}
	c := *e
	c.Service, c.Remote = cl, true
	return &c
}

// Events returns the events waiting in the outbox, oldest first.
func (e *Env) Events(t testing.TB) []bus.Event {
	t.Helper()
	return OutboxEvents(t, e.DB)
}

// OutboxEvents reads the events waiting in db's outbox, oldest first.
func OutboxEvents(t testing.TB, db *sqldb.DB) []bus.Event {
	t.Helper()
	return bustest.OutboxEvents(t, db)
}

// StockEvents decodes events about sku.
func StockEvents(t testing.TB, evs []bus.Event, sku string) []string {
	t.Helper()
	var out []string
	for _, ev := range evs {
		var d inventory.StockEvent
		if err := ev.Decode(&d); err != nil {
			t.Fatal(err)
		}
		if d.SKU == sku {
			out = append(out, ev.Type)
		}
	}
	return out
}

// Invariants checks every bucket of the store: none negative, none holding
// more than it has.
func Invariants(t testing.TB, db *sqldb.DB) {
	t.Helper()
	var bad int
	err := db.QueryRowContext(context.Background(),
		`SELECT count(*) FROM stock WHERE reserved < 0 OR on_hand < reserved`).Scan(&bad)
	if err != nil {
		t.Fatal(err)
	}
	if bad != 0 {
		t.Fatalf("%d buckets break reserved >= 0 and on_hand >= reserved", bad)
	}
}
