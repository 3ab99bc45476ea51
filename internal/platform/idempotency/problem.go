package idempotency

import (
	"net/http"

	"github.com/bazaarshop/bazaar/internal/platform/problem"
)

// writeProblem is the default Options.WriteError: the shared problem
// document, without the request id the web layer adds.
func writeProblem(w http.ResponseWriter, r *http.Request, err error) {
	problem.Write(w, problem.From(err, "", r.URL.Path))
}
