// Package card checks and protects card numbers. A card number (PAN) enters
// Bazaar only through the payment service's tokenisation call; this package
// validates it (Luhn, brand, length, expiry, CVC shape) and seals it with
// AES-256-GCM so that only the payment service, holding the key, can read it
// back. Everything else sees a token, the brand, the last four digits and
// the expiry.
//
// PAN and CVC are string types whose String, GoString, Format, LogValue and
// MarshalJSON never show the secret, so a stray log line, %v or JSON
// encoding of a struct that holds one cannot leak it. They decode from JSON
// as plain strings; a client that must send one marshals Reveal() in a
// struct of its own.
package card

import (
	"encoding/json"
	"fmt"
	"log/slog"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// PAN is a primary account number, digits only once Normalize has run.
type PAN string

// String shows only the last four digits.
func (p PAN) String() string { return Mask(string(p)) }

// GoString keeps %#v from printing the number.
func (p PAN) GoString() string { return `card.PAN("` + Mask(string(p)) + `")` }

// Format makes every fmt verb print the mask.
func (p PAN) Format(f fmt.State, _ rune) { _, _ = f.Write([]byte(Mask(string(p)))) }

// LogValue keeps slog from printing the number.
func (p PAN) LogValue() slog.Value { return slog.StringValue(Mask(string(p))) }

// MarshalJSON writes the mask, never the number.
func (p PAN) MarshalJSON() ([]byte, error) { return json.Marshal(Mask(string(p))) }

// Last4 is the last four digits.
func (p PAN) Last4() string {
	d := digitsOnly(string(p))
	if len(d) < 4 {
		return d
	}
	return d[len(d)-4:]
}

// CVC is a card verification code. It is checked for shape and handed to a
// provider within the request that carries it; it is never stored or logged.
type CVC string

func (CVC) String() string               { return "***" }
func (CVC) GoString() string             { return `card.CVC("***")` }
func (CVC) Format(f fmt.State, _ rune)   { _, _ = f.Write([]byte("***")) }
func (CVC) LogValue() slog.Value         { return slog.StringValue("***") }
func (CVC) MarshalJSON() ([]byte, error) { return []byte(`"***"`), nil }

// Reveal returns the code itself, for the provider call that needs it.
func (c CVC) Reveal() string { return string(c) }

// Reveal returns the number itself, for the provider call that needs it.
func (p PAN) Reveal() string { return string(p) }

// normalized strips spaces and dashes; ok is false for anything else.
func (p PAN) normalized() (string, bool) {
	if strings.Trim(string(p), "0123456789 -") != "" {
		return "", false
	}
	d := digitsOnly(string(p))
	return d, d != ""
}

func digitsOnly(s string) string {
	return strings.Map(func(r rune) rune {
		if r >= '0' && r <= '9' {
			return r
		}
		return -1
	}, s)
}

// Mask shows the last four digits of a number and nothing else.
func Mask(s string) string {
	d := digitsOnly(s)
	if len(d) < 4 {
		return "••••"
	}
	return "•••• " + d[len(d)-4:]
}

// Errors of a card that fails validation. Their details never include the
// number.
var (
	ErrInvalidNumber    = errs.Invalid("card_number_invalid", "the card number is not valid")
	ErrUnsupportedBrand = errs.Invalid("card_brand_unsupported", "cards of this brand are not accepted")
	ErrInvalidExpiry    = errs.Invalid("card_expiry_invalid", "the expiry month or year is not valid")
	ErrExpired          = errs.Invalid("card_expired", "the card has expired")
	ErrInvalidCVC       = errs.Invalid("card_cvc_invalid", "the security code is not valid for this card")
)

// Checked is what validation learns about a card: everything but the
// secret parts.
type Checked struct {
	Number   PAN // digits only
	Brand    Brand
	Last4    string
	ExpMonth int
	ExpYear  int
}

// Validate checks number, expiry and cvc (which may be empty: a saved card
// charged later has none) at time now. accepted limits the brands; none
// means every known brand.
func Validate(number PAN, expMonth, expYear int, cvc CVC, now time.Time, accepted ...Brand) (Checked, error) {
	d, ok := number.normalized()
	if !ok || len(d) < 12 || len(d) > 19 || !Luhn(d) {
		return Checked{}, withField(ErrInvalidNumber, "number")
	}
	b := Detect(d)
	if b == Unknown {
		return Checked{}, withField(ErrUnsupportedBrand.With("the card number belongs to no accepted brand"), "number")
	}
	if len(accepted) > 0 && !containsBrand(accepted, b) {
		return Checked{}, withField(ErrUnsupportedBrand.With(b.Name()+" cards are not accepted"), "number")
	}
	if !b.validLength(len(d)) {
		return Checked{}, withField(ErrInvalidNumber.With("the card number has the wrong length for "+b.Name()), "number")
	}
	if err := CheckExpiry(expMonth, expYear, now); err != nil {
		return Checked{}, err
	}
	if cvc != "" {
		if digitsOnly(string(cvc)) != string(cvc) || len(cvc) != b.cvcLength() {
			return Checked{}, withField(ErrInvalidCVC.With(fmt.Sprintf("%s security codes have %d digits", b.Name(), b.cvcLength())), "cvc")
		}
	}
	return Checked{Number: PAN(d), Brand: b, Last4: d[len(d)-4:], ExpMonth: expMonth, ExpYear: expYear}, nil
}

// CheckExpiry accepts a card through the last day of its expiry month.
// Two-digit years are taken as 20xx.
func CheckExpiry(month, year int, now time.Time) error {
	if year >= 0 && year < 100 {
		year += 2000
	}
	if month < 1 || month > 12 || year < 2000 || year > now.Year()+25 {
		return withField(ErrInvalidExpiry, "exp_month")
	}
	firstAfter := time.Date(year, time.Month(month)+1, 1, 0, 0, 0, 0, time.UTC)
	if !now.UTC().Before(firstAfter) {
		return withField(ErrExpired, "exp_year")
	}
	return nil
}

// NormalizeYear turns a two-digit year into four.
func NormalizeYear(y int) int {
	if y >= 0 && y < 100 {
		return y + 2000
	}
	return y
}

// Luhn reports whether a string of digits passes the Luhn (mod 10) check.
func Luhn(digits string) bool {
	if digits == "" {
		return false
	}
	sum, double := 0, false
	for i := len(digits) - 1; i >= 0; i-- {
		c := digits[i]
		if c < '0' || c > '9' {
			return false
		}
		n := int(c - '0')
		if double {
			n *= 2
			if n > 9 {
				n -= 9
			}
		}
		sum += n
		double = !double
	}
	return sum%10 == 0
}

func withField(e *errs.Error, field string) *errs.Error {
	c := *e
	c.Fields = []errs.FieldError{{Field: "card." + field, Message: e.Detail}}
	return &c
}
