package identity

import (
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Stream is the stream identity publishes to; the wiring ensures it.
var Stream = bus.StreamConfig{Name: "IDENTITY", Subjects: []string{"identity.>"}, MaxAge: 30 * 24 * time.Hour}

// Subjects identity publishes (through its outbox).
const (
	SubjectUserRegistered = "identity.user.registered"
	// SubjectUserErased tells the services that keep records of a user
	// (orders) to anonymise them.
	SubjectUserErased = "identity.user.erased"
)

// UserRegistered is published when an account is created.
type UserRegistered struct {
	UserID string    `json:"user_id"`
	Role   string    `json:"role"`
	At     time.Time `json:"at"`
}

// UserErased is published when an account's personal data is erased.
type UserErased struct {
	UserID string    `json:"user_id"`
	At     time.Time `json:"at"`
}

// Subjects identity consumes, and the payloads it expects in the Data of
// their bus.Event envelopes. The order and cart services publish them.
const (
	SubjectOrderPaid     = "order.paid"
	SubjectCartItemAdded = "cart.item_added"
	// order.shipped and order.refunded (and order.paid) carry OrderMail:
	// identity mails the shopper about them.
	SubjectOrderShipped  = "order.shipped"
	SubjectOrderRefunded = "order.refunded"
)

// OrderMail is what identity reads of the order service's events
// (order.Event) to mail the shopper: a confirmation on order.paid, the
// tracking on order.shipped, the amount on order.refunded.
type OrderMail struct {
	OrderID  string          `json:"order_id"`
	Number   string          `json:"number"`
	Email    string          `json:"email"`
	Status   string          `json:"status"`
	Total    money.Money     `json:"total"`
	Items    []OrderMailItem `json:"items"`
	Tracking *OrderTracking  `json:"tracking,omitempty"`
	// Refunded is what went back in all; Amount what this event refunded.
	Refunded money.Money `json:"refunded"`
	Amount   money.Money `json:"amount"`
}

// OrderMailItem is a line of an order in brief.
type OrderMailItem struct {
	SKU      string      `json:"sku"`
	Title    string      `json:"title,omitempty"`
	Quantity int64       `json:"quantity"`
	Total    money.Money `json:"total"`
}

// OrderTracking is where a shipped order is.
type OrderTracking struct {
	Carrier string `json:"carrier"`
	Number  string `json:"number"`
	URL     string `json:"url,omitempty"`
}

// OrderPaid is the payload of order.paid.
type OrderPaid struct {
	OrderID  string      `json:"order_id"`
	UserID   string      `json:"user_id,omitempty"`   // "" for a guest
	DeviceID string      `json:"device_id,omitempty"` // the guest's device
	Items    []OrderItem `json:"items"`
	Total    money.Money `json:"total"`
	PaidAt   time.Time   `json:"paid_at"`
}

// OrderItem is one line of a paid order.
type OrderItem struct {
	ProductID string      `json:"product_id"`
	SKU       string      `json:"sku"`
	Category  string      `json:"category,omitempty"`
	Quantity  int         `json:"quantity"`
	Price     money.Money `json:"price" doc:"Unit price."`
}

// CartItemAdded is the payload of cart.item_added.
type CartItemAdded struct {
	CartID    string    `json:"cart_id"`
	UserID    string    `json:"user_id,omitempty"`
	DeviceID  string    `json:"device_id,omitempty"`
	ProductID string    `json:"product_id"`
	SKU       string    `json:"sku"`
	Category  string    `json:"category,omitempty"`
	Quantity  int       `json:"quantity"`
	At        time.Time `json:"at"`
}
