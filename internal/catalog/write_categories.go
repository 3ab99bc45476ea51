package catalog

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/bazaarshop/bazaar/internal/platform/ids"
)

const maxCategoryDepth = 6

// CreateCategory implements Service.
func (c *Core) CreateCategory(ctx context.Context, in NewCategory) (Category, error) {
	name, err := text("name", in.Name, 1, maxName)
	if err != nil {
		return Category{}, categoryErr(err)
	}
	cat := Category{ID: c.newID(), Name: name, Slug: in.Slug, Position: in.Position}
	if cat.Slug == "" {
		cat.Slug = Slugify(name)
	}
	if err := validSlug("slug", cat.Slug); err != nil {
		return Category{}, err
	}
	err = c.write(ctx, func(tx Tx) error {
		t, err := txTree(ctx, tx)
		if err != nil {
			return err
		}
		if in.Parent != "" {
			parent, ok := t.find(in.Parent)
			if !ok {
				return invalidField(ErrUnknownCategory, "parent", fmt.Sprintf("no category %q", clip(in.Parent)))
			}
			cat.ParentID = parent.ID
			if len(t.ancestry(parent.ID)) >= maxCategoryDepth {
				return invalidField(ErrInvalidCategory, "parent", fmt.Sprintf("categories nest at most %d deep", maxCategoryDepth))
			}
		}
		if _, taken := t.bySlug[cat.Slug]; taken {
			return ErrSlugTaken.With(fmt.Sprintf("the category slug %q is already in use", cat.Slug))
		}
		if err := tx.SaveCategory(ctx, cat); err != nil {
			return err
		}
		return tx.Emit(ctx, Event{Type: EventCategoryUpdated, Data: CategoryUpdated{CategoryID: cat.ID, Slug: cat.Slug, At: c.now()}})
	})
	if err != nil {
		return Category{}, err
	}
	return cat, nil
}

// UpdateCategory implements Service. Renaming or moving a category changes
// the search terms of every product below it, in the same transaction.
func (c *Core) UpdateCategory(ctx context.Context, id string, in CategoryUpdate) (Category, error) {
	var cat Category
	err := c.write(ctx, func(tx Tx) error {
		t, err := txTree(ctx, tx)
		if err != nil {
			return err
		}
		cur, ok := t.byID[id]
		if !ok {
			return ErrCategoryNotFound
		}
		cat = *cur
		reindex := false
		if in.Name != nil {
			name, err := text("name", *in.Name, 1, maxName)
			if err != nil {
				return categoryErr(err)
			}
			reindex = reindex || name != cat.Name
			cat.Name = name
		}
		if in.Slug != nil && *in.Slug != cat.Slug {
			if err := validSlug("slug", *in.Slug); err != nil {
				return err
			}
			if _, taken := t.bySlug[*in.Slug]; taken {
				return ErrSlugTaken.With(fmt.Sprintf("the category slug %q is already in use", *in.Slug))
			}
			cat.Slug = *in.Slug
		}
		if in.Position != nil {
			cat.Position = *in.Position
		}
		if in.Parent != nil {
			parentID := ""
			if *in.Parent != "" {
				parent, ok := t.find(*in.Parent)
				if !ok {
					return invalidField(ErrUnknownCategory, "parent", fmt.Sprintf("no category %q", clip(*in.Parent)))
				}
				parentID = parent.ID
			}
			if parentID != "" && slices.Contains(t.ancestry(parentID), cat.ID) {
				return invalidField(ErrCategoryCycle, "parent", "a category cannot be moved under itself or below it")
			}
			if parentID != "" && len(t.ancestry(parentID))+subtreeDepth(t, cat.ID) > maxCategoryDepth {
				return invalidField(ErrInvalidCategory, "parent", fmt.Sprintf("categories nest at most %d deep", maxCategoryDepth))
			}
			reindex = reindex || parentID != cat.ParentID
			cat.ParentID = parentID
		}
		if err := tx.SaveCategory(ctx, cat); err != nil {
			return err
		}
		if reindex {
			if err := c.reindexCategory(ctx, tx, cat); err != nil {
				return err
			}
		}
		return tx.Emit(ctx, Event{Type: EventCategoryUpdated, Data: CategoryUpdated{CategoryID: cat.ID, Slug: cat.Slug, At: c.now()}})
	})
	if err != nil {
		return Category{}, err
	}
	return cat, nil
}

// reindexCategory recomputes the search terms of the products in cat and
// below it, whose category path changed.
func (c *Core) reindexCategory(ctx context.Context, tx Tx, cat Category) error {
	t, err := txTree(ctx, tx) // with cat saved
	if err != nil {
		return err
	}
	pids, err := tx.ProductIDsInCategories(ctx, t.subtree(cat.ID))
	if err != nil {
		return err
	}
	now := c.now()
	for _, pid := range pids {
		p, err := tx.Product(ctx, pid)
		if err != nil {
			return err
		}
		p.UpdatedAt = now // its category path changed: listings must follow
		w := ProductWrite{Product: p, Terms: IndexTerms(p, t.pathNames(p.Category.ID))}
		if err := tx.SaveProduct(ctx, w); err != nil {
			return err
		}
	}
	return nil
}

func subtreeDepth(t *tree, id string) int {
	d := 0
	for _, ch := range t.children[id] {
		d = max(d, subtreeDepth(t, ch))
	}
	return d + 1
}

// DeleteCategory implements Service: only a category without products and
// subcategories goes.
func (c *Core) DeleteCategory(ctx context.Context, id string) error {
	if _, err := ids.Parse(id); err != nil {
		return ErrCategoryNotFound
	}
	return c.write(ctx, func(tx Tx) error {
		t, err := txTree(ctx, tx)
		if err != nil {
			return err
		}
		cat, ok := t.byID[id]
		if !ok {
			return ErrCategoryNotFound
		}
		used, err := tx.CategoryUsed(ctx, id)
		if err != nil {
			return err
		}
		if used {
			return ErrCategoryNotEmpty
		}
		if err := tx.DeleteCategory(ctx, id); err != nil {
			return err
		}
		return tx.Emit(ctx, Event{Type: EventCategoryUpdated, Data: CategoryUpdated{CategoryID: id, Slug: cat.Slug, Deleted: true, At: c.now()}})
	})
}

func categoryErr(err error) error {
	if ce := asCodeErr(err); ce != nil && ce.Code == ErrInvalidProduct.Code {
		c := *ce
		c.Code = ErrInvalidCategory.Code
		return &c
	}
	return err
}

// CreateCollection implements Service.
func (c *Core) CreateCollection(ctx context.Context, in NewCollection) (Collection, error) {
	col := Collection{ID: c.newID(), Slug: in.Slug}
	if err := setCollectionText(&col, &in.Name, &in.Description); err != nil {
		return Collection{}, err
	}
	if col.Slug == "" {
		col.Slug = Slugify(col.Name)
	}
	if err := validSlug("slug", col.Slug); err != nil {
		return Collection{}, err
	}
	err := c.write(ctx, func(tx Tx) error {
		if err := c.collectionSlugFree(ctx, tx, col); err != nil {
			return err
		}
		if err := tx.SaveCollection(ctx, col); err != nil {
			return err
		}
		return tx.Emit(ctx, Event{Type: EventCollectionUpdated, Data: CollectionUpdated{CollectionID: col.ID, Slug: col.Slug, At: c.now()}})
	})
	if err != nil {
		return Collection{}, err
	}
	return col, nil
}

// UpdateCollection implements Service.
func (c *Core) UpdateCollection(ctx context.Context, id string, in CollectionUpdate) (Collection, error) {
	var col Collection
	err := c.write(ctx, func(tx Tx) error {
		var err error
		if col, err = txCollection(ctx, tx, id); err != nil {
			return err
		}
		if err := setCollectionText(&col, in.Name, in.Description); err != nil {
			return err
		}
		if in.Slug != nil && *in.Slug != col.Slug {
			if err := validSlug("slug", *in.Slug); err != nil {
				return err
			}
			col.Slug = *in.Slug
			if err := c.collectionSlugFree(ctx, tx, col); err != nil {
				return err
			}
		}
		if err := tx.SaveCollection(ctx, col); err != nil {
			return err
		}
		return tx.Emit(ctx, Event{Type: EventCollectionUpdated, Data: CollectionUpdated{CollectionID: col.ID, Slug: col.Slug, At: c.now()}})
	})
	if err != nil {
		return Collection{}, err
	}
	return col, nil
}

// SetCollectionProducts implements Service.
func (c *Core) SetCollectionProducts(ctx context.Context, id string, productIDs []string) (Collection, error) {
	if len(productIDs) > maxMembers {
		return Collection{}, invalidField(ErrInvalidCollection, "product_ids", fmt.Sprintf("at most %d products", maxMembers))
	}
	var members []string
	for i, pid := range productIDs {
		n, err := ids.Parse(pid)
		if err != nil {
			return Collection{}, invalidField(ErrUnknownProduct, fmt.Sprintf("product_ids/%d", i), fmt.Sprintf("%q is not a product id", clip(pid)))
		}
		if !slices.Contains(members, n) {
			members = append(members, n)
		}
	}
	var col Collection
	err := c.write(ctx, func(tx Tx) error {
		var err error
		if col, err = txCollection(ctx, tx, id); err != nil {
			return err
		}
		missing, err := tx.MissingProducts(ctx, members)
		if err != nil {
			return err
		}
		if len(missing) > 0 {
			return invalidField(ErrUnknownProduct, "product_ids", "no product "+strings.Join(missing, ", "))
		}
		if err := tx.SetCollectionProducts(ctx, col.ID, members, c.now()); err != nil {
			return err
		}
		return tx.Emit(ctx, Event{Type: EventCollectionUpdated, Data: CollectionUpdated{CollectionID: col.ID, Slug: col.Slug, At: c.now()}})
	})
	if err != nil {
		return Collection{}, err
	}
	return col, nil
}

func setCollectionText(col *Collection, name, description *string) error {
	var err error
	if name != nil {
		if col.Name, err = text("name", *name, 1, maxName); err != nil {
			return collectionErr(err)
		}
	}
	if description != nil {
		if col.Description, err = text("description", *description, 0, maxDescription); err != nil {
			return collectionErr(err)
		}
	}
	return nil
}

func collectionErr(err error) error {
	if ce := asCodeErr(err); ce != nil && ce.Code == ErrInvalidProduct.Code {
		c := *ce
		c.Code = ErrInvalidCollection.Code
		return &c
	}
	return err
}

func txCollection(ctx context.Context, tx Tx, id string) (Collection, error) {
	cols, err := tx.Collections(ctx)
	if err != nil {
		return Collection{}, err
	}
	i := slices.IndexFunc(cols, func(x Collection) bool { return x.ID == id })
	if i < 0 {
		return Collection{}, ErrCollectionNotFound
	}
	return cols[i], nil
}

func (c *Core) collectionSlugFree(ctx context.Context, tx Tx, col Collection) error {
	cols, err := tx.Collections(ctx)
	if err != nil {
		return err
	}
	for _, x := range cols {
		if x.Slug == col.Slug && x.ID != col.ID {
			return ErrSlugTaken.With(fmt.Sprintf("the collection slug %q is already in use", col.Slug))
		}
	}
	return nil
}
