package cataloghttp

import (
	"context"
	"encoding/json"
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/catalog"
)

// listIn is the input of GET /api/v1/products. Its parameters are read
// from the raw query by Resolve, so that every bad value gets the
// catalogue's own error code (and huma does not parse them a second time);
// listDocs documents them.
type listIn struct {
	lq          catalog.ListQuery
	ifNoneMatch string
}

var listParams = []string{"q", "category", "collection", "brand", "color", "size", "price_min", "price_max", "in_stock", "sort", "page_size", "page_token"}

func (in *listIn) Resolve(ctx huma.Context) []error {
	u := ctx.URL()
	lq, err := parseList(u.Query(), listParams)
	if err != nil {
		return []error{err}
	}
	in.lq, in.ifNoneMatch = lq, ctx.Header("If-None-Match")
	return nil
}

// adminListIn adds the status filter staff may use.
type adminListIn struct {
	lq catalog.ListQuery
}

func (in *adminListIn) Resolve(ctx huma.Context) []error {
	u := ctx.URL()
	v := u.Query()
	lq, err := parseList(v, append(slices.Clone(listParams), "status"))
	if err != nil {
		return []error{err}
	}
	lq.Status = catalog.Status(v.Get("status"))
	in.lq = lq
	return nil
}

// listDocs are the parameters of a listing, for the OpenAPI document.
var listDocs = []struct {
	name, doc string
	many      bool
}{
	{"q", "Search text: typos, plurals, accents and case do not matter; the last word may be unfinished.", false},
	{"category", "Category slug; subcategories are included.", false},
	{"collection", "Collection slug.", false},
	{"brand", "Brand facet values; a product matches any of them. Repeat the parameter or separate with commas.", true},
	{"color", "Colour facet values; a product matches any of them.", true},
	{"size", "Size facet values; a product matches any of them.", true},
	{"price_min", "Lowest variant price in minor units, inclusive.", false},
	{"price_max", "Highest variant price in minor units, exclusive.", false},
	{"in_stock", "true: only products with a variant in stock.", false},
	{"sort", "relevance (the default), price_asc, price_desc or newest.", false},
	{"page_size", "1 to 100; 24 by default.", false},
	{"page_token", "The next_page_token of the previous page.", false},
}

func listParameters(staff bool) []*huma.Param {
	var ps []*huma.Param
	for _, d := range listDocs {
		schema := &huma.Schema{Type: "string"}
		if d.many {
			schema = &huma.Schema{Type: "array", Items: &huma.Schema{Type: "string"}}
		}
		explode := d.many
		ps = append(ps, &huma.Param{Name: d.name, In: "query", Description: d.doc, Schema: schema, Explode: &explode})
	}
	if staff {
		ps = append(ps, &huma.Param{Name: "status", In: "query", Description: "draft, active (the default) or archived.", Schema: &huma.Schema{Type: "string"}})
	} else {
		ps = append(ps, &huma.Param{Name: "If-None-Match", In: "header", Description: "An ETag from an earlier answer: 304 when it is current.", Schema: &huma.Schema{Type: "string"}})
	}
	return ps
}

func parseList(v url.Values, allowed []string) (catalog.ListQuery, error) {
	for k := range v {
		if !slices.Contains(allowed, k) {
			return catalog.ListQuery{}, catalog.ErrUnknownParameter.With("unknown query parameter " + strconv.Quote(clip(k)))
		}
	}
	lq := catalog.ListQuery{
		Q: v.Get("q"), Category: v.Get("category"), Collection: v.Get("collection"),
		Brands: multi(v, "brand"), Colors: multi(v, "color"), Sizes: multi(v, "size"),
		Sort: catalog.Sort(v.Get("sort")), PageToken: v.Get("page_token"),
	}
	var err error
	if lq.PriceMin, err = optInt(v, "price_min"); err != nil {
		return lq, err
	}
	if lq.PriceMax, err = optInt(v, "price_max"); err != nil {
		return lq, err
	}
	if s := v.Get("page_size"); s != "" {
		n, err := strconv.Atoi(s)
		if err != nil {
			return lq, catalog.ErrInvalidPageSize
		}
		lq.PageSize = n
		if n == 0 {
			return lq, catalog.ErrInvalidPageSize
		}
	}
	switch s := v.Get("in_stock"); s {
	case "", "false", "0":
	case "true", "1":
		lq.InStock = true
	default:
		return lq, catalog.ErrInvalidFilter.With("in_stock must be true or false")
	}
	return lq, nil
}

// multi accepts both repeated parameters and comma-separated values.
func multi(v url.Values, name string) []string {
	var out []string
	for _, s := range v[name] {
		for _, part := range strings.Split(s, ",") {
			if part = strings.TrimSpace(part); part != "" {
				out = append(out, part)
			}
		}
	}
	return out
}

func optInt(v url.Values, name string) (*int64, error) {
	s := v.Get(name)
	if s == "" {
		return nil, nil
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil {
		return nil, catalog.ErrInvalidFilter.With(name + " must be an integer amount in minor units")
	}
	return &n, nil
}

func clip(s string) string {
	if len(s) > 40 {
		return s[:40]
	}
	return s
}

type productIn struct {
	ID          string `path:"id" doc:"Product id or slug."`
	IfNoneMatch string `header:"If-None-Match"`
}

type suggestIn struct {
	Q           string `query:"q" doc:"What the shopper has typed so far."`
	Limit       int    `query:"limit" doc:"1 to 20; 8 by default."`
	IfNoneMatch string `header:"If-None-Match"`
}

type skusIn struct {
	SKU []string `query:"sku,explode" doc:"SKUs to look up, at most 200."`
}

type skusOut struct {
	Body struct {
		Items []catalog.SKUInfo `json:"items"`
	}
}

type conditionalIn struct {
	IfNoneMatch string `header:"If-None-Match"`
}

// Public reads answer with raw JSON bytes, so that the ETag is the hash of
// exactly what is sent and a cached page is never encoded twice.
func (s *server) registerPublic(api huma.API) {
	tags := []string{"Catalog"}
	huma.Register(api, huma.Operation{
		OperationID: "list-products", Method: http.MethodGet, Path: pathProducts, Tags: tags,
		Summary:     "List, filter and search products",
		Description: "Facet counts follow the drill-down rule: each facet is counted with every other active filter applied.",
		Parameters:  listParameters(false),
		Responses:   bodyResponse[catalog.ProductPage](api),
	}, func(ctx context.Context, in *listIn) (*cachedOut, error) {
		e, err := s.listJSON(ctx, in.lq)
		if err != nil {
			return nil, err
		}
		return s.conditionalEncoded(in.ifNoneMatch, e), nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "get-product", Method: http.MethodGet, Path: pathProducts + "/{id}", Tags: tags,
		Summary:   "Get an active product by id or slug, with live availability per SKU",
		Responses: bodyResponse[catalog.Product](api),
	}, func(ctx context.Context, in *productIn) (*cachedOut, error) {
		p, err := s.svc.Product(ctx, in.ID)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(p)
		if err != nil {
			return nil, err
		}
		return s.conditional(in.IfNoneMatch, b), nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "list-categories", Method: http.MethodGet, Path: pathCategories, Tags: tags,
		Summary:   "The category tree with product counts",
		Responses: bodyResponse[categoriesBody](api),
	}, func(ctx context.Context, in *conditionalIn) (*cachedOut, error) {
		cats, err := s.svc.Categories(ctx)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(categoriesBody{Items: cats})
		if err != nil {
			return nil, err
		}
		return s.conditional(in.IfNoneMatch, b), nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "list-collections", Method: http.MethodGet, Path: pathCollections, Tags: tags,
		Summary:   "The collections",
		Responses: bodyResponse[collectionsBody](api),
	}, func(ctx context.Context, in *conditionalIn) (*cachedOut, error) {
		cols, err := s.svc.Collections(ctx)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(collectionsBody{Items: cols})
		if err != nil {
			return nil, err
		}
		return s.conditional(in.IfNoneMatch, b), nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "suggest", Method: http.MethodGet, Path: pathSuggest, Tags: tags,
		Summary:   "Autocomplete over categories, brands and products",
		Responses: bodyResponse[suggestBody](api),
	}, func(ctx context.Context, in *suggestIn) (*cachedOut, error) {
		sug, err := s.svc.Suggest(ctx, in.Q, in.Limit)
		if err != nil {
			return nil, err
		}
		b, err := json.Marshal(suggestBody{Items: sug})
		if err != nil {
			return nil, err
		}
		return s.conditional(in.IfNoneMatch, b), nil
	})
	huma.Register(api, huma.Operation{
		OperationID: "lookup-skus", Method: http.MethodGet, Path: pathSKUs, Tags: tags,
		Summary: "Price, title and state of SKUs, for carts and orders; unknown SKUs are left out",
	}, func(ctx context.Context, in *skusIn) (*skusOut, error) {
		items, err := s.svc.LookupSKUs(ctx, in.SKU)
		if err != nil {
			return nil, err
		}
		out := &skusOut{}
		out.Body.Items = items
		return out, nil
	})
}

// listJSON is the encoded listing, straight from Core's caches when the
// service is a Core.
func (s *server) listJSON(ctx context.Context, lq catalog.ListQuery) (catalog.Encoded, error) {
	if enc, ok := s.svc.(interface {
		ListProductsJSON(context.Context, catalog.ListQuery) (catalog.Encoded, error)
	}); ok {
		return enc.ListProductsJSON(ctx, lq)
	}
	page, err := s.svc.ListProducts(ctx, lq)
	if err != nil {
		return catalog.Encoded{}, err
	}
	b, err := json.Marshal(page)
	return catalog.Encoded{Body: b, ETag: catalog.ETag(b)}, err
}

type categoriesBody struct {
	Items []catalog.CategoryNode `json:"items"`
}

type collectionsBody struct {
	Items []catalog.Collection `json:"items"`
}

type suggestBody struct {
	Items []catalog.Suggestion `json:"items"`
}
