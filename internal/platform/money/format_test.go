package money_test

import (
	"errors"
	"math"
	"strings"
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/money"
)

func TestParse(t *testing.T) {
	tests := []struct {
		in, cur string
		want    int64
	}{
		{"1299.00", "INR", 129900},
		{"1299", "INR", 129900},
		{"1299.5", "INR", 129950},
		{"0.01", "INR", 1},
		{"-0.50", "INR", -50},
		{"+7", "USD", 700},
		{"-0", "INR", 0},
		{"007.10", "INR", 710},
		{"1299", "JPY", 1299},
		{"1.234", "KWD", 1234},
		{"92233720368547758.07", "INR", math.MaxInt64},
		{"-92233720368547758.08", "INR", math.MinInt64},
		{"9223372036854775807", "JPY", math.MaxInt64},
	}
	for _, tt := range tests {
		m, err := money.Parse(tt.in, tt.cur)
		if err != nil || m.Amount != tt.want || m.Currency != tt.cur {
			t.Errorf("Parse(%q, %s) = %v, %v; want %d", tt.in, tt.cur, m, err, tt.want)
		}
	}

	bad := []struct {
		in, cur string
		want    error
	}{
		{"1299.001", "INR", money.ErrInvalidAmount},
		{"1299.000", "INR", money.ErrInvalidAmount},
		{"5.0", "JPY", money.ErrInvalidAmount},
		{"", "INR", money.ErrInvalidAmount},
		{"-", "INR", money.ErrInvalidAmount},
		{".5", "INR", money.ErrInvalidAmount},
		{"5.", "INR", money.ErrInvalidAmount},
		{"1,299.00", "INR", money.ErrInvalidAmount},
		{"1e3", "INR", money.ErrInvalidAmount},
		{" 12", "INR", money.ErrInvalidAmount},
		{"12 ", "INR", money.ErrInvalidAmount},
		{"1.2.3", "INR", money.ErrInvalidAmount},
		{"--1", "INR", money.ErrInvalidAmount},
		{"१२", "INR", money.ErrInvalidAmount}, // Devanagari digits are not ASCII digits
		{"92233720368547758.08", "INR", money.ErrOverflow},
		{"-92233720368547758.09", "INR", money.ErrOverflow},
		{"99999999999999999999999999", "JPY", money.ErrOverflow},
		{"12", "XYZ", money.ErrUnknownCurrency},
	}
	for _, tt := range bad {
		if m, err := money.Parse(tt.in, tt.cur); !errors.Is(err, tt.want) {
			t.Errorf("Parse(%q, %s) = %v, %v; want %v", tt.in, tt.cur, m, err, tt.want)
		}
	}

	long := strings.Repeat("9", 10_000)
	_, err := money.Parse(long, "INR")
	if err == nil || len(err.Error()) > 200 {
		t.Errorf("Parse of a 10k-digit string: error %.80q… of %d bytes", err, len(err.Error()))
	}
}

func TestFormatting(t *testing.T) {
	tests := []struct {
		m       money.Money
		str     string
		display string
		enUS    string
	}{
		{inr(12999900), "INR 129999.00", "₹1,29,999.00", "₹129,999.00"},
		{inr(129900), "INR 1299.00", "₹1,299.00", "₹1,299.00"},
		{inr(1234567890), "INR 12345678.90", "₹1,23,45,678.90", "₹12,345,678.90"},
		{inr(99), "INR 0.99", "₹0.99", "₹0.99"},
		{inr(5), "INR 0.05", "₹0.05", "₹0.05"},
		{inr(0), "INR 0.00", "₹0.00", "₹0.00"},
		{inr(-12999900), "INR -129999.00", "-₹1,29,999.00", "-₹129,999.00"},
		{inr(math.MinInt64), "INR -92233720368547758.08", "-₹92,23,37,20,36,85,47,758.08", "-₹92,233,720,368,547,758.08"},
		{usd(129900), "USD 1299.00", "$1,299.00", "$1,299.00"},
		{usd(12999900), "USD 129999.00", "$129,999.00", "$129,999.00"},
		{money.MustNew(1234567, "JPY"), "JPY 1234567", "¥1,234,567", "¥1,234,567"},
		{money.MustNew(129900, "AED"), "AED 1299.00", "AED 1,299.00", "AED 1,299.00"},
		{money.MustNew(1500, "KWD"), "KWD 1.500", "KWD 1.500", "KWD 1.500"},
		{money.MustNew(100000, "EUR"), "EUR 1000.00", "€1,000.00", "€1,000.00"},
	}
	for _, tt := range tests {
		if got := tt.m.String(); got != tt.str {
			t.Errorf("String() = %q, want %q", got, tt.str)
		}
		if got := tt.m.Display(); got != tt.display {
			t.Errorf("%v Display() = %q, want %q", tt.m, got, tt.display)
		}
		if got := tt.m.Format("en-US"); got != tt.enUS {
			t.Errorf("%v Format(en-US) = %q, want %q", tt.m, got, tt.enUS)
		}
	}
	for _, loc := range []string{"en-IN", "hi_IN", "en-in", "en-IN-u-nu-latn", "bn-BD"} {
		if got := usd(12999900).Format(loc); got != "$1,29,999.00" {
			t.Errorf("Format(%q) = %q, want Indian grouping", loc, got)
		}
	}
	for _, loc := range []string{"", "en", "IN", "en-GB", "in-ID"} {
		if got := inr(12999900).Format(loc); got != "₹129,999.00" {
			t.Errorf("Format(%q) = %q, want western grouping", loc, got)
		}
	}
	if got := (money.Money{Amount: 5, Currency: "XYZ"}).String(); got != "XYZ 0.05" {
		t.Errorf("unknown currency String = %q", got)
	}
}

func TestJSON(t *testing.T) {
	b, err := inr(129900).MarshalJSON()
	if err != nil || string(b) != `{"amount":129900,"currency":"INR"}` {
		t.Fatalf("MarshalJSON = %s, %v", b, err)
	}
	if _, err := (money.Money{Amount: 1, Currency: "XYZ"}).MarshalJSON(); !errors.Is(err, money.ErrUnknownCurrency) {
		t.Errorf("marshal unknown currency: err = %v", err)
	}

	good := []struct {
		in   string
		want money.Money
	}{
		{`{"amount":129900,"currency":"INR"}`, inr(129900)},
		{`{"currency":"USD","amount":-5}`, usd(-5)},
		{` { "amount" : 0 , "currency" : "inr" } `, inr(0)},
		{`{"amount":9223372036854775807,"currency":"JPY"}`, money.MustNew(math.MaxInt64, "JPY")},
	}
	for _, tt := range good {
		var m money.Money
		if err := m.UnmarshalJSON([]byte(tt.in)); err != nil || m != tt.want {
			t.Errorf("Unmarshal %s = %v, %v; want %v", tt.in, m, err, tt.want)
		}
	}

	bad := []struct {
		in   string
		want error
	}{
		{`{"amount":1299.5,"currency":"INR"}`, money.ErrInvalidAmount},
		{`{"amount":1.0,"currency":"INR"}`, money.ErrInvalidAmount},
		{`{"amount":1e3,"currency":"INR"}`, money.ErrInvalidAmount},
		{`{"amount":"129900","currency":"INR"}`, money.ErrInvalidAmount},
		{`{"amount":null,"currency":"INR"}`, money.ErrInvalidAmount},
		{`{"currency":"INR"}`, money.ErrInvalidAmount},
		{`{"amount":9223372036854775808,"currency":"INR"}`, money.ErrOverflow},
		{`{"amount":100}`, money.ErrUnknownCurrency},
		{`{"amount":100,"currency":"XYZ"}`, money.ErrUnknownCurrency},
		{`{"amount":100,"currency":5}`, money.ErrInvalidAmount},
		{`"INR 1299.00"`, money.ErrInvalidAmount},
		{`[1,2]`, money.ErrInvalidAmount},
	}
	for _, tt := range bad {
		m := inr(7)
		err := m.UnmarshalJSON([]byte(tt.in))
		if !errors.Is(err, tt.want) {
			t.Errorf("Unmarshal %s: err = %v, want %v", tt.in, err, tt.want)
		}
		if m != inr(7) {
			t.Errorf("Unmarshal %s changed the value to %v", tt.in, m)
		}
	}
}
