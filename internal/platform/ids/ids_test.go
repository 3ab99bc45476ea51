package ids_test

import (
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
)

func TestNewIsUniqueAndOrdered(t *testing.T) {
	const n = 10_000
	got := make([]string, n)
	seen := make(map[string]bool, n)
	for i := range got {
		id := ids.New()
		if seen[id] {
			t.Fatalf("id %d repeats %s", i, id)
		}
		seen[id] = true
		got[i] = id
	}
	if !slices.IsSorted(got) {
		for i := 1; i < n; i++ {
			if got[i-1] >= got[i] {
				t.Fatalf("id %d %s sorts before id %d %s", i, got[i], i-1, got[i-1])
			}
		}
	}
	for _, id := range got[:10] {
		if err := ids.Valid(id); err != nil {
			t.Fatalf("New made %q, which Valid rejects: %v", id, err)
		}
		if len(id) != 36 || id[14] != '7' || strings.ToLower(id) != id {
			t.Fatalf("New made %q, not a canonical UUIDv7", id)
		}
	}
}

func TestParse(t *testing.T) {
	const canon = "01890a5d-ac96-774b-bcce-b302099a8057"
	good := []string{
		canon,
		strings.ToUpper(canon),
		"{" + canon + "}",
		"urn:uuid:" + canon,
		"01890a5dac96774bbcceb302099a8057",
		"f47ac10b-58cc-4372-a567-0e02b2c3d479", // a v4 from elsewhere
	}
	for _, s := range good {
		got, err := ids.Parse(s)
		if err != nil {
			t.Errorf("Parse(%q): %v", s, err)
			continue
		}
		if s != good[5] && got != canon {
			t.Errorf("Parse(%q) = %q, want %q", s, got, canon)
		}
	}

	bad := []string{
		"",
		"42",
		"00000000-0000-0000-0000-000000000000",
		"01890a5d-ac96-774b-bcce-b302099a805",
		"01890a5d-ac96-774b-bcce-b302099a8057x",
		"01890a5d-ac96-774b-bcce-b302099a805g",
		"01890a5d-ac96-774b-0cce-b302099a8057", // NCS variant: not an RFC 9562 UUID
		"'; drop table orders; --",
		strings.Repeat("a", 1000),
	}
	for _, s := range bad {
		_, err := ids.Parse(s)
		if !errors.Is(err, ids.ErrInvalid) || errs.KindOf(err) != errs.KindInvalid || errs.CodeOf(err) != "invalid_id" {
			t.Errorf("Parse(%.40q) err = %v, want invalid_id", s, err)
		}
		if err != nil && len(err.Error()) > 100 {
			t.Errorf("error for a %d-byte input is %d bytes", len(s), len(err.Error()))
		}
		if ids.Valid(s) == nil {
			t.Errorf("Valid(%.40q) = nil", s)
		}
	}
}

func TestTime(t *testing.T) {
	before := time.Now().Truncate(time.Millisecond)
	id := ids.New()
	after := time.Now()
	got, err := ids.Time(id)
	if err != nil {
		t.Fatal(err)
	}
	if got.Before(before) || got.After(after) {
		t.Errorf("Time(%s) = %v, want within [%v, %v]", id, got, before, after)
	}
	if _, err := ids.Time("f47ac10b-58cc-4372-a567-0e02b2c3d479"); !errors.Is(err, ids.ErrInvalid) {
		t.Errorf("Time of a v4: err = %v, want invalid_id", err)
	}
}
