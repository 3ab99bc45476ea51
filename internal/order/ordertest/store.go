// Package ordertest holds the suites every order adapter must pass.
package ordertest

import (
	"context"
	"errors"
	"fmt"
	"reflect"
	"slices"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/order"
	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/bus/bustest"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// StoreSuite runs what every order.Store must do. newStore returns a store
// on a fresh, migrated database and that database (the suite reads its
// outbox).
func StoreSuite(t *testing.T, newStore func(t *testing.T) (order.Store, *sqldb.DB)) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s order.Store, db *sqldb.DB)
	}{
		{"CreateAndRead", testStoreCreate},
		{"CreateDuplicate", testStoreCreateDuplicate},
		{"ConcurrentCreatesOfOneOrder", testStoreConcurrentCreate},
		{"ManyCreatesAtOnce", testStoreManyCreates},
		{"UpdateWritesAllOrNothing", testStoreUpdate},
		{"UpdateNoChange", testStoreNoChange},
		{"UpdateFromKnownCopy", testStoreUpdateFrom},
		{"ManyUpdatesFromAtOnce", testStoreManyUpdatesFrom},
		{"ConcurrentUpdatesSerialise", testStoreConcurrent},
		{"ListFiltersAndPages", testStoreList},
		{"ListPageSizes", testStoreListPageSizes},
		{"Due", testStoreDue},
		{"Counts", testStoreCounts},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, db := newStore(t)
			tc.fn(t, s, db)
		})
	}
}

var bg = context.Background()

func inr(n int64) money.Money { return money.MustNew(n, "INR") }

// newOrder is a pending order with every field set, created at at.
func newOrder(customer, email string, at time.Time) *order.Order {
	id := ids.New()
	due := at.Add(15 * time.Minute)
	line := order.Line{SKU: "TEE-M-RED", ProductID: "p1", Slug: "tee", Title: "Tee", Image: "/i.jpg", Size: "M", Color: "red",
		Brand: "b", Quantity: 2, UnitPrice: inr(49900), Subtotal: inr(99800), Discount: inr(9980), Total: inr(89820), Tax: inr(9623)}
	totals := order.Totals{Subtotal: inr(99800), Discount: inr(9980), Shipping: inr(4900), Tax: inr(9623), Total: inr(94720), Refunded: inr(0)}
	addr := cart.Address{Name: "A", Phone: "9999999999", Line1: "1 Road", City: "Pune", State: "MH", PostalCode: "411001", Country: "IN"}
	return &order.Order{
		ID: id, Number: "BZ-" + id, Status: order.StatusPending, CustomerID: customer, Email: email,
		CartID: ids.New(), Currency: "INR",
		Lines: []order.Line{line}, Totals: totals, ShippingAddress: addr,
		Payment: order.PaymentInfo{Method: payment.MethodCard, Captured: inr(0), Refunded: inr(0)},
		Returns: []order.Return{}, CreatedAt: at, UpdatedAt: at, PaymentDue: &due,
		TokenHash:  "hash-" + id,
		Promotions: []string{"WELCOME10"},
		Request: &order.Request{OrderID: id, Number: "BZ-" + id, CustomerID: customer, Email: email, Currency: "INR",
			Lines: []order.Line{line}, Totals: totals, ShippingAddress: addr,
			Payment: payment.MethodInput{Type: payment.MethodCard, Token: "tok_1"}, Promotions: []string{"WELCOME10"},
			AcceptedAt: at, PaymentDue: due},
	}
}

// mutation records the creation of o.
func mutation(t testing.TB, o *order.Order) *order.Mutation {
	t.Helper()
	return &order.Mutation{
		Transitions: []order.Transition{{Seq: 1, To: o.Status, Reason: "checkout", Actor: "worker", At: o.CreatedAt}},
		Events:      []order.Outgoing{event(t, order.EventCreated, o)},
	}
}

func event(t testing.TB, subject string, o *order.Order) order.Outgoing {
	t.Helper()
	ev, err := bus.NewEvent(subject, order.Event{OrderID: o.ID, Number: o.Number, Email: o.Email, Status: o.Status,
		Seq: o.Seq, Total: o.Totals.Total, At: o.UpdatedAt})
	if err != nil {
		t.Fatal(err)
	}
	return order.Outgoing{Subject: subject, Event: ev}
}

// create stores o with its creation recorded (Seq 1).
func create(t testing.TB, s order.Store, o *order.Order) order.Order {
	t.Helper()
	o.Seq = 1
	if err := s.Create(bg, o, mutation(t, o)); err != nil {
		t.Fatalf("create: %v", err)
	}
	return *o
}

// must(v, err)(t) is v, or fails t with err.
func must[T any](v T, err error) func(testing.TB) T {
	return func(t testing.TB) T {
		t.Helper()
		if err != nil {
			t.Fatalf("unexpected error: %v", err)
		}
		return v
	}
}

func wantErr(t testing.TB, err error, want *errs.Error) {
	t.Helper()
	if !errors.Is(err, want) {
		t.Fatalf("error = %v, want %s (%s)", err, want.Code, want.Kind)
	}
}

// stored is o as a store gives it back: times in UTC to the microsecond.
func stored(o order.Order) order.Order {
	u := func(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }
	up := func(t *time.Time) *time.Time {
		if t == nil {
			return nil
		}
		v := u(*t)
		return &v
	}
	o.CreatedAt, o.UpdatedAt = u(o.CreatedAt), u(o.UpdatedAt)
	o.PaymentDue, o.PaidAt, o.ShippedAt, o.DeliveredAt, o.ReturnWindowEnds = up(o.PaymentDue), up(o.PaidAt), up(o.ShippedAt), up(o.DeliveredAt), up(o.ReturnWindowEnds)
	if o.Request != nil {
		r := *o.Request
		r.AcceptedAt, r.PaymentDue = u(r.AcceptedAt), u(r.PaymentDue)
		o.Request = &r
	}
	if o.Returns != nil {
		rs := slices.Clone(o.Returns)
		for i := range rs {
			rs[i].CreatedAt, rs[i].UpdatedAt = u(rs[i].CreatedAt), u(rs[i].UpdatedAt)
		}
		o.Returns = rs
	}
	if na := o.Payment.NextAction; na != nil {
		c := *na
		c.Expires = up(c.Expires)
		o.Payment.NextAction = &c
	}
	return o
}

func sameOrder(t testing.TB, got, want order.Order) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("order read back differs:\n got  %+v\n want %+v", got, want)
	}
}

func outboxIDs(t testing.TB, db *sqldb.DB) []string {
	t.Helper()
	var out []string
	for _, ev := range bustest.OutboxEvents(t, db) {
		out = append(out, ev.ID)
	}
	return out
}

func testStoreCreate(t *testing.T, s order.Store, db *sqldb.DB) {
	// A time away from UTC, below the microsecond: read back in UTC.
	ist := time.FixedZone("IST", 5*3600+1800)
	at := time.Date(2025, 3, 1, 10, 30, 0, 123456789, ist)
	o := newOrder("c1", "Asha@Example.com", at)
	exp := at.Add(time.Hour)
	o.Payment.NextAction = &payment.NextAction{Type: "redirect", URL: "https://bank.example/3ds", Expires: &exp}
	o.Payment.Card = &payment.CardDetails{Brand: "visa", Last4: "4242", ExpMonth: 12, ExpYear: 2031}
	o.Payment.IntentID, o.Payment.Status = "pi_1", payment.StatusRequiresAction
	o.Refunds = []order.RefundNote{{Key: "rk1", ReturnID: "ret_1", Amount: 100}}
	o.Returns = []order.Return{{ID: "r1", Status: order.ReturnRequested, Lines: []order.ReturnLine{{SKU: "TEE-M-RED", Quantity: 1}},
		Reason: "too small", Resolution: order.ResolutionExchange, ExchangeLines: []order.ReturnLine{{SKU: "TEE-L-RED", Quantity: 1}},
		RefundAmount: inr(44910), CreatedAt: at, UpdatedAt: at}}
	o.BillingAddress = &cart.Address{Name: "B", State: "KA", PostalCode: "560001"}
	o.Tracking = &order.Tracking{Carrier: "dhl", Number: "123", URL: "https://t.example/123"}
	o.ExchangeOf, o.CanCancel, o.CanReturn = ids.New(), true, true
	o.ReturnWindowEnds, o.PaidAt, o.ShippedAt, o.DeliveredAt = &exp, &at, &at, &at
	o.Version, o.Seq = 3, 1
	in := *o
	want := stored(create(t, s, o))
	if !reflect.DeepEqual(*o, in) {
		t.Fatal("Create changed the order it was given")
	}

	got := must(s.Order(bg, o.ID))(t)
	if len(got.History) != 1 || got.History[0] != (order.Transition{Seq: 1, To: order.StatusPending, Reason: "checkout", Actor: "worker", At: want.CreatedAt}) {
		t.Fatalf("history = %+v", got.History)
	}
	if got.CreatedAt.Location() != time.UTC || got.PaidAt.Location() != time.UTC || got.Returns[0].CreatedAt.Location() != time.UTC {
		t.Fatal("times are not read back in UTC")
	}
	got.History = nil
	sameOrder(t, got, want) // hidden fields included: TokenHash, Request, Promotions, Seq, Version, Refunds
	if cur := must(s.Current(bg, o.ID))(t); cur.History != nil {
		t.Fatalf("Current read the history: %+v", cur.History)
	} else {
		sameOrder(t, cur, want)
	}
	if got.Email != "Asha@Example.com" {
		t.Fatalf("email = %q, want it as given", got.Email)
	}
	if evs := outboxIDs(t, db); len(evs) != 1 {
		t.Fatalf("outbox = %v, want the created event", evs)
	}

	// A guest order without the optional parts, and no mutation.
	guest := newOrder("", "g@example.com", time.Now())
	guest.Lines, guest.Returns, guest.Promotions, guest.Request, guest.PaymentDue, guest.TokenHash = nil, nil, nil, nil, nil, ""
	if err := s.Create(bg, guest, nil); err != nil {
		t.Fatal(err)
	}
	g := must(s.Order(bg, guest.ID))(t)
	if g.History == nil || len(g.History) != 0 || g.PaymentDue != nil || g.Request != nil || g.CustomerID != "" {
		t.Fatalf("guest order = %+v", g)
	}
	g.History = nil
	sameOrder(t, g, stored(*guest))

	_, err := s.Order(bg, ids.New())
	wantErr(t, err, order.ErrOrderNotFound)
	_, err = s.Current(bg, ids.New())
	wantErr(t, err, order.ErrOrderNotFound)
	if h := must(s.History(bg, ids.New(), 0))(t); len(h) != 0 {
		t.Fatalf("history of no order = %+v", h)
	}
}

func testStoreCreateDuplicate(t *testing.T, s order.Store, db *sqldb.DB) {
	o := create(t, s, newOrder("c1", "a@example.com", time.Now()))
	again := o
	again.Status, again.Email, again.Seq = order.StatusPaid, "b@example.com", 5
	err := s.Create(bg, &again, &order.Mutation{
		Transitions: []order.Transition{{Seq: 5, From: order.StatusPending, To: order.StatusPaid, At: time.Now()}},
		Events:      []order.Outgoing{event(t, order.EventPaid, &again)},
	})
	wantErr(t, err, order.ErrOrderExists)
	got := must(s.Order(bg, o.ID))(t)
	if got.Status != order.StatusPending || got.Email != "a@example.com" || len(got.History) != 1 {
		t.Fatalf("a duplicate create wrote: %+v", got)
	}
	if ids := outboxIDs(t, db); len(ids) != 1 {
		t.Fatalf("a duplicate create wrote its events: %v", ids)
	}

	// Another order with the same number is a conflict, and not ErrOrderExists.
	other := newOrder("c2", "c@example.com", time.Now())
	other.Number = o.Number
	err = s.Create(bg, other, mutation(t, other))
	if errs.KindOf(err) != errs.KindConflict || errors.Is(err, order.ErrOrderExists) {
		t.Fatalf("duplicate number: %v", err)
	}
	_, err = s.Order(bg, other.ID)
	wantErr(t, err, order.ErrOrderNotFound)

	// A create whose history cannot be written writes nothing.
	bad := newOrder("c3", "d@example.com", time.Now())
	m := mutation(t, bad)
	m.Transitions = append(m.Transitions, m.Transitions[0]) // seq 1 twice
	if err := s.Create(bg, bad, m); errs.KindOf(err) != errs.KindConflict {
		t.Fatalf("duplicate transition: %v", err)
	}
	_, err = s.Order(bg, bad.ID)
	wantErr(t, err, order.ErrOrderNotFound)
	if ids := outboxIDs(t, db); len(ids) != 1 {
		t.Fatalf("a failed create wrote its events: %v", ids)
	}
}

// Workers that take the same request at once create the order once.
func testStoreConcurrentCreate(t *testing.T, s order.Store, db *sqldb.DB) {
	o := newOrder("c1", "a@example.com", time.Now())
	o.Seq = 1
	const n = 8
	errc := make(chan error, n)
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			c := *o
			errc <- s.Create(bg, &c, mutation(t, &c))
		})
	}
	wg.Wait()
	close(errc)
	created := 0
	for err := range errc {
		switch {
		case err == nil:
			created++
		case !errors.Is(err, order.ErrOrderExists):
			t.Errorf("concurrent create: %v", err)
		}
	}
	if created != 1 {
		t.Fatalf("%d creates succeeded, want 1", created)
	}
	if got := must(s.Order(bg, o.ID))(t); len(got.History) != 1 {
		t.Fatalf("history = %+v", got.History)
	}
	if evs := outboxIDs(t, db); len(evs) != 1 {
		t.Fatalf("outbox = %v, want one created event", evs)
	}
}

func testStoreUpdate(t *testing.T, s order.Store, db *sqldb.DB) {
	o := create(t, s, newOrder("c1", "a@example.com", time.Now().UTC()))

	// fn fails: nothing is written.
	boom := errors.New("boom")
	_, err := s.Update(bg, o.ID, func(o *order.Order, m *order.Mutation) error {
		o.Status, o.Seq = order.StatusCancelled, 2
		m.Transitions = append(m.Transitions, order.Transition{Seq: 2, From: order.StatusPending, To: order.StatusCancelled, At: time.Now()})
		m.Events = append(m.Events, event(t, order.EventCancelled, o))
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v, want fn's", err)
	}
	if got := must(s.Order(bg, o.ID))(t); got.Status != order.StatusPending || got.Version != 0 || len(got.History) != 1 {
		t.Fatalf("a failed update was written: %+v", got)
	}
	if ids := outboxIDs(t, db); len(ids) != 1 {
		t.Fatalf("a failed update wrote events: %v", ids)
	}

	// A mutation the store refuses (a seq recorded already) writes nothing either.
	_, err = s.Update(bg, o.ID, func(o *order.Order, m *order.Mutation) error {
		o.Status = order.StatusCancelled
		m.Transitions = append(m.Transitions, order.Transition{Seq: 1, From: order.StatusPending, To: order.StatusCancelled, At: time.Now()})
		m.Events = append(m.Events, event(t, order.EventCancelled, o))
		return nil
	})
	if errs.KindOf(err) != errs.KindConflict {
		t.Fatalf("duplicate transition: %v", err)
	}
	if got := must(s.Order(bg, o.ID))(t); got.Status != order.StatusPending || got.Version != 0 {
		t.Fatalf("a refused update was written: %+v", got)
	}

	// A write: the order, its version, its history and its events.
	paidAt := time.Now().UTC()
	var ev1, ev2 order.Outgoing
	after := must(s.Update(bg, o.ID, func(o *order.Order, m *order.Mutation) error {
		m.Transitions = append(m.Transitions,
			order.Transition{Seq: 2, From: order.StatusPending, To: order.StatusAwaitingPayment, Reason: "checkout", Actor: "worker", At: paidAt},
			order.Transition{Seq: 3, From: order.StatusAwaitingPayment, To: order.StatusPaid, Reason: "payment", Actor: "worker", Note: "captured", At: paidAt})
		o.Status, o.Seq, o.PaidAt, o.UpdatedAt, o.PaymentDue, o.Request = order.StatusPaid, 3, &paidAt, paidAt, nil, nil
		o.Payment.Captured = o.Totals.Total
		o.Refunds = append(o.Refunds, order.RefundNote{Key: "k", Amount: 5})
		ev1, ev2 = event(t, order.EventPaid, o), event(t, order.EventStatus, o)
		m.Events = append(m.Events, ev1, ev2)
		o.Version = 99 // the store keeps the count, whatever fn does
		return nil
	}))(t)
	if after.Version != 1 || after.Status != order.StatusPaid {
		t.Fatalf("after update = %+v", after)
	}
	got := must(s.Order(bg, o.ID))(t)
	if len(got.History) != 3 || got.History[2].Note != "captured" || got.History[1].To != order.StatusAwaitingPayment {
		t.Fatalf("history = %+v", got.History)
	}
	if h := must(s.History(bg, o.ID, 1))(t); len(h) != 2 || h[0].Seq != 2 || h[1].Seq != 3 {
		t.Fatalf("history after 1 = %+v", h)
	}
	got.History = nil
	sameOrder(t, got, stored(after))
	if got.Request != nil || got.PaymentDue != nil || len(got.Refunds) != 1 || got.Payment.Captured != o.Totals.Total {
		t.Fatalf("after update = %+v", got)
	}
	if ids := outboxIDs(t, db); len(ids) != 3 || ids[1] != ev1.Event.ID || ids[2] != ev2.Event.ID {
		t.Fatalf("outbox = %v, want the created event, %s and %s", ids, ev1.Event.ID, ev2.Event.ID)
	}

	_, err = s.Update(bg, ids.New(), func(*order.Order, *order.Mutation) error { return nil })
	wantErr(t, err, order.ErrOrderNotFound)
	_, err = s.Update(bg, o.ID, func(o *order.Order, _ *order.Mutation) error { o.ID = ids.New(); return nil })
	if err == nil {
		t.Fatal("an update changed the order's id")
	}
}

func testStoreNoChange(t *testing.T, s order.Store, db *sqldb.DB) {
	o := newOrder("c1", "a@example.com", time.Now().UTC())
	o.Returns = []order.Return{{ID: "r1", Status: order.ReturnRequested, Resolution: order.ResolutionRefund, RefundAmount: inr(10),
		CreatedAt: o.CreatedAt, UpdatedAt: o.CreatedAt}}
	create(t, s, o)
	got := must(s.Update(bg, o.ID, func(o *order.Order, m *order.Mutation) error {
		// Changes made before ErrNoChange are not written, nor returned.
		o.Status = order.StatusCancelled
		o.Returns[0].Status = order.ReturnApproved
		m.Transitions = append(m.Transitions, order.Transition{Seq: 2, From: order.StatusPending, To: order.StatusCancelled, At: time.Now()})
		m.Events = append(m.Events, event(t, order.EventCancelled, o))
		return order.ErrNoChange
	}))(t)
	if got.Version != 0 || got.Status != order.StatusPending || got.Returns[0].Status != order.ReturnRequested {
		t.Fatalf("no change returned %+v", got)
	}
	if got.ID != o.ID || got.Number != o.Number || got.TokenHash != o.TokenHash {
		t.Fatalf("no change returned another order: %+v", got)
	}
	read := must(s.Order(bg, o.ID))(t)
	if read.Version != 0 || read.Status != order.StatusPending || read.Returns[0].Status != order.ReturnRequested || len(read.History) != 1 {
		t.Fatalf("no change wrote: %+v", read)
	}
	if ids := outboxIDs(t, db); len(ids) != 1 {
		t.Fatalf("no change wrote events: %v", ids)
	}
}

// UpdateFrom writes from a copy of the order when nothing was written
// since the copy, and otherwise runs fn again on the stored order: a
// copy's write never lands over a newer order, and neither its events nor
// its transitions are left behind.
func testStoreUpdateFrom(t *testing.T, s order.Store, db *sqldb.DB) {
	o := create(t, s, newOrder("c1", "a@example.com", time.Now().UTC()))
	runs := 0
	step := func(o *order.Order, m *order.Mutation) error {
		runs++
		o.Seq++
		o.Payment.FailureMessage = fmt.Sprintf("step %d", o.Seq)
		m.Transitions = append(m.Transitions, order.Transition{Seq: o.Seq, From: o.Status, To: o.Status, Reason: "step", Actor: "worker", At: time.Now()})
		m.Events = append(m.Events, event(t, order.EventStatus, o))
		return nil
	}
	fresh := must(s.UpdateFrom(bg, o, step))(t)
	if runs != 1 || fresh.Version != 1 || fresh.Seq != 2 {
		t.Fatalf("from a fresh copy: runs = %d, version = %d, seq = %d", runs, fresh.Version, fresh.Seq)
	}
	runs = 0
	stale := must(s.UpdateFrom(bg, o, step))(t) // o is version 0; the store has 1
	if runs != 2 || stale.Version != 2 || stale.Seq != 3 || stale.Payment.FailureMessage != "step 3" {
		t.Fatalf("from a stale copy: runs = %d, version = %d, seq = %d", runs, stale.Version, stale.Seq)
	}
	got := must(s.Order(bg, o.ID))(t)
	if got.Version != 2 || got.Seq != 3 || len(got.History) != 3 || got.Payment.FailureMessage != "step 3" {
		t.Fatalf("stored = version %d, seq %d, %d transitions, %q", got.Version, got.Seq, len(got.History), got.Payment.FailureMessage)
	}
	got.History = nil
	sameOrder(t, got, stored(stale))
	if ids := outboxIDs(t, db); len(ids) != 3 {
		t.Fatalf("outbox = %v, want the created event and two steps'", ids)
	}

	// A copy's refusal is asked again of the stored order.
	var saw []int
	kept := must(s.UpdateFrom(bg, fresh, func(o *order.Order, m *order.Mutation) error {
		saw = append(saw, o.Seq)
		if o.Seq < 3 {
			return order.ErrIllegalTransition
		}
		return order.ErrNoChange
	}))(t)
	if len(saw) != 2 || saw[1] != 3 || kept.Version != 2 {
		t.Fatalf("refusal: saw %v, version %d", saw, kept.Version)
	}
	_, err := s.UpdateFrom(bg, *newOrder("c1", "b@example.com", time.Now()), func(*order.Order, *order.Mutation) error { return nil })
	wantErr(t, err, order.ErrOrderNotFound)
}

// Many updates from known copies at once, as the order workers make them
// (on PostgreSQL they are written in batches): copies still current are
// written as they are; stale ones are run again on the stored order; four
// writers of one order from the same copy all land, one after another; a
// write's transitions and events are written with it and only with it.
func testStoreManyUpdatesFrom(t *testing.T, s order.Store, db *sqldb.DB) {
	const n = 40
	orders := make([]order.Order, n)
	for i := range orders {
		orders[i] = create(t, s, newOrder("c1", "a@example.com", time.Now().UTC()))
	}
	for i := 0; i < n; i += 3 { // changed behind their copies' backs
		must(s.Update(bg, orders[i].ID, func(o *order.Order, m *order.Mutation) error {
			o.Payment.FailureCode = "bumped"
			return nil
		}))(t)
	}
	step := func(o *order.Order, m *order.Mutation) error {
		o.Seq++
		m.Transitions = append(m.Transitions, order.Transition{Seq: o.Seq, From: o.Status, To: o.Status, Reason: "step", Actor: "worker", At: time.Now()})
		m.Events = append(m.Events, event(t, order.EventStatus, o))
		return nil
	}
	plain := func(o *order.Order, m *order.Mutation) error { // no history: a payment note, say
		o.Payment.Captured = inr(o.Payment.Captured.Amount + 1)
		return nil
	}
	writers := func(i int) int { return 1 + 3*btoi(i%4 == 1) }
	var wg sync.WaitGroup
	for i := range orders {
		for k := range writers(i) {
			fn := step
			if k > 0 {
				fn = plain
			}
			wg.Go(func() {
				got, err := s.UpdateFrom(bg, orders[i], fn)
				if err != nil {
					t.Errorf("order %d: %v", i, err)
				} else if (got.Payment.FailureCode == "bumped") != (i%3 == 0) {
					t.Errorf("order %d: returned %q; bumped behind the copy: %v", i, got.Payment.FailureCode, i%3 == 0)
				}
			})
		}
	}
	wg.Wait()
	for i, o := range orders {
		w, bumped := writers(i), btoi(i%3 == 0)
		got := must(s.Order(bg, o.ID))(t)
		if got.Version != bumped+w || got.Seq != 2 || len(got.History) != 2 || got.Payment.Captured.Amount != int64(w-1) {
			t.Errorf("order %d: version %d, seq %d, %d transitions, %d noted; want %d writes after %d bumps",
				i, got.Version, got.Seq, len(got.History), got.Payment.Captured.Amount, w, bumped)
		}
	}
	if evs := outboxIDs(t, db); len(evs) != 2*n { // each order's created event and its step's
		t.Fatalf("%d events, want %d", len(evs), 2*n)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// Updates of one order run one at a time: none is lost.
func testStoreConcurrent(t *testing.T, s order.Store, db *sqldb.DB) {
	o := create(t, s, newOrder("c1", "a@example.com", time.Now().UTC()))
	const n = 20
	var wg sync.WaitGroup
	for range n {
		wg.Go(func() {
			_, err := s.Update(bg, o.ID, func(o *order.Order, m *order.Mutation) error {
				o.Seq++
				o.Lines[0].Returned++
				m.Transitions = append(m.Transitions, order.Transition{Seq: o.Seq, From: o.Status, To: o.Status, Reason: "test", At: time.Now()})
				m.Events = append(m.Events, event(t, order.EventStatus, o))
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got := must(s.Order(bg, o.ID))(t)
	if got.Lines[0].Returned != n || got.Version != n || got.Seq != n+1 || len(got.History) != n+1 {
		t.Fatalf("count = %d, version = %d, seq = %d, history = %d; updates were lost",
			got.Lines[0].Returned, got.Version, got.Seq, len(got.History))
	}
	if ids := outboxIDs(t, db); len(ids) != n+1 {
		t.Fatalf("%d events in the outbox, want %d", len(ids), n+1)
	}
}

func testStoreList(t *testing.T, s order.Store, _ *sqldb.DB) {
	base := time.Date(2025, 6, 1, 12, 0, 0, 0, time.UTC)
	mk := func(customer, email string, status order.Status, minutes int) order.Order {
		o := newOrder(customer, email, base.Add(time.Duration(minutes)*time.Minute))
		o.Status = status
		return create(t, s, o)
	}
	all := []order.Order{
		mk("c1", "one@example.com", order.StatusPaid, 0),
		mk("c1", "one@example.com", order.StatusPending, 1),
		mk("c2", "two@example.com", order.StatusPaid, 2),
		mk("", "Guest@Example.COM", order.StatusCancelled, 3),
		mk("c2", "two@example.com", order.StatusShipped, 4),
		mk("c1", "one@example.com", order.StatusPaid, 4), // same time as the one before: the id breaks the tie
		mk("c3", "three@example.com", order.StatusDelivered, 6),
	}
	// Newest first, then the larger id first.
	newest := slices.Clone(all)
	slices.SortFunc(newest, func(a, b order.Order) int {
		if c := b.CreatedAt.Compare(a.CreatedAt); c != 0 {
			return c
		}
		if a.ID > b.ID {
			return -1
		}
		return 1
	})
	where := func(keep func(o order.Order) bool) []string {
		var out []string
		for _, o := range newest {
			if keep(o) {
				out = append(out, o.ID)
			}
		}
		return out
	}

	for _, tc := range []struct {
		name string
		f    order.ListFilter
		want []string
	}{
		{"all", order.ListFilter{}, where(func(order.Order) bool { return true })},
		{"status", order.ListFilter{Status: order.StatusPaid}, where(func(o order.Order) bool { return o.Status == order.StatusPaid })},
		{"customer", order.ListFilter{CustomerID: "c1"}, where(func(o order.Order) bool { return o.CustomerID == "c1" })},
		{"customer and status", order.ListFilter{CustomerID: "c1", Status: order.StatusPaid},
			where(func(o order.Order) bool { return o.CustomerID == "c1" && o.Status == order.StatusPaid })},
		{"email in any case", order.ListFilter{Email: "guest@EXAMPLE.com"}, where(func(o order.Order) bool { return o.CustomerID == "" })},
		{"number", order.ListFilter{Number: all[2].Number}, []string{all[2].ID}},
		{"from, inclusive", order.ListFilter{From: base.Add(4 * time.Minute)}, where(func(o order.Order) bool { return !o.CreatedAt.Before(base.Add(4 * time.Minute)) })},
		{"to, exclusive", order.ListFilter{To: base.Add(2 * time.Minute)}, where(func(o order.Order) bool { return o.CreatedAt.Before(base.Add(2 * time.Minute)) })},
		{"from and to, another zone", order.ListFilter{From: base.Add(time.Minute).In(time.FixedZone("X", -7*3600)), To: base.Add(4 * time.Minute)},
			where(func(o order.Order) bool {
				return !o.CreatedAt.Before(base.Add(time.Minute)) && o.CreatedAt.Before(base.Add(4*time.Minute))
			})},
		{"nothing", order.ListFilter{Email: "nobody@example.com"}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			for _, size := range []int{1, 2, 3, 100} {
				f := tc.f
				f.PageSize = size
				var got []string
				for pages := 0; ; pages++ {
					if pages > len(all) {
						t.Fatal("paging does not end")
					}
					items, next, err := s.List(bg, f)
					if err != nil {
						t.Fatal(err)
					}
					if len(items) > size {
						t.Fatalf("page of %d items, size %d", len(items), size)
					}
					for _, o := range items {
						if o.History != nil {
							t.Fatal("List filled history")
						}
						got = append(got, o.ID)
					}
					if next == "" {
						break
					}
					f.PageToken = next
				}
				if !slices.Equal(got, tc.want) {
					t.Fatalf("page size %d: got %v, want %v", size, got, tc.want)
				}
			}
		})
	}

	items, _, err := s.List(bg, order.ListFilter{Number: all[0].Number})
	if err != nil || len(items) != 1 {
		t.Fatalf("by number: %v %v", items, err)
	}
	sameOrder(t, items[0], stored(all[0]))

	for _, tok := range []string{"!!", "bm90IGEgdG9rZW4", "eA"} {
		_, _, err := s.List(bg, order.ListFilter{PageToken: tok})
		if errs.KindOf(err) != errs.KindInvalid {
			t.Errorf("page token %q: %v", tok, err)
		}
	}
}

func testStoreListPageSizes(t *testing.T, s order.Store, _ *sqldb.DB) {
	base := time.Now().UTC()
	for i := range 101 {
		create(t, s, newOrder("c1", "a@example.com", base.Add(time.Duration(i)*time.Second)))
	}
	for _, tc := range []struct{ size, want int }{{0, 20}, {-1, 20}, {7, 7}, {100, 100}, {1000, 100}} {
		items, next, err := s.List(bg, order.ListFilter{PageSize: tc.size})
		if err != nil {
			t.Fatal(err)
		}
		if len(items) != tc.want || next == "" {
			t.Errorf("page size %d: %d items, next %q; want %d and more", tc.size, len(items), next, tc.want)
		}
	}
}

func testStoreDue(t *testing.T, s order.Store, _ *sqldb.DB) {
	now := time.Now().UTC()
	mk := func(status order.Status, due time.Duration, hasDue bool) string {
		o := newOrder("c1", "a@example.com", now.Add(-time.Hour))
		o.Status = status
		if hasDue {
			d := now.Add(due)
			o.PaymentDue = &d
		} else {
			o.PaymentDue = nil
		}
		return create(t, s, o).ID
	}
	oldest := mk(order.StatusPending, -30*time.Minute, true)
	older := mk(order.StatusAwaitingPayment, -20*time.Minute, true)
	old := mk(order.StatusPending, -10*time.Minute, true)
	mk(order.StatusPending, 10*time.Minute, true) // not yet due
	mk(order.StatusPaid, -40*time.Minute, true)   // another status
	mk(order.StatusAwaitingPayment, 0, false)     // no due time

	ids := func(os []order.Order) []string {
		var out []string
		for _, o := range os {
			out = append(out, o.ID)
		}
		return out
	}
	unpaid := []order.Status{order.StatusPending, order.StatusAwaitingPayment}
	if got := ids(must(s.Due(bg, unpaid, now, 10))(t)); !slices.Equal(got, []string{oldest, older, old}) {
		t.Fatalf("due = %v, want %v", got, []string{oldest, older, old})
	}
	if got := ids(must(s.Due(bg, unpaid, now, 2))(t)); !slices.Equal(got, []string{oldest, older}) {
		t.Fatalf("due, limit 2 = %v", got)
	}
	if got := ids(must(s.Due(bg, []order.Status{order.StatusAwaitingPayment}, now, 10))(t)); !slices.Equal(got, []string{older}) {
		t.Fatalf("due awaiting payment = %v", got)
	}
	// before is exclusive
	if got := ids(must(s.Due(bg, unpaid, now.Add(-30*time.Minute), 10))(t)); len(got) != 0 {
		t.Fatalf("due before the oldest = %v", got)
	}
	if got := must(s.Due(bg, nil, now, 10))(t); len(got) != 0 {
		t.Fatalf("due in no status = %v", got)
	}
}

func testStoreCounts(t *testing.T, s order.Store, _ *sqldb.DB) {
	if got := must(s.Counts(bg))(t); len(got) != 0 {
		t.Fatalf("counts of nothing = %v", got)
	}
	want := map[order.Status]int{}
	for i, st := range order.Statuses { // every status can be stored
		for range i%3 + 1 {
			o := newOrder("c1", "a@example.com", time.Now())
			o.Status = st
			create(t, s, o)
			want[st]++
		}
	}
	if got := must(s.Counts(bg))(t); !reflect.DeepEqual(got, want) {
		t.Fatalf("counts = %v, want %v", got, want)
	}
	// The store refuses a status the machine does not know.
	o := newOrder("c1", "a@example.com", time.Now())
	o.Status = "lost"
	if err := s.Create(bg, o, nil); errs.KindOf(err) != errs.KindConflict {
		t.Fatalf("unknown status: %v", err)
	}
}

// testStoreManyCreates creates many orders at once, as the workers do (a
// store may write them together): each caller gets its own answer, even
// when some of them cannot be written.
func testStoreManyCreates(t *testing.T, s order.Store, db *sqldb.DB) {
	existing := create(t, s, newOrder("c0", "x@example.com", time.Now()))
	const n = 60
	orders := make([]*order.Order, n)
	for i := range orders {
		o := newOrder("c1", "a@example.com", time.Now())
		o.Seq = 1
		switch i {
		case 10: // an order that exists
			c := existing
			o = &c
		case 20: // another order's number
			o.Number = existing.Number
		}
		orders[i] = o
	}
	errsOf := make([]error, n)
	var wg sync.WaitGroup
	for i, o := range orders {
		wg.Go(func() { errsOf[i] = s.Create(bg, o, mutation(t, o)) })
	}
	wg.Wait()
	for i, err := range errsOf {
		switch i {
		case 10:
			wantErr(t, err, order.ErrOrderExists)
		case 20:
			if errs.KindOf(err) != errs.KindConflict || errors.Is(err, order.ErrOrderExists) {
				t.Errorf("duplicate number: %v", err)
			}
		default:
			if err != nil {
				t.Fatalf("create %d: %v", i, err)
			}
			if got := must(s.Order(bg, orders[i].ID))(t); len(got.History) != 1 || got.Email != "a@example.com" {
				t.Fatalf("order %d: %+v", i, got)
			}
		}
	}
	if evs := outboxIDs(t, db); len(evs) != n-1 { // the existing order's and 58 new ones
		t.Fatalf("%d events, want %d", len(evs), n-1)
	}
}
