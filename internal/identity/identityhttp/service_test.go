package identityhttp_test

import (
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/identity/identityhttp"
	"github.com/bazaarshop/bazaar/internal/identity/identitytest"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

var secret = []byte("test-internal-secret-of-32-bytes!")

type stack struct {
	core   *identity.Core
	clock  *identitytest.Clock
	srv    *httptest.Server
	client *identityhttp.Client
}

// newStack serves a Core through the real router and middleware, as the
// wiring does: authn in front, identity's routes on the huma API.
func newStack(t *testing.T, dev bool) *stack {
	t.Helper()
	clock := identitytest.NewClock()
	core := identitytest.NewCore(t, sqldbtest.OpenSQLite(t), identitytest.SuiteOptions(clock))
	log := slog.New(slog.NewTextHandler(io.Discard, nil))
	rt := web.NewRouter(web.Options{Title: "identity", Version: "test", Logger: log, MaxBodyBytes: 64 << 10,
		Middleware: []func(http.Handler) http.Handler{authn.Middleware(core, authn.Options{ServiceSecrets: [][]byte{secret}, Logger: log})}})
	identityhttp.Register(rt.API, core, identityhttp.Options{Dev: dev, Mailbox: core.DevMail, TrustProxy: true})
	srv := httptest.NewServer(rt.Handler())
	t.Cleanup(srv.Close)
	signer, err := authn.NewSigner("cart", secret)
	if err != nil {
		t.Fatal(err)
	}
	return &stack{core: core, clock: clock, srv: srv, client: identityhttp.NewClient(srv.URL, signer)}
}

// TestClientPassesTheServiceSuite runs the same suite as Core, through
// HTTP: the client and the server agree on every method and error.
func TestClientPassesTheServiceSuite(t *testing.T) {
	identitytest.ServiceSuite(t, func(t *testing.T) identitytest.Harness {
		s := newStack(t, true)
		return identitytest.Harness{
			Service:       s.client,
			Clock:         s.clock,
			Mailbox:       func(ctx context.Context) ([]identity.Mail, error) { return s.client.DevMail(ctx) },
			CreateAdmin:   s.core.CreateAdmin,
			OrderPaid:     s.core.HandleOrderPaid,
			CartItemAdded: s.core.HandleCartItemAdded,
		}
	})
}
