package main

import (
	"context"
	"crypto/tls"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os/signal"
	"syscall"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/config"
	"github.com/bazaarshop/bazaar/internal/platform/logging"
	"github.com/bazaarshop/bazaar/internal/wire"
)

// serve runs the shop until SIGINT or SIGTERM, then drains: the listener
// closes, in-flight requests finish, background workers finish the messages
// they hold, stores close. Each step is bounded by the shutdown timeout.
func serve(args, environ []string, stdout, stderr io.Writer) error {
	cfg, err := config.Load(args, environ)
	if err != nil {
		return err
	}
	log := logging.New(stderr, cfg.LogFormat, cfg.LogLevel)
	slog.SetDefault(log)

	ctx, stop := signal.NotifyContext(context.Background(), syscall.SIGINT, syscall.SIGTERM)
	defer stop()
	go func() {
		<-ctx.Done()
		stop() // from now on a second signal kills at once
	}()

	start := time.Now()
	app, err := wire.New(ctx, cfg, log)
	if err != nil {
		return err
	}
	ln, err := net.Listen("tcp", cfg.Addr)
	if err != nil {
		app.Close()
		return fmt.Errorf("listen on %s: %w", cfg.Addr, err)
	}
	return serveApp(ctx, cfg, log, app, ln, stdout, start)
}

// serveApp serves app on ln until ctx is done, then shuts down in order:
// not ready, no new connections, in-flight requests finish, workers finish
// their messages, stores close.
func serveApp(ctx context.Context, cfg *config.Config, log *slog.Logger, app *wire.App, ln net.Listener, stdout io.Writer, start time.Time) error {
	defer app.Close()
	srv := &http.Server{
		Handler:           app.Handler(),
		ReadHeaderTimeout: 10 * time.Second,
		ReadTimeout:       cfg.RequestTimeout,
		IdleTimeout:       2 * time.Minute,
		MaxHeaderBytes:    64 << 10,
		ErrorLog:          slog.NewLogLogger(log.Handler(), slog.LevelWarn),
	}
	scheme := "http"
	if cfg.TLSCertFile != "" {
		scheme = "https"
		srv.TLSConfig = &tls.Config{MinVersion: tls.VersionTLS12}
	}

	workerCtx, stopWorkers := context.WithCancel(context.Background())
	defer stopWorkers()
	workersDone := make(chan error, 1)
	go func() { workersDone <- app.Run(workerCtx) }()

	serveErr := make(chan error, 1)
	go func() {
		if scheme == "https" {
			serveErr <- srv.ServeTLS(ln, cfg.TLSCertFile, cfg.TLSKeyFile)
		} else {
			serveErr <- srv.Serve(ln)
		}
	}()

	mode := "embedded, data in " + cfg.DataDir
	if !cfg.Embedded() {
		mode = "production"
	}
	fmt.Fprintf(stdout, "Bazaar is running at %s://%s (%s)\n", scheme, ln.Addr(), mode)
	log.Info("started", "addr", ln.Addr().String(), "services", cfg.Services, "mode", mode, "startup", time.Since(start).Round(time.Millisecond).String())

	select {
	case <-ctx.Done():
	case err := <-serveErr:
		return fmt.Errorf("http server: %w", err)
	case err := <-workersDone:
		// A worker failing for good means the process can't do its job;
		// exit so the supervisor restarts it.
		if err == nil {
			err = errors.New("background workers stopped")
		}
		return err
	}

	log.Info("shutting down", "timeout", cfg.ShutdownTimeout.String())
	app.Drain()
	shutdownCtx, cancel := context.WithTimeout(context.Background(), cfg.ShutdownTimeout)
	defer cancel()
	if err := srv.Shutdown(shutdownCtx); err != nil {
		log.Warn("in-flight requests cut off", "error", err)
	}
	stopWorkers()
	select {
	case err := <-workersDone:
		if err != nil {
			log.Warn("worker error at shutdown", "error", err)
		}
	case <-shutdownCtx.Done():
		log.Warn("workers did not stop in time")
	}
	if err := app.Close(); err != nil {
		log.Warn("close", "error", err)
	}
	log.Info("stopped")
	return nil
}
