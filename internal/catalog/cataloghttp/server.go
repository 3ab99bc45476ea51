// Package cataloghttp serves catalog.Service over HTTP and is a client of the
// same interface, so a caller cannot tell a remote catalogue from Core.
package cataloghttp

import (
	"net/http"
	"reflect"
	"strings"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/catalog"
)

// Paths of the catalogue's API.
const (
	pathProducts    = "/api/v1/products"
	pathCategories  = "/api/v1/categories"
	pathCollections = "/api/v1/collections"
	pathSuggest     = "/api/v1/search/suggest"
	pathSKUs        = "/api/v1/skus"
	pathAdmin       = "/api/v1/admin"
)

// Options configures Register.
type Options struct {
	// Admin guards the /api/v1/admin operations (a bearer token check, then
	// the staff role). Without it the admin API is not registered at all.
	Admin huma.Middlewares
	// CacheControl is sent with public reads ("public, max-age=1": clients
	// and CDNs may reuse a page for a second, then revalidate with its ETag).
	CacheControl string
}

// Register adds the catalogue's operations to api.
func Register(api huma.API, svc catalog.Service, opts Options) {
	if opts.CacheControl == "" {
		opts.CacheControl = "public, max-age=1"
	}
	s := &server{svc: svc, opts: opts}
	s.registerPublic(api)
	if opts.Admin != nil {
		s.registerAdmin(api)
	}
}

type server struct {
	svc  catalog.Service
	opts Options
}

// cachedOut is the answer of a public read: the JSON body with its ETag,
// or 304 with no body when the client's copy is current.
type cachedOut struct {
	Status       int
	ETag         string `header:"ETag"`
	CacheControl string `header:"Cache-Control"`
	ContentType  string `header:"Content-Type"`
	Body         []byte
}

// conditional answers with body, or 304 when If-None-Match names its ETag.
func (s *server) conditional(ifNoneMatch string, body []byte) *cachedOut {
	return s.conditionalEncoded(ifNoneMatch, catalog.Encoded{Body: body, ETag: catalog.ETag(body)})
}

func (s *server) conditionalEncoded(ifNoneMatch string, e catalog.Encoded) *cachedOut {
	body, etag := e.Body, e.ETag
	out := &cachedOut{Status: http.StatusOK, ETag: etag, CacheControl: s.opts.CacheControl, ContentType: "application/json"}
	if etagMatches(ifNoneMatch, etag) {
		out.Status = http.StatusNotModified
		return out
	}
	out.Body = body
	return out
}

// etagMatches applies If-None-Match's weak comparison: W/ prefixes do not
// matter, and * matches anything.
func etagMatches(header, etag string) bool {
	for _, v := range strings.Split(header, ",") {
		v = strings.TrimPrefix(strings.TrimSpace(v), "W/")
		if v == "*" || v == etag {
			return true
		}
	}
	return false
}

// bodyResponse documents an operation whose handler writes JSON bytes
// itself as answering with a T.
func bodyResponse[T any](api huma.API) map[string]*huma.Response {
	schema := api.OpenAPI().Components.Schemas.Schema(reflect.TypeFor[T](), true, "")
	return map[string]*huma.Response{
		"200": {
			Description: "OK",
			Content:     map[string]*huma.MediaType{"application/json": {Schema: schema}},
		},
		"304": {Description: "Not Modified: the ETag sent in If-None-Match is current."},
	}
}
