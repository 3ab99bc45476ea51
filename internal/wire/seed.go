package wire

import (
	"context"
	"fmt"
	"log/slog"

	"github.com/bazaarshop/bazaar/internal/catalog/catalogdb"
	"github.com/bazaarshop/bazaar/internal/catalog/seed"
	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/inventory/inventorydb"
	"github.com/bazaarshop/bazaar/internal/inventory/inventoryhttp"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/config"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// Seed tops the demo catalogue up to products products (the same seed makes
// the same catalogue, so a bigger number extends a smaller one), with their
// opening stock in inventory: in its store, or through BAZAAR_INVENTORY_URL
// when this configuration does not run inventory. A running shop picks the
// new products up at its next start.
func Seed(ctx context.Context, cfg *config.Config, log *slog.Logger, products int, progress func(done, total int)) (seed.Result, error) {
	catDB, err := openMigrated(ctx, storeURL(cfg), catalogModule)
	if err != nil {
		return seed.Result{}, err
	}
	defer catDB.Close()
	store := catalogdb.New(catDB)
	have, err := store.ProductCount(ctx)
	if err != nil {
		return seed.Result{}, err
	}
	if have >= products {
		return seed.Result{}, nil
	}

	var inv inventory.Service
	if cfg.Runs("inventory") {
		invDB, err := openMigrated(ctx, storeURL(cfg), inventoryModule)
		if err != nil {
			return seed.Result{}, err
		}
		defer invDB.Close()
		inv = inventory.NewCore(inventorydb.New(invDB), inventory.Options{Logger: log})
	} else {
		url := cfg.ServiceURLs["inventory"]
		if url == "" {
			return seed.Result{}, fmt.Errorf("inventory runs elsewhere: set BAZAAR_INVENTORY_URL")
		}
		signer, err := authn.NewSigner("bazaar", []byte(cfg.InternalSecret))
		if err != nil {
			return seed.Result{}, fmt.Errorf("BAZAAR_INTERNAL_SECRET: %w", err)
		}
		c := inventoryhttp.NewClient(url)
		c.HTTP.Transport = authn.NewTransport(nil, signer)
		inv = c
	}
	return seed.Load(ctx, store, seed.Options{
		Products: products - have,
		First:    have,
		Stock: func(ctx context.Context, stock []seed.Stock) error {
			levels := make([]inventory.StockLevel, len(stock))
			for i, s := range stock {
				levels[i] = inventory.StockLevel{SKU: s.SKU, Location: inventory.DefaultLocation, OnHand: s.OnHand}
			}
			return inv.Import(ctx, levels)
		},
		Progress: func(done int) {
			if progress != nil {
				progress(have+done, products)
			}
		},
	})
}

// openMigrated opens a module's store outside a running App and migrates it.
func openMigrated(ctx context.Context, url string, m module) (*sqldb.DB, error) {
	db, err := sqldb.Open(ctx, url, m.name)
	if err != nil {
		return nil, err
	}
	if err := db.MigrateAll(ctx, m.migrations...); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}
