package carttest_test

import (
	"context"
	"fmt"
	"slices"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/cart/carttest"
	"github.com/bazaarshop/bazaar/internal/cart/pricing"
	"github.com/bazaarshop/bazaar/internal/platform/cache"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// The benchmarks' carts: 20 lines of 20 SKUs across brands, categories
// and collections, under 3 promotions (an automatic 10% off a collection,
// a 15% coupon on a brand, and an automatic buy-2-get-1 on a category).
const (
	benchLines = 20
	benchSKUs  = 40
)

var benchBrands = []string{"Fabindia", "Biba", "W", "Puma"}

func benchSKU(i int) string { return fmt.Sprintf("BENCH-%03d", i) }

type benchEnv struct {
	*carttest.Env
	promos int
}

type mode struct {
	name string
	open func(testing.TB) *sqldb.DB
	http bool
	opts func(testing.TB) cart.Options
}

var modes = []mode{
	{name: "core/sqlite", open: sqldbtest.OpenSQLite},
	{name: "core/sqlite+cache", open: sqldbtest.OpenSQLite, opts: func(testing.TB) cart.Options {
		return cart.Options{Cache: cache.NewMemory(cache.MemoryOptions{})}
	}},
	{name: "core/postgres", open: sqldbtest.OpenPostgres},
	{name: "core/postgres+redis", open: sqldbtest.OpenPostgres, opts: func(t testing.TB) cart.Options {
		return cart.Options{Cache: redisCache(t)}
	}},
	{name: "http/sqlite", open: sqldbtest.OpenSQLite, http: true},
}

func newBenchEnv(b *testing.B, m mode) *benchEnv {
	b.Helper()
	opts := cart.Options{}
	if m.opts != nil {
		opts = m.opts(b)
	}
	e := carttest.NewEnv(b, m.open(b), opts)
	cats := [][]string{{"women", "kurtas"}, {"women", "sarees"}, {"men", "shirts"}, {"men", "socks"}}
	for i := range benchSKUs {
		info := cart.SKUInfo{SKU: benchSKU(i), ProductID: ids.New(), Slug: fmt.Sprintf("bench-%d", i), Title: fmt.Sprintf("Bench item %d", i),
			Size: "M", Brand: benchBrands[i%len(benchBrands)], Categories: cats[i%len(cats)],
			Price: money.MustNew(int64(299_00+i*137_00), "INR"), Purchasable: true}
		if i%3 == 0 {
			info.Collections = []string{"festive"}
		}
		e.Catalog.Put(info)
		e.Inventory.Set(info.SKU, 1_000_000)
	}
	staff := carttest.Staff(context.Background())
	for _, r := range []pricing.Rule{
		{Name: "Festive 10", Kind: pricing.KindPercentage, PercentBP: 1000, Target: pricing.Target{Collections: []string{"festive"}}, Enabled: true},
		{Name: "Biba 15", Code: "BIBA15", Kind: pricing.KindPercentage, PercentBP: 1500, Target: pricing.Target{Brands: []string{"Biba"}}, Enabled: true},
		{Name: "Socks B2G1", Kind: pricing.KindBuyXGetY, BuyQuantity: 2, GetQuantity: 1, Target: pricing.Target{Categories: []string{"socks"}}, Enabled: true},
	} {
		if _, err := e.Core.CreatePromotion(staff, r); err != nil {
			b.Fatal(err)
		}
	}
	if m.http {
		e.OverHTTP(b)
	}
	return &benchEnv{Env: e, promos: 3}
}

// memberCarts stores n member carts of 20 lines each, one unit a line,
// with the coupon on, straight through the store (setting them up through
// the service would take longer than the benchmark).
func (e *benchEnv) memberCarts(b *testing.B, n int) []cart.Record {
	b.Helper()
	ctx := context.Background()
	now := carttest.Start
	recs := make([]cart.Record, n)
	for i := range recs {
		r := cart.Record{ID: ids.New(), UserID: ids.New(), Status: cart.StatusActive, Currency: "INR", Version: 1,
			Codes: []string{"BIBA15"}, CreatedAt: now, UpdatedAt: now}
		for j := range benchLines {
			sku := benchSKU((i + j) % benchSKUs)
			info, _ := e.Catalog.LookupSKUs(ctx, []string{sku})
			r.Lines = append(r.Lines, cart.StoredLine{ID: ids.New(), SKU: sku, Quantity: 1, Price: info[sku].Price, AddedAt: now})
		}
		recs[i] = r
	}
	for chunk := range slices.Chunk(recs, 500) {
		err := e.Store.InTx(ctx, func(tx cart.Tx) error {
			for _, r := range chunk {
				if err := tx.InsertCart(ctx, r); err != nil {
					return err
				}
			}
			return nil
		})
		if err != nil {
			b.Fatal(err)
		}
	}
	return recs
}

// report adds latency percentiles and throughput to the benchmark's line.
func report(b *testing.B, lat []time.Duration, elapsed time.Duration, unit string) {
	b.StopTimer()
	slices.Sort(lat)
	pct := func(p float64) float64 {
		return float64(lat[min(len(lat)-1, int(p*float64(len(lat))))].Microseconds())
	}
	b.ReportMetric(pct(0.50), "p50-µs")
	b.ReportMetric(pct(0.99), "p99-µs")
	b.ReportMetric(float64(len(lat))/elapsed.Seconds(), unit)
}

// BenchmarkCartRead reads a 20-line cart with 3 promotions: re-priced from
// the catalogue, checked against inventory, promotions, GST and shipping.
func BenchmarkCartRead(b *testing.B) {
	for _, m := range modes {
		b.Run(m.name, func(b *testing.B) {
			e := newBenchEnv(b, m)
			rec := e.memberCarts(b, 1)[0]
			ctx := carttest.Member(context.Background(), rec.UserID)
			c, err := e.Service.Cart(ctx, rec.ID, "")
			if err != nil || len(c.Lines) != benchLines || len(c.Totals.Discounts) != e.promos {
				b.Fatalf("bench cart: %d lines, %d promotions applied, %v", len(c.Lines), len(c.Totals.Discounts), err)
			}
			lat := make([]time.Duration, 0, b.N)
			b.ReportAllocs()
			b.ResetTimer()
			start := time.Now()
			for range b.N {
				t0 := time.Now()
				if _, err := e.Service.Cart(ctx, rec.ID, ""); err != nil {
					b.Fatal(err)
				}
				lat = append(lat, time.Since(t0))
			}
			report(b, lat, time.Since(start), "reads/s")
		})
	}
}

// BenchmarkAddItem adds one unit to a line of a 20-line cart with 3
// promotions and reads back the re-priced cart. Sequential calls give the
// latency; "parallel" runs 8 shoppers at once on their own carts for the
// throughput.
func BenchmarkAddItem(b *testing.B) {
	for _, m := range modes {
		for _, par := range []int{1, 8} {
			name := m.name
			if par > 1 {
				name += fmt.Sprintf("/parallel-%d", par)
			}
			b.Run(name, func(b *testing.B) { benchAdd(b, m, par) })
		}
	}
}

func benchAdd(b *testing.B, m mode, par int) {
	e := newBenchEnv(b, m)
	// Each line takes 9 more units (10 a line at most): 180 adds a cart.
	const perCart = benchLines * 9
	recs := e.memberCarts(b, par*(b.N/perCart+1))
	var next atomic.Int64
	lat := make([][]time.Duration, par)
	b.ReportAllocs()
	b.ResetTimer()
	start := time.Now()
	var wg sync.WaitGroup
	for w := range par {
		wg.Go(func() {
			// Worker w uses carts w, w+par, …, so no two workers share one.
			ci, done := w, 0
			for {
				i := next.Add(1) - 1
				if i >= int64(b.N) {
					return
				}
				if done == perCart {
					ci, done = ci+par, 0
				}
				r := recs[ci]
				ctx := carttest.Member(context.Background(), r.UserID)
				sku := r.Lines[done%benchLines].SKU
				t0 := time.Now()
				if _, err := e.Service.AddItem(ctx, r.ID, "", cart.AddItem{SKU: sku, Quantity: 1}); err != nil {
					b.Error(err)
					return
				}
				lat[w] = append(lat[w], time.Since(t0))
				done++
			}
		})
	}
	wg.Wait()
	elapsed := time.Since(start)
	report(b, slices.Concat(lat...), elapsed, "adds/s")
}
