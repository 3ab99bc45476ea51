package inventoryhttp

import (
	"context"
	"net/http"
	"net/url"
	"strconv"
	"time"

	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// Client is inventory.Service over HTTP. Set Header (embedded web.Client)
// to send the credentials the guarded routes ask for.
type Client struct {
	*web.Client
}

var _ inventory.Service = (*Client)(nil)

// NewClient returns a client of the inventory service at baseURL.
func NewClient(baseURL string) *Client { return &Client{Client: web.NewClient(baseURL)} }

func skuQuery(skus []string) url.Values { return url.Values{"sku": skus} }

// Available implements inventory.Service.
func (c *Client) Available(ctx context.Context, skus []string) (map[string]int64, error) {
	var out struct {
		Items []Availability `json:"items"`
	}
	if err := c.Do(ctx, web.Call{Method: http.MethodGet, Path: pathAvailability, Query: skuQuery(skus)}, &out); err != nil {
		return nil, err
	}
	m := make(map[string]int64, len(out.Items))
	for _, it := range out.Items {
		m[it.SKU] = it.Available
	}
	return m, nil
}

// Levels implements inventory.Service.
func (c *Client) Levels(ctx context.Context, skus []string) ([]inventory.StockLevel, error) {
	var out struct {
		Items []inventory.StockLevel `json:"items"`
	}
	err := c.Do(ctx, web.Call{Method: http.MethodGet, Path: pathAdmin + "/levels", Query: skuQuery(skus)}, &out)
	return out.Items, err
}

func stockPathOf(sku, loc string) string {
	if loc == "" {
		loc = inventory.DefaultLocation
	}
	return pathAdmin + "/stock/" + url.PathEscape(sku) + "/" + url.PathEscape(loc)
}

// pathParams checks what goes into a path as the service would, so a bad
// value fails with the service's error rather than a routing one.
func pathParams(sku, loc string) error {
	if err := inventory.ValidSKU(sku); err != nil {
		return err
	}
	if loc != "" {
		return inventory.ValidLocation(loc)
	}
	return nil
}

// SetOnHand implements inventory.Service.
func (c *Client) SetOnHand(ctx context.Context, s inventory.SetOnHand) (inventory.StockLevel, error) {
	var out inventory.StockLevel
	if err := pathParams(s.SKU, s.Location); err != nil {
		return out, err
	}
	body := map[string]any{"on_hand": s.OnHand}
	if s.Reference != "" {
		body["reference"] = s.Reference
	}
	err := c.Do(ctx, web.Call{Method: http.MethodPut, Path: stockPathOf(s.SKU, s.Location), Body: body}, &out)
	return out, err
}

// Adjust implements inventory.Service.
func (c *Client) Adjust(ctx context.Context, a inventory.Adjustment) (inventory.StockLevel, error) {
	var out inventory.StockLevel
	if err := pathParams(a.SKU, a.Location); err != nil {
		return out, err
	}
	body := map[string]any{"delta": a.Delta, "reason": a.Reason}
	if a.Reference != "" {
		body["reference"] = a.Reference
	}
	err := c.Do(ctx, web.Call{Method: http.MethodPost, Path: stockPathOf(a.SKU, a.Location) + "/adjustments", Body: body}, &out)
	return out, err
}

// Import implements inventory.Service, in requests of MaxImportBatch levels.
func (c *Client) Import(ctx context.Context, levels []inventory.StockLevel) error {
	for start := 0; start < len(levels); start += inventory.MaxImportBatch {
		chunk := levels[start:min(start+inventory.MaxImportBatch, len(levels))]
		body := struct {
			Levels []ImportLevel `json:"levels"`
		}{make([]ImportLevel, len(chunk))}
		for i, l := range chunk {
			body.Levels[i] = ImportLevel{SKU: l.SKU, Location: l.Location, OnHand: l.OnHand}
		}
		if err := c.Do(ctx, web.Call{Method: http.MethodPost, Path: pathAdmin + "/import", Body: body}, nil); err != nil {
			return err
		}
	}
	return nil
}

// Movements implements inventory.Service.
func (c *Client) Movements(ctx context.Context, q inventory.MovementQuery) (inventory.MovementPage, error) {
	v := url.Values{}
	if q.PageSize != 0 {
		v.Set("page_size", strconv.Itoa(q.PageSize))
	}
	if q.PageToken != "" {
		v.Set("page_token", q.PageToken)
	}
	var out inventory.MovementPage
	if err := pathParams(q.SKU, ""); err != nil {
		return out, err
	}
	err := c.Do(ctx, web.Call{Method: http.MethodGet, Path: pathAdmin + "/stock/" + url.PathEscape(q.SKU) + "/movements", Query: v}, &out)
	return out, err
}

// Reserve implements inventory.Service. The TTL travels in whole seconds.
func (c *Client) Reserve(ctx context.Context, r inventory.ReserveRequest) (inventory.Reservation, error) {
	var out inventory.Reservation
	body := ReserveBody{Reference: r.Reference, Lines: r.Lines, TTLSeconds: int64(r.TTL / time.Second)}
	if body.Lines == nil {
		body.Lines = []inventory.Line{}
	}
	err := c.Do(ctx, web.Call{Method: http.MethodPost, Path: pathInternal + "/reservations", Body: body}, &out)
	return out, err
}

func reservationPath(ref string) string {
	return pathInternal + "/reservations/" + url.PathEscape(ref)
}

// Reservation implements inventory.Service.
func (c *Client) Reservation(ctx context.Context, ref string) (inventory.Reservation, error) {
	var out inventory.Reservation
	if err := inventory.ValidReference(ref); err != nil {
		return out, err
	}
	err := c.Do(ctx, web.Call{Method: http.MethodGet, Path: reservationPath(ref)}, &out)
	return out, err
}

// Commit implements inventory.Service.
func (c *Client) Commit(ctx context.Context, ref string) (inventory.Reservation, error) {
	var out inventory.Reservation
	if err := inventory.ValidReference(ref); err != nil {
		return out, err
	}
	err := c.Do(ctx, web.Call{Method: http.MethodPost, Path: reservationPath(ref) + "/commit"}, &out)
	return out, err
}

// Release implements inventory.Service.
func (c *Client) Release(ctx context.Context, ref string) (inventory.Reservation, error) {
	var out inventory.Reservation
	if err := inventory.ValidReference(ref); err != nil {
		return out, err
	}
	err := c.Do(ctx, web.Call{Method: http.MethodPost, Path: reservationPath(ref) + "/release"}, &out)
	return out, err
}

// Locations implements inventory.Service.
func (c *Client) Locations(ctx context.Context) ([]inventory.Location, error) {
	var out struct {
		Items []inventory.Location `json:"items"`
	}
	err := c.Do(ctx, web.Call{Method: http.MethodGet, Path: pathAdmin + "/locations"}, &out)
	return out.Items, err
}

// PutLocation implements inventory.Service.
func (c *Client) PutLocation(ctx context.Context, l inventory.Location) (inventory.Location, error) {
	var out inventory.Location
	if err := inventory.ValidLocation(l.ID); err != nil {
		return out, err
	}
	body := map[string]any{"name": l.Name, "kind": l.Kind, "sellable": l.Sellable}
	err := c.Do(ctx, web.Call{Method: http.MethodPut, Path: pathAdmin + "/locations/" + url.PathEscape(l.ID), Body: body}, &out)
	return out, err
}
