package carttest_test

import (
	"context"
	"testing"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/cart/cartdb"
	"github.com/bazaarshop/bazaar/internal/cart/carttest"
	"github.com/bazaarshop/bazaar/internal/platform/cache"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
	"github.com/bazaarshop/bazaar/internal/platform/testenv"
)

var dialects = []struct {
	name string
	open func(testing.TB) *sqldb.DB
}{
	{"sqlite", sqldbtest.OpenSQLite},
	{"postgres", sqldbtest.OpenPostgres},
}

func TestStore(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			carttest.StoreSuite(t, func(t *testing.T) cart.Store {
				db := d.open(t)
				if err := cartdb.Migrate(context.Background(), db); err != nil {
					t.Fatal(err)
				}
				return cartdb.New(db)
			})
		})
	}
}

// redisCache opens a namespace of the test Redis of its own, so the cached
// carts of one test never meet another's.
func redisCache(t testing.TB) cache.Cache {
	r, err := cache.OpenRedis(context.Background(), testenv.RedisURL(t))
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	return cache.Namespace(r, testenv.Name("carttest"))
}

func TestService(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			t.Run("core", func(t *testing.T) {
				carttest.ServiceSuite(t, func(t *testing.T) *carttest.Env {
					return carttest.NewEnv(t, d.open(t), cart.Options{})
				})
			})
			t.Run("http", func(t *testing.T) {
				carttest.ServiceSuite(t, func(t *testing.T) *carttest.Env {
					return carttest.NewEnv(t, d.open(t), cart.Options{}).OverHTTP(t)
				})
			})
		})
	}
	// The read-through cache must not change a single answer.
	t.Run("sqlite/memory-cache", func(t *testing.T) {
		carttest.ServiceSuite(t, func(t *testing.T) *carttest.Env {
			return carttest.NewEnv(t, sqldbtest.OpenSQLite(t), cart.Options{Cache: cache.NewMemory(cache.MemoryOptions{})})
		})
	})
	t.Run("postgres/redis-cache", func(t *testing.T) {
		carttest.ServiceSuite(t, func(t *testing.T) *carttest.Env {
			c := redisCache(t)
			return carttest.NewEnv(t, sqldbtest.OpenPostgres(t), cart.Options{Cache: c}).OverHTTP(t)
		})
	})
}
