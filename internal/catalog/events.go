package catalog

import (
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// Event types; each is also the subject it is published on.
const (
	EventProductUpdated    = "catalog.product.updated"
	EventCategoryUpdated   = "catalog.category.updated"
	EventCollectionUpdated = "catalog.collection.updated"
)

// Event is a change to announce. The store records it in the outbox in the
// transaction of the change, so it is published if and only if the change
// commits.
type Event struct {
	Type string
	Data any
}

// ProductUpdated is the data of catalog.product.updated: the product as it
// is after the change, enough for a cart to reprice without calling back.
type ProductUpdated struct {
	ProductID string           `json:"product_id"`
	Slug      string           `json:"slug"`
	Title     string           `json:"title"`
	Status    Status           `json:"status"`
	Version   int64            `json:"version"`
	Change    string           `json:"change" doc:"created, updated, archived, variant, price, images or stock."`
	Variants  []VariantUpdated `json:"variants"`
	At        time.Time        `json:"at"`
}

// VariantUpdated is a variant in a ProductUpdated event.
type VariantUpdated struct {
	SKU       string       `json:"sku"`
	Price     money.Money  `json:"price"`
	CompareAt *money.Money `json:"compare_at_price,omitempty"`
	Archived  bool         `json:"archived"`
	InStock   bool         `json:"in_stock"`
}

// CategoryUpdated is the data of catalog.category.updated.
type CategoryUpdated struct {
	CategoryID string    `json:"category_id"`
	Slug       string    `json:"slug"`
	Deleted    bool      `json:"deleted"`
	At         time.Time `json:"at"`
}

// CollectionUpdated is the data of catalog.collection.updated.
type CollectionUpdated struct {
	CollectionID string    `json:"collection_id"`
	Slug         string    `json:"slug"`
	At           time.Time `json:"at"`
}

func productEvent(p Product, change string, at time.Time) Event {
	d := ProductUpdated{ProductID: p.ID, Slug: p.Slug, Title: p.Title, Status: p.Status,
		Version: p.Version, Change: change, At: at.UTC(), Variants: make([]VariantUpdated, 0, len(p.Variants))}
	for _, v := range p.Variants {
		d.Variants = append(d.Variants, VariantUpdated{SKU: v.SKU, Price: v.Price, CompareAt: v.CompareAt, Archived: v.Archived, InStock: v.InStock})
	}
	return Event{Type: EventProductUpdated, Data: d}
}
