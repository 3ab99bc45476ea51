// Package idempotency makes state-changing requests safe to retry. A client
// sends a POST (or PATCH) with an Idempotency-Key header; the first request
// with that key runs and its response is stored; a retry with the same key
// and the same body gets the stored response again, byte for byte, with
// Idempotent-Replayed: true, and the handler does not run twice. The same key
// with another body is refused (422), and a retry while the first request is
// still running is told to wait (409).
//
// Records live in the service's own store (see Migrations), so the guarantee
// holds across replicas and restarts.
package idempotency

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

const (
	HeaderKey      = "Idempotency-Key"
	HeaderReplayed = "Idempotent-Replayed"
)

// Errors the middleware answers with; WriteError receives them.
var (
	ErrInvalidKey = errs.Invalid("invalid_idempotency_key", "Idempotency-Key must be 1 to 255 printable ASCII characters, sent once")
	ErrKeyReused  = errs.E(errs.KindUnprocessable, "idempotency_key_reused", "this Idempotency-Key was used for a different request")
	ErrInProgress = errs.Conflict("idempotency_request_in_progress", "a request with this Idempotency-Key is still being processed; retry shortly")
	ErrTooLarge   = errs.E(errs.KindTooLarge, "request_too_large", "the request body is too large")
	ErrBadBody    = errs.Invalid("unreadable_body", "the request body could not be read")
)

// Options tune the middleware. The zero value is usable.
type Options struct {
	// Scope says whose key it is: two requests share a record only if they
	// have the same scope and key. The default is the route pattern (or
	// method and path when the middleware wraps a whole mux) plus a hash of
	// the caller's Authorization header and session cookie.
	Scope func(r *http.Request) string
	// SessionCookie names the cookie the default scope reads ("session").
	SessionCookie string
	// TTL is how long a response is kept for replay (24 h).
	TTL time.Duration
	// LockTimeout is how long a claim may stay in progress before it is
	// taken for abandoned (its process died) and the key may run again
	// (5 min). Keep it above the longest a request may run.
	LockTimeout time.Duration
	// MaxBodyBytes bounds the body read for hashing (1 MiB).
	MaxBodyBytes int64
	// ReplayHeaders are the response headers stored and replayed
	// (Content-Type, Content-Encoding, Content-Language, Location, ETag).
	ReplayHeaders []string
	// WriteError writes an error response. The default writes
	// application/problem+json from an *errs.Error.
	WriteError func(w http.ResponseWriter, r *http.Request, err error)
	// Now is the clock (time.Now).
	Now func() time.Time
	// Logger records store failures that cannot be answered (slog.Default()).
	Logger *slog.Logger
}

func (o Options) withDefaults() Options {
	if o.SessionCookie == "" {
		o.SessionCookie = "session"
	}
	if o.Scope == nil {
		o.Scope = callerScope(o.SessionCookie)
	}
	if o.TTL <= 0 {
		o.TTL = 24 * time.Hour
	}
	if o.LockTimeout <= 0 {
		o.LockTimeout = 5 * time.Minute
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = 1 << 20
	}
	if o.ReplayHeaders == nil {
		o.ReplayHeaders = []string{"Content-Type", "Content-Encoding", "Content-Language", "Location", "ETag"}
	}
	if o.WriteError == nil {
		o.WriteError = writeProblem
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	return o
}

// Middleware returns a wrapper that applies the Idempotency-Key contract to
// POST and PATCH requests carrying the header; other requests pass through.
// Wrap each route's handler (mux.Handle(pattern, mw(h))) so the default
// scope can use the route pattern.
func Middleware(store *Store, opts Options) func(http.Handler) http.Handler {
	opts = opts.withDefaults()
	return func(next http.Handler) http.Handler {
		return &handler{store: store, opts: opts, next: next}
	}
}

type handler struct {
	store *Store
	opts  Options
	next  http.Handler
}

func (h *handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	keys := r.Header.Values(HeaderKey)
	if (r.Method != http.MethodPost && r.Method != http.MethodPatch) || len(keys) == 0 {
		h.next.ServeHTTP(w, r)
		return
	}
	if len(keys) != 1 || !validKey(keys[0]) {
		h.opts.WriteError(w, r, ErrInvalidKey)
		return
	}
	body, err := readBody(r, h.opts.MaxBodyBytes)
	if err != nil {
		h.opts.WriteError(w, r, err)
		return
	}
	now := h.opts.Now()
	hash := requestHash(r, body)
	rec, claimed, err := h.store.Claim(r.Context(), Record{
		Scope:       h.opts.Scope(r),
		Key:         keys[0],
		RequestHash: hash,
		CreatedAt:   now,
		LockedUntil: now.Add(h.opts.LockTimeout),
		ExpiresAt:   now.Add(h.opts.TTL),
	})
	switch {
	case err != nil:
		h.storeFailed(w, r, err)
	case claimed:
		h.run(w, r, rec)
	case rec.RequestHash != hash:
		h.opts.WriteError(w, r, ErrKeyReused)
	case rec.State != Completed:
		w.Header().Set("Retry-After", "1")
		h.opts.WriteError(w, r, ErrInProgress)
	default:
		replay(w, rec.Response)
	}
}

// run serves the request that holds the claim, stores its response when the
// outcome is final, and releases the claim when the client should retry.
func (h *handler) run(w http.ResponseWriter, r *http.Request, rec Record) {
	// The client may hang up; the outcome must be stored all the same.
	ctx := context.WithoutCancel(r.Context())
	rw := &recorder{header: w.Header().Clone()}
	defer func() {
		if p := recover(); p != nil {
			h.release(ctx, rec)
			panic(p)
		}
	}()
	h.next.ServeHTTP(rw, r)

	resp := rw.response(h.opts.ReplayHeaders)
	if retryable(resp.Status) {
		h.release(ctx, rec)
	} else if err := h.store.Complete(ctx, rec, resp); err != nil {
		// The handler's work is done and the client gets its answer; a retry
		// finds the claim in progress (409) until LockTimeout, and never
		// runs the handler a second time before that.
		h.opts.Logger.ErrorContext(ctx, "idempotency: store response", "key", rec.Key, "err", err)
	}
	rw.writeTo(w)
}

func (h *handler) release(ctx context.Context, rec Record) {
	if err := h.store.Release(ctx, rec); err != nil {
		h.opts.Logger.ErrorContext(ctx, "idempotency: release claim", "key", rec.Key, "err", err)
	}
}

// storeFailed refuses the request: without the store, running it could run
// it twice.
func (h *handler) storeFailed(w http.ResponseWriter, r *http.Request, err error) {
	h.opts.Logger.ErrorContext(r.Context(), "idempotency: claim key", "err", err)
	var e *errs.Error
	if !errors.As(err, &e) {
		err = errs.Unavailable("idempotency_unavailable", "idempotency records are unavailable; retry").Wrap(err)
	}
	h.opts.WriteError(w, r, err)
}

// retryable reports whether a status tells the client to try again later, in
// which case replaying it would only repeat the failure.
func retryable(status int) bool {
	return status >= 500 || status == http.StatusTooManyRequests || status == http.StatusRequestTimeout
}

func replay(w http.ResponseWriter, resp Response) {
	for k, v := range resp.Header {
		w.Header()[k] = v
	}
	w.Header().Set(HeaderReplayed, "true")
	w.WriteHeader(resp.Status)
	_, _ = w.Write(resp.Body) // a client that hung up cannot be told
}

func validKey(k string) bool {
	if len(k) < 1 || len(k) > 255 {
		return false
	}
	for i := range len(k) {
		if k[i] < 0x20 || k[i] > 0x7e {
			return false
		}
	}
	return true
}

// readBody reads the whole body and puts a copy back for the handler.
func readBody(r *http.Request, limit int64) ([]byte, error) {
	if r.Body == nil || r.Body == http.NoBody {
		return nil, nil
	}
	body, err := io.ReadAll(io.LimitReader(r.Body, limit+1))
	r.Body.Close()
	var tooLarge *http.MaxBytesError
	switch {
	case errors.As(err, &tooLarge), err == nil && int64(len(body)) > limit:
		return nil, ErrTooLarge
	case err != nil:
		return nil, ErrBadBody.Wrap(err)
	}
	r.Body = io.NopCloser(bytes.NewReader(body))
	r.GetBody = func() (io.ReadCloser, error) { return io.NopCloser(bytes.NewReader(body)), nil }
	return body, nil
}

// requestHash identifies a request's content: the same key sent with another
// method, path, query or body is a different request.
func requestHash(r *http.Request, body []byte) string {
	h := sha256.New()
	io.WriteString(h, r.Method)
	h.Write([]byte{0})
	io.WriteString(h, r.URL.RequestURI())
	h.Write([]byte{0})
	h.Write(body)
	return hex.EncodeToString(h.Sum(nil))
}

// callerScope scopes keys to the route and the caller's credentials, so two
// callers cannot see each other's responses by reusing a key. The credentials
// are hashed: records must not hold bearer tokens or session ids.
func callerScope(cookie string) func(r *http.Request) string {
	return func(r *http.Request) string {
		route := r.Pattern
		if route == "" {
			route = r.Method + " " + r.URL.Path
		}
		h := sha256.New()
		io.WriteString(h, r.Header.Get("Authorization"))
		h.Write([]byte{0})
		if c, err := r.Cookie(cookie); err == nil {
			io.WriteString(h, c.Value)
		}
		return route + " " + hex.EncodeToString(h.Sum(nil)[:16])
	}
}
