package identity

import (
	"context"
	"strings"

	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/india"
)

// maxAddresses bounds an account's address book.
const maxAddresses = 50

// Addresses lists the caller's addresses, defaults first.
func (c *Core) Addresses(ctx context.Context) ([]Address, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	return c.store.Addresses(ctx, p.UserID)
}

// Address returns one of the caller's addresses; another account's is
// ErrAddressNotFound, exactly as a missing one.
func (c *Core) Address(ctx context.Context, id string) (Address, error) {
	p, err := caller(ctx)
	if err != nil {
		return Address{}, err
	}
	if id, err = ids.Parse(id); err != nil {
		return Address{}, ErrAddressNotFound
	}
	return c.store.Address(ctx, p.UserID, id)
}

// CreateAddress adds an address. The first one becomes the default for
// shipping and billing.
func (c *Core) CreateAddress(ctx context.Context, in AddressInput) (Address, error) {
	p, err := caller(ctx)
	if err != nil {
		return Address{}, err
	}
	now := c.now()
	a := Address{ID: c.opts.NewID(), Country: "IN", CreatedAt: now, UpdatedAt: now}
	if err := applyAddress(&a, in, true); err != nil {
		return Address{}, err
	}
	err = c.store.InTx(ctx, func(tx Store) error {
		existing, err := tx.Addresses(ctx, p.UserID)
		if err != nil {
			return err
		}
		if len(existing) >= maxAddresses {
			return ErrTooManyAddresses
		}
		if len(existing) == 0 {
			a.DefaultShipping, a.DefaultBilling = true, true
		}
		if err := tx.ClearDefaults(ctx, p.UserID, a.ID, a.DefaultShipping, a.DefaultBilling); err != nil {
			return err
		}
		return tx.CreateAddress(ctx, p.UserID, a)
	})
	return a, err
}

// UpdateAddress changes the fields given. Making an address a default
// takes the flag from the one that had it.
func (c *Core) UpdateAddress(ctx context.Context, id string, in AddressInput) (Address, error) {
	p, err := caller(ctx)
	if err != nil {
		return Address{}, err
	}
	if id, err = ids.Parse(id); err != nil {
		return Address{}, ErrAddressNotFound
	}
	var a Address
	err = c.store.InTx(ctx, func(tx Store) error {
		a, err = tx.Address(ctx, p.UserID, id)
		if err != nil {
			return err
		}
		if err := applyAddress(&a, in, false); err != nil {
			return err
		}
		a.UpdatedAt = c.now()
		if err := tx.ClearDefaults(ctx, p.UserID, a.ID, a.DefaultShipping, a.DefaultBilling); err != nil {
			return err
		}
		return tx.UpdateAddress(ctx, p.UserID, a)
	})
	return a, err
}

// DeleteAddress removes one of the caller's addresses.
func (c *Core) DeleteAddress(ctx context.Context, id string) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	if id, err = ids.Parse(id); err != nil {
		return ErrAddressNotFound
	}
	return c.store.DeleteAddress(ctx, p.UserID, id)
}

// applyAddress validates in and applies it to a; create requires the
// fields every address needs.
func applyAddress(a *Address, in AddressInput, create bool) error {
	var fe fieldErrs
	text := func(field string, v *string, dst *string, max int, required bool) {
		if v == nil {
			if create && required {
				fe.add(field, "is required")
			}
			return
		}
		s, msg := cleanText(*v, max)
		if msg == "" && required && s == "" {
			msg = "is required"
		}
		if msg != "" {
			fe.add(field, msg)
			return
		}
		*dst = s
	}
	text("name", in.Name, &a.Name, 100, true)
	text("line1", in.Line1, &a.Line1, 200, true)
	text("line2", in.Line2, &a.Line2, 200, false)
	text("landmark", in.Landmark, &a.Landmark, 100, false)
	text("city", in.City, &a.City, 100, true)
	text("state", in.State, &a.State, 100, true)
	if in.Phone != nil {
		phone, msg := normalizePhone(*in.Phone)
		if msg == "" && phone == "" {
			msg = "is required"
		}
		if msg != "" {
			fe.add("phone", msg)
		} else {
			a.Phone = phone
		}
	} else if create {
		fe.add("phone", "is required")
	}
	if in.Country != nil {
		cc := strings.ToUpper(strings.TrimSpace(*in.Country))
		if !countryCode.MatchString(cc) {
			fe.add("country", "is not an ISO 3166-1 alpha-2 code")
		} else {
			a.Country = cc
		}
	}
	if in.PostalCode != nil || in.Country != nil {
		code := a.PostalCode
		if in.PostalCode != nil {
			code = *in.PostalCode
		}
		if code == "" && create {
			fe.add("postal_code", "is required")
		} else if pc, msg := normalizePostalCode(code, a.Country); msg != "" {
			fe.add("postal_code", msg)
		} else {
			a.PostalCode = pc
		}
	} else if create {
		fe.add("postal_code", "is required")
	}
	if a.Country == "IN" && (in.State != nil || in.PostalCode != nil || in.Country != nil) && !fe.on("state", "postal_code") {
		// Only when one of them changes: an address saved before the check
		// can still be made the default. A state india does not know is
		// kept as typed, unchecked.
		if err := india.CheckPIN(a.PostalCode, a.State); err != nil {
			if len(fe) == 0 {
				return err
			}
			fe = append(fe, err.Fields...)
		}
	}
	if in.DefaultShipping != nil {
		a.DefaultShipping = *in.DefaultShipping
	}
	if in.DefaultBilling != nil {
		a.DefaultBilling = *in.DefaultBilling
	}
	return fe.err()
}
