package wire

import (
	"context"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/cart/cartdb"
	"github.com/bazaarshop/bazaar/internal/cart/carthttp"
	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/bus/outbox"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

var cartModule = module{
	name:       "cart",
	migrations: []sqldb.Migrations{cartdb.Migrations, outbox.Migrations},
	build:      buildCart,
}

func buildCart(ctx context.Context, a *App, db *sqldb.DB) error {
	relay, err := a.startOutbox(ctx, "cart", db, cart.Stream)
	if err != nil {
		return err
	}
	cat, err := a.catalogService()
	if err != nil {
		return err
	}
	inv, err := a.inventoryService()
	if err != nil {
		return err
	}
	core := cart.NewCore(cartdb.New(db), cart.Options{
		Catalog:   cartCatalog{cat},
		Inventory: inv,
		Cache:     a.Cache,
		OnCommit:  relay.Notify,
		Logger:    a.log.With("service", "cart"),
	})
	api := a.Router.API
	carthttp.Register(api, core, carthttp.Options{
		Admin: huma.Middlewares{authn.RequireRole(api, authn.RoleStaff, authn.RoleAdmin)},
	})
	a.addWorker("cart-expiry", core.RunExpiry)
	a.Cart = core
	return nil
}

// cartCatalog gives the cart what it needs of the catalog, whether the
// catalog runs here or elsewhere.
type cartCatalog struct{ svc catalog.Service }

func (c cartCatalog) LookupSKUs(ctx context.Context, skus []string) (map[string]cart.SKUInfo, error) {
	infos, err := c.svc.LookupSKUs(ctx, skus)
	if err != nil {
		return nil, err
	}
	out := make(map[string]cart.SKUInfo, len(infos))
	for _, i := range infos {
		var image string
		if i.Image != nil {
			image = i.Image.URL
		}
		out[i.SKU] = cart.SKUInfo{
			SKU: i.SKU, ProductID: i.ProductID, Slug: i.Slug, Title: i.Title, Image: image,
			Size: i.Size, Color: i.Color, Brand: i.Brand,
			Categories: i.Categories, Collections: i.Collections,
			Price: i.Price, CompareAt: i.CompareAt, Purchasable: i.Purchasable,
		}
	}
	return out, nil
}

// cartService is the cart in this process, or a client of the process that
// runs it.
func (a *App) cartService() (cart.Service, error) {
	if a.Cart != nil {
		return a.Cart, nil
	}
	url, err := a.remoteURL("cart")
	if err != nil {
		return nil, err
	}
	c := carthttp.NewClient(url)
	a.sign(c.Client)
	return c, nil
}
