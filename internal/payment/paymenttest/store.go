package paymenttest

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// StoreSuite runs what every payment.Store must do. newStore returns a
// store on a fresh, migrated database and that database.
func StoreSuite(t *testing.T, newStore func(t *testing.T) (payment.Store, *sqldb.DB)) {
	for _, tc := range []struct {
		name string
		fn   func(t *testing.T, s payment.Store, db *sqldb.DB)
	}{
		{"CreateAndFind", testStoreCreate},
		{"UpdateWritesAllOrNothing", testStoreUpdate},
		{"UpdateFromKnownCopy", testStoreUpdateFrom},
		{"ConcurrentUpdatesSerialise", testStoreConcurrent},
		{"ManyWritesAtOnce", testStoreManyAtOnce},
		{"MoneyConstraints", testStoreConstraints},
		{"LedgerAppendOnly", testStoreLedgerAppendOnly},
		{"Webhooks", testStoreWebhooks},
		{"Refunds", testStoreRefunds},
		{"ToReconcile", testStoreToReconcile},
		{"Methods", testStoreMethods},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s, db := newStore(t)
			tc.fn(t, s, db)
		})
	}
}

var bg = context.Background()

func newIntent(customer, key string, at time.Time) *payment.Intent {
	z := money.MustNew(0, "INR")
	return &payment.Intent{
		ID: ids.New(), OrderID: ids.New(), CustomerID: customer, Key: key, Fingerprint: "fp",
		Status: payment.StatusRequiresConfirmation, Amount: money.MustNew(10000, "INR"),
		AmountCapturable: z, AmountCaptured: z, AmountRefunded: z, CaptureMethod: payment.CaptureManual,
		Method: payment.MethodDetails{Type: payment.MethodCOD}, Provider: "cod", CreatedAt: at, UpdatedAt: at,
	}
}

func created(t testing.TB, s payment.Store, customer, key string) payment.Intent {
	t.Helper()
	it := newIntent(customer, key, time.Now().UTC())
	if err := s.CreateIntent(bg, it, &payment.Mutation{Transitions: []payment.IntentTransition{{Seq: 1, To: it.Status, Reason: "create", At: it.CreatedAt}}}); err != nil {
		t.Fatal(err)
	}
	return *it
}

func testStoreCreate(t *testing.T, s payment.Store, _ *sqldb.DB) {
	it := created(t, s, "c1", "k1")
	err := s.CreateIntent(bg, newIntent("c1", "k1", time.Now()), &payment.Mutation{})
	if errs.KindOf(err) != errs.KindConflict {
		t.Fatalf("duplicate key: %v", err)
	}
	created(t, s, "c2", "k1") // keys are per customer
	got := must(s.GetIntent(bg, it.ID))(t)
	if got.ID != it.ID || got.Amount != it.Amount || got.Status != it.Status || got.Version != 1 || got.Method.Type != payment.MethodCOD {
		t.Fatalf("read back = %+v", got)
	}
	if !got.CreatedAt.Equal(it.CreatedAt.Truncate(time.Microsecond)) {
		t.Fatalf("created_at = %v, want %v", got.CreatedAt, it.CreatedAt)
	}
	byKey := must(s.IntentByKey(bg, "c1", "k1"))(t)
	if byKey.ID != it.ID {
		t.Fatal("by key found another intent")
	}
	_, err = s.GetIntent(bg, ids.New())
	wantErr(t, err, payment.ErrIntentNotFound)
	_, err = s.IntentByKey(bg, "c3", "k1")
	wantErr(t, err, payment.ErrIntentNotFound)
	if ts := must(s.Transitions(bg, it.ID))(t); len(ts) != 1 || ts[0].Reason != "create" {
		t.Fatalf("transitions = %+v", ts)
	}
}

func testStoreUpdate(t *testing.T, s payment.Store, db *sqldb.DB) {
	it := created(t, s, "c1", "k")
	unchanged := must(s.UpdateIntent(bg, it.ID, func(it *payment.Intent, m *payment.Mutation) error { return payment.ErrNoChange }))(t)
	if unchanged.Version != 1 {
		t.Fatalf("no change bumped the version to %d", unchanged.Version)
	}
	boom := errors.New("boom")
	_, err := s.UpdateIntent(bg, it.ID, func(it *payment.Intent, m *payment.Mutation) error {
		it.Status = payment.StatusFailed
		m.Transitions = append(m.Transitions, payment.IntentTransition{Seq: 2, From: payment.StatusRequiresConfirmation, To: payment.StatusFailed, At: time.Now()})
		return boom
	})
	if !errors.Is(err, boom) {
		t.Fatalf("err = %v", err)
	}
	if got := must(s.GetIntent(bg, it.ID))(t); got.Status != payment.StatusRequiresConfirmation {
		t.Fatal("a failed update was written")
	}
	ev, _ := bus.NewEvent(payment.EventCaptured, map[string]string{"x": "y"})
	after := must(s.UpdateIntent(bg, it.ID, func(it *payment.Intent, m *payment.Mutation) error {
		it.Status, it.ProviderRef, it.NeedsCheck = payment.StatusCaptured, "ref_1", true
		it.AmountCaptured.Amount = 10000
		it.NextAction = &payment.NextAction{Type: "redirect", URL: "https://x"}
		m.Transitions = append(m.Transitions, payment.IntentTransition{Seq: 2, From: payment.StatusRequiresConfirmation, To: payment.StatusCaptured, Amount: 10000, At: time.Now()})
		m.Ledger = append(m.Ledger,
			payment.LedgerLine{EntryID: "e1", IntentID: it.ID, Kind: "capture", Account: "a", Currency: "INR", Amount: 10000, CreatedAt: time.Now()},
			payment.LedgerLine{EntryID: "e1", IntentID: it.ID, Kind: "capture", Account: payment.AccountRevenue, Currency: "INR", Amount: -10000, CreatedAt: time.Now()})
		m.Events = append(m.Events, payment.Outgoing{Subject: payment.EventCaptured, Event: ev})
		return nil
	}))(t)
	got := must(s.GetIntent(bg, it.ID))(t)
	if got.Version != 2 || after.Version != 2 || got.Status != payment.StatusCaptured || got.ProviderRef != "ref_1" || !got.NeedsCheck ||
		got.NextAction == nil || got.NextAction.URL != "https://x" || got.AmountCaptured.Amount != 10000 {
		t.Fatalf("after update = %+v", got)
	}
	if ls := must(s.LedgerLines(bg, it.ID))(t); len(ls) != 2 || ls[0].Amount+ls[1].Amount != 0 {
		t.Fatalf("ledger lines = %+v", ls)
	}
	if ts := must(s.Transitions(bg, it.ID))(t); len(ts) != 2 || ts[1].Amount != 10000 {
		t.Fatalf("transitions = %+v", ts)
	}
	var n int
	if err := db.QueryRowContext(bg, `SELECT count(*) FROM outbox WHERE msg_id = $1`, ev.ID).Scan(&n); err != nil || n != 1 {
		t.Fatalf("outbox rows = %d, %v", n, err)
	}
	r := must(s.Ledger(bg))(t)
	if len(r.UnbalancedEntries) != 0 || len(r.MismatchedIntents) != 0 {
		t.Fatalf("ledger = %+v", r)
	}
	_, err = s.UpdateIntent(bg, ids.New(), func(*payment.Intent, *payment.Mutation) error { return nil })
	wantErr(t, err, payment.ErrIntentNotFound)
}

// UpdateIntentFrom writes from a copy of the intent when nothing was
// written since the copy, and otherwise runs fn again on the stored
// intent: a copy's write never lands over a newer intent, and neither its
// events nor its history rows are left behind.
func testStoreUpdateFrom(t *testing.T, s payment.Store, db *sqldb.DB) {
	it := created(t, s, "c1", "k")
	runs := 0
	bump := func(it *payment.Intent, m *payment.Mutation) error {
		runs++
		it.Attempts++
		it.Seq = it.Attempts + 1 // after the create's transition
		m.Transitions = append(m.Transitions, payment.IntentTransition{Seq: it.Seq, From: it.Status, To: it.Status, Reason: "bump", Amount: int64(it.Attempts), At: time.Now()})
		m.Ledger = append(m.Ledger,
			payment.LedgerLine{EntryID: ids.New(), IntentID: it.ID, Kind: "capture", Account: "a", Currency: "INR", Amount: 1, CreatedAt: time.Now()},
			payment.LedgerLine{EntryID: "x", IntentID: it.ID, Kind: "capture", Account: "b", Currency: "INR", Amount: -1, CreatedAt: time.Now()})
		ev, err := bus.NewEvent(payment.EventAuthorized, map[string]int{"attempts": it.Attempts})
		m.Events = append(m.Events, payment.Outgoing{Subject: payment.EventAuthorized, Event: ev})
		return err
	}
	fresh := must(s.UpdateIntentFrom(bg, it, bump))(t)
	if runs != 1 || fresh.Version != 2 || fresh.Attempts != 1 {
		t.Fatalf("from a fresh copy: runs = %d, version = %d, attempts = %d", runs, fresh.Version, fresh.Attempts)
	}
	runs = 0
	stale := must(s.UpdateIntentFrom(bg, it, bump))(t) // it is version 1; the store has 2
	if runs != 2 || stale.Version != 3 || stale.Attempts != 2 {
		t.Fatalf("from a stale copy: runs = %d, version = %d, attempts = %d", runs, stale.Version, stale.Attempts)
	}
	if got := must(s.GetIntent(bg, it.ID))(t); got.Version != 3 || got.Attempts != 2 || got.Seq != 3 {
		t.Fatalf("stored = version %d, attempts %d, seq %d", got.Version, got.Attempts, got.Seq)
	}
	ts := must(s.Transitions(bg, it.ID))(t)
	if len(ts) != 3 || ts[1].Amount != 1 || ts[2].Amount != 2 {
		t.Fatalf("transitions = %+v", ts)
	}
	if ls := must(s.LedgerLines(bg, it.ID))(t); len(ls) != 4 {
		t.Fatalf("ledger lines = %d, want 4", len(ls))
	}
	var n int
	if err := db.QueryRowContext(bg, `SELECT count(*) FROM outbox`).Scan(&n); err != nil || n != 2 {
		t.Fatalf("outbox rows = %d, %v", n, err)
	}

	// A copy's refusal is asked again of the stored intent.
	var saw []int
	got := must(s.UpdateIntentFrom(bg, fresh, func(it *payment.Intent, m *payment.Mutation) error {
		saw = append(saw, it.Attempts)
		if it.Attempts < 2 {
			return payment.ErrIllegalTransition
		}
		return payment.ErrNoChange
	}))(t)
	if len(saw) != 2 || saw[1] != 2 || got.Version != 3 {
		t.Fatalf("refusal: saw %v, version %d", saw, got.Version)
	}
	// A change of the intent alone, from a stale copy.
	got = must(s.UpdateIntentFrom(bg, fresh, func(it *payment.Intent, m *payment.Mutation) error {
		it.CaptureRequested = int64(it.Attempts)
		return nil
	}))(t)
	if got.Version != 4 || got.CaptureRequested != 2 {
		t.Fatalf("intent-only change: version %d, capture requested %d", got.Version, got.CaptureRequested)
	}
	_, err := s.UpdateIntentFrom(bg, *newIntent("c1", "k2", time.Now()), func(*payment.Intent, *payment.Mutation) error { return nil })
	wantErr(t, err, payment.ErrIntentNotFound)
}

func testStoreConcurrent(t *testing.T, s payment.Store, _ *sqldb.DB) {
	it := created(t, s, "c1", "k")
	var wg sync.WaitGroup
	for i := 0; i < 16; i++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			_, err := s.UpdateIntent(bg, it.ID, func(it *payment.Intent, m *payment.Mutation) error {
				it.Attempts++
				return nil
			})
			if err != nil {
				t.Error(err)
			}
		}()
	}
	wg.Wait()
	if got := must(s.GetIntent(bg, it.ID))(t); got.Attempts != 16 || got.Version != 17 {
		t.Fatalf("attempts = %d, version = %d; updates were lost", got.Attempts, got.Version)
	}
}

// Many creates and updates from known copies at once, as the order workers
// make them (on PostgreSQL they are written in batches): copies still
// current are written as they are; stale ones (another write came first)
// are run again on the stored intent; two writers of one intent from the
// same copy all land, one after another; each write's history, ledger
// lines and events are written with it and only with it.
func testStoreManyAtOnce(t *testing.T, s payment.Store, db *sqldb.DB) {
	const n = 40
	its := make([]payment.Intent, n)
	var wg sync.WaitGroup
	for i := range its {
		wg.Add(1)
		go func() {
			defer wg.Done()
			its[i] = created(t, s, "c1", fmt.Sprint("k", i))
		}()
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	// Every third intent is changed behind its copy's back.
	for i := 0; i < n; i += 3 {
		must(s.UpdateIntent(bg, its[i].ID, func(it *payment.Intent, m *payment.Mutation) error {
			it.FailureMessage = "bumped"
			return nil
		}))(t)
	}
	bump := func(it *payment.Intent, m *payment.Mutation) error {
		it.Attempts++
		it.Seq = it.Attempts + 1 // after the create's transition
		m.Transitions = append(m.Transitions, payment.IntentTransition{Seq: it.Seq, From: it.Status, To: it.Status, Reason: "bump", Amount: int64(it.Attempts), At: time.Now()})
		m.Ledger = append(m.Ledger,
			payment.LedgerLine{EntryID: ids.New(), IntentID: it.ID, Kind: "capture", Account: "a", Currency: "INR", Amount: 1, CreatedAt: time.Now()},
			payment.LedgerLine{EntryID: ids.New(), IntentID: it.ID, Kind: "capture", Account: "b", Currency: "INR", Amount: -1, CreatedAt: time.Now()})
		ev, err := bus.NewEvent(payment.EventAuthorized, map[string]int{"attempts": it.Attempts})
		m.Events = append(m.Events, payment.Outgoing{Subject: payment.EventAuthorized, Event: ev})
		return err
	}
	// Every fourth intent has four writers: one as above, three changing the
	// intent alone (a capture request, say).
	writers := func(i int) int { return 1 + 3*btoi(i%4 == 1) }
	plain := func(it *payment.Intent, m *payment.Mutation) error {
		it.Attempts++
		return nil
	}
	for i := range its {
		for k := range writers(i) {
			wg.Add(1)
			go func() {
				defer wg.Done()
				fn := bump
				if k > 0 {
					fn = plain
				}
				got, err := s.UpdateIntentFrom(bg, its[i], fn)
				if err != nil {
					t.Errorf("intent %d: %v", i, err)
					return
				}
				if bumped := i%3 == 0; (got.FailureMessage == "bumped") != bumped {
					t.Errorf("intent %d: returned %q; bumped behind the copy: %v", i, got.FailureMessage, bumped)
				}
			}()
		}
	}
	wg.Wait()
	for i, it := range its {
		w := writers(i)
		got := must(s.GetIntent(bg, it.ID))(t)
		bumped := btoi(i%3 == 0)
		if got.Attempts != w || got.Version != 1+bumped+w || (got.FailureMessage == "bumped") != (bumped == 1) {
			t.Errorf("intent %d: attempts %d, version %d, failure %q; want %d writes after %d bumps", i, got.Attempts, got.Version, got.FailureMessage, w, bumped)
		}
		if ts := must(s.Transitions(bg, it.ID))(t); len(ts) != 2 {
			t.Errorf("intent %d: %d transitions, want 2", i, len(ts))
		}
		if ls := must(s.LedgerLines(bg, it.ID))(t); len(ls) != 2 {
			t.Errorf("intent %d: %d ledger lines, want 2", i, len(ls))
		}
	}
	var events int
	if err := db.QueryRowContext(bg, `SELECT count(*) FROM outbox`).Scan(&events); err != nil || events != n {
		t.Fatalf("outbox rows = %d, want %d (%v)", events, n, err)
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

// The database refuses impossible money whatever the code does.
func testStoreConstraints(t *testing.T, s payment.Store, _ *sqldb.DB) {
	it := created(t, s, "c1", "k")
	for name, fn := range map[string]func(it *payment.Intent){
		"refund beyond capture": func(it *payment.Intent) { it.AmountCaptured.Amount, it.AmountRefunded.Amount = 100, 101 },
		"pending beyond capture": func(it *payment.Intent) {
			it.AmountCaptured.Amount, it.AmountRefunded.Amount, it.RefundPending = 100, 50, 51
		},
		"capture beyond amount": func(it *payment.Intent) { it.AmountCaptured.Amount = 10001 },
	} {
		_, err := s.UpdateIntent(bg, it.ID, func(it *payment.Intent, m *payment.Mutation) error { fn(it); return nil })
		if errs.KindOf(err) != errs.KindConflict {
			t.Errorf("%s: %v", name, err)
		}
	}
}

func testStoreLedgerAppendOnly(t *testing.T, s payment.Store, db *sqldb.DB) {
	it := created(t, s, "c1", "k")
	must(s.UpdateIntent(bg, it.ID, func(it *payment.Intent, m *payment.Mutation) error {
		m.Ledger = append(m.Ledger, payment.LedgerLine{EntryID: "e", IntentID: it.ID, Kind: "capture", Account: "a", Currency: "INR", Amount: 5, CreatedAt: time.Now()})
		return nil
	}))(t)
	if _, err := db.ExecContext(bg, `UPDATE ledger_lines SET amount = 6`); err == nil {
		t.Error("a ledger line was updated")
	}
	if _, err := db.ExecContext(bg, `DELETE FROM ledger_lines`); err == nil {
		t.Error("a ledger line was deleted")
	}
	r := must(s.Ledger(bg))(t)
	if len(r.UnbalancedEntries) != 1 || len(r.MismatchedIntents) != 0 {
		t.Fatalf("a one-sided entry went unnoticed: %+v", r)
	}
}

func testStoreWebhooks(t *testing.T, s payment.Store, _ *sqldb.DB) {
	it := created(t, s, "c1", "k")
	rec := payment.WebhookRecord{Provider: "sandbox", EventID: "evt_1", Type: "payment.updated", IntentID: it.ID, ReceivedAt: time.Now()}
	apply := func() error {
		_, err := s.UpdateIntent(bg, it.ID, func(it *payment.Intent, m *payment.Mutation) error {
			it.Attempts++
			m.Webhook = &rec
			return nil
		})
		return err
	}
	if err := apply(); err != nil {
		t.Fatal(err)
	}
	wantErr(t, apply(), payment.ErrWebhookSeen)
	if got := must(s.GetIntent(bg, it.ID))(t); got.Attempts != 1 {
		t.Fatalf("a duplicate webhook was applied: attempts = %d", got.Attempts)
	}
	if seen := must(s.RecordWebhook(bg, rec))(t); !seen {
		t.Fatal("a processed event is not seen")
	}
	other := rec
	other.EventID = "evt_2"
	if seen := must(s.RecordWebhook(bg, other))(t); seen {
		t.Fatal("a new event is seen")
	}
	if n := must(s.PruneWebhooks(bg, time.Now().Add(time.Minute)))(t); n != 2 {
		t.Fatalf("pruned %d", n)
	}
	if seen := must(s.RecordWebhook(bg, other))(t); seen {
		t.Fatal("a pruned event is still seen")
	}
}

func testStoreRefunds(t *testing.T, s payment.Store, _ *sqldb.DB) {
	it := created(t, s, "c1", "k")
	now := time.Now().UTC()
	r := payment.Refund{ID: ids.New(), IntentID: it.ID, Key: "rk", Amount: money.MustNew(100, "INR"), Status: payment.RefundPending, CreatedAt: now, UpdatedAt: now}
	must(s.UpdateIntent(bg, it.ID, func(it *payment.Intent, m *payment.Mutation) error {
		it.AmountCaptured.Amount, it.RefundPending = 1000, 100
		m.Refunds = append(m.Refunds, r)
		return nil
	}))(t)
	dup := r
	dup.ID = ids.New()
	_, err := s.UpdateIntent(bg, it.ID, func(it *payment.Intent, m *payment.Mutation) error {
		m.Refunds = append(m.Refunds, dup)
		return nil
	})
	if errs.KindOf(err) != errs.KindConflict {
		t.Fatalf("duplicate refund key: %v", err)
	}
	gotIt, gotR, err := s.UpdateRefund(bg, r.ID, func(it *payment.Intent, r *payment.Refund, m *payment.Mutation) error {
		r.Status, r.ProviderRef = payment.RefundSucceeded, "re_1"
		it.RefundPending, it.AmountRefunded.Amount = 0, 100
		m.Refunds = append(m.Refunds, *r)
		return nil
	})
	if err != nil || gotR.Status != payment.RefundSucceeded || gotIt.AmountRefunded.Amount != 100 {
		t.Fatalf("update refund = %+v %+v %v", gotIt, gotR, err)
	}
	rs := must(s.ListRefunds(bg, it.ID))(t)
	if len(rs) != 1 || rs[0].Status != payment.RefundSucceeded || rs[0].ProviderRef != "re_1" || rs[0].Key != "rk" {
		t.Fatalf("refunds = %+v", rs)
	}
	_, _, err = s.UpdateRefund(bg, ids.New(), func(*payment.Intent, *payment.Refund, *payment.Mutation) error { return nil })
	wantErr(t, err, payment.ErrRefundNotFound)
}

func testStoreToReconcile(t *testing.T, s payment.Store, _ *sqldb.DB) {
	old := time.Now().Add(-time.Hour).UTC()
	mk := func(fn func(it *payment.Intent), at time.Time) string {
		it := newIntent("c", ids.New(), at)
		fn(it)
		if err := s.CreateIntent(bg, it, &payment.Mutation{}); err != nil {
			t.Fatal(err)
		}
		return it.ID
	}
	want := map[string]bool{
		mk(func(it *payment.Intent) { it.Status = payment.StatusProcessing }, old):                         true,
		mk(func(it *payment.Intent) { it.Status = payment.StatusRequiresAction }, old):                     true,
		mk(func(it *payment.Intent) { it.Status, it.NeedsCheck = payment.StatusFailed, true }, old):        true,
		mk(func(it *payment.Intent) { it.Status, it.CaptureRequested = payment.StatusAuthorized, 5 }, old): true,
		mk(func(it *payment.Intent) {
			it.Status, it.AmountCaptured.Amount, it.RefundPending = payment.StatusCaptured, 10, 5
		}, old): true,
		mk(func(it *payment.Intent) {
			it.Status, it.CaptureMethod = payment.StatusAuthorized, payment.CaptureAutomatic
		}, old): true,
	}
	mk(func(it *payment.Intent) { it.Status = payment.StatusProcessing }, time.Now().UTC()) // too recent
	mk(func(it *payment.Intent) { it.Status = payment.StatusAuthorized }, old)              // settled
	mk(func(it *payment.Intent) { it.Status = payment.StatusFailed }, old)
	mk(func(it *payment.Intent) { it.Status = payment.StatusRequiresConfirmation }, old)
	got := must(s.ToReconcile(bg, time.Now().Add(-time.Minute), 100))(t)
	if len(got) != len(want) {
		t.Fatalf("to reconcile: %d intents, want %d", len(got), len(want))
	}
	for _, it := range got {
		if !want[it.ID] {
			t.Fatalf("unexpected intent %s (%s)", it.ID, it.Status)
		}
	}
	if got := must(s.ToReconcile(bg, time.Now(), 2))(t); len(got) != 2 {
		t.Fatalf("limit ignored: %d", len(got))
	}
}

func testStoreMethods(t *testing.T, s payment.Store, _ *sqldb.DB) {
	now := time.Now().UTC().Truncate(time.Microsecond)
	exp := now.Add(time.Hour)
	card := payment.StoredMethod{
		Method: payment.Method{ID: ids.New(), CustomerID: "c1", Type: payment.MethodCard, Saved: true, CreatedAt: now,
			Card: &payment.CardDetails{Brand: "visa", Last4: "4242", ExpMonth: 12, ExpYear: 2031}},
		Fingerprint: "fp1", Sealed: []byte{1, 2, 3}, ProviderTokens: map[string]string{"stripe": "pm_1"},
	}
	once := payment.StoredMethod{Method: payment.Method{ID: ids.New(), CustomerID: "c1", Type: payment.MethodUPI, CreatedAt: now, ExpiresAt: &exp,
		UPI: &payment.UPIDetails{VPA: "a@upi"}}}
	for _, m := range []payment.StoredMethod{card, once} {
		if err := s.CreateMethod(bg, m); err != nil {
			t.Fatal(err)
		}
	}
	got := must(s.GetMethod(bg, card.ID))(t)
	if got.Card.Last4 != "4242" || string(got.Sealed) != "\x01\x02\x03" || got.ProviderTokens["stripe"] != "pm_1" || !got.Saved || !got.CreatedAt.Equal(now) {
		t.Fatalf("card = %+v", got)
	}
	if got := must(s.GetMethod(bg, once.ID))(t); got.UPI.VPA != "a@upi" || got.ExpiresAt == nil || !got.ExpiresAt.Equal(exp) || got.Sealed != nil {
		t.Fatalf("upi = %+v", got)
	}
	if ms := must(s.ListMethods(bg, "c1"))(t); len(ms) != 1 || ms[0].ID != card.ID {
		t.Fatalf("saved = %+v", ms)
	}
	if m := must(s.SavedMethodByFingerprint(bg, "c1", "fp1"))(t); m.ID != card.ID {
		t.Fatal("fingerprint lookup found another method")
	}
	if err := s.SetProviderToken(bg, card.ID, "razorpay", "tok_2"); err != nil {
		t.Fatal(err)
	}
	if got := must(s.GetMethod(bg, card.ID))(t); got.ProviderTokens["razorpay"] != "tok_2" || got.ProviderTokens["stripe"] != "pm_1" {
		t.Fatalf("tokens = %v", got.ProviderTokens)
	}
	if err := s.DeleteMethod(bg, card.ID); err != nil {
		t.Fatal(err)
	}
	wantErr(t, s.DeleteMethod(bg, card.ID), payment.ErrMethodNotFound)
	got = must(s.GetMethod(bg, card.ID))(t)
	if got.DeletedAt == nil || got.Sealed != nil || len(got.ProviderTokens) != 0 {
		t.Fatalf("deleted = %+v", got)
	}
	_, err := s.SavedMethodByFingerprint(bg, "c1", "fp1")
	wantErr(t, err, payment.ErrMethodNotFound)
	oneTime := payment.StoredMethod{Method: payment.Method{ID: ids.New(), Type: payment.MethodCard, CreatedAt: now.Add(-48 * time.Hour),
		Card: &payment.CardDetails{Brand: "visa", Last4: "4242"}}, Sealed: []byte{9}}
	if err := s.CreateMethod(bg, oneTime); err != nil {
		t.Fatal(err)
	}
	if n := must(s.PurgeUnsaved(bg, now.Add(-24*time.Hour)))(t); n != 1 {
		t.Fatalf("purged %d one-time cards, want 1 (the saved and the recent ones stay)", n)
	}
	if got := must(s.GetMethod(bg, oneTime.ID))(t); got.Sealed != nil || got.DeletedAt == nil {
		t.Fatalf("purged = %+v", got)
	}
	if got := must(s.GetMethod(bg, once.ID))(t); got.DeletedAt != nil {
		t.Fatal("a recent one-time method was purged")
	}
	_, err = s.GetMethod(bg, ids.New())
	wantErr(t, err, payment.ErrMethodNotFound)
}
