package idempotency_test

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/idempotency"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// orders is the handler under the middleware: it counts its calls and
// answers each with a body that differs from call to call, so a replay is
// told apart from a second run.
type orders struct {
	calls   atomic.Int64
	entered chan struct{} // receives once per call, when set
	release chan struct{} // the first call waits for it to close, when set
	status  func(call int64) int
}

func (o *orders) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	n := o.calls.Add(1)
	body, _ := io.ReadAll(r.Body)
	if o.entered != nil {
		o.entered <- struct{}{}
	}
	if o.release != nil && n == 1 {
		<-o.release
	}
	status := http.StatusCreated
	if o.status != nil {
		status = o.status(n)
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Location", fmt.Sprintf("/orders/%d", n))
	w.Header().Set("X-Call", fmt.Sprint(n)) // not a replayed header
	w.WriteHeader(status)
	fmt.Fprintf(w, "{\"order\":%d,\"at\":%d,\"echo\":%q}\n", n, time.Now().UnixNano(), body)
}

type clock struct{ now atomic.Int64 }

func (c *clock) Now() time.Time          { return time.Unix(0, c.now.Load()) }
func (c *clock) Advance(d time.Duration) { c.now.Add(int64(d)) }

type fixture struct {
	store  *idempotency.Store
	orders *orders
	clock  *clock
	srv    *httptest.Server
}

func newFixture(t *testing.T, db *sqldb.DB, opts idempotency.Options) *fixture {
	t.Helper()
	f := &fixture{store: newStore(t, db), orders: &orders{}, clock: &clock{}}
	f.clock.now.Store(t0.UnixNano())
	if opts.Now == nil {
		opts.Now = f.clock.Now
	}
	if opts.Logger == nil {
		opts.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	mw := idempotency.Middleware(f.store, opts)
	mux := http.NewServeMux()
	mux.Handle("/orders", mw(f.orders))
	mux.Handle("POST /carts/{id}/items", mw(f.orders))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

type result struct {
	status int
	header http.Header
	body   string
}

func (r result) replayed() bool { return r.header.Get(idempotency.HeaderReplayed) == "true" }

func (r result) code() string {
	var p struct{ Code string }
	_ = json.Unmarshal([]byte(r.body), &p)
	return p.Code
}

func (f *fixture) do(t *testing.T, method, path, key, body string, header ...string) result {
	t.Helper()
	req, err := http.NewRequest(method, f.srv.URL+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	if key != "" {
		req.Header.Set(idempotency.HeaderKey, key)
	}
	for i := 0; i+1 < len(header); i += 2 {
		req.Header.Add(header[i], header[i+1])
	}
	resp, err := f.srv.Client().Do(req)
	if err != nil {
		t.Errorf("%s %s: %v", method, path, err)
		return result{}
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Errorf("read body: %v", err)
	}
	return result{resp.StatusCode, resp.Header, string(b)}
}

func (f *fixture) post(t *testing.T, key, body string, header ...string) result {
	t.Helper()
	return f.do(t, http.MethodPost, "/orders", key, body, header...)
}

func forEachFixture(t *testing.T, opts idempotency.Options, fn func(t *testing.T, f *fixture)) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) { fn(t, newFixture(t, db, opts)) })
}

func assertProblem(t *testing.T, r result, status int, code string) {
	t.Helper()
	if r.status != status || r.code() != code {
		t.Fatalf("got %d %q (%s), want %d %q", r.status, r.code(), r.body, status, code)
	}
	if ct := r.header.Get("Content-Type"); ct != "application/problem+json" {
		t.Fatalf("Content-Type %q, want application/problem+json", ct)
	}
}

func TestReplaySameBody(t *testing.T) {
	forEachFixture(t, idempotency.Options{}, func(t *testing.T, f *fixture) {
		first := f.post(t, "key-1", `{"sku":"A"}`)
		if first.status != http.StatusCreated || first.replayed() {
			t.Fatalf("first = %d replayed=%v, want a fresh 201", first.status, first.replayed())
		}
		if first.header.Get("X-Call") != "1" {
			t.Fatal("the first response must carry every header the handler set")
		}
		for range 2 {
			again := f.post(t, "key-1", `{"sku":"A"}`)
			if !again.replayed() {
				t.Fatalf("repeat lacks %s: true", idempotency.HeaderReplayed)
			}
			if again.status != first.status || again.body != first.body {
				t.Fatalf("replay = %d %q, want %d %q", again.status, again.body, first.status, first.body)
			}
			for _, h := range []string{"Content-Type", "Location"} {
				if again.header.Get(h) != first.header.Get(h) {
					t.Errorf("replayed %s = %q, want %q", h, again.header.Get(h), first.header.Get(h))
				}
			}
		}
		if n := f.orders.calls.Load(); n != 1 {
			t.Fatalf("handler ran %d times, want 1", n)
		}
		// The handler read the body the middleware had already consumed.
		if !strings.Contains(first.body, `"echo":"{\"sku\":\"A\"}"`) {
			t.Fatalf("handler saw another body: %s", first.body)
		}
	})
}

func TestReuseWithOtherRequestIsRefused(t *testing.T) {
	forEachFixture(t, idempotency.Options{}, func(t *testing.T, f *fixture) {
		if r := f.post(t, "key-1", `{"sku":"A"}`); r.status != http.StatusCreated {
			t.Fatalf("first = %d", r.status)
		}
		assertProblem(t, f.post(t, "key-1", `{"sku":"B"}`), http.StatusUnprocessableEntity, "idempotency_key_reused")
		assertProblem(t, f.do(t, http.MethodPost, "/orders?express=1", "key-1", `{"sku":"A"}`), http.StatusUnprocessableEntity, "idempotency_key_reused")
		if n := f.orders.calls.Load(); n != 1 {
			t.Fatalf("handler ran %d times, want 1", n)
		}
	})
}

// Keys belong to a caller and a route: the same key elsewhere is another request.
func TestDefaultScope(t *testing.T) {
	forEachFixture(t, idempotency.Options{}, func(t *testing.T, f *fixture) {
		runs := []struct {
			name   string
			path   string
			header []string
		}{
			{"anonymous", "/orders", nil},
			{"bearer alice", "/orders", []string{"Authorization", "Bearer alice"}},
			{"bearer bob", "/orders", []string{"Authorization", "Bearer bob"}},
			{"session cookie", "/orders", []string{"Cookie", "session=s1"}},
			{"other session", "/orders", []string{"Cookie", "session=s2; theme=dark"}},
			{"cart 1", "/carts/1/items", nil},
			{"cart 2", "/carts/2/items", nil}, // same route pattern, other path: another request
		}
		for i, run := range runs {
			r := f.do(t, http.MethodPost, run.path, "shared-key", `{}`, run.header...)
			if run.name == "cart 2" {
				assertProblem(t, r, http.StatusUnprocessableEntity, "idempotency_key_reused")
				continue
			}
			if r.status != http.StatusCreated || r.replayed() || f.orders.calls.Load() != int64(i+1) {
				t.Fatalf("%s: %d replayed=%v after %d calls; want its own run", run.name, r.status, r.replayed(), f.orders.calls.Load())
			}
		}
		// Cookies other than the session do not change the caller.
		if r := f.post(t, "shared-key", `{}`, "Cookie", "theme=light; session=s2"); !r.replayed() {
			t.Fatal("the same session with another cookie must replay")
		}
	})
}

func TestCustomScope(t *testing.T) {
	opts := idempotency.Options{Scope: func(r *http.Request) string { return r.Header.Get("X-Tenant") }}
	forEachFixture(t, opts, func(t *testing.T, f *fixture) {
		f.post(t, "k", `{}`, "X-Tenant", "a", "Authorization", "Bearer 1")
		if r := f.post(t, "k", `{}`, "X-Tenant", "a", "Authorization", "Bearer 2"); !r.replayed() {
			t.Fatal("same scope must replay whatever the credentials")
		}
		if r := f.post(t, "k", `{}`, "X-Tenant", "b"); r.replayed() {
			t.Fatal("another scope must not replay")
		}
	})
}

func TestConcurrentDuplicateIsTold409(t *testing.T) {
	forEachFixture(t, idempotency.Options{}, func(t *testing.T, f *fixture) {
		f.orders.entered = make(chan struct{}, 1)
		f.orders.release = make(chan struct{})
		firstc := make(chan result, 1)
		go func() { firstc <- f.post(t, "key-1", `{"sku":"A"}`) }()
		<-f.orders.entered

		dup := f.post(t, "key-1", `{"sku":"A"}`)
		assertProblem(t, dup, http.StatusConflict, "idempotency_request_in_progress")
		if dup.header.Get("Retry-After") == "" {
			t.Error("409 in progress should say when to retry")
		}
		// A different body is a client error even while the first runs.
		assertProblem(t, f.post(t, "key-1", `{"sku":"B"}`), http.StatusUnprocessableEntity, "idempotency_key_reused")

		close(f.orders.release)
		first := <-firstc
		if first.status != http.StatusCreated {
			t.Fatalf("first = %d", first.status)
		}
		if again := f.post(t, "key-1", `{"sku":"A"}`); !again.replayed() || again.body != first.body {
			t.Fatalf("after the first finished: %d replayed=%v", again.status, again.replayed())
		}
		if n := f.orders.calls.Load(); n != 1 {
			t.Fatalf("handler ran %d times, want 1", n)
		}
	})
}

// Twenty identical requests at once while the first is held: exactly one
// runs, the other nineteen are told 409, and the winner's answer is stored.
func TestConcurrentIdenticalRequestsRunOnce(t *testing.T) {
	forEachFixture(t, idempotency.Options{}, func(t *testing.T, f *fixture) {
		const n = 20
		f.orders.entered = make(chan struct{}, n)
		f.orders.release = make(chan struct{})
		results := make(chan result, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				<-start
				results <- f.post(t, "key-20", `{"sku":"A","qty":1}`)
			})
		}
		close(start)
		for range n - 1 {
			assertProblem(t, <-results, http.StatusConflict, "idempotency_request_in_progress")
		}
		close(f.orders.release)
		wg.Wait()
		winner := <-results
		if winner.status != http.StatusCreated || winner.replayed() {
			t.Fatalf("winner = %d replayed=%v", winner.status, winner.replayed())
		}
		if calls := f.orders.calls.Load(); calls != 1 {
			t.Fatalf("handler ran %d times, want 1", calls)
		}
		if again := f.post(t, "key-20", `{"sku":"A","qty":1}`); again.body != winner.body {
			t.Fatalf("replay %q, want %q", again.body, winner.body)
		}
	})
}

// Without a hold the requests interleave freely: each one either replays
// the single run's response or is told 409.
func TestConcurrentRacingRequestsRunOnce(t *testing.T) {
	forEachFixture(t, idempotency.Options{}, func(t *testing.T, f *fixture) {
		const n = 20
		results := make(chan result, n)
		start := make(chan struct{})
		var wg sync.WaitGroup
		for range n {
			wg.Go(func() {
				<-start
				results <- f.post(t, "key-race", `{"sku":"A"}`)
			})
		}
		close(start)
		wg.Wait()
		close(results)
		var created []string
		for r := range results {
			switch r.status {
			case http.StatusCreated:
				created = append(created, r.body)
			case http.StatusConflict:
			default:
				t.Fatalf("unexpected %d %s", r.status, r.body)
			}
		}
		if calls := f.orders.calls.Load(); calls != 1 {
			t.Fatalf("handler ran %d times, want 1", calls)
		}
		for _, b := range created {
			if b != created[0] {
				t.Fatalf("two different 201 bodies: %q and %q", created[0], b)
			}
		}
	})
}

func TestFailuresAreNotStored(t *testing.T) {
	for _, status := range []int{http.StatusInternalServerError, http.StatusServiceUnavailable, http.StatusTooManyRequests} {
		t.Run(fmt.Sprint(status), func(t *testing.T) {
			forEachFixture(t, idempotency.Options{}, func(t *testing.T, f *fixture) {
				f.orders.status = func(call int64) int {
					if call == 1 {
						return status
					}
					return http.StatusCreated
				}
				if r := f.post(t, "key-1", `{}`); r.status != status || r.replayed() {
					t.Fatalf("first = %d replayed=%v, want %d", r.status, r.replayed(), status)
				}
				retry := f.post(t, "key-1", `{}`)
				if retry.status != http.StatusCreated || retry.replayed() {
					t.Fatalf("retry = %d replayed=%v, want a fresh 201", retry.status, retry.replayed())
				}
				if r := f.post(t, "key-1", `{}`); !r.replayed() || r.body != retry.body {
					t.Fatal("the successful retry must be stored")
				}
				if n := f.orders.calls.Load(); n != 2 {
					t.Fatalf("handler ran %d times, want 2", n)
				}
			})
		})
	}
}

// Client errors are outcomes too: a 4xx is replayed, not rerun.
func TestClientErrorIsStored(t *testing.T) {
	forEachFixture(t, idempotency.Options{}, func(t *testing.T, f *fixture) {
		f.orders.status = func(int64) int { return http.StatusConflict }
		first := f.post(t, "key-1", `{}`)
		if r := f.post(t, "key-1", `{}`); r.status != http.StatusConflict || !r.replayed() || r.body != first.body {
			t.Fatalf("repeat = %d replayed=%v, want the stored 409", r.status, r.replayed())
		}
	})
}

func TestPanicReleasesClaim(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		store := newStore(t, db)
		var calls atomic.Int64
		h := idempotency.Middleware(store, idempotency.Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if calls.Add(1) == 1 {
				panic("handler bug")
			}
			w.WriteHeader(http.StatusCreated)
		}))
		serve := func() (rec *httptest.ResponseRecorder, recovered any) {
			defer func() { recovered = recover() }()
			rec = httptest.NewRecorder()
			req := httptest.NewRequest(http.MethodPost, "/orders", strings.NewReader("{}"))
			req.Header.Set(idempotency.HeaderKey, "key-1")
			h.ServeHTTP(rec, req)
			return rec, nil
		}
		if _, p := serve(); p != "handler bug" {
			t.Fatalf("recovered %v, want the handler's panic passed on", p)
		}
		rec, p := serve()
		if p != nil || rec.Code != http.StatusCreated {
			t.Fatalf("retry after a panic = %d (panic %v), want a fresh 201", rec.Code, p)
		}
	})
}

func TestRequestsWithoutKeyPassThrough(t *testing.T) {
	forEachFixture(t, idempotency.Options{}, func(t *testing.T, f *fixture) {
		for range 2 {
			if r := f.post(t, "", `{}`); r.status != http.StatusCreated || r.replayed() {
				t.Fatalf("no key: %d replayed=%v", r.status, r.replayed())
			}
		}
		// Only POST and PATCH are covered; a GET with a key is served as is.
		for range 2 {
			if r := f.do(t, http.MethodGet, "/orders", "key-1", ""); r.replayed() {
				t.Fatal("GET must not be replayed")
			}
		}
		if n := f.orders.calls.Load(); n != 4 {
			t.Fatalf("handler ran %d times, want 4", n)
		}
		if r := f.do(t, http.MethodPatch, "/orders", "key-p", `{"a":1}`); r.replayed() {
			t.Fatal("first PATCH replayed")
		}
		if r := f.do(t, http.MethodPatch, "/orders", "key-p", `{"a":1}`); !r.replayed() {
			t.Fatal("PATCH with a key must replay")
		}
	})
}

func TestInvalidKey(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		store := newStore(t, db)
		var calls atomic.Int64
		h := idempotency.Middleware(store, idempotency.Options{})(http.HandlerFunc(func(http.ResponseWriter, *http.Request) {
			calls.Add(1)
		}))
		tests := []struct {
			name string
			keys []string
			ok   bool
		}{
			{"empty", []string{""}, false},
			{"too long", []string{strings.Repeat("k", 256)}, false},
			{"not ascii", []string{"ключ"}, false},
			{"control character", []string{"a\tb"}, false},
			{"sent twice", []string{"a", "b"}, false},
			{"longest", []string{strings.Repeat("k", 255)}, true},
			{"one character", []string{"k"}, true},
			{"printable with space", []string{"order 42 ~!@#$%^&*()"}, true},
		}
		for _, tt := range tests {
			t.Run(tt.name, func(t *testing.T) {
				before := calls.Load()
				req := httptest.NewRequest(http.MethodPost, "/orders", strings.NewReader("{}"))
				req.Header[idempotency.HeaderKey] = tt.keys
				rec := httptest.NewRecorder()
				h.ServeHTTP(rec, req)
				r := result{rec.Code, rec.Header(), rec.Body.String()}
				if tt.ok {
					if r.status != http.StatusOK || calls.Load() != before+1 {
						t.Fatalf("valid key refused: %d %s", r.status, r.body)
					}
					return
				}
				assertProblem(t, r, http.StatusBadRequest, "invalid_idempotency_key")
				if calls.Load() != before {
					t.Fatal("the handler ran for an invalid key")
				}
			})
		}
	})
}

func TestBodyTooLarge(t *testing.T) {
	forEachFixture(t, idempotency.Options{MaxBodyBytes: 16}, func(t *testing.T, f *fixture) {
		assertProblem(t, f.post(t, "key-1", strings.Repeat("x", 17)), http.StatusRequestEntityTooLarge, "request_too_large")
		if r := f.post(t, "key-2", strings.Repeat("x", 16)); r.status != http.StatusCreated {
			t.Fatalf("a body at the limit = %d, want 201", r.status)
		}
		if n := f.orders.calls.Load(); n != 1 {
			t.Fatalf("handler ran %d times, want 1", n)
		}
	})
}

func TestExpiry(t *testing.T) {
	forEachFixture(t, idempotency.Options{TTL: time.Hour}, func(t *testing.T, f *fixture) {
		ctx := context.Background()
		f.post(t, "key-1", `{}`)
		f.post(t, "key-2", `{}`)
		f.clock.Advance(time.Hour - time.Second)
		if r := f.post(t, "key-1", `{}`); !r.replayed() {
			t.Fatal("replay within the TTL expected")
		}
		if n, err := f.store.Sweep(ctx, f.clock.Now()); err != nil || n != 0 {
			t.Fatalf("early sweep = %d, %v; want 0", n, err)
		}

		f.clock.Advance(time.Second)
		if n, err := f.store.Sweep(ctx, f.clock.Now()); err != nil || n != 2 {
			t.Fatalf("sweep at expiry = %d, %v; want 2", n, err)
		}
		if r := f.post(t, "key-1", `{}`); r.replayed() || r.status != http.StatusCreated {
			t.Fatalf("after the sweep: %d replayed=%v, want a fresh run", r.status, r.replayed())
		}

		// An expired record that no sweep has removed yet is not replayed either.
		f.clock.Advance(2 * time.Hour)
		if r := f.post(t, "key-1", `{"other":"body"}`); r.status != http.StatusCreated || r.replayed() {
			t.Fatalf("expired, unswept: %d replayed=%v, want a fresh run", r.status, r.replayed())
		}
		if n := f.orders.calls.Load(); n != 4 {
			t.Fatalf("handler ran %d times, want 4", n)
		}
	})
}

// A claim left in progress by a request that hangs (or whose process died)
// is taken over after the lock timeout, so the client is not locked out for
// the whole TTL; the late finisher cannot overwrite the new outcome.
func TestAbandonedClaim(t *testing.T) {
	var logs syncBuffer
	opts := idempotency.Options{LockTimeout: time.Minute, Logger: slog.New(slog.NewTextHandler(&logs, nil))}
	forEachFixture(t, opts, func(t *testing.T, f *fixture) {
		f.orders.entered = make(chan struct{}, 2)
		f.orders.release = make(chan struct{})
		hungc := make(chan result, 1)
		go func() { hungc <- f.post(t, "key-1", `{}`) }()
		<-f.orders.entered

		f.clock.Advance(time.Minute - time.Millisecond)
		assertProblem(t, f.post(t, "key-1", `{}`), http.StatusConflict, "idempotency_request_in_progress")
		f.clock.Advance(time.Millisecond)
		second := f.post(t, "key-1", `{}`)
		if second.status != http.StatusCreated || second.replayed() {
			t.Fatalf("after the lock timeout: %d %s, want a fresh run", second.status, second.body)
		}

		close(f.orders.release)
		if hung := <-hungc; hung.status != http.StatusCreated {
			t.Fatalf("the late request still gets its own answer, got %d", hung.status)
		}
		if r := f.post(t, "key-1", `{}`); !r.replayed() || r.body != second.body {
			t.Fatalf("replay %q, want the second run's %q", r.body, second.body)
		}
		if !strings.Contains(logs.String(), "idempotency_claim_lost") {
			t.Fatalf("the lost claim was not logged: %s", logs.String())
		}
	})
}

type syncBuffer struct {
	mu sync.Mutex
	b  strings.Builder
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// The store must be there to keep the promise; without it the request is
// refused rather than run unguarded.
func TestStoreDown(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		f := newFixture(t, db, idempotency.Options{})
		db.Close()
		assertProblem(t, f.post(t, "key-1", `{}`), http.StatusServiceUnavailable, "idempotency_unavailable")
		if n := f.orders.calls.Load(); n != 0 {
			t.Fatalf("handler ran %d times without the store", n)
		}
	})
}
