package money

import (
	"slices"
	"strconv"
	"strings"
)

// Currency describes one ISO 4217 currency as Bazaar prices in it.
type Currency struct {
	Code     string // ISO 4217 alphabetic code: "INR"
	Exponent int    // digits after the decimal point in a major unit: 2 for INR, 0 for JPY
	Symbol   string // display prefix: "₹"; empty means the code is shown instead
	Locale   string // the locale Display formats for: "en-IN" gives lakh/crore grouping
}

// The table is deliberately small: a currency we cannot format or round for
// correctly is one we must not accept. Exponents follow ISO 4217.
var currencies = map[string]Currency{
	"AED": {"AED", 2, "", "en-AE"},
	"AUD": {"AUD", 2, "A$", "en-AU"},
	"BDT": {"BDT", 2, "৳", "en-BD"},
	"BHD": {"BHD", 3, "", "en-BH"},
	"CAD": {"CAD", 2, "CA$", "en-CA"},
	"CHF": {"CHF", 2, "", "en-CH"},
	"CNY": {"CNY", 2, "CN¥", "en-CN"},
	"EUR": {"EUR", 2, "€", "en-IE"},
	"GBP": {"GBP", 2, "£", "en-GB"},
	"HKD": {"HKD", 2, "HK$", "en-HK"},
	"INR": {"INR", 2, "₹", "en-IN"},
	"JPY": {"JPY", 0, "¥", "en-JP"},
	"KWD": {"KWD", 3, "", "en-KW"},
	"LKR": {"LKR", 2, "", "en-LK"},
	"MYR": {"MYR", 2, "RM", "en-MY"},
	"NPR": {"NPR", 2, "", "en-NP"},
	"NZD": {"NZD", 2, "NZ$", "en-NZ"},
	"OMR": {"OMR", 3, "", "en-OM"},
	"QAR": {"QAR", 2, "", "en-QA"},
	"SAR": {"SAR", 2, "", "en-SA"},
	"SGD": {"SGD", 2, "S$", "en-SG"},
	"THB": {"THB", 2, "฿", "en-TH"},
	"USD": {"USD", 2, "$", "en-US"},
	"ZAR": {"ZAR", 2, "R", "en-ZA"},
}

// LookupCurrency returns the currency with an ISO code, which must be in the
// table (upper case; lower case is accepted and normalised).
func LookupCurrency(code string) (Currency, error) {
	c, ok := currencies[code]
	if !ok {
		c, ok = currencies[upperASCII(code)]
	}
	if !ok {
		return Currency{}, ErrUnknownCurrency.With(quoteCode(code) + " is not a supported currency")
	}
	return c, nil
}

// Currencies lists the supported currencies ordered by code.
func Currencies() []Currency {
	out := make([]Currency, 0, len(currencies))
	for _, c := range currencies {
		out = append(out, c)
	}
	slices.SortFunc(out, func(a, b Currency) int { return strings.Compare(a.Code, b.Code) })
	return out
}

func upperASCII(s string) string {
	if len(s) != 3 {
		return s
	}
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// quoteCode keeps an attacker-sized input out of an error detail.
func quoteCode(s string) string {
	if len(s) > 8 {
		s = s[:8]
	}
	return strconv.Quote(s)
}
