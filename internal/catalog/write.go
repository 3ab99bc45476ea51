package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/bazaarshop/bazaar/internal/platform/ids"
)

// CreateProduct implements Service.
func (c *Core) CreateProduct(ctx context.Context, in NewProduct) (Product, error) {
	now := c.now()
	p := Product{ID: c.newID(), Status: in.Status, Version: 1, CreatedAt: now, UpdatedAt: now}
	if p.Status == "" {
		p.Status = StatusDraft
	}
	if err := transition("", p.Status); err != nil {
		return Product{}, err
	}
	if err := c.setText(&p, &in.Title, &in.Description, &in.Brand); err != nil {
		return Product{}, err
	}
	var err error
	if p.Attributes, err = checkAttributes(in.Attributes); err != nil {
		return Product{}, err
	}
	if p.Images, err = checkImages(in.Images, p.Title); err != nil {
		return Product{}, err
	}
	if len(in.Variants) > maxVariants {
		return Product{}, invalidField(ErrInvalidProduct, "variants", fmt.Sprintf("at most %d variants", maxVariants))
	}
	for i, nv := range in.Variants {
		v, err := c.variant(fmt.Sprintf("variants/%d", i), nv)
		if err != nil {
			return Product{}, err
		}
		p.Variants = append(p.Variants, v)
	}
	if err := checkSKUsUnique(p.Variants); err != nil {
		return Product{}, err
	}
	explicitSlug := in.Slug != ""
	p.Slug = in.Slug
	if explicitSlug {
		if err := validSlug("slug", p.Slug); err != nil {
			return Product{}, err
		}
	}
	if strings.TrimSpace(in.Category) == "" {
		return Product{}, invalidField(ErrInvalidProduct, "category", "is required")
	}
	var t *tree
	err = c.write(ctx, func(tx Tx) error {
		var err error
		if t, err = txTree(ctx, tx); err != nil {
			return err
		}
		cat, ok := t.find(in.Category)
		if !ok {
			return invalidField(ErrUnknownCategory, "category", fmt.Sprintf("no category %q", clip(in.Category)))
		}
		p.Category = CategoryRef{ID: cat.ID}
		colIDs, err := c.resolveCollections(ctx, tx, in.Collections, &p)
		if err != nil {
			return err
		}
		if explicitSlug {
			if err := c.claimSlug(ctx, tx, p.Slug, p.ID); err != nil {
				return err
			}
		} else if p.Slug, err = c.generateSlug(ctx, tx, p.Title, p.ID); err != nil {
			return err
		}
		if err := c.claimSKUs(ctx, tx, p.Variants, p.ID); err != nil {
			return err
		}
		if p.Status == StatusActive {
			if err := activatable(p); err != nil {
				return err
			}
		}
		return c.save(ctx, tx, t, p, colIDs, "created")
	})
	if err != nil {
		return Product{}, err
	}
	return presentWith(t, p), nil
}

// setText validates and sets the free-text fields that are not nil.
func (c *Core) setText(p *Product, title, description, brand *string) error {
	var err error
	if title != nil {
		if p.Title, err = text("title", *title, 1, maxTitle); err != nil {
			return err
		}
	}
	if description != nil {
		if p.Description, err = text("description", *description, 0, maxDescription); err != nil {
			return err
		}
	}
	if brand != nil {
		if p.Brand, err = text("brand", *brand, 0, maxBrand); err != nil {
			return err
		}
	}
	return nil
}

// UpdateProduct implements Service.
func (c *Core) UpdateProduct(ctx context.Context, id string, in ProductUpdate) (Product, error) {
	return c.change(ctx, id, func(ctx context.Context, tx Tx, t *tree, p *Product) (string, []string, error) {
		change := "updated"
		if err := c.setText(p, in.Title, in.Description, in.Brand); err != nil {
			return "", nil, err
		}
		if in.Attributes != nil {
			attrs, err := checkAttributes(*in.Attributes)
			if err != nil {
				return "", nil, err
			}
			p.Attributes = attrs
		}
		if in.Category != nil {
			cat, ok := t.find(*in.Category)
			if !ok {
				return "", nil, invalidField(ErrUnknownCategory, "category", fmt.Sprintf("no category %q", clip(*in.Category)))
			}
			p.Category = CategoryRef{ID: cat.ID}
		}
		if in.Slug != nil && *in.Slug != p.Slug {
			if err := validSlug("slug", *in.Slug); err != nil {
				return "", nil, err
			}
			if err := c.claimSlug(ctx, tx, *in.Slug, p.ID); err != nil {
				return "", nil, err
			}
			p.Slug = *in.Slug
		}
		var colIDs []string
		if in.Collections != nil {
			var err error
			if colIDs, err = c.resolveCollections(ctx, tx, *in.Collections, p); err != nil {
				return "", nil, err
			}
		}
		if in.Status != nil {
			if err := transition(p.Status, *in.Status); err != nil {
				return "", nil, err
			}
			if *in.Status == StatusArchived && p.Status != StatusArchived {
				change = "archived"
			}
			p.Status = *in.Status
		}
		return change, colIDs, nil
	})
}

// ArchiveProduct implements Service.
func (c *Core) ArchiveProduct(ctx context.Context, id string) (Product, error) {
	archived := StatusArchived
	return c.UpdateProduct(ctx, id, ProductUpdate{Status: &archived})
}

// SetImages implements Service.
func (c *Core) SetImages(ctx context.Context, productID string, images []Image) (Product, error) {
	return c.change(ctx, productID, func(ctx context.Context, tx Tx, t *tree, p *Product) (string, []string, error) {
		imgs, err := checkImages(images, p.Title)
		if err != nil {
			return "", nil, err
		}
		p.Images = imgs
		return "images", nil, nil
	})
}

// AddVariant implements Service.
func (c *Core) AddVariant(ctx context.Context, productID string, in NewVariant) (Product, error) {
	return c.change(ctx, productID, func(ctx context.Context, tx Tx, t *tree, p *Product) (string, []string, error) {
		if len(p.Variants) >= maxVariants {
			return "", nil, invalidField(ErrInvalidProduct, "variants", fmt.Sprintf("at most %d variants", maxVariants))
		}
		v, err := c.variant("", in)
		if err != nil {
			return "", nil, err
		}
		p.Variants = append(p.Variants, v)
		if err := checkSKUsUnique(p.Variants); err != nil {
			return "", nil, ErrSKUTaken.With(fmt.Sprintf("SKU %s is already in use", v.SKU))
		}
		if err := c.claimSKUs(ctx, tx, []Variant{v}, p.ID); err != nil {
			return "", nil, err
		}
		return "variant", nil, nil
	})
}

// UpdateVariant implements Service. variantID may also be the SKU.
func (c *Core) UpdateVariant(ctx context.Context, productID, variantID string, in VariantUpdate) (Product, error) {
	return c.change(ctx, productID, func(ctx context.Context, tx Tx, t *tree, p *Product) (string, []string, error) {
		i := slices.IndexFunc(p.Variants, func(v Variant) bool { return v.ID == variantID || v.SKU == strings.ToUpper(variantID) })
		if i < 0 {
			return "", nil, ErrVariantNotFound
		}
		v := &p.Variants[i]
		var err error
		if in.Size != nil {
			if v.Size, err = text("size", *in.Size, 0, maxSize); err != nil {
				return "", nil, err
			}
		}
		if in.Color != nil {
			if v.Color, err = text("color", *in.Color, 0, maxColor); err != nil {
				return "", nil, err
			}
		}
		change := "variant"
		if in.Price != nil || in.CompareAt != nil || in.ClearCompareAt {
			change = "price"
			if in.Price != nil {
				v.Price = *in.Price
			}
			if in.ClearCompareAt {
				v.CompareAt = nil
			}
			if in.CompareAt != nil {
				v.CompareAt = in.CompareAt
			}
			if err := c.checkPrices("", v.Price, v.CompareAt); err != nil {
				return "", nil, err
			}
		}
		if in.WeightGrams != nil {
			if *in.WeightGrams < 0 || *in.WeightGrams > maxWeight {
				return "", nil, invalidField(ErrInvalidProduct, "weight_grams", "the weight must be between 0 and 1,000,000 grams")
			}
			v.WeightGrams = *in.WeightGrams
		}
		if in.Archived != nil {
			v.Archived = *in.Archived
		}
		return change, nil, nil
	})
}

// changeFunc edits a product loaded in a transaction and says what kind of
// change it made; non-nil collection ids replace the memberships.
type changeFunc func(ctx context.Context, tx Tx, t *tree, p *Product) (change string, collectionIDs []string, err error)

// change is the one path of every edit of an existing product: load it
// locked, edit, check the rules that span fields, save with a new version
// and its event, all in one transaction.
func (c *Core) change(ctx context.Context, id string, edit changeFunc) (Product, error) {
	if _, err := ids.Parse(id); err != nil {
		return Product{}, ErrProductNotFound
	}
	var p Product
	var t *tree
	err := c.write(ctx, func(tx Tx) error {
		var err error
		if p, err = tx.Product(ctx, id); err != nil {
			return err
		}
		if t, err = txTree(ctx, tx); err != nil {
			return err
		}
		change, colIDs, err := edit(ctx, tx, t, &p)
		if err != nil {
			return err
		}
		if p.Status == StatusActive {
			if err := activatable(p); err != nil {
				return err
			}
		}
		p.Version++
		p.UpdatedAt = c.now()
		return c.save(ctx, tx, t, p, colIDs, change)
	})
	if err != nil {
		return Product{}, err
	}
	return presentWith(t, p), nil
}

// save writes p with its search terms and records its event.
func (c *Core) save(ctx context.Context, tx Tx, t *tree, p Product, colIDs []string, change string) error {
	w := ProductWrite{Product: p, CollectionIDs: colIDs, Terms: IndexTerms(p, t.pathNames(p.Category.ID))}
	if err := tx.SaveProduct(ctx, w); err != nil {
		return err
	}
	return tx.Emit(ctx, productEvent(p, change, p.UpdatedAt))
}

func txTree(ctx context.Context, tx Tx) (*tree, error) {
	cats, err := tx.Categories(ctx)
	if err != nil {
		return nil, fmt.Errorf("categories: %w", err)
	}
	return newTree(cats), nil
}

func presentWith(t *tree, p Product) Product {
	p.Category = t.ref(p.Category.ID)
	p.PriceRange = priceRange(p.Variants)
	if p.Attributes == nil {
		p.Attributes = map[string]string{}
	}
	if p.Collections == nil {
		p.Collections = []string{}
	}
	if p.Images == nil {
		p.Images = []Image{}
	}
	if p.Variants == nil {
		p.Variants = []Variant{}
	}
	return p
}

func (c *Core) claimSlug(ctx context.Context, tx Tx, slug, id string) error {
	owner, err := tx.SlugOwner(ctx, slug)
	if err != nil {
		return err
	}
	if owner != "" && owner != id {
		return ErrSlugTaken.With(fmt.Sprintf("the slug %q is already in use", slug))
	}
	return nil
}

// generateSlug makes a free slug from the title: the title's slug, then
// with -2 … -5, then with a piece of the id, which is unique.
func (c *Core) generateSlug(ctx context.Context, tx Tx, title, id string) (string, error) {
	base := Slugify(title)
	if base == "" {
		base = "product"
	}
	base = strings.TrimRight(base[:min(len(base), maxSlug-13)], "-")
	for i := 1; i <= 5; i++ {
		s := base
		if i > 1 {
			s = fmt.Sprintf("%s-%d", base, i)
		}
		owner, err := tx.SlugOwner(ctx, s)
		if err != nil {
			return "", err
		}
		if owner == "" {
			return s, nil
		}
	}
	return base + "-" + strings.ReplaceAll(id, "-", "")[20:32], nil
}

func (c *Core) claimSKUs(ctx context.Context, tx Tx, vs []Variant, productID string) error {
	skus := make([]string, len(vs))
	for i, v := range vs {
		skus[i] = v.SKU
	}
	owners, err := tx.SKUOwners(ctx, skus)
	if err != nil {
		return err
	}
	for _, s := range skus {
		if owner, ok := owners[s]; ok && owner != "" {
			e := ErrSKUTaken.With(fmt.Sprintf("SKU %s is already in use", s))
			return e
		}
	}
	return nil
}

// resolveCollections maps collection slugs (or ids) to ids and sets p's
// collection slugs.
func (c *Core) resolveCollections(ctx context.Context, tx Tx, refs []string, p *Product) ([]string, error) {
	if len(refs) == 0 {
		p.Collections = []string{}
		return []string{}, nil
	}
	cols, err := tx.Collections(ctx)
	if err != nil {
		return nil, err
	}
	var idsOut, slugs []string
	for _, r := range refs {
		i := slices.IndexFunc(cols, func(x Collection) bool { return x.Slug == r || x.ID == r })
		if i < 0 {
			return nil, invalidField(ErrUnknownCollection, "collections", fmt.Sprintf("no collection %q", clip(r)))
		}
		if !slices.Contains(idsOut, cols[i].ID) {
			idsOut = append(idsOut, cols[i].ID)
			slugs = append(slugs, cols[i].Slug)
		}
	}
	p.Collections = slugs
	return idsOut, nil
}
