// Package carthttp serves cart.Service over HTTP and is a client of the same
// interface, so a caller cannot tell a remote cart service from Core.
//
// A guest cart's token travels in the X-Cart-Token header, never in a URL,
// so that it stays out of access logs and browser history. The caller's
// identity comes from the authn middleware in front of these routes.
package carthttp

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
)

// Paths of the cart's API.
const (
	pathCarts       = "/api/v1/carts"
	pathMyCart      = "/api/v1/me/cart"
	pathRedemptions = "/api/v1/internal/cart/redemptions"
	pathPromotions  = "/api/v1/admin/promotions"
	pathLimits      = "/api/v1/admin/purchase-limits"
)

// noStore keeps carts out of shared caches: they are one shopper's.
const noStore = "no-store"

// Options configures Register.
type Options struct {
	// Admin guards /api/v1/admin/promotions and purchase-limits (staff).
	// Without it those routes are not registered.
	Admin huma.Middlewares
	// Internal guards the redemption routes checkout calls; nil:
	// authn.RequireService, which admits only calls signed by another
	// Bazaar service.
	Internal huma.Middlewares
}

// Register adds the cart's operations to api.
func Register(api huma.API, svc cart.Service, opts Options) {
	if opts.Internal == nil {
		opts.Internal = huma.Middlewares{authn.RequireService(api)}
	}
	s := &server{svc: svc}
	s.registerShopper(api)
	s.registerInternal(api, opts.Internal)
	if opts.Admin != nil {
		s.registerAdmin(api, opts.Admin)
	}
}

type server struct {
	svc cart.Service
}

type cartOut struct {
	Status       int
	CacheControl string `header:"Cache-Control"`
	Body         cart.Cart
}

func cartResult(c cart.Cart, err error) (*cartOut, error) {
	if err != nil {
		return nil, err
	}
	return &cartOut{Status: http.StatusOK, CacheControl: noStore, Body: c}, nil
}

type createIn struct {
	DeviceID string `header:"X-Device-Id" doc:"The guest's device id (8 to 64 letters, digits, '-' or '_'), optional."`
}

type cartIn struct {
	ID    string `path:"id"`
	Token string `header:"X-Cart-Token" doc:"A guest cart's token, from the answer that created it. Members need none."`
}

type addItemIn struct {
	ID    string `path:"id"`
	Token string `header:"X-Cart-Token" doc:"A guest cart's token, from the answer that created it. Members need none."`
	Body  cart.AddItem
}

type lineIn struct {
	ID     string `path:"id"`
	Token  string `header:"X-Cart-Token" doc:"A guest cart's token, from the answer that created it. Members need none."`
	LineID string `path:"line_id"`
}

type updateItemIn struct {
	ID     string `path:"id"`
	Token  string `header:"X-Cart-Token" doc:"A guest cart's token, from the answer that created it. Members need none."`
	LineID string `path:"line_id"`
	Body   struct {
		Quantity int64 `json:"quantity" doc:"The line's new quantity, at least 1; remove the line to drop it."`
	}
}

type couponIn struct {
	ID    string `path:"id"`
	Token string `header:"X-Cart-Token" doc:"A guest cart's token, from the answer that created it. Members need none."`
	Body  struct {
		Code string `json:"code" maxLength:"64"`
	}
}

type couponPathIn struct {
	ID    string `path:"id"`
	Token string `header:"X-Cart-Token" doc:"A guest cart's token, from the answer that created it. Members need none."`
	Code  string `path:"code"`
}

type addressIn struct {
	ID    string `path:"id"`
	Token string `header:"X-Cart-Token" doc:"A guest cart's token, from the answer that created it. Members need none."`
	Body  cart.Address
}

type mergeIn struct {
	Token string `header:"X-Cart-Token" doc:"The guest cart's token."`
	Body  struct {
		CartID string `json:"cart_id" doc:"The guest cart to fold into the account's cart."`
	}
}

type quoteOut struct {
	CacheControl string `header:"Cache-Control"`
	Body         cart.Quote
}

func (s *server) registerShopper(api huma.API) {
	tags := []string{"Cart"}
	op := func(id, method, path, summary string) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags}
	}
	create := op("create-cart", http.MethodPost, pathCarts, "Open a guest cart")
	create.Description = "Answers 201 with the cart and its token, which the client keeps and sends as X-Cart-Token. A signed-in member gets their own cart (200) instead."
	create.DefaultStatus = http.StatusCreated
	create.Responses = map[string]*huma.Response{"200": {Description: "The member's existing cart."}}
	huma.Register(api, create, func(ctx context.Context, in *createIn) (*cartOut, error) {
		c, err := s.svc.CreateCart(ctx, cart.NewCart{DeviceID: in.DeviceID})
		if err != nil {
			return nil, err
		}
		status := http.StatusOK
		if c.Token != "" {
			status = http.StatusCreated
		}
		return &cartOut{Status: status, CacheControl: noStore, Body: c}, nil
	})
	huma.Register(api, op("get-cart", http.MethodGet, pathCarts+"/{id}", "Read a cart, priced and checked afresh"),
		func(ctx context.Context, in *cartIn) (*cartOut, error) {
			return cartResult(s.svc.Cart(ctx, in.ID, in.Token))
		})
	huma.Register(api, op("add-cart-item", http.MethodPost, pathCarts+"/{id}/items", "Add units of a SKU"),
		func(ctx context.Context, in *addItemIn) (*cartOut, error) {
			return cartResult(s.svc.AddItem(ctx, in.ID, in.Token, in.Body))
		})
	huma.Register(api, op("update-cart-item", http.MethodPatch, pathCarts+"/{id}/items/{line_id}", "Set a line's quantity"),
		func(ctx context.Context, in *updateItemIn) (*cartOut, error) {
			return cartResult(s.svc.UpdateItem(ctx, in.ID, in.Token, in.LineID, in.Body.Quantity))
		})
	huma.Register(api, op("remove-cart-item", http.MethodDelete, pathCarts+"/{id}/items/{line_id}", "Remove a line"),
		func(ctx context.Context, in *lineIn) (*cartOut, error) {
			return cartResult(s.svc.RemoveItem(ctx, in.ID, in.Token, in.LineID))
		})
	huma.Register(api, op("apply-coupon", http.MethodPost, pathCarts+"/{id}/promotions", "Apply a coupon code"),
		func(ctx context.Context, in *couponIn) (*cartOut, error) {
			return cartResult(s.svc.ApplyCoupon(ctx, in.ID, in.Token, in.Body.Code))
		})
	huma.Register(api, op("remove-coupon", http.MethodDelete, pathCarts+"/{id}/promotions/{code}", "Remove a coupon code"),
		func(ctx context.Context, in *couponPathIn) (*cartOut, error) {
			return cartResult(s.svc.RemoveCoupon(ctx, in.ID, in.Token, in.Code))
		})
	huma.Register(api, op("set-shipping-address", http.MethodPut, pathCarts+"/{id}/shipping-address", "Set where the cart ships"),
		func(ctx context.Context, in *addressIn) (*cartOut, error) {
			return cartResult(s.svc.SetShippingAddress(ctx, in.ID, in.Token, in.Body))
		})
	huma.Register(api, op("quote-cart", http.MethodGet, pathCarts+"/{id}/quote", "Price a cart for checkout"),
		func(ctx context.Context, in *cartIn) (*quoteOut, error) {
			q, err := s.svc.Quote(ctx, in.ID, in.Token)
			if err != nil {
				return nil, err
			}
			return &quoteOut{CacheControl: noStore, Body: q}, nil
		})

	quoteTo := op("quote-cart-to", http.MethodPost, pathCarts+"/{id}/quote", "Price a cart for checkout to an address, without saving the address")
	quoteTo.Description = "A read: the cart is priced (GST, shipping, cash on delivery) as if it shipped to the address in the body, and left as it was."
	huma.Register(api, quoteTo, func(ctx context.Context, in *addressIn) (*quoteOut, error) {
		q, err := s.svc.QuoteTo(ctx, in.ID, in.Token, in.Body)
		if err != nil {
			return nil, err
		}
		return &quoteOut{CacheControl: noStore, Body: q}, nil
	})

	member := huma.Middlewares{authn.RequireUser(api)}
	mine := op("get-my-cart", http.MethodGet, pathMyCart, "Read the signed-in member's cart")
	mine.Middlewares = member
	huma.Register(api, mine, func(ctx context.Context, _ *struct{}) (*cartOut, error) {
		return cartResult(s.svc.MyCart(ctx))
	})
	merge := op("merge-cart", http.MethodPost, pathMyCart+"/merge", "Fold a guest cart into the member's cart")
	merge.Description = "Call it right after sign-in with the guest cart's id and token: quantities are summed, capped by stock and limits. Merging the same guest cart again changes nothing."
	merge.Middlewares = member
	huma.Register(api, merge, func(ctx context.Context, in *mergeIn) (*cartOut, error) {
		p, _ := authn.FromContext(ctx)
		return cartResult(s.svc.Merge(ctx, in.Body.CartID, in.Token, p.UserID))
	})
}

type redeemIn struct {
	Body cart.Redemption
}

type referenceIn struct {
	Reference string `path:"reference"`
}

func (s *server) registerInternal(api huma.API, guard huma.Middlewares) {
	tags := []string{"Cart (internal)"}
	huma.Register(api, huma.Operation{
		OperationID: "redeem-quote", Method: http.MethodPost, Path: pathRedemptions, Tags: tags, Middlewares: guard,
		Summary: "Record an order's use of promotions and purchase limits, and close its cart", DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *redeemIn) (*struct{}, error) {
		return &struct{}{}, s.svc.Redeem(ctx, in.Body)
	})
	huma.Register(api, huma.Operation{
		OperationID: "release-redemption", Method: http.MethodDelete, Path: pathRedemptions + "/{reference}", Tags: tags, Middlewares: guard,
		Summary: "Undo a redemption and reopen its cart", DefaultStatus: http.StatusNoContent,
	}, func(ctx context.Context, in *referenceIn) (*struct{}, error) {
		return &struct{}{}, s.svc.ReleaseRedemption(ctx, in.Reference)
	})
}
