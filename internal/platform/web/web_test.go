package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/danielgtaylor/huma/v2"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/logging"
	"github.com/bazaarshop/bazaar/internal/platform/problem"
	"github.com/bazaarshop/bazaar/internal/platform/web"
)

var errOutOfStock = errs.Conflict("out_of_stock", "the item is out of stock")

type widgetIn struct {
	ID   string `path:"id"`
	Body struct {
		Name     string `json:"name" minLength:"1" maxLength:"20"`
		Quantity int    `json:"quantity" minimum:"1"`
	}
}

type widgetOut struct {
	Body struct {
		ID   string `json:"id"`
		Name string `json:"name"`
	}
}

// newTestServer serves a router with one typed operation, one plain handler
// that panics, and one that returns a domain error.
func newTestServer(t *testing.T, logs io.Writer) (*httptest.Server, *web.Metrics) {
	t.Helper()
	m := web.NewMetrics()
	rt := web.NewRouter(web.Options{
		Title: "test", Version: "1",
		Logger:       logging.New(logs, logging.FormatJSON, slog.LevelInfo),
		Metrics:      m,
		MaxBodyBytes: 1024,
	})
	huma.Register(rt.API, huma.Operation{
		OperationID: "put-widget", Method: http.MethodPost, Path: "/api/v1/widgets/{id}",
	}, func(ctx context.Context, in *widgetIn) (*widgetOut, error) {
		if in.ID == "sold-out" {
			return nil, errOutOfStock.With("widget sold-out has none left")
		}
		out := &widgetOut{}
		out.Body.ID, out.Body.Name = in.ID, in.Body.Name
		return out, nil
	})
	rt.HandleFunc("GET /boom", func(w http.ResponseWriter, r *http.Request) error { panic("kaboom") })
	rt.HandleFunc("GET /fail", func(w http.ResponseWriter, r *http.Request) error {
		return errors.New("database on fire")
	})
	rt.Handle("GET /metrics", m.Handler())
	srv := httptest.NewServer(rt.Handler())
	t.Cleanup(srv.Close)
	return srv, m
}

func do(t *testing.T, method, url, body string) (*http.Response, problem.Problem) {
	t.Helper()
	req, _ := http.NewRequest(method, url, strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var p problem.Problem
	raw, _ := io.ReadAll(resp.Body)
	if resp.StatusCode >= 400 {
		if ct := resp.Header.Get("Content-Type"); ct != problem.ContentType {
			t.Errorf("%s %s: content type %q, want %q (body %s)", method, url, ct, problem.ContentType, raw)
		}
		if err := json.Unmarshal(raw, &p); err != nil {
			t.Fatalf("%s %s: not a problem document: %s", method, url, raw)
		}
		if p.RequestID == "" || p.RequestID != resp.Header.Get(web.HeaderRequestID) {
			t.Errorf("problem request_id %q, header %q", p.RequestID, resp.Header.Get(web.HeaderRequestID))
		}
		if p.Status != resp.StatusCode {
			t.Errorf("problem status %d, response %d", p.Status, resp.StatusCode)
		}
	}
	return resp, p
}

func TestBadInputBecomesProblems(t *testing.T) {
	srv, _ := newTestServer(t, io.Discard)
	cases := []struct {
		name, method, path, body string
		status                   int
		code                     string
	}{
		{"ok", "POST", "/api/v1/widgets/w1", `{"name":"a","quantity":1}`, 200, ""},
		{"malformed json", "POST", "/api/v1/widgets/w1", `{"name":`, 400, "invalid_json"},
		{"wrong type", "POST", "/api/v1/widgets/w1", `{"name":5,"quantity":1}`, 400, "validation_failed"},
		{"rule broken", "POST", "/api/v1/widgets/w1", `{"name":"a","quantity":0}`, 400, "validation_failed"},
		{"unknown field", "POST", "/api/v1/widgets/w1", `{"name":"a","quantity":1,"x":1}`, 400, "validation_failed"},
		{"oversize", "POST", "/api/v1/widgets/w1", `{"name":"` + strings.Repeat("a", 2000) + `","quantity":1}`, 413, "body_too_large"},
		{"unknown route", "GET", "/api/v1/nope", "", 404, "route_not_found"},
		{"wrong method", "DELETE", "/api/v1/widgets/w1", "", 405, "method_not_allowed"},
		{"domain error", "POST", "/api/v1/widgets/sold-out", `{"name":"a","quantity":1}`, 409, "out_of_stock"},
		{"plain error hides its cause", "GET", "/fail", "", 500, "internal"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			resp, p := do(t, c.method, srv.URL+c.path, c.body)
			if resp.StatusCode != c.status {
				t.Fatalf("status %d, want %d (problem %+v)", resp.StatusCode, c.status, p)
			}
			if p.Code != c.code {
				t.Errorf("code %q, want %q (problem %+v)", p.Code, c.code, p)
			}
			if strings.Contains(p.Detail, "on fire") {
				t.Errorf("internal cause leaked to the client: %q", p.Detail)
			}
		})
	}
}

func TestWrongMethodNamesAllowed(t *testing.T) {
	srv, _ := newTestServer(t, io.Discard)
	resp, _ := do(t, "GET", srv.URL+"/api/v1/widgets/w1", "")
	if resp.StatusCode != 405 || resp.Header.Get("Allow") == "" {
		t.Fatalf("status %d, Allow %q", resp.StatusCode, resp.Header.Get("Allow"))
	}
}

func TestPanicIsA500AndServerKeepsServing(t *testing.T) {
	var logs bytes.Buffer
	srv, _ := newTestServer(t, &logs)
	resp, p := do(t, "GET", srv.URL+"/boom", "")
	if resp.StatusCode != 500 || p.Code != "internal" {
		t.Fatalf("status %d code %q", resp.StatusCode, p.Code)
	}
	if n := strings.Count(logs.String(), "panic in handler"); n != 1 {
		t.Errorf("panic logged %d times, want once: %s", n, logs.String())
	}
	if !strings.Contains(logs.String(), "goroutine") {
		t.Errorf("no stack in the panic log line")
	}
	resp, _ = do(t, "POST", srv.URL+"/api/v1/widgets/w2", `{"name":"b","quantity":2}`)
	if resp.StatusCode != 200 {
		t.Fatalf("after a panic: status %d", resp.StatusCode)
	}
}

func TestRequestIDEchoedAndOnLogLines(t *testing.T) {
	var logs bytes.Buffer
	srv, _ := newTestServer(t, &logs)
	req, _ := http.NewRequest("GET", srv.URL+"/fail", nil)
	req.Header.Set(web.HeaderRequestID, "abc-123")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if got := resp.Header.Get(web.HeaderRequestID); got != "abc-123" {
		t.Fatalf("X-Request-Id %q", got)
	}
	if resp.Header.Get("X-Content-Type-Options") != "nosniff" || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("security headers missing: %v", resp.Header)
	}
	// A hostile id is replaced, not echoed.
	req.Header.Set(web.HeaderRequestID, "evil\"id<script>")
	resp, _ = http.DefaultClient.Do(req)
	resp.Body.Close()
	if got := resp.Header.Get(web.HeaderRequestID); got == "" || strings.Contains(got, "evil") {
		t.Fatalf("hostile request id echoed: %q", got)
	}
	var n int
	for _, line := range strings.Split(strings.TrimSpace(logs.String()), "\n") {
		if strings.Contains(line, "abc-123") {
			n++
		}
	}
	// The access log line and the logged 500 cause both carry it.
	if n < 2 {
		t.Errorf("request id on %d log lines, want >= 2:\n%s", n, logs.String())
	}
}

func TestMetricsByRoutePattern(t *testing.T) {
	srv, _ := newTestServer(t, io.Discard)
	do(t, "POST", srv.URL+"/api/v1/widgets/w1", `{"name":"a","quantity":1}`)
	do(t, "GET", srv.URL+"/no/such/thing", "")
	resp, err := http.Get(srv.URL + "/metrics")
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`bazaar_http_requests_total{method="POST",route="POST /api/v1/widgets/{id}",status="200"} 1`,
		`bazaar_http_requests_total{method="GET",route="unmatched",status="404"} 1`,
		`bazaar_http_request_duration_seconds_bucket{method="POST",route="POST /api/v1/widgets/{id}",status="200",le=`,
		"go_goroutines",
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
}

func TestClientDecodesProblemIntoSameError(t *testing.T) {
	srv, _ := newTestServer(t, io.Discard)
	cl := web.NewClient(srv.URL)
	var out struct{ ID, Name string }
	err := cl.Do(context.Background(), web.Call{Method: "POST", Path: "/api/v1/widgets/sold-out", Body: map[string]any{"name": "a", "quantity": 1}}, &out)
	if !errors.Is(err, errOutOfStock) {
		t.Fatalf("err = %v, want errors.Is out_of_stock", err)
	}
	if errs.KindOf(err) != errs.KindConflict {
		t.Errorf("kind %v", errs.KindOf(err))
	}
	err = cl.Do(context.Background(), web.Call{Method: "POST", Path: "/api/v1/widgets/x", Body: map[string]any{"name": "", "quantity": 1}}, &out)
	var e *errs.Error
	if !errors.As(err, &e) || e.Kind != errs.KindInvalid || len(e.Fields) == 0 {
		t.Fatalf("validation error = %#v", err)
	}
	if err := cl.Do(context.Background(), web.Call{Method: "POST", Path: "/api/v1/widgets/w9", Body: map[string]any{"name": "n", "quantity": 1}}, &out); err != nil || out.ID != "w9" {
		t.Fatalf("ok call: %v %+v", err, out)
	}
	down := web.NewClient("http://127.0.0.1:1")
	if err := down.Do(context.Background(), web.Call{Method: "GET", Path: "/"}, nil); errs.KindOf(err) != errs.KindUnavailable {
		t.Fatalf("unreachable service: %v", err)
	}
}

func TestOpenAPIDocument(t *testing.T) {
	srv, _ := newTestServer(t, io.Discard)
	resp, err := http.Get(srv.URL + "/api/v1/openapi.json")
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var doc struct {
		OpenAPI string                     `json:"openapi"`
		Paths   map[string]json.RawMessage `json:"paths"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.1") || doc.Paths["/api/v1/widgets/{id}"] == nil {
		t.Fatalf("openapi %q paths %v", doc.OpenAPI, doc.Paths)
	}
}
