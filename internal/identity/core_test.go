package identity_test

import (
	"context"
	"testing"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/identity/identitytest"
	"github.com/bazaarshop/bazaar/internal/platform/cache"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
	"github.com/bazaarshop/bazaar/internal/platform/testenv"
)

// coreHarness makes a Core on db with cache c.
func coreHarness(t *testing.T, db *sqldb.DB, c cache.Cache) identitytest.Harness {
	clock := identitytest.NewClock()
	opts := identitytest.SuiteOptions(clock)
	opts.Cache = c
	core := identitytest.NewCore(t, db, opts)
	return identitytest.Harness{
		Service:       core,
		Clock:         clock,
		Mailbox:       func(ctx context.Context) ([]identity.Mail, error) { return core.DevMail(ctx, 500) },
		CreateAdmin:   core.CreateAdmin,
		OrderPaid:     core.HandleOrderPaid,
		CartItemAdded: core.HandleCartItemAdded,
	}
}

func TestCoreOnSQLite(t *testing.T) {
	identitytest.ServiceSuite(t, func(t *testing.T) identitytest.Harness {
		return coreHarness(t, sqldbtest.OpenSQLite(t), nil)
	})
}

// TestCoreOnPostgresAndRedis is the production shape: sessions and
// throttling counters in Redis, rows in PostgreSQL.
func TestCoreOnPostgresAndRedis(t *testing.T) {
	url := testenv.RedisURL(t)
	identitytest.ServiceSuite(t, func(t *testing.T) identitytest.Harness {
		rc, err := cache.Open(context.Background(), url)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { rc.Close() })
		return coreHarness(t, sqldbtest.OpenPostgres(t), cache.Namespace(rc, testenv.Name("idt")))
	})
}
