package catalogtest_test

import (
	"context"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogdb"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogtest"
	"github.com/bazaarshop/bazaar/internal/platform/cache"
	"github.com/bazaarshop/bazaar/internal/platform/testenv"
)

// With Redis as the shared cache, a price changed through one replica is
// in the other replica's listing and product page within a quarter of a
// second, though both were cached a moment before.
func TestRedisInvalidation(t *testing.T) {
	url := testenv.RedisURL(t)
	ctx := context.Background()
	r, err := cache.OpenRedis(ctx, url)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { r.Close() })
	shared := cache.Namespace(r, testenv.Name("t"))
	db := dialects[0].open(t)
	writer := catalogtest.NewEnv(t, db, catalog.Options{Cache: shared})
	clk := &clock{now: time.Now()}
	reader := catalog.NewCore(catalogdb.New(db), catalog.Options{Cache: shared, Logger: catalogtest.Quiet, Now: clk.Now})
	catalogtest.NewFixture(t, writer.Service)
	read := func() (int64, int64) {
		page, err := reader.ListProducts(ctx, catalog.ListQuery{Category: "kurtas", Sort: catalog.SortPriceAsc})
		if err != nil {
			t.Fatal(err)
		}
		p, err := reader.Product(ctx, "cotton-anarkali-kurta")
		if err != nil {
			t.Fatal(err)
		}
		return page.Items[0].Price.Amount, p.Variants[0].Price.Amount
	}
	if l, p := read(); l != 129900 || p != 129900 {
		t.Fatalf("before: listing %d, page %d", l, p)
	}
	read() // served from Redis now
	if err := writer.Service.SetPrices(ctx, []catalog.PriceChange{
		{SKU: "KRT-ANK-S", Price: catalogtest.INR(99900)}, {SKU: "KRT-ANK-M", Price: catalogtest.INR(99900)},
	}); err != nil {
		t.Fatal(err)
	}
	clk.advance(300 * time.Millisecond) // the reader rereads the generation
	if l, p := read(); l != 99900 || p != 99900 {
		t.Fatalf("after: listing %d, page %d", l, p)
	}
}

// Replicas sharing a cache: a price changed through one is in the other's
// LookupSKUs (which it answers from memory) once it rereads the
// generation, within a quarter of a second.
func TestSKUsAcrossReplicas(t *testing.T) {
	ctx := context.Background()
	shared := cache.NewMemory(cache.MemoryOptions{})
	t.Cleanup(func() { shared.Close() })
	db := dialects[0].open(t)
	writer := catalogtest.NewEnv(t, db, catalog.Options{Cache: shared})
	clk := &clock{now: time.Now()}
	reader := catalog.NewCore(catalogdb.New(db), catalog.Options{Cache: shared, Logger: catalogtest.Quiet, Now: clk.Now})
	catalogtest.NewFixture(t, writer.Service)
	price := func() int64 {
		infos, err := reader.LookupSKUs(ctx, []string{"KRT-ANK-S"})
		if err != nil || len(infos) != 1 {
			t.Fatalf("lookup: %+v, %v", infos, err)
		}
		return infos[0].Price.Amount
	}
	if p := price(); p != 129900 {
		t.Fatalf("before: %d", p)
	}
	price() // from memory now
	if err := writer.Service.SetPrices(ctx, []catalog.PriceChange{{SKU: "KRT-ANK-S", Price: catalogtest.INR(99900)}}); err != nil {
		t.Fatal(err)
	}
	clk.advance(300 * time.Millisecond)
	if p := price(); p != 99900 {
		t.Fatalf("after: %d", p)
	}
}
