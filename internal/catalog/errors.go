package catalog

import "github.com/bazaarshop/bazaar/internal/platform/errs"

// The catalogue's errors. Codes are stable: clients switch on them.
var (
	ErrProductNotFound    = errs.NotFound("product_not_found", "no such product")
	ErrVariantNotFound    = errs.NotFound("variant_not_found", "no such variant")
	ErrCategoryNotFound   = errs.NotFound("category_not_found", "no such category")
	ErrCollectionNotFound = errs.NotFound("collection_not_found", "no such collection")

	ErrSlugTaken        = errs.Conflict("slug_taken", "the slug is already in use")
	ErrSKUTaken         = errs.Conflict("sku_taken", "the SKU is already in use")
	ErrStatusTransition = errs.Conflict("invalid_status_transition", "the product cannot move to that status")
	ErrNotActivatable   = errs.Conflict("product_incomplete", "the product needs a title, a category and a variant on sale to be active")
	ErrCategoryNotEmpty = errs.Conflict("category_not_empty", "the category still has products or subcategories")

	ErrInvalidProduct    = errs.Invalid("invalid_product", "the product is not valid")
	ErrInvalidSlug       = errs.Invalid("invalid_slug", "a slug is lower-case letters and digits joined by single hyphens, at most 100 characters")
	ErrInvalidSKU        = errs.Invalid("invalid_sku", "a SKU is 1 to 64 letters, digits, '.', '_' or '-', starting with a letter or digit")
	ErrDuplicateSKU      = errs.Invalid("duplicate_sku", "the same SKU appears twice in the request")
	ErrInvalidPrice      = errs.Invalid("invalid_price", "a price must be zero or more")
	ErrInvalidCompareAt  = errs.Invalid("invalid_compare_at_price", "a compare-at price must be at least the price")
	ErrCurrency          = errs.Invalid("currency_not_supported", "prices must be in the catalogue's currency")
	ErrInvalidImage      = errs.Invalid("invalid_image", "an image needs an http(s) or /media/ URL")
	ErrInvalidCategory   = errs.Invalid("invalid_category", "the category is not valid")
	ErrCategoryCycle     = errs.Invalid("category_cycle", "a category cannot be moved under itself")
	ErrUnknownCategory   = errs.Invalid("unknown_category", "no category with that id or slug")
	ErrUnknownCollection = errs.Invalid("unknown_collection", "no collection with that id or slug")
	ErrUnknownSKU        = errs.Invalid("unknown_sku", "no variant with that SKU")
	ErrUnknownProduct    = errs.Invalid("unknown_product", "no product with that id")
	ErrInvalidCollection = errs.Invalid("invalid_collection", "the collection is not valid")

	ErrInvalidSort      = errs.Invalid("invalid_sort", "sort must be relevance, price_asc, price_desc or newest")
	ErrInvalidFilter    = errs.Invalid("invalid_filter", "a filter value is not valid")
	ErrInvalidPageSize  = errs.Invalid("invalid_page_size", "page_size must be between 1 and 100")
	ErrInvalidPageToken = errs.Invalid("invalid_page_token", "the page_token is malformed or belongs to another query")
	ErrUnknownParameter = errs.Invalid("unknown_parameter", "the request has a query parameter this operation does not take")
)

// invalidField returns e with detail and the offending field named.
func invalidField(e *errs.Error, field, detail string) *errs.Error {
	c := e.With(detail)
	c.Fields = []errs.FieldError{{Field: field, Message: detail}}
	return c
}
