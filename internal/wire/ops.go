package wire

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"sync"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

// routeOps adds the operator endpoints: liveness, readiness, metrics.
func (a *App) routeOps() {
	a.Router.Handle("GET /healthz", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		writeJSON(w, http.StatusOK, map[string]any{"status": "ok", "version": Version})
	}))
	a.Router.HandleFunc("GET /readyz", a.readyz)
	a.Router.Handle("GET /metrics", a.Metrics.Handler())
}

type readiness struct {
	Status   string            `json:"status"`
	Services []string          `json:"services"`
	Checks   map[string]string `json:"checks"`
}

// readyz probes every dependency at once and names each that failed.
func (a *App) readyz(w http.ResponseWriter, r *http.Request) error {
	ctx, cancel := context.WithTimeout(r.Context(), readyTimeout)
	defer cancel()
	res := readiness{Status: "ready", Services: a.services, Checks: map[string]string{}}
	var (
		mu     sync.Mutex
		wg     sync.WaitGroup
		failed []string
	)
	for _, c := range a.checks {
		wg.Add(1)
		go func() {
			defer wg.Done()
			err := c.fn(ctx)
			mu.Lock()
			defer mu.Unlock()
			if err != nil {
				res.Checks[c.name] = "failing: " + err.Error()
				failed = append(failed, c.name)
				return
			}
			res.Checks[c.name] = "ok"
		}()
	}
	wg.Wait()
	if a.draining.Load() {
		return errs.Unavailable("shutting_down", "this process is shutting down")
	}
	if len(failed) > 0 {
		web.Logger(r.Context()).WarnContext(r.Context(), "not ready", "failing", failed, "checks", res.Checks)
		return errs.Unavailable("not_ready", "not ready: %s failing", strings.Join(failed, ", "))
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}
