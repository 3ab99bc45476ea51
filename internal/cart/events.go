package cart

import (
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
)

// Stream is the stream the cart publishes to; the wiring ensures it.
// Identity's personalisation consumes cart.item_added from it.
var Stream = bus.StreamConfig{Name: "CARTS", Subjects: []string{"cart.>"}, MaxAge: 7 * 24 * time.Hour}

// SubjectItemAdded is published, through the outbox, in the transaction
// that puts units in a cart.
const SubjectItemAdded = "cart.item_added"

// ItemAdded is the payload of cart.item_added (identity.CartItemAdded reads
// the same JSON).
type ItemAdded struct {
	CartID    string    `json:"cart_id"`
	UserID    string    `json:"user_id,omitempty"`
	DeviceID  string    `json:"device_id,omitempty"`
	ProductID string    `json:"product_id"`
	SKU       string    `json:"sku"`
	Category  string    `json:"category,omitempty" doc:"The product's own category slug."`
	Quantity  int       `json:"quantity" doc:"Units added by this change."`
	At        time.Time `json:"at"`
}
