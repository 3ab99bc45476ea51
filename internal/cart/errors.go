package cart

import (
	"github.com/bazaarshop/bazaar/internal/cart/pricing"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/india"
)

// Errors, with their stable codes. A change a shopper asks for that fails
// leaves the cart as it was.
var (
	ErrCartNotFound  = errs.NotFound("cart_not_found", "no such cart, or it is not yours")
	ErrLineNotFound  = errs.NotFound("line_not_found", "no such line in this cart")
	ErrCartClosed    = errs.Conflict("cart_closed", "this cart was checked out or merged into an account's cart; it can no longer change")
	ErrCartEmpty     = errs.Conflict("cart_empty", "the cart has no lines")
	ErrCartNotReady  = errs.Conflict("cart_not_ready", "some lines cannot be bought as they are; see the cart's warnings")
	ErrTooManyLines  = errs.Conflict("cart_full", "the cart has as many lines as it may hold")
	ErrInvalidDevice = errs.Invalid("invalid_device_id", "a device id is 8 to 64 letters, digits, '-' or '_'")

	ErrInvalidQuantity    = errs.Invalid("invalid_quantity", "quantity must be at least 1")
	ErrQuantityLimit      = errs.Invalid("quantity_over_limit", "the quantity is over the limit per line")
	ErrInvalidSKU         = errs.Invalid("invalid_sku", "a SKU is 1 to 64 letters, digits, '.', '_' or '-'")
	ErrUnknownSKU         = errs.NotFound("unknown_sku", "no product is sold under this SKU")
	ErrProductUnavailable = errs.Conflict("product_unavailable", "this product is no longer sold")
	ErrOutOfStock         = errs.Conflict("out_of_stock", "the item is out of stock")
	ErrInsufficientStock  = errs.Conflict("insufficient_stock", "not enough units available")
	ErrPurchaseLimit      = errs.Conflict("purchase_limit_exceeded", "this item is limited per customer")

	ErrInvalidCouponCode     = errs.Invalid("invalid_coupon_code", "a coupon code is 3 to 32 letters, digits, '-' or '_'")
	ErrCouponNotFound        = errs.NotFound("coupon_not_found", "no promotion has this code")
	ErrCouponInactive        = errs.Conflict("coupon_inactive", "this coupon is not active")
	ErrCouponNotStarted      = errs.Conflict("coupon_not_started", "this coupon is not valid yet")
	ErrCouponExpired         = errs.Conflict("coupon_expired", "this coupon has expired")
	ErrCouponExhausted       = errs.Conflict("coupon_exhausted", "this coupon has been used up")
	ErrCouponAlreadyUsed     = errs.Conflict("coupon_already_used", "you have already used this coupon as often as it allows")
	ErrCouponRequiresAccount = errs.Forbidden("coupon_requires_account", "sign in to use this coupon")
	ErrCouponNotApplicable   = errs.Conflict("coupon_not_applicable", "this coupon takes nothing off this cart")
	ErrCouponNotCombinable   = errs.Conflict("coupon_not_combinable", "this coupon cannot be combined with the promotions on the cart")
	ErrTooManyCoupons        = errs.Conflict("too_many_coupons", "the cart has as many coupons as it may hold")
	ErrCouponNotOnCart       = errs.NotFound("coupon_not_on_cart", "this code is not on the cart")

	ErrInvalidAddress      = errs.Invalid("invalid_address", "the address is not valid")
	ErrShippingUnavailable = errs.Conflict("shipping_unavailable", "we do not deliver to this address")
	// ErrPostalCodeStateMismatch is an Indian address whose PIN code is in
	// another state; the field error on postal_code names the states it
	// could be in.
	ErrPostalCodeStateMismatch = india.ErrPINStateMismatch

	ErrPricingUnavailable      = errs.Unavailable("pricing_unavailable", "prices could not be checked just now; retry shortly")
	ErrAvailabilityUnavailable = errs.Unavailable("availability_unavailable", "stock could not be checked just now; retry shortly")

	ErrPromotionNotFound = errs.NotFound("promotion_not_found", "no such promotion")
	ErrCodeTaken         = errs.Conflict("coupon_code_taken", "another promotion has this code")
	ErrInvalidPromotion  = pricing.ErrInvalidPromotion
	ErrInvalidPageSize   = errs.Invalid("invalid_page_size", "page_size must be between 1 and 100")
	ErrInvalidPageToken  = errs.Invalid("invalid_page_token", "the page token is not one this service issued")

	ErrLimitNotFound = errs.NotFound("purchase_limit_not_found", "no purchase limit for this SKU")
	ErrInvalidLimit  = errs.Invalid("invalid_purchase_limit", "the purchase limit is not valid")

	ErrInvalidReference = errs.Invalid("invalid_reference", "a reference is 1 to 128 printable ASCII characters without spaces")
	ErrReferenceReused  = errs.Conflict("redemption_reference_reused", "this reference was redeemed with other contents")
)

// couponErrors maps why pricing did not apply a code to the error applying
// it answers with.
var couponErrors = map[pricing.Reason]*errs.Error{
	pricing.ReasonUnknown:          ErrCouponNotFound,
	pricing.ReasonDisabled:         ErrCouponInactive,
	pricing.ReasonNotStarted:       ErrCouponNotStarted,
	pricing.ReasonExpired:          ErrCouponExpired,
	pricing.ReasonExhausted:        ErrCouponExhausted,
	pricing.ReasonAlreadyUsed:      ErrCouponAlreadyUsed,
	pricing.ReasonRequiresAccount:  ErrCouponRequiresAccount,
	pricing.ReasonMinSubtotal:      ErrCouponNotApplicable,
	pricing.ReasonNoQualifyingItem: ErrCouponNotApplicable,
	pricing.ReasonNoDiscount:       ErrCouponNotApplicable,
	pricing.ReasonNotCombinable:    ErrCouponNotCombinable,
}
