package wire

import (
	"context"
	"fmt"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogdb"
	"github.com/bazaarshop/bazaar/internal/catalog/cataloghttp"
	"github.com/bazaarshop/bazaar/internal/catalog/seed"
	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// catalogStream keeps the catalog's events (catalog.product.updated, …).
var catalogStream = bus.StreamConfig{Name: "CATALOG", Subjects: []string{"catalog.>"}}

var catalogModule = module{
	name:       "catalog",
	migrations: []sqldb.Migrations{catalogdb.Migrations, outbox.Migrations},
	build:      buildCatalog,
}

func buildCatalog(ctx context.Context, a *App, db *sqldb.DB) error {
	relay, err := a.startOutbox(ctx, "catalog", db, catalogStream)
	if err != nil {
		return err
	}
	inv, err := a.inventoryService()
	if err != nil {
		return err
	}
	store := catalogdb.New(db)
	if a.cfg.Seed {
		if err := seedCatalog(ctx, a, store, inv); err != nil {
			return err
		}
	}
	core := catalog.NewCore(store, catalog.Options{
		Availability: inv,
		Cache:        a.Cache,
		OnCommit:     relay.Notify,
		Logger:       a.log.With("service", "catalog"),
	})
	api := a.Router.API
	cataloghttp.Register(api, core, cataloghttp.Options{
		Admin: huma.Middlewares{authn.RequireRole(api, authn.RoleStaff, authn.RoleAdmin)},
	})
	cataloghttp.RegisterMedia(a.Router)
	// Listings come from an in-memory index; build it before serving.
	a.addWorker("catalog-index", func(ctx context.Context) error {
		if err := core.BuildIndex(ctx); err != nil {
			a.log.Warn("catalog index not built; listings use SQL until it is", "error", err)
		}
		<-ctx.Done()
		return nil
	})
	// The listing's in-stock flags follow inventory's events.
	if err := a.Bus.EnsureStream(ctx, inventory.Stream); err != nil {
		return err
	}
	a.consume(bus.ConsumerConfig{Stream: inventory.Stream.Name, Durable: "catalog-stock"},
		func(ctx context.Context, m *bus.Msg) error { return applyStockEvent(ctx, core, m) })
	a.Catalog = core
	return nil
}

// seedCatalog loads the demo catalogue into an empty store, its opening
// stock into inventory. A store that has products is left alone, so a
// restart never seeds twice.
func seedCatalog(ctx context.Context, a *App, store *catalogdb.Store, inv inventory.Service) error {
	loaded, res, err := seed.LoadIfEmpty(ctx, store, seed.Options{
		Products: seed.DefaultProducts,
		Stock: func(ctx context.Context, stock []seed.Stock) error {
			levels := make([]inventory.StockLevel, len(stock))
			for i, s := range stock {
				levels[i] = inventory.StockLevel{SKU: s.SKU, Location: inventory.DefaultLocation, OnHand: s.OnHand}
			}
			return inv.Import(ctx, levels)
		},
	})
	if err != nil {
		return fmt.Errorf("seed the demo catalog: %w", err)
	}
	if loaded {
		a.log.Info("seeded the demo catalog (BAZAAR_SEED=off starts empty)", "products", res.Products)
	}
	return nil
}

func applyStockEvent(ctx context.Context, core *catalog.Core, m *bus.Msg) error {
	var inStock bool
	switch m.Subject {
	case inventory.EventOutOfStock:
		inStock = false
	case inventory.EventBackInStock:
		inStock = true
	default:
		return nil // inventory.low: nothing for the catalog
	}
	ev, err := m.Event()
	if err != nil {
		return err
	}
	var data inventory.StockEvent
	if err := ev.Decode(&data); err != nil {
		return err
	}
	return core.SetStock(ctx, map[string]bool{data.SKU: inStock})
}

// catalogService is the catalog in this process, or a client of the process
// that runs it.
func (a *App) catalogService() (catalog.Service, error) {
	if a.Catalog != nil {
		return a.Catalog, nil
	}
	url, err := a.remoteURL("catalog")
	if err != nil {
		return nil, err
	}
	c := cataloghttp.NewClient(url)
	a.sign(c.Client)
	return c, nil
}
