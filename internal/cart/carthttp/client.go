package carthttp

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// Client is cart.Service over HTTP. The caller's principal reaches the
// server only through a signing transport (authn.NewTransport on
// Client.HTTP.Transport), as between Bazaar services; staff calls may
// instead carry credentials in Header.
type Client struct {
	*web.Client
}

var _ cart.Service = (*Client)(nil)

// NewClient returns a client of the cart service at baseURL.
func NewClient(baseURL string) *Client { return &Client{Client: web.NewClient(baseURL)} }

func esc(s string) string { return url.PathEscape(s) }

// call sends one request with the cart token, if any.
func (c *Client) call(ctx context.Context, method, path, token string, body, out any) error {
	call := web.Call{Method: method, Path: path, Body: body}
	if token != "" {
		call.Header = http.Header{cart.HeaderToken: []string{token}}
	}
	return c.Do(ctx, call, out)
}

func (c *Client) cart(ctx context.Context, method, path, token string, body any) (cart.Cart, error) {
	var out cart.Cart
	err := c.call(ctx, method, path, token, body, &out)
	return out, err
}

func cartPath(id string) string { return pathCarts + "/" + esc(id) }

// CreateCart implements cart.Service.
func (c *Client) CreateCart(ctx context.Context, in cart.NewCart) (cart.Cart, error) {
	call := web.Call{Method: http.MethodPost, Path: pathCarts}
	if in.DeviceID != "" {
		call.Header = http.Header{cart.HeaderDeviceID: []string{in.DeviceID}}
	}
	var out cart.Cart
	err := c.Do(ctx, call, &out)
	return out, err
}

// Cart implements cart.Service.
func (c *Client) Cart(ctx context.Context, id, token string) (cart.Cart, error) {
	return c.cart(ctx, http.MethodGet, cartPath(id), token, nil)
}

// MyCart implements cart.Service.
func (c *Client) MyCart(ctx context.Context) (cart.Cart, error) {
	return c.cart(ctx, http.MethodGet, pathMyCart, "", nil)
}

// AddItem implements cart.Service.
func (c *Client) AddItem(ctx context.Context, id, token string, in cart.AddItem) (cart.Cart, error) {
	return c.cart(ctx, http.MethodPost, cartPath(id)+"/items", token, in)
}

// UpdateItem implements cart.Service.
func (c *Client) UpdateItem(ctx context.Context, id, token, lineID string, quantity int64) (cart.Cart, error) {
	return c.cart(ctx, http.MethodPatch, cartPath(id)+"/items/"+esc(lineID), token, map[string]int64{"quantity": quantity})
}

// RemoveItem implements cart.Service.
func (c *Client) RemoveItem(ctx context.Context, id, token, lineID string) (cart.Cart, error) {
	return c.cart(ctx, http.MethodDelete, cartPath(id)+"/items/"+esc(lineID), token, nil)
}

// ApplyCoupon implements cart.Service.
func (c *Client) ApplyCoupon(ctx context.Context, id, token, code string) (cart.Cart, error) {
	return c.cart(ctx, http.MethodPost, cartPath(id)+"/promotions", token, map[string]string{"code": code})
}

// RemoveCoupon implements cart.Service.
func (c *Client) RemoveCoupon(ctx context.Context, id, token, code string) (cart.Cart, error) {
	return c.cart(ctx, http.MethodDelete, cartPath(id)+"/promotions/"+esc(code), token, nil)
}

// SetShippingAddress implements cart.Service.
func (c *Client) SetShippingAddress(ctx context.Context, id, token string, a cart.Address) (cart.Cart, error) {
	return c.cart(ctx, http.MethodPut, cartPath(id)+"/shipping-address", token, a)
}

// Merge implements cart.Service. The call is made as userID (the signing
// transport vouches for it), as the sign-in flow that calls it has no
// principal yet.
func (c *Client) Merge(ctx context.Context, guestCartID, guestToken, userID string) (cart.Cart, error) {
	switch p, ok := authn.FromContext(ctx); {
	case !ok || !p.IsUser():
		ctx = authn.WithPrincipal(ctx, authn.Principal{UserID: userID, Role: authn.RoleCustomer})
	case p.UserID != userID:
		return cart.Cart{}, authn.ErrForbidden.With("a cart can be merged only into your own account")
	}
	return c.cart(ctx, http.MethodPost, pathMyCart+"/merge", guestToken, map[string]string{"cart_id": guestCartID})
}

// Quote implements cart.Service.
func (c *Client) Quote(ctx context.Context, id, token string) (cart.Quote, error) {
	var q cart.Quote
	err := c.call(ctx, http.MethodGet, cartPath(id)+"/quote", token, nil, &q)
	return q, err
}

// QuoteTo implements cart.Service.
func (c *Client) QuoteTo(ctx context.Context, id, token string, a cart.Address) (cart.Quote, error) {
	var q cart.Quote
	err := c.call(ctx, http.MethodPost, cartPath(id)+"/quote", token, a, &q)
	return q, err
}

// Redeem implements cart.Service.
func (c *Client) Redeem(ctx context.Context, r cart.Redemption) error {
	return c.call(ctx, http.MethodPost, pathRedemptions, "", r, nil)
}

// ReleaseRedemption implements cart.Service.
func (c *Client) ReleaseRedemption(ctx context.Context, reference string) error {
	return c.call(ctx, http.MethodDelete, pathRedemptions+"/"+esc(reference), "", nil, nil)
}

// Promotions implements cart.Service.
func (c *Client) Promotions(ctx context.Context, q cart.PromotionQuery) (cart.PromotionPage, error) {
	v := url.Values{}
	if q.PageSize != 0 {
		v.Set("page_size", strconv.Itoa(q.PageSize))
	}
	if q.PageToken != "" {
		v.Set("page_token", q.PageToken)
	}
	var page cart.PromotionPage
	err := c.Do(ctx, web.Call{Method: http.MethodGet, Path: pathPromotions, Query: v}, &page)
	return page, err
}

// Promotion implements cart.Service.
func (c *Client) Promotion(ctx context.Context, id string) (cart.Promotion, error) {
	var p cart.Promotion
	err := c.call(ctx, http.MethodGet, pathPromotions+"/"+esc(id), "", nil, &p)
	return p, err
}

// CreatePromotion implements cart.Service.
func (c *Client) CreatePromotion(ctx context.Context, in cart.PromotionInput) (cart.Promotion, error) {
	var p cart.Promotion
	err := c.call(ctx, http.MethodPost, pathPromotions, "", in, &p)
	return p, err
}

// UpdatePromotion implements cart.Service.
func (c *Client) UpdatePromotion(ctx context.Context, id string, in cart.PromotionInput) (cart.Promotion, error) {
	var p cart.Promotion
	err := c.call(ctx, http.MethodPut, pathPromotions+"/"+esc(id), "", in, &p)
	return p, err
}

// DeletePromotion implements cart.Service.
func (c *Client) DeletePromotion(ctx context.Context, id string) error {
	return c.call(ctx, http.MethodDelete, pathPromotions+"/"+esc(id), "", nil, nil)
}

// PurchaseLimits implements cart.Service.
func (c *Client) PurchaseLimits(ctx context.Context) ([]cart.PurchaseLimit, error) {
	var out struct {
		Items []cart.PurchaseLimit `json:"items"`
	}
	err := c.call(ctx, http.MethodGet, pathLimits, "", nil, &out)
	return out.Items, err
}

// SetPurchaseLimit implements cart.Service.
func (c *Client) SetPurchaseLimit(ctx context.Context, l cart.PurchaseLimit) (cart.PurchaseLimit, error) {
	body := map[string]any{"max_per_customer": l.MaxPerCustomer}
	if l.StartsAt != nil {
		body["starts_at"] = l.StartsAt
	}
	if l.EndsAt != nil {
		body["ends_at"] = l.EndsAt
	}
	var out cart.PurchaseLimit
	err := c.call(ctx, http.MethodPut, pathLimits+"/"+esc(l.SKU), "", body, &out)
	return out, err
}

// DeletePurchaseLimit implements cart.Service.
func (c *Client) DeletePurchaseLimit(ctx context.Context, sku string) error {
	return c.call(ctx, http.MethodDelete, pathLimits+"/"+esc(sku), "", nil, nil)
}
