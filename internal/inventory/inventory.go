// Package inventory keeps stock per SKU and location and the reservations
// that hold it between a cart's checkout and its payment.
//
// Stock is counted per location (the online warehouse and the stores):
// on_hand units are on the shelf, reserved units of those are held for
// checkouts, and available = on_hand − reserved. A reservation holds a set
// of lines all or nothing, for a time to live, under the caller's reference;
// committing it takes the units out of on_hand (they are sold), releasing or
// letting it expire gives them back. Every call is idempotent by reference.
//
// The web shop sells from sellable locations (the online warehouse, and any
// store marked as shipping online orders): reservations draw only on them,
// and Available reports their sum.
//
// The hot path. A flash sale sends thousands of reservations of one SKU at
// once; a transaction per reservation would queue them all on that SKU's
// row lock and pay a commit each. Core instead batches them (group commit,
// see batch.go): concurrent reservations, commits and releases are applied
// in memory under one transaction per batch, each succeeding or failing on
// its own, so one lock and one durable commit serve hundreds of them. Each
// SKU's stock is also split into buckets (rows); with several lanes, batches
// that find a SKU large reserve from their own lane's buckets and run side by
// side, and only batches that could cross the low-stock threshold, or give
// units back, lock the SKU whole (so events stay exact). The invariants are
// the store's: a CHECK keeps every bucket's reserved between 0 and on_hand,
// and a reservation is one row under its reference.
package inventory

import (
	"context"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// DefaultLocation is the online warehouse, created by the first migration.
const DefaultLocation = "online"

// Location kinds.
const (
	KindWarehouse = "warehouse"
	KindStore     = "store"
)

// Location is a place that holds stock.
type Location struct {
	ID   string `json:"id" doc:"Short lower-case id, e.g. online or store-mumbai-01."`
	Name string `json:"name"`
	Kind string `json:"kind" enum:"warehouse,store"`
	// Sellable locations supply the web shop: reservations draw on them and
	// Available sums them.
	Sellable bool `json:"sellable"`
}

// StockLevel is the stock of one SKU at one location.
type StockLevel struct {
	SKU       string `json:"sku"`
	Location  string `json:"location"`
	OnHand    int64  `json:"on_hand"`
	Reserved  int64  `json:"reserved"`
	Available int64  `json:"available"`
}

// Line is a quantity of one SKU.
type Line struct {
	SKU      string `json:"sku"`
	Quantity int64  `json:"quantity"`
}

// Status is where a reservation stands.
type Status string

const (
	StatusHeld      Status = "held"      // units are held until ExpiresAt
	StatusCommitted Status = "committed" // units are sold: they left on_hand
	StatusReleased  Status = "released"  // the caller gave the units back
	StatusExpired   Status = "expired"   // the hold ran out; units are back
)

// Reservation is a hold on stock under a caller's reference.
type Reservation struct {
	Reference string    `json:"reference"`
	Status    Status    `json:"status" enum:"held,committed,released,expired"`
	Lines     []Line    `json:"lines"`
	ExpiresAt time.Time `json:"expires_at"`
	CreatedAt time.Time `json:"created_at"`
	UpdatedAt time.Time `json:"updated_at"`
}

// Quantity is the units of sku the reservation holds (or held).
func (r Reservation) Quantity(sku string) int64 {
	var n int64
	for _, l := range r.Lines {
		if l.SKU == sku {
			n += l.Quantity
		}
	}
	return n
}

// ReserveRequest asks to hold Lines under Reference for TTL.
type ReserveRequest struct {
	Reference string
	Lines     []Line
	TTL       time.Duration // 0: the service's default
}

// Movement reasons written by the service itself; adjustments carry the
// caller's reason ("received", "damaged", ...).
const (
	ReasonSet    = "set"    // on_hand set to a counted value
	ReasonImport = "import" // bulk load
	ReasonSale   = "sale"   // a reservation was committed
)

// Movement is one change of on_hand, for the stock history.
type Movement struct {
	ID        int64     `json:"id"`
	SKU       string    `json:"sku"`
	Location  string    `json:"location"`
	Delta     int64     `json:"delta"`
	Reason    string    `json:"reason"`
	Reference string    `json:"reference,omitempty"`
	At        time.Time `json:"at"`
}

// SetOnHand sets the units on hand of a SKU at a location (a stock count).
// Unknown SKUs are created.
type SetOnHand struct {
	SKU       string
	Location  string // "": DefaultLocation
	OnHand    int64
	Reference string // optional, kept in the history
}

// Adjustment changes on_hand by Delta with a Reason. With a Reference it is
// applied once: repeating it returns the current level.
type Adjustment struct {
	SKU       string
	Location  string // "": DefaultLocation
	Delta     int64
	Reason    string
	Reference string
}

// MovementQuery pages through one SKU's history, newest first.
type MovementQuery struct {
	SKU       string
	PageSize  int    // 0: 50; at most 100
	PageToken string // from the previous page
}

// MovementPage is one page of history.
type MovementPage struct {
	Items         []Movement `json:"items"`
	NextPageToken string     `json:"next_page_token,omitempty"`
}

// Limits on input.
const (
	MaxLines        = 100
	MaxSKUsPerQuery = 500   // a listing page asks for every variant of its products at once
	MaxImportBatch  = 10000 // levels per Import call over HTTP; Core takes any number
)

// Events, written through the outbox in the transaction of the change. They
// follow the SKU's available units across sellable locations.
const (
	EventLow         = "inventory.low"          // fell to the low-stock threshold or below (even to zero)
	EventOutOfStock  = "inventory.out_of_stock" // reached zero
	EventBackInStock = "inventory.back_in_stock"
)

// Stream is the JetStream stream that keeps the inventory's events; each
// event's subject is its type.
var Stream = bus.StreamConfig{Name: "INVENTORY", Subjects: []string{"inventory.>"}}

// StockEvent is the data of every inventory event.
type StockEvent struct {
	SKU       string `json:"sku"`
	Available int64  `json:"available"`
	Threshold int64  `json:"threshold"`
}

// Errors, with their stable codes.
var (
	ErrInvalidSKU        = errs.Invalid("invalid_sku", "a SKU is 1 to 64 letters, digits, '.', '_' or '-'")
	ErrInvalidLocation   = errs.Invalid("invalid_location", "a location id is 1 to 64 lower-case letters, digits or '-'")
	ErrInvalidQuantity   = errs.Invalid("invalid_quantity", "quantities must be positive")
	ErrInvalidReference  = errs.Invalid("invalid_reference", "a reference is 1 to 128 printable ASCII characters without spaces")
	ErrInvalidReason     = errs.Invalid("invalid_reason", "a reason is 1 to 32 lower-case letters or '_'")
	ErrInvalidTTL        = errs.Invalid("invalid_ttl", "the time to live is out of range")
	ErrNoLines           = errs.Invalid("empty_lines", "a reservation needs at least one line")
	ErrTooManyLines      = errs.Invalid("too_many_lines", "a reservation has at most 100 lines")
	ErrDuplicateLine     = errs.Invalid("duplicate_line", "each SKU may appear in one line only")
	ErrTooManySKUs       = errs.Invalid("too_many_skus", "ask for 1 to 500 SKUs at a time")
	ErrInvalidPageSize   = errs.Invalid("invalid_page_size", "page_size must be between 1 and 100")
	ErrInvalidPageToken  = errs.Invalid("invalid_page_token", "the page token is not one this service issued")
	ErrUnknownSKU        = errs.NotFound("unknown_sku", "no stock record for this SKU")
	ErrUnknownLocation   = errs.NotFound("unknown_location", "no such location")
	ErrInsufficientStock = errs.Conflict("insufficient_stock", "not enough units available")
	ErrBelowReserved     = errs.Conflict("on_hand_below_reserved", "on hand may not fall below zero or below the units held")
	ErrReferenceReused   = errs.Conflict("reference_reused", "this reference was used for other lines")
	ErrAdjustmentReused  = errs.Conflict("adjustment_reused", "this reference was used for another adjustment")

	ErrReservationNotFound  = errs.NotFound("reservation_not_found", "no reservation with this reference")
	ErrReservationExpired   = errs.Conflict("reservation_expired", "the reservation expired and its units were returned")
	ErrReservationReleased  = errs.Conflict("reservation_released", "the reservation was released")
	ErrReservationCommitted = errs.Conflict("reservation_committed", "the reservation was committed; its units are sold")
)

// Service is the inventory as other services and the HTTP API see it. Core
// implements it in-process; inventoryhttp.Client over HTTP.
type Service interface {
	// Available returns the units available to the web shop (summed over
	// sellable locations) for each SKU asked for; unknown SKUs have 0.
	Available(ctx context.Context, skus []string) (map[string]int64, error)
	// Levels returns the stock of each SKU at every location that has a
	// record of it, ordered by SKU and location.
	Levels(ctx context.Context, skus []string) ([]StockLevel, error)
	SetOnHand(ctx context.Context, s SetOnHand) (StockLevel, error)
	Adjust(ctx context.Context, a Adjustment) (StockLevel, error)
	// Import sets on_hand for many SKUs at once (seeding, feeds from the
	// warehouse system); Reserved and Available are ignored, an empty
	// Location means DefaultLocation, and a SKU listed twice takes the last
	// value. Levels new to the store are created in bulk without events;
	// existing ones are set as by SetOnHand. Bad input fails the whole call
	// before anything is written; after that the levels are written in
	// chunks of a few thousand, each its own transaction, so a conflict
	// (on_hand below the units held) leaves the chunks before it written.
	Import(ctx context.Context, levels []StockLevel) error
	Movements(ctx context.Context, q MovementQuery) (MovementPage, error)

	// Reserve holds the lines all or nothing. Repeating a reserve with the
	// same reference and lines returns the reservation it made (in whatever
	// status it is now) and never holds twice; the same reference with other
	// lines is ErrReferenceReused.
	Reserve(ctx context.Context, r ReserveRequest) (Reservation, error)
	// Commit sells the held units. Committing again returns the reservation.
	Commit(ctx context.Context, reference string) (Reservation, error)
	// Release gives held units back. Releasing again, or releasing an
	// expired reservation, returns it unchanged.
	Release(ctx context.Context, reference string) (Reservation, error)
	Reservation(ctx context.Context, reference string) (Reservation, error)

	Locations(ctx context.Context) ([]Location, error)
	PutLocation(ctx context.Context, l Location) (Location, error)
}
