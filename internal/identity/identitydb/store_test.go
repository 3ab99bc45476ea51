package identitydb_test

import (
	"context"
	"testing"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/identity/identitydb"
	"github.com/bazaarshop/bazaar/internal/identity/identitytest"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

func TestStore(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		if err := identitydb.Migrate(context.Background(), db); err != nil {
			t.Fatal(err)
		}
		identitytest.StoreSuite(t, func(t *testing.T) identity.Store {
			// One database per dialect: the suite's subtests use disjoint
			// keys except where they truncate.
			return identitydb.New(freshSchema(t, db))
		})
	})
}

// freshSchema empties every table, so each subtest starts clean.
func freshSchema(t *testing.T, db *sqldb.DB) *sqldb.DB {
	t.Helper()
	for _, table := range []string{"sessions", "tokens", "addresses", "accounts", "mail", "behaviour", "pairs", "product_stats", "purchases", "processed_events", "outbox"} {
		if _, err := db.ExecContext(context.Background(), "DELETE FROM "+table); err != nil {
			t.Fatal(err)
		}
	}
	return db
}

func TestPublishGoesThroughTheOutbox(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := identitydb.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		s := identitydb.New(db)
		ev, _ := bus.NewEvent("identity.user.erased", identity.UserErased{UserID: "u"})
		if err := s.Publish(ctx, identity.SubjectUserErased, ev); err == nil {
			t.Fatal("publish outside a transaction accepted")
		}
		if err := s.InTx(ctx, func(tx identity.Store) error { return tx.Publish(ctx, identity.SubjectUserErased, ev) }); err != nil {
			t.Fatal(err)
		}
		if n, err := outbox.Pending(ctx, db); err != nil || n != 1 {
			t.Fatalf("pending %d, %v", n, err)
		}
	})
}

func TestMigrationsGoDownAndUp(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if err := identitydb.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
		if err := db.MigrateDown(ctx, identitydb.Migrations); err != nil {
			t.Fatal(err)
		}
		if err := identitydb.Migrate(ctx, db); err != nil {
			t.Fatal(err)
		}
	})
}
