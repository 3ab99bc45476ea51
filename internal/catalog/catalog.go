// Package catalog is Bazaar's product catalogue: products with their variants
// (the SKUs a shopper buys), categories as a tree, collections, images and
// prices; listing with filters, facets and search; and the admin writes that
// change them.
//
// The package root holds the domain types and the Service interface. Core
// (core.go) holds the rules and implements Service over a Store; catalogdb
// stores it in SQLite or PostgreSQL; cataloghttp serves Service over HTTP and
// is also a client of the same interface, so a caller cannot tell whether the
// catalogue runs in its process or elsewhere.
package catalog

import (
	"context"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Status is where a product is in its life: drafts and archived products are
// visible to staff only.
type Status string

const (
	StatusDraft    Status = "draft"
	StatusActive   Status = "active"
	StatusArchived Status = "archived"
)

// Product is one thing a shopper browses to, sold as one or more variants.
type Product struct {
	ID          string            `json:"id"`
	Slug        string            `json:"slug"`
	Title       string            `json:"title"`
	Description string            `json:"description"`
	Brand       string            `json:"brand"`
	Category    CategoryRef       `json:"category"`
	Attributes  map[string]string `json:"attributes" doc:"Free attributes such as fabric, fit and occasion."`
	Images      []Image           `json:"images"`
	Status      Status            `json:"status" enum:"draft,active,archived"`
	Collections []string          `json:"collections" doc:"Slugs of the collections the product is in."`
	Variants    []Variant         `json:"variants"`
	PriceRange  *PriceRange       `json:"price_range,omitempty" doc:"The lowest and highest price of the variants on sale."`
	Version     int64             `json:"version" doc:"Increases with every change."`
	CreatedAt   time.Time         `json:"created_at"`
	UpdatedAt   time.Time         `json:"updated_at"`
}

// CategoryRef names a product's category; the path runs from the root down
// to the category itself.
type CategoryRef struct {
	ID   string   `json:"id"`
	Slug string   `json:"slug,omitempty"`
	Name string   `json:"name,omitempty"`
	Path []string `json:"path,omitempty" doc:"Names from the root to this category."`
}

// Variant is one SKU of a product: a size and colour at a price.
type Variant struct {
	ID          string       `json:"id"`
	SKU         string       `json:"sku"`
	Size        string       `json:"size"`
	Color       string       `json:"color"`
	Price       money.Money  `json:"price"`
	CompareAt   *money.Money `json:"compare_at_price,omitempty" doc:"The reference price shown struck through; at least the price."`
	WeightGrams int64        `json:"weight_grams"`
	Archived    bool         `json:"archived"`
	// InStock is the catalogue's own copy of the stock state, kept for
	// filtering; inventory tells it when a SKU runs out or comes back.
	InStock bool `json:"in_stock"`
	// Available is live availability from inventory, filled on product
	// pages; nil when inventory could not be asked.
	Available *int64 `json:"available,omitempty"`
}

// Image is a picture of a product.
type Image struct {
	URL string `json:"url"`
	Alt string `json:"alt" required:"false" doc:"Alt text; the product title when left out."`
}

// PriceRange is the lowest and highest variant price.
type PriceRange struct {
	Min money.Money `json:"min"`
	Max money.Money `json:"max"`
}

// Category is a node of the category tree (Women › Ethnic Wear › Kurtas).
type Category struct {
	ID       string `json:"id"`
	Slug     string `json:"slug"`
	Name     string `json:"name"`
	ParentID string `json:"parent_id,omitempty"`
	Position int    `json:"position" doc:"Order among its siblings."`
}

// CategoryNode is a category in the tree with the number of active products
// in it and below it.
type CategoryNode struct {
	Category
	ProductCount int            `json:"product_count"`
	Children     []CategoryNode `json:"children"`
}

// Collection is a merchandised set of products ("New in", "Sale").
type Collection struct {
	ID          string `json:"id"`
	Slug        string `json:"slug"`
	Name        string `json:"name"`
	Description string `json:"description"`
}

// ProductSummary is a product as a listing shows it.
type ProductSummary struct {
	ID        string       `json:"id"`
	Slug      string       `json:"slug"`
	Title     string       `json:"title"`
	Brand     string       `json:"brand"`
	Category  string       `json:"category" doc:"The category slug."`
	Price     money.Money  `json:"price" doc:"The lowest variant price."`
	CompareAt *money.Money `json:"compare_at_price,omitempty"`
	Image     *Image       `json:"image,omitempty"`
	Colors    []string     `json:"colors"`
	Sizes     []string     `json:"sizes"`
	InStock   bool         `json:"in_stock"`
	Status    Status       `json:"status"`
}

// SKUInfo is what other services (the cart, orders) need of one SKU.
type SKUInfo struct {
	SKU           string       `json:"sku"`
	ProductID     string       `json:"product_id"`
	VariantID     string       `json:"variant_id"`
	Slug          string       `json:"slug"`
	Title         string       `json:"title"`
	Brand         string       `json:"brand"`
	Categories    []string     `json:"categories" doc:"Category slugs from the root down to the product's own."`
	Collections   []string     `json:"collections" doc:"Slugs of the collections the product is in."`
	Size          string       `json:"size"`
	Color         string       `json:"color"`
	Price         money.Money  `json:"price"`
	CompareAt     *money.Money `json:"compare_at_price,omitempty"`
	WeightGrams   int64        `json:"weight_grams"`
	Image         *Image       `json:"image,omitempty"`
	Purchasable   bool         `json:"purchasable" doc:"The product is active and the variant not archived."`
	ProductStatus Status       `json:"product_status"`
}

// Sort orders a listing.
type Sort string

const (
	SortRelevance Sort = "relevance" // search score; newest first without a query
	SortPriceAsc  Sort = "price_asc"
	SortPriceDesc Sort = "price_desc"
	SortNewest    Sort = "newest"
)

// ListQuery is a listing request as a shopper (or staff) makes it. Category
// and Collection are slugs; Brands, Colors and Sizes match facet values
// (case and accents do not matter); prices are in minor units.
type ListQuery struct {
	Q          string
	Category   string
	Collection string
	Brands     []string
	Colors     []string
	Sizes      []string
	PriceMin   *int64
	PriceMax   *int64
	InStock    bool
	// Status lists products in another state than active; staff only.
	Status    Status
	Sort      Sort
	PageSize  int // 0: the default (24); at most 100
	PageToken string
}

// ProductPage is one page of a listing.
type ProductPage struct {
	Items         []ProductSummary `json:"items"`
	Facets        Facets           `json:"facets"`
	Total         int              `json:"total" doc:"Products matching the query on all pages."`
	NextPageToken string           `json:"next_page_token,omitempty"`
}

// Facets counts the products per value of each filter, each counted with
// the other active filters applied (the drill-down rule).
type Facets struct {
	Category []FacetValue `json:"category"`
	Brand    []FacetValue `json:"brand"`
	Color    []FacetValue `json:"color"`
	Size     []FacetValue `json:"size"`
	Price    []FacetValue `json:"price"`
}

// FacetValue is one value of a facet. Value is what the filter parameter
// takes; Label is what to show. Price buckets carry their bounds in minor
// units, Max exclusive and absent for the last bucket.
type FacetValue struct {
	Value    string `json:"value"`
	Label    string `json:"label"`
	Count    int    `json:"count"`
	Selected bool   `json:"selected,omitempty"`
	Min      *int64 `json:"min,omitempty"`
	Max      *int64 `json:"max,omitempty"`
}

// Suggestion is one autocomplete entry.
type Suggestion struct {
	Kind  string `json:"kind" enum:"product,category,brand"`
	Text  string `json:"text"`
	Value string `json:"value" doc:"Product or category slug, or the brand filter value."`
}

// Service is the catalogue as other code uses it, in-process (Core) or over
// HTTP (cataloghttp.Client).
type Service interface {
	// ListProducts lists, filters, searches and facets active products.
	ListProducts(ctx context.Context, q ListQuery) (ProductPage, error)
	// Product returns an active product by id or slug, with its variants
	// and live availability per SKU.
	Product(ctx context.Context, idOrSlug string) (Product, error)
	// Categories returns the category tree with product counts.
	Categories(ctx context.Context) ([]CategoryNode, error)
	// Collections lists the collections.
	Collections(ctx context.Context) ([]Collection, error)
	// Suggest completes a partial query over products, categories and brands.
	Suggest(ctx context.Context, q string, limit int) ([]Suggestion, error)
	// LookupSKUs returns what is known of each SKU; unknown ones are absent.
	LookupSKUs(ctx context.Context, skus []string) ([]SKUInfo, error)

	// AdminProduct returns a product in any state.
	AdminProduct(ctx context.Context, id string) (Product, error)
	CreateProduct(ctx context.Context, in NewProduct) (Product, error)
	UpdateProduct(ctx context.Context, id string, in ProductUpdate) (Product, error)
	ArchiveProduct(ctx context.Context, id string) (Product, error)
	AddVariant(ctx context.Context, productID string, in NewVariant) (Product, error)
	UpdateVariant(ctx context.Context, productID, variantID string, in VariantUpdate) (Product, error)
	SetImages(ctx context.Context, productID string, images []Image) (Product, error)
	// SetPrices changes prices by SKU, all or none.
	SetPrices(ctx context.Context, changes []PriceChange) error

	CreateCategory(ctx context.Context, in NewCategory) (Category, error)
	UpdateCategory(ctx context.Context, id string, in CategoryUpdate) (Category, error)
	DeleteCategory(ctx context.Context, id string) error

	CreateCollection(ctx context.Context, in NewCollection) (Collection, error)
	UpdateCollection(ctx context.Context, id string, in CollectionUpdate) (Collection, error)
	// SetCollectionProducts replaces a collection's products, in order.
	SetCollectionProducts(ctx context.Context, id string, productIDs []string) (Collection, error)
}

// Availability is live stock as inventory reports it: units available per
// SKU. SKUs inventory does not know may be absent from the map.
type Availability interface {
	Available(ctx context.Context, skus []string) (map[string]int64, error)
}
