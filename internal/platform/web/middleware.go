package web

import (
	"context"
	"errors"
	"fmt"
	"log/slog"
	"net/http"
	"runtime/debug"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/logging"
	"github.com/bazaarshop/bazaar/internal/platform/problem"
)

// statusWriter records the status and size of a response.
type statusWriter struct {
	http.ResponseWriter
	status int
	bytes  int64
}

func (w *statusWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *statusWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	n, err := w.ResponseWriter.Write(b)
	w.bytes += int64(n)
	return n, err
}

// Unwrap lets http.ResponseController reach Flush and deadlines (SSE).
func (w *statusWriter) Unwrap() http.ResponseWriter { return w.ResponseWriter }

func (w *statusWriter) Flush() {
	if f, ok := w.ResponseWriter.(http.Flusher); ok {
		f.Flush()
	}
}

// withRequestID gives every request an id (the caller's X-Request-Id if it is
// well-formed, a fresh one otherwise), echoes it in the response, and puts it
// on every log line logged with the request's context. Being the outermost
// layer, it also sets the security headers every response carries.
func withRequestID(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		id := r.Header.Get(HeaderRequestID)
		if !validRequestID(id) {
			id = newRequestID()
		}
		h := w.Header()
		h.Set(HeaderRequestID, id)
		// Safe defaults for every response; the storefront adds its own CSP.
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("Referrer-Policy", "strict-origin-when-cross-origin")
		h.Set("X-Frame-Options", "DENY")
		if r.TLS != nil {
			h.Set("Strict-Transport-Security", "max-age=31536000; includeSubDomains")
		}
		ctx := context.WithValue(r.Context(), infoKey{}, &reqInfo{id: id, log: log})
		ctx = logging.With(ctx, "request_id", id)
		next.ServeHTTP(w, r.WithContext(ctx))
	})
}

// withAccessLog logs one line per request and records its metrics.
func withAccessLog(log *slog.Logger, m *Metrics, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		start := time.Now()
		sw := &statusWriter{ResponseWriter: w}
		next.ServeHTTP(sw, r)
		if sw.status == 0 {
			sw.status = http.StatusOK
		}
		elapsed := time.Since(start)
		route := routePattern(r)
		if m != nil {
			m.observe(route, r.Method, sw.status, elapsed)
		}
		level := slog.LevelInfo
		if sw.status >= 500 {
			level = slog.LevelError
		}
		log.LogAttrs(r.Context(), level, "request",
			slog.String("method", r.Method),
			slog.String("path", r.URL.Path),
			slog.String("route", route),
			slog.Int("status", sw.status),
			slog.Int64("bytes", sw.bytes),
			slog.Duration("duration", elapsed),
			slog.String("remote", r.RemoteAddr),
		)
	})
}

// withRecover turns a panic in a handler into a 500 problem and one logged
// stack; the server goes on serving. http.ErrAbortHandler is re-raised, as
// net/http expects.
func withRecover(log *slog.Logger, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		sw, ok := w.(*statusWriter)
		if !ok {
			sw = &statusWriter{ResponseWriter: w}
		}
		defer func() {
			p := recover()
			if p == nil {
				return
			}
			if p == http.ErrAbortHandler {
				panic(p)
			}
			log.ErrorContext(r.Context(), "panic in handler",
				slog.Any("panic", p), slog.String("stack", string(debug.Stack())))
			if sw.status == 0 {
				WriteError(sw, r, errs.Internal(fmt.Errorf("panic: %v", p)))
			}
		}()
		next.ServeHTTP(sw, r)
	})
}

// withLimits caps the request body and bounds the handler's time. The body
// limit surfaces as *http.MaxBytesError, which WriteError maps to 413.
func withLimits(maxBody int64, timeout time.Duration, next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.ContentLength > maxBody {
			WriteError(w, r, errs.E(errs.KindTooLarge, "body_too_large", "the request body is larger than %d bytes", maxBody))
			return
		}
		r.Body = http.MaxBytesReader(w, r.Body, maxBody)
		if timeout > 0 {
			// Streaming keeps the context from before the deadline, to
			// follow the client without it.
			undeadlined := r.Context()
			ctx, cancel := context.WithTimeout(context.WithValue(undeadlined, undeadlinedKey{}, undeadlined), timeout)
			defer cancel()
			r = r.WithContext(ctx)
		}
		next.ServeHTTP(w, r)
	})
}

type undeadlinedKey struct{}

// Streaming serves h without a deadline: long-lived responses such as
// Server-Sent Events. The request's context keeps its values but not
// Options.RequestTimeout's deadline, and the connection's read and write
// deadlines (http.Server's ReadTimeout and WriteTimeout) are lifted. The
// context still ends when the client goes away; h must bound its own time
// and watch for the server's shutdown, which net/http does not signal to
// running handlers.
func Streaming(h http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if parent, ok := r.Context().Value(undeadlinedKey{}).(context.Context); ok {
			ctx, cancel := context.WithCancel(context.WithoutCancel(r.Context()))
			stop := context.AfterFunc(parent, cancel)
			defer func() {
				stop()
				cancel()
			}()
			r = r.WithContext(ctx)
		}
		// A WriteTimeout would cut the stream; net/http lifts the read
		// deadline itself once a bodiless request is read, this makes sure.
		rc := http.NewResponseController(w)
		_ = rc.SetReadDeadline(time.Time{})
		_ = rc.SetWriteDeadline(time.Time{})
		h.ServeHTTP(w, r)
	})
}

// WriteError writes err as a problem document for r. 5xx causes are logged
// here, once, where they become a response.
func WriteError(w http.ResponseWriter, r *http.Request, err error) {
	var mbe *http.MaxBytesError
	if errors.As(err, &mbe) {
		err = errs.E(errs.KindTooLarge, "body_too_large", "the request body is larger than %d bytes", mbe.Limit)
	}
	if errors.Is(err, context.DeadlineExceeded) && errs.KindOf(err) == errs.KindInternal {
		err = errs.E(errs.KindTimeout, "timeout", "the request took too long")
	}
	p := problem.From(err, RequestID(r.Context()), r.URL.Path)
	if p.Status >= 500 {
		Logger(r.Context()).ErrorContext(r.Context(), "request failed", slog.Int("status", p.Status), slog.String("code", p.Code), slog.Any("error", err))
	}
	problem.Write(w, p)
}
