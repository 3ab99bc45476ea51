package idempotency

import (
	"bytes"
	"net/http"
)

// recorder holds a handler's response until it is known whether to store it.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (rw *recorder) Header() http.Header { return rw.header }

func (rw *recorder) WriteHeader(status int) {
	// Informational (1xx) responses are not the outcome; only the first
	// final status counts, as with net/http.
	if rw.status == 0 && status >= 200 {
		rw.status = status
	}
}

func (rw *recorder) Write(p []byte) (int, error) {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	return rw.body.Write(p)
}

// response is what a replay will send: the status, the body and the
// headers named in keep.
func (rw *recorder) response(keep []string) Response {
	if rw.status == 0 {
		rw.status = http.StatusOK
	}
	h := make(http.Header, len(keep))
	for _, k := range keep {
		if v := rw.header.Values(k); len(v) > 0 {
			h[http.CanonicalHeaderKey(k)] = v
		}
	}
	return Response{Status: rw.status, Header: h, Body: rw.body.Bytes()}
}

// writeTo sends the first response in full, every header the handler set.
func (rw *recorder) writeTo(w http.ResponseWriter) {
	dst := w.Header()
	for k := range dst {
		if _, ok := rw.header[k]; !ok {
			delete(dst, k)
		}
	}
	for k, v := range rw.header {
		dst[k] = v
	}
	w.WriteHeader(rw.status)
	_, _ = w.Write(rw.body.Bytes()) // a client that hung up cannot be told
}
