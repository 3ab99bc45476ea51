package catalogtest_test

import (
	"context"
	"testing"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogdb"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogtest"
	"github.com/bazaarshop/bazaar/internal/platform/cache"
)

// BenchmarkLookupSKUs is what the cart asks the catalogue for each line it
// prices, on SQLite: "store" without a cache (every lookup goes to SQL, as
// all of them did before the SKU cache), "cached" with one.
func BenchmarkLookupSKUs(b *testing.B) {
	for _, name := range []string{"store", "cached"} {
		b.Run(name, func(b *testing.B) {
			db := dialects[0].open(b)
			if err := catalogdb.Migrate(context.Background(), db); err != nil {
				b.Fatal(err)
			}
			o := catalog.Options{Logger: catalogtest.Quiet}
			if name == "cached" {
				mem := cache.NewMemory(cache.MemoryOptions{})
				b.Cleanup(func() { mem.Close() })
				o.Cache = mem
			}
			core := catalog.NewCore(catalogdb.New(db), o)
			catalogtest.NewFixture(b, core)
			ctx := context.Background()
			skus := []string{"KRT-ANK-M"}
			b.ResetTimer()
			for b.Loop() {
				if infos, err := core.LookupSKUs(ctx, skus); err != nil || len(infos) != 1 {
					b.Fatal(infos, err)
				}
			}
		})
	}
}
