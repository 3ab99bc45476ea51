// Package paymenthttp serves payment.Service over HTTP (Register, and
// RegisterWebhooks for the providers' webhooks and pages) and consumes it
// (Client), so a caller cannot tell the service in-process from the
// service across the network.
package paymenthttp

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
)

// Routes.
const (
	pathIntents  = "/api/v1/payments/intents"
	pathMethods  = "/api/v1/payments/methods"
	pathWebhooks = "/api/v1/payments/webhooks"
	pathAdmin    = "/api/v1/admin/payments"
)

// Options configure Register. Nil guards take the defaults below; Core
// checks ownership and roles again whatever the guards are.
type Options struct {
	// Admin guards the ledger check and the reconciler: staff, admins and
	// services by default.
	Admin huma.Middlewares
	// Internal guards what the shop does to payments (create, capture,
	// cancel, refund): services, staff and admins by default.
	Internal huma.Middlewares
	// User guards what a signed-in shopper does (read and confirm their
	// payments, manage saved methods): any principal by default.
	User huma.Middlewares
}

// Register adds the payment operations to api.
func Register(api huma.API, svc payment.Service, o Options) {
	if o.Internal == nil {
		o.Internal = huma.Middlewares{authn.RequireRole(api, authn.RoleService, authn.RoleStaff, authn.RoleAdmin)}
	}
	if o.Admin == nil {
		o.Admin = o.Internal
	}
	if o.User == nil {
		o.User = huma.Middlewares{authn.RequireRole(api, authn.RoleCustomer, authn.RoleStaff, authn.RoleAdmin, authn.RoleService)}
	}
	h := &handlers{svc: svc}
	tags := []string{"Payments"}
	op := func(id, method, path, summary string, status int, mw huma.Middlewares) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags, Middlewares: mw, DefaultStatus: status}
	}

	huma.Register(api, op("create-payment-intent", http.MethodPost, pathIntents,
		"Create a payment intent, idempotent by idempotency_key", http.StatusCreated, o.Internal), h.createIntent)
	huma.Register(api, op("list-payment-intents", http.MethodGet, pathIntents,
		"Payment intents, newest first (a shopper sees their own)", 0, o.User), h.listIntents)
	huma.Register(api, op("get-payment-intent", http.MethodGet, pathIntents+"/{id}",
		"A payment intent with its history", 0, o.User), h.getIntent)
	huma.Register(api, op("confirm-payment-intent", http.MethodPost, pathIntents+"/{id}/confirm",
		"Authorise with the provider (again, after a challenge or a timeout)", 0, o.User), h.confirmIntent)
	huma.Register(api, op("capture-payment-intent", http.MethodPost, pathIntents+"/{id}/capture",
		"Take authorised money, all or part", 0, o.Internal), h.captureIntent)
	huma.Register(api, op("cancel-payment-intent", http.MethodPost, pathIntents+"/{id}/cancel",
		"Call a payment off before capture", 0, o.Internal), h.cancelIntent)
	huma.Register(api, op("refund-payment-intent", http.MethodPost, pathIntents+"/{id}/refunds",
		"Refund captured money, idempotent by idempotency_key", http.StatusCreated, o.Internal), h.refundIntent)
	huma.Register(api, op("list-payment-refunds", http.MethodGet, pathIntents+"/{id}/refunds",
		"A payment's refunds", 0, o.User), h.listRefunds)

	huma.Register(api, op("create-payment-method", http.MethodPost, pathMethods,
		"Tokenise a card or record a UPI address (guests may, without saving)", http.StatusCreated, nil), h.createMethod)
	huma.Register(api, op("list-payment-methods", http.MethodGet, pathMethods,
		"Saved payment methods (a shopper's own)", 0, o.User), h.listMethods)
	huma.Register(api, op("get-payment-method", http.MethodGet, pathMethods+"/{id}",
		"A payment method", 0, o.User), h.getMethod)
	huma.Register(api, op("delete-payment-method", http.MethodDelete, pathMethods+"/{id}",
		"Remove a saved method and destroy its card data", http.StatusNoContent, o.User), h.deleteMethod)

	huma.Register(api, op("check-payment-ledger", http.MethodGet, pathAdmin+"/ledger",
		"Check that the ledger balances and agrees with the payments", 0, o.Admin), h.ledger)
	huma.Register(api, op("reconcile-payments", http.MethodPost, pathAdmin+"/reconcile",
		"Reconcile unsettled payments with their providers now", 0, o.Admin), h.reconcile)
}

type handlers struct{ svc payment.Service }

// caller makes an anonymous request a guest's, never a trusted in-process
// call: Core trusts a context without a principal.
func caller(ctx context.Context) context.Context {
	if _, ok := authn.FromContext(ctx); ok {
		return ctx
	}
	return payment.AsGuest(ctx)
}

type idIn struct {
	ID string `path:"id" maxLength:"64"`
}

type intentOut struct {
	Body payment.Intent
}

type createIntentIn struct {
	Body payment.CreateIntentInput
}

func (h *handlers) createIntent(ctx context.Context, in *createIntentIn) (*intentOut, error) {
	it, err := h.svc.CreateIntent(caller(ctx), in.Body)
	return &intentOut{it}, err
}

type listIntentsIn struct {
	CustomerID string `query:"customer_id" maxLength:"64"`
	OrderID    string `query:"order_id" maxLength:"64"`
	Status     string `query:"status" enum:"requires_confirmation,requires_action,processing,authorized,captured,partially_refunded,refunded,failed,cancelled"`
	PageSize   int    `query:"page_size" minimum:"0" maximum:"100"`
	PageToken  string `query:"page_token" maxLength:"200"`
}

type intentPageOut struct {
	Body payment.IntentPage
}

func (h *handlers) listIntents(ctx context.Context, in *listIntentsIn) (*intentPageOut, error) {
	p, err := h.svc.ListIntents(caller(ctx), payment.ListIntentsInput{
		CustomerID: in.CustomerID, OrderID: in.OrderID, Status: payment.Status(in.Status), PageSize: in.PageSize, PageToken: in.PageToken,
	})
	return &intentPageOut{p}, err
}

func (h *handlers) getIntent(ctx context.Context, in *idIn) (*intentOut, error) {
	it, err := h.svc.GetIntent(caller(ctx), in.ID)
	return &intentOut{it}, err
}

type confirmIn struct {
	ID   string                      `path:"id" maxLength:"64"`
	Body *payment.ConfirmIntentInput `required:"false"`
}

func (h *handlers) confirmIntent(ctx context.Context, in *confirmIn) (*intentOut, error) {
	var body payment.ConfirmIntentInput
	if in.Body != nil {
		body = *in.Body
	}
	it, err := h.svc.ConfirmIntent(caller(ctx), in.ID, body)
	return &intentOut{it}, err
}

type captureIn struct {
	ID   string                      `path:"id" maxLength:"64"`
	Body *payment.CaptureIntentInput `required:"false"`
}

func (h *handlers) captureIntent(ctx context.Context, in *captureIn) (*intentOut, error) {
	var body payment.CaptureIntentInput
	if in.Body != nil {
		body = *in.Body
	}
	it, err := h.svc.CaptureIntent(caller(ctx), in.ID, body)
	return &intentOut{it}, err
}

type cancelIn struct {
	ID   string                     `path:"id" maxLength:"64"`
	Body *payment.CancelIntentInput `required:"false"`
}

func (h *handlers) cancelIntent(ctx context.Context, in *cancelIn) (*intentOut, error) {
	var body payment.CancelIntentInput
	if in.Body != nil {
		body = *in.Body
	}
	it, err := h.svc.CancelIntent(caller(ctx), in.ID, body)
	return &intentOut{it}, err
}

type refundIn struct {
	ID   string `path:"id" maxLength:"64"`
	Body payment.RefundIntentInput
}

type refundOut struct {
	Body payment.Refund
}

func (h *handlers) refundIntent(ctx context.Context, in *refundIn) (*refundOut, error) {
	r, err := h.svc.RefundIntent(caller(ctx), in.ID, in.Body)
	return &refundOut{r}, err
}

type refundsOut struct {
	Body struct {
		Items []payment.Refund `json:"items"`
	}
}

func (h *handlers) listRefunds(ctx context.Context, in *idIn) (*refundsOut, error) {
	rs, err := h.svc.ListRefunds(caller(ctx), in.ID)
	out := &refundsOut{}
	out.Body.Items = rs
	return out, err
}

type createMethodIn struct {
	Body payment.CreateMethodInput
}

type methodOut struct {
	Body payment.Method
}

func (h *handlers) createMethod(ctx context.Context, in *createMethodIn) (*methodOut, error) {
	m, err := h.svc.CreateMethod(caller(ctx), in.Body)
	return &methodOut{m}, err
}

type listMethodsIn struct {
	CustomerID string `query:"customer_id" maxLength:"64" doc:"Staff and services name the customer; a shopper gets their own."`
}

type methodsOut struct {
	Body struct {
		Items []payment.Method `json:"items"`
	}
}

func (h *handlers) listMethods(ctx context.Context, in *listMethodsIn) (*methodsOut, error) {
	ms, err := h.svc.ListMethods(caller(ctx), in.CustomerID)
	out := &methodsOut{}
	out.Body.Items = ms
	return out, err
}

func (h *handlers) getMethod(ctx context.Context, in *idIn) (*methodOut, error) {
	m, err := h.svc.GetMethod(caller(ctx), in.ID)
	return &methodOut{m}, err
}

func (h *handlers) deleteMethod(ctx context.Context, in *idIn) (*struct{}, error) {
	return nil, h.svc.DeleteMethod(caller(ctx), in.ID)
}

type ledgerOut struct {
	Body payment.LedgerReport
}

func (h *handlers) ledger(ctx context.Context, _ *struct{}) (*ledgerOut, error) {
	r, err := h.svc.Ledger(caller(ctx))
	return &ledgerOut{r}, err
}

type reconcileOut struct {
	Body payment.ReconcileReport
}

func (h *handlers) reconcile(ctx context.Context, _ *struct{}) (*reconcileOut, error) {
	r, err := h.svc.Reconcile(caller(ctx))
	return &reconcileOut{r}, err
}
