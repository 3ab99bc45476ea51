package main

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"strings"

	"github.com/bazaarshop/bazaar/internal/platform/config"
	"github.com/bazaarshop/bazaar/internal/platform/logging"
	"github.com/bazaarshop/bazaar/internal/wire"
)

// printOpenAPI writes the OpenAPI document of every API route to stdout, as
// /api/v1/openapi.json serves it, without a server or a data dir: it builds
// the whole app on a throwaway embedded store (no seed) and asks it. The
// storefront generates its API types from this (npm run gen:api).
func printOpenAPI(args, environ []string, stdout, stderr io.Writer) error {
	dir, err := os.MkdirTemp("", "bazaar-openapi-")
	if err != nil {
		return err
	}
	defer os.RemoveAll(dir)
	// The document must not depend on the caller's deployment: no BAZAAR_*
	// variable (a database URL) reaches this throwaway app.
	var env []string
	for _, kv := range environ {
		if !strings.HasPrefix(kv, "BAZAAR_") {
			env = append(env, kv)
		}
	}
	cfg, err := config.Load(append(args, "--data-dir", dir, "--seed", "off", "--log-level", "error"), env)
	if err != nil {
		return err
	}
	ctx := context.Background()
	app, err := wire.New(ctx, cfg, logging.New(stderr, cfg.LogFormat, cfg.LogLevel))
	if err != nil {
		return err
	}
	defer app.Close()
	rec := httptest.NewRecorder()
	app.Handler().ServeHTTP(rec, httptest.NewRequest(http.MethodGet, "/api/v1/openapi.json", nil))
	if rec.Code != http.StatusOK {
		return fmt.Errorf("the OpenAPI document answered %d: %s", rec.Code, rec.Body.String())
	}
	_, err = stdout.Write(rec.Body.Bytes())
	return err
}
