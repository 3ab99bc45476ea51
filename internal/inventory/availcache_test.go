package inventory

import (
	"context"
	"errors"
	"testing"
	"time"
)

// countingStore answers Available from a map and counts the reads; during
// lets a test change stock in the middle of a read.
type countingStore struct {
	Store
	units  map[string]int64
	reads  int
	during func()
}

func (s *countingStore) Available(_ context.Context, skus []string) (map[string]int64, error) {
	s.reads++
	out := map[string]int64{}
	for _, sku := range skus {
		if n, ok := s.units[sku]; ok {
			out[sku] = n
		}
	}
	if s.during != nil {
		f := s.during
		s.during = nil
		f()
	}
	return out, nil
}

func (s *countingStore) Update(ctx context.Context, fn func(Tx) error) error { return fn(applyTx{s}) }

func (s *countingStore) PutLocation(context.Context, Location) error { return nil }

type applyTx struct{ s *countingStore }

func (applyTx) Holds(context.Context, []string, bool) (map[string]*Hold, error) { return nil, nil }

// Buckets returns each SKU's stock as one sellable bucket.
func (t applyTx) Buckets(_ context.Context, q BucketQuery, _ []string) ([]Bucket, map[string]*Hold, error) {
	var out []Bucket
	for _, sku := range q.All {
		if n, ok := t.s.units[sku]; ok {
			out = append(out, Bucket{SKU: sku, Location: "L", OnHand: n, Sellable: true})
		}
	}
	return out, nil, nil
}
func (applyTx) Adjustment(context.Context, string, string, string) (Movement, bool, error) {
	return Movement{}, false, nil
}
func (applyTx) Location(context.Context, string) (Location, error) { return Location{}, nil }
func (t applyTx) Apply(_ context.Context, c Changes) error {
	for _, b := range c.Buckets {
		t.s.units[b.SKU] = b.OnHand - b.Reserved
	}
	return nil
}

func TestAvailabilityCache(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	inner := &countingStore{units: map[string]int64{"A": 5, "B": 1}}
	s := newCachedStore(inner, time.Second, func() time.Time { return now })
	avail := func(skus ...string) map[string]int64 {
		t.Helper()
		got, err := s.Available(ctx, skus)
		if err != nil {
			t.Fatal(err)
		}
		return got
	}
	sell := func(sku string, left int64) {
		t.Helper()
		if err := s.Update(ctx, func(tx Tx) error {
			return tx.Apply(ctx, Changes{Buckets: []Bucket{{SKU: sku, OnHand: left}}})
		}); err != nil {
			t.Fatal(err)
		}
	}

	if got := avail("A", "B", "NONE"); got["A"] != 5 || got["B"] != 1 || len(got) != 2 || inner.reads != 1 {
		t.Fatalf("first read %v, %d reads", got, inner.reads)
	}
	if got := avail("A", "NONE"); got["A"] != 5 || len(got) != 1 || inner.reads != 1 {
		t.Fatalf("cached read %v, %d reads (want none: unknown SKUs are cached too)", got, inner.reads)
	}

	sell("B", 0) // this process sold the last B: forgotten at once
	if got := avail("A", "B"); got["B"] != 0 || got["A"] != 5 || inner.reads != 2 {
		t.Fatalf("after a sale %v, %d reads", got, inner.reads)
	}

	// A sale committed while a read is under way: the figure read may be
	// from before it, so it is not kept.
	sell("A", 5)
	inner.during = func() { sell("A", 4) }
	avail("A")
	if got := avail("A"); got["A"] != 4 || inner.reads != 4 {
		t.Fatalf("%d reads: a figure read across a change was cached", inner.reads)
	}

	// Another process's change shows after the TTL.
	inner.units["A"] = 2
	if got := avail("A"); got["A"] != 4 {
		t.Fatalf("within the TTL %v", got)
	}
	now = now.Add(time.Second)
	if got := avail("A"); got["A"] != 2 {
		t.Fatalf("after the TTL %v", got)
	}

	// A location's change forgets every SKU.
	inner.units["A"], inner.units["B"] = 9, 9
	if err := s.PutLocation(ctx, Location{}); err != nil {
		t.Fatal(err)
	}
	if got := avail("A", "B"); got["A"] != 9 || got["B"] != 9 {
		t.Fatalf("after a location change %v", got)
	}
}

// A transaction of this process that reads and changes a SKU's buckets
// moves the cached figure by its change when it commits, with no read; one
// that fails leaves the figure to be read afresh.
func TestAvailabilityCacheFollowsOwnChanges(t *testing.T) {
	ctx := context.Background()
	now := time.Unix(1_700_000_000, 0)
	inner := &countingStore{units: map[string]int64{"A": 5}}
	s := newCachedStore(inner, time.Second, func() time.Time { return now })
	avail := func() int64 {
		t.Helper()
		got, err := s.Available(ctx, []string{"A"})
		if err != nil {
			t.Fatal(err)
		}
		return got["A"]
	}
	reserve := func(n int64, fail error) error {
		return s.Update(ctx, func(tx Tx) error {
			bs, _, err := tx.Buckets(ctx, BucketQuery{All: []string{"A"}}, nil)
			if err != nil {
				return err
			}
			b := bs[0]
			b.Reserved += n
			if err := tx.Apply(ctx, Changes{Buckets: []Bucket{b}}); err != nil {
				return err
			}
			b.Reserved += n // a second write of the same bucket counts from the first
			if err := tx.Apply(ctx, Changes{Buckets: []Bucket{b}}); err != nil {
				return err
			}
			return fail
		})
	}

	if got := avail(); got != 5 || inner.reads != 1 {
		t.Fatalf("first read %d, %d reads", got, inner.reads)
	}
	if err := reserve(1, nil); err != nil {
		t.Fatal(err)
	}
	if got := avail(); got != 3 || inner.reads != 1 {
		t.Fatalf("after holding 2: %d with %d reads, want 3 from memory", got, inner.reads)
	}

	if err := reserve(1, errors.New("rolled back")); err == nil {
		t.Fatal("the failed transaction succeeded")
	}
	inner.units["A"] = 3 // the fake applies at once: undo it as a rollback would
	if got := avail(); got != 3 || inner.reads != 2 {
		t.Fatalf("after a failed transaction: %d with %d reads, want 3 read afresh", got, inner.reads)
	}

	// A change committed while a read is under way: that read's figure is
	// not kept, and the next read asks again.
	inner.during = func() {
		inner.units["A"] = 1
		s.move(map[string]int64{"A": -2})
	}
	now = now.Add(time.Second)
	avail()
	if got := avail(); got != 1 || inner.reads != 4 {
		t.Fatalf("%d with %d reads: a figure read across a change was kept", got, inner.reads)
	}
}
