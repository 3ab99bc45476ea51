package wire

import (
	"context"
	"fmt"
	"log/slog"
	"slices"
	"strings"

	"github.com/bazaarshop/bazaar/internal/platform/config"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// module builds one service into the App: opens its store, makes its Core,
// registers its routes and workers, and publishes its Service handle for the
// modules after it.
type module struct {
	name       string
	migrations []sqldb.Migrations // its store's schema; none: it keeps no store
	// store names the service whose store it uses when that is another's
	// (order-worker works on the order store); "": its own.
	store string
	// build wires the service; db is its store, opened and migrated (nil
	// for a service without migrations).
	build func(ctx context.Context, a *App, db *sqldb.DB) error
}

// modules in start order (a service after those it calls). Each service's
// wiring lives in its own file of this package.
var modules = []module{identityModule, inventoryModule, catalogModule, paymentModule, cartModule, orderModule, orderWorkerModule}

// storeName is the service whose store m opens.
func (m module) storeName() string {
	if m.store != "" {
		return m.store
	}
	return m.name
}

// checkBuilt refuses an explicit --services list naming a service this
// build does not have yet; "all" runs every service it has.
func checkBuilt(cfg *config.Config) error {
	if len(cfg.Services) == len(config.Services) {
		return nil
	}
	for _, s := range cfg.Services {
		if !slices.ContainsFunc(modules, func(m module) bool { return m.name == s }) {
			return fmt.Errorf("service %s is not part of this build yet", s)
		}
	}
	return nil
}

// Migrate applies the migrations of every service cfg selects and reports
// how many were applied.
func Migrate(ctx context.Context, cfg *config.Config, log *slog.Logger) (int, error) {
	applied := 0
	for _, m := range modules {
		if !cfg.Runs(m.name) || len(m.migrations) == 0 {
			continue
		}
		db, err := sqldb.Open(ctx, storeURL(cfg), m.storeName())
		if err != nil {
			return applied, fmt.Errorf("open %s store: %w", m.storeName(), err)
		}
		for _, mg := range m.migrations {
			res, err := db.Migrate(ctx, mg)
			applied += len(res)
			if err != nil {
				db.Close()
				return applied, err
			}
		}
		db.Close()
		log.Info("migrated", "service", m.name)
	}
	return applied, nil
}

// storeURL is where service stores live: the PostgreSQL URL, or the data dir.
func storeURL(cfg *config.Config) string {
	if cfg.DatabaseURL != "" {
		return cfg.DatabaseURL
	}
	return cfg.DataDir
}

func joinServices(s []string) string { return strings.Join(s, ",") }

func upperSnake(s string) string { return strings.ToUpper(strings.ReplaceAll(s, "-", "_")) }
