package identity

import (
	"cmp"
	"context"
	"errors"
	"fmt"

	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// Me returns the caller's account.
func (c *Core) Me(ctx context.Context) (User, error) {
	p, err := caller(ctx)
	if err != nil {
		return User{}, err
	}
	a, err := c.store.Account(ctx, p.UserID)
	if err != nil {
		return User{}, err
	}
	if a.Erased {
		return User{}, ErrUserNotFound
	}
	return a.User, nil
}

// UpdateMe changes the caller's name, phone or preferences.
func (c *Core) UpdateMe(ctx context.Context, patch UserPatch) (User, error) {
	p, err := caller(ctx)
	if err != nil {
		return User{}, err
	}
	var fe fieldErrs
	var name, phone string
	var prefs Preferences
	if patch.Name != nil {
		var msg string
		if name, msg = cleanText(*patch.Name, maxName); msg == "" && name == "" {
			msg = "must not be empty"
		}
		if msg != "" {
			fe.add("name", msg)
		}
	}
	if patch.Phone != nil {
		var msg string
		if phone, msg = normalizePhone(*patch.Phone); msg != "" {
			fe.add("phone", msg)
		}
	}
	if patch.Preferences != nil {
		prefs = cleanPreferences(*patch.Preferences, &fe)
	}
	if err := fe.err(); err != nil {
		return User{}, err
	}
	var out User
	err = c.updateAccount(ctx, p.UserID, func(a *Account) error {
		if patch.Name != nil {
			a.Name = name
		}
		if patch.Phone != nil {
			a.Phone = phone
		}
		if patch.Preferences != nil {
			a.Preferences = prefs
		}
		out = a.User
		return nil
	})
	return out, err
}

func cleanPreferences(p Preferences, fe *fieldErrs) Preferences {
	out := Preferences{MarketingOptIn: p.MarketingOptIn, Sizes: []string{}, FavouriteCategories: []string{}}
	if len(p.Sizes) > 20 {
		fe.add("preferences/sizes", "at most 20 sizes")
	}
	seen := map[string]bool{}
	for i, s := range p.Sizes {
		s, msg := cleanText(s, 16)
		if msg == "" && s == "" {
			msg = "must not be empty"
		}
		if msg != "" {
			fe.add(fmt.Sprintf("preferences/sizes/%d", i), msg)
			continue
		}
		if !seen[s] {
			seen[s] = true
			out.Sizes = append(out.Sizes, s)
		}
	}
	if len(p.FavouriteCategories) > 20 {
		fe.add("preferences/favourite_categories", "at most 20 categories")
	}
	seen = map[string]bool{}
	for i, s := range p.FavouriteCategories {
		if !slugRe.MatchString(s) {
			fe.add(fmt.Sprintf("preferences/favourite_categories/%d", i), "is not a category slug")
			continue
		}
		if !seen[s] {
			seen[s] = true
			out.FavouriteCategories = append(out.FavouriteCategories, s)
		}
	}
	return out
}

// ChangePassword sets a new password after checking the current one, and
// ends the account's other sessions. Wrong current passwords count as
// failed sign-ins.
func (c *Core) ChangePassword(ctx context.Context, current, next string) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	a, err := c.checkOwnPassword(ctx, p.UserID, current)
	if err != nil {
		return err
	}
	if err := checkPassword(next, a.Email); err != nil {
		return err
	}
	hash, err := c.hasher.hash(ctx, next)
	if err != nil {
		return err
	}
	var ended []string
	err = c.store.InTx(ctx, func(tx Store) error {
		cur, err := tx.Account(ctx, p.UserID)
		if err != nil {
			return err
		}
		cur.PasswordHash, cur.UpdatedAt = hash, c.now()
		if err := tx.UpdateAccount(ctx, cur); err != nil {
			return err
		}
		if err := tx.DeleteTokens(ctx, cur.ID, PurposeResetPassword); err != nil {
			return err
		}
		ended, err = tx.DeleteSessions(ctx, cur.ID, p.SessionID)
		return err
	})
	c.forgetSessions(ctx, ended)
	return err
}

// checkOwnPassword re-authenticates the caller for a sensitive change.
func (c *Core) checkOwnPassword(ctx context.Context, userID, password string) (Account, error) {
	a, err := c.store.Account(ctx, userID)
	if err != nil {
		return Account{}, err
	}
	if a.Erased {
		return Account{}, ErrUserNotFound
	}
	if w := c.limit.wait(ctx, c.acctFailures, a.Email); w > 0 {
		return Account{}, throttled(w)
	}
	if len(password) > 4*maxPassword {
		return Account{}, ErrWrongPassword
	}
	ok, _, err := c.hasher.verify(ctx, a.PasswordHash, password)
	if err != nil && !errors.Is(err, errBadHash) {
		return Account{}, err
	}
	if !ok {
		c.limit.add(ctx, c.acctFailures, a.Email)
		return Account{}, ErrWrongPassword
	}
	return a, nil
}

// Export returns everything the caller's account holds.
func (c *Core) Export(ctx context.Context) (Export, error) {
	p, err := caller(ctx)
	if err != nil {
		return Export{}, err
	}
	u, err := c.Me(ctx)
	if err != nil {
		return Export{}, err
	}
	out := Export{User: u, ExportedAt: c.now()}
	if out.Addresses, err = c.store.Addresses(ctx, p.UserID); err != nil {
		return Export{}, err
	}
	if out.Sessions, err = c.Sessions(ctx); err != nil {
		return Export{}, err
	}
	if out.Events, err = c.store.RecentEvents(ctx, userActor(p.UserID), 10_000); err != nil {
		return Export{}, err
	}
	if out.Purchases, err = c.store.Purchases(ctx, p.UserID, 10_000); err != nil {
		return Export{}, err
	}
	return out, nil
}

// DeleteMe erases the caller's personal data: profile, addresses, sessions,
// tokens, queued mail, behaviour and purchase history. The account row
// stays as a tombstone with its id and role and nothing that names a
// person, so that orders (which keep their own legal records) still point
// somewhere; identity.user.erased tells the other services to anonymise
// theirs. Aggregates that name no one (how often products sell together)
// are kept.
func (c *Core) DeleteMe(ctx context.Context, password string) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	if _, err := c.checkOwnPassword(ctx, p.UserID, password); err != nil {
		return err
	}
	var ended []string
	err = c.store.InTx(ctx, func(tx Store) error {
		a, err := tx.Account(ctx, p.UserID)
		if err != nil {
			return err
		}
		if a.Role == authn.RoleAdmin {
			if n, err := tx.CountRole(ctx, authn.RoleAdmin); err != nil || n <= 1 {
				return cmp.Or(err, error(ErrLastAdmin))
			}
		}
		email := a.Email
		now := c.now()
		a.User = User{ID: a.ID, Email: "erased+" + a.ID + "@invalid", Role: a.Role, CreatedAt: a.CreatedAt, UpdatedAt: now}
		a.PasswordHash, a.TOTPSecret, a.TOTPPending, a.Erased = "", "", "", true
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		steps := []func() error{
			func() error { ended, err = tx.DeleteSessions(ctx, a.ID, ""); return err },
			func() error { return tx.DeleteTokens(ctx, a.ID, "") },
			func() error { return tx.DeleteAddresses(ctx, a.ID) },
			func() error { return tx.DeleteEvents(ctx, userActor(a.ID)) },
			func() error { return tx.DeletePurchases(ctx, a.ID) },
			func() error { return tx.DeleteMailTo(ctx, email) },
		}
		for _, step := range steps {
			if err := step(); err != nil {
				return err
			}
		}
		ev, err := bus.NewEvent(SubjectUserErased, UserErased{UserID: a.ID, At: now})
		if err != nil {
			return errs.Internal(err)
		}
		return tx.Publish(ctx, SubjectUserErased, ev)
	})
	if err != nil {
		return err
	}
	c.forgetSessions(ctx, ended)
	c.committed()
	return nil
}
