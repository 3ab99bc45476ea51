package carthttp

import (
	"context"
	"net/http"
	"strconv"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/cart"
)

type promotionOut struct {
	CacheControl string `header:"Cache-Control"`
	Body         cart.Promotion
}

func promotionResult(p cart.Promotion, err error) (*promotionOut, error) {
	if err != nil {
		return nil, err
	}
	return &promotionOut{CacheControl: noStore, Body: p}, nil
}

type listPromotionsIn struct {
	PageSize  string `query:"page_size" doc:"1 to 100; 50 by default."`
	PageToken string `query:"page_token" doc:"next_page_token of the previous page."`
}

type promotionIn struct {
	ID string `path:"id"`
}

type promotionBodyIn struct {
	Body cart.PromotionInput
}

type updatePromotionIn struct {
	ID   string `path:"id"`
	Body cart.PromotionInput
}

type limitsOut struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		Items []cart.PurchaseLimit `json:"items"`
	}
}

type limitIn struct {
	SKU string `path:"sku"`
}

type setLimitIn struct {
	SKU  string `path:"sku"`
	Body struct {
		MaxPerCustomer int64      `json:"max_per_customer" doc:"Units one customer may buy, 1 to 10000."`
		StartsAt       *time.Time `json:"starts_at,omitempty"`
		EndsAt         *time.Time `json:"ends_at,omitempty"`
	}
}

type limitOut struct {
	CacheControl string `header:"Cache-Control"`
	Body         cart.PurchaseLimit
}

func (s *server) registerAdmin(api huma.API, guard huma.Middlewares) {
	tags := []string{"Cart (admin)"}
	op := func(id, method, path, summary string, status int) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags, Middlewares: guard, DefaultStatus: status}
	}
	huma.Register(api, op("list-promotions", http.MethodGet, pathPromotions, "List promotions, newest first", 0),
		func(ctx context.Context, in *listPromotionsIn) (*struct {
			CacheControl string `header:"Cache-Control"`
			Body         cart.PromotionPage
		}, error) {
			q := cart.PromotionQuery{PageToken: in.PageToken}
			if in.PageSize != "" {
				n, err := strconv.Atoi(in.PageSize)
				if err != nil || n == 0 {
					return nil, cart.ErrInvalidPageSize
				}
				q.PageSize = n
			}
			page, err := s.svc.Promotions(ctx, q)
			if err != nil {
				return nil, err
			}
			out := &struct {
				CacheControl string `header:"Cache-Control"`
				Body         cart.PromotionPage
			}{CacheControl: noStore, Body: page}
			return out, nil
		})
	huma.Register(api, op("create-promotion", http.MethodPost, pathPromotions, "Create a promotion", http.StatusCreated),
		func(ctx context.Context, in *promotionBodyIn) (*promotionOut, error) {
			return promotionResult(s.svc.CreatePromotion(ctx, in.Body))
		})
	huma.Register(api, op("get-promotion", http.MethodGet, pathPromotions+"/{id}", "Get a promotion", 0),
		func(ctx context.Context, in *promotionIn) (*promotionOut, error) {
			return promotionResult(s.svc.Promotion(ctx, in.ID))
		})
	huma.Register(api, op("update-promotion", http.MethodPut, pathPromotions+"/{id}", "Replace a promotion's rule (its use count stays)", 0),
		func(ctx context.Context, in *updatePromotionIn) (*promotionOut, error) {
			return promotionResult(s.svc.UpdatePromotion(ctx, in.ID, in.Body))
		})
	huma.Register(api, op("delete-promotion", http.MethodDelete, pathPromotions+"/{id}", "Delete a promotion", http.StatusNoContent),
		func(ctx context.Context, in *promotionIn) (*struct{}, error) {
			return &struct{}{}, s.svc.DeletePromotion(ctx, in.ID)
		})

	huma.Register(api, op("list-purchase-limits", http.MethodGet, pathLimits, "List per-customer purchase limits", 0),
		func(ctx context.Context, _ *struct{}) (*limitsOut, error) {
			ls, err := s.svc.PurchaseLimits(ctx)
			if err != nil {
				return nil, err
			}
			out := &limitsOut{CacheControl: noStore}
			out.Body.Items = ls
			return out, nil
		})
	huma.Register(api, op("set-purchase-limit", http.MethodPut, pathLimits+"/{sku}", "Create or replace a SKU's per-customer limit", 0),
		func(ctx context.Context, in *setLimitIn) (*limitOut, error) {
			l := cart.PurchaseLimit{SKU: in.SKU, MaxPerCustomer: in.Body.MaxPerCustomer, StartsAt: in.Body.StartsAt, EndsAt: in.Body.EndsAt}
			got, err := s.svc.SetPurchaseLimit(ctx, l)
			if err != nil {
				return nil, err
			}
			return &limitOut{CacheControl: noStore, Body: got}, nil
		})
	huma.Register(api, op("delete-purchase-limit", http.MethodDelete, pathLimits+"/{sku}", "Remove a SKU's purchase limit", http.StatusNoContent),
		func(ctx context.Context, in *limitIn) (*struct{}, error) {
			return &struct{}{}, s.svc.DeletePurchaseLimit(ctx, in.SKU)
		})
}
