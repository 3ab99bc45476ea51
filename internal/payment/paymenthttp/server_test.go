package paymenthttp_test

import (
	"context"
	"crypto/rand"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"sync"
	"testing"

	"github.com/bazaarshop/bazaar/internal/payment/paymenthttp"
	"github.com/bazaarshop/bazaar/internal/payment/paymenttest"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// server is the payment service behind the real router and authentication
// layer, as the binary serves it.
type server struct {
	*httptest.Server
	env    *paymenttest.Env
	client *paymenthttp.Client
}

func newServer(t *testing.T, db *sqldb.DB, cfg paymenttest.Config) *server {
	t.Helper()
	// The sandbox delivers its webhooks over HTTP to the server, which is
	// not up yet when the sandbox is built: route through a late binding.
	var mu sync.Mutex
	var handler http.Handler = http.NotFoundHandler()
	ts := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		h := handler
		mu.Unlock()
		h.ServeHTTP(w, r)
	}))
	t.Cleanup(ts.Close)
	cfg.Sandbox.WebhookURL = ts.URL + "/api/v1/payments/webhooks/sandbox"
	cfg.Sandbox.BaseURL = ts.URL
	env := paymenttest.NewEnv(t, db, cfg)

	secret := make([]byte, 32)
	_, _ = rand.Read(secret)
	log := slog.New(slog.NewJSONHandler(env.Logs, nil))
	noTokens := authn.ResolverFunc(func(context.Context, string) (authn.Principal, error) {
		return authn.Principal{}, authn.ErrUnauthenticated
	})
	rt := web.NewRouter(web.Options{Title: "payment test", Logger: log, Middleware: []func(http.Handler) http.Handler{
		authn.Middleware(noTokens, authn.Options{ServiceSecrets: [][]byte{secret}, Logger: log}),
	}})
	paymenthttp.Register(rt.API, env.Core, paymenthttp.Options{})
	paymenthttp.RegisterWebhooks(rt, env.Core)
	mu.Lock()
	handler = rt.Handler()
	mu.Unlock()

	signer, err := authn.NewSigner("payment-test", secret)
	if err != nil {
		t.Fatal(err)
	}
	cl := paymenthttp.NewClient(ts.URL)
	cl.HTTP.Transport = authn.NewTransport(nil, signer)
	env.Svc = cl
	return &server{Server: ts, env: env, client: cl}
}

// The service suite through the HTTP client, on each engine.
func TestClient(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		open := sqldbtest.OpenSQLite
		if db.Dialect() == sqldb.Postgres {
			open = sqldbtest.OpenPostgres
		}
		paymenttest.ServiceSuite(t, func(t *testing.T) *paymenttest.Env {
			return newServer(t, open(t), paymenttest.Config{}).env
		})
	})
}
