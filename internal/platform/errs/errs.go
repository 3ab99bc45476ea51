// Package errs is Bazaar's one error type. Every error that crosses a service
// boundary is an *Error with a Kind (which becomes the HTTP status) and a stable
// machine Code (which clients switch on). The HTTP client decodes a problem
// document back into the same *Error, so a caller cannot tell whether the
// service it called ran in-process or remotely.
package errs

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it.
type Kind uint8

const (
	KindInternal         Kind = iota // a bug or an unexpected failure: 500
	KindInvalid                      // the request is wrong: 400
	KindUnauthenticated              // who are you: 401
	KindForbidden                    // not allowed: 403
	KindNotFound                     // no such thing (or not yours): 404
	KindMethodNotAllowed             // wrong method for a route: 405
	KindConflict                     // state forbids it, or a duplicate: 409
	KindTooLarge                     // the body is over the limit: 413
	KindUnprocessable                // understood, but semantically refused: 422
	KindTooManyRequests              // throttled: 429
	KindUnavailable                  // a dependency is down; retry later: 503
	KindTimeout                      // took too long: 504
)

var kindNames = [...]string{
	KindInternal:         "internal",
	KindInvalid:          "invalid",
	KindUnauthenticated:  "unauthenticated",
	KindForbidden:        "forbidden",
	KindNotFound:         "not_found",
	KindMethodNotAllowed: "method_not_allowed",
	KindConflict:         "conflict",
	KindTooLarge:         "too_large",
	KindUnprocessable:    "unprocessable",
	KindTooManyRequests:  "too_many_requests",
	KindUnavailable:      "unavailable",
	KindTimeout:          "timeout",
}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return fmt.Sprintf("kind(%d)", k)
}

// FieldError names one bad input field, JSON-pointer style ("items/0/quantity").
type FieldError struct {
	Field   string `json:"field"`
	Message string `json:"message"`
}

// Error is the error every Bazaar service returns across its boundary.
type Error struct {
	Kind   Kind
	Code   string       // stable, machine-readable: "out_of_stock", "invalid_json"
	Detail string       // human-readable, safe to show a client
	Fields []FieldError // per-field problems for KindInvalid
	Err    error        // the cause; never shown to a client
}

func (e *Error) Error() string {
	msg := e.Code
	if e.Detail != "" {
		msg += ": " + e.Detail
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

func (e *Error) Unwrap() error { return e.Err }

// Is makes errors.Is(err, catalog.ErrOutOfStock) match on Kind and Code, so a
// sentinel still matches after a round trip through HTTP or with a new Detail.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	if !ok {
		return false
	}
	return t.Kind == e.Kind && t.Code == e.Code
}

// With returns a copy of a sentinel with a more specific detail.
func (e *Error) With(detail string) *Error {
	c := *e
	c.Detail = detail
	return &c
}

// Wrap returns a copy of a sentinel that records cause.
func (e *Error) Wrap(cause error) *Error {
	c := *e
	c.Err = cause
	return &c
}

// E builds an *Error. Detail is formatted with fmt.Sprintf.
func E(kind Kind, code, format string, args ...any) *Error {
	if len(args) > 0 {
		format = fmt.Sprintf(format, args...)
	}
	return &Error{Kind: kind, Code: code, Detail: format}
}

func Invalid(code, format string, args ...any) *Error {
	return E(KindInvalid, code, format, args...)
}
func NotFound(code, format string, args ...any) *Error {
	return E(KindNotFound, code, format, args...)
}
func Conflict(code, format string, args ...any) *Error {
	return E(KindConflict, code, format, args...)
}
func Forbidden(code, format string, args ...any) *Error {
	return E(KindForbidden, code, format, args...)
}
func Unauthenticated(code, format string, args ...any) *Error {
	return E(KindUnauthenticated, code, format, args...)
}
func Unavailable(code, format string, args ...any) *Error {
	return E(KindUnavailable, code, format, args...)
}

// Internal wraps an unexpected error; its message is never shown to clients.
func Internal(err error) *Error {
	return &Error{Kind: KindInternal, Code: "internal", Detail: "an internal error occurred", Err: err}
}

// As returns err as an *Error, classifying anything else as internal.
func As(err error) *Error {
	if err == nil {
		return nil
	}
	var e *Error
	if errors.As(err, &e) {
		return e
	}
	return Internal(err)
}

// KindOf reports the Kind of err (KindInternal for non-*Error values).
func KindOf(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// CodeOf reports the Code of err ("internal" for non-*Error values).
func CodeOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return "internal"
}
