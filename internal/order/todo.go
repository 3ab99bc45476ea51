package order

import (
	"context"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// Temporary: replaced by the lead's implementation shortly.
var errTODO = errs.E(errs.KindUnavailable, "not_built", "not built yet")

func (c *Core) Checkout(ctx context.Context, in CheckoutInput) (Accepted, error) {
	return Accepted{}, errTODO
}
func (c *Core) Order(ctx context.Context, id, token string) (Order, error) { return Order{}, errTODO }
func (c *Core) MyOrders(ctx context.Context, pageSize int, pageToken string) (Page, error) {
	return Page{}, errTODO
}
func (c *Core) Cancel(ctx context.Context, id, token string, in CancelInput) (Order, error) {
	return Order{}, errTODO
}
func (c *Core) RequestReturn(ctx context.Context, id, token string, in ReturnInput) (Order, error) {
	return Order{}, errTODO
}
func (c *Core) Orders(ctx context.Context, f ListFilter) (Page, error) { return Page{}, errTODO }
func (c *Core) Pack(ctx context.Context, id string) (Order, error)     { return Order{}, errTODO }
func (c *Core) Ship(ctx context.Context, id string, in ShipInput) (Order, error) {
	return Order{}, errTODO
}
func (c *Core) Deliver(ctx context.Context, id string) (Order, error) { return Order{}, errTODO }
func (c *Core) DecideReturn(ctx context.Context, id, returnID string, in ReturnDecision) (Order, error) {
	return Order{}, errTODO
}
func (c *Core) ReceiveReturn(ctx context.Context, id, returnID string) (Order, error) {
	return Order{}, errTODO
}
func (c *Core) Refund(ctx context.Context, id string, in RefundInput) (Order, error) {
	return Order{}, errTODO
}

// RunWorkers consumes order requests and payment events and sweeps unpaid
// orders until ctx ends.
func (c *Core) RunWorkers(ctx context.Context) error { <-ctx.Done(); return nil }
