// Package inventoryhttp serves inventory.Service over HTTP (Register) and
// consumes it (Client), so a caller cannot tell the service in-process
// from the service across the network.
package inventoryhttp

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/inventory"
)

// Routes.
const (
	pathAvailability = "/api/v1/inventory"
	pathAdmin        = "/api/v1/admin/inventory"
	pathInternal     = "/api/v1/internal/inventory"
)

// Options configure Register.
type Options struct {
	// Admin guards the merchandiser's routes (set on-hand, adjust,
	// history, import, locations).
	Admin huma.Middlewares
	// Internal guards the routes other services call (reserve, commit,
	// release); nil uses Admin.
	Internal huma.Middlewares
}

// Register adds the inventory operations to api.
func Register(api huma.API, svc inventory.Service, o Options) {
	if o.Internal == nil {
		o.Internal = o.Admin
	}
	h := &handlers{svc: svc}
	tags := []string{"Inventory"}
	op := func(id, method, path, summary string, mw huma.Middlewares) huma.Operation {
		return huma.Operation{OperationID: id, Method: method, Path: path, Summary: summary, Tags: tags, Middlewares: mw}
	}

	huma.Register(api, op("get-availability", http.MethodGet, pathAvailability,
		"Units available to the web shop per SKU", nil), h.availability)

	huma.Register(api, op("get-stock-levels", http.MethodGet, pathAdmin+"/levels",
		"Stock per SKU and location", o.Admin), h.levels)
	huma.Register(api, op("set-on-hand", http.MethodPut, pathAdmin+"/stock/{sku}/{location}",
		"Set the units on hand (a count)", o.Admin), h.setOnHand)
	huma.Register(api, op("adjust-stock", http.MethodPost, pathAdmin+"/stock/{sku}/{location}/adjustments",
		"Change the units on hand by a delta, with a reason", o.Admin), h.adjust)
	huma.Register(api, op("list-stock-movements", http.MethodGet, pathAdmin+"/stock/{sku}/movements",
		"A SKU's stock history, newest first", o.Admin), h.movements)
	huma.Register(api, op("import-stock", http.MethodPost, pathAdmin+"/import",
		"Set on-hand for many SKUs at once", o.Admin), h.importLevels)
	huma.Register(api, op("list-locations", http.MethodGet, pathAdmin+"/locations",
		"Stock locations", o.Admin), h.locations)
	huma.Register(api, op("put-location", http.MethodPut, pathAdmin+"/locations/{id}",
		"Create or update a stock location", o.Admin), h.putLocation)

	huma.Register(api, op("reserve-stock", http.MethodPost, pathInternal+"/reservations",
		"Hold units all or nothing, idempotent by reference", o.Internal), h.reserve)
	huma.Register(api, op("get-reservation", http.MethodGet, pathInternal+"/reservations/{reference}",
		"A reservation", o.Internal), h.reservation)
	huma.Register(api, op("commit-reservation", http.MethodPost, pathInternal+"/reservations/{reference}/commit",
		"Sell a reservation's units", o.Internal), h.commit)
	huma.Register(api, op("release-reservation", http.MethodPost, pathInternal+"/reservations/{reference}/release",
		"Give a reservation's units back", o.Internal), h.release)
}

type handlers struct{ svc inventory.Service }

type skusIn struct {
	SKU []string `query:"sku,explode" doc:"A SKU; repeat for more (1 to 500)."`
}

// Availability is one SKU's available units.
type Availability struct {
	SKU       string `json:"sku"`
	Available int64  `json:"available"`
}

type availabilityOut struct {
	CacheControl string `header:"Cache-Control"`
	Body         struct {
		Items []Availability `json:"items"`
	}
}

func (h *handlers) availability(ctx context.Context, in *skusIn) (*availabilityOut, error) {
	got, err := h.svc.Available(ctx, in.SKU)
	if err != nil {
		return nil, err
	}
	out := &availabilityOut{CacheControl: "no-store"}
	out.Body.Items = make([]Availability, 0, len(got))
	seen := map[string]bool{}
	for _, s := range in.SKU {
		if !seen[s] {
			seen[s] = true
			out.Body.Items = append(out.Body.Items, Availability{SKU: s, Available: got[s]})
		}
	}
	return out, nil
}

type levelsOut struct {
	Body struct {
		Items []inventory.StockLevel `json:"items"`
	}
}

func (h *handlers) levels(ctx context.Context, in *skusIn) (*levelsOut, error) {
	lv, err := h.svc.Levels(ctx, in.SKU)
	if err != nil {
		return nil, err
	}
	out := &levelsOut{}
	out.Body.Items = lv
	return out, nil
}

type levelOut struct {
	Body inventory.StockLevel
}

type setOnHandIn struct {
	SKU      string `path:"sku"`
	Location string `path:"location"`
	Body     struct {
		OnHand    int64  `json:"on_hand"`
		Reference string `json:"reference,omitempty" required:"false"`
	}
}

func (h *handlers) setOnHand(ctx context.Context, in *setOnHandIn) (*levelOut, error) {
	lv, err := h.svc.SetOnHand(ctx, inventory.SetOnHand{SKU: in.SKU, Location: in.Location, OnHand: in.Body.OnHand, Reference: in.Body.Reference})
	if err != nil {
		return nil, err
	}
	return &levelOut{Body: lv}, nil
}

type adjustIn struct {
	SKU      string `path:"sku"`
	Location string `path:"location"`
	Body     struct {
		Delta     int64  `json:"delta"`
		Reason    string `json:"reason" doc:"Why: received, damaged, returned, count_correction, ..."`
		Reference string `json:"reference,omitempty" required:"false" doc:"Makes the adjustment apply once."`
	}
}

func (h *handlers) adjust(ctx context.Context, in *adjustIn) (*levelOut, error) {
	lv, err := h.svc.Adjust(ctx, inventory.Adjustment{SKU: in.SKU, Location: in.Location, Delta: in.Body.Delta, Reason: in.Body.Reason, Reference: in.Body.Reference})
	if err != nil {
		return nil, err
	}
	return &levelOut{Body: lv}, nil
}

type movementsIn struct {
	SKU       string `path:"sku"`
	PageSize  int    `query:"page_size" doc:"1 to 100; 50 if absent."`
	PageToken string `query:"page_token"`
}

type movementsOut struct {
	Body inventory.MovementPage
}

func (h *handlers) movements(ctx context.Context, in *movementsIn) (*movementsOut, error) {
	p, err := h.svc.Movements(ctx, inventory.MovementQuery{SKU: in.SKU, PageSize: in.PageSize, PageToken: in.PageToken})
	if err != nil {
		return nil, err
	}
	return &movementsOut{Body: p}, nil
}

// ImportLevel is one level of an import.
type ImportLevel struct {
	SKU      string `json:"sku"`
	Location string `json:"location,omitempty" required:"false" doc:"online if absent"`
	OnHand   int64  `json:"on_hand"`
}

type importIn struct {
	Body struct {
		Levels []ImportLevel `json:"levels" maxItems:"10000"`
	}
}

type importOut struct {
	Body struct {
		Imported int `json:"imported"`
	}
}

func (h *handlers) importLevels(ctx context.Context, in *importIn) (*importOut, error) {
	lv := make([]inventory.StockLevel, len(in.Body.Levels))
	for i, l := range in.Body.Levels {
		lv[i] = inventory.StockLevel{SKU: l.SKU, Location: l.Location, OnHand: l.OnHand}
	}
	if err := h.svc.Import(ctx, lv); err != nil {
		return nil, err
	}
	out := &importOut{}
	out.Body.Imported = len(lv)
	return out, nil
}

type locationsOut struct {
	Body struct {
		Items []inventory.Location `json:"items"`
	}
}

func (h *handlers) locations(ctx context.Context, _ *struct{}) (*locationsOut, error) {
	ls, err := h.svc.Locations(ctx)
	if err != nil {
		return nil, err
	}
	out := &locationsOut{}
	out.Body.Items = ls
	return out, nil
}

type putLocationIn struct {
	ID   string `path:"id"`
	Body struct {
		Name     string `json:"name,omitempty" required:"false"`
		Kind     string `json:"kind,omitempty" required:"false" doc:"warehouse or store; store if absent"`
		Sellable bool   `json:"sellable"`
	}
}

type locationOut struct {
	Body inventory.Location
}

func (h *handlers) putLocation(ctx context.Context, in *putLocationIn) (*locationOut, error) {
	l, err := h.svc.PutLocation(ctx, inventory.Location{ID: in.ID, Name: in.Body.Name, Kind: in.Body.Kind, Sellable: in.Body.Sellable})
	if err != nil {
		return nil, err
	}
	return &locationOut{Body: l}, nil
}

// ReserveBody is the body of a reservation request.
type ReserveBody struct {
	Reference  string           `json:"reference" doc:"The caller's id for this hold (an order or checkout id); repeating it is safe."`
	Lines      []inventory.Line `json:"lines"`
	TTLSeconds int64            `json:"ttl_seconds,omitempty" required:"false" doc:"How long to hold; the service default if absent."`
}

type reserveIn struct {
	Body ReserveBody
}

type reservationOut struct {
	Body inventory.Reservation
}

func (h *handlers) reserve(ctx context.Context, in *reserveIn) (*reservationOut, error) {
	r, err := h.svc.Reserve(ctx, inventory.ReserveRequest{
		Reference: in.Body.Reference, Lines: in.Body.Lines, TTL: time.Duration(in.Body.TTLSeconds) * time.Second,
	})
	if err != nil {
		return nil, err
	}
	return &reservationOut{Body: r}, nil
}

type refIn struct {
	Reference string `path:"reference"`
}

func (h *handlers) reservation(ctx context.Context, in *refIn) (*reservationOut, error) {
	r, err := h.svc.Reservation(ctx, in.Reference)
	if err != nil {
		return nil, err
	}
	return &reservationOut{Body: r}, nil
}

func (h *handlers) commit(ctx context.Context, in *refIn) (*reservationOut, error) {
	r, err := h.svc.Commit(ctx, in.Reference)
	if err != nil {
		return nil, err
	}
	return &reservationOut{Body: r}, nil
}

func (h *handlers) release(ctx context.Context, in *refIn) (*reservationOut, error) {
	r, err := h.svc.Release(ctx, in.Reference)
	if err != nil {
		return nil, err
	}
	return &reservationOut{Body: r}, nil
}
