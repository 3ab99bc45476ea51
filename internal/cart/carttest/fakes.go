// Package carttest holds the suites every cart implementation must pass
// (StoreSuite for cart.Store adapters, ServiceSuite for cart.Service: Core
// in-process and the HTTP client of it) and the fakes at the cart's edge:
// a catalogue and an inventory that behave like the real ones (limits,
// copies, failures), and a clock.
package carttest

import (
	"context"
	"errors"
	"maps"
	"slices"
	"sync"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// maxLookup is the most SKUs the real services answer for at once.
const maxLookup = 100

// Catalog is an in-memory catalogue.
type Catalog struct {
	mu    sync.Mutex
	skus  map[string]cart.SKUInfo
	err   error
	calls int
}

// NewCatalog returns a catalogue holding infos.
func NewCatalog(infos ...cart.SKUInfo) *Catalog {
	c := &Catalog{skus: map[string]cart.SKUInfo{}}
	for _, i := range infos {
		c.Put(i)
	}
	return c
}

// Put adds or replaces a SKU.
func (c *Catalog) Put(i cart.SKUInfo) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.skus[i.SKU] = i
}

// SetPrice changes a SKU's price.
func (c *Catalog) SetPrice(sku string, amount int64) {
	c.edit(sku, func(i *cart.SKUInfo) { i.Price.Amount = amount })
}

// Archive takes a SKU off sale, as archiving its product does.
func (c *Catalog) Archive(sku string) { c.edit(sku, func(i *cart.SKUInfo) { i.Purchasable = false }) }

// Remove forgets a SKU altogether.
func (c *Catalog) Remove(sku string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	delete(c.skus, sku)
}

func (c *Catalog) edit(sku string, fn func(*cart.SKUInfo)) {
	c.mu.Lock()
	defer c.mu.Unlock()
	i, ok := c.skus[sku]
	if !ok {
		panic("carttest: no SKU " + sku)
	}
	fn(&i)
	c.skus[sku] = i
}

// Fail makes every lookup fail with err (nil: answer again).
func (c *Catalog) Fail(err error) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.err = err
}

// Calls counts lookups so far.
func (c *Catalog) Calls() int {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.calls
}

// LookupSKUs implements cart.Catalog. Like the real one it refuses more
// than 100 SKUs, leaves unknown ones out, and returns copies.
func (c *Catalog) LookupSKUs(ctx context.Context, skus []string) (map[string]cart.SKUInfo, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	c.calls++
	if c.err != nil {
		return nil, c.err
	}
	if len(skus) > maxLookup {
		return nil, errs.Invalid("too_many_skus", "ask for 1 to 100 SKUs at a time")
	}
	out := make(map[string]cart.SKUInfo, len(skus))
	for _, s := range skus {
		if i, ok := c.skus[s]; ok {
			i.Categories, i.Collections = slices.Clone(i.Categories), slices.Clone(i.Collections)
			if i.CompareAt != nil {
				ca := *i.CompareAt
				i.CompareAt = &ca
			}
			out[s] = i
		}
	}
	return out, nil
}

// Inventory is in-memory stock.
type Inventory struct {
	mu    sync.Mutex
	units map[string]int64
	err   error
	calls int
}

// NewInventory returns stock of units per SKU.
func NewInventory(units map[string]int64) *Inventory {
	return &Inventory{units: maps.Clone(units)}
}

// Set sets the units available of a SKU.
func (v *Inventory) Set(sku string, n int64) {
	v.mu.Lock()
	defer v.mu.Unlock()
	if v.units == nil {
		v.units = map[string]int64{}
	}
	v.units[sku] = n
}

// Fail makes every call fail with err (nil: answer again).
func (v *Inventory) Fail(err error) {
	v.mu.Lock()
	defer v.mu.Unlock()
	v.err = err
}

// Calls counts calls so far.
func (v *Inventory) Calls() int {
	v.mu.Lock()
	defer v.mu.Unlock()
	return v.calls
}

// Available implements cart.Inventory: unknown SKUs have 0.
func (v *Inventory) Available(ctx context.Context, skus []string) (map[string]int64, error) {
	if err := ctx.Err(); err != nil {
		return nil, err
	}
	v.mu.Lock()
	defer v.mu.Unlock()
	v.calls++
	if v.err != nil {
		return nil, v.err
	}
	if len(skus) > maxLookup {
		return nil, errs.Invalid("too_many_skus", "ask for 1 to 100 SKUs at a time")
	}
	out := make(map[string]int64, len(skus))
	for _, s := range skus {
		out[s] = v.units[s]
	}
	return out, nil
}

// ErrDown is what a fake returns when told to fail: the dependency is
// unreachable, as web.Client reports it.
var ErrDown = errs.Unavailable("service_unavailable", "the service is unreachable").Wrap(errors.New("connection refused"))

// Clock is a settable clock.
type Clock struct {
	mu  sync.Mutex
	now time.Time
}

// NewClock starts a clock at t.
func NewClock(t time.Time) *Clock { return &Clock{now: t} }

// Now returns the clock's time.
func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.now
}

// Advance moves the clock on by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.now = c.now.Add(d)
}

func inr(a int64) money.Money { return money.MustNew(a, "INR") }

// The fixture: a small fashion catalogue with stock that exercises every
// warning and both GST bands. Prices are tax-inclusive paise.
const (
	Kurta     = "KUR-RED-M"   // ₹1,299, 5% GST, 20 in stock
	KurtaL    = "KUR-RED-L"   // ₹1,299, 5% GST, 3 in stock (low)
	Saree     = "SAR-SILK-01" // ₹7,999, 18% GST, 5 in stock
	Sneakers  = "SHO-RUN-42"  // ₹2,499 footwear, 5% GST, 10 in stock
	Tote      = "BAG-TOTE"    // ₹3,499 bag, 18% GST, 8 in stock
	Socks     = "SOK-3P"      // ₹399, 100 in stock
	OldTee    = "OLD-TEE"     // archived
	SoldOut   = "OOS-DRESS"   // ₹1,999, none in stock
	NoSuchSKU = "NOPE-404"
)

// Fixture returns the catalogue and stock of the suites.
func Fixture() (*Catalog, *Inventory) {
	img := "https://cdn.example.com/"
	cat := NewCatalog(
		cart.SKUInfo{SKU: Kurta, ProductID: "0190a000-0000-7000-8000-000000000001", Slug: "red-cotton-kurta", Title: "Red cotton kurta", Image: img + "kurta.jpg",
			Size: "M", Color: "Red", Brand: "Fabindia", Categories: []string{"women", "kurtas"}, Collections: []string{"festive"},
			Price: inr(1299_00), CompareAt: ptr(inr(1599_00)), Purchasable: true, HSN: "6211"},
		cart.SKUInfo{SKU: KurtaL, ProductID: "0190a000-0000-7000-8000-000000000001", Slug: "red-cotton-kurta", Title: "Red cotton kurta", Image: img + "kurta.jpg",
			Size: "L", Color: "Red", Brand: "Fabindia", Categories: []string{"women", "kurtas"}, Collections: []string{"festive"},
			Price: inr(1299_00), Purchasable: true, HSN: "6211"},
		cart.SKUInfo{SKU: Saree, ProductID: "0190a000-0000-7000-8000-000000000002", Slug: "banarasi-silk-saree", Title: "Banarasi silk saree",
			Size: "Free", Color: "Maroon", Brand: "Biba", Categories: []string{"women", "sarees"}, Collections: []string{"festive", "wedding"},
			Price: inr(7999_00), Purchasable: true},
		cart.SKUInfo{SKU: Sneakers, ProductID: "0190a000-0000-7000-8000-000000000003", Slug: "running-shoes", Title: "Running shoes",
			Size: "42", Color: "Black", Brand: "Puma", Categories: []string{"men", "footwear", "sneakers"}, Price: inr(2499_00), Purchasable: true},
		cart.SKUInfo{SKU: Tote, ProductID: "0190a000-0000-7000-8000-000000000004", Slug: "leather-tote", Title: "Leather tote",
			Color: "Tan", Brand: "Hidesign", Categories: []string{"accessories", "bags"}, Price: inr(3499_00), Purchasable: true},
		cart.SKUInfo{SKU: Socks, ProductID: "0190a000-0000-7000-8000-000000000005", Slug: "socks-3-pack", Title: "Socks, 3 pairs",
			Size: "Free", Color: "Grey", Brand: "Puma", Categories: []string{"men", "socks"}, Collections: []string{"sale"}, Price: inr(399_00), Purchasable: true},
		cart.SKUInfo{SKU: OldTee, ProductID: "0190a000-0000-7000-8000-000000000006", Slug: "old-tee", Title: "Old tee",
			Size: "M", Brand: "W", Categories: []string{"women", "tops"}, Price: inr(499_00), Purchasable: false},
		cart.SKUInfo{SKU: SoldOut, ProductID: "0190a000-0000-7000-8000-000000000007", Slug: "floral-dress", Title: "Floral dress",
			Size: "S", Brand: "W", Categories: []string{"women", "dresses"}, Price: inr(1999_00), Purchasable: true},
	)
	inv := NewInventory(map[string]int64{Kurta: 20, KurtaL: 3, Saree: 5, Sneakers: 10, Tote: 8, Socks: 100, OldTee: 10, SoldOut: 0})
	return cat, inv
}

func ptr[T any](v T) *T { return &v }
