package money_test

import (
	"errors"
	"math"
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

func inr(a int64) money.Money { return money.MustNew(a, "INR") }
func usd(a int64) money.Money { return money.MustNew(a, "USD") }

func TestNew(t *testing.T) {
	tests := []struct {
		code    string
		want    string
		wantErr error
	}{
		{"INR", "INR", nil},
		{"inr", "INR", nil},
		{"JPY", "JPY", nil},
		{"XXX", "", money.ErrUnknownCurrency},
		{"", "", money.ErrUnknownCurrency},
		{"INRR", "", money.ErrUnknownCurrency},
	}
	for _, tt := range tests {
		m, err := money.New(5, tt.code)
		if !errors.Is(err, tt.wantErr) || (err == nil) != (tt.wantErr == nil) {
			t.Errorf("New(5, %q) error = %v, want %v", tt.code, err, tt.wantErr)
			continue
		}
		if m.Currency != tt.want {
			t.Errorf("New(5, %q).Currency = %q, want %q", tt.code, m.Currency, tt.want)
		}
	}
	if errs.KindOf(money.ErrUnknownCurrency) != errs.KindInvalid {
		t.Errorf("unknown currency is not an invalid-input error")
	}
}

func TestCurrencyTable(t *testing.T) {
	want := map[string]int{"INR": 2, "USD": 2, "EUR": 2, "GBP": 2, "JPY": 0, "AED": 2, "SGD": 2, "KWD": 3}
	for code, exp := range want {
		c, err := money.LookupCurrency(code)
		if err != nil {
			t.Fatalf("LookupCurrency(%s): %v", code, err)
		}
		if c.Exponent != exp {
			t.Errorf("%s exponent = %d, want %d", code, c.Exponent, exp)
		}
	}
	all := money.Currencies()
	for i := 1; i < len(all); i++ {
		if all[i-1].Code >= all[i].Code {
			t.Errorf("Currencies not sorted: %s before %s", all[i-1].Code, all[i].Code)
		}
	}
	for _, c := range all {
		if len(c.Code) != 3 || c.Locale == "" {
			t.Errorf("incomplete currency %+v", c)
		}
	}
}

func TestZeroValueFails(t *testing.T) {
	var z money.Money
	if _, err := z.Add(z); !errors.Is(err, money.ErrUnknownCurrency) {
		t.Errorf("zero Money Add: err = %v, want unknown currency", err)
	}
	if _, err := z.Mul(2); !errors.Is(err, money.ErrUnknownCurrency) {
		t.Errorf("zero Money Mul: err = %v", err)
	}
	if _, err := z.Allocate(1, 1); !errors.Is(err, money.ErrUnknownCurrency) {
		t.Errorf("zero Money Allocate: err = %v", err)
	}
}

func TestArithmetic(t *testing.T) {
	max := inr(math.MaxInt64)
	min := inr(math.MinInt64)
	type op func() (money.Money, error)
	tests := []struct {
		name    string
		do      op
		want    money.Money
		wantErr error
	}{
		{"add", func() (money.Money, error) { return inr(129900).Add(inr(100)) }, inr(130000), nil},
		{"add negative", func() (money.Money, error) { return inr(100).Add(inr(-250)) }, inr(-150), nil},
		{"add mismatch", func() (money.Money, error) { return inr(1).Add(usd(1)) }, money.Money{}, money.ErrCurrencyMismatch},
		{"add overflow", func() (money.Money, error) { return max.Add(inr(1)) }, money.Money{}, money.ErrOverflow},
		{"add underflow", func() (money.Money, error) { return min.Add(inr(-1)) }, money.Money{}, money.ErrOverflow},
		{"add to the edge", func() (money.Money, error) { return inr(math.MaxInt64 - 1).Add(inr(1)) }, max, nil},
		{"sub", func() (money.Money, error) { return inr(500).Sub(inr(800)) }, inr(-300), nil},
		{"sub mismatch", func() (money.Money, error) { return inr(1).Sub(usd(1)) }, money.Money{}, money.ErrCurrencyMismatch},
		{"sub overflow", func() (money.Money, error) { return min.Sub(inr(1)) }, money.Money{}, money.ErrOverflow},
		{"sub overflow up", func() (money.Money, error) { return inr(0).Sub(min) }, money.Money{}, money.ErrOverflow},
		{"sub to min", func() (money.Money, error) { return inr(-1).Sub(max) }, min, nil},
		{"neg", func() (money.Money, error) { return inr(5).Neg() }, inr(-5), nil},
		{"neg min", func() (money.Money, error) { return min.Neg() }, money.Money{}, money.ErrOverflow},
		{"abs", func() (money.Money, error) { return inr(-5).Abs() }, inr(5), nil},
		{"mul", func() (money.Money, error) { return inr(129900).Mul(3) }, inr(389700), nil},
		{"mul negative qty", func() (money.Money, error) { return inr(100).Mul(-3) }, inr(-300), nil},
		{"mul both negative", func() (money.Money, error) { return inr(-100).Mul(-3) }, inr(300), nil},
		{"mul zero", func() (money.Money, error) { return max.Mul(0) }, inr(0), nil},
		{"mul overflow", func() (money.Money, error) { return inr(math.MaxInt64/2 + 1).Mul(2) }, money.Money{}, money.ErrOverflow},
		{"mul overflow big", func() (money.Money, error) { return inr(1 << 40).Mul(1 << 40) }, money.Money{}, money.ErrOverflow},
		{"mul to min", func() (money.Money, error) { return inr(math.MinInt64 / 2).Mul(2) }, min, nil},
		{"mul min by -1", func() (money.Money, error) { return min.Mul(-1) }, money.Money{}, money.ErrOverflow},
		{"sum", func() (money.Money, error) { return money.Sum("INR", inr(1), inr(2), inr(3)) }, inr(6), nil},
		{"sum empty", func() (money.Money, error) { return money.Sum("INR") }, inr(0), nil},
		{"sum mismatch", func() (money.Money, error) { return money.Sum("INR", inr(1), usd(2)) }, money.Money{}, money.ErrCurrencyMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := tt.do()
			if tt.wantErr != nil {
				if !errors.Is(err, tt.wantErr) {
					t.Fatalf("err = %v, want %v", err, tt.wantErr)
				}
				return
			}
			if err != nil || got != tt.want {
				t.Fatalf("got %v, %v; want %v", got, err, tt.want)
			}
		})
	}
}

func TestCmp(t *testing.T) {
	tests := []struct {
		a, b money.Money
		want int
	}{
		{inr(1), inr(2), -1},
		{inr(2), inr(2), 0},
		{inr(3), inr(2), 1},
		{inr(math.MinInt64), inr(math.MaxInt64), -1},
	}
	for _, tt := range tests {
		got, err := tt.a.Cmp(tt.b)
		if err != nil || got != tt.want {
			t.Errorf("%v.Cmp(%v) = %d, %v; want %d", tt.a, tt.b, got, err, tt.want)
		}
	}
	if _, err := inr(1).Cmp(usd(1)); !errors.Is(err, money.ErrCurrencyMismatch) {
		t.Errorf("Cmp across currencies: err = %v", err)
	}
	if !inr(0).IsZero() || inr(1).IsZero() || !inr(-1).IsNegative() || inr(0).IsNegative() || !inr(1).IsPositive() {
		t.Errorf("sign predicates disagree")
	}
}
