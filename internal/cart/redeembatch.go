package cart

import (
	"context"
	"fmt"
	"slices"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// In a sale every checkout redeems its cart: the reference is claimed, the
// purchase limits of its SKUs are locked and checked, a member's purchases
// recorded and the cart closed. One at a time that is three to four
// statements, each a round trip on PostgreSQL. A store whose transactions
// can do each step for many redemptions at once (BatchTx) gets the
// redemptions that arrive together done together, as one transaction of
// about four statements however many there are (sqldb.Queue); a lone
// redemption waits for nobody.
//
// The batch keeps the single path's rules: limits are locked in SKU order
// before anything is claimed; a member buying a limited SKU, a guest over a
// limit, a redemption with promotions, and a second redemption of a
// reference or of a cart already in the batch are left to the single path,
// after the batch (they need reads of their own, or must see the first
// one's outcome). If the batch fails as a whole, every
// redemption in it runs the single path.

// BatchTx is what a Tx does for many redemptions at once.
type BatchTx interface {
	// LockPurchaseLimits returns the limits of skus, locked, by SKU.
	LockPurchaseLimits(ctx context.Context, skus []string) (map[string]PurchaseLimit, error)
	// ClaimRedemptions records each of rs (distinct references) unless its
	// reference is recorded already, and returns the references it claimed.
	ClaimRedemptions(ctx context.Context, rs []RedemptionRecord) (map[string]bool, error)
	// RecordPurchases records the purchases of members' claimed rs (no
	// promotions: those take the single path).
	RecordPurchases(ctx context.Context, rs []RedemptionRecord) error
	// CloseCarts is CloseCart for distinct carts: it returns the carts it
	// closed, by id.
	CloseCarts(ctx context.Context, cs []CartClose) (map[string]Record, error)
}

// CartClose is one cart to close: CloseCart's arguments.
type CartClose struct {
	ID, Reference   string
	At, GuestExpiry time.Time
}

// Batcher is a Store that can batch redemptions: its transactions
// implement BatchTx, and BatchesRedemptions says whether batching pays
// (it does where statements are round trips).
type Batcher interface {
	BatchesRedemptions() bool
}

// maxRedeemBatch bounds a batch; redeemLanes batches run at once.
const (
	maxRedeemBatch = 128
	redeemLanes    = 2
)

type redeemOp struct {
	ctx context.Context
	r   Redemption
	fp  string

	closed  Record
	limited bool
	err     error
	single  bool // left to the single path
}

// redeemQueued runs r through the batch queue.
func (c *Core) redeemQueued(ctx context.Context, r Redemption, fp string) (Record, bool, error) {
	op := &redeemOp{ctx: ctx, r: r, fp: fp}
	c.redeems.Do(ctx, op)
	return op.closed, op.limited, op.err
}

func (c *Core) runRedeems(ctx context.Context, ops []*redeemOp) {
	var batch, single []*redeemOp
	refs, carts := map[string]bool{}, map[string]bool{}
	for _, op := range ops {
		if len(op.r.Promotions) > 0 || refs[op.r.Reference] || carts[op.r.CartID] {
			single = append(single, op)
			continue
		}
		refs[op.r.Reference], carts[op.r.CartID] = true, true
		batch = append(batch, op)
	}
	if len(batch) == 1 {
		single, batch = append(single, batch...), nil
	}
	if len(batch) > 0 {
		err := c.store.InTx(ctx, func(tx Tx) error {
			bt, ok := tx.(BatchTx)
			if !ok {
				return fmt.Errorf("cart: %T cannot batch redemptions", tx)
			}
			return c.redeemMany(ctx, tx, bt, batch)
		})
		for _, op := range batch {
			if err != nil || op.single {
				single = append(single, op)
			}
		}
	}
	for _, op := range single {
		op.closed, op.limited, op.err = c.redeemAlone(op.ctx, op.r, op.fp)
	}
}

// redeemMany is the batch's transaction. It may run twice (a group-commit
// retry), so it sets every op's outcome afresh.
func (c *Core) redeemMany(ctx context.Context, tx Tx, bt BatchTx, ops []*redeemOp) error {
	now := c.now()
	var skus []string
	for _, op := range ops {
		op.closed, op.limited, op.err, op.single = Record{}, false, nil, false
		for _, it := range op.r.Items {
			skus = append(skus, it.SKU)
		}
	}
	slices.Sort(skus)
	limits, err := bt.LockPurchaseLimits(ctx, slices.Compact(skus))
	if err != nil {
		return err
	}
	var claim []RedemptionRecord
	var claiming []*redeemOp
	for _, op := range ops {
		for _, it := range op.r.Items {
			l, active := activeLimit(limits, it.SKU, now)
			// A member's earlier purchases count (a read of its own), and a
			// refusal is the single path's to make (a replay is not refused).
			if active && (op.r.UserID != "" || it.Quantity > l.MaxPerCustomer) {
				op.single = true
			}
		}
		if op.single {
			continue
		}
		claim = append(claim, RedemptionRecord{Redemption: op.r, Fingerprint: op.fp, CreatedAt: now})
		claiming = append(claiming, op)
	}
	claimed, err := bt.ClaimRedemptions(ctx, claim)
	if err != nil {
		return err
	}
	var bought []RedemptionRecord
	var closes []CartClose
	for i, op := range claiming {
		if !claimed[op.r.Reference] {
			// Redeemed before: a replay of the same redemption is done.
			prev, found, err := tx.Redemption(ctx, op.r.Reference)
			if err != nil {
				return err
			}
			if !found || prev.Fingerprint != op.fp || prev.Released {
				op.err = ErrReferenceReused
			}
			continue
		}
		if op.r.UserID != "" && len(op.r.Items) > 0 {
			bought = append(bought, claim[i])
		}
		closes = append(closes, CartClose{ID: op.r.CartID, Reference: op.r.Reference, At: now, GuestExpiry: now.Add(c.opts.GuestTTL)})
	}
	if err := bt.RecordPurchases(ctx, bought); err != nil {
		return err
	}
	closed, err := bt.CloseCarts(ctx, closes)
	if err != nil {
		return err
	}
	for _, op := range claiming {
		op.closed = closed[op.r.CartID]
	}
	return nil
}

// newRedeemQueue returns the batch queue if store batches redemptions.
func newRedeemQueue(store Store, run func(context.Context, []*redeemOp)) *sqldb.Queue[*redeemOp] {
	if b, ok := store.(Batcher); ok && b.BatchesRedemptions() {
		return sqldb.NewQueue(maxRedeemBatch, redeemLanes, run)
	}
	return nil
}
