package cataloghttp

import (
	"context"
	"net/http"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/catalog"
)

type idIn struct {
	ID string `path:"id"`
}

type productOut struct {
	CacheControl string `header:"Cache-Control"`
	Body         catalog.Product
}

type pageOut struct {
	CacheControl string `header:"Cache-Control"`
	Body         catalog.ProductPage
}

type createProductIn struct {
	Body catalog.NewProduct
}

type updateProductIn struct {
	ID   string `path:"id"`
	Body catalog.ProductUpdate
}

type addVariantIn struct {
	ID   string `path:"id"`
	Body catalog.NewVariant
}

type updateVariantIn struct {
	ID      string `path:"id"`
	Variant string `path:"variant" doc:"Variant id or SKU."`
	Body    catalog.VariantUpdate
}

type imagesIn struct {
	ID   string `path:"id"`
	Body imagesBody
}

type imagesBody struct {
	Images []catalog.Image `json:"images"`
}

type pricesIn struct {
	Body pricesBody
}

type pricesBody struct {
	Changes []catalog.PriceChange `json:"changes" doc:"Applied all together or not at all."`
}

type createCategoryIn struct {
	Body catalog.NewCategory
}

type updateCategoryIn struct {
	ID   string `path:"id"`
	Body catalog.CategoryUpdate
}

type categoryOut struct {
	Body catalog.Category
}

type createCollectionIn struct {
	Body catalog.NewCollection
}

type updateCollectionIn struct {
	ID   string `path:"id"`
	Body catalog.CollectionUpdate
}

type membersIn struct {
	ID   string `path:"id"`
	Body membersBody
}

type membersBody struct {
	ProductIDs []string `json:"product_ids" doc:"The collection's products in order."`
}

type collectionOut struct {
	Body catalog.Collection
}

const noStore = "no-store"

func product(p catalog.Product, err error) (*productOut, error) {
	if err != nil {
		return nil, err
	}
	return &productOut{CacheControl: noStore, Body: p}, nil
}

func category(c catalog.Category, err error) (*categoryOut, error) {
	if err != nil {
		return nil, err
	}
	return &categoryOut{Body: c}, nil
}

func collection(c catalog.Collection, err error) (*collectionOut, error) {
	if err != nil {
		return nil, err
	}
	return &collectionOut{Body: c}, nil
}

func (s *server) registerAdmin(api huma.API) {
	op := func(id, method, path, summary string, status int) huma.Operation {
		return huma.Operation{
			OperationID: id, Method: method, Path: pathAdmin + path, Summary: summary,
			Tags: []string{"Catalog admin"}, Middlewares: s.opts.Admin, DefaultStatus: status,
		}
	}
	list := op("admin-list-products", http.MethodGet, "/products", "List products in any state", 0)
	list.Parameters = listParameters(true)
	huma.Register(api, list,
		func(ctx context.Context, in *adminListIn) (*pageOut, error) {
			page, err := s.svc.ListProducts(ctx, in.lq)
			if err != nil {
				return nil, err
			}
			return &pageOut{CacheControl: noStore, Body: page}, nil
		})
	huma.Register(api, op("admin-get-product", http.MethodGet, "/products/{id}", "Get a product in any state", 0),
		func(ctx context.Context, in *idIn) (*productOut, error) {
			return product(s.svc.AdminProduct(ctx, in.ID))
		})
	huma.Register(api, op("create-product", http.MethodPost, "/products", "Create a product with its variants", http.StatusCreated),
		func(ctx context.Context, in *createProductIn) (*productOut, error) {
			return product(s.svc.CreateProduct(ctx, in.Body))
		})
	huma.Register(api, op("update-product", http.MethodPatch, "/products/{id}", "Change a product's fields", 0),
		func(ctx context.Context, in *updateProductIn) (*productOut, error) {
			return product(s.svc.UpdateProduct(ctx, in.ID, in.Body))
		})
	huma.Register(api, op("archive-product", http.MethodPost, "/products/{id}/archive", "Archive a product", 0),
		func(ctx context.Context, in *idIn) (*productOut, error) {
			return product(s.svc.ArchiveProduct(ctx, in.ID))
		})
	huma.Register(api, op("add-variant", http.MethodPost, "/products/{id}/variants", "Add a variant", http.StatusCreated),
		func(ctx context.Context, in *addVariantIn) (*productOut, error) {
			return product(s.svc.AddVariant(ctx, in.ID, in.Body))
		})
	huma.Register(api, op("update-variant", http.MethodPatch, "/products/{id}/variants/{variant}", "Change a variant", 0),
		func(ctx context.Context, in *updateVariantIn) (*productOut, error) {
			return product(s.svc.UpdateVariant(ctx, in.ID, in.Variant, in.Body))
		})
	huma.Register(api, op("set-images", http.MethodPut, "/products/{id}/images", "Replace a product's images", 0),
		func(ctx context.Context, in *imagesIn) (*productOut, error) {
			return product(s.svc.SetImages(ctx, in.ID, in.Body.Images))
		})
	huma.Register(api, op("set-prices", http.MethodPost, "/prices", "Change prices by SKU, all or none", http.StatusNoContent),
		func(ctx context.Context, in *pricesIn) (*struct{}, error) {
			return &struct{}{}, s.svc.SetPrices(ctx, in.Body.Changes)
		})
	huma.Register(api, op("create-category", http.MethodPost, "/categories", "Create a category", http.StatusCreated),
		func(ctx context.Context, in *createCategoryIn) (*categoryOut, error) {
			return category(s.svc.CreateCategory(ctx, in.Body))
		})
	huma.Register(api, op("update-category", http.MethodPatch, "/categories/{id}", "Rename or move a category", 0),
		func(ctx context.Context, in *updateCategoryIn) (*categoryOut, error) {
			return category(s.svc.UpdateCategory(ctx, in.ID, in.Body))
		})
	huma.Register(api, op("delete-category", http.MethodDelete, "/categories/{id}", "Delete an empty category", http.StatusNoContent),
		func(ctx context.Context, in *idIn) (*struct{}, error) {
			return &struct{}{}, s.svc.DeleteCategory(ctx, in.ID)
		})
	huma.Register(api, op("create-collection", http.MethodPost, "/collections", "Create a collection", http.StatusCreated),
		func(ctx context.Context, in *createCollectionIn) (*collectionOut, error) {
			return collection(s.svc.CreateCollection(ctx, in.Body))
		})
	huma.Register(api, op("update-collection", http.MethodPatch, "/collections/{id}", "Change a collection", 0),
		func(ctx context.Context, in *updateCollectionIn) (*collectionOut, error) {
			return collection(s.svc.UpdateCollection(ctx, in.ID, in.Body))
		})
	huma.Register(api, op("set-collection-products", http.MethodPut, "/collections/{id}/products", "Replace a collection's products", 0),
		func(ctx context.Context, in *membersIn) (*collectionOut, error) {
			return collection(s.svc.SetCollectionProducts(ctx, in.ID, in.Body.ProductIDs))
		})
}
