package money

import (
	"strconv"
	"strings"
)

// Parse reads a decimal amount in major units ("1299.00", "-5", "0.5") in
// currency. It is exact: the digits become minor units without passing
// through a float. It rejects more decimals than the currency has
// ("1299.001" INR, "5.0" JPY), grouping separators, exponents and spaces.
func Parse(s, currency string) (Money, error) {
	c, err := LookupCurrency(currency)
	if err != nil {
		return Money{}, err
	}
	bad := func(why string) (Money, error) {
		return Money{}, ErrInvalidAmount.With(strconv.Quote(clip(s)) + " is not a valid " + c.Code + " amount: " + why)
	}

	rest := s
	neg := false
	if rest != "" && (rest[0] == '-' || rest[0] == '+') {
		neg = rest[0] == '-'
		rest = rest[1:]
	}
	intPart, frac, hasDot := strings.Cut(rest, ".")
	switch {
	case intPart == "":
		return bad("expected digits before the decimal point")
	case hasDot && frac == "":
		return bad("expected digits after the decimal point")
	case len(frac) > c.Exponent:
		if c.Exponent == 0 {
			return bad(c.Code + " has no minor unit")
		}
		return bad("at most " + strconv.Itoa(c.Exponent) + " decimals")
	}

	// Accumulate the magnitude in a uint64 so that MinInt64 is reachable.
	var mag uint64
	limit := uint64(1<<63 - 1)
	if neg {
		limit = 1 << 63
	}
	digits := 0
	push := func(d byte) bool {
		if d < '0' || d > '9' {
			return false
		}
		digits++
		next := mag*10 + uint64(d-'0')
		if mag > limit/10 || next > limit {
			mag = limit + 1
			return true
		}
		mag = next
		return true
	}
	for i := range len(intPart) {
		if !push(intPart[i]) {
			return bad("unexpected character")
		}
	}
	for i := range c.Exponent {
		d := byte('0')
		if i < len(frac) {
			d = frac[i]
		}
		if !push(d) {
			return bad("unexpected character")
		}
	}
	if mag > limit {
		return Money{}, ErrOverflow.With(strconv.Quote(clip(s)) + " is out of range for " + c.Code)
	}
	v := int64(mag)
	if neg {
		v = -v
	}
	return Money{v, c.Code}, nil
}

// Decimal returns the amount in major units with all of the currency's
// decimals and no grouping: "1299.00", "-0.50", "1299" for JPY. Parse reads it back.
func (m Money) Decimal() string {
	exp := 2
	if c, err := m.currency(); err == nil {
		exp = c.Exponent
	}
	return decimal(m.Amount, exp, nil)
}

// String returns the code and the Decimal form: "INR 1299.00". It is meant
// for logs and messages; Display is for shoppers.
func (m Money) String() string {
	if m.Currency == "" {
		return decimal(m.Amount, 2, nil)
	}
	return m.Currency + " " + m.Decimal()
}

// Display formats m for a shopper in the currency's home locale:
// "₹1,29,999.00", "$1,299.00", "AED 1,299.00", "-¥500".
func (m Money) Display() string {
	c, err := m.currency()
	if err != nil {
		return m.String()
	}
	return m.Format(c.Locale)
}

// Format formats m for a BCP 47 locale ("en-IN", "en-US"). Locales in India
// and its neighbours that share its numbering (IN, PK, BD, NP) group as lakh
// and crore (1,29,99,999.00); all others group by thousands
// (12,999,999.00). The symbol comes first, and the code stands in for a
// currency without one. Locales that write a decimal comma are not modelled:
// they get the English separators.
func (m Money) Format(locale string) string {
	c, err := m.currency()
	if err != nil {
		return m.String()
	}
	group := western
	if indianGrouping(locale) {
		group = indian
	}
	prefix := c.Symbol
	if prefix == "" {
		prefix = c.Code + " "
	}
	sign := ""
	if m.Amount < 0 {
		sign = "-"
	}
	return sign + prefix + decimal(m.Amount, c.Exponent, group)[len(sign):]
}

func indianGrouping(locale string) bool {
	// The region is the subtag after the language: "en-IN", "hi_IN", "en-IN-u-nu-latn".
	fields := strings.FieldsFunc(locale, func(r rune) bool { return r == '-' || r == '_' })
	for _, f := range fields[min(1, len(fields)):] {
		switch strings.ToUpper(f) {
		case "IN", "PK", "BD", "NP":
			return true
		}
	}
	return false
}

// grouping inserts separators into the digits of an integer part.
type grouping func(digits string) string

func western(d string) string {
	var b strings.Builder
	for i := range len(d) {
		if i > 0 && (len(d)-i)%3 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(d[i])
	}
	return b.String()
}

// indian groups the last three digits, then pairs: 12,34,56,789.
func indian(d string) string {
	if len(d) <= 3 {
		return d
	}
	head, tail := d[:len(d)-3], d[len(d)-3:]
	var b strings.Builder
	for i := range len(head) {
		if i > 0 && (len(head)-i)%2 == 0 {
			b.WriteByte(',')
		}
		b.WriteByte(head[i])
	}
	return b.String() + "," + tail
}

func decimal(amount int64, exp int, group grouping) string {
	digits := strconv.FormatUint(abs(amount), 10)
	if len(digits) <= exp {
		digits = strings.Repeat("0", exp-len(digits)+1) + digits
	}
	intPart, frac := digits[:len(digits)-exp], digits[len(digits)-exp:]
	if group != nil {
		intPart = group(intPart)
	}
	s := intPart
	if exp > 0 {
		s += "." + frac
	}
	if amount < 0 {
		s = "-" + s
	}
	return s
}
