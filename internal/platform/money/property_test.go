package money_test

import (
	"encoding/json"
	"math"
	randv1 "math/rand"
	"math/rand/v2"
	"strings"
	"testing"
	"testing/quick"

	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// cfg is seeded so that a failure reproduces; quick reports the inputs.
func cfg(seed uint64) *quick.Config {
	return &quick.Config{MaxCount: 5000, Rand: randV1(seed)}
}

func TestPropertyAllocateSumsBack(t *testing.T) {
	f := func(amount int64, raw []uint32) bool {
		if len(raw) == 0 {
			return true
		}
		ratios := make([]int64, len(raw))
		for i, r := range raw {
			ratios[i] = int64(r % 1000) // small ratios give ties and zeros
		}
		ratios[0]++ // never all zero
		parts, err := inr(amount).Allocate(ratios...)
		if err != nil {
			t.Logf("Allocate(%d, %v): %v", amount, ratios, err)
			return false
		}
		var sum int64
		for i, p := range parts {
			if (p.Amount < 0 && amount > 0) || (p.Amount > 0 && amount < 0) || (ratios[i] == 0 && p.Amount != 0) {
				return false
			}
			sum += p.Amount // wraps on MinInt64 inputs, and wraps back
		}
		return sum == amount
	}
	if err := quick.Check(f, cfg(1)); err != nil {
		t.Error(err)
	}
}

func TestPropertyAllocateIsFair(t *testing.T) {
	// Each part is within one unit of its exact share.
	r := rand.New(rand.NewPCG(2, 2))
	for range 5000 {
		amount := r.Int64N(1_000_000) - 500_000
		ratios := make([]int64, 1+r.IntN(8))
		var total int64
		for i := range ratios {
			ratios[i] = r.Int64N(50)
			total += ratios[i]
		}
		if total == 0 {
			continue
		}
		parts, err := inr(amount).Allocate(ratios...)
		if err != nil {
			t.Fatal(err)
		}
		for i, p := range parts {
			exact := float64(amount) * float64(ratios[i]) / float64(total) // a test oracle only
			if math.Abs(float64(p.Amount)-exact) >= 1 {
				t.Fatalf("Allocate(%d, %v)[%d] = %d, exact %.3f", amount, ratios, i, p.Amount, exact)
			}
		}
	}
}

func TestPropertyAddSubRoundTrip(t *testing.T) {
	f := func(a, b int64) bool {
		s, err := inr(a).Add(inr(b))
		if err != nil {
			// Only when the true sum is out of range.
			return (b > 0 && a > math.MaxInt64-b) || (b < 0 && a < math.MinInt64-b)
		}
		back, err := s.Sub(inr(b))
		return err == nil && back == inr(a)
	}
	if err := quick.Check(f, cfg(3)); err != nil {
		t.Error(err)
	}
}

func TestPropertyMulRatioBounds(t *testing.T) {
	modes := []money.Rounding{money.HalfUp, money.HalfEven, money.Down, money.Up}
	f := func(amount int64, num int32, den uint32, mi uint8) bool {
		d := int64(den%100_000) + 1
		n := int64(num % 100_000)
		mode := modes[int(mi)%len(modes)]
		got, err := inr(amount).MulRatio(n, d, mode)
		if err != nil {
			return false // |num/den| ≤ 100000 with these amounts can still overflow…
		}
		// …so keep amounts where it cannot, and check got against floor and ceil.
		lo, hi := floorCeil(amount, n, d)
		if got.Amount < lo || got.Amount > hi {
			return false
		}
		switch mode {
		case money.Down:
			return got.Amount == towardZero(lo, hi)
		case money.Up:
			return got.Amount == awayFromZero(lo, hi)
		}
		return true
	}
	g := func(amount int64, num int32, den uint32, mi uint8) bool {
		return f(amount/200_000, num, den, mi) // keeps amount × ratio inside int64
	}
	if err := quick.Check(g, cfg(4)); err != nil {
		t.Error(err)
	}
}

// floorCeil brackets amount×n/d; the inputs are small enough for int64.
func floorCeil(amount, n, d int64) (int64, int64) {
	p := amount * n
	q := p / d
	if p%d == 0 {
		return q, q
	}
	if p < 0 {
		return q - 1, q
	}
	return q, q + 1
}

func towardZero(lo, hi int64) int64 {
	if lo < 0 {
		return hi
	}
	return lo
}

func awayFromZero(lo, hi int64) int64 {
	if lo < 0 {
		return lo
	}
	return hi
}

func TestPropertyJSONRoundTrip(t *testing.T) {
	codes := money.Currencies()
	f := func(amount int64, ci uint8) bool {
		m := money.MustNew(amount, codes[int(ci)%len(codes)].Code)
		b, err := json.Marshal(m)
		if err != nil {
			return false
		}
		var back money.Money
		return json.Unmarshal(b, &back) == nil && back == m
	}
	if err := quick.Check(f, cfg(5)); err != nil {
		t.Error(err)
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"1299.00", "0", "-0.01", "+5", "92233720368547758.07", "-92233720368547758.08", "1.", ".1", "1e3", "1,000"} {
		f.Add(s, uint8(0))
	}
	f.Add("1299", uint8(10)) // JPY
	codes := money.Currencies()
	f.Fuzz(func(t *testing.T, s string, ci uint8) {
		code := codes[int(ci)%len(codes)].Code
		m, err := money.Parse(s, code)
		if err != nil {
			return
		}
		// String is "CODE decimal"; the decimal must parse back to the same value.
		dec := m.Decimal()
		if m.String() != code+" "+dec {
			t.Fatalf("String %q does not end in Decimal %q", m.String(), dec)
		}
		back, err := money.Parse(dec, code)
		if err != nil || back != m {
			t.Fatalf("Parse(%q) = %v; Parse(Decimal %q) = %v, %v", s, m, dec, back, err)
		}
		// Display never loses digits: stripping grouping and symbol gives Decimal back.
		disp := m.Display()
		for _, cut := range []string{",", codes[int(ci)%len(codes)].Symbol, code + " "} {
			if cut != "" {
				disp = strings.ReplaceAll(disp, cut, "")
			}
		}
		if disp != dec {
			t.Fatalf("Display %q of %v does not carry Decimal %q", m.Display(), m, dec)
		}
	})
}

// randV1 is the seeded source testing/quick wants.
func randV1(seed uint64) *randv1.Rand { return randv1.New(randv1.NewSource(int64(seed))) }
