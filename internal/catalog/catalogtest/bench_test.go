package catalogtest_test

import (
	"context"
	"fmt"
	"os"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogdb"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogtest"
	"github.com/bazaarshop/bazaar/internal/catalog/seed"
	"github.com/bazaarshop/bazaar/internal/platform/cache"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/testenv"
	"github.com/jackc/pgx/v5"
)

// Benchmarks load a seeded catalogue once per engine and size and share it
// between benchmarks of one run. 100k products run only with
// BAZAAR_BENCH_LARGE=1 (loading them takes minutes).

type benchStore struct {
	once sync.Once
	db   *sqldb.DB
	err  error
}

var benchStores sync.Map // "sqlite/10000" → *benchStore

func benchSizes() []int {
	if os.Getenv("BAZAAR_BENCH_LARGE") != "" {
		return []int{10_000, 100_000}
	}
	return []int{10_000}
}

// benchDB returns a catalogue of n seeded products on an engine, loading it
// on first use. The stores stay open until the process ends.
func benchDB(b *testing.B, engine string, n int) *sqldb.DB {
	b.Helper()
	v, _ := benchStores.LoadOrStore(fmt.Sprintf("%s/%d", engine, n), &benchStore{})
	bs := v.(*benchStore)
	bs.once.Do(func() {
		ctx := context.Background()
		var open func(testing.TB) *sqldb.DB
		for _, d := range dialects {
			if d.name == engine {
				open = d.open
			}
		}
		db := openShared(b, engine, open)
		if err := catalogdb.Migrate(ctx, db); err != nil {
			bs.err = err
			return
		}
		start := time.Now()
		res, err := seed.Load(ctx, catalogdb.New(db), seed.Options{Products: n})
		if err != nil {
			bs.err = err
			return
		}
		b.Logf("loaded %d products (%d variants) into %s in %s", res.Products, res.Variants, engine, time.Since(start).Round(time.Millisecond))
		bs.db = db
	})
	if bs.err != nil {
		b.Fatal(bs.err)
	}
	return bs.db
}

var (
	cleanupMu sync.Mutex
	cleanups  []func()
)

func atExit(f func()) {
	cleanupMu.Lock()
	cleanups = append(cleanups, f)
	cleanupMu.Unlock()
}

func TestMain(m *testing.M) {
	code := m.Run()
	for _, f := range slices.Backward(cleanups) {
		f()
	}
	os.Exit(code)
}

// openShared opens a store that outlives the benchmark that asked first.
func openShared(b *testing.B, engine string, _ func(testing.TB) *sqldb.DB) *sqldb.DB {
	ctx := context.Background()
	if engine == "sqlite" {
		dir, err := os.MkdirTemp("", "bazaar-bench-*")
		if err != nil {
			b.Fatal(err)
		}
		db, err := sqldb.Open(ctx, dir, "catalog")
		if err != nil {
			b.Fatal(err)
		}
		atExit(func() { db.Close(); os.RemoveAll(dir) })
		return db
	}
	url := testenv.PostgresURL(b)
	schema := testenv.Name("bench")
	db, err := sqldb.Open(ctx, url, schema)
	if err != nil {
		b.Fatal(err)
	}
	atExit(func() {
		db.Close()
		if conn, err := pgx.Connect(ctx, url); err == nil {
			_, _ = conn.Exec(ctx, "DROP SCHEMA IF EXISTS "+pgx.Identifier{schema}.Sanitize()+" CASCADE")
			conn.Close(ctx)
		}
	})
	return db
}

// latencies records each operation's time and reports p50 and p99.
type latencies []time.Duration

func (l latencies) report(b *testing.B) {
	if len(l) == 0 {
		return
	}
	slices.Sort(l)
	q := func(p float64) float64 { return float64(l[int(p*float64(len(l)-1))].Microseconds()) / 1000 }
	b.ReportMetric(q(0.50), "p50-ms")
	b.ReportMetric(q(0.99), "p99-ms")
}

// engine is how a benchmark's Core answers listings.
type engine int

const (
	viaSQL   engine = iota // the store's SQL, no cache
	viaIndex               // the in-memory index, no cache
	viaCache               // the index behind the in-process cache
)

func (e engine) String() string { return [...]string{"sql", "index", "cached"}[e] }

func benchCore(b *testing.B, db *sqldb.DB, e engine) *catalog.Core {
	o := catalog.Options{Logger: catalogtest.Quiet, NoIndex: e == viaSQL}
	if e == viaCache {
		mem := cache.NewMemory(cache.MemoryOptions{})
		b.Cleanup(func() { mem.Close() })
		o.Cache = mem
	}
	core := catalog.NewCore(catalogdb.New(db), o)
	start := time.Now()
	if err := core.BuildIndex(context.Background()); err != nil {
		b.Fatal(err)
	}
	if e != viaSQL {
		b.Logf("index built in %s", time.Since(start).Round(time.Millisecond))
	}
	return core
}

func runQueries(b *testing.B, core *catalog.Core, qs []catalog.ListQuery) {
	ctx := context.Background()
	for _, q := range qs { // warm up: vocabulary, tree, and (cached) the pages
		if _, err := core.ListProducts(ctx, q); err != nil {
			b.Fatalf("%+v: %v", q, err)
		}
	}
	lat := make(latencies, 0, b.N)
	i := 0
	b.ReportAllocs()
	for b.Loop() {
		start := time.Now()
		if _, err := core.ListProducts(ctx, qs[i%len(qs)]); err != nil {
			b.Fatal(err)
		}
		lat = append(lat, time.Since(start))
		i++
	}
	lat.report(b)
}

var listCases = []struct {
	name string
	qs   []catalog.ListQuery
}{
	{"all", []catalog.ListQuery{{}, {Sort: catalog.SortPriceAsc}}},
	{"category", []catalog.ListQuery{{Category: "kurtas"}, {Category: "sarees"}, {Category: "footwear"}, {Category: "dresses"}}},
	{"filter", []catalog.ListQuery{
		{Category: "kurtas", Colors: []string{"blue"}, Sizes: []string{"m"}},
		{Category: "ethnic-wear", Brands: []string{"rangmanch", "kesariya"}, PriceMin: ptr(100000), PriceMax: ptr(500000)},
		{Colors: []string{"red", "maroon"}, InStock: true, Sort: catalog.SortPriceDesc},
	}},
}

var searchQueries = []catalog.ListQuery{
	{Q: "kurta"}, {Q: "blue silk saree"}, {Q: "embroidred"}, {Q: "chikan"}, {Q: "block heels"}, {Q: "jhumka gold"},
	{Q: "maxi dress", Colors: []string{"black"}},
}

func ptr(n int64) *int64 { return &n }

func forEngines(b *testing.B, fn func(b *testing.B, db *sqldb.DB)) {
	for _, engine := range []string{"sqlite", "postgres"} {
		for _, n := range benchSizes() {
			b.Run(fmt.Sprintf("%s/%dk", engine, n/1000), func(b *testing.B) { fn(b, benchDB(b, engine, n)) })
		}
	}
}

// BenchmarkList measures listings with facets and totals, from the store
// (cold) and from the cache.
func BenchmarkList(b *testing.B) {
	forEngines(b, func(b *testing.B, db *sqldb.DB) {
		for _, c := range listCases {
			for _, e := range []engine{viaSQL, viaIndex, viaCache} {
				b.Run(c.name+"/"+e.String(), func(b *testing.B) { runQueries(b, benchCore(b, db, e), c.qs) })
			}
		}
	})
}

// BenchmarkSearch measures text search with facets, uncached.
func BenchmarkSearch(b *testing.B) {
	forEngines(b, func(b *testing.B, db *sqldb.DB) {
		for _, e := range []engine{viaSQL, viaIndex} {
			b.Run(e.String(), func(b *testing.B) { runQueries(b, benchCore(b, db, e), searchQueries) })
		}
	})
}

// BenchmarkProduct measures a product page by slug, without inventory.
func BenchmarkProduct(b *testing.B) {
	forEngines(b, func(b *testing.B, db *sqldb.DB) {
		for _, e := range []engine{viaIndex, viaCache} {
			b.Run(e.String(), func(b *testing.B) {
				core := benchCore(b, db, e)
				page, err := core.ListProducts(context.Background(), catalog.ListQuery{PageSize: 100})
				if err != nil {
					b.Fatal(err)
				}
				lat := make(latencies, 0, b.N)
				i := 0
				for b.Loop() {
					start := time.Now()
					if _, err := core.Product(context.Background(), page.Items[i%len(page.Items)].Slug); err != nil {
						b.Fatal(err)
					}
					lat = append(lat, time.Since(start))
					i++
				}
				lat.report(b)
			})
		}
	})
}
