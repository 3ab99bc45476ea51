// Package orderhttp serves order.Service over HTTP (Register, and
// RegisterEvents for the Server-Sent Events that follow an order) and
// consumes it (Client), so a caller cannot tell the service in-process from
// the service across the network.
//
// A guest order's token travels in the X-Order-Token header (or, for an
// EventSource, which cannot set headers, ?token= on the events URL). The
// caller's identity comes from the authn middleware in front of these
// routes.
package orderhttp

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/idempotency"
)

// Routes.
const (
	PathCheckout = "/api/v1/checkout"
	pathOrders   = "/api/v1/orders"
	pathMyOrders = "/api/v1/me/orders"
	pathAdmin    = "/api/v1/admin/orders"
)

// noStore keeps orders out of shared caches: they are one shopper's.
const noStore = "no-store"

// Options configure Register.
type Options struct {
	// Admin guards the staff routes (/api/v1/admin/orders…); nil: staff
	// and admins. Core checks roles again whatever the guard is.
	Admin huma.Middlewares
}

// Register adds the order operations to api. Checkout does its own
// Idempotency-Key handling: keep PathCheckout out of the idempotency
// middleware.
func Register(api huma.API, svc order.Service, o Options) {
	if o.Admin == nil {
		o.Admin = huma.Middlewares{authn.RequireRole(api, authn.RoleStaff, authn.RoleAdmin)}
	}
	h := &handlers{svc: svc}
	tags := []string{"Orders"}
	op := func(id, method, path, summary string, status int, mw huma.Middlewares) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags, Middlewares: mw, DefaultStatus: status}
	}

	checkout := op("checkout", http.MethodPost, PathCheckout, "Check out a cart: accept an order", http.StatusAccepted, nil)
	checkout.Description = "Prices the cart, holds its stock and accepts the order; payment and the order's creation follow in the background. " +
		"Answers 202 with the order id; follow it at status_url (Location) or events_url (Server-Sent Events). " +
		"An Idempotency-Key header is required: retry with the same key and body to get the same answer; a new attempt needs a new key. " +
		"A guest sends the cart's X-Cart-Token and gets an order_token to read the order with."
	huma.Register(api, checkout, h.checkout)
	huma.Register(api, op("get-order", http.MethodGet, pathOrders+"/{id}",
		"An order with its history (a guest sends the order token)", 0, nil), h.getOrder)
	huma.Register(api, op("list-my-orders", http.MethodGet, pathMyOrders,
		"The signed-in customer's orders, newest first", 0, huma.Middlewares{authn.RequireUser(api)}), h.myOrders)
	huma.Register(api, op("cancel-order", http.MethodPost, pathOrders+"/{id}/cancel",
		"Cancel an order before it ships (a paid one is refunded in full)", 0, nil), h.cancel)
	huma.Register(api, op("request-order-return", http.MethodPost, pathOrders+"/{id}/returns",
		"Ask to return units of a delivered order, for a refund or an exchange", http.StatusCreated, nil), h.requestReturn)

	huma.Register(api, op("list-orders", http.MethodGet, pathAdmin,
		"Orders, newest first, filtered", 0, o.Admin), h.list)
	huma.Register(api, op("admin-get-order", http.MethodGet, pathAdmin+"/{id}",
		"An order with its history", 0, o.Admin), h.adminGet)
	huma.Register(api, op("pack-order", http.MethodPost, pathAdmin+"/{id}/pack",
		"Mark a paid or confirmed order packed", 0, o.Admin), h.pack)
	huma.Register(api, op("ship-order", http.MethodPost, pathAdmin+"/{id}/ship",
		"Mark a packed order shipped, with its tracking", 0, o.Admin), h.ship)
	huma.Register(api, op("deliver-order", http.MethodPost, pathAdmin+"/{id}/deliver",
		"Mark a shipped order delivered (the return window starts)", 0, o.Admin), h.deliver)
	huma.Register(api, op("admin-cancel-order", http.MethodPost, pathAdmin+"/{id}/cancel",
		"Cancel an order before it ships", 0, o.Admin), h.adminCancel)
	huma.Register(api, op("decide-order-return", http.MethodPost, pathAdmin+"/{id}/returns/{return_id}/decision",
		"Approve or reject a return (approving an exchange creates the replacement order)", 0, o.Admin), h.decideReturn)
	huma.Register(api, op("receive-order-return", http.MethodPost, pathAdmin+"/{id}/returns/{return_id}/receive",
		"Record returned units as received (a refund resolution refunds them)", 0, o.Admin), h.receiveReturn)
	refund := op("refund-order", http.MethodPost, pathAdmin+"/{id}/refund",
		"Refund an order, in part or in full", 0, o.Admin)
	refund.Description = "Safe to retry with the same key: the body's key, else the Idempotency-Key header."
	huma.Register(api, refund, h.refund)
}

type handlers struct{ svc order.Service }

// caller makes an anonymous request a guest's, never a trusted in-process
// call: Core trusts a context without a principal.
func caller(ctx context.Context) context.Context {
	if _, ok := authn.FromContext(ctx); ok {
		return ctx
	}
	return order.AsGuest(ctx)
}

// scopeOf says whose Idempotency-Key a checkout's is: the signed-in
// account's, else the guest cart's (by a hash of its token).
func scopeOf(ctx context.Context, cartToken string) string {
	if p, ok := authn.FromContext(ctx); ok && p.UserID != "" {
		return "user:" + p.UserID
	}
	h := sha256.Sum256([]byte(cartToken))
	return "guest:" + hex.EncodeToString(h[:])
}

// validKey is the idempotency middleware's rule: 1 to 255 printable ASCII
// characters.
func validKey(k string) bool {
	if len(k) == 0 || len(k) > 255 {
		return false
	}
	for i := 0; i < len(k); i++ {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

type checkoutIn struct {
	IdempotencyKey string `header:"Idempotency-Key" doc:"Required: a new random key per checkout attempt (a UUID), the same on every retry of that attempt."`
	CartToken      string `header:"X-Cart-Token" doc:"A guest cart's token. Members need none."`
	Body           order.CheckoutInput
}

type checkoutOut struct {
	Location     string `header:"Location" doc:"The order's status URL."`
	CacheControl string `header:"Cache-Control"`
	Body         order.Accepted
}

func (h *handlers) checkout(ctx context.Context, in *checkoutIn) (*checkoutOut, error) {
	if in.IdempotencyKey == "" {
		return nil, order.ErrIdempotencyKeyRequired
	}
	if !validKey(in.IdempotencyKey) {
		return nil, idempotency.ErrInvalidKey
	}
	body := in.Body
	canonical, err := json.Marshal(body)
	if err != nil {
		return nil, errs.Internal(err)
	}
	sum := sha256.Sum256(canonical)
	body.IdempotencyKey = in.IdempotencyKey
	body.CartToken = in.CartToken
	body.Scope = scopeOf(ctx, in.CartToken)
	body.Fingerprint = hex.EncodeToString(sum[:])
	a, err := h.svc.Checkout(caller(ctx), body)
	if err != nil {
		return nil, err
	}
	return &checkoutOut{Location: a.StatusURL, CacheControl: noStore, Body: a}, nil
}

type orderOut struct {
	CacheControl string `header:"Cache-Control"`
	Body         order.Order
}

func orderResult(o order.Order, err error) (*orderOut, error) {
	if err != nil {
		return nil, err
	}
	return &orderOut{CacheControl: noStore, Body: o}, nil
}

type pageOut struct {
	CacheControl string `header:"Cache-Control"`
	Body         order.Page
}

func pageResult(p order.Page, err error) (*pageOut, error) {
	if err != nil {
		return nil, err
	}
	if p.Items == nil {
		p.Items = []order.Order{}
	}
	return &pageOut{CacheControl: noStore, Body: p}, nil
}

type orderIn struct {
	ID         string `path:"id" maxLength:"64"`
	Token      string `header:"X-Order-Token" doc:"A guest order's token (order_token from checkout). Members and staff need none."`
	QueryToken string `query:"token" doc:"The order token, for clients that cannot set headers; prefer X-Order-Token."`
}

// tokenOf is the guest's order token: the header's, else the query's.
func tokenOf(header, query string) string {
	if header != "" {
		return header
	}
	return query
}

func (h *handlers) getOrder(ctx context.Context, in *orderIn) (*orderOut, error) {
	return orderResult(h.svc.Order(caller(ctx), in.ID, tokenOf(in.Token, in.QueryToken)))
}

type myOrdersIn struct {
	PageSize  int    `query:"page_size" minimum:"0" maximum:"100" doc:"1 to 100; 20 by default."`
	PageToken string `query:"page_token" maxLength:"200" doc:"next_page_token of the previous page."`
}

func (h *handlers) myOrders(ctx context.Context, in *myOrdersIn) (*pageOut, error) {
	return pageResult(h.svc.MyOrders(caller(ctx), in.PageSize, in.PageToken))
}

type cancelIn struct {
	ID         string             `path:"id" maxLength:"64"`
	Token      string             `header:"X-Order-Token" doc:"A guest order's token. Members and staff need none."`
	QueryToken string             `query:"token" doc:"The order token; prefer X-Order-Token."`
	Body       *order.CancelInput `required:"false"`
}

func (h *handlers) cancel(ctx context.Context, in *cancelIn) (*orderOut, error) {
	var body order.CancelInput
	if in.Body != nil {
		body = *in.Body
	}
	return orderResult(h.svc.Cancel(caller(ctx), in.ID, tokenOf(in.Token, in.QueryToken), body))
}

type returnIn struct {
	ID         string `path:"id" maxLength:"64"`
	Token      string `header:"X-Order-Token" doc:"A guest order's token. Members and staff need none."`
	QueryToken string `query:"token" doc:"The order token; prefer X-Order-Token."`
	Body       order.ReturnInput
}

func (h *handlers) requestReturn(ctx context.Context, in *returnIn) (*orderOut, error) {
	return orderResult(h.svc.RequestReturn(caller(ctx), in.ID, tokenOf(in.Token, in.QueryToken), in.Body))
}

type listIn struct {
	Status     string    `query:"status" enum:"pending,awaiting_payment,paid,confirmed,packed,shipped,delivered,cancelled,payment_failed,expired,return_requested,return_approved,returned,refunded"`
	CustomerID string    `query:"customer_id" maxLength:"64"`
	Email      string    `query:"email" maxLength:"254"`
	Number     string    `query:"number" maxLength:"32"`
	From       time.Time `query:"from" doc:"Orders created at or after this time (RFC 3339)."`
	To         time.Time `query:"to" doc:"Orders created before this time (RFC 3339)."`
	PageSize   int       `query:"page_size" minimum:"0" maximum:"100" doc:"1 to 100; 20 by default."`
	PageToken  string    `query:"page_token" maxLength:"200" doc:"next_page_token of the previous page."`
}

func (h *handlers) list(ctx context.Context, in *listIn) (*pageOut, error) {
	return pageResult(h.svc.Orders(caller(ctx), order.ListFilter{
		Status: order.Status(in.Status), CustomerID: in.CustomerID, Email: in.Email, Number: in.Number,
		From: in.From, To: in.To, PageSize: in.PageSize, PageToken: in.PageToken,
	}))
}

type idIn struct {
	ID string `path:"id" maxLength:"64"`
}

func (h *handlers) adminGet(ctx context.Context, in *idIn) (*orderOut, error) {
	return orderResult(h.svc.Order(caller(ctx), in.ID, ""))
}

func (h *handlers) pack(ctx context.Context, in *idIn) (*orderOut, error) {
	return orderResult(h.svc.Pack(caller(ctx), in.ID))
}

type shipIn struct {
	ID   string `path:"id" maxLength:"64"`
	Body order.ShipInput
}

func (h *handlers) ship(ctx context.Context, in *shipIn) (*orderOut, error) {
	return orderResult(h.svc.Ship(caller(ctx), in.ID, in.Body))
}

func (h *handlers) deliver(ctx context.Context, in *idIn) (*orderOut, error) {
	return orderResult(h.svc.Deliver(caller(ctx), in.ID))
}

type adminCancelIn struct {
	ID   string             `path:"id" maxLength:"64"`
	Body *order.CancelInput `required:"false"`
}

func (h *handlers) adminCancel(ctx context.Context, in *adminCancelIn) (*orderOut, error) {
	var body order.CancelInput
	if in.Body != nil {
		body = *in.Body
	}
	return orderResult(h.svc.Cancel(caller(ctx), in.ID, "", body))
}

type decideIn struct {
	ID       string `path:"id" maxLength:"64"`
	ReturnID string `path:"return_id" maxLength:"64"`
	Body     order.ReturnDecision
}

func (h *handlers) decideReturn(ctx context.Context, in *decideIn) (*orderOut, error) {
	return orderResult(h.svc.DecideReturn(caller(ctx), in.ID, in.ReturnID, in.Body))
}

type returnPathIn struct {
	ID       string `path:"id" maxLength:"64"`
	ReturnID string `path:"return_id" maxLength:"64"`
}

func (h *handlers) receiveReturn(ctx context.Context, in *returnPathIn) (*orderOut, error) {
	return orderResult(h.svc.ReceiveReturn(caller(ctx), in.ID, in.ReturnID))
}

type refundIn struct {
	ID             string             `path:"id" maxLength:"64"`
	IdempotencyKey string             `header:"Idempotency-Key" maxLength:"255" doc:"The refund's key when the body has none."`
	Body           *order.RefundInput `required:"false"`
}

func (h *handlers) refund(ctx context.Context, in *refundIn) (*orderOut, error) {
	var body order.RefundInput
	if in.Body != nil {
		body = *in.Body
	}
	if body.Key == "" {
		body.Key = in.IdempotencyKey
	}
	return orderResult(h.svc.Refund(caller(ctx), in.ID, body))
}
