package cart

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"slices"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// validReference accepts 1 to 128 printable ASCII characters, no spaces.
func validReference(s string) bool {
	if len(s) == 0 || len(s) > 128 {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] <= ' ' || s[i] > '~' {
			return false
		}
	}
	return true
}

// normalize sorts and de-duplicates a redemption, so that equal contents
// have one fingerprint.
func (r Redemption) normalize() (Redemption, error) {
	if !validReference(r.Reference) {
		return r, ErrInvalidReference
	}
	if !validID(r.CartID) {
		return r, ErrCartNotFound
	}
	promos := slices.Clone(r.Promotions)
	slices.Sort(promos)
	r.Promotions = slices.Compact(promos)
	if r.Promotions == nil {
		r.Promotions = []string{}
	}
	qty := map[string]int64{}
	for _, it := range r.Items {
		if !skuRe.MatchString(it.SKU) {
			return r, ErrInvalidSKU
		}
		if it.Quantity < 1 {
			return r, ErrInvalidQuantity
		}
		qty[it.SKU] += it.Quantity
	}
	r.Items = make([]RedeemedItem, 0, len(qty))
	for sku, n := range qty {
		r.Items = append(r.Items, RedeemedItem{SKU: sku, Quantity: n})
	}
	slices.SortFunc(r.Items, func(a, b RedeemedItem) int { return strings.Compare(a.SKU, b.SKU) })
	return r, nil
}

func fingerprint(r Redemption) string {
	raw, _ := json.Marshal(r)
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:])
}

// Redeem implements Service. Promotions are counted in id order and limits
// locked in SKU order, so concurrent redemptions cannot deadlock.
func (c *Core) Redeem(ctx context.Context, in Redemption) error {
	r, err := in.normalize()
	if err != nil {
		return err
	}
	fp := fingerprint(r)
	var closed Record
	var limited bool
	if c.redeems != nil {
		closed, limited, err = c.redeemQueued(ctx, r, fp) // redeembatch.go
	} else {
		closed, limited, err = c.redeemAlone(ctx, r, fp)
	}
	if err != nil {
		return fmt.Errorf("redeem %s: %w", r.Reference, err)
	}
	if closed.ID != "" {
		c.stored(ctx, closed)
	}
	if limited {
		// Carts show a used-up promotion as such from now on.
		c.invalidateSnapshot()
	}
	return nil
}

// redeemAlone redeems r in a transaction of its own.
func (c *Core) redeemAlone(ctx context.Context, r Redemption, fp string) (closed Record, limited bool, err error) {
	for attempt := 0; ; attempt++ {
		closed, limited, err = c.redeem(ctx, r, fp)
		// Two redemptions of one reference at once: the loser's claim may
		// still conflict on SQLite; once more, it finds the winner's record.
		if attempt == 0 && errors.Is(err, sqldb.ErrConflict) {
			continue
		}
		return closed, limited, err
	}
}

// redeem is one attempt of Redeem. limited reports whether a promotion
// with a usage limit was counted.
func (c *Core) redeem(ctx context.Context, r Redemption, fp string) (closed Record, limited bool, err error) {
	now := c.now()
	err = c.store.InTx(ctx, func(tx Tx) error {
		closed, limited = Record{}, false // fn may run twice
		rec := RedemptionRecord{Redemption: r, Fingerprint: fp, CreatedAt: now}
		// The reference is claimed first: a replay is found by the claim,
		// before anything is counted twice (and a new one costs no read).
		if claimed, err := tx.ClaimRedemption(ctx, rec); err != nil || !claimed {
			if err != nil {
				return err
			}
			prev, found, err := tx.Redemption(ctx, r.Reference)
			if err != nil {
				return err
			}
			if found && prev.Fingerprint == fp && !prev.Released {
				return nil
			}
			return ErrReferenceReused
		}
		for _, id := range r.Promotions {
			lim, err := c.usePromotion(ctx, tx, id, r.UserID)
			if err != nil {
				return err
			}
			limited = limited || lim
		}
		for _, it := range r.Items {
			if err := c.usePurchaseLimit(ctx, tx, it, r.UserID, now); err != nil {
				return err
			}
		}
		if err := tx.RecordUses(ctx, rec); err != nil {
			return err
		}
		// Closed in place (a swept or closed cart has nothing to close).
		cart, ok, err := tx.CloseCart(ctx, r.CartID, r.Reference, now, now.Add(c.opts.GuestTTL))
		if ok {
			closed = cart
		}
		return err
	})
	return closed, limited, err
}

// usePromotion counts one use of promotion id, within its limits, and
// reports whether it has a usage limit. A promotion deleted since the
// quote is not counted.
func (c *Core) usePromotion(ctx context.Context, tx Tx, id, userID string) (bool, error) {
	p, err := tx.LockPromotion(ctx, id)
	if isPromotionNotFound(err) {
		return false, nil
	}
	if err != nil {
		return false, err
	}
	if p.PerCustomerLimit > 0 && userID != "" {
		used, err := tx.CustomerUses(ctx, userID, []string{id})
		if err != nil {
			return false, err
		}
		if used[id] >= p.PerCustomerLimit {
			return false, ErrCouponAlreadyUsed.With(fmt.Sprintf("%s may be used %d times per customer", p.Name, p.PerCustomerLimit))
		}
	}
	ok, err := tx.AddPromotionUses(ctx, id, 1)
	if err != nil {
		return false, err
	}
	if !ok {
		return false, ErrCouponExhausted.With(p.Name + " has been used up")
	}
	return p.UsageLimit > 0, nil
}

// usePurchaseLimit checks an order's units of a SKU against its limit.
func (c *Core) usePurchaseLimit(ctx context.Context, tx Tx, it RedeemedItem, userID string, now time.Time) error {
	l, ok, err := tx.LockPurchaseLimit(ctx, it.SKU)
	if err != nil || !ok {
		return err
	}
	if l, ok = activeLimit(map[string]PurchaseLimit{it.SKU: l}, it.SKU, now); !ok {
		return nil
	}
	bought := int64(0)
	if userID != "" {
		since := time.Time{}
		if l.StartsAt != nil {
			since = *l.StartsAt
		}
		got, err := tx.Purchased(ctx, userID, map[string]time.Time{it.SKU: since})
		if err != nil {
			return err
		}
		bought = got[it.SKU]
	}
	if bought+it.Quantity > l.MaxPerCustomer {
		return ErrPurchaseLimit.With(fmt.Sprintf("at most %d of %s per customer", l.MaxPerCustomer, it.SKU))
	}
	return nil
}

// ReleaseRedemption implements Service.
func (c *Core) ReleaseRedemption(ctx context.Context, reference string) error {
	if !validReference(reference) {
		return ErrInvalidReference
	}
	var reopened Record
	err := c.store.InTx(ctx, func(tx Tx) error {
		prev, found, err := tx.Redemption(ctx, reference)
		if err != nil || !found || prev.Released {
			return err
		}
		for _, id := range prev.Promotions {
			if _, err := tx.AddPromotionUses(ctx, id, -1); err != nil {
				return err
			}
		}
		if err := tx.ReleaseRedemption(ctx, reference); err != nil {
			return err
		}
		cart, err := tx.Cart(ctx, prev.CartID)
		if isNotFound(err) {
			return nil
		}
		if err != nil {
			return err
		}
		if cart.Status != StatusOrdered || cart.ClosedRef != reference {
			return nil
		}
		if cart.UserID != "" {
			// A member has one active cart; if they started another since,
			// that one stays theirs.
			if _, err := tx.UserCart(ctx, cart.UserID); !isNotFound(err) {
				return err
			}
		}
		cart.Status, cart.ClosedRef = StatusActive, ""
		c.touch(&cart)
		reopened = cart
		return tx.UpdateCart(ctx, cart)
	})
	if err != nil {
		return fmt.Errorf("release %s: %w", reference, err)
	}
	if reopened.ID != "" {
		c.stored(ctx, reopened)
	}
	c.invalidateSnapshot()
	return nil
}

func isPromotionNotFound(err error) bool { return errors.Is(err, ErrPromotionNotFound) }
