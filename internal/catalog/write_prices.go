package catalog

import (
	"context"
	"fmt"
	"slices"
)

// SetPrices implements Service. Every change is checked before anything is
// written, and all products change in one transaction.
func (c *Core) SetPrices(ctx context.Context, changes []PriceChange) error {
	if len(changes) == 0 {
		return nil
	}
	if len(changes) > maxPriceBatch {
		return invalidField(ErrInvalidPrice, "changes", fmt.Sprintf("at most %d price changes at once", maxPriceBatch))
	}
	bySKU := make(map[string]PriceChange, len(changes))
	skus := make([]string, 0, len(changes))
	for i, ch := range changes {
		field := fmt.Sprintf("changes/%d", i)
		sku, err := normSKU(field+"/sku", ch.SKU)
		if err != nil {
			return err
		}
		if _, dup := bySKU[sku]; dup {
			return invalidField(ErrDuplicateSKU, field+"/sku", fmt.Sprintf("SKU %s appears twice", sku))
		}
		if err := c.checkPrices(field, ch.Price, ch.CompareAt); err != nil {
			return err
		}
		bySKU[sku] = ch
		skus = append(skus, sku)
	}
	return c.write(ctx, func(tx Tx) error {
		owners, err := tx.SKUOwners(ctx, skus)
		if err != nil {
			return err
		}
		var products []string
		for i, s := range skus {
			owner, ok := owners[s]
			if !ok {
				return invalidField(ErrUnknownSKU, fmt.Sprintf("changes/%d/sku", i), fmt.Sprintf("no variant with SKU %s", s))
			}
			if !slices.Contains(products, owner) {
				products = append(products, owner)
			}
		}
		slices.Sort(products) // a fixed lock order: two batches cannot deadlock
		t, err := txTree(ctx, tx)
		if err != nil {
			return err
		}
		now := c.now()
		for _, id := range products {
			p, err := tx.Product(ctx, id)
			if err != nil {
				return err
			}
			for i := range p.Variants {
				if ch, ok := bySKU[p.Variants[i].SKU]; ok {
					p.Variants[i].Price, p.Variants[i].CompareAt = ch.Price, ch.CompareAt
				}
			}
			p.Version++
			p.UpdatedAt = now
			if err := c.save(ctx, tx, t, p, nil, "price"); err != nil {
				return err
			}
		}
		return nil
	})
}

// SetStock records which SKUs are in stock, for the in_stock filter and
// the listings' stock flags. Inventory's out-of-stock and back-in-stock
// events call it; only real changes touch the store, and each changed
// product announces itself. Unknown SKUs are ignored.
func (c *Core) SetStock(ctx context.Context, inStock map[string]bool) error {
	if len(inStock) == 0 {
		return nil
	}
	var changed []string
	now := c.now()
	err := c.store.Write(ctx, func(tx Tx) error {
		var err error
		if changed, err = tx.SetStock(ctx, inStock, now); err != nil {
			return err
		}
		for _, id := range changed {
			p, err := tx.Product(ctx, id)
			if err != nil {
				return err
			}
			if err := tx.Emit(ctx, productEvent(p, "stock", now)); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		return err
	}
	if len(changed) > 0 {
		c.Changed(ctx)
	}
	return nil
}
