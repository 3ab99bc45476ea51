package cataloghttp

import (
	"net/http"
	"strings"

	"github.com/bazaarshop/bazaar/internal/catalog/placeholder"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// RegisterMedia serves the generated placeholder pictures at
// GET /media/placeholder/{name}.svg.
func RegisterMedia(rt *web.Router) {
	rt.HandleFunc("GET "+placeholder.Prefix+"{file}", func(w http.ResponseWriter, r *http.Request) error {
		name, ok := strings.CutSuffix(r.PathValue("file"), ".svg")
		svg, found := placeholder.SVG(name)
		if !ok || !found {
			return errs.NotFound("media_not_found", "no such picture")
		}
		w.Header().Set("Content-Type", "image/svg+xml")
		// A name always draws the same picture.
		w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
		w.Header().Set("X-Content-Type-Options", "nosniff")
		_, err := w.Write(svg)
		return err
	})
}
