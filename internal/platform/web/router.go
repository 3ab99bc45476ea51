package web

import (
	"log/slog"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"
	"github.com/danielgtaylor/huma/v2/adapters/humago"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// APIPrefix is where every JSON route lives.
const APIPrefix = "/api/v1"

// Options configures a Router.
type Options struct {
	Title          string
	Version        string
	Logger         *slog.Logger
	Metrics        *Metrics      // nil: no metrics
	MaxBodyBytes   int64         // 0: 1 MiB
	RequestTimeout time.Duration // 0: no per-request deadline
	// Middleware runs inside the limits, just before routing, first entry
	// outermost (the Idempotency-Key layer goes here).
	Middleware []func(http.Handler) http.Handler
}

// Router is the process's one ServeMux with a huma API on it. Services add
// typed operations to API (they land in the OpenAPI document at
// /api/v1/openapi.json) and plain handlers with Handle.
type Router struct {
	mux      *http.ServeMux
	API      huma.API
	opts     Options
	fallback http.Handler
}

// NewRouter makes an empty router.
func NewRouter(o Options) *Router {
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 1 << 20
	}
	mux := http.NewServeMux()
	cfg := huma.DefaultConfig(o.Title, o.Version)
	cfg.OpenAPIPath = APIPrefix + "/openapi"
	cfg.DocsPath = APIPrefix + "/docs"
	cfg.SchemasPath = APIPrefix + "/schemas"
	cfg.Components.Schemas = huma.NewMapRegistry("#/components/schemas/", schemaName)
	// No $schema member in every response body: clients get plain JSON.
	cfg.CreateHooks = nil
	cfg.Info.Description = "Bazaar commerce API. Errors are RFC 9457 problem documents with a stable `code`; money is integer minor units with an ISO 4217 currency."
	return &Router{mux: mux, API: humago.New(mux, cfg), opts: o}
}

// Handle registers a plain handler on a ServeMux pattern ("GET /healthz").
func (rt *Router) Handle(pattern string, h http.Handler) { rt.mux.Handle(pattern, h) }

// SetFallback makes h answer the GET and HEAD requests that match no route
// and lie outside APIPrefix: the web storefront's pages, whose router runs in
// the browser. Unknown API routes stay 404 problem documents, and a path
// that has routes for other methods stays a 405.
func (rt *Router) SetFallback(h http.Handler) { rt.fallback = h }

// HandleFunc registers a handler that returns an error; the error is written
// as a problem document.
func (rt *Router) HandleFunc(pattern string, fn func(http.ResponseWriter, *http.Request) error) {
	rt.mux.Handle(pattern, Handler(fn))
}

// Handler adapts a function returning an error to an http.Handler.
func Handler(fn func(http.ResponseWriter, *http.Request) error) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if err := fn(w, r); err != nil {
			WriteError(w, r, err)
		}
	})
}

// Handler returns the router wrapped in the middleware stack, outermost first:
// request id, access log and metrics, panic recovery, body and time limits,
// Options.Middleware, route matching (unknown routes and wrong methods become problems).
func (rt *Router) Handler() http.Handler {
	var h http.Handler = http.HandlerFunc(rt.route)
	for i := len(rt.opts.Middleware) - 1; i >= 0; i-- {
		h = rt.opts.Middleware[i](h)
	}
	h = withLimits(rt.opts.MaxBodyBytes, rt.opts.RequestTimeout, h)
	h = withRecover(rt.opts.Logger, h)
	h = withAccessLog(rt.opts.Logger, rt.opts.Metrics, h)
	return withRequestID(rt.opts.Logger, h)
}

// route dispatches to the mux, answering 404 and 405 itself as problem
// documents (the mux's own are text/plain) and recording the matched pattern
// for metrics and logs.
func (rt *Router) route(w http.ResponseWriter, r *http.Request) {
	h, pattern := rt.mux.Handler(r)
	if pattern == "" {
		// The mux's not-found and method-not-allowed handlers set Allow and a
		// status; run them against a recorder and answer with a problem.
		rec := &headerRecorder{header: http.Header{}}
		h.ServeHTTP(rec, r)
		switch rec.status {
		case http.StatusMethodNotAllowed:
			w.Header().Set("Allow", rec.header.Get("Allow"))
			WriteError(w, r, errs.E(errs.KindMethodNotAllowed, "method_not_allowed", "%s is not allowed on %s; allowed: %s", r.Method, r.URL.Path, rec.header.Get("Allow")))
		case http.StatusMovedPermanently, http.StatusTemporaryRedirect, http.StatusPermanentRedirect:
			// Path cleaning redirects ("/a//b" → "/a/b") are fine as they are.
			for k, v := range rec.header {
				w.Header()[k] = v
			}
			w.WriteHeader(rec.status)
		default:
			if rt.fallback != nil && (r.Method == http.MethodGet || r.Method == http.MethodHead) &&
				r.URL.Path != APIPrefix && !strings.HasPrefix(r.URL.Path, APIPrefix+"/") {
				if ri, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
					ri.pattern = fallbackPattern
				}
				rt.fallback.ServeHTTP(w, r)
				return
			}
			WriteError(w, r, errs.NotFound("route_not_found", "no route for %s %s", r.Method, r.URL.Path))
		}
		return
	}
	if ri, ok := r.Context().Value(infoKey{}).(*reqInfo); ok {
		ri.pattern = pattern
	}
	// Through the mux again rather than h directly: only ServeHTTP fills in
	// the request's path values.
	rt.mux.ServeHTTP(w, r)
}

// fallbackPattern labels the fallback's requests in metrics and logs: one
// label for every page path, so page URLs cannot blow up metric cardinality.
const fallbackPattern = "GET /{page...}"

// headerRecorder captures what the mux's fallback handlers write.
type headerRecorder struct {
	header http.Header
	status int
}

func (h *headerRecorder) Header() http.Header         { return h.header }
func (h *headerRecorder) Write(b []byte) (int, error) { return len(b), nil }
func (h *headerRecorder) WriteHeader(s int)           { h.status = s }
