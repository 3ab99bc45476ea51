package cart

import (
	"fmt"
	"regexp"
	"strings"
	"unicode/utf8"

	"github.com/bazaarshop/bazaar/internal/cart/pricing"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/india"
)

var (
	pinRe    = regexp.MustCompile(`^[1-9][0-9]{5}$`)
	postalRe = regexp.MustCompile(`^[A-Za-z0-9 -]{2,16}$`)
	phoneRe  = regexp.MustCompile(`^\+?[0-9 ()-]{6,20}$`)
)

// normalizeAddress checks a, fills the country (IN) and writes the state
// as the rules' region name, so every later reader sees one spelling.
func (c *Core) normalizeAddress(a Address) (Address, error) {
	var fields []errs.FieldError
	bad := func(field, format string, args ...any) {
		fields = append(fields, errs.FieldError{Field: field, Message: fmt.Sprintf(format, args...)})
	}
	trim := func(s *string, field string, maxLen int) {
		*s = strings.TrimSpace(*s)
		if utf8.RuneCountInString(*s) > maxLen || !utf8.ValidString(*s) {
			bad(field, "at most %d characters", maxLen)
		}
		if strings.ContainsAny(*s, "\x00\r\n") {
			bad(field, "no control characters")
		}
	}
	trim(&a.Name, "name", 100)
	trim(&a.Phone, "phone", 20)
	trim(&a.Line1, "line1", 200)
	trim(&a.Line2, "line2", 200)
	trim(&a.Landmark, "landmark", 100)
	trim(&a.City, "city", 100)
	trim(&a.State, "state", 100)
	trim(&a.PostalCode, "postal_code", 16)
	a.Country = strings.ToUpper(strings.TrimSpace(a.Country))
	if a.Country == "" {
		a.Country = "IN"
	}
	if len(a.Country) != 2 {
		bad("country", "an ISO 3166-1 alpha-2 code such as IN")
	}
	if a.Phone != "" && !phoneRe.MatchString(a.Phone) {
		bad("phone", "digits, spaces, '+', '-' or brackets")
	}
	switch {
	case a.Country == "IN" && !pinRe.MatchString(a.PostalCode):
		bad("postal_code", "a 6-digit PIN code whose first digit is 1-9")
	case a.Country != "IN" && !postalRe.MatchString(a.PostalCode):
		bad("postal_code", "a postal code")
	}
	rules := c.opts.Rules
	if len(a.Country) == 2 && !rules.Ships(a.Country) {
		return Address{}, ErrShippingUnavailable.With("we do not deliver to " + a.Country + " yet")
	}
	if a.State == "" {
		bad("state", "required")
	} else if rules.Tax.Scheme == pricing.SchemeGST {
		if r, ok := rules.Region(a.State); ok {
			a.State = r.Name
		} else {
			bad("state", "not a state or union territory we know")
		}
	}
	if a.Country == "IN" {
		// A PIN code from another state is a typo or a wrong state, and
		// would put the wrong GST on the order.
		if err := india.CheckPIN(a.PostalCode, a.State); err != nil {
			if len(fields) == 0 {
				return Address{}, err
			}
			fields = append(fields, err.Fields...)
		}
	}
	if len(fields) > 0 {
		e := *ErrInvalidAddress
		e.Fields = fields
		parts := make([]string, len(fields))
		for i, f := range fields {
			parts[i] = f.Field + ": " + f.Message
		}
		e.Detail = "the address is not valid: " + strings.Join(parts, "; ")
		return Address{}, &e
	}
	return a, nil
}
