package paymentdb_test

import (
	"context"
	"testing"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/payment/paymentdb"
	"github.com/bazaarshop/bazaar/internal/payment/paymenttest"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

func TestStore(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		used := false
		paymenttest.StoreSuite(t, func(t *testing.T) (payment.Store, *sqldb.DB) {
			// Every case but the first gets a fresh database.
			if used {
				db = sqldbtest.Open(t, db.Dialect())
			}
			used = true
			if err := paymentdb.Migrate(context.Background(), db); err != nil {
				t.Fatal(err)
			}
			return paymentdb.New(db), db
		})
	})
}

// The migrations go down and up again on both engines.
func TestMigrateDown(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := paymentdb.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := db.MigrateDown(ctx, paymentdb.Migrations); err != nil {
			t.Fatal(err)
		}
		if err := paymentdb.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}
