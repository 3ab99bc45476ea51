package carttest

import (
	"bytes"
	"context"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/cart/cartdb"
	"github.com/bazaarshop/bazaar/internal/cart/carthttp"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/bustest"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// Start is the suites' clock at the start: after GST 2.0 took effect.
var Start = time.Date(2026, 3, 2, 4, 30, 0, 0, time.UTC)

// Env is a cart service under test with its store, fakes and clock.
type Env struct {
	Service   cart.Service
	Core      *cart.Core
	Store     *cartdb.Store
	DB        *sqldb.DB
	Catalog   *Catalog
	Inventory *Inventory
	Clock     *Clock
	// URL is the HTTP server's address when the service runs over HTTP.
	URL  string
	HTTP bool
	logs *syncBuffer

	mu     sync.Mutex
	tokens map[string]string // guest cart id → token
}

// remember keeps the token of a guest cart just created.
func (e *Env) remember(c cart.Cart) {
	e.mu.Lock()
	defer e.mu.Unlock()
	if e.tokens == nil {
		e.tokens = map[string]string{}
	}
	e.tokens[c.ID] = c.Token
}

// Tok returns the token of a guest cart the suite created ("" for a
// member's cart).
func (e *Env) Tok(c cart.Cart) string {
	e.mu.Lock()
	defer e.mu.Unlock()
	return e.tokens[c.ID]
}

// NewEnv migrates db and builds a Core over it with the fixture's
// catalogue and stock. opts may set a Cache and limits; the fakes and the
// clock are filled in.
func NewEnv(t testing.TB, db *sqldb.DB, opts cart.Options) *Env {
	t.Helper()
	if err := cartdb.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	cat, inv := Fixture()
	clock := NewClock(Start)
	opts.Catalog, opts.Inventory, opts.Clock = cat, inv, clock.Now
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.DiscardHandler)
	}
	store := cartdb.New(db)
	core := cart.NewCore(store, opts)
	return &Env{Service: core, Core: core, Store: store, DB: db, Catalog: cat, Inventory: inv, Clock: clock}
}

// testSecret signs principals between the test client and server.
var testSecret = []byte("carttest-internal-secret-0123456789abcdef")

// OverHTTP serves e's Core through the real router, the authn middleware
// and carthttp, and makes e.Service a carthttp.Client of it that signs the
// caller's principal as a Bazaar service would.
func (e *Env) OverHTTP(t testing.TB) *Env {
	t.Helper()
	e.logs = &syncBuffer{}
	log := slog.New(slog.NewJSONHandler(e.logs, nil))
	nobody := authn.ResolverFunc(func(context.Context, string) (authn.Principal, error) {
		return authn.Principal{}, authn.ErrUnauthenticated
	})
	rt := web.NewRouter(web.Options{Title: "cart test", Version: "test", Logger: log,
		Middleware: []func(http.Handler) http.Handler{authn.Middleware(nobody, authn.Options{ServiceSecrets: [][]byte{testSecret}, Logger: log})}})
	carthttp.Register(rt.API, e.Core, carthttp.Options{Admin: huma.Middlewares{authn.RequireRole(rt.API, authn.RoleStaff, authn.RoleAdmin)}})
	srv := httptest.NewServer(rt.Handler())
	t.Cleanup(srv.Close)
	signer, err := authn.NewSigner("checkout", testSecret)
	if err != nil {
		t.Fatal(err)
	}
	cl := carthttp.NewClient(srv.URL)
	cl.HTTP.Transport = authn.NewTransport(nil, signer)
	e.Service, e.URL, e.HTTP = cl, srv.URL, true
	return e
}

// Logs returns what the HTTP server logged so far.
func (e *Env) Logs() string {
	if e.logs == nil {
		return ""
	}
	return e.logs.String()
}

// Member returns ctx acting as a signed-in customer.
func Member(ctx context.Context, userID string) context.Context {
	return authn.WithPrincipal(ctx, authn.Principal{UserID: userID, Role: authn.RoleCustomer})
}

// Staff returns ctx acting as a signed-in staff member.
func Staff(ctx context.Context) context.Context {
	return authn.WithPrincipal(ctx, authn.Principal{UserID: "0190a000-0000-7000-8000-0000000000aa", Role: authn.RoleStaff})
}

// Outbox returns the events waiting in the cart store's outbox.
func (e *Env) Outbox(t testing.TB) []bus.Event {
	t.Helper()
	return bustest.OutboxEvents(t, e.DB)
}

// syncBuffer is a bytes.Buffer safe for the server's goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// is fails t unless err is an *errs.Error with want's kind and code.
func is(t testing.TB, err error, want *errs.Error) {
	t.Helper()
	if err == nil {
		t.Fatalf("no error, want %s", want.Code)
	}
	if errs.KindOf(err) != want.Kind || errs.CodeOf(err) != want.Code {
		t.Fatalf("error %v (%s/%s), want %s/%s", err, errs.KindOf(err), errs.CodeOf(err), want.Kind, want.Code)
	}
}

func must[T any](t testing.TB) func(T, error) T {
	return func(v T, err error) T {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
		return v
	}
}
