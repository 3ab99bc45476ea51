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
)

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
