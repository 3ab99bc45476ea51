package cart_test

import (
	"context"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/cart/cartdb"
	"github.com/bazaarshop/bazaar/internal/cart/carttest"
	"github.com/bazaarshop/bazaar/internal/cart/pricing"
	"github.com/bazaarshop/bazaar/internal/platform/cache"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// countingStore counts the reads Core makes of the store.
type countingStore struct {
	cart.Store
	carts, promos atomic.Int64
}

func (s *countingStore) Cart(ctx context.Context, id string) (cart.Record, error) {
	s.carts.Add(1)
	return s.Store.Cart(ctx, id)
}

func (s *countingStore) LivePromotions(ctx context.Context, now time.Time) ([]cart.Promotion, error) {
	s.promos.Add(1)
	return s.Store.LivePromotions(ctx, now)
}

func newCore(t *testing.T, opts cart.Options) (*cart.Core, *countingStore, *carttest.Clock) {
	t.Helper()
	db := sqldbtest.OpenSQLite(t)
	if err := cartdb.Migrate(context.Background(), db); err != nil {
		t.Fatal(err)
	}
	cat, inv := carttest.Fixture()
	clock := carttest.NewClock(carttest.Start)
	store := &countingStore{Store: cartdb.New(db)}
	opts.Catalog, opts.Inventory, opts.Clock = cat, inv, clock.Now
	return cart.NewCore(store, opts), store, clock
}

func TestReadsComeFromTheCache(t *testing.T) {
	core, store, _ := newCore(t, cart.Options{Cache: cache.NewMemory(cache.MemoryOptions{})})
	ctx := context.Background()
	c, err := core.CreateCart(ctx, cart.NewCart{})
	if err != nil {
		t.Fatal(err)
	}
	token := c.Token
	if _, err := core.AddItem(ctx, c.ID, token, cart.AddItem{SKU: carttest.Kurta, Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	before := store.carts.Load()
	for range 5 {
		got, err := core.Cart(ctx, c.ID, token)
		if err != nil || got.Lines[0].Quantity != 1 {
			t.Fatalf("%+v %v", got.Lines, err)
		}
	}
	if n := store.carts.Load() - before; n != 0 {
		t.Fatalf("%d reads reached the store; the writes left the record in the cache", n)
	}
	if _, err := core.AddItem(ctx, c.ID, token, cart.AddItem{SKU: carttest.Kurta, Quantity: 2}); err != nil {
		t.Fatal(err)
	}
	if got, _ := core.Cart(ctx, c.ID, token); got.Lines[0].Quantity != 3 {
		t.Fatalf("a read after a write saw %d units", got.Lines[0].Quantity)
	}
}

func TestPromotionsAreReloadedAfterTTLOrAChange(t *testing.T) {
	core, store, clock := newCore(t, cart.Options{PromotionTTL: 5 * time.Second})
	ctx := context.Background()
	c, _ := core.CreateCart(ctx, cart.NewCart{})
	for range 3 {
		if _, err := core.Cart(ctx, c.ID, c.Token); err != nil {
			t.Fatal(err)
		}
	}
	if n := store.promos.Load(); n != 1 {
		t.Fatalf("%d loads within the TTL", n)
	}
	clock.Advance(5 * time.Second)
	_, _ = core.Cart(ctx, c.ID, c.Token)
	if n := store.promos.Load(); n != 2 {
		t.Fatalf("%d loads after the TTL", n)
	}
	if _, err := core.CreatePromotion(ctx, pricing.Rule{Name: "All", Kind: pricing.KindPercentage, PercentBP: 1000, Enabled: true}); err != nil {
		t.Fatal(err)
	}
	if _, err := core.AddItem(ctx, c.ID, c.Token, cart.AddItem{SKU: carttest.Socks, Quantity: 1}); err != nil {
		t.Fatal(err)
	}
	got, _ := core.Cart(ctx, c.ID, c.Token)
	if got.Totals.Discount.Amount != 39_90 {
		t.Fatalf("a new promotion was not seen at once: %+v", got.Totals)
	}
}

func TestNewCoreRefusesBadOptions(t *testing.T) {
	cat, inv := carttest.Fixture()
	bad := pricing.IndiaGST()
	bad.Tax.Origin = "Narnia"
	for name, opts := range map[string]cart.Options{
		"no catalogue": {Inventory: inv},
		"bad rules":    {Catalog: cat, Inventory: inv, Rules: &bad},
	} {
		t.Run(name, func(t *testing.T) {
			defer func() {
				if recover() == nil {
					t.Fatal("NewCore accepted it")
				}
			}()
			cart.NewCore(nil, opts)
		})
	}
}
