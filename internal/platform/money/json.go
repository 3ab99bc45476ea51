package money

import (
	"bytes"
	"encoding/json"
	"strconv"
)

// MarshalJSON writes {"amount":129900,"currency":"INR"}.
func (m Money) MarshalJSON() ([]byte, error) {
	if err := m.Valid(); err != nil {
		return nil, err
	}
	b := make([]byte, 0, 48)
	b = append(b, `{"amount":`...)
	b = strconv.AppendInt(b, m.Amount, 10)
	b = append(b, `,"currency":"`...)
	b = append(b, m.Currency...)
	return append(b, `"}`...), nil
}

// UnmarshalJSON reads {"amount":129900,"currency":"INR"}. Both fields are
// required; the amount must be a JSON integer in int64 range (not 1299.5,
// 1e3 or "129900") and the currency a supported code.
func (m *Money) UnmarshalJSON(data []byte) error {
	if v, ok := canonical(data); ok {
		*m = v
		return nil
	}
	return m.unmarshalAny(data)
}

// unmarshalAny is UnmarshalJSON for any input.
func (m *Money) unmarshalAny(data []byte) error {
	if bytes.Equal(bytes.TrimSpace(data), []byte("null")) {
		return nil // like the standard decoder: null leaves the value alone
	}
	var raw struct {
		Amount   json.RawMessage `json:"amount"`
		Currency *string         `json:"currency"`
	}
	if err := json.Unmarshal(data, &raw); err != nil {
		return ErrInvalidAmount.With("money must be an object with amount and currency").Wrap(err)
	}
	if raw.Amount == nil {
		return ErrInvalidAmount.With("amount is required")
	}
	if raw.Currency == nil {
		return ErrUnknownCurrency.With("currency is required")
	}
	amount, err := strconv.ParseInt(string(raw.Amount), 10, 64)
	if err != nil {
		if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
			return ErrOverflow.With("amount " + clip(string(raw.Amount)) + " is out of range")
		}
		return ErrInvalidAmount.With("amount must be an integer count of minor units, not " + clip(string(raw.Amount)))
	}
	v, err := New(amount, *raw.Currency)
	if err != nil {
		return err
	}
	*m = v
	return nil
}

// clip keeps an attacker-sized input out of an error detail.
func clip(s string) string {
	if len(s) > 32 {
		return s[:32] + "…"
	}
	return s
}

// canonical reads the exact form MarshalJSON writes, which is what the
// services send one another, without a second pass of the JSON decoder
// (money is in every line and total of an order: a profile of the order
// worker spent a quarter of its JSON decoding here). Anything else, valid
// or not, is left to the general path and its errors.
func canonical(data []byte) (Money, bool) {
	const head, mid = `{"amount":`, `,"currency":"`
	rest, ok := bytes.CutPrefix(data, []byte(head))
	if !ok {
		return Money{}, false
	}
	neg := len(rest) > 0 && rest[0] == '-'
	if neg {
		rest = rest[1:]
	}
	n := 0
	for n < len(rest) && rest[n] >= '0' && rest[n] <= '9' {
		n++
	}
	// At most 18 digits always fits an int64; JSON has no leading zeros.
	if n == 0 || n > 18 || (rest[0] == '0' && n > 1) {
		return Money{}, false
	}
	var amount int64
	for _, d := range rest[:n] {
		amount = amount*10 + int64(d-'0')
	}
	if neg {
		amount = -amount
	}
	code, ok := bytes.CutPrefix(rest[n:], []byte(mid))
	if !ok || len(code) != 5 || code[3] != '"' || code[4] != '}' {
		return Money{}, false
	}
	for _, c := range code[:3] {
		if c < 'A' || c > 'Z' {
			return Money{}, false
		}
	}
	v, err := New(amount, string(code[:3]))
	return v, err == nil
}
