package inventory

import (
	"fmt"
	"slices"
	"strings"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// ValidSKU reports ErrInvalidSKU unless s is 1 to 64 of [A-Za-z0-9._-].
func ValidSKU(s string) error {
	if len(s) == 0 || len(s) > 64 {
		return ErrInvalidSKU.With(fmt.Sprintf("SKU %q must be 1 to 64 characters", clip(s)))
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '_' || c == '-') {
			return ErrInvalidSKU.With(fmt.Sprintf("SKU %q may hold only letters, digits, '.', '_' and '-'", clip(s)))
		}
	}
	return nil
}

// ValidLocation reports ErrInvalidLocation unless id is 1 to 64 of [a-z0-9-].
func ValidLocation(id string) error {
	if len(id) == 0 || len(id) > 64 {
		return ErrInvalidLocation.With(fmt.Sprintf("location %q must be 1 to 64 characters", clip(id)))
	}
	for i := 0; i < len(id); i++ {
		c := id[i]
		if !(c >= 'a' && c <= 'z' || c >= '0' && c <= '9' || c == '-') {
			return ErrInvalidLocation.With(fmt.Sprintf("location %q may hold only lower-case letters, digits and '-'", clip(id)))
		}
	}
	return nil
}

// ValidReference reports ErrInvalidReference unless ref is 1 to 128
// printable ASCII characters without spaces.
func ValidReference(ref string) error {
	if len(ref) == 0 || len(ref) > 128 {
		return ErrInvalidReference.With("a reference must be 1 to 128 characters")
	}
	for i := 0; i < len(ref); i++ {
		if ref[i] <= ' ' || ref[i] > '~' {
			return ErrInvalidReference.With(fmt.Sprintf("reference %q has a space or a character outside printable ASCII", clip(ref)))
		}
	}
	return nil
}

func validReason(r string) error {
	if len(r) == 0 || len(r) > 32 {
		return ErrInvalidReason.With(fmt.Sprintf("reason %q must be 1 to 32 characters", clip(r)))
	}
	for i := 0; i < len(r); i++ {
		if !(r[i] >= 'a' && r[i] <= 'z' || r[i] == '_') {
			return ErrInvalidReason.With(fmt.Sprintf("reason %q may hold only lower-case letters and '_'", clip(r)))
		}
	}
	return nil
}

// normalLines checks lines and returns them sorted by SKU, the order a
// reservation keeps them in.
func normalLines(lines []Line) ([]Line, error) {
	if len(lines) == 0 {
		return nil, ErrNoLines
	}
	if len(lines) > MaxLines {
		return nil, ErrTooManyLines.With(fmt.Sprintf("%d lines; at most %d", len(lines), MaxLines))
	}
	seen := make(map[string]int, len(lines))
	var fields []errs.FieldError
	var first *errs.Error
	fail := func(e *errs.Error, field, msg string) {
		if first == nil {
			first = e.With(msg)
		}
		fields = append(fields, errs.FieldError{Field: field, Message: msg})
	}
	for i, l := range lines {
		if err := ValidSKU(l.SKU); err != nil {
			fail(ErrInvalidSKU, fmt.Sprintf("lines/%d/sku", i), errs.As(err).Detail)
			continue
		}
		if l.Quantity <= 0 {
			fail(ErrInvalidQuantity, fmt.Sprintf("lines/%d/quantity", i), fmt.Sprintf("quantity of %s is %d; it must be at least 1", l.SKU, l.Quantity))
		}
		if j, dup := seen[l.SKU]; dup {
			fail(ErrDuplicateLine, fmt.Sprintf("lines/%d/sku", i), fmt.Sprintf("SKU %s is in lines %d and %d; put it in one line", l.SKU, j, i))
		}
		seen[l.SKU] = i
	}
	if first != nil {
		first.Fields = fields
		return nil, first
	}
	out := slices.Clone(lines)
	slices.SortFunc(out, func(a, b Line) int { return strings.Compare(a.SKU, b.SKU) })
	return out, nil
}

// normalSKUs checks a list of SKUs to look up and drops repeats.
func normalSKUs(skus []string) ([]string, error) {
	if len(skus) == 0 || len(skus) > MaxSKUsPerQuery {
		return nil, ErrTooManySKUs.With(fmt.Sprintf("%d SKUs asked for; ask for 1 to %d", len(skus), MaxSKUsPerQuery))
	}
	out := make([]string, 0, len(skus))
	seen := make(map[string]bool, len(skus))
	for _, s := range skus {
		if err := ValidSKU(s); err != nil {
			return nil, err
		}
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out, nil
}

func locationOr(id string) string {
	if id == "" {
		return DefaultLocation
	}
	return id
}

func clip(s string) string {
	if len(s) > 70 {
		return s[:70] + "…"
	}
	return s
}
