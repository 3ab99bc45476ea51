package identity_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/identity/identitydb"
	"github.com/bazaarshop/bazaar/internal/identity/identitytest"
	"github.com/bazaarshop/bazaar/internal/platform/money"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// TestConsumedBatch: a batch of consumed events (a repeat among them, and
// a buyer whose second order pairs with the first one of the same batch)
// leaves the counts, pairs, behaviour and purchase history that recording
// them one by one leaves; and an event that fails in a batch fails alone.
func TestConsumedBatch(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, first *sqldb.DB) {
		ctx := context.Background()
		at := time.Now().UTC().Truncate(time.Millisecond)
		paid := func(order, user, device string, products ...string) *identity.OrderPaid {
			o := &identity.OrderPaid{OrderID: order, UserID: user, DeviceID: device, PaidAt: at, Total: money.MustNew(1000, "INR")}
			for _, p := range products {
				o.Items = append(o.Items, identity.OrderItem{ProductID: p, SKU: p + "-M", Category: "kurtas", Quantity: 1, Price: money.MustNew(1000, "INR")})
			}
			return o
		}
		const device = "device-aaa-111"
		mail := func(order, to string) *identity.OrderMail {
			return &identity.OrderMail{OrderID: order, Number: "N-" + order, Email: to, Total: money.MustNew(1000, "INR")}
		}
		events := func(user string) []identity.ConsumedForTest {
			return []identity.ConsumedForTest{
				{ID: "e1", Paid: paid("o1", user, "", "p1", "p2")},
				{ID: "e2", Cart: &identity.CartItemAdded{CartID: "c1", DeviceID: device, ProductID: "p1", Category: "kurtas", Quantity: 2, At: at}},
				{ID: "e3", Paid: paid("o2", user, "", "p3")},
				{ID: "e1", Paid: paid("o1", user, "", "p1", "p2")},
				{ID: "e4", Paid: paid("o3", "", device, "p1", "p4")},
				{ID: "e5", Cart: &identity.CartItemAdded{CartID: "c2", DeviceID: device, ProductID: "bad/id", Quantity: 1, At: at}},
				{ID: "e1", Mail: mail("o1", "a@example.com")},
				{ID: "e3", Mail: mail("o2", "b@example.com")},
				{ID: "e1", Mail: mail("o1", "a@example.com")},
			}
		}
		type outcome struct {
			stats     map[string]identity.ProductStat
			pairs     []identity.Pair
			byUser    []identity.Event
			byDevice  []identity.Event
			purchases []string
			mails     []string
		}
		read := func(db *sqldb.DB, user string) outcome {
			s := identitydb.New(db)
			var o outcome
			var err error
			if o.stats, err = s.Stats(ctx, []string{"p1", "p2", "p3", "p4"}); err != nil {
				t.Fatal(err)
			}
			if o.pairs, err = s.Related(ctx, identity.EventPurchase, []string{"p1", "p2", "p3", "p4"}, 50); err != nil {
				t.Fatal(err)
			}
			if o.byUser, err = s.RecentEvents(ctx, "u:"+user, 50); err != nil {
				t.Fatal(err)
			}
			if o.byDevice, err = s.RecentEvents(ctx, "d:"+device, 50); err != nil {
				t.Fatal(err)
			}
			ps, err := s.Purchases(ctx, user, 50)
			if err != nil {
				t.Fatal(err)
			}
			for _, p := range ps {
				o.purchases = append(o.purchases, p.OrderID)
			}
			slices.Sort(o.purchases)
			due, err := s.DueMail(ctx, at.Add(time.Hour), at.Add(2*time.Hour), 50)
			if err != nil {
				t.Fatal(err)
			}
			for _, m := range due {
				o.mails = append(o.mails, m.To+": "+m.Subject)
			}
			slices.Sort(o.mails)
			return o
		}
		dbs := []*sqldb.DB{first, sqldbtest.Open(t, first.Dialect())}
		newCore := func() (*identity.Core, *sqldb.DB, string) {
			db := dbs[0]
			dbs = dbs[1:]
			core := identitytest.NewCore(t, db, identitytest.Options(identitytest.NewClock()))
			u, err := core.CreateAdmin(ctx, "buyer@example.com", identitytest.Password)
			if err != nil {
				t.Fatal(err)
			}
			return core, db, u.ID
		}

		batched, bdb, buser := newCore()
		for i, err := range batched.RecordBatchForTest(ctx, events(buser)) {
			if err != nil {
				t.Fatalf("event %d: %v", i, err)
			}
		}
		single, sdb, suser := newCore()
		for _, e := range events(suser) {
			var err error
			switch {
			case e.Mail != nil:
				err = single.HandleOrderMailForTest(ctx, e.ID, *e.Mail)
			case e.Paid != nil:
				err = single.HandleOrderPaid(ctx, e.ID, *e.Paid)
			default:
				err = single.HandleCartItemAdded(ctx, e.ID, *e.Cart)
			}
			if err != nil {
				t.Fatal(err)
			}
		}
		got, want := read(bdb, buser), read(sdb, suser)
		if s := fmt.Sprint(got.stats); s != fmt.Sprint(want.stats) {
			t.Errorf("stats\n got %s\nwant %v", s, want.stats)
		}
		if want.stats["p1"].Purchases != 2 || want.stats["p1"].Carts != 2 || len(want.mails) != 2 {
			t.Errorf("the reference itself is off: %+v, mails %v", want.stats["p1"], want.mails)
		}
		for _, c := range []struct {
			name      string
			got, want any
		}{
			{"pairs", got.pairs, want.pairs},
			{"user's behaviour", kinds(got.byUser), kinds(want.byUser)},
			{"device's behaviour", kinds(got.byDevice), kinds(want.byDevice)},
			{"purchases", got.purchases, want.purchases},
			{"mails", got.mails, want.mails},
		} {
			if fmt.Sprint(c.got) != fmt.Sprint(c.want) {
				t.Errorf("%s\n got %v\nwant %v", c.name, c.got, c.want)
			}
		}

		// One failure in a batch: the others are recorded, on their own.
		boom := errors.New("boom")
		errs := batched.RecordBatchForTest(ctx, []identity.ConsumedForTest{
			{ID: "e6", Paid: paid("o4", buser, "", "p4")},
			{ID: "e7", Fail: boom},
			{ID: "e8", Cart: &identity.CartItemAdded{CartID: "c3", DeviceID: device, ProductID: "p4", Quantity: 1, At: at}},
		})
		if errs[0] != nil || !errors.Is(errs[1], boom) || errs[2] != nil {
			t.Fatalf("outcomes %v, want nil, boom, nil", errs)
		}
		st, err := identitydb.New(bdb).Stats(ctx, []string{"p4"})
		if err != nil {
			t.Fatal(err)
		}
		if st["p4"].Purchases != 2 || st["p4"].Carts != 1 {
			t.Fatalf("p4 after the failed batch: %+v", st["p4"])
		}
		if first, err := identitydb.New(bdb).MarkProcessed(ctx, "e7", at); err != nil || !first {
			t.Fatalf("the failed event was marked processed (%v, %v)", first, err)
		}
	})
}

func kinds(evs []identity.Event) []string {
	out := make([]string, len(evs))
	for i, e := range evs {
		out[i] = string(e.Kind) + ":" + e.ProductID
	}
	return out
}
