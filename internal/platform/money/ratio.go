package money

import (
	"fmt"
	"math/bits"
	"slices"
)

// Rounding says where a result that falls between two minor units goes.
type Rounding uint8

const (
	// HalfUp rounds to the nearest unit, ties away from zero (₹0.005 → ₹0.01,
	// -₹0.005 → -₹0.01): the rule of GST invoices and most price displays.
	HalfUp Rounding = iota
	// HalfEven rounds to the nearest unit, ties to the even one (banker's
	// rounding): it has no bias when many rounded values are summed.
	HalfEven
	// Down truncates toward zero: a discount never exceeds its exact value.
	Down
	// Up rounds away from zero: a fee never falls short of its exact value.
	Up
)

func (r Rounding) String() string {
	switch r {
	case HalfUp:
		return "half_up"
	case HalfEven:
		return "half_even"
	case Down:
		return "down"
	case Up:
		return "up"
	}
	return fmt.Sprintf("rounding(%d)", uint8(r))
}

// BasisPoints per whole: 1800 basis points is 18%.
const BasisPoints = 10_000

// MulRatio returns m × num / den rounded by mode. The product is computed in
// 128 bits, so only a result outside int64 overflows. den must be positive;
// num may be negative.
func (m Money) MulRatio(num, den int64, mode Rounding) (Money, error) {
	if _, err := m.currency(); err != nil {
		return Money{}, err
	}
	if den <= 0 {
		return Money{}, ErrInvalidRatio.With(fmt.Sprintf("denominator %d is not positive", den))
	}
	if mode > Up {
		return Money{}, ErrInvalidRatio.With("unknown rounding mode " + mode.String())
	}
	neg := (m.Amount < 0) != (num < 0)
	hi, lo := bits.Mul64(abs(m.Amount), abs(num))
	d := uint64(den)
	if hi >= d { // the quotient needs more than 64 bits
		return Money{}, overflow("multiply by ratio", m)
	}
	q, r := bits.Div64(hi, lo, d)
	if roundAway(q, r, d, mode) {
		q++
		if q == 0 {
			return Money{}, overflow("multiply by ratio", m)
		}
	}
	v, ok := signed(0, q, neg)
	if !ok {
		return Money{}, overflow("multiply by ratio", m)
	}
	return Money{v, m.Currency}, nil
}

// roundAway decides whether the magnitude q + r/d is rounded up to q+1.
// Working on magnitudes makes every mode symmetric around zero.
func roundAway(q, r, d uint64, mode Rounding) bool {
	if r == 0 {
		return false
	}
	// r < d <= MaxInt64, so 2r cannot overflow.
	twice := 2 * r
	switch mode {
	case HalfUp:
		return twice >= d
	case HalfEven:
		return twice > d || (twice == d && q%2 == 1)
	case Up:
		return true
	}
	return false
}

// Percent returns basisPoints/10000 of m, rounded by mode: m.Percent(1800,
// money.HalfUp) is 18% of m.
func (m Money) Percent(basisPoints int64, mode Rounding) (Money, error) {
	return m.MulRatio(basisPoints, BasisPoints, mode)
}

// InclusiveTax returns the tax contained in m when m is a tax-inclusive price
// at rateBP basis points: m × rate / (10000 + rate), rounded by mode. The net
// price is m minus the result, so net + tax is always exactly m.
func (m Money) InclusiveTax(rateBP int64, mode Rounding) (Money, error) {
	if rateBP < 0 || rateBP > 100*BasisPoints {
		return Money{}, ErrInvalidRatio.With(fmt.Sprintf("tax rate %d basis points is out of range", rateBP))
	}
	return m.MulRatio(rateBP, BasisPoints+rateBP, mode)
}

// Allocate splits m into parts proportional to ratios, such that the parts
// sum to exactly m. Each part gets its share rounded toward zero, and the
// units left over go one each to the parts with the largest remainders
// (earlier parts win ties); a zero ratio always gets zero. Use it to spread a
// cart discount over lines or a refund over tenders without losing a paisa.
func (m Money) Allocate(ratios ...int64) ([]Money, error) {
	if _, err := m.currency(); err != nil {
		return nil, err
	}
	if len(ratios) == 0 {
		return nil, ErrInvalidRatio.With("no ratios to allocate by")
	}
	var total uint64
	for _, r := range ratios {
		if r < 0 {
			return nil, ErrInvalidRatio.With(fmt.Sprintf("ratio %d is negative", r))
		}
		var carry uint64
		if total, carry = bits.Add64(total, uint64(r), 0); carry != 0 {
			return nil, ErrInvalidRatio.With("ratios sum beyond range")
		}
	}
	if total == 0 {
		return nil, ErrInvalidRatio.With("ratios sum to zero")
	}

	whole := abs(m.Amount)
	shares := make([]uint64, len(ratios))
	rems := make([]uint64, len(ratios))
	var given uint64
	for i, r := range ratios {
		// r <= total, so whole*r/total <= whole and the division cannot overflow.
		hi, lo := bits.Mul64(whole, uint64(r))
		shares[i], rems[i] = bits.Div64(hi, lo, total)
		given += shares[i]
	}
	// The leftover is the sum of the fractional parts, so it is less than the
	// number of parts with a nonzero remainder: each gets at most one unit.
	order := make([]int, len(ratios))
	for i := range order {
		order[i] = i
	}
	slices.SortStableFunc(order, func(a, b int) int {
		switch {
		case rems[a] > rems[b]:
			return -1
		case rems[a] < rems[b]:
			return 1
		}
		return 0
	})
	for _, i := range order[:whole-given] {
		shares[i]++
	}

	out := make([]Money, len(ratios))
	for i, s := range shares {
		v := int64(s)
		if m.Amount < 0 {
			v = -v // s <= |MinInt64|, and -int64(1<<63) wraps back to MinInt64
		}
		out[i] = Money{v, m.Currency}
	}
	return out, nil
}

// Split divides m into n parts as equal as possible, the larger parts first.
func (m Money) Split(n int) ([]Money, error) {
	if n <= 0 {
		return nil, ErrInvalidRatio.With(fmt.Sprintf("cannot split into %d parts", n))
	}
	ratios := make([]int64, n)
	for i := range ratios {
		ratios[i] = 1
	}
	return m.Allocate(ratios...)
}
