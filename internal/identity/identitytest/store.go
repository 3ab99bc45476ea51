package identitytest

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// StoreSuite is what every identity.Store must do. newStore returns an
// empty, migrated store.
func StoreSuite(t *testing.T, newStore func(t *testing.T) identity.Store) {
	ctx := context.Background()
	now := time.Now().UTC().Truncate(time.Millisecond)
	account := func(email string, role authn.Role) identity.Account {
		return identity.Account{User: identity.User{ID: ids.New(), Email: email, Name: "N " + email, Role: role,
			Preferences: identity.Preferences{Sizes: []string{}, FavouriteCategories: []string{}}, CreatedAt: now, UpdatedAt: now},
			PasswordHash: "$argon2id$x"}
	}
	must := func(t *testing.T, err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	wantErr := func(t *testing.T, err, want error) {
		t.Helper()
		if !errors.Is(err, want) {
			t.Fatalf("err = %v, want %v", err, want)
		}
	}

	t.Run("accounts", func(t *testing.T) {
		s := newStore(t)
		a := account("a@example.com", authn.RoleCustomer)
		a.Preferences = identity.Preferences{Sizes: []string{"M"}, FavouriteCategories: []string{"kurtas"}, MarketingOptIn: true}
		a.Phone = "+919812345678"
		must(t, s.CreateAccount(ctx, a))
		wantErr(t, s.CreateAccount(ctx, account("a@example.com", authn.RoleCustomer)), identity.ErrEmailTaken)
		got, err := s.AccountByEmail(ctx, "a@example.com")
		must(t, err)
		if got.ID != a.ID || got.Phone != a.Phone || !slices.Equal(got.Preferences.Sizes, []string{"M"}) || !got.Preferences.MarketingOptIn ||
			!got.CreatedAt.Equal(now) || got.EmailVerified || got.TOTPEnabled || got.Role != authn.RoleCustomer {
			t.Fatalf("read back %+v", got)
		}
		_, err = s.Account(ctx, ids.New())
		wantErr(t, err, identity.ErrUserNotFound)
		_, err = s.AccountByEmail(ctx, "nobody@example.com")
		wantErr(t, err, identity.ErrUserNotFound)

		got.EmailVerified, got.TOTPSecret, got.TOTPLastStep, got.Role, got.Name = true, "p1:SECRET", 42, authn.RoleStaff, "Asha"
		got.UpdatedAt = now.Add(time.Second)
		must(t, s.UpdateAccount(ctx, got))
		again, err := s.Account(ctx, a.ID)
		must(t, err)
		if !again.EmailVerified || !again.TOTPEnabled || again.TOTPLastStep != 42 || again.Role != authn.RoleStaff || again.Name != "Asha" || !again.UpdatedAt.Equal(now.Add(time.Second)) {
			t.Fatalf("after update %+v", again)
		}
		b := account("b@example.com", authn.RoleCustomer)
		must(t, s.CreateAccount(ctx, b))
		b.Email = "a@example.com"
		wantErr(t, s.UpdateAccount(ctx, b), identity.ErrEmailTaken)
		ghost := account("ghost@example.com", authn.RoleCustomer)
		wantErr(t, s.UpdateAccount(ctx, ghost), identity.ErrUserNotFound)
	})

	t.Run("listing accounts", func(t *testing.T) {
		s := newStore(t)
		var all []string
		for i := range 5 {
			role := authn.RoleCustomer
			if i%2 == 0 {
				role = authn.RoleAdmin
			}
			a := account(fmt.Sprintf("user%d@example.com", i), role)
			must(t, s.CreateAccount(ctx, a))
			all = append(all, a.ID)
		}
		must(t, s.CreateAccount(ctx, account("other_%@example.com", authn.RoleCustomer)))
		page, err := s.Accounts(ctx, identity.UserQuery{Email: "user", PageSize: 2})
		must(t, err)
		if len(page) != 2 || page[0].ID != all[0] || page[1].ID != all[1] {
			t.Fatalf("first page %v", page)
		}
		page, err = s.Accounts(ctx, identity.UserQuery{Email: "user", PageSize: 10, PageToken: all[1]})
		must(t, err)
		if len(page) != 3 || page[0].ID != all[2] {
			t.Fatalf("after a token: %d", len(page))
		}
		page, err = s.Accounts(ctx, identity.UserQuery{Role: authn.RoleAdmin, PageSize: 10})
		must(t, err)
		if len(page) != 3 {
			t.Fatalf("admins: %d", len(page))
		}
		// LIKE wildcards in the prefix are literal.
		page, err = s.Accounts(ctx, identity.UserQuery{Email: "other_%", PageSize: 10})
		must(t, err)
		if len(page) != 1 {
			t.Fatalf("literal prefix: %d", len(page))
		}
		page, err = s.Accounts(ctx, identity.UserQuery{Email: "u%", PageSize: 10})
		must(t, err)
		if len(page) != 0 {
			t.Fatalf("wildcard matched: %d", len(page))
		}
		n, err := s.CountRole(ctx, authn.RoleAdmin)
		must(t, err)
		if n != 3 {
			t.Fatalf("admins counted %d", n)
		}
	})

	t.Run("sessions", func(t *testing.T) {
		s := newStore(t)
		a, b := account("a@example.com", authn.RoleAdmin), account("b@example.com", authn.RoleCustomer)
		must(t, s.CreateAccount(ctx, a))
		must(t, s.CreateAccount(ctx, b))
		mk := func(user, hash string) identity.SessionRecord {
			return identity.SessionRecord{ID: ids.New(), UserID: user, TokenHash: hash, CreatedAt: now, LastSeenAt: now,
				ExpiresAt: now.Add(time.Hour), IdleTimeout: 10 * time.Minute, MFA: true, UserAgent: "ua", IP: "10.0.0.1"}
		}
		s1, s2, s3 := mk(a.ID, "h1"), mk(a.ID, "h2"), mk(b.ID, "h3")
		for _, x := range []identity.SessionRecord{s1, s2, s3} {
			must(t, s.CreateSession(ctx, x))
		}
		got, role, err := s.SessionByHash(ctx, "h1")
		must(t, err)
		if got.ID != s1.ID || role != authn.RoleAdmin || got.IdleTimeout != 10*time.Minute || !got.MFA || !got.ExpiresAt.Equal(s1.ExpiresAt) || got.IP != "10.0.0.1" {
			t.Fatalf("session %+v role %s", got, role)
		}
		_, _, err = s.SessionByHash(ctx, "nope")
		wantErr(t, err, identity.ErrInvalidSession)
		must(t, s.TouchSession(ctx, s1.ID, now.Add(time.Minute)))
		must(t, s.TouchSession(ctx, s1.ID, now)) // older: kept at the later time
		got, _, _ = s.SessionByHash(ctx, "h1")
		if !got.LastSeenAt.Equal(now.Add(time.Minute)) {
			t.Fatalf("last seen %v", got.LastSeenAt)
		}
		wantErr(t, s.TouchSession(ctx, ids.New(), now), identity.ErrInvalidSession)
		// Another user's session is not deleted through one's own id.
		hash, err := s.DeleteSession(ctx, b.ID, s1.ID)
		must(t, err)
		if hash != "" {
			t.Fatal("deleted another user's session")
		}
		hash, err = s.DeleteSession(ctx, a.ID, s1.ID)
		must(t, err)
		if hash != "h1" {
			t.Fatalf("deleted hash %q", hash)
		}
		must(t, s.CreateSession(ctx, mk(a.ID, "h4")))
		hashes, err := s.DeleteSessions(ctx, a.ID, s2.ID)
		must(t, err)
		if !slices.Equal(hashes, []string{"h4"}) {
			t.Fatalf("deleted %v", hashes)
		}
		list, err := s.Sessions(ctx, a.ID)
		must(t, err)
		if len(list) != 1 || list[0].ID != s2.ID {
			t.Fatalf("left %v", list)
		}
		if list, _ := s.Sessions(ctx, b.ID); len(list) != 1 {
			t.Fatalf("b's sessions touched: %v", list)
		}
	})

	t.Run("tokens", func(t *testing.T) {
		s := newStore(t)
		a := account("a@example.com", authn.RoleCustomer)
		must(t, s.CreateAccount(ctx, a))
		tok := func(hash string, p identity.TokenPurpose, ttl time.Duration) {
			must(t, s.CreateToken(ctx, identity.TokenRecord{Hash: hash, UserID: a.ID, Purpose: p, CreatedAt: now, ExpiresAt: now.Add(ttl)}))
		}
		tok("v1", identity.PurposeVerifyEmail, time.Hour)
		tok("r1", identity.PurposeResetPassword, time.Minute)
		tok("r2", identity.PurposeResetPassword, time.Hour)
		_, err := s.ConsumeToken(ctx, "v1", identity.PurposeResetPassword, now)
		wantErr(t, err, identity.ErrInvalidToken)
		uid, err := s.ConsumeToken(ctx, "v1", identity.PurposeVerifyEmail, now)
		must(t, err)
		if uid != a.ID {
			t.Fatalf("uid %q", uid)
		}
		_, err = s.ConsumeToken(ctx, "v1", identity.PurposeVerifyEmail, now)
		wantErr(t, err, identity.ErrInvalidToken)
		_, err = s.ConsumeToken(ctx, "r1", identity.PurposeResetPassword, now.Add(time.Minute))
		wantErr(t, err, identity.ErrInvalidToken)
		must(t, s.DeleteTokens(ctx, a.ID, identity.PurposeResetPassword))
		_, err = s.ConsumeToken(ctx, "r2", identity.PurposeResetPassword, now)
		wantErr(t, err, identity.ErrInvalidToken)
	})

	t.Run("mail", func(t *testing.T) {
		s := newStore(t)
		for i := range 3 {
			must(t, s.QueueMail(ctx, identity.Mail{ID: ids.New(), To: fmt.Sprintf("m%d@example.com", i%2), Subject: "s", Body: "b", CreatedAt: now.Add(time.Duration(i) * time.Millisecond)}))
		}
		due, err := s.DueMail(ctx, now.Add(time.Second), now.Add(time.Hour), 2)
		must(t, err)
		if len(due) != 2 {
			t.Fatalf("due %d", len(due))
		}
		again, err := s.DueMail(ctx, now.Add(time.Second), now.Add(time.Hour), 10)
		must(t, err)
		if len(again) != 1 {
			t.Fatalf("claimed mail handed out again: %d", len(again))
		}
		must(t, s.MarkMailSent(ctx, due[0].ID, now))
		must(t, s.RetryMail(ctx, due[1].ID, now.Add(time.Second), 2))
		retry, _ := s.DueMail(ctx, now.Add(2*time.Second), now.Add(time.Hour), 10)
		if len(retry) != 1 || retry[0].ID != due[1].ID {
			t.Fatalf("retry %v", retry)
		}
		must(t, s.RetryMail(ctx, due[1].ID, now.Add(3*time.Second), 2))
		if gaveUp, _ := s.DueMail(ctx, now.Add(time.Hour), now.Add(2*time.Hour), 10); len(gaveUp) != 1 || gaveUp[0].ID == due[1].ID {
			t.Fatalf("given-up mail still due: %v", gaveUp)
		}
		recent, err := s.RecentMail(ctx, 10)
		must(t, err)
		if len(recent) != 3 || !recent[0].CreatedAt.After(recent[2].CreatedAt) {
			t.Fatalf("recent %v", recent)
		}
		var sent int
		for _, m := range recent {
			if m.SentAt != nil {
				sent++
			}
		}
		if sent != 1 {
			t.Fatalf("sent %d", sent)
		}
		must(t, s.DeleteMailTo(ctx, "m0@example.com"))
		if recent, _ := s.RecentMail(ctx, 10); len(recent) != 1 {
			t.Fatalf("after delete: %d", len(recent))
		}
	})

	t.Run("addresses belong to their user", func(t *testing.T) {
		s := newStore(t)
		a, b := account("a@example.com", authn.RoleCustomer), account("b@example.com", authn.RoleCustomer)
		must(t, s.CreateAccount(ctx, a))
		must(t, s.CreateAccount(ctx, b))
		addr := func(name string, ship bool) identity.Address {
			return identity.Address{ID: ids.New(), Name: name, Phone: "+919812345678", Line1: "1 MG Road", City: "Bengaluru", State: "KA",
				PostalCode: "560001", Country: "IN", DefaultShipping: ship, DefaultBilling: ship, CreatedAt: now, UpdatedAt: now}
		}
		a1, a2 := addr("one", true), addr("two", false)
		must(t, s.CreateAddress(ctx, a.ID, a1))
		must(t, s.CreateAddress(ctx, a.ID, a2))
		_, err := s.Address(ctx, b.ID, a1.ID)
		wantErr(t, err, identity.ErrAddressNotFound)
		wantErr(t, s.UpdateAddress(ctx, b.ID, a1), identity.ErrAddressNotFound)
		wantErr(t, s.DeleteAddress(ctx, b.ID, a1.ID), identity.ErrAddressNotFound)
		got, err := s.Address(ctx, a.ID, a1.ID)
		must(t, err)
		if got.Name != "one" || !got.DefaultShipping || got.PostalCode != "560001" {
			t.Fatalf("%+v", got)
		}
		must(t, s.ClearDefaults(ctx, a.ID, a2.ID, true, false))
		a2.DefaultShipping, a2.City = true, "Mysuru"
		must(t, s.UpdateAddress(ctx, a.ID, a2))
		list, err := s.Addresses(ctx, a.ID)
		must(t, err)
		if len(list) != 2 || list[0].ID != a2.ID || list[0].City != "Mysuru" || list[1].DefaultShipping || !list[1].DefaultBilling {
			t.Fatalf("list %+v", list)
		}
		must(t, s.DeleteAddress(ctx, a.ID, a1.ID))
		must(t, s.DeleteAddresses(ctx, a.ID))
		if list, _ := s.Addresses(ctx, a.ID); len(list) != 0 {
			t.Fatalf("left %v", list)
		}
	})

	t.Run("behaviour", func(t *testing.T) {
		s := newStore(t)
		first, err := s.MarkProcessed(ctx, "ev-1", now)
		must(t, err)
		again, err := s.MarkProcessed(ctx, "ev-1", now)
		must(t, err)
		if !first || again {
			t.Fatalf("processed: first %v again %v", first, again)
		}
		evs := []identity.Event{
			{Kind: identity.EventView, ProductID: "p1", Category: "kurtas", At: now},
			{Kind: identity.EventSearch, Query: "red kurta", At: now.Add(time.Second)},
			{Kind: identity.EventPurchase, ProductID: "p2", Quantity: 2, At: now.Add(2 * time.Second)},
		}
		must(t, s.AddEvents(ctx, "d:device-1", evs))
		got, err := s.RecentEvents(ctx, "d:device-1", 2)
		must(t, err)
		if len(got) != 2 || got[0].Kind != identity.EventPurchase || got[0].Quantity != 2 || got[1].Query != "red kurta" {
			t.Fatalf("recent %+v", got)
		}
		must(t, s.ReassignEvents(ctx, "d:device-1", "u:x"))
		if got, _ := s.RecentEvents(ctx, "u:x", 10); len(got) != 3 || !got[2].At.Equal(now) {
			t.Fatalf("reassigned %+v", got)
		}
		must(t, s.DeleteEvents(ctx, "u:x"))
		if got, _ := s.RecentEvents(ctx, "u:x", 10); len(got) != 0 {
			t.Fatalf("deleted %+v", got)
		}

		must(t, s.BumpPairs(ctx, identity.EventPurchase, []identity.Pair{{A: "p1", B: "p2", Count: 1}, {A: "p1", B: "p3", Count: 1}}))
		must(t, s.BumpPairs(ctx, identity.EventPurchase, []identity.Pair{{A: "p2", B: "p1", Count: 1}, {A: "p1", B: "p1", Count: 1}}))
		must(t, s.BumpPairs(ctx, identity.EventView, []identity.Pair{{A: "p1", B: "p4", Count: 5}}))
		rel, err := s.Related(ctx, identity.EventPurchase, []string{"p1"}, 10)
		must(t, err)
		if len(rel) != 2 || rel[0] != (identity.Pair{A: "p1", B: "p2", Count: 2}) || rel[1].B != "p3" {
			t.Fatalf("related %+v", rel)
		}
		rel, _ = s.Related(ctx, identity.EventPurchase, []string{"p3", "p2"}, 10)
		if len(rel) != 2 {
			t.Fatalf("reverse pairs %+v", rel)
		}

		must(t, s.BumpStats(ctx, []identity.ProductStat{{ProductID: "p1", Category: "kurtas", Views: 3}}))
		// Several products in one call (one statement); p2's two bumps add up in its row.
		must(t, s.BumpStats(ctx, []identity.ProductStat{{ProductID: "p1", Purchases: 1}, {ProductID: "p2", Category: "sarees", Purchases: 1}, {ProductID: "p2", Purchases: 1}}))
		must(t, s.BumpStats(ctx, []identity.ProductStat{{ProductID: "p3", Category: "kurtas", Carts: 1}}))
		pop, err := s.Popular(ctx, "", 10)
		must(t, err)
		if len(pop) != 3 || pop[0].ProductID != "p2" || pop[1].ProductID != "p1" || pop[1].Category != "kurtas" || pop[1].Views != 3 {
			t.Fatalf("popular %+v", pop)
		}
		pop, _ = s.Popular(ctx, "kurtas", 10)
		if len(pop) != 2 || pop[0].ProductID != "p1" || pop[1].ProductID != "p3" {
			t.Fatalf("popular kurtas %+v", pop)
		}
		stats, err := s.Stats(ctx, []string{"p1", "p9"})
		must(t, err)
		if len(stats) != 1 || stats["p1"].Purchases != 1 {
			t.Fatalf("stats %+v", stats)
		}

		p := identity.Purchase{OrderID: "o1", PaidAt: now, Total: money.MustNew(259800, "INR"),
			Items: []identity.OrderItem{{ProductID: "p1", SKU: "S1", Quantity: 2, Price: money.MustNew(129900, "INR")}}}
		must(t, s.SavePurchase(ctx, "u1", p))
		must(t, s.SavePurchase(ctx, "u1", p)) // a redelivery
		must(t, s.SavePurchase(ctx, "u1", identity.Purchase{OrderID: "o2", PaidAt: now.Add(time.Hour), Total: money.MustNew(1, "INR"), Items: []identity.OrderItem{}}))
		list, err := s.Purchases(ctx, "u1", 10)
		must(t, err)
		if len(list) != 2 || list[0].OrderID != "o2" || list[1].Items[0].Price != money.MustNew(129900, "INR") || list[1].Total.Amount != 259800 {
			t.Fatalf("purchases %+v", list)
		}
		must(t, s.DeletePurchases(ctx, "u1"))
		if list, _ := s.Purchases(ctx, "u1", 10); len(list) != 0 {
			t.Fatalf("left %+v", list)
		}
	})

	t.Run("transactions roll back", func(t *testing.T) {
		s := newStore(t)
		boom := errors.New("boom")
		a := account("a@example.com", authn.RoleCustomer)
		err := s.InTx(ctx, func(tx identity.Store) error {
			if err := tx.CreateAccount(ctx, a); err != nil {
				return err
			}
			return tx.InTx(ctx, func(inner identity.Store) error { return boom })
		})
		wantErr(t, err, boom)
		_, err = s.Account(ctx, a.ID)
		wantErr(t, err, identity.ErrUserNotFound)
	})

	t.Run("sweep", func(t *testing.T) {
		s := newStore(t)
		a := account("a@example.com", authn.RoleCustomer)
		must(t, s.CreateAccount(ctx, a))
		must(t, s.CreateSession(ctx, identity.SessionRecord{ID: ids.New(), UserID: a.ID, TokenHash: "old", CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(time.Hour), IdleTimeout: time.Minute}))
		must(t, s.CreateSession(ctx, identity.SessionRecord{ID: ids.New(), UserID: a.ID, TokenHash: "live", CreatedAt: now, LastSeenAt: now.Add(time.Hour), ExpiresAt: now.Add(3 * time.Hour), IdleTimeout: time.Hour}))
		must(t, s.CreateToken(ctx, identity.TokenRecord{Hash: "t", UserID: a.ID, Purpose: identity.PurposeVerifyEmail, CreatedAt: now, ExpiresAt: now.Add(time.Minute)}))
		must(t, s.QueueMail(ctx, identity.Mail{ID: ids.New(), To: "a@example.com", CreatedAt: now}))
		must(t, s.AddEvents(ctx, "u:"+a.ID, []identity.Event{{Kind: identity.EventView, ProductID: "p", At: now}}))
		_, _ = s.MarkProcessed(ctx, "e", now)
		n, err := s.Sweep(ctx, identity.Retention{Now: now.Add(90 * time.Minute), MailBefore: now.Add(time.Second), ProcessedBefore: now.Add(time.Second), EventsBefore: now.Add(time.Second)})
		must(t, err)
		if n != 5 {
			t.Fatalf("swept %d rows, want 5", n)
		}
		if _, _, err := s.SessionByHash(ctx, "live"); err != nil {
			t.Fatalf("live session swept: %v", err)
		}
	})
}
