package identity

import (
	"context"
	"errors"
	"strings"

	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
)

// staffOnly returns the caller if they hold one of roles, else 401 or 403.
func staffOnly(ctx context.Context, roles ...authn.Role) (authn.Principal, error) {
	p, err := caller(ctx)
	if err != nil {
		return p, err
	}
	if !p.Has(roles...) {
		return p, authn.ErrForbidden
	}
	return p, nil
}

// Users lists accounts, for staff and admins.
func (c *Core) Users(ctx context.Context, q UserQuery) (UserPage, error) {
	if _, err := staffOnly(ctx, authn.RoleStaff, authn.RoleAdmin); err != nil {
		return UserPage{}, err
	}
	if q.PageSize <= 0 {
		q.PageSize = 50
	}
	q.PageSize = min(q.PageSize, 200)
	q.Email = NormalizeEmail(q.Email)
	if q.Role != "" && !q.Role.Valid() {
		return UserPage{}, invalid(errs.FieldError{Field: "role", Message: "must be customer, staff or admin"})
	}
	if q.PageToken != "" {
		if _, err := ids.Parse(q.PageToken); err != nil {
			return UserPage{}, errs.Invalid("invalid_page_token", "the page token is not one this service issued")
		}
	}
	want := q.PageSize
	q.PageSize++
	accts, err := c.store.Accounts(ctx, q)
	if err != nil {
		return UserPage{}, err
	}
	page := UserPage{Items: []User{}}
	for i, a := range accts {
		if i == want {
			page.NextPageToken = accts[i-1].ID
			break
		}
		page.Items = append(page.Items, a.User)
	}
	return page, nil
}

// User reads one account, for staff and admins.
func (c *Core) User(ctx context.Context, id string) (User, error) {
	if _, err := staffOnly(ctx, authn.RoleStaff, authn.RoleAdmin); err != nil {
		return User{}, err
	}
	id, err := ids.Parse(id)
	if err != nil {
		return User{}, ErrUserNotFound
	}
	a, err := c.store.Account(ctx, id)
	if err != nil {
		return User{}, err
	}
	if a.Erased {
		return User{}, ErrUserNotFound
	}
	return a.User, nil
}

// SetRole gives an account a role, for admins. The account's sessions end,
// so the new role (and its shorter or longer session life) applies from
// its next sign-in. The last admin cannot be demoted.
func (c *Core) SetRole(ctx context.Context, id string, role authn.Role) (User, error) {
	if _, err := staffOnly(ctx, authn.RoleAdmin); err != nil {
		return User{}, err
	}
	if !role.Valid() {
		return User{}, invalid(errs.FieldError{Field: "role", Message: "must be customer, staff or admin"})
	}
	id, err := ids.Parse(id)
	if err != nil {
		return User{}, ErrUserNotFound
	}
	var out User
	var ended []string
	err = c.store.InTx(ctx, func(tx Store) error {
		a, err := tx.Account(ctx, id)
		if err != nil {
			return err
		}
		if a.Erased {
			return ErrUserNotFound
		}
		if a.Role == role {
			out = a.User
			return nil
		}
		if a.Role == authn.RoleAdmin {
			n, err := tx.CountRole(ctx, authn.RoleAdmin)
			if err != nil {
				return err
			}
			if n <= 1 {
				return ErrLastAdmin
			}
		}
		a.Role, a.UpdatedAt = role, c.now()
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		out = a.User
		ended, err = tx.DeleteSessions(ctx, a.ID, "")
		return err
	})
	c.forgetSessions(ctx, ended)
	return out, err
}

// CreateAdmin makes an admin account with a verified address, for `bazaar
// admin create`. If the address has an account already, it becomes an
// admin with the given password and its sessions end. The password rules
// apply as at sign-up.
func (c *Core) CreateAdmin(ctx context.Context, email, password string) (User, error) {
	email = NormalizeEmail(email)
	if msg := validEmail(email); msg != "" {
		return User{}, invalid(errs.FieldError{Field: "email", Message: msg})
	}
	if err := checkPassword(password, email); err != nil {
		return User{}, err
	}
	hash, err := c.hasher.hash(ctx, password)
	if err != nil {
		return User{}, err
	}
	now := c.now()
	var out User
	var ended []string
	err = c.store.InTx(ctx, func(tx Store) error {
		a, err := tx.AccountByEmail(ctx, email)
		switch {
		case errors.Is(err, ErrUserNotFound):
			name, _, _ := strings.Cut(email, "@")
			a = Account{User: User{ID: c.opts.NewID(), Email: email, Name: name, Role: authn.RoleAdmin, EmailVerified: true, CreatedAt: now, UpdatedAt: now}, PasswordHash: hash}
			if err := tx.CreateAccount(ctx, a); err != nil {
				return err
			}
			ev, err := bus.NewEvent(SubjectUserRegistered, UserRegistered{UserID: a.ID, Role: string(a.Role), At: now})
			if err != nil {
				return err
			}
			out = a.User
			return tx.Publish(ctx, SubjectUserRegistered, ev)
		case err != nil:
			return err
		}
		a.Role, a.PasswordHash, a.EmailVerified, a.UpdatedAt = authn.RoleAdmin, hash, true, now
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		out = a.User
		ended, err = tx.DeleteSessions(ctx, a.ID, "")
		return err
	})
	if err != nil {
		return User{}, err
	}
	c.forgetSessions(ctx, ended)
	c.committed()
	return out, nil
}
