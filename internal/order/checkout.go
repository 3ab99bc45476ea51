package order

import (
	"context"
	"crypto/sha256"
	"encoding/base32"
	"errors"
	"net/mail"
	"strings"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// validateCheckout checks what can be checked without calling anybody.
func (c *Core) validateCheckout(ctx context.Context, in *CheckoutInput) error {
	if c.opts.Carts == nil || c.opts.Stock == nil || c.opts.Bus == nil {
		return ErrIntakeUnavailable.With("this process does not take orders")
	}
	var fields []errs.FieldError
	bad := func(field, msg string) { fields = append(fields, errs.FieldError{Field: field, Message: msg}) }
	if ids.Valid(in.CartID) != nil {
		bad("cart_id", "a cart id is required")
	}
	in.Email = strings.TrimSpace(in.Email)
	if in.Email != "" {
		if a, err := mail.ParseAddress(in.Email); err != nil || a.Address != in.Email || !strings.Contains(in.Email, "@") {
			bad("email", "not an email address")
		}
	}
	switch {
	case in.ShippingAddress != nil && in.ShippingAddressID != "":
		bad("shipping_address_id", "send shipping_address or shipping_address_id, not both")
	case in.ShippingAddress != nil:
		checkAddress("shipping_address", *in.ShippingAddress, bad)
	case in.ShippingAddressID == "":
		return ErrAddressRequired
	}
	if in.BillingAddress != nil {
		checkAddress("billing_address", *in.BillingAddress, bad)
	}
	p := in.Payment
	switch p.Method {
	case payment.MethodCard:
		if p.Token == "" {
			bad("payment.token", "a card is paid by the token from POST /api/v1/payments/methods")
		}
	case payment.MethodUPI:
		if p.Token == "" && (p.UPI == nil || !strings.Contains(p.UPI.VPA, "@")) {
			bad("payment.upi.vpa", "a UPI address looks like name@handle")
		}
	case payment.MethodWallet:
		if p.Wallet == nil || p.Wallet.Wallet == "" {
			bad("payment.wallet.wallet", "name the wallet")
		}
	case payment.MethodNetBanking:
		if p.NetBanking == nil || p.NetBanking.Bank == "" {
			bad("payment.netbanking.bank", "name the bank")
		}
	case payment.MethodCOD:
	default:
		bad("payment.method", "one of card, upi, wallet, netbanking, cod")
	}
	if len(fields) > 0 {
		e := ErrInvalidCheckout.With(fields[0].Field + ": " + fields[0].Message)
		e.Fields = fields
		return e
	}
	return nil
}

func checkAddress(field string, a cart.Address, bad func(string, string)) {
	req := map[string]string{"name": a.Name, "line1": a.Line1, "city": a.City, "state": a.State, "postal_code": a.PostalCode}
	for _, k := range []string{"name", "line1", "city", "state", "postal_code"} {
		if strings.TrimSpace(req[k]) == "" {
			bad(field+"."+k, "required")
		}
	}
	if a.Country == "" || strings.EqualFold(a.Country, "IN") {
		pin := strings.TrimSpace(a.PostalCode)
		if len(pin) != 6 || pin[0] < '1' || pin[0] > '9' || strings.Trim(pin, "0123456789") != "" {
			if pin != "" {
				bad(field+".postal_code", "an Indian PIN code is 6 digits, the first 1-9")
			}
		}
	}
}

// priced is a checkout ready to hold: who, where to, and the quote.
type priced struct {
	email string
	ship  cart.Address
	q     cart.Quote
	lines []Line
	total Totals
}

// price does what checkout can do without holding anything: the
// shopper's email and address, and the cart priced for that address.
func (c *Core) price(ctx context.Context, in CheckoutInput) (priced, error) {
	var p priced
	p.email = in.Email
	if p.email == "" && customerOf(ctx) != "" && c.opts.Accounts != nil {
		var err error
		if p.email, err = c.opts.Accounts.Email(ctx); err != nil {
			return p, err
		}
	}
	if p.email == "" {
		return p, ErrEmailRequired
	}
	var err error
	if p.ship, err = c.shippingAddress(ctx, in); err != nil {
		return p, err
	}
	if p.q, err = c.quote(ctx, in, p.ship); err != nil {
		return p, err
	}
	if in.Payment.Method == payment.MethodCOD && !p.q.Shipping.CODAvailable {
		return p, ErrInvalidCheckout.With("cash on delivery is not available for this order or address")
	}
	if p.lines, p.total = linesOf(p.q); len(p.lines) == 0 {
		return p, cart.ErrCartEmpty
	}
	return p, nil
}

// accept does the work of a claimed checkout: hold, record, publish.
// It sets *held once it has asked to hold stock or promotions.
func (c *Core) accept(ctx context.Context, in CheckoutInput, rec intakeRecord, p priced, held *bool) (Accepted, error) {
	customer := customerOf(ctx)
	email, ship, q, lines, totals := p.email, p.ship, p.q, p.lines, p.total
	now := c.now()
	sctx := serviceCtx(ctx)
	resv := inventory.ReserveRequest{Reference: rec.OrderID, TTL: c.opts.HoldTTL}
	for _, l := range lines {
		resv.Lines = append(resv.Lines, inventory.Line{SKU: l.SKU, Quantity: l.Quantity})
	}
	*held = true // a reservation that failed on the way back may still hold
	if _, err := c.opts.Stock.Reserve(sctx, resv); err != nil {
		if errors.Is(err, inventory.ErrInsufficientStock) || errors.Is(err, inventory.ErrUnknownSKU) {
			*held = rec.resumed // refused outright: all or nothing, nothing new held
			return Accepted{}, ErrOutOfStock.With(outOfStockDetail(err)).Wrap(err)
		}
		return Accepted{}, err
	}
	if err := c.opts.Carts.Redeem(sctx, q.Redemption(rec.OrderID)); err != nil {
		return Accepted{}, err
	}
	req := Request{
		OrderID: rec.OrderID, Number: rec.Number, CustomerID: customer, Email: email,
		CartID: q.ID, Currency: q.Currency, Lines: lines, Totals: totals,
		ShippingAddress: ship, BillingAddress: in.BillingAddress,
		Payment:   methodInput(in.Payment),
		ReturnURL: in.ReturnURL, Promotions: q.Redemption(rec.OrderID).Promotions,
		TokenHash: hashToken(rec.Token), AcceptedAt: now,
	}
	if req.ReturnURL == "" {
		req.ReturnURL = strings.TrimRight(c.opts.PublicURL, "/") + "/orders/" + rec.OrderID
	}
	if err := c.publishRequest(ctx, req); err != nil {
		return Accepted{}, err
	}
	return acceptedOf(rec), nil
}

func acceptedOf(rec intakeRecord) Accepted {
	return Accepted{
		OrderID: rec.OrderID, Number: rec.Number, Status: StatusPending,
		StatusURL:  "/api/v1/orders/" + rec.OrderID,
		EventsURL:  "/api/v1/orders/" + rec.OrderID + "/events",
		OrderToken: rec.Token,
	}
}

// shippingAddress is the address checkout ships to: given, or the
// member's saved one.
func (c *Core) shippingAddress(ctx context.Context, in CheckoutInput) (cart.Address, error) {
	if in.ShippingAddress != nil {
		a := *in.ShippingAddress
		if a.Country == "" {
			a.Country = "IN"
		}
		return a, nil
	}
	if customerOf(ctx) == "" || c.opts.Accounts == nil {
		return cart.Address{}, ErrAddressRequired.With("a saved address needs a signed-in member")
	}
	return c.opts.Accounts.Address(ctx, in.ShippingAddressID)
}

// quote prices the cart for checkout, shipping to ship. The cart is
// priced for the address without saving it there: a read, not a write,
// on the checkout path.
func (c *Core) quote(ctx context.Context, in CheckoutInput, ship cart.Address) (cart.Quote, error) {
	q, err := c.opts.Carts.QuoteTo(ctx, in.CartID, in.CartToken, ship)
	if err != nil {
		return cart.Quote{}, err
	}
	if err := q.CheckoutError(); err != nil {
		// A line the cart already knows to be sold out is the same answer
		// the reservation gives when the last units go a moment later:
		// out_of_stock, not "review your cart".
		if sku := soldOut(q); sku != "" {
			return cart.Quote{}, ErrOutOfStock.With("not enough stock of " + sku).Wrap(err)
		}
		return cart.Quote{}, err
	}
	if in.QuoteHash != "" && in.QuoteHash != q.QuoteHash {
		return cart.Quote{}, ErrQuoteChanged
	}
	return q, nil
}

// soldOut names a line of the quote that cannot be bought for want of
// stock, or "".
func soldOut(q cart.Quote) string {
	for _, l := range q.Lines {
		for _, w := range l.Warnings {
			if w.Blocking && (w.Code == cart.WarnOutOfStock || w.Code == cart.WarnInsufficientStock) {
				return l.SKU
			}
		}
	}
	return ""
}

// linesOf turns a quote's purchasable lines into order lines.
func linesOf(q cart.Quote) ([]Line, Totals) {
	var lines []Line
	for _, l := range q.Lines {
		if !l.Purchasable {
			continue
		}
		lines = append(lines, Line{
			SKU: l.SKU, ProductID: l.ProductID, Slug: l.Slug, Title: l.Title, Image: l.Image,
			Size: l.Size, Color: l.Color, Brand: l.Brand, Quantity: l.Quantity,
			UnitPrice: l.UnitPrice, Subtotal: l.Subtotal, Discount: l.Discount, Total: l.Total, Tax: l.Tax,
		})
	}
	t := q.Totals
	return lines, Totals{
		Subtotal: t.Subtotal, Discount: t.Discount, Shipping: t.Shipping, Tax: t.Tax, Total: t.Grand,
		Refunded: money.Money{Currency: q.Currency},
	}
}

func methodInput(p PaymentChoice) payment.MethodInput {
	return payment.MethodInput{Type: p.Method, Token: p.Token, UPI: p.UPI, Wallet: p.Wallet, NetBanking: p.NetBanking}
}

func outOfStockDetail(err error) string {
	if e := errs.As(err); e != nil && e.Detail != "" && e.Detail != inventory.ErrInsufficientStock.Detail {
		return "not enough stock: " + e.Detail
	}
	return ErrOutOfStock.Detail
}

// customerOf is the signed-in member placing or reading orders, or "".
func customerOf(ctx context.Context) string {
	if p, ok := authn.FromContext(ctx); ok && p.IsUser() {
		return p.UserID
	}
	return ""
}

// serviceCtx drops the shopper's principal: calls made with it go out as
// the order service (inventory holds, redemptions).
func serviceCtx(ctx context.Context) context.Context { return authn.AsService(ctx) }

func isNotFound(err error) bool { return errs.KindOf(err) == errs.KindNotFound }

// newOrderID is a new order id (UUIDv7: ordered by time).
func newOrderID() string { return ids.New() }

// numberOf derives a short order number from the id: BZ- and ten base-32
// characters of its hash (50 bits: collisions are not expected below
// tens of millions of orders, and the store's unique index refuses one).
func numberOf(id string) string {
	h := sha256.Sum256([]byte(id))
	s := base32.StdEncoding.EncodeToString(h[:])
	return "BZ-" + s[:5] + "-" + s[5:10]
}
