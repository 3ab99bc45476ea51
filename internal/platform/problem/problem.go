// Package problem writes and reads RFC 9457 problem documents
// (application/problem+json). It is the one place where an errs.Kind becomes
// an HTTP status, and where a status and code become an errs.Error again on
// the client side.
package problem

import (
	"encoding/json"
	"io"
	"mime"
	"net/http"
	"strconv"
	"strings"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// ContentType is the media type of a problem document.
const ContentType = "application/problem+json"

// TypeBase prefixes a problem's code to make its type URI: a URN, stable and
// never fetched; docs/errors.md explains the codes.
const TypeBase = "urn:bazaar:problem:"

// Problem is an RFC 9457 problem document with Bazaar's extension members
// code (stable, machine-readable) and request_id (to find the log lines).
type Problem struct {
	Type      string            `json:"type" doc:"A URI naming the problem type; its last segment is the code."`
	Title     string            `json:"title" doc:"A short summary of the problem type."`
	Status    int               `json:"status" doc:"The HTTP status code."`
	Detail    string            `json:"detail,omitempty" doc:"What went wrong this time, for a person."`
	Instance  string            `json:"instance,omitempty" doc:"The request path the problem occurred on."`
	Code      string            `json:"code" doc:"A stable machine-readable code, e.g. out_of_stock."`
	RequestID string            `json:"request_id,omitempty" doc:"The request id, as in the X-Request-Id header and the logs."`
	Errors    []errs.FieldError `json:"errors,omitempty" doc:"Per-field problems of a rejected input."`

	err error // the cause, for logging; never serialised
}

func (p *Problem) Error() string { return p.Code + ": " + p.Detail }

// GetStatus lets huma write the problem with its status.
func (p *Problem) GetStatus() int { return p.Status }

// ContentType makes huma serve the problem as application/problem+json.
func (p *Problem) ContentType(ct string) string {
	if ct == "application/json" || ct == "" {
		return ContentType
	}
	return ct
}

// Cause is the underlying error, for the log line of a 5xx.
func (p *Problem) Cause() error { return p.err }

var statusOf = map[errs.Kind]int{
	errs.KindInternal:         http.StatusInternalServerError,
	errs.KindInvalid:          http.StatusBadRequest,
	errs.KindUnauthenticated:  http.StatusUnauthorized,
	errs.KindForbidden:        http.StatusForbidden,
	errs.KindNotFound:         http.StatusNotFound,
	errs.KindMethodNotAllowed: http.StatusMethodNotAllowed,
	errs.KindConflict:         http.StatusConflict,
	errs.KindTooLarge:         http.StatusRequestEntityTooLarge,
	errs.KindUnprocessable:    http.StatusUnprocessableEntity,
	errs.KindTooManyRequests:  http.StatusTooManyRequests,
	errs.KindUnavailable:      http.StatusServiceUnavailable,
	errs.KindTimeout:          http.StatusGatewayTimeout,
}

// Status maps an error kind to its HTTP status.
func Status(k errs.Kind) int {
	if s, ok := statusOf[k]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// KindOf maps an HTTP status back to an error kind.
func KindOf(status int) errs.Kind {
	for k, s := range statusOf {
		if s == status {
			return k
		}
	}
	switch {
	case status >= 500:
		return errs.KindInternal
	case status == http.StatusGone:
		return errs.KindNotFound
	default:
		return errs.KindInvalid
	}
}

// From builds the problem for err. Internal errors keep their cause for the
// log but show the client only a generic detail.
func From(err error, requestID, instance string) *Problem {
	e := errs.As(err)
	status := Status(e.Kind)
	detail := e.Detail
	if e.Kind == errs.KindInternal {
		detail = "an internal error occurred; quote the request id when you report it"
	}
	return &Problem{
		Type:      TypeBase + e.Code,
		Title:     http.StatusText(status),
		Status:    status,
		Detail:    detail,
		Instance:  instance,
		Code:      e.Code,
		RequestID: requestID,
		Errors:    e.Fields,
		err:       err,
	}
}

// Write writes err as a problem document. Handlers outside huma use it;
// requestID comes from the request's context (see package web).
func Write(w http.ResponseWriter, p *Problem) {
	h := w.Header()
	h.Set("Content-Type", ContentType)
	h.Set("Cache-Control", "no-store")
	h.Del("Content-Length")
	w.WriteHeader(p.Status)
	_ = json.NewEncoder(w).Encode(p)
}

// Decode reads a problem document from a response and returns the error it
// describes, as the *errs.Error the server started from: same Kind, Code,
// Detail and Fields. A response that is not a problem document becomes an
// error of the status's kind with code "http_<status>".
func Decode(resp *http.Response) error {
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	mt, _, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
	var p Problem
	if (mt == ContentType || mt == "application/json") && json.Unmarshal(body, &p) == nil && p.Code != "" {
		return &errs.Error{Kind: KindOf(resp.StatusCode), Code: p.Code, Detail: p.Detail, Fields: p.Errors}
	}
	detail := strings.TrimSpace(string(body))
	if len(detail) > 200 {
		detail = detail[:200]
	}
	return &errs.Error{Kind: KindOf(resp.StatusCode), Code: "http_" + strconv.Itoa(resp.StatusCode), Detail: detail}
}
