package web_test

import (
	"bufio"
	"context"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/web"
)

type ctxKey struct{}

// A streaming route outlives the request timeout and the server's
// deadlines, keeps the context's values, and still ends with its client;
// other routes keep their deadline.
func TestStreamingHasNoDeadline(t *testing.T) {
	rt := web.NewRouter(web.Options{Logger: slog.New(slog.DiscardHandler), RequestTimeout: 50 * time.Millisecond,
		Middleware: []func(http.Handler) http.Handler{func(next http.Handler) http.Handler {
			return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
				next.ServeHTTP(w, r.WithContext(context.WithValue(r.Context(), ctxKey{}, "v")))
			})
		}}})
	ended := make(chan error, 1)
	rt.Handle("GET /stream", web.Streaming(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Context().Value(ctxKey{}) != "v" {
			t.Error("the context lost its values")
		}
		if _, ok := r.Context().Deadline(); ok {
			t.Error("the stream has a deadline")
		}
		rc := http.NewResponseController(w)
		tick := time.NewTicker(20 * time.Millisecond)
		defer tick.Stop()
		for {
			select {
			case <-r.Context().Done():
				ended <- r.Context().Err()
				return
			case <-tick.C:
				if _, err := io.WriteString(w, "tick\n"); err != nil {
					ended <- err
					return
				}
				_ = rc.Flush()
			}
		}
	})))
	rt.Handle("GET /plain", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if _, ok := r.Context().Deadline(); !ok {
			t.Error("a plain route lost its deadline")
		}
	}))
	ts := httptest.NewUnstartedServer(rt.Handler())
	ts.Config.ReadTimeout = 50 * time.Millisecond
	ts.Config.WriteTimeout = 50 * time.Millisecond
	ts.Start()
	defer ts.Close()

	resp, err := http.Get(ts.URL + "/plain")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	ctx, cancel := context.WithCancel(context.Background())
	req, _ := http.NewRequestWithContext(ctx, http.MethodGet, ts.URL+"/stream", nil)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	br := bufio.NewReader(resp.Body)
	start := time.Now()
	for time.Since(start) < 300*time.Millisecond {
		if _, err := br.ReadString('\n'); err != nil {
			t.Fatalf("the stream broke after %s: %v", time.Since(start), err)
		}
	}
	cancel()
	select {
	case <-ended:
	case <-time.After(5 * time.Second):
		t.Fatal("the handler did not notice its client leave")
	}
}
