package cart

import (
	"context"
	"encoding/base64"
	"fmt"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// Promotions implements Service.
func (c *Core) Promotions(ctx context.Context, q PromotionQuery) (PromotionPage, error) {
	size := q.PageSize
	switch {
	case size == 0:
		size = 50
	case size < 0 || size > 100:
		return PromotionPage{}, ErrInvalidPageSize
	}
	after := ""
	if q.PageToken != "" {
		raw, err := base64.RawURLEncoding.DecodeString(q.PageToken)
		if err != nil || !validID(string(raw)) {
			return PromotionPage{}, ErrInvalidPageToken
		}
		after = string(raw)
	}
	items, err := c.store.Promotions(ctx, after, size+1)
	if err != nil {
		return PromotionPage{}, err
	}
	page := PromotionPage{Items: items}
	if len(items) > size {
		page.Items = items[:size]
		page.NextPageToken = base64.RawURLEncoding.EncodeToString([]byte(items[size-1].ID))
	}
	return page, nil
}

// Promotion implements Service.
func (c *Core) Promotion(ctx context.Context, id string) (Promotion, error) {
	if !validID(id) {
		return Promotion{}, ErrPromotionNotFound
	}
	return c.store.Promotion(ctx, id)
}

// CreatePromotion implements Service.
func (c *Core) CreatePromotion(ctx context.Context, in PromotionInput) (Promotion, error) {
	if err := in.Normalize(c.opts.Rules.Currency); err != nil {
		return Promotion{}, err
	}
	now := c.now()
	p := Promotion{ID: c.opts.NewID(), Rule: in, Version: 1, CreatedAt: now, UpdatedAt: now}
	if err := c.store.InTx(ctx, func(tx Tx) error { return tx.InsertPromotion(ctx, p) }); err != nil {
		return Promotion{}, err
	}
	c.invalidateSnapshot()
	return p, nil
}

// UpdatePromotion implements Service: the rule is replaced; its use count
// stays.
func (c *Core) UpdatePromotion(ctx context.Context, id string, in PromotionInput) (Promotion, error) {
	if !validID(id) {
		return Promotion{}, ErrPromotionNotFound
	}
	if err := in.Normalize(c.opts.Rules.Currency); err != nil {
		return Promotion{}, err
	}
	var p Promotion
	err := c.store.InTx(ctx, func(tx Tx) error {
		var err error
		if p, err = tx.LockPromotion(ctx, id); err != nil {
			return err
		}
		p.Rule, p.Version, p.UpdatedAt = in, p.Version+1, c.now()
		return tx.UpdatePromotion(ctx, p)
	})
	if err != nil {
		return Promotion{}, err
	}
	c.invalidateSnapshot()
	return p, nil
}

// DeletePromotion implements Service. Carts holding its code show it as no
// longer available; orders that used it keep their record.
func (c *Core) DeletePromotion(ctx context.Context, id string) error {
	if !validID(id) {
		return ErrPromotionNotFound
	}
	if err := c.store.InTx(ctx, func(tx Tx) error { return tx.DeletePromotion(ctx, id) }); err != nil {
		return err
	}
	c.invalidateSnapshot()
	return nil
}

// PurchaseLimits implements Service.
func (c *Core) PurchaseLimits(ctx context.Context) ([]PurchaseLimit, error) {
	return c.store.PurchaseLimits(ctx)
}

// SetPurchaseLimit implements Service: it creates or replaces the limit of
// a SKU.
func (c *Core) SetPurchaseLimit(ctx context.Context, l PurchaseLimit) (PurchaseLimit, error) {
	var fields []errs.FieldError
	bad := func(field, format string, args ...any) {
		fields = append(fields, errs.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	l.SKU = strings.TrimSpace(l.SKU)
	if !skuRe.MatchString(l.SKU) {
		bad("sku", "1 to 64 letters, digits, '.', '_' or '-'")
	}
	if l.MaxPerCustomer < 1 || l.MaxPerCustomer > 10_000 {
		bad("max_per_customer", "1 to 10000")
	}
	if l.StartsAt != nil && l.EndsAt != nil && !l.EndsAt.After(*l.StartsAt) {
		bad("ends_at", "must be after starts_at")
	}
	if len(fields) > 0 {
		e := *ErrInvalidLimit
		e.Fields = fields
		return PurchaseLimit{}, &e
	}
	ms := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		u := t.UTC().Truncate(time.Millisecond)
		return &u
	}
	l.StartsAt, l.EndsAt, l.UpdatedAt = ms(l.StartsAt), ms(l.EndsAt), c.now()
	if err := c.store.InTx(ctx, func(tx Tx) error { return tx.SetPurchaseLimit(ctx, l) }); err != nil {
		return PurchaseLimit{}, err
	}
	c.invalidateSnapshot()
	return l, nil
}

// DeletePurchaseLimit implements Service.
func (c *Core) DeletePurchaseLimit(ctx context.Context, sku string) error {
	if err := c.store.InTx(ctx, func(tx Tx) error { return tx.DeletePurchaseLimit(ctx, sku) }); err != nil {
		return err
	}
	c.invalidateSnapshot()
	return nil
}
