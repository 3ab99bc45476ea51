package order

import (
	"context"
	"crypto/subtle"
	"slices"

	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// access is what the caller of ctx may do.
type access struct {
	trusted  bool   // staff, admin, a service, or an in-process caller
	customer string // the signed-in member, if any
	actor    string // for the history
}

func accessOf(ctx context.Context) access {
	p, ok := authn.FromContext(ctx)
	switch {
	case !ok:
		return access{trusted: true, actor: "system"}
	case p.Has(authn.RoleStaff, authn.RoleAdmin):
		return access{trusted: true, actor: p.UserID}
	case p.Role == authn.RoleService:
		return access{trusted: true, actor: "service:" + p.Service}
	case p.Role == authn.RoleCustomer && p.UserID != "":
		return access{customer: p.UserID, actor: p.UserID}
	}
	return access{actor: "guest"}
}

// AsGuest marks ctx as an anonymous shopper's: HTTP routes open to guests
// call it, so Core does not take the request for a trusted in-process one.
func AsGuest(ctx context.Context) context.Context {
	return authn.WithPrincipal(ctx, authn.Principal{})
}

// may reports whether the caller may see o: staff, its member, or a guest
// holding its token.
func (a access) may(o *Order, token string) bool {
	if a.trusted {
		return true
	}
	if a.customer != "" && o.CustomerID == a.customer {
		return true
	}
	return token != "" && o.TokenHash != "" &&
		subtle.ConstantTimeCompare([]byte(hashToken(token)), []byte(o.TokenHash)) == 1
}

// Order implements Service.
func (c *Core) Order(ctx context.Context, id, token string) (Order, error) {
	o, err := c.owned(ctx, id, token)
	if err != nil {
		return Order{}, err
	}
	return c.view(o), nil
}

// owned loads an order the caller may see; another's is not found. An
// order accepted but not yet created is read from its request.
func (c *Core) owned(ctx context.Context, id, token string) (Order, error) {
	if ids.Valid(id) != nil {
		return Order{}, ErrOrderNotFound
	}
	o, err := c.store.Order(ctx, id)
	if isNotFound(err) {
		r, rerr := c.acceptedRequest(ctx, id)
		if rerr != nil {
			return Order{}, rerr
		}
		o = orderOf(r)
		o.History = []Transition{{Seq: 1, To: StatusPending, Reason: "checkout", At: r.AcceptedAt}}
	} else if err != nil {
		if errs.KindOf(err) == errs.KindInternal {
			return Order{}, ErrOrderUnavailable.Wrap(err) // the store is down
		}
		return Order{}, err
	}
	if !accessOf(ctx).may(&o, token) {
		return Order{}, ErrOrderNotFound
	}
	return o, nil
}

// view fills what the shopper may do now.
func (c *Core) view(o Order) Order {
	now := c.now()
	o.CanCancel = o.Status.cancellable() && o.Status != StatusPending
	if o.DeliveredAt != nil {
		end := o.DeliveredAt.Add(c.opts.ReturnWindow)
		o.ReturnWindowEnds = &end
		o.CanReturn = now.Before(end) && returnable(o.Status) && openReturn(&o) == nil && unitsLeft(&o) > 0
	}
	if o.Returns == nil {
		o.Returns = []Return{}
	}
	if o.History == nil {
		o.History = []Transition{}
	}
	return o
}

// MyOrders implements Service.
func (c *Core) MyOrders(ctx context.Context, pageSize int, pageToken string) (Page, error) {
	a := accessOf(ctx)
	if a.customer == "" {
		return Page{}, authn.ErrUnauthenticated
	}
	return c.list(ctx, ListFilter{CustomerID: a.customer, PageSize: pageSize, PageToken: pageToken})
}

// Orders implements Service.
func (c *Core) Orders(ctx context.Context, f ListFilter) (Page, error) {
	a := accessOf(ctx)
	if !a.trusted {
		if a.customer == "" {
			return Page{}, authn.ErrUnauthenticated
		}
		f.CustomerID = a.customer
	}
	return c.list(ctx, f)
}

func (c *Core) list(ctx context.Context, f ListFilter) (Page, error) {
	if f.PageSize <= 0 {
		f.PageSize = 20
	}
	if f.PageSize > 100 {
		f.PageSize = 100
	}
	if f.Status != "" && !validStatus(f.Status) {
		return Page{}, ErrInvalidFilter.With("unknown status " + string(f.Status))
	}
	items, next, err := c.store.List(ctx, f)
	if err != nil {
		return Page{}, err
	}
	for i := range items {
		items[i] = c.view(items[i])
	}
	if items == nil {
		items = []Order{}
	}
	return Page{Items: items, NextPageToken: next}, nil
}

func validStatus(s Status) bool { return slices.Contains(Statuses, s) }

// orderOf is the order a request creates, in status pending.
func orderOf(r Request) Order {
	zero := money.Money{Currency: r.Currency}
	o := Order{
		ID: r.OrderID, Number: r.Number, Status: StatusPending, CustomerID: r.CustomerID, Email: r.Email,
		CartID: r.CartID, Currency: r.Currency, Lines: r.Lines, Totals: r.Totals,
		ShippingAddress: r.ShippingAddress, BillingAddress: r.BillingAddress,
		Payment:    PaymentInfo{Method: r.Payment.Type, Captured: zero, Refunded: zero},
		Returns:    []Return{},
		ExchangeOf: r.ExchangeOf, TokenHash: r.TokenHash, Promotions: r.Promotions,
		CreatedAt: r.AcceptedAt, UpdatedAt: r.AcceptedAt,
	}
	rc := r
	o.Request = &rc
	if o.Totals.Refunded.Currency == "" {
		o.Totals.Refunded = zero
	}
	return o
}
