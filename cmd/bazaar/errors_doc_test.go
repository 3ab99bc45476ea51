package main

import (
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
)

// errorCode finds the stable codes the code base gives its errors:
// errs.Conflict("out_of_stock", …), errs.E(errs.KindX, "code", …) and
// &errs.Error{…, Code: "code"}.
var errorCode = regexp.MustCompile(`errs\.(?:Invalid|NotFound|Conflict|Forbidden|Unauthenticated|Unavailable|E)\((?:errs\.Kind[A-Za-z]+,\s*)?"([a-z0-9_]+)"|Code:\s*"([a-z0-9_]+)"`)

// Every error code a client can see is documented in docs/errors.md: the
// codes are the API's contract with its clients.
func TestEveryErrorCodeIsDocumented(t *testing.T) {
	doc, err := os.ReadFile("../../docs/errors.md")
	if err != nil {
		t.Fatal(err)
	}
	codes := map[string]string{}
	err = filepath.WalkDir("../../internal", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.HasSuffix(path, ".go") || strings.HasSuffix(path, "_test.go") || strings.Contains(path, "test/") {
			return err
		}
		src, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for _, m := range errorCode.FindAllStringSubmatch(string(src), -1) {
			code := m[1] + m[2]
			if _, seen := codes[code]; !seen {
				codes[code] = strings.TrimPrefix(path, "../../")
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	var missing []string
	for code, where := range codes {
		if !strings.Contains(string(doc), "`"+code+"`") {
			missing = append(missing, code+" ("+where+")")
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("docs/errors.md does not document %d codes:\n  %s", len(missing), strings.Join(missing, "\n  "))
	}
}
