package orderdb_test

import (
	"context"
	"testing"

	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/order/orderdb"
	"github.com/bazaarshop/bazaar/internal/order/ordertest"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

func TestStore(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		used := false
		ordertest.StoreSuite(t, func(t *testing.T) (order.Store, *sqldb.DB) {
			// Every case but the first gets a fresh database.
			if used {
				db = sqldbtest.Open(t, db.Dialect())
			}
			used = true
			if err := orderdb.Migrate(context.Background(), db); err != nil {
				t.Fatal(err)
			}
			return orderdb.New(db), db
		})
	})
}

// The migrations go down and up again on both engines.
func TestMigrateDown(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := orderdb.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := db.MigrateDown(ctx, orderdb.Migrations); err != nil {
			t.Fatal(err)
		}
		if err := orderdb.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}
