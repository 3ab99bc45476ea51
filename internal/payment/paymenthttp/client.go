package paymenthttp

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// Client is payment.Service over HTTP. It calls as the principal of each
// call's context, signed by its transport (set Client.HTTP.Transport to an
// authn.Transport); a guest context (payment.AsGuest) goes out unsigned,
// through Anonymous, as a shopper's browser would.
type Client struct {
	*web.Client
	Anonymous *web.Client
}

var _ payment.Service = (*Client)(nil)

// NewClient returns a client of the payment service at baseURL.
func NewClient(baseURL string) *Client {
	return &Client{Client: web.NewClient(baseURL), Anonymous: web.NewClient(baseURL)}
}

func (c *Client) do(ctx context.Context, call web.Call, out any) error {
	if p, ok := authn.FromContext(ctx); ok && p.UserID == "" && p.Role == "" {
		return c.Anonymous.Do(ctx, call, out)
	}
	return c.Client.Do(ctx, call, out)
}

func intentPath(id string, rest string) string { return pathIntents + "/" + url.PathEscape(id) + rest }

// CreateIntent implements payment.Service.
func (c *Client) CreateIntent(ctx context.Context, in payment.CreateIntentInput) (payment.Intent, error) {
	var out payment.Intent
	// No Idempotency-Key header: the key in the body makes the service
	// itself idempotent, and concurrent retries get the one intent rather
	// than the HTTP layer's 409.
	err := c.do(ctx, web.Call{Method: http.MethodPost, Path: pathIntents, Body: in}, &out)
	return out, err
}

// GetIntent implements payment.Service.
func (c *Client) GetIntent(ctx context.Context, id string) (payment.Intent, error) {
	var out payment.Intent
	err := c.do(ctx, web.Call{Method: http.MethodGet, Path: intentPath(id, "")}, &out)
	return out, err
}

// ListIntents implements payment.Service.
func (c *Client) ListIntents(ctx context.Context, f payment.ListIntentsInput) (payment.IntentPage, error) {
	q := url.Values{}
	for k, v := range map[string]string{"customer_id": f.CustomerID, "order_id": f.OrderID, "status": string(f.Status), "page_token": f.PageToken} {
		if v != "" {
			q.Set(k, v)
		}
	}
	if f.PageSize > 0 {
		q.Set("page_size", strconv.Itoa(f.PageSize))
	}
	var out payment.IntentPage
	err := c.do(ctx, web.Call{Method: http.MethodGet, Path: pathIntents, Query: q}, &out)
	return out, err
}

// ConfirmIntent implements payment.Service.
func (c *Client) ConfirmIntent(ctx context.Context, id string, in payment.ConfirmIntentInput) (payment.Intent, error) {
	var out payment.Intent
	err := c.do(ctx, web.Call{Method: http.MethodPost, Path: intentPath(id, "/confirm"), Body: in}, &out)
	return out, err
}

// CaptureIntent implements payment.Service.
func (c *Client) CaptureIntent(ctx context.Context, id string, in payment.CaptureIntentInput) (payment.Intent, error) {
	var out payment.Intent
	err := c.do(ctx, web.Call{Method: http.MethodPost, Path: intentPath(id, "/capture"), Body: in}, &out)
	return out, err
}

// CancelIntent implements payment.Service.
func (c *Client) CancelIntent(ctx context.Context, id string, in payment.CancelIntentInput) (payment.Intent, error) {
	var out payment.Intent
	err := c.do(ctx, web.Call{Method: http.MethodPost, Path: intentPath(id, "/cancel"), Body: in}, &out)
	return out, err
}

// RefundIntent implements payment.Service.
func (c *Client) RefundIntent(ctx context.Context, id string, in payment.RefundIntentInput) (payment.Refund, error) {
	var out payment.Refund
	err := c.do(ctx, web.Call{Method: http.MethodPost, Path: intentPath(id, "/refunds"), Body: in}, &out)
	return out, err
}

// ListRefunds implements payment.Service.
func (c *Client) ListRefunds(ctx context.Context, intentID string) ([]payment.Refund, error) {
	var out struct {
		Items []payment.Refund `json:"items"`
	}
	err := c.do(ctx, web.Call{Method: http.MethodGet, Path: intentPath(intentID, "/refunds")}, &out)
	return out.Items, err
}

// methodWire is CreateMethodInput as sent: card.PAN and card.CVC marshal
// as masks everywhere else, so the one place they must travel spells them
// out.
type methodWire struct {
	CustomerID string              `json:"customer_id,omitempty"`
	Type       payment.MethodType  `json:"type"`
	Card       *cardWire           `json:"card,omitempty"`
	UPI        *payment.UPIDetails `json:"upi,omitempty"`
	Save       bool                `json:"save,omitempty"`
}

type cardWire struct {
	Number   string `json:"number"`
	ExpMonth int    `json:"exp_month"`
	ExpYear  int    `json:"exp_year"`
	CVC      string `json:"cvc,omitempty"`
	Name     string `json:"name,omitempty"`
}

// CreateMethod implements payment.Service.
func (c *Client) CreateMethod(ctx context.Context, in payment.CreateMethodInput) (payment.Method, error) {
	w := methodWire{CustomerID: in.CustomerID, Type: in.Type, UPI: in.UPI, Save: in.Save}
	if in.Card != nil {
		w.Card = &cardWire{Number: in.Card.Number.Reveal(), ExpMonth: in.Card.ExpMonth, ExpYear: in.Card.ExpYear, CVC: in.Card.CVC.Reveal(), Name: in.Card.Name}
	}
	var out payment.Method
	err := c.do(ctx, web.Call{Method: http.MethodPost, Path: pathMethods, Body: w}, &out)
	return out, err
}

// GetMethod implements payment.Service.
func (c *Client) GetMethod(ctx context.Context, id string) (payment.Method, error) {
	var out payment.Method
	err := c.do(ctx, web.Call{Method: http.MethodGet, Path: pathMethods + "/" + url.PathEscape(id)}, &out)
	return out, err
}

// ListMethods implements payment.Service.
func (c *Client) ListMethods(ctx context.Context, customerID string) ([]payment.Method, error) {
	var q url.Values
	if customerID != "" {
		q = url.Values{"customer_id": {customerID}}
	}
	var out struct {
		Items []payment.Method `json:"items"`
	}
	err := c.do(ctx, web.Call{Method: http.MethodGet, Path: pathMethods, Query: q}, &out)
	return out.Items, err
}

// DeleteMethod implements payment.Service.
func (c *Client) DeleteMethod(ctx context.Context, id string) error {
	return c.do(ctx, web.Call{Method: http.MethodDelete, Path: pathMethods + "/" + url.PathEscape(id)}, nil)
}

// Ledger implements payment.Service.
func (c *Client) Ledger(ctx context.Context) (payment.LedgerReport, error) {
	var out payment.LedgerReport
	err := c.do(ctx, web.Call{Method: http.MethodGet, Path: pathAdmin + "/ledger"}, &out)
	return out, err
}

// Reconcile implements payment.Service.
func (c *Client) Reconcile(ctx context.Context) (payment.ReconcileReport, error) {
	var out payment.ReconcileReport
	err := c.do(ctx, web.Call{Method: http.MethodPost, Path: pathAdmin + "/reconcile"}, &out)
	return out, err
}
