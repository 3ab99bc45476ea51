package catalog

import "github.com/bazaarshop/bazaar/internal/platform/money"

// NewProduct is what staff send to create a product. Slug is made from the
// title when empty; Category is a category id or slug; Status defaults to
// draft.
type NewProduct struct {
	Slug        string            `json:"slug,omitempty"`
	Title       string            `json:"title"`
	Description string            `json:"description,omitempty"`
	Brand       string            `json:"brand,omitempty"`
	Category    string            `json:"category" doc:"Category id or slug."`
	Attributes  map[string]string `json:"attributes,omitempty"`
	Images      []Image           `json:"images,omitempty"`
	Status      Status            `json:"status,omitempty" enum:"draft,active,archived"`
	Collections []string          `json:"collections,omitempty" doc:"Collection slugs."`
	Variants    []NewVariant      `json:"variants,omitempty"`
}

// NewVariant is one SKU to add.
type NewVariant struct {
	SKU         string       `json:"sku"`
	Size        string       `json:"size,omitempty"`
	Color       string       `json:"color,omitempty"`
	Price       money.Money  `json:"price"`
	CompareAt   *money.Money `json:"compare_at_price,omitempty"`
	WeightGrams int64        `json:"weight_grams,omitempty"`
	InStock     *bool        `json:"in_stock,omitempty" doc:"Initial stock state for filtering; true when absent."`
}

// ProductUpdate changes the fields that are set (nil leaves one alone).
type ProductUpdate struct {
	Slug        *string            `json:"slug,omitempty"`
	Title       *string            `json:"title,omitempty"`
	Description *string            `json:"description,omitempty"`
	Brand       *string            `json:"brand,omitempty"`
	Category    *string            `json:"category,omitempty" doc:"Category id or slug."`
	Attributes  *map[string]string `json:"attributes,omitempty" doc:"Replaces all attributes."`
	Status      *Status            `json:"status,omitempty" enum:"draft,active,archived"`
	Collections *[]string          `json:"collections,omitempty" doc:"Replaces the collection memberships."`
}

// VariantUpdate changes the fields of a variant that are set.
type VariantUpdate struct {
	Size           *string      `json:"size,omitempty"`
	Color          *string      `json:"color,omitempty"`
	Price          *money.Money `json:"price,omitempty"`
	CompareAt      *money.Money `json:"compare_at_price,omitempty"`
	ClearCompareAt bool         `json:"clear_compare_at_price,omitempty" doc:"Removes the compare-at price."`
	WeightGrams    *int64       `json:"weight_grams,omitempty"`
	Archived       *bool        `json:"archived,omitempty"`
}

// PriceChange sets one SKU's price and, optionally, its compare-at price.
type PriceChange struct {
	SKU       string       `json:"sku"`
	Price     money.Money  `json:"price"`
	CompareAt *money.Money `json:"compare_at_price,omitempty" doc:"Absent removes it."`
}

// NewCategory is a category to create; Parent is an id or slug, empty for a
// root.
type NewCategory struct {
	Slug     string `json:"slug,omitempty"`
	Name     string `json:"name"`
	Parent   string `json:"parent,omitempty" doc:"Parent category id or slug; empty for a root."`
	Position int    `json:"position,omitempty"`
}

// CategoryUpdate changes the fields that are set. Parent "" moves the
// category to the root.
type CategoryUpdate struct {
	Slug     *string `json:"slug,omitempty"`
	Name     *string `json:"name,omitempty"`
	Parent   *string `json:"parent,omitempty"`
	Position *int    `json:"position,omitempty"`
}

// NewCollection is a collection to create.
type NewCollection struct {
	Slug        string `json:"slug,omitempty"`
	Name        string `json:"name"`
	Description string `json:"description,omitempty"`
}

// CollectionUpdate changes the fields that are set.
type CollectionUpdate struct {
	Slug        *string `json:"slug,omitempty"`
	Name        *string `json:"name,omitempty"`
	Description *string `json:"description,omitempty"`
}
