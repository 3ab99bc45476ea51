package inventorytest_test

import (
	"context"
	"fmt"
	"math/rand/v2"
	"os"
	"strconv"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/inventory/inventorytest"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// The reservation benchmarks, on both engines (PostgreSQL when
// BAZAAR_TEST_POSTGRES_URL is set):
//
//	go test -run '^$' -bench 'Reserve|Naive' -benchtime 5s ./internal/inventory/inventorytest/
//
// Every benchmark has BENCH_CALLERS concurrent callers per GOMAXPROCS (64:
// 128 on two cores) and reports reserves/s; compare a hot-SKU rate with the
// naive update of the same engine from the same run.

func callers() int {
	if n, err := strconv.Atoi(os.Getenv("BENCH_CALLERS")); err == nil && n > 0 {
		return n
	}
	return 64
}

// benchLanes are the lane counts tried on each engine: 0 is the store's
// default (SQLite: one lane, one bucket per SKU; PostgreSQL: two lanes, a
// bucket each); one lane is plain group commit on one row per SKU.
var benchLanes = map[string][]int{"sqlite": {0}, "postgres": {0, 1, 4}}

func laneOptions(lanes int) inventory.Options {
	o := inventory.Options{Lanes: lanes, Clock: time.Now}
	if lanes > 0 {
		o.Slots = lanes
	}
	return o
}

func forEachBenchEngine(b *testing.B, fn func(b *testing.B, db func(testing.TB) *sqldb.DB, o inventory.Options)) {
	for _, d := range dialects {
		for _, lanes := range benchLanes[d.name] {
			name := d.name
			if lanes > 0 {
				name += fmt.Sprintf("/lanes=%d", lanes)
			}
			b.Run(name, func(b *testing.B) { fn(b, d.open, laneOptions(lanes)) })
		}
	}
}

// reserveRun reserves one unit of pick() per operation under a fresh
// reference, spreading the callers over es (replicas of the service on one
// database), and reports the rate and how the batches went.
func reserveRun(b *testing.B, pick func() string, es ...*inventorytest.Env) {
	ctx := context.Background()
	var seq atomic.Int64
	stats := func() (s inventory.Stats) {
		for _, e := range es {
			st := e.Core.Stats()
			s.Batches += st.Batches
			s.Ops += st.Ops
			s.FastBatches += st.FastBatches
			s.Retries += st.Retries + st.FastMisses
		}
		return s
	}
	before := stats()
	b.SetParallelism(callers())
	b.ResetTimer()
	start := time.Now()
	b.RunParallel(func(pb *testing.PB) {
		for pb.Next() {
			n := seq.Add(1)
			_, err := es[n%int64(len(es))].Service.Reserve(ctx, inventory.ReserveRequest{
				Reference: "b-" + strconv.FormatInt(n, 36), Lines: []inventory.Line{{SKU: pick(), Quantity: 1}}, TTL: time.Hour,
			})
			if err != nil {
				b.Error(err)
				return
			}
		}
	})
	elapsed := time.Since(start)
	b.StopTimer()
	after := stats()
	b.ReportMetric(float64(b.N)/elapsed.Seconds(), "reserves/s")
	if n := after.Batches - before.Batches; n > 0 {
		b.ReportMetric(float64(after.Ops-before.Ops)/float64(n), "ops/batch")
		b.ReportMetric(float64(after.FastBatches-before.FastBatches)/float64(n), "fast/batch")
		b.ReportMetric(float64(after.Retries-before.Retries)/float64(n), "reruns/batch")
	}
}

// BenchmarkReserveHotSKU: every caller reserves the same SKU.
func BenchmarkReserveHotSKU(b *testing.B) {
	forEachBenchEngine(b, func(b *testing.B, open func(testing.TB) *sqldb.DB, o inventory.Options) {
		e := inventorytest.NewEnv(b, open(b), o)
		if _, err := e.Service.SetOnHand(context.Background(), inventory.SetOnHand{SKU: "HOT", OnHand: 1 << 40}); err != nil {
			b.Fatal(err)
		}
		reserveRun(b, func() string { return "HOT" }, e)
	})
}

// BenchmarkReserveHotSKUReplicas: two replicas of the service (two Cores,
// each with its own batcher) reserve the same SKU in one PostgreSQL
// database, as two processes would.
func BenchmarkReserveHotSKUReplicas(b *testing.B) {
	for _, lanes := range benchLanes["postgres"] {
		name := "postgres"
		if lanes > 0 {
			name += fmt.Sprintf("/lanes=%d", lanes)
		}
		b.Run(name, func(b *testing.B) {
			db := sqldbtest.OpenPostgres(b)
			e1 := inventorytest.NewEnv(b, db, laneOptions(lanes))
			e2 := inventorytest.NewEnv(b, db, laneOptions(lanes))
			if _, err := e1.Service.SetOnHand(context.Background(), inventory.SetOnHand{SKU: "HOT", OnHand: 1 << 40}); err != nil {
				b.Fatal(err)
			}
			reserveRun(b, func() string { return "HOT" }, e1, e2)
		})
	}
}

// BenchmarkReserveSpread: callers reserve SKUs picked at random from 10,000.
func BenchmarkReserveSpread(b *testing.B) {
	const n = 10000
	forEachBenchEngine(b, func(b *testing.B, open func(testing.TB) *sqldb.DB, o inventory.Options) {
		e := inventorytest.NewEnv(b, open(b), o)
		levels := make([]inventory.StockLevel, n)
		skus := make([]string, n)
		for i := range levels {
			skus[i] = fmt.Sprintf("SKU-%05d", i)
			levels[i] = inventory.StockLevel{SKU: skus[i], OnHand: 1 << 30}
		}
		if err := e.Service.Import(context.Background(), levels); err != nil {
			b.Fatal(err)
		}
		reserveRun(b, func() string { return skus[rand.IntN(n)] }, e)
	})
}

// BenchmarkNaiveUpdate is the baseline: one row per SKU and, per
// reservation, UPDATE ... SET qty = qty - n WHERE sku = $1 AND qty >= n in
// its own transaction (an autocommitted statement, its cheapest form).
func BenchmarkNaiveUpdate(b *testing.B) {
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			ctx := context.Background()
			db := d.open(b)
			for _, q := range []string{
				`CREATE TABLE naive_stock (sku TEXT PRIMARY KEY, qty BIGINT NOT NULL CHECK (qty >= 0))`,
				`INSERT INTO naive_stock (sku, qty) VALUES ('HOT', 1099511627776)`,
			} {
				if _, err := db.ExecContext(ctx, q); err != nil {
					b.Fatal(err)
				}
			}
			b.SetParallelism(callers())
			b.ResetTimer()
			start := time.Now()
			b.RunParallel(func(pb *testing.PB) {
				for pb.Next() {
					res, err := db.ExecContext(ctx, `UPDATE naive_stock SET qty = qty - $2 WHERE sku = $1 AND qty >= $2`, "HOT", 1)
					if err != nil {
						b.Error(err)
						return
					}
					if n, _ := res.RowsAffected(); n != 1 {
						b.Error("no row updated")
						return
					}
				}
			})
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "reserves/s")
		})
	}
}

// BenchmarkImport loads b.N SKUs (one op each) in one Import call, as the
// catalog seeder does: -benchtime 1000000x loads a million.
func BenchmarkImport(b *testing.B) {
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			e := inventorytest.NewEnv(b, d.open(b), inventory.Options{})
			levels := make([]inventory.StockLevel, b.N)
			for i := range levels {
				levels[i] = inventory.StockLevel{SKU: fmt.Sprintf("SEED-%07d", i), OnHand: int64(i % 60)}
			}
			b.ResetTimer()
			start := time.Now()
			if err := e.Service.Import(context.Background(), levels); err != nil {
				b.Fatal(err)
			}
			b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "skus/s")
		})
	}
}
