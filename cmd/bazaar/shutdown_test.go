package main

import (
	"context"
	"io"
	"net"
	"net/http"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/config"
	"github.com/bazaarshop/bazaar/internal/platform/logging"
	"github.com/bazaarshop/bazaar/internal/wire"
)

// A request in flight when the shutdown starts still gets its answer, and
// the process reports not-ready meanwhile.
func TestShutdownFinishesInFlightRequests(t *testing.T) {
	cfg, err := config.Load([]string{"--data-dir", t.TempDir(), "--seed", "off"}, nil)
	if err != nil {
		t.Fatal(err)
	}
	log := logging.New(io.Discard, logging.FormatJSON, 0)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	app, err := wire.New(ctx, cfg, log)
	if err != nil {
		t.Fatal(err)
	}
	entered := make(chan struct{})
	release := make(chan struct{})
	app.Router.Handle("GET /test/slow", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		close(entered)
		<-release
		_, _ = io.WriteString(w, "finished")
	}))
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	url := "http://" + ln.Addr().String()
	served := make(chan error, 1)
	go func() { served <- serveApp(ctx, cfg, log, app, ln, io.Discard, time.Now()) }()

	got := make(chan string, 1)
	go func() {
		resp, err := http.Get(url + "/test/slow")
		if err != nil {
			got <- "error: " + err.Error()
			return
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		got <- string(b)
	}()
	<-entered
	cancel() // as SIGTERM does

	// While the slow request runs, the server is draining: /readyz on a
	// still-open keep-alive connection would say 503; a new connection is
	// refused once the listener is closed. Wait for the listener to close.
	deadline := time.Now().Add(5 * time.Second)
	for {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			break
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatal("listener still open after shutdown began")
		}
		time.Sleep(10 * time.Millisecond)
	}
	select {
	case err := <-served:
		t.Fatalf("serve returned (%v) before the in-flight request finished", err)
	case <-time.After(100 * time.Millisecond):
	}
	close(release)
	if body := <-got; body != "finished" {
		t.Fatalf("in-flight request got %q", body)
	}
	if err := <-served; err != nil {
		t.Fatalf("serve: %v", err)
	}
}
