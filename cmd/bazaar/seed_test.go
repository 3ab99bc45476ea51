package main

import (
	"bytes"
	"testing"
)

// `bazaar seed` builds the catalogue a started shop then serves (and does
// not seed again), with stock in inventory.
func TestSeedCommand(t *testing.T) {
	dataDir := t.TempDir()
	var out, errOut bytes.Buffer
	if err := seedCommand([]string{"--products", "300", "--data-dir", dataDir}, nil, &out, &errOut); err != nil {
		t.Fatalf("seed: %v\n%s", err, errOut.String())
	}
	if err := seedCommand([]string{"--products", "0", "--data-dir", dataDir}, nil, &out, &errOut); err == nil {
		t.Fatal("--products 0 accepted")
	}
	p := startBinary(t, dataDir, nil)
	p.waitReady(t)
	defer p.stop(t)
	var page struct {
		Total int `json:"total"`
		Items []struct {
			Slug string `json:"slug"`
		} `json:"items"`
	}
	getJSON(t, p.url+"/api/v1/products?page_size=1", &page)
	// The seed keeps a few products in draft or archived, as a real
	// catalogue has; the public listing shows only active ones.
	if page.Total < 270 || page.Total > 300 {
		t.Fatalf("the shop lists %d products of the 300 seeded", page.Total)
	}
	getJSON(t, p.url+"/api/v1/products?page_size=1&in_stock=true", &page)
	if page.Total == 0 {
		t.Fatal("no product in stock: the seeded stock did not reach inventory")
	}
}
