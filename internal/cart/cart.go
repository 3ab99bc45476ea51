// Package cart keeps shoppers' carts, for guests and members, and prices them
// the way checkout will charge them: every read re-prices the lines from the
// catalogue, checks availability with inventory, applies the promotions, and
// computes GST and shipping (package pricing). A change since a line was
// added is shown on the line as a warning; nothing is changed silently.
//
// Guests hold a cart by its id and a secret token (sent as X-Cart-Token; only
// its SHA-256 is stored). Members hold one active cart by their account; at
// sign-in a guest cart merges into it. Another shopper's cart or line is
// "not found".
//
// The package root holds the types and the Service; Core implements it over
// a Store (cartdb: SQLite or PostgreSQL, with an optional read-through
// cache); carthttp serves it over HTTP and is a client of the same interface.
package cart

import (
	"context"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart/pricing"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// HeaderToken carries a guest cart's token.
const HeaderToken = "X-Cart-Token"

// HeaderDeviceID names the guest's device on cart creation; it travels with
// cart.item_added events so that behaviour follows the shopper into the
// account at sign-in.
const HeaderDeviceID = "X-Device-Id"

// Status is where a cart is in its life.
type Status string

const (
	StatusActive  Status = "active"  // open for changes
	StatusMerged  Status = "merged"  // a guest cart folded into a member's at sign-in
	StatusOrdered Status = "ordered" // checked out; read-only
)

// Cart is a cart as its owner sees it: the stored lines priced afresh.
type Cart struct {
	ID string `json:"id"`
	// Token is set only in the answer that created a guest cart.
	Token    string `json:"token,omitempty" doc:"Only in the answer that created a guest cart: keep it and send it as X-Cart-Token on every call about this cart."`
	UserID   string `json:"user_id,omitempty" doc:"The member who owns the cart; absent for a guest cart."`
	Status   Status `json:"status" enum:"active,merged,ordered"`
	Currency string `json:"currency"`
	Lines    []Line `json:"lines"`
	// Coupons are the codes the shopper entered, each with whether it
	// took effect and why not.
	Coupons         []Coupon         `json:"coupons"`
	ShippingAddress *Address         `json:"shipping_address,omitempty"`
	Shipping        pricing.Shipping `json:"shipping"`
	Totals          pricing.Totals   `json:"totals"`
	Warnings        []Warning        `json:"warnings" doc:"Problems of the whole cart, e.g. prices that could not be checked."`
	// Ready is true when nothing stops checkout.
	Ready bool `json:"ready" doc:"Nothing stops checkout: the cart has lines, all on sale and in stock in their quantities."`
	// QuoteHash changes whenever anything checkout would charge changes.
	QuoteHash string     `json:"quote_hash" doc:"Changes whenever anything checkout would charge changes; send it to checkout to be charged exactly this."`
	Version   int64      `json:"version" doc:"Increases with every change to the cart."`
	CreatedAt time.Time  `json:"created_at"`
	UpdatedAt time.Time  `json:"updated_at"`
	ExpiresAt *time.Time `json:"expires_at,omitempty" doc:"A guest cart is deleted this long after its last change."`
}

// Line is one SKU in a cart with its money.
type Line struct {
	ID        string       `json:"id"`
	SKU       string       `json:"sku"`
	ProductID string       `json:"product_id,omitempty"`
	Slug      string       `json:"slug,omitempty"`
	Title     string       `json:"title,omitempty"`
	Image     string       `json:"image,omitempty"`
	Size      string       `json:"size,omitempty"`
	Color     string       `json:"color,omitempty"`
	Brand     string       `json:"brand,omitempty"`
	Quantity  int64        `json:"quantity"`
	UnitPrice money.Money  `json:"unit_price" doc:"Today's price, tax included."`
	CompareAt *money.Money `json:"compare_at_price,omitempty"`
	// AddedPrice is the unit price when the shopper added the line or last
	// changed its quantity; a difference shows as a price_changed warning.
	AddedPrice money.Money            `json:"added_price" doc:"The unit price when the line was added or its quantity last changed."`
	Subtotal   money.Money            `json:"subtotal"`
	Discount   money.Money            `json:"discount"`
	Total      money.Money            `json:"total" doc:"Subtotal less discount; tax included."`
	TaxRateBP  int64                  `json:"tax_rate_bp"`
	Tax        money.Money            `json:"tax" doc:"The GST contained in total."`
	Taxes      []pricing.TaxAmount    `json:"taxes"`
	Discounts  []pricing.LineDiscount `json:"discounts"`
	// Available is inventory's count, when it could be asked.
	Available *int64 `json:"available,omitempty"`
	// Purchasable lines count in the totals; the others (out of stock, no
	// longer sold) show with zero amounts until the shopper removes them.
	Purchasable bool      `json:"purchasable"`
	Warnings    []Warning `json:"warnings"`
	AddedAt     time.Time `json:"added_at"`
}

// Warning is a change the shopper should see. Blocking ones stop checkout
// until the shopper acts.
type Warning struct {
	Code      string       `json:"code" enum:"price_changed,low_stock,insufficient_stock,out_of_stock,unavailable,purchase_limit,pricing_unavailable,availability_unknown"`
	Message   string       `json:"message"`
	Blocking  bool         `json:"blocking,omitempty"`
	Available *int64       `json:"available,omitempty"`
	Limit     *int64       `json:"limit,omitempty"`
	Was       *money.Money `json:"was,omitempty"`
	Now       *money.Money `json:"now,omitempty"`
}

// Warning codes.
const (
	WarnPriceChanged        = "price_changed"
	WarnLowStock            = "low_stock"
	WarnInsufficientStock   = "insufficient_stock"
	WarnOutOfStock          = "out_of_stock"
	WarnUnavailable         = "unavailable"
	WarnPurchaseLimit       = "purchase_limit"
	WarnPricingUnavailable  = "pricing_unavailable"
	WarnAvailabilityUnknown = "availability_unknown"
)

// Coupon is a code on a cart.
type Coupon struct {
	Code        string         `json:"code"`
	PromotionID string         `json:"promotion_id,omitempty"`
	Applied     bool           `json:"applied"`
	Reason      pricing.Reason `json:"reason,omitempty" doc:"Why it takes nothing off, when it does not."`
	Message     string         `json:"message,omitempty"`
}

// Address is where a cart ships. Pricing needs the PIN code and the state;
// the rest is kept for checkout.
type Address struct {
	Name       string `json:"name,omitempty"`
	Phone      string `json:"phone,omitempty"`
	Line1      string `json:"line1,omitempty"`
	Line2      string `json:"line2,omitempty"`
	Landmark   string `json:"landmark,omitempty"`
	City       string `json:"city,omitempty"`
	State      string `json:"state" doc:"State or union territory: code (MH), name (Maharashtra) or GST state code (27)."`
	PostalCode string `json:"postal_code" doc:"In India a 6-digit PIN code whose first digit is 1-9."`
	Country    string `json:"country,omitempty" doc:"ISO 3166-1 alpha-2; IN when left out."`
}

// NewCart creates a cart.
type NewCart struct {
	// DeviceID is the guest's device (HeaderDeviceID); optional.
	DeviceID string
}

// AddItem puts quantity units of a SKU in a cart; a SKU already there gets
// the quantities summed.
type AddItem struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// Quote is a cart priced for checkout. Unlike a read, a quote is refused
// when prices or availability cannot be checked.
type Quote struct {
	Cart
	QuotedAt time.Time `json:"quoted_at"`
}

// Redemption is what an order used of a quote: its promotions (for usage
// limits) and its units (for per-customer purchase limits). Redeem records
// it once per Reference.
type Redemption struct {
	Reference  string         `json:"reference" doc:"The order id: redeeming again with it is a no-op."`
	CartID     string         `json:"cart_id"`
	UserID     string         `json:"user_id,omitempty"`
	Promotions []string       `json:"promotions" doc:"Ids of the promotions applied."`
	Items      []RedeemedItem `json:"items"`
}

// RedeemedItem is a SKU and the units an order bought.
type RedeemedItem struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// Redemption returns what an order placed from q uses, under reference.
func (q Quote) Redemption(reference string) Redemption {
	r := Redemption{Reference: reference, CartID: q.ID, UserID: q.UserID, Promotions: []string{}, Items: []RedeemedItem{}}
	for _, a := range q.Totals.Discounts {
		r.Promotions = append(r.Promotions, a.PromotionID)
	}
	for _, l := range q.Lines {
		if l.Purchasable {
			r.Items = append(r.Items, RedeemedItem{SKU: l.SKU, Quantity: l.Quantity})
		}
	}
	return r
}

// Promotion is a stored promotion; PromotionInput defines one.
type (
	Promotion      = pricing.Promotion
	PromotionInput = pricing.Rule
)

// PromotionQuery pages through promotions, newest first.
type PromotionQuery struct {
	PageSize  int    // 0: 50; at most 100
	PageToken string // from the previous page
}

// PromotionPage is one page of promotions.
type PromotionPage struct {
	Items         []Promotion `json:"items"`
	NextPageToken string      `json:"next_page_token,omitempty"`
}

// PurchaseLimit caps the units of a SKU one customer may buy ("at most 2
// per customer" in a sale). Members are counted across their orders in the
// window; a guest cart is capped on its own.
type PurchaseLimit struct {
	SKU            string     `json:"sku"`
	MaxPerCustomer int64      `json:"max_per_customer"`
	StartsAt       *time.Time `json:"starts_at,omitempty" doc:"Purchases count from here; the limit applies from here."`
	EndsAt         *time.Time `json:"ends_at,omitempty" doc:"The limit lapses here (exclusive)."`
	UpdatedAt      time.Time  `json:"updated_at"`
}

// Service is the cart as shoppers, checkout and staff use it, in-process
// (Core) or over HTTP (carthttp.Client).
//
// The caller is the principal on ctx (authn.FromContext): a member reaches
// their own cart by it. A guest cart is reached by its id and token. A cart
// that exists but is not the caller's is ErrCartNotFound.
type Service interface {
	// CreateCart opens a guest cart and returns it with its token. A
	// signed-in member gets their own cart instead (created if need be).
	CreateCart(ctx context.Context, in NewCart) (Cart, error)
	// Cart reads a cart, priced afresh.
	Cart(ctx context.Context, id, token string) (Cart, error)
	// MyCart returns the signed-in member's active cart, created if need be.
	MyCart(ctx context.Context) (Cart, error)
	AddItem(ctx context.Context, id, token string, in AddItem) (Cart, error)
	// UpdateItem sets a line's quantity (and accepts today's price for it).
	UpdateItem(ctx context.Context, id, token, lineID string, quantity int64) (Cart, error)
	RemoveItem(ctx context.Context, id, token, lineID string) (Cart, error)
	// ApplyCoupon adds a code; a code that would take nothing off is refused
	// with the reason, and the cart is left as it was.
	ApplyCoupon(ctx context.Context, id, token, code string) (Cart, error)
	RemoveCoupon(ctx context.Context, id, token, code string) (Cart, error)
	SetShippingAddress(ctx context.Context, id, token string, a Address) (Cart, error)
	// Merge folds a guest cart into userID's cart (at sign-in): quantities
	// summed, capped by stock and limits; coupons kept. Merging the same
	// guest cart again returns the member's cart unchanged.
	Merge(ctx context.Context, guestCartID, guestToken, userID string) (Cart, error)

	// Quote prices a cart for checkout; see Quote.
	Quote(ctx context.Context, id, token string) (Quote, error)
	// QuoteTo prices a cart for checkout as if it shipped to a, without
	// saving a in the cart.
	QuoteTo(ctx context.Context, id, token string, a Address) (Quote, error)
	// Redeem records an order's use of its promotions and purchase limits
	// and closes the cart, atomically and once per reference. A usage
	// limit that would be exceeded fails it with nothing recorded.
	Redeem(ctx context.Context, r Redemption) error
	// ReleaseRedemption undoes Redeem (the order was cancelled or never
	// paid) and reopens the cart if it can. Releasing twice, or a reference
	// never redeemed, is a no-op.
	ReleaseRedemption(ctx context.Context, reference string) error

	// Staff.
	Promotions(ctx context.Context, q PromotionQuery) (PromotionPage, error)
	Promotion(ctx context.Context, id string) (Promotion, error)
	CreatePromotion(ctx context.Context, in PromotionInput) (Promotion, error)
	UpdatePromotion(ctx context.Context, id string, in PromotionInput) (Promotion, error)
	DeletePromotion(ctx context.Context, id string) error
	PurchaseLimits(ctx context.Context) ([]PurchaseLimit, error)
	SetPurchaseLimit(ctx context.Context, l PurchaseLimit) (PurchaseLimit, error)
	DeletePurchaseLimit(ctx context.Context, sku string) error
}

// SKUInfo is what the cart needs of a SKU from the catalogue.
type SKUInfo struct {
	SKU         string
	ProductID   string
	Slug        string
	Title       string
	Image       string
	Size        string
	Color       string
	Brand       string
	Categories  []string // category slugs from the root down to the product's own
	Collections []string // collection slugs
	Price       money.Money
	CompareAt   *money.Money
	// Purchasable is false for an archived (or draft) product or variant.
	Purchasable bool
	// TaxClass and HSN pick the GST rate; both optional (see pricing.TaxRules).
	TaxClass string
	HSN      string
}

// Catalog is the catalogue as the cart uses it.
type Catalog interface {
	// LookupSKUs returns what is known of each SKU; unknown ones are absent.
	LookupSKUs(ctx context.Context, skus []string) (map[string]SKUInfo, error)
}

// Inventory is the stock as the cart uses it.
type Inventory interface {
	// Available returns units available to sell per SKU; unknown SKUs 0.
	Available(ctx context.Context, skus []string) (map[string]int64, error)
}
