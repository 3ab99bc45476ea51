package inventory

import (
	"errors"
	"slices"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

func TestEventsDoNotDependOnBatching(t *testing.T) {
	c := &Core{opts: Options{LowStockThreshold: 5}}
	cases := []struct {
		before, after int64
		want          []string
	}{
		{10, 6, nil},
		{10, 5, []string{EventLow}},
		{6, 3, []string{EventLow}},
		{5, 3, nil}, // already low
		{10, 0, []string{EventLow, EventOutOfStock}},
		{3, 0, []string{EventOutOfStock}},
		{0, 0, nil},
		{0, 2, []string{EventBackInStock}}, // back, if still low
		{0, 20, []string{EventBackInStock}},
		{2, 20, nil},
	}
	for _, tc := range cases {
		w := c.newWork(time.Unix(0, 0), nil)
		sw := w.sku("S")
		sw.complete, sw.before = true, tc.before
		sw.buckets = []*Bucket{{SKU: "S", OnHand: tc.after, Sellable: true}}
		var got []string
		for _, e := range w.events() {
			got = append(got, e.Type)
			if e.Data.Available != tc.after || e.Data.Threshold != 5 {
				t.Errorf("%d→%d: event data %+v", tc.before, tc.after, e.Data)
			}
		}
		if !slices.Equal(got, tc.want) {
			t.Errorf("%d→%d: events %v, want %v", tc.before, tc.after, got, tc.want)
		}
	}
	// A negative threshold turns low-stock events off.
	c.opts.LowStockThreshold = -1
	w := c.newWork(time.Unix(0, 0), nil)
	sw := w.sku("S")
	sw.complete, sw.before = true, 10
	sw.buckets = []*Bucket{{SKU: "S", OnHand: 1, Sellable: true}}
	if evs := w.events(); len(evs) != 0 {
		t.Errorf("events with no threshold: %+v", evs)
	}
}

func TestSpreadKeepsHoldsAndTotal(t *testing.T) {
	bs := []*Bucket{{OnHand: 10, Reserved: 10}, {OnHand: 3, Reserved: 1}, {OnHand: 40, Reserved: 0}}
	spread(bs)
	var onHand, avail []int64
	for _, b := range bs {
		onHand = append(onHand, b.OnHand)
		avail = append(avail, b.Available())
	}
	if !slices.Equal(avail, []int64{14, 14, 14}) || !slices.Equal(onHand, []int64{24, 15, 14}) {
		t.Fatalf("on hand %v, available %v", onHand, avail)
	}
}

func TestTakeSpillsAndSkipsUnsellable(t *testing.T) {
	sw := &skuWork{buckets: []*Bucket{
		{SKU: "S", Location: "online", Slot: 0, OnHand: 2, Sellable: true},
		{SKU: "S", Location: "online", Slot: 1, OnHand: 1, Sellable: true},
		{SKU: "S", Location: "store", Slot: 0, OnHand: 50},
		{SKU: "S", Location: "store2", Slot: 0, OnHand: 4, Sellable: true},
	}}
	as := sw.take(5)
	var total int64
	for _, a := range as {
		total += a.Quantity
		if a.Location == "store" {
			t.Fatalf("took from a location that does not sell online: %+v", as)
		}
	}
	if total != 5 || sw.sellable() != 2 || sw.buckets[3].Reserved != 2 {
		t.Fatalf("allocations %+v, left %d", as, sw.sellable())
	}
}

func TestPageTokens(t *testing.T) {
	for _, id := range []int64{1, 42, 1 << 40} {
		got, err := decodeToken(encodeToken(id))
		if err != nil || got != id {
			t.Fatalf("round trip of %d = %d, %v", id, got, err)
		}
	}
	for _, bad := range []string{"x", "AAAAAAAAAAAA", encodeToken(0), "AQ"} {
		if _, err := decodeToken(bad); !errors.Is(err, ErrInvalidPageToken) {
			t.Errorf("token %q: %v", bad, err)
		}
	}
}

func TestNormalLinesReportsEveryBadLine(t *testing.T) {
	_, err := normalLines([]Line{{"A", 1}, {"B", 0}, {"A", 2}, {"bad sku", 1}})
	if !errors.Is(err, ErrInvalidQuantity) {
		t.Fatalf("error %v, want the first problem (invalid_quantity)", err)
	}
	var e *errs.Error
	errors.As(err, &e)
	var fields []string
	for _, f := range e.Fields {
		fields = append(fields, f.Field)
	}
	if want := []string{"lines/1/quantity", "lines/2/sku", "lines/3/sku"}; !slices.Equal(fields, want) {
		t.Fatalf("fields %v, want %v", fields, want)
	}
	got, err := normalLines([]Line{{"B", 1}, {"A", 2}})
	if err != nil || !slices.Equal(got, []Line{{"A", 2}, {"B", 1}}) {
		t.Fatalf("normalLines = %v, %v", got, err)
	}
}
