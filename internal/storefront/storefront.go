// Package storefront serves the web shop's built files (web/storefront,
// built by Vite into dist/ and embedded here): hashed assets with a year-long
// immutable cache, and index.html for every other page path so the
// single-page app's own router can answer it. A binary built before the
// assets serves a page saying how to build them instead.
package storefront

import (
	"bytes"
	"embed"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"time"
)

//go:embed all:dist
var embedded embed.FS

// Dist is the embedded build output, rooted at dist/.
func Dist() fs.FS {
	sub, err := fs.Sub(embedded, "dist")
	if err != nil {
		panic(err) // dist/ is always embedded (it holds at least .gitkeep)
	}
	return sub
}

// Handler serves the embedded storefront.
func Handler() http.Handler { return New(Dist()) }

// reserved are the paths the storefront never answers: they belong to the
// API and the operator endpoints, whose unknown routes must stay 404s.
var reserved = []string{"/api/", "/healthz", "/readyz", "/metrics", "/media/"}

// IsReserved reports whether p belongs to the API or the operator endpoints
// rather than to the storefront.
func IsReserved(p string) bool {
	for _, r := range reserved {
		if p == strings.TrimSuffix(r, "/") || strings.HasPrefix(p, r) {
			return true
		}
	}
	return false
}

// New serves the storefront built into files (the contents of dist/):
//   - /assets/…: Vite's content-hashed files, cached for a year as immutable;
//     a missing one is a plain 404 (never index.html, which a browser would
//     try to run as a script);
//   - other files at the root (favicon.svg, robots.txt): as they are, revalidated;
//   - every other GET or HEAD path not reserved for the API: index.html,
//     never cached, so a deploy shows at the next navigation;
//   - no index.html in files: a page saying the storefront is not built.
func New(files fs.FS) http.Handler {
	index, err := fs.ReadFile(files, "index.html")
	if err != nil {
		return notBuilt{}
	}
	fileServer := http.FileServerFS(files)
	started := time.Now()
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Method != http.MethodGet && r.Method != http.MethodHead {
			w.Header().Set("Allow", "GET, HEAD")
			http.Error(w, "method not allowed", http.StatusMethodNotAllowed)
			return
		}
		p := path.Clean("/" + r.URL.Path)
		if IsReserved(p) {
			http.NotFound(w, r)
			return
		}
		if strings.HasPrefix(p, "/assets/") {
			if !isFile(files, p) {
				http.NotFound(w, r)
				return
			}
			w.Header().Set("Cache-Control", "public, max-age=31536000, immutable")
			fileServer.ServeHTTP(w, r)
			return
		}
		if p != "/" && p != "/index.html" && isFile(files, p) {
			w.Header().Set("Cache-Control", "public, max-age=3600")
			fileServer.ServeHTTP(w, r)
			return
		}
		w.Header().Set("Cache-Control", "no-cache")
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		http.ServeContent(w, r, "index.html", started, bytes.NewReader(index))
	})
}

// isFile reports whether p (cleaned, absolute) names a regular file in files.
func isFile(files fs.FS, p string) bool {
	st, err := fs.Stat(files, strings.TrimPrefix(p, "/"))
	return err == nil && st.Mode().IsRegular()
}

// notBuilt answers every page request of a binary built without the
// storefront's assets.
type notBuilt struct{}

const notBuiltPage = `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Bazaar: storefront not built</title>
<style>body{font:16px/1.5 system-ui,sans-serif;max-width:40rem;margin:4rem auto;padding:0 1rem;color:#1a1a1a}code{background:#f1f1f1;padding:.1em .3em;border-radius:3px}</style>
</head><body>
<h1>The storefront is not built</h1>
<p>The storefront is not built: run <code>make run</code> (or <code>make storefront</code>) and start the binary again.</p>
<p>The API is up: see <a href="/api/v1/docs">/api/v1/docs</a>.</p>
</body></html>
`

func (notBuilt) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if IsReserved(path.Clean("/" + r.URL.Path)) {
		http.NotFound(w, r)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(http.StatusServiceUnavailable)
	if r.Method != http.MethodHead {
		_, _ = w.Write([]byte(notBuiltPage))
	}
}
