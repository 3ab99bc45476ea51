package payment_test

import (
	"testing"

	"github.com/bazaarshop/bazaar/internal/payment/paymenttest"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// The service suite against Core, on each engine.
func TestCore(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, _ *sqldb.DB) {
		open := sqldbtest.OpenSQLite
		if t.Name() == "TestCore/postgres" {
			open = sqldbtest.OpenPostgres
		}
		paymenttest.ServiceSuite(t, func(t *testing.T) *paymenttest.Env {
			return paymenttest.NewEnv(t, open(t), paymenttest.Config{})
		})
	})
}
