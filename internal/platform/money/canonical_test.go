package money

import (
	"math"
	"strconv"
	"testing"
)

// FuzzCanonicalAgrees: where the fast path reads an input, the general
// path reads it to the same value; and every value MarshalJSON writes is
// read by the fast path.
func FuzzCanonicalAgrees(f *testing.F) {
	for _, s := range []string{
		`{"amount":129900,"currency":"INR"}`, `{"amount":-5,"currency":"USD"}`, `{"amount":0,"currency":"JPY"}`,
		`{"amount":-0,"currency":"INR"}`, `{"amount":007,"currency":"INR"}`, `{"amount":1,"currency":"inr"}`,
		`{"amount":123456789012345678,"currency":"INR"}`, `{"amount":9223372036854775807,"currency":"INR"}`,
		`{"amount":1,"currency":"XYZ"}`, `{"amount":1,"currency":"INR"} `, `{"amount":1,"currency":"IN\u0052"}`,
	} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := canonical([]byte(s))
		if !ok {
			return
		}
		var slow Money
		if err := slow.unmarshalAny([]byte(s)); err != nil || slow != fast {
			t.Fatalf("%s: fast %v, general %v (%v)", s, fast, slow, err)
		}
	})
}

func TestCanonicalReadsWhatMarshalWrites(t *testing.T) {
	amounts := []int64{0, 1, -1, 9, 10, 129900, -129900, 99999999999999999, 999999999999999999, -999999999999999999}
	for _, a := range amounts {
		for _, c := range []string{"INR", "USD", "JPY"} {
			m := MustNew(a, c)
			b, err := m.MarshalJSON()
			if err != nil {
				t.Fatal(err)
			}
			got, ok := canonical(b)
			if !ok || got != m {
				t.Errorf("%s: fast path %v, %v", b, got, ok)
			}
		}
	}
	// Past 18 digits the general path decides (and ranges are checked there).
	for _, a := range []int64{math.MaxInt64, math.MinInt64 + 1, 1_000_000_000_000_000_000} {
		b, _ := MustNew(a, "INR").MarshalJSON()
		if _, ok := canonical(b); ok {
			t.Errorf("%s (%d digits) took the fast path", b, len(strconv.FormatInt(a, 10)))
		}
		var m Money
		if err := m.UnmarshalJSON(b); err != nil || m.Amount != a {
			t.Errorf("%s: %v, %v", b, m, err)
		}
	}
}

// BenchmarkUnmarshalJSON: the form the services write (fast path) and the
// same value with spaces (general path).
func BenchmarkUnmarshalJSON(b *testing.B) {
	for _, c := range []struct{ name, in string }{
		{"canonical", `{"amount":129900,"currency":"INR"}`},
		{"general", `{ "amount": 129900, "currency": "INR" }`},
	} {
		b.Run(c.name, func(b *testing.B) {
			data := []byte(c.in)
			b.ReportAllocs()
			for b.Loop() {
				var m Money
				if err := m.UnmarshalJSON(data); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
