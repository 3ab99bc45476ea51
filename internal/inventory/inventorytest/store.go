package inventorytest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// StoreSuite runs the contract of inventory.Store. newStore returns a
// store on an empty, migrated database, and that database.
func StoreSuite(t *testing.T, newStore func(t *testing.T) (inventory.Store, *sqldb.DB)) {
	t.Run("BucketLocks", func(t *testing.T) { testBucketLocks(t, newStore) })
	t.Run("ApplyAndRead", func(t *testing.T) { testApplyAndRead(t, newStore) })
	t.Run("RollsBackWhole", func(t *testing.T) { testRollsBackWhole(t, newStore) })
	t.Run("ImportNew", func(t *testing.T) { testImportNew(t, newStore) })
	t.Run("LanesDoNotBlock", func(t *testing.T) { testLanesDoNotBlock(t, newStore) })
}

var t0 = time.Date(2030, 3, 1, 9, 0, 0, 0, time.UTC)

func keys(bs []inventory.Bucket) []string {
	out := make([]string, len(bs))
	for i, b := range bs {
		out[i] = fmt.Sprintf("%s/%s/%d", b.SKU, b.Location, b.Slot)
	}
	return out
}

// seedBuckets gives SKU X four slots online and one in a store that does
// not sell online, and SKU Y one slot.
func seedBuckets(t *testing.T, s inventory.Store) {
	t.Helper()
	ctx := context.Background()
	if err := s.PutLocation(ctx, inventory.Location{ID: "store-a", Name: "A", Kind: inventory.KindStore}); err != nil {
		t.Fatal(err)
	}
	err := s.Update(ctx, func(tx inventory.Tx) error {
		var c inventory.Changes
		for slot := range 4 {
			c.NewBuckets = append(c.NewBuckets, inventory.Bucket{SKU: "X", Location: "online", Slot: slot, OnHand: 10})
		}
		c.NewBuckets = append(c.NewBuckets,
			inventory.Bucket{SKU: "X", Location: "store-a", Slot: 0, OnHand: 7},
			inventory.Bucket{SKU: "Y", Location: "online", Slot: 0, OnHand: 3})
		return tx.Apply(ctx, c)
	})
	if err != nil {
		t.Fatal(err)
	}
}

func testBucketLocks(t *testing.T, newStore func(*testing.T) (inventory.Store, *sqldb.DB)) {
	s, _ := newStore(t)
	seedBuckets(t, s)
	cases := []struct {
		name string
		q    inventory.BucketQuery
		want []string
	}{
		{"whole", inventory.BucketQuery{All: []string{"X"}}, []string{"X/online/0", "X/online/1", "X/online/2", "X/online/3", "X/store-a/0"}},
		{"lane 1 of 2", inventory.BucketQuery{Home: []string{"X"}, Lane: 1, Lanes: 2}, []string{"X/online/1", "X/online/3"}},
		{"rows", inventory.BucketQuery{Rows: []inventory.BucketKey{{SKU: "X", Location: "online", Slot: 2}, {SKU: "Y", Location: "online", Slot: 0}}}, []string{"X/online/2", "Y/online/0"}},
		{"mixed", inventory.BucketQuery{All: []string{"Y"}, Home: []string{"X"}, Lane: 0, Lanes: 4, Rows: []inventory.BucketKey{{SKU: "X", Location: "store-a", Slot: 0}}},
			[]string{"X/online/0", "X/store-a/0", "Y/online/0"}},
		{"unknown", inventory.BucketQuery{All: []string{"NOPE"}}, []string{}},
		{"nothing", inventory.BucketQuery{}, []string{}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var got []inventory.Bucket
			err := s.Update(context.Background(), func(tx inventory.Tx) error {
				var err error
				got, _, err = tx.Buckets(context.Background(), c.q, nil)
				return err
			})
			if err != nil {
				t.Fatal(err)
			}
			if k := keys(got); !slices.Equal(k, c.want) {
				t.Fatalf("locked %v, want %v", k, c.want)
			}
			for _, b := range got {
				if b.Sellable != (b.Location == "online") {
					t.Fatalf("bucket %+v: wrong sellable flag", b)
				}
			}
		})
	}
}

func testApplyAndRead(t *testing.T, newStore func(*testing.T) (inventory.Store, *sqldb.DB)) {
	ctx := context.Background()
	s, db := newStore(t)
	seedBuckets(t, s)
	h := inventory.Hold{
		Reservation: inventory.Reservation{Reference: "ref-1", Status: inventory.StatusHeld, ExpiresAt: t0.Add(time.Minute), CreatedAt: t0, UpdatedAt: t0},
		Allocations: []inventory.Allocation{{SKU: "X", Location: "online", Slot: 1, Quantity: 2}, {SKU: "X", Location: "online", Slot: 2, Quantity: 1}, {SKU: "Y", Location: "online", Quantity: 3}},
	}
	h2 := h
	h2.Reference, h2.ExpiresAt = "ref-2", t0.Add(time.Hour)
	h2.Allocations = []inventory.Allocation{{SKU: "X", Location: "online", Slot: 3, Quantity: 1}}
	err := s.Update(ctx, func(tx inventory.Tx) error {
		return tx.Apply(ctx, inventory.Changes{
			Buckets: []inventory.Bucket{
				{SKU: "X", Location: "online", Slot: 1, OnHand: 10, Reserved: 2},
				{SKU: "X", Location: "online", Slot: 2, OnHand: 10, Reserved: 1},
				{SKU: "X", Location: "online", Slot: 3, OnHand: 10, Reserved: 1},
				{SKU: "Y", Location: "online", Slot: 0, OnHand: 3, Reserved: 3},
			},
			NewHolds: []inventory.Hold{h, h2},
			Movements: []inventory.Movement{
				{SKU: "X", Location: "online", Delta: 5, Reason: "received", Reference: "grn-1", At: t0},
				{SKU: "X", Location: "online", Delta: -1, Reason: inventory.ReasonSale, Reference: "grn-2", At: t0},
			},
			Events: []inventory.Event{{Type: inventory.EventOutOfStock, At: t0, Data: inventory.StockEvent{SKU: "Y", Threshold: 5}}},
		})
	})
	if err != nil {
		t.Fatal(err)
	}
	got, err := s.Hold(ctx, "ref-1")
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(got.Allocations, h.Allocations) || got.Status != h.Status || !got.ExpiresAt.Equal(h.ExpiresAt) || !got.CreatedAt.Equal(t0) {
		t.Fatalf("hold = %+v, want %+v", got, h)
	}
	if want := []inventory.Line{{SKU: "X", Quantity: 3}, {SKU: "Y", Quantity: 3}}; !slices.Equal(got.Lines, want) {
		t.Fatalf("lines = %v, want %v", got.Lines, want)
	}
	_, err = s.Hold(ctx, "ref-9")
	wantErr(t, err, inventory.ErrReservationNotFound)

	av, err := s.Available(ctx, []string{"X", "Y", "Z"})
	if err != nil {
		t.Fatal(err)
	}
	if len(av) != 2 || av["X"] != 36 || av["Y"] != 0 {
		t.Fatalf("available = %v (the store's 7 do not count)", av)
	}
	lv, err := s.Levels(ctx, []string{"X"})
	if err != nil {
		t.Fatal(err)
	}
	if want := []inventory.StockLevel{{SKU: "X", Location: "online", OnHand: 40, Reserved: 4, Available: 36}, {SKU: "X", Location: "store-a", OnHand: 7, Available: 7}}; !slices.Equal(lv, want) {
		t.Fatalf("levels = %+v", lv)
	}

	exp, err := s.ExpiredHolds(ctx, t0.Add(time.Minute), 10)
	if err != nil || !slices.Equal(exp, []string{"ref-1"}) {
		t.Fatalf("expired at +1m = %v (%v)", exp, err)
	}
	err = s.Update(ctx, func(tx inventory.Tx) error {
		hs, err := tx.Holds(ctx, []string{"ref-1", "ref-2", "ref-3"}, true)
		if err != nil {
			return err
		}
		if len(hs) != 2 || !hs["ref-2"].ExpiresAt.Equal(t0.Add(time.Hour)) {
			return fmt.Errorf("holds = %v", hs)
		}
		return tx.Apply(ctx, inventory.Changes{Statuses: []inventory.HoldStatus{{Reference: "ref-1", Status: inventory.StatusExpired, At: t0.Add(2 * time.Minute)}}})
	})
	if err != nil {
		t.Fatal(err)
	}
	if exp, _ := s.ExpiredHolds(ctx, t0.Add(2*time.Hour), 10); !slices.Equal(exp, []string{"ref-2"}) {
		t.Fatalf("expired at +2h = %v, want only the held one", exp)
	}
	if got, _ := s.Hold(ctx, "ref-1"); got.Status != inventory.StatusExpired || !got.UpdatedAt.Equal(t0.Add(2*time.Minute)) {
		t.Fatalf("after status change: %+v", got)
	}

	ms, err := s.Movements(ctx, "X", 0, 10)
	if err != nil || len(ms) != 2 || ms[0].Delta != -1 || ms[1].Delta != 5 || !ms[1].At.Equal(t0) {
		t.Fatalf("movements = %+v (%v)", ms, err)
	}
	if older, _ := s.Movements(ctx, "X", ms[0].ID, 10); len(older) != 1 || older[0].ID != ms[1].ID {
		t.Fatalf("movements before %d = %+v", ms[0].ID, older)
	}
	err = s.Update(ctx, func(tx inventory.Tx) error {
		m, ok, err := tx.Adjustment(ctx, "X", "online", "grn-1")
		if err != nil || !ok || m.Delta != 5 {
			return fmt.Errorf("adjustment grn-1 = %+v %v %v", m, ok, err)
		}
		// A sale under the same reference is not an adjustment.
		if _, ok, err := tx.Adjustment(ctx, "X", "online", "grn-2"); ok || err != nil {
			return fmt.Errorf("a sale was taken for an adjustment (%v)", err)
		}
		if _, err := tx.Location(ctx, "mars"); !errors.Is(err, inventory.ErrUnknownLocation) {
			return fmt.Errorf("location mars: %v", err)
		}
		l, err := tx.Location(ctx, "store-a")
		if err != nil || l.Sellable || l.Kind != inventory.KindStore {
			return fmt.Errorf("location store-a = %+v %v", l, err)
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	evs := OutboxEvents(t, db)
	if len(evs) != 1 || evs[0].Type != inventory.EventOutOfStock || !evs[0].Time.Equal(t0) {
		t.Fatalf("outbox = %+v", evs)
	}
}

func testRollsBackWhole(t *testing.T, newStore func(*testing.T) (inventory.Store, *sqldb.DB)) {
	ctx := context.Background()
	s, db := newStore(t)
	seedBuckets(t, s)
	hold := inventory.Hold{Reservation: inventory.Reservation{Reference: "dup", Status: inventory.StatusHeld, ExpiresAt: t0, CreatedAt: t0, UpdatedAt: t0}}
	if err := s.Update(ctx, func(tx inventory.Tx) error { return tx.Apply(ctx, inventory.Changes{NewHolds: []inventory.Hold{hold}}) }); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name string
		c    inventory.Changes
		code string
	}{
		// A reservation or bucket made twice is a race lost, to retry.
		{"duplicate hold", inventory.Changes{NewHolds: []inventory.Hold{hold}}, "already_exists"},
		{"duplicate bucket", inventory.Changes{NewBuckets: []inventory.Bucket{{SKU: "Y", Location: "online", Slot: 0, OnHand: 1}}}, "already_exists"},
		{"held over on hand", inventory.Changes{Buckets: []inventory.Bucket{{SKU: "Y", Location: "online", Slot: 0, OnHand: 3, Reserved: 4}}}, "constraint_violation"},
		{"negative", inventory.Changes{Buckets: []inventory.Bucket{{SKU: "Y", Location: "online", Slot: 0, OnHand: -1, Reserved: -1}}}, "constraint_violation"},
		{"unknown location", inventory.Changes{NewBuckets: []inventory.Bucket{{SKU: "Y", Location: "mars", Slot: 0, OnHand: 1}}}, "reference_violation"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			// Writes that would succeed, in the same transaction.
			c.c.Buckets = append([]inventory.Bucket{{SKU: "X", Location: "online", Slot: 0, OnHand: 99}}, c.c.Buckets...)
			c.c.Movements = []inventory.Movement{{SKU: "X", Location: "online", Delta: 89, Reason: "received", At: t0}}
			c.c.Events = []inventory.Event{{Type: inventory.EventLow, At: t0, Data: inventory.StockEvent{SKU: "X"}}}
			err := s.Update(ctx, func(tx inventory.Tx) error { return tx.Apply(ctx, c.c) })
			if errs.CodeOf(err) != c.code {
				t.Fatalf("error %v, want code %s", err, c.code)
			}
			if av, _ := s.Available(ctx, []string{"X"}); av["X"] != 40 {
				t.Fatalf("X available %d after a failed transaction", av["X"])
			}
			if ms, _ := s.Movements(ctx, "X", 0, 10); len(ms) != 0 {
				t.Fatalf("movements written by a failed transaction: %+v", ms)
			}
			if evs := OutboxEvents(t, db); len(evs) != 0 {
				t.Fatalf("events written by a failed transaction: %+v", evs)
			}
		})
	}
}

func testImportNew(t *testing.T, newStore func(*testing.T) (inventory.Store, *sqldb.DB)) {
	ctx := context.Background()
	s, _ := newStore(t)
	seedBuckets(t, s)
	existing, err := s.ImportNew(ctx, []inventory.NewStock{
		{SKU: "X", Location: "online", OnHand: []int64{5}},
		{SKU: "X", Location: "store-a", OnHand: []int64{1}},
		{SKU: "Y", Location: "store-a", OnHand: []int64{2, 2}},
		{SKU: "N", Location: "online", OnHand: []int64{4, 3, 3}},
	}, t0)
	if err != nil {
		t.Fatal(err)
	}
	if len(existing) != 2 || existing[0].SKU != "X" || existing[1].Location != "store-a" {
		t.Fatalf("existing = %+v", existing)
	}
	lv, err := s.Levels(ctx, []string{"N", "X", "Y"})
	if err != nil {
		t.Fatal(err)
	}
	want := []inventory.StockLevel{
		{SKU: "N", Location: "online", OnHand: 10, Available: 10},
		{SKU: "X", Location: "online", OnHand: 40, Available: 40},
		{SKU: "X", Location: "store-a", OnHand: 7, Available: 7},
		{SKU: "Y", Location: "online", OnHand: 3, Available: 3},
		{SKU: "Y", Location: "store-a", OnHand: 4, Available: 4},
	}
	if !slices.Equal(lv, want) {
		t.Fatalf("levels = %+v", lv)
	}
	ms, _ := s.Movements(ctx, "N", 0, 10)
	if len(ms) != 1 || ms[0].Delta != 10 || ms[0].Reason != inventory.ReasonImport {
		t.Fatalf("movements of N = %+v", ms)
	}
}
