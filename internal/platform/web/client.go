package web

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/problem"
)

// Client is the base of every service's HTTP client: it sends JSON, forwards
// the request id, and turns problem documents back into the *errs.Error the
// server returned, so a caller sees the same errors in-process and remotely.
type Client struct {
	BaseURL string       // "http://catalog:8080"
	HTTP    *http.Client // nil: a client with a 10 s timeout
	Header  http.Header  // sent with every call (service credentials)
}

// NewClient returns a client for the service at baseURL.
func NewClient(baseURL string) *Client {
	return &Client{
		BaseURL: strings.TrimRight(baseURL, "/"),
		HTTP:    &http.Client{Timeout: 10 * time.Second},
	}
}

// Call is one request.
type Call struct {
	Method string
	Path   string     // "/api/v1/products/abc", already escaped
	Query  url.Values // optional
	Body   any        // marshalled as JSON when not nil
	Header http.Header
}

// Do performs c and decodes a 2xx JSON body into out (when out is not nil).
// Transport failures are errs.KindUnavailable with code service_unavailable.
func (cl *Client) Do(ctx context.Context, c Call, out any) error {
	var body io.Reader
	if c.Body != nil {
		b, err := json.Marshal(c.Body)
		if err != nil {
			return fmt.Errorf("encode %s %s: %w", c.Method, c.Path, err)
		}
		body = bytes.NewReader(b)
	}
	u := cl.BaseURL + c.Path
	if len(c.Query) > 0 {
		u += "?" + c.Query.Encode()
	}
	req, err := http.NewRequestWithContext(ctx, c.Method, u, body)
	if err != nil {
		return fmt.Errorf("build %s %s: %w", c.Method, c.Path, err)
	}
	for k, v := range cl.Header {
		req.Header[k] = v
	}
	for k, v := range c.Header {
		req.Header[k] = v
	}
	if c.Body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	if id := RequestID(ctx); id != "" {
		req.Header.Set(HeaderRequestID, id)
	}
	hc := cl.HTTP
	if hc == nil {
		hc = http.DefaultClient
	}
	resp, err := hc.Do(req)
	if err != nil {
		if errors.Is(err, context.Canceled) {
			return err
		}
		return errs.Unavailable("service_unavailable", "%s is unreachable", cl.BaseURL).Wrap(err)
	}
	defer resp.Body.Close()
	if resp.StatusCode >= 400 {
		return problem.Decode(resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return errs.Unavailable("bad_response", "%s answered %s %s with an unreadable body", cl.BaseURL, c.Method, c.Path).Wrap(err)
	}
	return nil
}
