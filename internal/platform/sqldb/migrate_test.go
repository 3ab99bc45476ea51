package sqldb_test

import (
	"context"
	"os"
	"sync"
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
	"github.com/bazaarshop/bazaar/internal/platform/testenv"
	"github.com/jackc/pgx/v5"
)

var (
	shop  = sqldb.Migrations{Owner: "shop", FS: os.DirFS("testdata/shop")}
	other = sqldb.Migrations{Owner: "other", FS: os.DirFS("testdata/other")}
)

// migrated opens a fresh store of every dialect with the shop schema applied.
func migrated(t *testing.T, fn func(t *testing.T, db *sqldb.DB)) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		if _, err := db.Migrate(context.Background(), shop); err != nil {
			t.Fatalf("migrate: %v", err)
		}
		fn(t, db)
	})
}

func version(t *testing.T, db *sqldb.DB, m sqldb.Migrations) int64 {
	t.Helper()
	v, err := db.MigrationVersion(context.Background(), m)
	if err != nil {
		t.Fatalf("version of %s: %v", m.Owner, err)
	}
	return v
}

func tableExists(t *testing.T, db *sqldb.DB, table string) bool {
	t.Helper()
	q := "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = $1"
	if db.Dialect() == sqldb.Postgres {
		q = "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = $1"
	}
	var n int
	if err := db.QueryRowContext(context.Background(), q, table).Scan(&n); err != nil {
		t.Fatalf("look up table %s: %v", table, err)
	}
	return n == 1
}

func TestMigrateUpDown(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if v := version(t, db, shop); v != 0 {
			t.Fatalf("fresh store at version %d, want 0", v)
		}

		res, err := db.Migrate(ctx, shop)
		if err != nil {
			t.Fatalf("up: %v", err)
		}
		if len(res) != 3 {
			t.Fatalf("up applied %d migrations, want 3", len(res))
		}
		if v := version(t, db, shop); v != 3 {
			t.Fatalf("after up at version %d, want 3", v)
		}
		for _, table := range []string{"widgets", "parts", "counters"} {
			if !tableExists(t, db, table) {
				t.Errorf("table %s missing after up", table)
			}
		}

		res, err = db.Migrate(ctx, shop)
		if err != nil || len(res) != 0 {
			t.Fatalf("second up = %d results, %v; want a no-op", len(res), err)
		}

		if err := db.MigrateDown(ctx, shop); err != nil {
			t.Fatalf("down: %v", err)
		}
		if v := version(t, db, shop); v != 2 {
			t.Fatalf("after down at version %d, want 2", v)
		}
		if tableExists(t, db, "counters") || !tableExists(t, db, "parts") {
			t.Fatal("down must drop counters, and only counters")
		}

		if res, err := db.Migrate(ctx, shop); err != nil || len(res) != 1 {
			t.Fatalf("up after down = %d results, %v; want 1", len(res), err)
		}
	})
}

func TestMigrateOwnersKeepSeparateVersions(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		ctx := context.Background()
		if _, err := db.Migrate(ctx, shop); err != nil {
			t.Fatal(err)
		}
		if v := version(t, db, other); v != 0 {
			t.Fatalf("other sees version %d before its own migration, want 0", v)
		}
		if _, err := db.Migrate(ctx, other); err != nil {
			t.Fatal(err)
		}
		if a, b := version(t, db, shop), version(t, db, other); a != 3 || b != 1 {
			t.Fatalf("versions shop=%d other=%d, want 3 and 1", a, b)
		}
		if err := db.MigrateDown(ctx, other); err != nil {
			t.Fatal(err)
		}
		if a, b := version(t, db, shop), version(t, db, other); a != 3 || b != 0 {
			t.Fatalf("after other down: shop=%d other=%d, want 3 and 0", a, b)
		}
		if !tableExists(t, db, "goose_shop") || !tableExists(t, db, "goose_other") {
			t.Fatal("each owner needs its own version table")
		}
	})
}

func TestMigrateRejectsBadOwner(t *testing.T) {
	db := sqldbtest.OpenSQLite(t)
	bad := sqldb.Migrations{Owner: "Shop; DROP", FS: shop.FS}
	if _, err := db.Migrate(context.Background(), bad); err == nil {
		t.Fatal("an owner that is not an identifier must be refused")
	}
}

// Replicas of one service start together and all run their migrations.
func TestMigrateConcurrentReplicas(t *testing.T) {
	const replicas = 4
	run := func(t *testing.T, url, service string) {
		ctx := context.Background()
		dbs := make([]*sqldb.DB, replicas)
		for i := range dbs {
			db, err := sqldb.Open(ctx, url, service)
			if err != nil {
				t.Fatal(err)
			}
			t.Cleanup(func() { db.Close() })
			dbs[i] = db
		}
		errc := make(chan error, replicas)
		var wg sync.WaitGroup
		for _, db := range dbs {
			wg.Go(func() {
				_, err := db.Migrate(ctx, shop)
				errc <- err
			})
		}
		wg.Wait()
		close(errc)
		for err := range errc {
			if err != nil {
				t.Errorf("concurrent migrate: %v", err)
			}
		}
		if v := version(t, dbs[replicas-1], shop); v != 3 {
			t.Fatalf("version %d after concurrent migrations, want 3", v)
		}
	}
	t.Run("sqlite", func(t *testing.T) { run(t, t.TempDir(), "shop") })
	t.Run("postgres", func(t *testing.T) {
		url := testenv.PostgresURL(t)
		schema := testenv.Name("t")
		t.Cleanup(func() { dropSchema(url, schema) })
		run(t, url, schema)
	})
}

func dropSchema(url, schema string) {
	ctx := context.Background()
	if conn, err := pgx.Connect(ctx, url); err == nil {
		_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
		conn.Close(ctx)
	}
}
