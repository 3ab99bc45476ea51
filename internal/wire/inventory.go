package wire

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/inventory/inventorydb"
	"github.com/bazaarshop/bazaar/internal/inventory/inventoryhttp"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

var inventoryModule = module{
	name:       "inventory",
	migrations: []sqldb.Migrations{inventorydb.Migrations, outbox.Migrations},
	build:      buildInventory,
}

func buildInventory(ctx context.Context, a *App, db *sqldb.DB) error {
	if _, err := a.startOutbox(ctx, "inventory", db, inventory.Stream); err != nil {
		return err
	}
	core := inventory.NewCore(inventorydb.New(db), inventory.Options{Logger: a.log.With("service", "inventory")})
	api := a.Router.API
	inventoryhttp.Register(api, core, inventoryhttp.Options{
		// Services may set stock too: the catalog's seeder imports it.
		Admin:    huma.Middlewares{authn.RequireRole(api, authn.RoleStaff, authn.RoleAdmin, authn.RoleService)},
		Internal: huma.Middlewares{authn.RequireService(api)},
	})
	a.addWorker("inventory-sweeper", core.RunSweeper)
	a.Inventory = core
	return nil
}

// inventoryService is inventory in this process, or a client of the process
// that runs it.
func (a *App) inventoryService() (inventory.Service, error) {
	if a.Inventory != nil {
		return a.Inventory, nil
	}
	url, err := a.remoteURL("inventory")
	if err != nil {
		return nil, err
	}
	c := inventoryhttp.NewClient(url)
	a.sign(c.Client)
	return c, nil
}
