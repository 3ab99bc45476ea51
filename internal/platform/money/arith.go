package money

import (
	"fmt"
	"math"
	"math/bits"
)

// same checks that a and b can be combined: a supported currency, and the same one.
func same(a, b Money) error {
	if _, err := a.currency(); err != nil {
		return err
	}
	if a.Currency != b.Currency {
		return ErrCurrencyMismatch.With(fmt.Sprintf("cannot combine %s with %s", a.Currency, quoteCode(b.Currency)))
	}
	return nil
}

func overflow(op string, m Money) error {
	return ErrOverflow.With(fmt.Sprintf("%s overflows for %s", op, m.Currency))
}

// Add returns m + o.
func (m Money) Add(o Money) (Money, error) {
	if err := same(m, o); err != nil {
		return Money{}, err
	}
	s := m.Amount + o.Amount
	// Overflow happened iff both operands have the sign the result lacks.
	if (m.Amount^s)&(o.Amount^s) < 0 {
		return Money{}, overflow("add", m)
	}
	return Money{s, m.Currency}, nil
}

// Sub returns m - o.
func (m Money) Sub(o Money) (Money, error) {
	if err := same(m, o); err != nil {
		return Money{}, err
	}
	d := m.Amount - o.Amount
	if (m.Amount^o.Amount)&(m.Amount^d) < 0 {
		return Money{}, overflow("subtract", m)
	}
	return Money{d, m.Currency}, nil
}

// Neg returns -m.
func (m Money) Neg() (Money, error) {
	if _, err := m.currency(); err != nil {
		return Money{}, err
	}
	if m.Amount == math.MinInt64 {
		return Money{}, overflow("negate", m)
	}
	return Money{-m.Amount, m.Currency}, nil
}

// Abs returns |m|.
func (m Money) Abs() (Money, error) {
	if m.Amount < 0 {
		return m.Neg()
	}
	return m, m.Valid()
}

// Mul returns m × qty, as for a line of qty units at a unit price.
func (m Money) Mul(qty int64) (Money, error) {
	if _, err := m.currency(); err != nil {
		return Money{}, err
	}
	hi, lo := bits.Mul64(abs(m.Amount), abs(qty))
	p, ok := signed(hi, lo, (m.Amount < 0) != (qty < 0))
	if !ok {
		return Money{}, overflow("multiply", m)
	}
	return Money{p, m.Currency}, nil
}

// Cmp compares m and o: -1 if m < o, 0 if equal, +1 if m > o.
func (m Money) Cmp(o Money) (int, error) {
	if err := same(m, o); err != nil {
		return 0, err
	}
	switch {
	case m.Amount < o.Amount:
		return -1, nil
	case m.Amount > o.Amount:
		return 1, nil
	}
	return 0, nil
}

// Equal reports whether m and o are the same amount in the same currency.
func (m Money) Equal(o Money) bool { return m == o }

// Sum adds ms, which must all be in currency; no amounts sum to zero.
func Sum(currency string, ms ...Money) (Money, error) {
	total, err := Zero(currency)
	if err != nil {
		return Money{}, err
	}
	for _, m := range ms {
		if total, err = total.Add(m); err != nil {
			return Money{}, err
		}
	}
	return total, nil
}

// abs returns |x| as a uint64, which holds |MinInt64| too.
func abs(x int64) uint64 {
	if x < 0 {
		return -uint64(x)
	}
	return uint64(x)
}

// signed turns the 128-bit magnitude hi:lo with a sign into an int64.
func signed(hi, lo uint64, neg bool) (int64, bool) {
	if hi != 0 {
		return 0, false
	}
	if neg {
		if lo > 1<<63 {
			return 0, false
		}
		return -int64(lo), true // lo == 1<<63 wraps to MinInt64, which is right
	}
	if lo > math.MaxInt64 {
		return 0, false
	}
	return int64(lo), true
}
