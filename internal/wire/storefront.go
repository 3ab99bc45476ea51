package wire

import "github.com/bazaarshop/bazaar/internal/storefront"

// routeStorefront serves the web storefront at / as the router's fallback:
// a page path no route claims gets the single-page app, while unknown API
// routes stay 404 problem documents.
func (a *App) routeStorefront() {
	a.Router.SetFallback(storefront.Handler())
}
