package money_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/money"
)

func TestMulRatio(t *testing.T) {
	tests := []struct {
		amount   int64
		num, den int64
		mode     money.Rounding
		want     int64
	}{
		// 2.5 and -2.5 and 3.5: the ties that tell the modes apart.
		{5, 1, 2, money.HalfUp, 3},
		{5, 1, 2, money.HalfEven, 2},
		{5, 1, 2, money.Down, 2},
		{5, 1, 2, money.Up, 3},
		{-5, 1, 2, money.HalfUp, -3},
		{-5, 1, 2, money.HalfEven, -2},
		{-5, 1, 2, money.Down, -2},
		{-5, 1, 2, money.Up, -3},
		{7, 1, 2, money.HalfEven, 4},
		{5, -1, 2, money.HalfUp, -3},
		// Not ties.
		{10, 1, 3, money.HalfUp, 3},
		{10, 1, 3, money.Up, 4},
		{20, 1, 3, money.HalfUp, 7},
		{20, 1, 3, money.HalfEven, 7},
		{20, 1, 3, money.Down, 6},
		{9, 3, 3, money.Up, 9},
		// 18% GST on ₹999.99 is ₹179.9982.
		{99999, 1800, 10000, money.HalfUp, 18000},
		{99999, 1800, 10000, money.Down, 17999},
		// The product overflows int64 but the result does not.
		{math.MaxInt64, 3, 4, money.Down, 6917529027641081855}, // (2^63-1)·3/4 = …855.25
		{math.MaxInt64, math.MaxInt64, math.MaxInt64, money.HalfUp, math.MaxInt64},
		{math.MinInt64, 1, 1, money.HalfUp, math.MinInt64},
		{math.MinInt64, 1, 2, money.HalfUp, math.MinInt64 / 2},
		// (2^64-1)/3 × 3/2 is MaxInt64 + ½: Down lands on the edge, HalfUp goes past it.
		{(1<<64 - 1) / 3, 3, 2, money.Down, math.MaxInt64},
	}
	for _, tt := range tests {
		got, err := inr(tt.amount).MulRatio(tt.num, tt.den, tt.mode)
		if err != nil || got != inr(tt.want) {
			t.Errorf("%d × %d/%d %v = %v, %v; want %d", tt.amount, tt.num, tt.den, tt.mode, got, err, tt.want)
		}
	}

	errTests := []struct {
		name     string
		amount   int64
		num, den int64
		mode     money.Rounding
		want     error
	}{
		{"zero denominator", 1, 1, 0, money.HalfUp, money.ErrInvalidRatio},
		{"negative denominator", 1, 1, -2, money.HalfUp, money.ErrInvalidRatio},
		{"unknown mode", 1, 1, 2, money.Rounding(99), money.ErrInvalidRatio},
		{"result too large", math.MaxInt64, 2, 1, money.HalfUp, money.ErrOverflow},
		{"rounds past max", (1<<64 - 1) / 3, 3, 2, money.HalfUp, money.ErrOverflow},
		{"negated min", math.MinInt64, -1, 1, money.HalfUp, money.ErrOverflow},
	}
	for _, tt := range errTests {
		if _, err := inr(tt.amount).MulRatio(tt.num, tt.den, tt.mode); !errors.Is(err, tt.want) {
			t.Errorf("%s: err = %v, want %v", tt.name, err, tt.want)
		}
	}
}

func TestPercentAndTax(t *testing.T) {
	// 10% off ₹1,299.99 is ₹129.999: a discount rounds down so it never exceeds the offer.
	off, err := inr(129999).Percent(1000, money.Down)
	if err != nil || off != inr(12999) {
		t.Errorf("10%% of 129999 down = %v, %v", off, err)
	}
	tests := []struct {
		price, rate, want int64
	}{
		{118000, 1800, 18000}, // ₹1,180 incl. 18% GST carries ₹180 of tax
		{105000, 500, 5000},   // 5%
		{100, 1800, 15},       // 15.25 → 15
		{99, 1200, 11},        // 10.607 → 11
		{129900, 0, 0},
		{-118000, 1800, -18000}, // a refund of a tax-inclusive price
	}
	for _, tt := range tests {
		tax, err := inr(tt.price).InclusiveTax(tt.rate, money.HalfUp)
		if err != nil || tax != inr(tt.want) {
			t.Errorf("InclusiveTax(%d, %d bp) = %v, %v; want %d", tt.price, tt.rate, tax, err, tt.want)
		}
	}
	for _, rate := range []int64{-1, 1_000_001} {
		if _, err := inr(100).InclusiveTax(rate, money.HalfUp); !errors.Is(err, money.ErrInvalidRatio) {
			t.Errorf("InclusiveTax rate %d: err = %v", rate, err)
		}
	}
}

func TestAllocate(t *testing.T) {
	tests := []struct {
		amount int64
		ratios []int64
		want   []int64
	}{
		{100, []int64{1, 1, 1}, []int64{34, 33, 33}},
		{-100, []int64{1, 1, 1}, []int64{-34, -33, -33}},
		{5, []int64{3, 7}, []int64{2, 3}}, // 1.5, 3.5: a tie goes to the earlier part
		{100, []int64{0, 1}, []int64{0, 100}},
		{2, []int64{1, 0, 1, 0, 1}, []int64{1, 0, 1, 0, 0}},
		{0, []int64{1, 2}, []int64{0, 0}},
		{1000, []int64{70, 20, 10}, []int64{700, 200, 100}},
		{7, []int64{math.MaxInt64, math.MaxInt64}, []int64{4, 3}},
		{math.MinInt64, []int64{1}, []int64{math.MinInt64}},
		{math.MaxInt64, []int64{1, 1}, []int64{math.MaxInt64/2 + 1, math.MaxInt64 / 2}},
		{10, []int64{1, 3, 3, 3}, []int64{1, 3, 3, 3}},
		{11, []int64{1, 3, 3, 3}, []int64{1, 4, 3, 3}},
	}
	for _, tt := range tests {
		parts, err := inr(tt.amount).Allocate(tt.ratios...)
		if err != nil {
			t.Errorf("Allocate(%d, %v): %v", tt.amount, tt.ratios, err)
			continue
		}
		got := make([]int64, len(parts))
		for i, p := range parts {
			got[i] = p.Amount
			if p.Currency != "INR" {
				t.Errorf("part in %q", p.Currency)
			}
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("Allocate(%d, %v) = %v, want %v", tt.amount, tt.ratios, got, tt.want)
		}
	}

	for _, ratios := range [][]int64{{}, {0, 0}, {1, -1}, {math.MaxInt64, math.MaxInt64, 2}} {
		if _, err := inr(100).Allocate(ratios...); !errors.Is(err, money.ErrInvalidRatio) {
			t.Errorf("Allocate(%v): err = %v, want invalid ratio", ratios, err)
		}
	}

	parts, err := inr(1000).Split(3)
	if err != nil || !slices.Equal(parts, []money.Money{inr(334), inr(333), inr(333)}) {
		t.Errorf("Split(3) = %v, %v", parts, err)
	}
	if _, err := inr(1).Split(0); !errors.Is(err, money.ErrInvalidRatio) {
		t.Errorf("Split(0): err = %v", err)
	}
}
