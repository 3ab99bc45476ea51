package identity

import (
	"net/mail"
	"regexp"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

const (
	minPassword = 8
	maxPassword = 128
	maxEmail    = 254
	maxName     = 100
)

// NormalizeEmail trims and lower-cases an address: accounts are unique by
// it. (Local parts are case-sensitive in theory and never in practice.)
func NormalizeEmail(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

var domainLabel = regexp.MustCompile(`^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$`)

// validEmail accepts a plain address (no display name, no comments) with a
// domain of DNS labels: at least two, or "localhost" for a local admin.
func validEmail(s string) string {
	if s == "" {
		return "is required"
	}
	if len(s) > maxEmail {
		return "is longer than 254 characters"
	}
	a, err := mail.ParseAddress(s)
	if err != nil || a.Address != s || a.Name != "" {
		return "is not an email address"
	}
	local, domain, ok := strings.Cut(s, "@")
	if !ok || local == "" || len(local) > 64 || strings.ContainsAny(local, " \"\\") {
		return "is not an email address"
	}
	labels := strings.Split(domain, ".")
	if len(labels) < 2 && domain != "localhost" {
		return "needs a domain such as example.com"
	}
	for _, l := range labels {
		if !domainLabel.MatchString(l) {
			return "has an invalid domain"
		}
	}
	return ""
}

// checkPassword applies the rules of NIST SP 800-63B: length 8-128
// characters, not one of the commonest passwords, not the address itself.
// No composition rules: they make passwords worse, not stronger.
func checkPassword(pw, email string) error {
	n := utf8.RuneCountInString(pw)
	var msg string
	switch {
	case !utf8.ValidString(pw):
		msg = "is not valid UTF-8"
	case n < minPassword:
		msg = "must be at least 8 characters"
	case n > maxPassword:
		msg = "must be at most 128 characters"
	case commonPassword(pw):
		msg = "is one of the most common passwords"
	case email != "" && (strings.EqualFold(pw, email) || strings.EqualFold(pw, strings.SplitN(email, "@", 2)[0])):
		msg = "must not be your email address"
	default:
		return nil
	}
	e := *ErrWeakPassword
	e.Detail = "the password " + msg
	e.Fields = []errs.FieldError{{Field: "password", Message: msg}}
	return &e
}

// cleanText trims s and reports a problem if it is longer than max
// characters or holds control characters.
func cleanText(s string, max int) (string, string) {
	s = strings.TrimSpace(s)
	if !utf8.ValidString(s) {
		return s, "is not valid UTF-8"
	}
	if utf8.RuneCountInString(s) > max {
		return s, "is too long"
	}
	for _, r := range s {
		if unicode.IsControl(r) {
			return s, "must not contain control characters"
		}
	}
	return s, ""
}

var phoneRe = regexp.MustCompile(`^\+?[0-9]{8,15}$`)

// normalizePhone strips the spaces, dashes and brackets people type and
// checks what is left looks like an E.164 number.
func normalizePhone(s string) (string, string) {
	s = strings.Map(func(r rune) rune {
		if r == ' ' || r == '-' || r == '(' || r == ')' || r == '.' {
			return -1
		}
		return r
	}, s)
	if s == "" {
		return "", ""
	}
	if !phoneRe.MatchString(s) {
		return s, "is not a phone number (8-15 digits, optionally with a leading +)"
	}
	return s, ""
}

var (
	indianPIN   = regexp.MustCompile(`^[1-9][0-9]{5}$`)
	anyPostcode = regexp.MustCompile(`^[A-Z0-9][A-Z0-9 -]{1,10}[A-Z0-9]$`)
	countryCode = regexp.MustCompile(`^[A-Z]{2}$`)
)

// normalizePostalCode checks a postal code for country: India's 6-digit
// PIN codes strictly (the first digit names the postal region, 1-9; a space
// after the third digit is tolerated), elsewhere 3-12 letters, digits,
// spaces and hyphens, since formats vary too much to know them all.
func normalizePostalCode(code, country string) (string, string) {
	code = strings.ToUpper(strings.TrimSpace(code))
	if country == "IN" {
		code = strings.ReplaceAll(code, " ", "")
		if !indianPIN.MatchString(code) {
			return code, "is not an Indian PIN code (6 digits, the first 1-9)"
		}
		return code, ""
	}
	if !anyPostcode.MatchString(code) {
		return code, "is not a postal code"
	}
	return code, ""
}

var deviceRe = regexp.MustCompile(`^[A-Za-z0-9_-]{8,64}$`)

// ValidDeviceID reports whether s can be a guest's device id.
func ValidDeviceID(s string) bool { return deviceRe.MatchString(s) }

var slugRe = regexp.MustCompile(`^[a-z0-9][a-z0-9-]{0,63}$`)
