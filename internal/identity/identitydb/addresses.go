package identitydb

import (
	"context"
	"database/sql"
	"errors"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

const addressCols = `id, name, phone, line1, line2, landmark, city, state, postal_code, country, default_shipping, default_billing, created_at, updated_at`

func scanAddress(r sqldb.Scanner) (identity.Address, error) {
	var a identity.Address
	var created, updated int64
	err := r.Scan(&a.ID, &a.Name, &a.Phone, &a.Line1, &a.Line2, &a.Landmark, &a.City, &a.State, &a.PostalCode, &a.Country,
		&a.DefaultShipping, &a.DefaultBilling, &created, &updated)
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	return a, err
}

func (s *Store) Addresses(ctx context.Context, userID string) ([]identity.Address, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+addressCols+` FROM addresses WHERE user_id = $1
		ORDER BY default_shipping DESC, default_billing DESC, created_at DESC, id DESC`, userID)
	if err != nil {
		return nil, wrap("list addresses", err)
	}
	defer rows.Close()
	out := []identity.Address{}
	for rows.Next() {
		a, err := scanAddress(rows)
		if err != nil {
			return nil, wrap("list addresses", err)
		}
		out = append(out, a)
	}
	return out, wrap("list addresses", rows.Err())
}

// Address reads an address of userID only: someone else's is not found.
func (s *Store) Address(ctx context.Context, userID, id string) (identity.Address, error) {
	a, err := scanAddress(s.q.QueryRowContext(ctx, `SELECT `+addressCols+` FROM addresses WHERE id = $1 AND user_id = $2`, id, userID))
	if errors.Is(err, sql.ErrNoRows) {
		return a, identity.ErrAddressNotFound
	}
	return a, wrap("read address", err)
}

func (s *Store) CreateAddress(ctx context.Context, userID string, a identity.Address) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO addresses (user_id, `+addressCols+`)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15)`,
		userID, a.ID, a.Name, a.Phone, a.Line1, a.Line2, a.Landmark, a.City, a.State, a.PostalCode, a.Country,
		a.DefaultShipping, a.DefaultBilling, ms(a.CreatedAt), ms(a.UpdatedAt))
	return wrap("create address", err)
}

func (s *Store) UpdateAddress(ctx context.Context, userID string, a identity.Address) error {
	res, err := s.q.ExecContext(ctx, `UPDATE addresses SET name = $3, phone = $4, line1 = $5, line2 = $6, landmark = $7, city = $8,
		state = $9, postal_code = $10, country = $11, default_shipping = $12, default_billing = $13, updated_at = $14
		WHERE id = $1 AND user_id = $2`,
		a.ID, userID, a.Name, a.Phone, a.Line1, a.Line2, a.Landmark, a.City, a.State, a.PostalCode, a.Country,
		a.DefaultShipping, a.DefaultBilling, ms(a.UpdatedAt))
	if err != nil {
		return wrap("update address", err)
	}
	if affected(res) == 0 {
		return identity.ErrAddressNotFound
	}
	return nil
}

func (s *Store) DeleteAddress(ctx context.Context, userID, id string) error {
	res, err := s.q.ExecContext(ctx, `DELETE FROM addresses WHERE id = $1 AND user_id = $2`, id, userID)
	if err != nil {
		return wrap("delete address", err)
	}
	if affected(res) == 0 {
		return identity.ErrAddressNotFound
	}
	return nil
}

func (s *Store) ClearDefaults(ctx context.Context, userID, exceptID string, shipping, billing bool) error {
	if !shipping && !billing {
		return nil
	}
	_, err := s.q.ExecContext(ctx, `UPDATE addresses SET
		default_shipping = CASE WHEN $3 THEN false ELSE default_shipping END,
		default_billing = CASE WHEN $4 THEN false ELSE default_billing END
		WHERE user_id = $1 AND id <> $2`, userID, exceptID, shipping, billing)
	return wrap("clear default addresses", err)
}

func (s *Store) DeleteAddresses(ctx context.Context, userID string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM addresses WHERE user_id = $1`, userID)
	return wrap("delete addresses", err)
}
