package main

import (
	"bytes"
	"encoding/json"
	"testing"
)

// `bazaar openapi` prints the same document the server serves, without a
// server, and ignores the caller's deployment variables.
func TestOpenAPICommandPrintsTheDocument(t *testing.T) {
	var out, errOut bytes.Buffer
	code := run([]string{"openapi"}, []string{"BAZAAR_DATABASE_URL=postgres://nobody@127.0.0.1:1/none"}, &out, &errOut)
	if code != 0 {
		t.Fatalf("exit %d: %s", code, errOut.String())
	}
	var doc struct {
		OpenAPI string                    `json:"openapi"`
		Paths   map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(out.Bytes(), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%.300s", err, out.String())
	}
	if doc.OpenAPI != "3.1.0" {
		t.Errorf("openapi %q", doc.OpenAPI)
	}
	for _, p := range []string{"/api/v1/products", "/api/v1/carts/{id}", "/api/v1/auth/signin", "/api/v1/payments/methods"} {
		if _, ok := doc.Paths[p]; !ok {
			t.Errorf("the document has no %s", p)
		}
	}
}
