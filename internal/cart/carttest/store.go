package carttest

import (
	"context"
	"errors"
	"reflect"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/cart"
	"github.com/bazaarshop/bazaar/internal/cart/pricing"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// StoreSuite checks a cart.Store: newStore returns a fresh, migrated one.
func StoreSuite(t *testing.T, newStore func(t *testing.T) cart.Store) {
	cases := []struct {
		name string
		fn   func(t *testing.T, s cart.Store)
	}{
		{"carts round trip", testStoreCarts},
		{"an active cart is closed in place", testStoreCloseCart},
		{"one active cart per member", testStoreMemberUnique},
		{"promotions", testStorePromotions},
		{"use counts stop at the limit under concurrency", testStoreUseLimit},
		{"purchase limits and redemptions", testStoreRedemptions},
		{"expired carts are deleted", testStoreExpiry},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) { c.fn(t, newStore(t)) })
	}
}

var at = time.Date(2026, 3, 2, 4, 30, 0, 123_000_000, time.UTC)

func record(user string) cart.Record {
	r := cart.Record{ID: ids.New(), UserID: user, Status: cart.StatusActive, Currency: "INR", Version: 1,
		Lines: []cart.StoredLine{}, Codes: []string{}, CreatedAt: at, UpdatedAt: at}
	if user == "" {
		exp := at.Add(30 * 24 * time.Hour)
		r.TokenHash, r.DeviceID, r.ExpiresAt = "ab12", "device-1234", &exp
	}
	return r
}

func tx(t *testing.T, s cart.Store, fn func(tx cart.Tx) error) {
	t.Helper()
	if err := s.InTx(context.Background(), fn); err != nil {
		t.Fatal(err)
	}
}

func testStoreCarts(t *testing.T, s cart.Store) {
	ctx := context.Background()
	r := record("")
	r.Lines = []cart.StoredLine{{ID: ids.New(), SKU: Kurta, Quantity: 2, Price: money.MustNew(1299_00, "INR"), AddedAt: at}}
	r.Codes = []string{"FEST10"}
	r.Address = &cart.Address{Name: "Asha", State: "Maharashtra", PostalCode: "400001", Country: "IN"}
	tx(t, s, func(tx cart.Tx) error { return tx.InsertCart(ctx, r) })
	got, err := s.Cart(ctx, r.ID)
	if err != nil {
		t.Fatal(err)
	}
	if !reflect.DeepEqual(got, r) {
		t.Fatalf("read back\n%+v\nwant\n%+v", got, r)
	}
	_, err = s.Cart(ctx, ids.New())
	is(t, err, cart.ErrCartNotFound)

	r.Lines[0].Quantity, r.Status, r.ClosedRef, r.Version = 3, cart.StatusOrdered, "order-1", 2
	r.Address = nil
	tx(t, s, func(tx cart.Tx) error {
		locked, err := tx.Cart(ctx, r.ID)
		if err != nil || locked.Version != 1 {
			t.Fatalf("locked read: %+v %v", locked, err)
		}
		return tx.UpdateCart(ctx, r)
	})
	if got, _ := s.Cart(ctx, r.ID); !reflect.DeepEqual(got, r) {
		t.Fatalf("after update\n%+v\nwant\n%+v", got, r)
	}
	err = s.InTx(ctx, func(tx cart.Tx) error { return tx.UpdateCart(ctx, record("")) })
	is(t, err, cart.ErrCartNotFound)

	// An error inside the transaction rolls its writes back.
	boom := errors.New("boom")
	r2 := record("")
	if err := s.InTx(ctx, func(tx cart.Tx) error {
		if err := tx.InsertCart(ctx, r2); err != nil {
			return err
		}
		if err := tx.Emit(ctx, cart.SubjectItemAdded, cart.ItemAdded{CartID: r2.ID}); err != nil {
			return err
		}
		return boom
	}); !errors.Is(err, boom) {
		t.Fatal(err)
	}
	_, err = s.Cart(ctx, r2.ID)
	is(t, err, cart.ErrCartNotFound)
}

func testStoreCloseCart(t *testing.T, s cart.Store) {
	ctx := context.Background()
	guest, member := record(""), record(user1)
	tx(t, s, func(tx cart.Tx) error { return tx.InsertCart(ctx, guest) })
	tx(t, s, func(tx cart.Tx) error { return tx.InsertCart(ctx, member) })
	later, expiry := at.Add(time.Minute), at.Add(48*time.Hour)
	for _, r := range []cart.Record{guest, member} {
		want := r
		want.Status, want.ClosedRef, want.Version, want.UpdatedAt = cart.StatusOrdered, "order-"+r.ID, 2, later
		if r.UserID == "" {
			want.ExpiresAt = &expiry
		}
		tx(t, s, func(tx cart.Tx) error {
			got, ok, err := tx.CloseCart(ctx, r.ID, "order-"+r.ID, later, expiry)
			if err != nil || !ok || !reflect.DeepEqual(got, want) {
				t.Fatalf("closed %v %v\n%+v\nwant\n%+v", ok, err, got, want)
			}
			return nil
		})
		if got, _ := s.Cart(ctx, r.ID); !reflect.DeepEqual(got, want) {
			t.Fatalf("stored\n%+v\nwant\n%+v", got, want)
		}
		tx(t, s, func(tx cart.Tx) error {
			if _, ok, err := tx.CloseCart(ctx, r.ID, "order-2", later, expiry); ok || err != nil {
				t.Fatalf("closed twice: %v %v", ok, err)
			}
			return nil
		})
	}
	tx(t, s, func(tx cart.Tx) error {
		if _, ok, err := tx.CloseCart(ctx, ids.New(), "order-3", later, expiry); ok || err != nil {
			t.Fatalf("unknown cart closed: %v %v", ok, err)
		}
		return nil
	})
}

func testStoreMemberUnique(t *testing.T, s cart.Store) {
	ctx := context.Background()
	a := record(user1)
	tx(t, s, func(tx cart.Tx) error { return tx.InsertCart(ctx, a) })
	got, err := s.UserCart(ctx, user1)
	if err != nil || got.ID != a.ID || got.ExpiresAt != nil || got.TokenHash != "" {
		t.Fatalf("user cart %+v %v", got, err)
	}
	err = s.InTx(ctx, func(tx cart.Tx) error { return tx.InsertCart(ctx, record(user1)) })
	if errs.KindOf(err) != errs.KindConflict {
		t.Fatalf("a second active cart: %v", err)
	}
	_, err = s.UserCart(ctx, user2)
	is(t, err, cart.ErrCartNotFound)

	// Once ordered, the member may open another.
	a.Status, a.Version = cart.StatusOrdered, 2
	b := record(user1)
	tx(t, s, func(tx cart.Tx) error {
		if err := tx.UpdateCart(ctx, a); err != nil {
			return err
		}
		return tx.InsertCart(ctx, b)
	})
	if got, _ := s.UserCart(ctx, user1); got.ID != b.ID {
		t.Fatalf("active cart %s, want %s", got.ID, b.ID)
	}
}

func newPromotion(code string, r pricing.Rule) cart.Promotion {
	r.Code, r.Enabled = code, true
	if r.Name == "" {
		r.Name = "promo " + code
	}
	if r.Kind == "" {
		r.Kind, r.PercentBP = pricing.KindPercentage, 1000
	}
	if err := r.Normalize("INR"); err != nil {
		panic(err)
	}
	return cart.Promotion{ID: ids.New(), Rule: r, Version: 1, CreatedAt: at, UpdatedAt: at}
}

func testStorePromotions(t *testing.T, s cart.Store) {
	ctx := context.Background()
	a := newPromotion("AAA", pricing.Rule{Target: pricing.Target{Brands: []string{"Biba"}}, MinSubtotal: ptr(inr(100_00))})
	b := newPromotion("", pricing.Rule{Kind: pricing.KindFreeShipping})
	ended := newPromotion("ENDED", pricing.Rule{EndsAt: ptr(at)})
	off := newPromotion("OFF", pricing.Rule{})
	off.Enabled = false
	for _, p := range []cart.Promotion{a, b, ended, off} {
		tx(t, s, func(tx cart.Tx) error { return tx.InsertPromotion(ctx, p) })
	}
	err := s.InTx(ctx, func(tx cart.Tx) error { return tx.InsertPromotion(ctx, newPromotion("AAA", pricing.Rule{})) })
	is(t, err, cart.ErrCodeTaken)

	got, err := s.Promotion(ctx, a.ID)
	if err != nil || !reflect.DeepEqual(got, a) {
		t.Fatalf("read back\n%+v\nwant\n%+v (%v)", got, a, err)
	}
	if got, err := s.PromotionByCode(ctx, "AAA"); err != nil || got.ID != a.ID {
		t.Fatalf("by code: %+v %v", got, err)
	}
	_, err = s.PromotionByCode(ctx, "NOPE")
	is(t, err, cart.ErrPromotionNotFound)

	live, err := s.LivePromotions(ctx, at)
	if err != nil || len(live) != 2 || live[0].ID != a.ID || live[1].ID != b.ID {
		t.Fatalf("live %+v %v", live, err)
	}
	page, err := s.Promotions(ctx, "", 3)
	if err != nil || len(page) != 3 || page[0].ID != off.ID || page[2].ID != b.ID {
		t.Fatalf("first page %v", err)
	}
	page, err = s.Promotions(ctx, page[2].ID, 3)
	if err != nil || len(page) != 1 || page[0].ID != a.ID {
		t.Fatalf("second page %v", err)
	}

	a.PercentBP, a.Code, a.Version = 2000, "AAA2", 2
	tx(t, s, func(tx cart.Tx) error { return tx.UpdatePromotion(ctx, a) })
	if got, _ := s.PromotionByCode(ctx, "AAA2"); got.PercentBP != 2000 || got.Version != 2 {
		t.Fatalf("updated %+v", got)
	}
	a.Code = "ENDED"
	err = s.InTx(ctx, func(tx cart.Tx) error { return tx.UpdatePromotion(ctx, a) })
	is(t, err, cart.ErrCodeTaken)
	tx(t, s, func(tx cart.Tx) error { return tx.DeletePromotion(ctx, off.ID) })
	err = s.InTx(ctx, func(tx cart.Tx) error { return tx.DeletePromotion(ctx, off.ID) })
	is(t, err, cart.ErrPromotionNotFound)
	err = s.InTx(ctx, func(tx cart.Tx) error { _, err := tx.LockPromotion(ctx, off.ID); return err })
	is(t, err, cart.ErrPromotionNotFound)
}

func testStoreUseLimit(t *testing.T, s cart.Store) {
	ctx := context.Background()
	p := newPromotion("LIMITED", pricing.Rule{UsageLimit: 5})
	tx(t, s, func(tx cart.Tx) error { return tx.InsertPromotion(ctx, p) })
	const n = 12
	var (
		wg   sync.WaitGroup
		mu   sync.Mutex
		wins int
	)
	for range n {
		wg.Go(func() {
			err := s.InTx(ctx, func(tx cart.Tx) error {
				ok, err := tx.AddPromotionUses(ctx, p.ID, 1)
				if ok {
					mu.Lock()
					wins++
					mu.Unlock()
				}
				return err
			})
			if err != nil {
				t.Error(err)
			}
		})
	}
	wg.Wait()
	got, _ := s.Promotion(ctx, p.ID)
	if wins != 5 || got.Uses != 5 {
		t.Fatalf("%d of %d won, uses %d; the limit is 5", wins, n, got.Uses)
	}
	for range 7 {
		tx(t, s, func(tx cart.Tx) error { _, err := tx.AddPromotionUses(ctx, p.ID, -1); return err })
	}
	if got, _ := s.Promotion(ctx, p.ID); got.Uses != 0 {
		t.Fatalf("uses %d after giving back more than taken", got.Uses)
	}
	free := newPromotion("FREE", pricing.Rule{})
	tx(t, s, func(tx cart.Tx) error {
		if err := tx.InsertPromotion(ctx, free); err != nil {
			return err
		}
		for range 3 {
			if ok, err := tx.AddPromotionUses(ctx, free.ID, 1); !ok || err != nil {
				t.Fatalf("an unlimited promotion refused a use: %v", err)
			}
		}
		return nil
	})
}

func testStoreRedemptions(t *testing.T, s cart.Store) {
	ctx := context.Background()
	start := at.Add(-time.Hour)
	l := cart.PurchaseLimit{SKU: Socks, MaxPerCustomer: 2, StartsAt: &start, UpdatedAt: at}
	tx(t, s, func(tx cart.Tx) error { return tx.SetPurchaseLimit(ctx, l) })
	l.MaxPerCustomer = 3
	tx(t, s, func(tx cart.Tx) error { return tx.SetPurchaseLimit(ctx, l) })
	ls, err := s.PurchaseLimits(ctx)
	if err != nil || len(ls) != 1 || !reflect.DeepEqual(ls[0], l) {
		t.Fatalf("limits %+v %v", ls, err)
	}
	tx(t, s, func(tx cart.Tx) error {
		got, ok, err := tx.LockPurchaseLimit(ctx, Socks)
		if err != nil || !ok || got.MaxPerCustomer != 3 {
			t.Fatalf("locked %+v %v %v", got, ok, err)
		}
		_, ok, err = tx.LockPurchaseLimit(ctx, Kurta)
		if err != nil || ok {
			t.Fatalf("no limit on %s: %v %v", Kurta, ok, err)
		}
		return nil
	})

	p := newPromotion("USE", pricing.Rule{})
	rec := cart.RedemptionRecord{Redemption: cart.Redemption{Reference: "order-1", CartID: ids.New(), UserID: user1,
		Promotions: []string{p.ID}, Items: []cart.RedeemedItem{{SKU: Socks, Quantity: 2}, {SKU: Kurta, Quantity: 1}}},
		Fingerprint: "fp1", CreatedAt: at}
	tx(t, s, func(tx cart.Tx) error {
		if err := tx.InsertPromotion(ctx, p); err != nil {
			return err
		}
		if ok, err := tx.ClaimRedemption(ctx, rec); !ok || err != nil {
			t.Fatalf("claim: %v %v", ok, err)
		}
		return tx.RecordUses(ctx, rec)
	})
	tx(t, s, func(tx cart.Tx) error {
		got, ok, err := tx.Redemption(ctx, "order-1")
		if err != nil || !ok || !reflect.DeepEqual(got, rec) {
			t.Fatalf("read back %+v %v %v", got, ok, err)
		}
		_, ok, err = tx.Redemption(ctx, "order-2")
		if err != nil || ok {
			t.Fatalf("unknown reference found: %v", err)
		}
		return nil
	})
	tx(t, s, func(tx cart.Tx) error {
		if ok, err := tx.ClaimRedemption(ctx, rec); ok || err != nil {
			t.Fatalf("a reference claimed twice: %v %v", ok, err)
		}
		return nil
	})
	uses, err := s.CustomerUses(ctx, user1, []string{p.ID, "other"})
	if err != nil || uses[p.ID] != 1 || uses["other"] != 0 {
		t.Fatalf("uses %v %v", uses, err)
	}
	bought, err := s.Purchased(ctx, user1, map[string]time.Time{Socks: start, Kurta: at.Add(time.Second)})
	if err != nil || bought[Socks] != 2 || bought[Kurta] != 0 {
		t.Fatalf("purchased %v %v", bought, err)
	}
	if b, _ := s.Purchased(ctx, user2, map[string]time.Time{Socks: start}); b[Socks] != 0 {
		t.Fatal("another customer's purchases counted")
	}

	tx(t, s, func(tx cart.Tx) error { return tx.ReleaseRedemption(ctx, "order-1") })
	tx(t, s, func(tx cart.Tx) error {
		got, ok, err := tx.Redemption(ctx, "order-1")
		if err != nil || !ok || !got.Released {
			t.Fatalf("after release %+v %v", got, err)
		}
		return nil
	})
	if uses, _ := s.CustomerUses(ctx, user1, []string{p.ID}); uses[p.ID] != 0 {
		t.Fatal("released uses still count")
	}
	if b, _ := s.Purchased(ctx, user1, map[string]time.Time{Socks: start}); b[Socks] != 0 {
		t.Fatal("released purchases still count")
	}
	tx(t, s, func(tx cart.Tx) error { return tx.DeletePurchaseLimit(ctx, Socks) })
	err = s.InTx(ctx, func(tx cart.Tx) error { return tx.DeletePurchaseLimit(ctx, Socks) })
	is(t, err, cart.ErrLimitNotFound)
}

func testStoreExpiry(t *testing.T, s cart.Store) {
	ctx := context.Background()
	var expired []cart.Record
	for range 5 {
		r := record("")
		exp := at.Add(-time.Minute)
		r.ExpiresAt = &exp
		expired = append(expired, r)
	}
	fresh := record("")
	member := record(user1)
	oldClosed := record(user2)
	oldClosed.Status, oldClosed.UpdatedAt = cart.StatusMerged, at.Add(-40*24*time.Hour)
	newClosed := record("")
	newClosed.Status = cart.StatusOrdered
	tx(t, s, func(tx cart.Tx) error {
		for _, r := range append(expired, fresh, member, oldClosed, newClosed) {
			if err := tx.InsertCart(ctx, r); err != nil {
				return err
			}
		}
		return nil
	})
	n, err := s.DeleteExpired(ctx, at, at.Add(-30*24*time.Hour), 4)
	if err != nil || n != 4 {
		t.Fatalf("first batch: %d %v", n, err)
	}
	n, err = s.DeleteExpired(ctx, at, at.Add(-30*24*time.Hour), 4)
	if err != nil || n != 2 {
		t.Fatalf("second batch: %d %v", n, err)
	}
	for _, r := range []cart.Record{fresh, member, newClosed} {
		if _, err := s.Cart(ctx, r.ID); err != nil {
			t.Fatalf("%s was deleted: %v", r.ID, err)
		}
	}
	if _, err := s.Cart(ctx, oldClosed.ID); !errors.Is(err, cart.ErrCartNotFound) {
		t.Fatal("an old merged cart survived")
	}
}
