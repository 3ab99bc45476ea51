package inventory

import (
	"context"
	"time"
)

// Store is what Core needs from a database. It runs SQL and keeps
// transactions; every rule (what may be held, which bucket gives units, when
// an event fires) is Core's.
//
// Stock is kept in buckets: each SKU's units at a location are split over
// one or more slots, each a row. Transactions that lock different buckets of
// one SKU do not wait for each other, which lets several batches reserve a
// hot SKU at once.
type Store interface {
	// Update runs fn in one transaction: the rows fn locks through the Tx
	// stay locked until it ends, and what it applies is committed together
	// or not at all. When fn returns an error the transaction is rolled back
	// and the error returned unchanged.
	Update(ctx context.Context, fn func(Tx) error) error

	// Available sums available units over sellable locations per SKU; SKUs
	// without stock records are missing from the map.
	Available(ctx context.Context, skus []string) (map[string]int64, error)
	Levels(ctx context.Context, skus []string) ([]StockLevel, error)
	// Hold reads one reservation; ErrReservationNotFound if there is none.
	Hold(ctx context.Context, reference string) (Hold, error)
	// ExpiredHolds lists references of held reservations that expired at or
	// before now, oldest first.
	ExpiredHolds(ctx context.Context, now time.Time, limit int) ([]string, error)
	// Movements lists a SKU's movements with ids below before (0: from the
	// newest), newest first.
	Movements(ctx context.Context, sku string, before int64, limit int) ([]Movement, error)
	// ImportNew creates the buckets of the levels whose SKU has no record
	// yet at that location, with an import movement each, in one
	// transaction, and returns the levels that already had one, untouched.
	ImportNew(ctx context.Context, levels []NewStock, at time.Time) (existing []NewStock, err error)

	Locations(ctx context.Context) ([]Location, error)
	PutLocation(ctx context.Context, l Location) error

	// Tuning is the store's recommended concurrency, used where Options
	// leave it open.
	Tuning() Tuning
}

// Tuning says how many reservation batches may run at once (Lanes) and into
// how many buckets a SKU's stock is split at most (Slots). A single-writer
// engine wants one lane; more lanes only pay where row locks are the limit.
type Tuning struct {
	Lanes int
	Slots int
}

// Tx is a transaction of Store.Update.
type Tx interface {
	// Holds loads the reservations with these references, locking them
	// when lock is set; the missing ones are absent from the map.
	Holds(ctx context.Context, refs []string, lock bool) (map[string]*Hold, error)
	// Buckets loads and locks the buckets q names, ordered by SKU,
	// location and slot: every transaction locks in that order, so none
	// waits on another in a cycle. Then it reads (without locking) the
	// reservations with references read, where the engine allows in the
	// same round trip: they are looked up after the locks are granted.
	Buckets(ctx context.Context, q BucketQuery, read []string) ([]Bucket, map[string]*Hold, error)
	// Adjustment finds the adjustment made under reference for a SKU and
	// location, if any.
	Adjustment(ctx context.Context, sku, location, reference string) (Movement, bool, error)
	Location(ctx context.Context, id string) (Location, error)
	// Apply writes c. The store may hold the writes back until the
	// transaction commits, so an error may come from Update instead.
	Apply(ctx context.Context, c Changes) error
}

// Bucket is one slot of a SKU's stock at a location.
type Bucket struct {
	SKU      string
	Location string
	Slot     int
	OnHand   int64
	Reserved int64
	Sellable bool // the location's flag, for convenience
}

// Available is OnHand − Reserved.
func (b *Bucket) Available() int64 { return b.OnHand - b.Reserved }

// BucketKey names a bucket.
type BucketKey struct {
	SKU      string
	Location string
	Slot     int
}

// Key returns the bucket's key.
func (b *Bucket) Key() BucketKey { return BucketKey{b.SKU, b.Location, b.Slot} }

// BucketQuery names the buckets a transaction locks.
type BucketQuery struct {
	All  []string    // every bucket of these SKUs, at every location
	Rows []BucketKey // these buckets
	// Home SKUs lock only the sellable buckets of lane Lane of Lanes: slots
	// with slot % Lanes == Lane.
	Home  []string
	Lane  int
	Lanes int
}

// Allocation is the part of a reservation held in one bucket.
type Allocation struct {
	SKU      string `json:"sku"`
	Location string `json:"loc"`
	Slot     int    `json:"slot"`
	Quantity int64  `json:"qty"`
}

// Hold is a reservation with the buckets its units came from.
type Hold struct {
	Reservation
	Allocations []Allocation
}

// HoldStatus is a change of a reservation's status.
type HoldStatus struct {
	Reference string
	Status    Status
	At        time.Time
}

// NewStock is a level to import: slot i of the SKU at Location gets
// OnHand[i] units.
type NewStock struct {
	SKU      string
	Location string
	OnHand   []int64
}

// Total is the units over all slots.
func (n NewStock) Total() int64 {
	var t int64
	for _, v := range n.OnHand {
		t += v
	}
	return t
}

// Event is an event for the outbox.
type Event struct {
	Type string
	Data StockEvent
	At   time.Time
}

// Changes is what one transaction writes.
type Changes struct {
	Buckets    []Bucket // new values of changed buckets
	NewBuckets []Bucket // buckets to create; one that exists fails the transaction
	NewHolds   []Hold
	Statuses   []HoldStatus
	Movements  []Movement
	Events     []Event
}

// Empty reports whether c writes nothing.
func (c *Changes) Empty() bool {
	return len(c.Buckets) == 0 && len(c.NewBuckets) == 0 && len(c.NewHolds) == 0 && len(c.Statuses) == 0 &&
		len(c.Movements) == 0 && len(c.Events) == 0
}
