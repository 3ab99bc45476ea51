package catalogtest_test

import (
	"slices"
	"testing"

	"github.com/bazaarshop/bazaar/internal/catalog"
	"github.com/bazaarshop/bazaar/internal/catalog/catalogtest"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// dialects opens a fresh store per engine; PostgreSQL skips when unset.
var dialects = []struct {
	name string
	open func(testing.TB) *sqldb.DB
}{
	{"sqlite", sqldbtest.OpenSQLite},
	{"postgres", sqldbtest.OpenPostgres},
}

// modes are the ways a Service is run: Core answering listings from the
// store's SQL or from its index, and the HTTP client of an indexed Core.
var modes = []struct {
	name    string
	noIndex bool
	remote  bool
}{
	{"sql", true, false},
	{"index", false, false},
	{"http", false, true},
}

func TestService(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			for _, m := range modes {
				t.Run(m.name, func(t *testing.T) {
					catalogtest.ServiceSuite(t, func(t *testing.T) *catalogtest.Env {
						e := catalogtest.NewEnv(t, d.open(t), catalog.Options{NoIndex: m.noIndex})
						if m.remote {
							e = e.OverHTTP(t)
						}
						return e
					})
				})
			}
		})
	}
}

// TestSearch runs the search cases on every engine and checks that the
// engines agree to the last position.
func TestSearch(t *testing.T) {
	results := map[string]map[string][]string{}
	for _, d := range dialects {
		for _, noIndex := range []bool{true, false} {
			name := d.name + "/sql"
			if !noIndex {
				name = d.name + "/index"
			}
			t.Run(name, func(t *testing.T) {
				e := catalogtest.NewEnv(t, d.open(t), catalog.Options{NoIndex: noIndex})
				results[name] = catalogtest.SearchSuite(t, e)
			})
		}
	}
	ref := results["sqlite/sql"]
	for name, got := range results {
		if ref == nil || got == nil {
			continue
		}
		for _, c := range catalogtest.SearchCases {
			if !slices.Equal(ref[c.Name], got[c.Name]) {
				t.Errorf("%s (%q): sqlite/sql %v, %s %v", c.Name, c.Q, ref[c.Name], name, got[c.Name])
			}
		}
	}
}

func TestStore(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			catalogtest.StoreSuite(t, func(t *testing.T) *catalogtest.Env {
				return catalogtest.NewEnv(t, d.open(t), catalog.Options{})
			})
		})
	}
}
