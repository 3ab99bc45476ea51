package inventorytest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/inventory"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// ServiceSuite runs the behaviour every inventory.Service shows, in-process
// or remote. newEnv returns a fresh service with an empty store.
func ServiceSuite(t *testing.T, newEnv func(t *testing.T) *Env) {
	t.Run("StockLevels", func(t *testing.T) { testStockLevels(t, newEnv(t)) })
	t.Run("ReserveCommitRelease", func(t *testing.T) { testReserveCommitRelease(t, newEnv(t)) })
	t.Run("AllOrNothing", func(t *testing.T) { testAllOrNothing(t, newEnv(t)) })
	t.Run("BadInput", func(t *testing.T) { testBadInput(t, newEnv(t)) })
	t.Run("Expiry", func(t *testing.T) { testExpiry(t, newEnv(t)) })
	t.Run("Events", func(t *testing.T) { testEvents(t, newEnv(t)) })
	t.Run("Movements", func(t *testing.T) { testMovements(t, newEnv(t)) })
	t.Run("Import", func(t *testing.T) { testImport(t, newEnv(t)) })
	t.Run("AvailableUnderLoad", func(t *testing.T) { testAvailableUnderLoad(t, newEnv(t)) })
}

// must(f())(t) is f's value, or a fatal error.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

// wantErr checks err is want (same kind and code).
func wantErr(t testing.TB, err error, want *errs.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %s (%s)", err, want.Code, want.Kind)
	}
}

func set(t testing.TB, svc inventory.Service, sku, loc string, n int64) inventory.StockLevel {
	t.Helper()
	return must(svc.SetOnHand(context.Background(), inventory.SetOnHand{SKU: sku, Location: loc, OnHand: n}))(t)
}

func level(t testing.TB, svc inventory.Service, sku, loc string) inventory.StockLevel {
	t.Helper()
	for _, l := range must(svc.Levels(context.Background(), []string{sku}))(t) {
		if l.Location == loc {
			return l
		}
	}
	return inventory.StockLevel{SKU: sku, Location: loc}
}

func available(t testing.TB, svc inventory.Service, sku string) int64 {
	t.Helper()
	return must(svc.Available(context.Background(), []string{sku}))(t)[sku]
}

func wantLevel(t testing.TB, got inventory.StockLevel, onHand, reserved int64) {
	t.Helper()
	if got.OnHand != onHand || got.Reserved != reserved || got.Available != onHand-reserved {
		t.Fatalf("level of %s at %s = %d on hand, %d reserved, %d available; want %d, %d, %d",
			got.SKU, got.Location, got.OnHand, got.Reserved, got.Available, onHand, reserved, onHand-reserved)
	}
}

func testStockLevels(t *testing.T, e *Env) {
	ctx, svc := context.Background(), e.Service
	wantLevel(t, set(t, svc, "KRT-1", "", 10), 10, 0)
	lv := must(svc.Adjust(ctx, inventory.Adjustment{SKU: "KRT-1", Delta: -3, Reason: "damaged"}))(t)
	wantLevel(t, lv, 7, 0)

	// An adjustment with a reference applies once.
	adj := inventory.Adjustment{SKU: "KRT-1", Delta: 5, Reason: "received", Reference: "grn-001"}
	wantLevel(t, must(svc.Adjust(ctx, adj))(t), 12, 0)
	wantLevel(t, must(svc.Adjust(ctx, adj))(t), 12, 0)
	adj.Delta = 6
	_, err := svc.Adjust(ctx, adj)
	wantErr(t, err, inventory.ErrAdjustmentReused)

	_, err = svc.Adjust(ctx, inventory.Adjustment{SKU: "KRT-1", Delta: -13, Reason: "damaged"})
	wantErr(t, err, inventory.ErrBelowReserved)
	_, err = svc.Adjust(ctx, inventory.Adjustment{SKU: "NOPE", Delta: 1, Reason: "received"})
	wantErr(t, err, inventory.ErrUnknownSKU)

	// Stores hold stock the web shop cannot sell until marked sellable.
	must(svc.PutLocation(ctx, inventory.Location{ID: "store-pune", Name: "Pune", Kind: inventory.KindStore}))(t)
	set(t, svc, "KRT-1", "store-pune", 4)
	if got := available(t, svc, "KRT-1"); got != 12 {
		t.Fatalf("available = %d with a store that does not sell online, want 12", got)
	}
	must(svc.PutLocation(ctx, inventory.Location{ID: "store-pune", Name: "Pune", Kind: inventory.KindStore, Sellable: true}))(t)
	if got := available(t, svc, "KRT-1"); got != 16 {
		t.Fatalf("available = %d with a sellable store, want 16", got)
	}
	_, err = svc.SetOnHand(ctx, inventory.SetOnHand{SKU: "KRT-1", Location: "store-nowhere", OnHand: 1})
	wantErr(t, err, inventory.ErrUnknownLocation)

	got := must(svc.Available(ctx, []string{"KRT-1", "UNKNOWN-SKU", "KRT-1"}))(t)
	if len(got) != 2 || got["KRT-1"] != 16 || got["UNKNOWN-SKU"] != 0 {
		t.Fatalf("Available = %v, want KRT-1:16 UNKNOWN-SKU:0", got)
	}
	lvs := must(svc.Levels(ctx, []string{"KRT-1"}))(t)
	if len(lvs) != 2 || lvs[0].Location != "online" || lvs[1].Location != "store-pune" {
		t.Fatalf("Levels = %+v", lvs)
	}
	locs := must(svc.Locations(ctx))(t)
	if len(locs) != 2 || locs[0].ID != "online" || !locs[0].Sellable || locs[1].ID != "store-pune" {
		t.Fatalf("Locations = %+v", locs)
	}
	Invariants(t, e.DB)
}

func reserve(t testing.TB, svc inventory.Service, ref string, lines ...inventory.Line) inventory.Reservation {
	t.Helper()
	return must(svc.Reserve(context.Background(), inventory.ReserveRequest{Reference: ref, Lines: lines, TTL: 10 * time.Minute}))(t)
}

func line(sku string, q int64) inventory.Line { return inventory.Line{SKU: sku, Quantity: q} }

func testReserveCommitRelease(t *testing.T, e *Env) {
	ctx, svc := context.Background(), e.Service
	set(t, svc, "A", "", 10)
	set(t, svc, "B", "", 3)

	r := reserve(t, svc, "order-1", line("B", 1), line("A", 2))
	if r.Status != inventory.StatusHeld || r.Reference != "order-1" ||
		!slices.Equal(r.Lines, []inventory.Line{line("A", 2), line("B", 1)}) ||
		!r.ExpiresAt.Equal(e.Clock.Now().Add(10*time.Minute)) {
		t.Fatalf("reserve = %+v", r)
	}
	wantLevel(t, level(t, svc, "A", "online"), 10, 2)

	// The same request again returns the same reservation and holds nothing more.
	again := reserve(t, svc, "order-1", line("A", 2), line("B", 1))
	if !again.CreatedAt.Equal(r.CreatedAt) || again.Status != inventory.StatusHeld {
		t.Fatalf("repeat = %+v, want %+v", again, r)
	}
	wantLevel(t, level(t, svc, "A", "online"), 10, 2)
	_, err := svc.Reserve(ctx, inventory.ReserveRequest{Reference: "order-1", Lines: []inventory.Line{line("A", 3)}})
	wantErr(t, err, inventory.ErrReferenceReused)

	got := must(svc.Reservation(ctx, "order-1"))(t)
	if got.Status != inventory.StatusHeld || !slices.Equal(got.Lines, r.Lines) || !got.ExpiresAt.Equal(r.ExpiresAt) {
		t.Fatalf("Reservation = %+v, want %+v", got, r)
	}

	c := must(svc.Commit(ctx, "order-1"))(t)
	if c.Status != inventory.StatusCommitted {
		t.Fatalf("commit = %+v", c)
	}
	wantLevel(t, level(t, svc, "A", "online"), 8, 0)
	wantLevel(t, level(t, svc, "B", "online"), 2, 0)
	c2 := must(svc.Commit(ctx, "order-1"))(t)
	if c2.Status != inventory.StatusCommitted || !c2.UpdatedAt.Equal(c.UpdatedAt) {
		t.Fatalf("second commit = %+v", c2)
	}
	wantLevel(t, level(t, svc, "A", "online"), 8, 0)
	_, err = svc.Release(ctx, "order-1")
	wantErr(t, err, inventory.ErrReservationCommitted)

	reserve(t, svc, "order-2", line("A", 5))
	wantLevel(t, level(t, svc, "A", "online"), 8, 5)
	rel := must(svc.Release(ctx, "order-2"))(t)
	if rel.Status != inventory.StatusReleased {
		t.Fatalf("release = %+v", rel)
	}
	wantLevel(t, level(t, svc, "A", "online"), 8, 0)
	must(svc.Release(ctx, "order-2"))(t)
	wantLevel(t, level(t, svc, "A", "online"), 8, 0)
	_, err = svc.Commit(ctx, "order-2")
	wantErr(t, err, inventory.ErrReservationReleased)
	// A released reference stays spent: repeating its reserve holds nothing.
	if r := reserve(t, svc, "order-2", line("A", 5)); r.Status != inventory.StatusReleased {
		t.Fatalf("reserve of a released reference = %+v", r)
	}
	wantLevel(t, level(t, svc, "A", "online"), 8, 0)

	for _, f := range []func(context.Context, string) (inventory.Reservation, error){svc.Commit, svc.Release, svc.Reservation} {
		_, err = f(ctx, "no-such-order")
		wantErr(t, err, inventory.ErrReservationNotFound)
	}
	Invariants(t, e.DB)
}

func testAllOrNothing(t *testing.T, e *Env) {
	ctx, svc := context.Background(), e.Service
	set(t, svc, "A", "", 5)
	set(t, svc, "B", "", 1)
	_, err := svc.Reserve(ctx, inventory.ReserveRequest{Reference: "o-1", Lines: []inventory.Line{line("A", 2), line("B", 2)}})
	wantErr(t, err, inventory.ErrInsufficientStock)
	var ee *errs.Error
	if errors.As(err, &ee); len(ee.Fields) != 1 || ee.Fields[0].Field != "lines/1/quantity" {
		t.Fatalf("fields = %+v, want the B line", ee.Fields)
	}
	_, err = svc.Reserve(ctx, inventory.ReserveRequest{Reference: "o-2", Lines: []inventory.Line{line("A", 2), line("GHOST", 1)}})
	wantErr(t, err, inventory.ErrUnknownSKU)
	wantLevel(t, level(t, svc, "A", "online"), 5, 0)
	wantLevel(t, level(t, svc, "B", "online"), 1, 0)
	for _, ref := range []string{"o-1", "o-2"} {
		_, err = svc.Reservation(ctx, ref)
		wantErr(t, err, inventory.ErrReservationNotFound)
	}
	// The failed reference is still free to use.
	reserve(t, svc, "o-1", line("A", 5), line("B", 1))
	_, err = svc.Reserve(ctx, inventory.ReserveRequest{Reference: "o-3", Lines: []inventory.Line{line("A", 1)}})
	wantErr(t, err, inventory.ErrInsufficientStock)
	Invariants(t, e.DB)
}

func testBadInput(t *testing.T, e *Env) {
	ctx, svc := context.Background(), e.Service
	set(t, svc, "A", "", 5)
	before := must(svc.Movements(ctx, inventory.MovementQuery{SKU: "A"}))(t)
	many := make([]inventory.Line, inventory.MaxLines+1)
	for i := range many {
		many[i] = line(fmt.Sprintf("S%d", i), 1)
	}
	manySKUs := make([]string, inventory.MaxSKUsPerQuery+1)
	for i := range manySKUs {
		manySKUs[i] = fmt.Sprintf("S%d", i)
	}
	res := func(ref string, ttl time.Duration, lines ...inventory.Line) error {
		_, err := svc.Reserve(ctx, inventory.ReserveRequest{Reference: ref, Lines: lines, TTL: ttl})
		return err
	}
	cases := []struct {
		name string
		err  error
		want *errs.Error
	}{
		{"no lines", res("r", 0), inventory.ErrNoLines},
		{"zero units", res("r", 0, line("A", 0)), inventory.ErrInvalidQuantity},
		{"negative units", res("r", 0, line("A", -2)), inventory.ErrInvalidQuantity},
		{"duplicate lines", res("r", 0, line("A", 1), line("A", 1)), inventory.ErrDuplicateLine},
		{"bad sku", res("r", 0, line("A B", 1)), inventory.ErrInvalidSKU},
		{"too many lines", res("r", 0, many...), inventory.ErrTooManyLines},
		{"empty reference", res("", 0, line("A", 1)), inventory.ErrInvalidReference},
		{"long reference", res(strings.Repeat("x", 129), 0, line("A", 1)), inventory.ErrInvalidReference},
		{"ttl too long", res("r", 48*time.Hour, line("A", 1)), inventory.ErrInvalidTTL},
		{"ttl negative", res("r", -5*time.Second, line("A", 1)), inventory.ErrInvalidTTL},
		{"unknown sku", res("r", 0, line("A", 1), line("ZZ", 1)), inventory.ErrUnknownSKU},
		{"negative on hand", second(svc.SetOnHand(ctx, inventory.SetOnHand{SKU: "A", OnHand: -1})), inventory.ErrInvalidQuantity},
		{"bad location", second(svc.SetOnHand(ctx, inventory.SetOnHand{SKU: "A", Location: "Online!", OnHand: 1})), inventory.ErrInvalidLocation},
		{"zero delta", second(svc.Adjust(ctx, inventory.Adjustment{SKU: "A", Delta: 0, Reason: "damaged"})), inventory.ErrInvalidQuantity},
		{"bad reason", second(svc.Adjust(ctx, inventory.Adjustment{SKU: "A", Delta: 1, Reason: "Because!"})), inventory.ErrInvalidReason},
		{"own reason", second(svc.Adjust(ctx, inventory.Adjustment{SKU: "A", Delta: 1, Reason: "sale"})), inventory.ErrInvalidReason},
		{"no skus", second(svc.Available(ctx, nil)), inventory.ErrTooManySKUs},
		{"too many skus", second(svc.Levels(ctx, manySKUs)), inventory.ErrTooManySKUs},
		{"bad sku lookup", second(svc.Available(ctx, []string{"a/b"})), inventory.ErrInvalidSKU},
		{"page size", second(svc.Movements(ctx, inventory.MovementQuery{SKU: "A", PageSize: 101})), inventory.ErrInvalidPageSize},
		{"page token", second(svc.Movements(ctx, inventory.MovementQuery{SKU: "A", PageToken: "bogus"})), inventory.ErrInvalidPageToken},
		{"import negative", svc.Import(ctx, []inventory.StockLevel{{SKU: "NEW", OnHand: 1}, {SKU: "A", OnHand: -1}}), inventory.ErrInvalidQuantity},
		{"import location", svc.Import(ctx, []inventory.StockLevel{{SKU: "NEW", OnHand: 1}, {SKU: "A", Location: "mars", OnHand: 1}}), inventory.ErrUnknownLocation},
		{"bad location kind", second(svc.PutLocation(ctx, inventory.Location{ID: "x", Kind: "shed"})), errs.Invalid("invalid_location_kind", "")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			wantErr(t, c.err, c.want)
			if k := errs.KindOf(c.err); k != c.want.Kind {
				t.Fatalf("kind %s, want %s", k, c.want.Kind)
			}
		})
	}
	// Nothing was written by any of them.
	wantLevel(t, level(t, svc, "A", "online"), 5, 0)
	after := must(svc.Movements(ctx, inventory.MovementQuery{SKU: "A"}))(t)
	if len(after.Items) != len(before.Items) {
		t.Fatalf("movements %d, want %d", len(after.Items), len(before.Items))
	}
	if got := must(svc.Available(ctx, []string{"NEW"}))(t)["NEW"]; got != 0 {
		t.Fatalf("a refused import created NEW with %d", got)
	}
}

func second[T any](_ T, err error) error { return err }

func testExpiry(t *testing.T, e *Env) {
	ctx, svc := context.Background(), e.Service
	set(t, svc, "A", "", 10)
	ttl := time.Minute
	for _, ref := range []string{"late-commit", "swept", "late-release"} {
		must(svc.Reserve(ctx, inventory.ReserveRequest{Reference: ref, Lines: []inventory.Line{line("A", 2)}, TTL: ttl}))(t)
	}
	wantLevel(t, level(t, svc, "A", "online"), 10, 6)
	e.Clock.Advance(ttl + time.Second)

	// Committing too late is refused, and the units come back there and then.
	_, err := svc.Commit(ctx, "late-commit")
	wantErr(t, err, inventory.ErrReservationExpired)
	wantLevel(t, level(t, svc, "A", "online"), 10, 4)
	if r := must(svc.Reservation(ctx, "late-commit"))(t); r.Status != inventory.StatusExpired {
		t.Fatalf("status %s, want expired", r.Status)
	}

	n := must(e.Core.SweepExpired(ctx))(t)
	if n != 2 {
		t.Fatalf("swept %d, want 2", n)
	}
	wantLevel(t, level(t, svc, "A", "online"), 10, 0)
	if n := must(e.Core.SweepExpired(ctx))(t); n != 0 {
		t.Fatalf("second sweep expired %d", n)
	}
	r := must(svc.Release(ctx, "late-release"))(t)
	if r.Status != inventory.StatusExpired {
		t.Fatalf("release of an expired hold = %s", r.Status)
	}
	_, err = svc.Commit(ctx, "swept")
	wantErr(t, err, inventory.ErrReservationExpired)
	// Repeating an expired reserve never holds again.
	again := must(svc.Reserve(ctx, inventory.ReserveRequest{Reference: "swept", Lines: []inventory.Line{line("A", 2)}, TTL: ttl}))(t)
	if again.Status != inventory.StatusExpired {
		t.Fatalf("repeat of an expired reserve = %s", again.Status)
	}
	wantLevel(t, level(t, svc, "A", "online"), 10, 0)

	// The sweeper runs by itself.
	must(svc.Reserve(ctx, inventory.ReserveRequest{Reference: "background", Lines: []inventory.Line{line("A", 1)}, TTL: ttl}))(t)
	e.Clock.Advance(ttl + time.Second)
	sctx, stop := context.WithCancel(ctx)
	done := make(chan error, 1)
	go func() { done <- e.Core.RunSweeper(sctx) }()
	deadline := time.Now().Add(10 * time.Second)
	for level(t, svc, "A", "online").Reserved != 0 {
		if time.Now().After(deadline) {
			t.Fatal("the sweeper did not return the expired hold")
		}
		time.Sleep(20 * time.Millisecond)
	}
	stop()
	if err := <-done; err != nil {
		t.Fatalf("RunSweeper = %v", err)
	}
	Invariants(t, e.DB)
}

func testEvents(t *testing.T, e *Env) {
	ctx, svc := context.Background(), e.Service
	set(t, svc, "EV", "", 10)             // back in stock (from nothing)
	reserve(t, svc, "e-1", line("EV", 3)) // 7: nothing
	reserve(t, svc, "e-2", line("EV", 2)) // 5: low
	reserve(t, svc, "e-3", line("EV", 5)) // 0: out of stock
	_, err := svc.Reserve(ctx, inventory.ReserveRequest{Reference: "e-4", Lines: []inventory.Line{line("EV", 1)}})
	wantErr(t, err, inventory.ErrInsufficientStock)
	must(svc.Release(ctx, "e-3"))(t) // 5: back in stock
	must(svc.Commit(ctx, "e-2"))(t)  // 5: nothing (sold units were held)
	must(svc.Adjust(ctx, inventory.Adjustment{SKU: "EV", Delta: -5, Reason: "damaged"}))(t)
	want := []string{inventory.EventBackInStock, inventory.EventLow, inventory.EventOutOfStock, inventory.EventBackInStock, inventory.EventOutOfStock}
	evs := e.Events(t)
	if got := StockEvents(t, evs, "EV"); !slices.Equal(got, want) {
		t.Fatalf("events %v, want %v", got, want)
	}
	var d inventory.StockEvent
	if err := evs[1].Decode(&d); err != nil || d.Available != 5 || d.Threshold != 5 || evs[1].ID == "" {
		t.Fatalf("low event %+v data %+v (%v)", evs[1], d, err)
	}
}

func testMovements(t *testing.T, e *Env) {
	ctx, svc := context.Background(), e.Service
	set(t, svc, "MV", "", 20)
	for i := range 4 {
		must(svc.Adjust(ctx, inventory.Adjustment{SKU: "MV", Delta: int64(i + 1), Reason: "received"}))(t)
	}
	reserve(t, svc, "m-1", line("MV", 3))
	must(svc.Commit(ctx, "m-1"))(t)
	set(t, svc, "OTHER", "", 1)

	var all []inventory.Movement
	q := inventory.MovementQuery{SKU: "MV", PageSize: 4}
	for pages := 0; ; pages++ {
		p := must(svc.Movements(ctx, q))(t)
		all = append(all, p.Items...)
		if p.NextPageToken == "" {
			if pages != 1 {
				t.Fatalf("%d pages, want 2", pages+1)
			}
			break
		}
		q.PageToken = p.NextPageToken
	}
	var deltas []int64
	for _, m := range all {
		deltas = append(deltas, m.Delta)
		if m.SKU != "MV" || m.Location != "online" {
			t.Fatalf("movement %+v", m)
		}
	}
	if !slices.Equal(deltas, []int64{-3, 4, 3, 2, 1, 20}) {
		t.Fatalf("deltas newest first = %v", deltas)
	}
	if all[0].Reason != inventory.ReasonSale || all[0].Reference != "m-1" || all[5].Reason != inventory.ReasonSet {
		t.Fatalf("reasons: %+v", all)
	}
	empty := must(svc.Movements(ctx, inventory.MovementQuery{SKU: "NEVER"}))(t)
	if len(empty.Items) != 0 || empty.Items == nil || empty.NextPageToken != "" {
		t.Fatalf("movements of an unknown SKU = %+v", empty)
	}
}

func testImport(t *testing.T, e *Env) {
	ctx, svc := context.Background(), e.Service
	set(t, svc, "IMP-0001", "", 50)
	reserve(t, svc, "i-1", line("IMP-0001", 1))
	var levels []inventory.StockLevel
	for i := range 2500 {
		levels = append(levels, inventory.StockLevel{SKU: fmt.Sprintf("IMP-%04d", i), OnHand: int64(i % 40)})
	}
	levels = append(levels, inventory.StockLevel{SKU: "IMP-0002", OnHand: 99}) // the last one wins
	levels = append(levels, inventory.StockLevel{SKU: "IMP-0001", OnHand: 30})
	if err := svc.Import(ctx, levels); err != nil {
		t.Fatal(err)
	}
	got := must(svc.Available(ctx, []string{"IMP-0000", "IMP-0001", "IMP-0002", "IMP-0039", "IMP-2499"}))(t)
	want := map[string]int64{"IMP-0000": 0, "IMP-0001": 29, "IMP-0002": 99, "IMP-0039": 39, "IMP-2499": 19}
	for k, v := range want {
		if got[k] != v {
			t.Fatalf("available %s = %d, want %d (all: %v)", k, got[k], v, got)
		}
	}
	wantLevel(t, level(t, svc, "IMP-0001", "online"), 30, 1)
	err := svc.Import(ctx, []inventory.StockLevel{{SKU: "IMP-0001", OnHand: 0}})
	wantErr(t, err, inventory.ErrBelowReserved)
	wantLevel(t, level(t, svc, "IMP-0001", "online"), 30, 1)
	Invariants(t, e.DB)
}

// testAvailableUnderLoad: however reservations, sales, releases and
// counts interleave, Available (which the Core answers from memory where it
// can) ends where the stock levels say.
func testAvailableUnderLoad(t *testing.T, e *Env) {
	ctx, svc := context.Background(), e.Service
	must(svc.PutLocation(ctx, inventory.Location{ID: "store-pune", Name: "Pune", Kind: inventory.KindStore, Sellable: true}))(t)
	must(svc.PutLocation(ctx, inventory.Location{ID: "store-back", Name: "Back room", Kind: inventory.KindStore}))(t)
	skus := []string{"HOT-1", "HOT-2", "HOT-3"}
	for _, sku := range skus {
		set(t, svc, sku, "", 40)
		set(t, svc, sku, "store-pune", 5)
		set(t, svc, sku, "store-back", 7)
		available(t, svc, sku) // cached from here on
	}
	var wg sync.WaitGroup
	errc := make(chan error, 8)
	for w := range 6 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range 25 {
				ref := fmt.Sprintf("w%d-%d", w, i)
				sku := skus[(w+i)%len(skus)]
				_, err := svc.Reserve(ctx, inventory.ReserveRequest{Reference: ref, TTL: time.Hour,
					Lines: []inventory.Line{{SKU: sku, Quantity: int64(1 + i%3)}, {SKU: skus[(w+i+1)%len(skus)], Quantity: 1}}})
				switch {
				case errors.Is(err, inventory.ErrInsufficientStock):
					continue
				case err != nil:
					errc <- err
					return
				}
				available(t, svc, sku)
				switch i % 3 {
				case 0:
					_, err = svc.Commit(ctx, ref)
				case 1:
					_, err = svc.Release(ctx, ref)
				}
				if err == nil && i%7 == 0 {
					_, err = svc.SetOnHand(ctx, inventory.SetOnHand{SKU: sku, Location: "store-pune", OnHand: int64(3 + w)})
				}
				// A count below what is held there is refused: fine here.
				if err != nil && !errors.Is(err, inventory.ErrInsufficientStock) && !errors.Is(err, inventory.ErrBelowReserved) {
					errc <- err
					return
				}
			}
		}()
	}
	wg.Wait()
	close(errc)
	for err := range errc {
		t.Fatal(err)
	}
	for _, sku := range skus {
		var want int64
		for _, l := range must(svc.Levels(ctx, []string{sku}))(t) {
			if l.Location != "store-back" {
				want += l.Available
			}
		}
		if got := available(t, svc, sku); got != want {
			t.Errorf("%s: Available = %d, the levels at sellable locations add up to %d", sku, got, want)
		}
	}
	Invariants(t, e.DB)
}
