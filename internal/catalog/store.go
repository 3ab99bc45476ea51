package catalog

import (
	"context"
	"time"
)

// Store is what Core needs to keep the catalogue. catalogdb implements it
// on SQLite and PostgreSQL; catalogtest.StoreSuite is the contract.
//
// Reads return domain values; ProductSummary.Category and
// Product.Category hold only the category id, which Core resolves against
// the tree. List, Count and Facets answer listings in SQL while Core's
// in-memory index is off or not built yet, and are the reference the index
// is tested against. Writes happen inside Write, whose transaction also
// records the events of the change.
type Store interface {
	// Product returns a product in any state, or ErrProductNotFound.
	Product(ctx context.Context, id string) (Product, error)
	// ProductBySlug returns a product in any state, or ErrProductNotFound.
	ProductBySlug(ctx context.Context, slug string) (Product, error)
	// List returns up to q.Limit products matching q in q.Sort order,
	// after q.After, each with the value of its sort key.
	List(ctx context.Context, q Query) ([]Listed, error)
	// Count returns how many products match q.
	Count(ctx context.Context, q Query) (int, error)
	// Facets counts the products per facet value, each facet with every
	// filter of q applied except its own.
	Facets(ctx context.Context, q Query) (FacetCounts, error)
	// Categories returns every category.
	Categories(ctx context.Context) ([]Category, error)
	// CategoryCounts returns the number of active products per category
	// id, not counting subcategories.
	CategoryCounts(ctx context.Context) (map[string]int, error)
	// Collections returns every collection.
	Collections(ctx context.Context) ([]Collection, error)
	// Brands returns each brand of an active product with its count.
	Brands(ctx context.Context) ([]KeyCount, error)
	// Vocabulary returns every token of the search index.
	Vocabulary(ctx context.Context) ([]string, error)
	// Scan calls fn with every product updated at or after since (every
	// product when since is zero), in any state, with the ids of its
	// collections. Core's in-memory index loads and follows the store with it.
	Scan(ctx context.Context, since time.Time, fn func(p Product, collectionIDs []string) error) error
	// SKUs returns what is known of the SKUs that exist.
	SKUs(ctx context.Context, skus []string) ([]SKUInfo, error)
	// Write runs fn in one transaction: everything fn writes, events
	// included, commits together or not at all. fn's error is returned
	// unchanged.
	Write(ctx context.Context, fn func(tx Tx) error) error
}

// Tx is a write transaction. Reads through it see its own writes and, on
// PostgreSQL, lock the product rows they read.
type Tx interface {
	Product(ctx context.Context, id string) (Product, error)
	// SlugOwner returns the id of the product with slug, or "".
	SlugOwner(ctx context.Context, slug string) (string, error)
	// SKUOwners maps each given SKU that exists to its product id.
	SKUOwners(ctx context.Context, skus []string) (map[string]string, error)
	// SaveProduct inserts or replaces a product, its variants, its search
	// terms and (when CollectionIDs is not nil) its collection memberships.
	SaveProduct(ctx context.Context, w ProductWrite) error
	// SetStock records which SKUs are in stock and returns the ids of the
	// products whose state changed; their updated_at becomes at.
	SetStock(ctx context.Context, inStock map[string]bool, at time.Time) ([]string, error)

	Categories(ctx context.Context) ([]Category, error)
	SaveCategory(ctx context.Context, c Category) error
	DeleteCategory(ctx context.Context, id string) error
	// CategoryUsed reports whether products or subcategories use id.
	CategoryUsed(ctx context.Context, id string) (bool, error)
	// ProductIDsInCategories returns the products in any of the categories.
	ProductIDsInCategories(ctx context.Context, ids []string) ([]string, error)

	Collections(ctx context.Context) ([]Collection, error)
	SaveCollection(ctx context.Context, c Collection) error
	// SetCollectionProducts replaces a collection's members; the products
	// that join or leave get updated_at at.
	SetCollectionProducts(ctx context.Context, id string, productIDs []string, at time.Time) error
	// MissingProducts returns the ids that name no product.
	MissingProducts(ctx context.Context, ids []string) ([]string, error)

	// Emit records ev in the outbox of this transaction.
	Emit(ctx context.Context, ev Event) error
}

// ProductWrite is a product with what is derived from it for storage.
type ProductWrite struct {
	Product       Product
	CollectionIDs []string    // nil leaves memberships as they are
	Terms         []IndexTerm // the product's search terms, replacing the old
}

// IndexTerm is a normalised token of a product and the weight of the most
// important field it occurs in.
type IndexTerm struct {
	Token  string
	Weight int
}

// Query is a listing as the store runs it: names resolved to ids, text
// expanded to index tokens, values normalised.
type Query struct {
	Terms        []Term // empty: no text search
	Words        int    // every product must match a term of each word 0..Words-1
	CategoryIDs  []string
	CollectionID string
	Brands       []string
	Colors       []string
	Sizes        []string
	PriceMin     *int64
	PriceMax     *int64
	InStock      bool
	Status       Status
	Sort         Sort
	After        *Cursor
	Limit        int
	// PriceBuckets are the lower bounds of the price facet's buckets,
	// ascending, the first 0.
	PriceBuckets []int64
}

// Term is one index token a query word expands to; a product's score for
// the word is the best Weight × Quality among its terms.
type Term struct {
	Token   string
	Word    int
	Quality int
}

// Cursor is where a page ends: the last item's sort key and id.
type Cursor struct {
	Key int64
	ID  string
}

// Listed is a listed product with the value of its sort key.
type Listed struct {
	ProductSummary
	Key int64
}

// FacetCounts are raw facet counts; Core orders and labels them.
type FacetCounts struct {
	Category []KeyCount // Key is the category id
	Brand    []KeyCount
	Color    []KeyCount
	Size     []KeyCount
	Price    []int // per bucket of Query.PriceBuckets
}

// KeyCount is a facet value's normalised key, a display label and a count.
type KeyCount struct {
	Key   string
	Label string
	Count int
}
