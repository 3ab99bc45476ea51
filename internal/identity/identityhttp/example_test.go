package identityhttp_test

import (
	"context"
	"fmt"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/identity/identitydb"
	"github.com/bazaarshop/bazaar/internal/identity/identityhttp"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// Example wires identity as the composition root does: the store, the
// Core, the authn middleware in front of every route (resolving sessions
// through the Core, which is created after the router, hence the
// ResolverFunc), and identity's routes.
func Example() {
	ctx := context.Background()
	dir, _ := os.MkdirTemp("", "identity-example")
	defer os.RemoveAll(dir)
	db, _ := sqldb.Open(ctx, dir, "identity")
	defer db.Close()
	_ = identitydb.Migrate(ctx, db) // identity's tables and its outbox

	var core *identity.Core
	resolver := authn.ResolverFunc(func(ctx context.Context, token string) (authn.Principal, error) {
		return core.Authenticate(ctx, token)
	})
	rt := web.NewRouter(web.Options{Title: "Bazaar", Version: "dev",
		Middleware: []func(http.Handler) http.Handler{authn.Middleware(resolver, authn.Options{})}})
	core = identity.NewCore(identitydb.New(db), identity.Options{Password: identity.TestPasswordParams})
	identityhttp.Register(rt.API, core, identityhttp.Options{Dev: true, Mailbox: core.DevMail})
	srv := httptest.NewServer(rt.Handler())
	defer srv.Close()

	resp, _ := http.Post(srv.URL+"/api/v1/auth/signup", "application/json",
		strings.NewReader(`{"email":"asha@example.com","password":"correct horse battery staple","name":"Asha"}`))
	resp.Body.Close()
	fmt.Println(resp.Status)
	mail, _ := core.DevMail(ctx, 1)
	fmt.Println(mail[0].Subject)
	// Output:
	// 202 Accepted
	// Confirm your email address
}
