package orderhttp

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/idempotency"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// Client is order.Service over HTTP. It calls as the principal of each
// call's context, signed by its transport (set Client.HTTP.Transport to an
// authn.Transport); a guest context (an empty principal) goes out unsigned,
// through Anonymous, as a shopper's browser would.
type Client struct {
	*web.Client
	Anonymous *web.Client
}

var _ order.Service = (*Client)(nil)

// NewClient returns a client of the order service at baseURL.
func NewClient(baseURL string) *Client {
	return &Client{Client: web.NewClient(baseURL), Anonymous: web.NewClient(baseURL)}
}

func (c *Client) do(ctx context.Context, call web.Call, out any) error {
	if p, ok := authn.FromContext(ctx); ok && p.UserID == "" && p.Role == "" {
		return c.Anonymous.Do(ctx, call, out)
	}
	return c.Client.Do(ctx, call, out)
}

func (c *Client) order(ctx context.Context, call web.Call) (order.Order, error) {
	var out order.Order
	err := c.do(ctx, call, &out)
	return out, err
}

func orderPath(id, rest string) string { return pathOrders + "/" + url.PathEscape(id) + rest }
func adminPath(id, rest string) string { return pathAdmin + "/" + url.PathEscape(id) + rest }

func withToken(token string) http.Header {
	if token == "" {
		return nil
	}
	return http.Header{order.HeaderOrderToken: []string{token}}
}

// Checkout implements order.Service. The key and the cart token travel as
// headers; Scope and Fingerprint are the server's to fill.
func (c *Client) Checkout(ctx context.Context, in order.CheckoutInput) (order.Accepted, error) {
	h := http.Header{}
	if in.IdempotencyKey != "" {
		h.Set(idempotency.HeaderKey, in.IdempotencyKey)
	}
	if in.CartToken != "" {
		h.Set("X-Cart-Token", in.CartToken)
	}
	var out order.Accepted
	err := c.do(ctx, web.Call{Method: http.MethodPost, Path: PathCheckout, Body: in, Header: h}, &out)
	return out, err
}

// Order implements order.Service.
func (c *Client) Order(ctx context.Context, id, token string) (order.Order, error) {
	return c.order(ctx, web.Call{Method: http.MethodGet, Path: orderPath(id, ""), Header: withToken(token)})
}

// MyOrders implements order.Service.
func (c *Client) MyOrders(ctx context.Context, pageSize int, pageToken string) (order.Page, error) {
	q := url.Values{}
	if pageSize > 0 {
		q.Set("page_size", strconv.Itoa(pageSize))
	}
	if pageToken != "" {
		q.Set("page_token", pageToken)
	}
	var out order.Page
	err := c.do(ctx, web.Call{Method: http.MethodGet, Path: pathMyOrders, Query: q}, &out)
	return out, err
}

// Cancel implements order.Service.
func (c *Client) Cancel(ctx context.Context, id, token string, in order.CancelInput) (order.Order, error) {
	return c.order(ctx, web.Call{Method: http.MethodPost, Path: orderPath(id, "/cancel"), Header: withToken(token), Body: in})
}

// RequestReturn implements order.Service.
func (c *Client) RequestReturn(ctx context.Context, id, token string, in order.ReturnInput) (order.Order, error) {
	return c.order(ctx, web.Call{Method: http.MethodPost, Path: orderPath(id, "/returns"), Header: withToken(token), Body: in})
}

// Orders implements order.Service.
func (c *Client) Orders(ctx context.Context, f order.ListFilter) (order.Page, error) {
	q := url.Values{}
	for k, v := range map[string]string{"status": string(f.Status), "customer_id": f.CustomerID, "email": f.Email, "number": f.Number, "page_token": f.PageToken} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if !f.From.IsZero() {
		q.Set("from", f.From.Format(time.RFC3339Nano))
	}
	if !f.To.IsZero() {
		q.Set("to", f.To.Format(time.RFC3339Nano))
	}
	if f.PageSize > 0 {
		q.Set("page_size", strconv.Itoa(f.PageSize))
	}
	var out order.Page
	err := c.do(ctx, web.Call{Method: http.MethodGet, Path: pathAdmin, Query: q}, &out)
	return out, err
}

// Pack implements order.Service.
func (c *Client) Pack(ctx context.Context, id string) (order.Order, error) {
	return c.order(ctx, web.Call{Method: http.MethodPost, Path: adminPath(id, "/pack")})
}

// Ship implements order.Service.
func (c *Client) Ship(ctx context.Context, id string, in order.ShipInput) (order.Order, error) {
	return c.order(ctx, web.Call{Method: http.MethodPost, Path: adminPath(id, "/ship"), Body: in})
}

// Deliver implements order.Service.
func (c *Client) Deliver(ctx context.Context, id string) (order.Order, error) {
	return c.order(ctx, web.Call{Method: http.MethodPost, Path: adminPath(id, "/deliver")})
}

// DecideReturn implements order.Service.
func (c *Client) DecideReturn(ctx context.Context, id, returnID string, in order.ReturnDecision) (order.Order, error) {
	return c.order(ctx, web.Call{Method: http.MethodPost, Path: adminPath(id, "/returns/"+url.PathEscape(returnID)+"/decision"), Body: in})
}

// ReceiveReturn implements order.Service.
func (c *Client) ReceiveReturn(ctx context.Context, id, returnID string) (order.Order, error) {
	return c.order(ctx, web.Call{Method: http.MethodPost, Path: adminPath(id, "/returns/"+url.PathEscape(returnID)+"/receive")})
}

// Refund implements order.Service. The key travels in the body: no
// Idempotency-Key header, so that concurrent retries reach the service's
// own idempotency rather than the HTTP layer's 409.
func (c *Client) Refund(ctx context.Context, id string, in order.RefundInput) (order.Order, error) {
	return c.order(ctx, web.Call{Method: http.MethodPost, Path: adminPath(id, "/refund"), Body: in})
}
