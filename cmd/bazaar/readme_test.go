package main

import (
	"os"
	"strings"
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/config"
)

// The README's configuration table must list every setting the binary reads.
func TestReadmeListsEverySetting(t *testing.T) {
	readme, err := os.ReadFile("../../README.md")
	if err != nil {
		t.Fatal(err)
	}
	for _, s := range config.Documented() {
		if strings.HasSuffix(s.Env, "_URL") && s.Flag == "" {
			continue // the per-service URLs are one row: BAZAAR_<SERVICE>_URL
		}
		if !strings.Contains(string(readme), "`"+s.Env+"`") {
			t.Errorf("README.md does not document %s (%s)", s.Env, s.Help)
		}
	}
	for _, cmd := range []string{"make run", "make test"} {
		if !strings.Contains(string(readme), cmd) {
			t.Errorf("README.md does not show %q", cmd)
		}
	}
}
