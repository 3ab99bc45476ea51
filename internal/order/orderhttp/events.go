package orderhttp

import (
	"encoding/json"
	"fmt"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// EventsOptions tune RegisterEvents; the zero value is the production
// setting.
type EventsOptions struct {
	// Poll is how often a stream reads the order again: 3 s when the
	// service wakes streams itself (order.Core's Watch, fed by this
	// process's changes and the bus's order events), else 500 ms.
	Poll time.Duration
	// Ping is how often an idle stream sends a comment, so that proxies
	// keep it open and a gone client is noticed; 15 s.
	Ping time.Duration
	// MaxAge ends a stream after this long (the browser's EventSource
	// reconnects with Last-Event-ID); 30 minutes.
	MaxAge time.Duration
	// Shutdown, closed, ends every stream: net/http's Shutdown waits for
	// running handlers but does not tell them it is waiting.
	Shutdown <-chan struct{}
}

// Watcher is implemented by a service that can tell a stream that an order
// changed (order.Core). Streams poll as well, for the changes a watcher
// cannot see (another replica's staff action, a lost wake-up).
type Watcher interface {
	Watch(id string) (<-chan struct{}, func())
}

// RegisterEvents serves GET /api/v1/orders/{id}/events: the order as
// Server-Sent Events. The first event is the order as it stands (skipped
// when Last-Event-ID, or ?last_event_id=, is already its latest history
// seq); then an event each time its history grows, with the history's seq
// as the event id. It is a plain handler, not a huma operation (huma would
// buffer and bound it), and is listed in the OpenAPI document by hand.
func RegisterEvents(rt *web.Router, svc order.Service, o EventsOptions) {
	s := &streamer{svc: svc, opts: o}
	if w, ok := svc.(Watcher); ok {
		s.watch = w
	}
	if s.opts.Poll <= 0 {
		s.opts.Poll = 500 * time.Millisecond
		if s.watch != nil {
			s.opts.Poll = 3 * time.Second
		}
	}
	if s.opts.Ping <= 0 {
		s.opts.Ping = 15 * time.Second
	}
	if s.opts.MaxAge <= 0 {
		s.opts.MaxAge = 30 * time.Minute
	}
	rt.Handle("GET "+pathOrders+"/{id}/events", web.Streaming(web.Handler(s.serve)))
	documentEvents(rt.API)
}

type streamer struct {
	svc   order.Service
	watch Watcher
	opts  EventsOptions
}

// seqOf is the seq of an order's latest transition.
func seqOf(o order.Order) int {
	seq := o.Seq
	for _, t := range o.History {
		seq = max(seq, t.Seq)
	}
	return seq
}

// lastEventID is what the client saw last, or -1.
func lastEventID(r *http.Request) int {
	v := r.Header.Get("Last-Event-ID")
	if v == "" {
		v = r.URL.Query().Get("last_event_id")
	}
	n, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil || n < 0 {
		return -1
	}
	return n
}

func (s *streamer) serve(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	if id == "" || len(id) > 64 {
		return order.ErrOrderNotFound
	}
	token := r.Header.Get(order.HeaderOrderToken)
	if token == "" {
		token = r.URL.Query().Get("token")
	}
	ctx := caller(r.Context())
	// Wake-ups before the first read, so that no change after it is
	// missed.
	var wake <-chan struct{}
	if s.watch != nil {
		ch, stop := s.watch.Watch(id)
		defer stop()
		wake = ch
	}
	o, err := s.svc.Order(ctx, id, token)
	if err != nil {
		return err // a problem document: nothing is streamed yet
	}

	h := w.Header()
	h.Set("Content-Type", "text/event-stream")
	h.Set("Cache-Control", "no-cache")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(chunk string) error {
		if _, err := w.Write([]byte(chunk)); err != nil {
			return err
		}
		return rc.Flush()
	}

	seq, updated := seqOf(o), o.UpdatedAt
	first := "retry: 3000\n\n"
	if seq != lastEventID(r) {
		ev, err := event(o, seq)
		if err != nil {
			web.Logger(ctx).ErrorContext(ctx, "order events: cannot encode the order", "order_id", id, "error", err)
			return nil // headers are out: nothing to answer with
		}
		first = "retry: 3000\n" + ev
	}
	if send(first) != nil {
		return nil
	}

	poll := time.NewTicker(s.opts.Poll)
	defer poll.Stop()
	ping := time.NewTicker(s.opts.Ping)
	defer ping.Stop()
	maxAge := time.NewTimer(s.opts.MaxAge)
	defer maxAge.Stop()
	failing := false // warned of a failed read, not yet recovered
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.opts.Shutdown:
			return nil
		case <-maxAge.C:
			return nil
		case <-ping.C:
			if send(": ping\n\n") != nil {
				return nil
			}
			continue
		case <-wake:
		case <-poll.C:
		}
		o, err := s.svc.Order(ctx, id, token)
		switch {
		case ctx.Err() != nil:
			return nil
		case errs.KindOf(err) == errs.KindNotFound || errs.KindOf(err) == errs.KindForbidden || errs.KindOf(err) == errs.KindUnauthenticated:
			return nil // gone, or no longer theirs
		case err != nil:
			if !failing {
				web.Logger(ctx).WarnContext(ctx, "order events: read failed; retrying", "order_id", id, "error", err)
			}
			failing = true
			continue
		}
		failing = false
		// A new status grows the history; a change within a status (a
		// payment's next action, a partial refund) only moves updated_at,
		// and is sent too, under the same id.
		next := seqOf(o)
		if next < seq || (next == seq && !o.UpdatedAt.After(updated)) {
			continue
		}
		ev, err := event(o, next)
		if err != nil {
			web.Logger(ctx).ErrorContext(ctx, "order events: cannot encode the order", "order_id", id, "error", err)
			return nil
		}
		if send(ev) != nil {
			return nil
		}
		seq, updated = next, o.UpdatedAt
		ping.Reset(s.opts.Ping)
	}
}

// event renders one order event.
func event(o order.Order, seq int) (string, error) {
	data, err := json.Marshal(o)
	if err != nil {
		return "", err
	}
	return fmt.Sprintf("id: %d\nevent: order\ndata: %s\n\n", seq, data), nil
}

// documentEvents lists the stream in the OpenAPI document.
func documentEvents(api huma.API) {
	oapi := api.OpenAPI()
	if oapi == nil {
		return
	}
	str := &huma.Schema{Type: huma.TypeString}
	oapi.AddOperation(&huma.Operation{
		OperationID: "follow-order",
		Method:      http.MethodGet,
		Path:        pathOrders + "/{id}/events",
		Summary:     "Follow an order as Server-Sent Events",
		Description: "A text/event-stream of `order` events, each the whole order (as GET /api/v1/orders/{id} answers) with its latest history seq as the event id. " +
			"The first is the order as it stands, unless Last-Event-ID (or last_event_id) names its latest seq already; then one per change. " +
			"Comments (`: ping`) keep the stream open; it ends after 30 minutes, when the browser's EventSource reconnects by itself.",
		Tags: []string{"Orders"},
		Parameters: []*huma.Param{
			{Name: "id", In: "path", Required: true, Schema: str},
			{Name: "token", In: "query", Description: "A guest order's token (EventSource cannot send X-Order-Token).", Schema: str},
			{Name: order.HeaderOrderToken, In: "header", Description: "A guest order's token.", Schema: str},
			{Name: "last_event_id", In: "query", Description: "The last event id seen, when Last-Event-ID cannot be sent.", Schema: &huma.Schema{Type: huma.TypeInteger}},
			{Name: "Last-Event-ID", In: "header", Description: "The last event id seen (EventSource sends it when it reconnects).", Schema: &huma.Schema{Type: huma.TypeInteger}},
		},
		Responses: map[string]*huma.Response{
			"200": {Description: "The order's events.", Content: map[string]*huma.MediaType{"text/event-stream": {Schema: str}}},
			"404": {Description: "No such order, or not yours.", Content: map[string]*huma.MediaType{"application/problem+json": {}}},
		},
	})
}
