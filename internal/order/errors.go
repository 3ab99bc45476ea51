package order

import "github.com/bazaarshop/bazaar/internal/platform/errs"

// Errors of the order service. Clients switch on the code.
var (
	ErrOrderNotFound  = errs.NotFound("order_not_found", "no such order")
	ErrReturnNotFound = errs.NotFound("return_not_found", "no such return")

	// ErrIllegalTransition: the order's status forbids the operation.
	ErrIllegalTransition = errs.Conflict("order_illegal_transition", "the order's status does not allow this")
	// ErrOrderExists: a worker created the order already (store level).
	ErrOrderExists = errs.Conflict("order_exists", "the order exists already")

	// Checkout.
	ErrIdempotencyKeyRequired = errs.Invalid("idempotency_key_required", "checkout needs an Idempotency-Key header: a new random key per attempt")
	ErrKeyReused              = errs.E(errs.KindUnprocessable, "checkout_key_reused", "this Idempotency-Key was used for a different checkout")
	ErrCheckoutInProgress     = errs.Conflict("checkout_in_progress", "a checkout with this Idempotency-Key is still being processed; retry shortly")
	ErrOutOfStock             = errs.Conflict("out_of_stock", "some items are no longer in stock in the quantities asked")
	ErrQuoteChanged           = errs.Conflict("quote_changed", "the cart's prices, discounts or shipping changed since you saw them; review the cart and check out again")
	ErrEmailRequired          = errs.Invalid("email_required", "a guest checkout needs an email address")
	ErrAddressRequired        = errs.Invalid("shipping_address_required", "checkout needs a shipping address or a saved address id")
	ErrInvalidCheckout        = errs.Invalid("checkout_invalid", "the checkout request is not valid")
	ErrIntakeUnavailable      = errs.E(errs.KindUnavailable, "checkout_unavailable", "checkout cannot take orders right now; nothing was charged, retry with the same Idempotency-Key")

	// ErrOrderUnavailable: the order store cannot be reached; checkout
	// still works, reads wait for the store.
	ErrOrderUnavailable = errs.E(errs.KindUnavailable, "order_unavailable", "the order cannot be read right now; retry shortly")

	// After checkout.
	ErrReturnWindowClosed = errs.Conflict("return_window_closed", "the return window of this order has closed")
	ErrReturnInvalid      = errs.Invalid("return_invalid", "the return names units the order does not have or has returned already")
	ErrReturnOpen         = errs.Conflict("return_open", "the order has a return in progress")
	ErrRefundTooLarge     = errs.Conflict("order_refund_exceeds_paid", "the refund is larger than what was paid and not yet refunded")
	ErrInvalidShipment    = errs.Invalid("shipment_invalid", "shipping needs a carrier and a tracking number")
	ErrNothingToRefund    = errs.Conflict("order_nothing_to_refund", "nothing was paid that has not been refunded")
)

// ErrInvalidFilter: a listing's filter is not valid.
var ErrInvalidFilter = errs.Invalid("order_filter_invalid", "the order filter is not valid")
