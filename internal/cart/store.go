package cart

import (
	"context"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Record is a cart as stored: its lines without prices of today.
type Record struct {
	ID        string
	UserID    string // "" for a guest cart
	TokenHash string // hex SHA-256 of a guest cart's token; "" for a member's
	DeviceID  string
	Status    Status
	Currency  string
	Lines     []StoredLine
	Codes     []string
	Address   *Address
	// ClosedRef is the member cart a merged cart went into, or the order
	// reference an ordered cart was redeemed under.
	ClosedRef string
	Version   int64
	CreatedAt time.Time
	UpdatedAt time.Time
	ExpiresAt *time.Time // guest carts only
}

// StoredLine is a line as stored.
type StoredLine struct {
	ID       string      `json:"id"`
	SKU      string      `json:"sku"`
	Quantity int64       `json:"quantity"`
	Price    money.Money `json:"price"` // the unit price the shopper last saw when changing the line
	AddedAt  time.Time   `json:"added_at"`
}

// line returns the line with id, or -1.
func (r *Record) line(id string) int {
	for i, l := range r.Lines {
		if l.ID == id {
			return i
		}
	}
	return -1
}

// lineBySKU returns the line holding sku, or -1.
func (r *Record) lineBySKU(sku string) int {
	for i, l := range r.Lines {
		if l.SKU == sku {
			return i
		}
	}
	return -1
}

// RedemptionRecord is a stored redemption.
type RedemptionRecord struct {
	Redemption
	Fingerprint string // hash of the redemption's contents
	Released    bool
	CreatedAt   time.Time
}

// Store keeps carts, promotions, purchase limits and redemptions. Reads
// outside a transaction see committed data; writes go through InTx.
type Store interface {
	// Cart returns a cart by id, or ErrCartNotFound.
	Cart(ctx context.Context, id string) (Record, error)
	// UserCart returns a member's active cart, or ErrCartNotFound.
	UserCart(ctx context.Context, userID string) (Record, error)
	// InTx runs fn in a transaction; an error from fn rolls it back. The
	// store may commit it with other callers' (group commit), and run fn
	// again alone if that shared commit fails: fn must set what it reports
	// afresh on every run.
	InTx(ctx context.Context, fn func(tx Tx) error) error
	// DeleteExpired deletes up to limit guest carts that expired before
	// now and closed carts last changed before closedBefore.
	DeleteExpired(ctx context.Context, now, closedBefore time.Time, limit int) (int, error)

	// LivePromotions returns the enabled promotions that have not ended.
	LivePromotions(ctx context.Context, now time.Time) ([]Promotion, error)
	// PromotionByCode returns the promotion with a code, or ErrPromotionNotFound.
	PromotionByCode(ctx context.Context, code string) (Promotion, error)
	Promotion(ctx context.Context, id string) (Promotion, error)
	// Promotions pages through all promotions, newest first; after is the
	// id the previous page ended with.
	Promotions(ctx context.Context, after string, limit int) ([]Promotion, error)
	// CustomerUses counts a member's redemptions of each promotion.
	CustomerUses(ctx context.Context, userID string, promotionIDs []string) (map[string]int64, error)

	// PurchaseLimits returns all limits; Purchased sums a member's units
	// of each SKU bought since the time given for it.
	PurchaseLimits(ctx context.Context) ([]PurchaseLimit, error)
	Purchased(ctx context.Context, userID string, since map[string]time.Time) (map[string]int64, error)
}

// Tx is a write transaction. Its reads lock what they read until commit.
type Tx interface {
	Cart(ctx context.Context, id string) (Record, error)
	UserCart(ctx context.Context, userID string) (Record, error)
	// InsertCart stores a new cart; a member with an active cart already
	// gets errs.KindConflict.
	InsertCart(ctx context.Context, r Record) error
	// UpdateCart stores r over the cart with its id.
	UpdateCart(ctx context.Context, r Record) error
	// Emit records an event in the outbox.
	Emit(ctx context.Context, subject string, data any) error

	InsertPromotion(ctx context.Context, p Promotion) error // ErrCodeTaken
	// UpdatePromotion stores p; the code must stay unique (ErrCodeTaken).
	UpdatePromotion(ctx context.Context, p Promotion) error
	LockPromotion(ctx context.Context, id string) (Promotion, error)
	DeletePromotion(ctx context.Context, id string) error
	// AddPromotionUses adds delta to a promotion's use count; with a
	// positive delta it refuses (false) when the limit would be passed.
	AddPromotionUses(ctx context.Context, id string, delta int64) (bool, error)

	SetPurchaseLimit(ctx context.Context, l PurchaseLimit) error
	DeletePurchaseLimit(ctx context.Context, sku string) error
	// LockPurchaseLimit returns the limit of sku, locked; ok false if none.
	LockPurchaseLimit(ctx context.Context, sku string) (PurchaseLimit, bool, error)

	Redemption(ctx context.Context, reference string) (RedemptionRecord, bool, error)
	// ClaimRedemption records r itself unless its reference is recorded
	// already (false: nothing written).
	ClaimRedemption(ctx context.Context, r RedemptionRecord) (bool, error)
	// RecordUses records the promotion uses and purchases of r, claimed.
	RecordUses(ctx context.Context, r RedemptionRecord) error
	// CloseCart marks cart id, if it is active, ordered under ref at at
	// (a guest's cart then expires at guestExpiry), and returns it as
	// stored; false if there is no such active cart.
	CloseCart(ctx context.Context, id, ref string, at, guestExpiry time.Time) (Record, bool, error)
	// ReleaseRedemption marks it released and drops its uses and purchases.
	ReleaseRedemption(ctx context.Context, reference string) error
	CustomerUses(ctx context.Context, userID string, promotionIDs []string) (map[string]int64, error)
	Purchased(ctx context.Context, userID string, since map[string]time.Time) (map[string]int64, error)
}
