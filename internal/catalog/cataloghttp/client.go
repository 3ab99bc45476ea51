package cataloghttp

import (
	"context"
	"net/http"
	"net/url"
	"strconv"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// Client is catalog.Service over HTTP. Admin calls need credentials: set
// them in Header ("Authorization: Bearer …").
type Client struct {
	*web.Client
}

var _ catalog.Service = (*Client)(nil)

// NewClient returns a client of the catalogue at baseURL.
func NewClient(baseURL string) *Client { return &Client{Client: web.NewClient(baseURL)} }

func (c *Client) get(ctx context.Context, path string, q url.Values, out any) error {
	return c.Do(ctx, web.Call{Method: http.MethodGet, Path: path, Query: q}, out)
}

func (c *Client) send(ctx context.Context, method, path string, body, out any) error {
	return c.Do(ctx, web.Call{Method: method, Path: path, Body: body}, out)
}

func esc(s string) string { return url.PathEscape(s) }

// listValues is the inverse of parseList.
func listValues(q catalog.ListQuery) url.Values {
	v := url.Values{}
	set := func(k, s string) {
		if s != "" {
			v.Set(k, s)
		}
	}
	set("q", q.Q)
	set("category", q.Category)
	set("collection", q.Collection)
	v["brand"], v["color"], v["size"] = q.Brands, q.Colors, q.Sizes
	for k, vals := range v {
		if len(vals) == 0 {
			delete(v, k)
		}
	}
	if q.PriceMin != nil {
		v.Set("price_min", strconv.FormatInt(*q.PriceMin, 10))
	}
	if q.PriceMax != nil {
		v.Set("price_max", strconv.FormatInt(*q.PriceMax, 10))
	}
	if q.InStock {
		v.Set("in_stock", "true")
	}
	set("sort", string(q.Sort))
	if q.PageSize != 0 {
		v.Set("page_size", strconv.Itoa(q.PageSize))
	}
	set("page_token", q.PageToken)
	return v
}

// ListProducts implements catalog.Service; a query with a Status goes to
// the admin listing.
func (c *Client) ListProducts(ctx context.Context, q catalog.ListQuery) (catalog.ProductPage, error) {
	var page catalog.ProductPage
	path, v := pathProducts, listValues(q)
	if q.Status != "" {
		path = pathAdmin + "/products"
		v.Set("status", string(q.Status))
	}
	err := c.get(ctx, path, v, &page)
	return page, err
}

// Product implements catalog.Service.
func (c *Client) Product(ctx context.Context, idOrSlug string) (catalog.Product, error) {
	var p catalog.Product
	if idOrSlug == "" {
		return p, catalog.ErrProductNotFound // "/products/" is another route
	}
	err := c.get(ctx, pathProducts+"/"+esc(idOrSlug), nil, &p)
	return p, err
}

// Categories implements catalog.Service.
func (c *Client) Categories(ctx context.Context) ([]catalog.CategoryNode, error) {
	var out categoriesBody
	err := c.get(ctx, pathCategories, nil, &out)
	return out.Items, err
}

// Collections implements catalog.Service.
func (c *Client) Collections(ctx context.Context) ([]catalog.Collection, error) {
	var out collectionsBody
	err := c.get(ctx, pathCollections, nil, &out)
	return out.Items, err
}

// Suggest implements catalog.Service.
func (c *Client) Suggest(ctx context.Context, q string, limit int) ([]catalog.Suggestion, error) {
	v := url.Values{"q": {q}}
	if limit != 0 {
		v.Set("limit", strconv.Itoa(limit))
	}
	var out suggestBody
	err := c.get(ctx, pathSuggest, v, &out)
	return out.Items, err
}

// LookupSKUs implements catalog.Service.
func (c *Client) LookupSKUs(ctx context.Context, skus []string) ([]catalog.SKUInfo, error) {
	var out skusOut
	err := c.get(ctx, pathSKUs, url.Values{"sku": skus}, &out.Body)
	return out.Body.Items, err
}

// AdminProduct implements catalog.Service.
func (c *Client) AdminProduct(ctx context.Context, id string) (catalog.Product, error) {
	var p catalog.Product
	err := c.get(ctx, pathAdmin+"/products/"+esc(id), nil, &p)
	return p, err
}

// CreateProduct implements catalog.Service.
func (c *Client) CreateProduct(ctx context.Context, in catalog.NewProduct) (catalog.Product, error) {
	var p catalog.Product
	err := c.send(ctx, http.MethodPost, pathAdmin+"/products", in, &p)
	return p, err
}

// UpdateProduct implements catalog.Service.
func (c *Client) UpdateProduct(ctx context.Context, id string, in catalog.ProductUpdate) (catalog.Product, error) {
	var p catalog.Product
	err := c.send(ctx, http.MethodPatch, pathAdmin+"/products/"+esc(id), in, &p)
	return p, err
}

// ArchiveProduct implements catalog.Service.
func (c *Client) ArchiveProduct(ctx context.Context, id string) (catalog.Product, error) {
	var p catalog.Product
	err := c.send(ctx, http.MethodPost, pathAdmin+"/products/"+esc(id)+"/archive", nil, &p)
	return p, err
}

// AddVariant implements catalog.Service.
func (c *Client) AddVariant(ctx context.Context, productID string, in catalog.NewVariant) (catalog.Product, error) {
	var p catalog.Product
	err := c.send(ctx, http.MethodPost, pathAdmin+"/products/"+esc(productID)+"/variants", in, &p)
	return p, err
}

// UpdateVariant implements catalog.Service.
func (c *Client) UpdateVariant(ctx context.Context, productID, variantID string, in catalog.VariantUpdate) (catalog.Product, error) {
	var p catalog.Product
	err := c.send(ctx, http.MethodPatch, pathAdmin+"/products/"+esc(productID)+"/variants/"+esc(variantID), in, &p)
	return p, err
}

// SetImages implements catalog.Service.
func (c *Client) SetImages(ctx context.Context, productID string, images []catalog.Image) (catalog.Product, error) {
	var p catalog.Product
	if images == nil {
		images = []catalog.Image{}
	}
	err := c.send(ctx, http.MethodPut, pathAdmin+"/products/"+esc(productID)+"/images", imagesBody{Images: images}, &p)
	return p, err
}

// SetPrices implements catalog.Service.
func (c *Client) SetPrices(ctx context.Context, changes []catalog.PriceChange) error {
	if changes == nil {
		changes = []catalog.PriceChange{}
	}
	return c.send(ctx, http.MethodPost, pathAdmin+"/prices", pricesBody{Changes: changes}, nil)
}

// CreateCategory implements catalog.Service.
func (c *Client) CreateCategory(ctx context.Context, in catalog.NewCategory) (catalog.Category, error) {
	var out catalog.Category
	err := c.send(ctx, http.MethodPost, pathAdmin+"/categories", in, &out)
	return out, err
}

// UpdateCategory implements catalog.Service.
func (c *Client) UpdateCategory(ctx context.Context, id string, in catalog.CategoryUpdate) (catalog.Category, error) {
	var out catalog.Category
	err := c.send(ctx, http.MethodPatch, pathAdmin+"/categories/"+esc(id), in, &out)
	return out, err
}

// DeleteCategory implements catalog.Service.
func (c *Client) DeleteCategory(ctx context.Context, id string) error {
	return c.send(ctx, http.MethodDelete, pathAdmin+"/categories/"+esc(id), nil, nil)
}

// CreateCollection implements catalog.Service.
func (c *Client) CreateCollection(ctx context.Context, in catalog.NewCollection) (catalog.Collection, error) {
	var out catalog.Collection
	err := c.send(ctx, http.MethodPost, pathAdmin+"/collections", in, &out)
	return out, err
}

// UpdateCollection implements catalog.Service.
func (c *Client) UpdateCollection(ctx context.Context, id string, in catalog.CollectionUpdate) (catalog.Collection, error) {
	var out catalog.Collection
	err := c.send(ctx, http.MethodPatch, pathAdmin+"/collections/"+esc(id), in, &out)
	return out, err
}

// SetCollectionProducts implements catalog.Service.
func (c *Client) SetCollectionProducts(ctx context.Context, id string, productIDs []string) (catalog.Collection, error) {
	var out catalog.Collection
	if productIDs == nil {
		productIDs = []string{}
	}
	err := c.send(ctx, http.MethodPut, pathAdmin+"/collections/"+esc(id)+"/products", membersBody{ProductIDs: productIDs}, &out)
	return out, err
}
