package catalogtest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
)

// StoreSuite checks what a catalog.Store promises beyond what Core checks
// first: that a transaction is all or nothing, events included; that the
// database's own constraints say which rule a write broke when two writers
// race past Core's checks; and that the listing keys page stably.
func StoreSuite(t *testing.T, newEnv func(t *testing.T) *Env) {
	t.Run("write is all or nothing", func(t *testing.T) { testAtomicWrite(t, newEnv(t)) })
	t.Run("constraints name the rule", func(t *testing.T) { testConstraints(t, newEnv(t)) })
	t.Run("racing creates", func(t *testing.T) { testRacingCreates(t, newEnv(t)) })
	t.Run("round trip", func(t *testing.T) { testRoundTrip(t, newEnv(t)) })
}

func storeOf(e *Env) catalog.Store { return e.Core.Store() }

func testAtomicWrite(t *testing.T, e *Env) {
	ctx := context.Background()
	f := NewFixture(t, e.Core)
	st := storeOf(e)
	events := len(e.Events(t))
	boom := errors.New("rule broken")
	p := f.Products["silk-straight-kurta"]
	err := st.Write(ctx, func(tx catalog.Tx) error {
		q, err := tx.Product(ctx, p.ID)
		if err != nil {
			return err
		}
		q.Title, q.Version = "Changed", q.Version+1
		if err := tx.SaveProduct(ctx, catalog.ProductWrite{Product: q, Terms: []catalog.IndexTerm{{Token: "changed", Weight: 8}}}); err != nil {
			return err
		}
		if err := tx.Emit(ctx, catalog.Event{Type: catalog.EventProductUpdated, Data: map[string]string{"x": "y"}}); err != nil {
			return err
		}
		return boom
	})
	if err != boom {
		t.Fatalf("Write returned %v, want fn's error unchanged", err)
	}
	got, err := st.Product(ctx, p.ID)
	if err != nil || got.Title != p.Title || got.Version != p.Version {
		t.Fatalf("after the rollback: %q v%d, %v", got.Title, got.Version, err)
	}
	if n := len(e.Events(t)); n != events {
		t.Fatalf("%d events after a rollback, want %d", n, events)
	}
	voc, err := st.Vocabulary(ctx)
	if err != nil || slices.Contains(voc, "changed") {
		t.Fatalf("the rolled-back token reached the vocabulary: %v", err)
	}
}

func testConstraints(t *testing.T, e *Env) {
	ctx := context.Background()
	f := NewFixture(t, e.Core)
	st := storeOf(e)
	base := f.Products["silk-straight-kurta"]
	now := time.Now().UTC().Truncate(time.Microsecond)
	fresh := func() catalog.Product {
		return catalog.Product{ID: ids.New(), Slug: "fresh-" + ids.New()[:8], Title: "Fresh", Category: base.Category,
			Status: catalog.StatusDraft, Version: 1, CreatedAt: now, UpdatedAt: now,
			Variants: []catalog.Variant{{ID: ids.New(), SKU: "FRESH-" + ids.New()[:8], Price: INR(100), InStock: true}}}
	}
	cases := []struct {
		name string
		edit func(p *catalog.Product)
		want *errs.Error
	}{
		{"slug", func(p *catalog.Product) { p.Slug = base.Slug }, catalog.ErrSlugTaken},
		{"sku", func(p *catalog.Product) { p.Variants[0].SKU = base.Variants[0].SKU }, catalog.ErrSKUTaken},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			p := fresh()
			c.edit(&p)
			err := st.Write(ctx, func(tx catalog.Tx) error { return tx.SaveProduct(ctx, catalog.ProductWrite{Product: p}) })
			wantErr(t, err, c.want)
			if _, err := st.Product(ctx, p.ID); !errors.Is(err, catalog.ErrProductNotFound) {
				t.Fatalf("the refused product is there: %v", err)
			}
		})
	}
	t.Run("unknown category", func(t *testing.T) {
		p := fresh()
		p.Category.ID = ids.New()
		err := st.Write(ctx, func(tx catalog.Tx) error { return tx.SaveProduct(ctx, catalog.ProductWrite{Product: p}) })
		if errs.KindOf(err) != errs.KindConflict {
			t.Fatalf("a product in a missing category: %v", err)
		}
	})
	t.Run("negative price", func(t *testing.T) {
		p := fresh()
		p.Variants[0].Price = INR(-1)
		err := st.Write(ctx, func(tx catalog.Tx) error { return tx.SaveProduct(ctx, catalog.ProductWrite{Product: p}) })
		if errs.KindOf(err) != errs.KindConflict {
			t.Fatalf("a negative price passed the store: %v", err)
		}
	})
}

// Two creates with the same SKU race past Core's check (on PostgreSQL
// both check before either commits): exactly one wins, the other is told
// the SKU is taken.
func testRacingCreates(t *testing.T, e *Env) {
	ctx := context.Background()
	NewFixture(t, e.Core)
	const racers = 8
	var wg sync.WaitGroup
	errc := make(chan error, racers)
	for i := range racers {
		wg.Go(func() {
			_, err := e.Core.CreateProduct(ctx, catalog.NewProduct{Title: fmt.Sprintf("Racer %d", i), Category: "tops",
				Variants: []catalog.NewVariant{v("RACE-1", "M", "Red", 1000)}})
			errc <- err
		})
	}
	wg.Wait()
	close(errc)
	won := 0
	for err := range errc {
		switch {
		case err == nil:
			won++
		case !errors.Is(err, catalog.ErrSKUTaken):
			t.Errorf("a losing racer got %v, want sku_taken", err)
		}
	}
	if won != 1 {
		t.Fatalf("%d racers created RACE-1, want 1", won)
	}
}

func testRoundTrip(t *testing.T, e *Env) {
	ctx := context.Background()
	f := NewFixture(t, e.Core)
	st := storeOf(e)
	want := f.Products["cotton-anarkali-kurta"]
	for _, get := range []func() (catalog.Product, error){
		func() (catalog.Product, error) { return st.Product(ctx, want.ID) },
		func() (catalog.Product, error) { return st.ProductBySlug(ctx, want.Slug) },
	} {
		got, err := get()
		if err != nil {
			t.Fatal(err)
		}
		if got.ID != want.ID || got.Title != want.Title || got.Description != want.Description || got.Brand != want.Brand ||
			got.Category.ID != want.Category.ID || got.Status != want.Status || got.Version != want.Version ||
			!got.CreatedAt.Equal(want.CreatedAt) || !got.UpdatedAt.Equal(want.UpdatedAt) ||
			fmt.Sprint(got.Attributes) != fmt.Sprint(want.Attributes) || !slices.Equal(got.Images, want.Images) ||
			!slices.Equal(got.Collections, want.Collections) || len(got.Variants) != len(want.Variants) {
			t.Fatalf("read back\n%+v\nwant\n%+v", got, want)
		}
		for i, v := range got.Variants {
			w := want.Variants[i]
			if v.ID != w.ID || v.SKU != w.SKU || v.Size != w.Size || v.Color != w.Color || v.Price != w.Price ||
				(v.CompareAt == nil) != (w.CompareAt == nil) || (v.CompareAt != nil && *v.CompareAt != *w.CompareAt) ||
				v.WeightGrams != w.WeightGrams || v.Archived != w.Archived || v.InStock != w.InStock {
				t.Errorf("variant %d: %+v, want %+v", i, v, w)
			}
		}
	}
	changed, err := func() (out []string, err error) {
		err = st.Write(ctx, func(tx catalog.Tx) error {
			out, err = tx.SetStock(ctx, map[string]bool{"KRT-ANK-S": false, "KRT-ANK-M": false, "BAG-TOT-OS": false, "NOPE": true}, time.Now())
			return err
		})
		return out, err
	}()
	if err != nil || !slices.Equal(changed, []string{want.ID}) {
		t.Fatalf("SetStock changed %v, %v; want only the anarkali", changed, err)
	}
	page, err := st.List(ctx, catalog.Query{InStock: true, Sort: catalog.SortPriceAsc, Colors: []string{"red"}, Limit: 10})
	if err != nil || len(page) != 0 {
		t.Fatalf("red in stock after both red SKUs ran out: %d, %v", len(page), err)
	}
}
