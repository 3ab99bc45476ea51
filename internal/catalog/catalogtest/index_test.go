package catalogtest_test

import (
	"context"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogdb"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogtest"
	"github.com/bazaarshop/bazaar/internal/catalog/seed"
)

// randomQuery draws a listing from the seeded shop's vocabulary of
// filters, so that it often matches something and sometimes nothing.
func randomQuery(r *rand.Rand, cats []catalog.Category) catalog.ListQuery {
	var q catalog.ListQuery
	pick := func(s []string, max int) []string {
		var out []string
		for range r.IntN(max + 1) {
			out = append(out, s[r.IntN(len(s))])
		}
		return out
	}
	if r.IntN(3) == 0 {
		q.Category = cats[r.IntN(len(cats))].Slug
	}
	if r.IntN(4) == 0 {
		q.Brands = pick([]string{"rangmanch", "kesariya", "noor-co", "zariya", "chandni", "saanjh", "koel"}, 2)
	}
	if r.IntN(3) == 0 {
		q.Colors = pick([]string{"red", "blue", "black", "navy-blue", "gold", "off-white", "maroon"}, 2)
	}
	if r.IntN(4) == 0 {
		q.Sizes = pick([]string{"s", "m", "xl", "free-size", "38", "30", "one-size"}, 2)
	}
	if r.IntN(4) == 0 {
		lo := int64(r.IntN(3000)) * 100
		q.PriceMin = &lo
		if r.IntN(2) == 0 {
			hi := lo + int64(r.IntN(5000)+1)*100
			q.PriceMax = &hi
		}
	}
	q.InStock = r.IntN(3) == 0
	if r.IntN(3) == 0 {
		q.Q = []string{"kurta", "silk saree", "embroidred", "blu", "juttis", "gold jhumkas", "cotton dres", "maxi", "lehnga", "sequin"}[r.IntN(10)]
	}
	if r.IntN(4) == 0 {
		q.Collection = []string{"sale", "new-in", "festive-edit"}[r.IntN(3)]
	}
	q.Sort = []catalog.Sort{"", catalog.SortPriceAsc, catalog.SortPriceDesc, catalog.SortNewest}[r.IntN(4)]
	if r.IntN(10) == 0 {
		q.Status = catalog.StatusDraft
	}
	q.PageSize = 1 + r.IntN(30)
	return q
}

// The index answers exactly as the store's SQL, page by page, facets,
// totals and tokens included, on a seeded shop.
func TestIndexMatchesSQL(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			db := d.open(t)
			if err := catalogdb.Migrate(ctx, db); err != nil {
				t.Fatal(err)
			}
			st := catalogdb.New(db)
			if _, err := seed.Load(ctx, st, seed.Options{Products: 300, Seed: 3}); err != nil {
				t.Fatal(err)
			}
			viaSQL := catalog.NewCore(st, catalog.Options{NoIndex: true, Logger: catalogtest.Quiet})
			viaIndex := catalog.NewCore(st, catalog.Options{Logger: catalogtest.Quiet})
			if err := viaIndex.BuildIndex(ctx); err != nil {
				t.Fatal(err)
			}
			cats := seed.NewGenerator(3).Categories()
			r := rand.New(rand.NewPCG(1, 2))
			nonEmpty := 0
			for i := range 100 {
				q := randomQuery(r, cats)
				for page := 0; page < 3; page++ {
					a, errA := viaSQL.ListProducts(ctx, q)
					b, errB := viaIndex.ListProducts(ctx, q)
					ja, _ := json.Marshal(a)
					jb, _ := json.Marshal(b)
					if fmt.Sprint(errA) != fmt.Sprint(errB) || string(ja) != string(jb) {
						t.Fatalf("query %d page %d %+v:\nsql   %v %s\nindex %v %s", i, page, q, errA, around(ja, jb), errB, around(jb, ja))
					}
					if len(a.Items) > 0 {
						nonEmpty++
					}
					if a.NextPageToken == "" {
						break
					}
					q.PageToken = a.NextPageToken
				}
			}
			if nonEmpty < 70 {
				t.Fatalf("only %d pages had items: the queries test too little", nonEmpty)
			}
		})
	}
}

type clock struct {
	mu  sync.Mutex
	now time.Time
}

func (c *clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

func (c *clock) advance(d time.Duration) {
	c.mu.Lock()
	c.now = c.now.Add(d)
	c.mu.Unlock()
}

// Two replicas on one store: a write through one shows in the other's
// listings within a quarter of a second when they share a cache (the
// generation tells), and within a second when they do not.
func TestReplicasFollowWrites(t *testing.T) {
	for _, shared := range []bool{true, false} {
		t.Run(fmt.Sprintf("shared cache %t", shared), func(t *testing.T) {
			ctx := context.Background()
			db := dialects[0].open(t)
			writer := catalogtest.NewEnv(t, db, catalog.Options{})
			clk := &clock{now: time.Now()}
			o := catalog.Options{Now: clk.Now, Logger: catalogtest.Quiet}
			if shared {
				o.Cache = writer.Cache
			}
			reader := catalog.NewCore(catalogdb.New(db), o)
			catalogtest.NewFixture(t, writer.Service)
			if err := reader.BuildIndex(ctx); err != nil {
				t.Fatal(err)
			}
			price := func() int64 {
				page, err := reader.ListProducts(ctx, catalog.ListQuery{Q: "silk straight"})
				if err != nil || len(page.Items) != 1 {
					t.Fatalf("reader listing: %+v, %v", page.Items, err)
				}
				return page.Items[0].Price.Amount
			}
			if p := price(); p != 249900 {
				t.Fatalf("price %d before the change", p)
			}
			if err := writer.Service.SetPrices(ctx, []catalog.PriceChange{{SKU: "KRT-SLK-M", Price: catalogtest.INR(1000)}}); err != nil {
				t.Fatal(err)
			}
			// A replica trusts the generation it read for a quarter of a
			// second; without a shared one it rescans once a second.
			if shared {
				clk.advance(300 * time.Millisecond)
			} else {
				clk.advance(1100 * time.Millisecond)
			}
			if p := price(); p != 1000 {
				t.Fatalf("the other replica still lists %d after the change", p)
			}
		})
	}
}

// around shows a where it first differs from b.
func around(a, b []byte) string {
	i := 0
	for i < len(a) && i < len(b) && a[i] == b[i] {
		i++
	}
	return fmt.Sprintf("…%s…", a[max(0, i-150):min(len(a), i+150)])
}

// Without BuildIndex, the first listing is answered from the store and
// starts the build; later listings use the index.
func TestIndexBuildsOnFirstUse(t *testing.T) {
	ctx := context.Background()
	db := dialects[0].open(t)
	e := catalogtest.NewEnv(t, db, catalog.Options{NoIndex: true})
	catalogtest.NewFixture(t, e.Service)
	core := catalog.NewCore(catalogdb.New(db), catalog.Options{Logger: catalogtest.Quiet})
	page, err := core.ListProducts(ctx, catalog.ListQuery{})
	if err != nil || page.Total != 7 {
		t.Fatalf("first listing: %d, %v", page.Total, err)
	}
	deadline := time.Now().Add(5 * time.Second)
	for !core.IndexReady() {
		if time.Now().After(deadline) {
			t.Fatal("the index was not built within 5 s of the first listing")
		}
		time.Sleep(5 * time.Millisecond)
	}
	again, err := core.ListProducts(ctx, catalog.ListQuery{})
	if err != nil || again.Total != 7 || len(again.Items) != 7 {
		t.Fatalf("listing from the index: %d, %v", again.Total, err)
	}
}
