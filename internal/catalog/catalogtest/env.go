// Package catalogtest holds the suites every catalogue implementation must
// pass: StoreSuite for catalog.Store adapters, ServiceSuite for
// catalog.Service (Core in-process and the HTTP client of it), and
// SearchSuite, the search-quality cases, which must give the same answers
// on every engine.
package catalogtest

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogdb"
	"github.com/bazaarshop/bazaar/internal/catalog/cataloghttp"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/bustest"
	"github.com/bazaarshop/bazaar/internal/platform/cache"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// Availability is inventory as product pages see it: a map tests set.
type Availability struct {
	mu    sync.Mutex
	units map[string]int64
	err   error
	calls int
}

// Set records units available for sku.
func (a *Availability) Set(sku string, units int64) {
	a.mu.Lock()
	defer a.mu.Unlock()
	if a.units == nil {
		a.units = map[string]int64{}
	}
	a.units[sku] = units
}

// Fail makes every call fail with err (nil: succeed again).
func (a *Availability) Fail(err error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.err = err
}

// Available implements catalog.Availability.
func (a *Availability) Available(_ context.Context, skus []string) (map[string]int64, error) {
	a.mu.Lock()
	defer a.mu.Unlock()
	a.calls++
	if a.err != nil {
		return nil, a.err
	}
	out := map[string]int64{}
	for _, s := range skus {
		if n, ok := a.units[s]; ok {
			out[s] = n
		}
	}
	return out, nil
}

// Env is a service under test with what the suites need around it.
type Env struct {
	Service catalog.Service // Core, or a Client of it
	Core    *catalog.Core
	DB      *sqldb.DB
	Avail   *Availability
	Cache   cache.Cache // Core's cache
	Remote  bool        // Service is an HTTP client
	URL     string
}

// Quiet is a logger for tests that expect failures to be logged.
var Quiet = slog.New(slog.NewTextHandler(io.Discard, nil))

// NewEnv migrates db and runs a Core on it with a fake availability and,
// unless o names one, an in-process cache. The listing index (unless
// o.NoIndex) is built at once, on the empty store, so that every product
// reaches it through the sync that follows writes.
func NewEnv(t testing.TB, db *sqldb.DB, o catalog.Options) *Env {
	t.Helper()
	if err := catalogdb.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	av := &Availability{}
	if o.Availability == nil {
		o.Availability = av
	}
	if o.Cache == nil {
		mem := cache.NewMemory(cache.MemoryOptions{})
		t.Cleanup(func() { mem.Close() })
		o.Cache = mem
	}
	if o.Logger == nil {
		o.Logger = Quiet
	}
	core := catalog.NewCore(catalogdb.New(db), o)
	if err := core.BuildIndex(context.Background()); err != nil {
		t.Fatalf("build index: %v", err)
	}
	return &Env{Service: core, Core: core, DB: db, Avail: av, Cache: o.Cache}
}

// AdminToken is the bearer token OverHTTP's server asks for.
const AdminToken = "catalog-test-admin-token"

// OverHTTP serves e's Core through the real router on a test server and
// returns an Env whose Service is a cataloghttp.Client of it.
func (e *Env) OverHTTP(t testing.TB) *Env {
	t.Helper()
	rt := web.NewRouter(web.Options{Title: "catalog", Version: "test", Logger: Quiet})
	cataloghttp.Register(rt.API, e.Core, cataloghttp.Options{
		Admin: huma.Middlewares{web.RequireBearerToken(rt.API, AdminToken)},
	})
	cataloghttp.RegisterMedia(rt)
	srv := httptest.NewServer(rt.Handler())
	t.Cleanup(srv.Close)
	cl := cataloghttp.NewClient(srv.URL)
	cl.Header = http.Header{"Authorization": {"Bearer " + AdminToken}}
	c := *e
	c.Service, c.Remote, c.URL = cl, true, srv.URL
	return &c
}

// Events returns the events waiting in the outbox, oldest first.
func (e *Env) Events(t testing.TB) []bus.Event {
	t.Helper()
	return bustest.OutboxEvents(t, e.DB)
}

// ProductEvents decodes the catalog.product.updated events for product id.
func (e *Env) ProductEvents(t testing.TB, id string) []catalog.ProductUpdated {
	t.Helper()
	var out []catalog.ProductUpdated
	for _, ev := range e.Events(t) {
		if ev.Type != catalog.EventProductUpdated {
			continue
		}
		var d catalog.ProductUpdated
		if err := ev.Decode(&d); err != nil {
			t.Fatal(err)
		}
		if d.ProductID == id {
			out = append(out, d)
		}
	}
	return out
}
