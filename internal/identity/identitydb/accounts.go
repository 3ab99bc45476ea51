package identitydb

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

const accountCols = `id, email, name, phone, role, email_verified, password_hash, totp_secret, totp_pending, totp_last_step, preferences, erased, created_at, updated_at`

func scanAccount(r sqldb.Scanner) (identity.Account, error) {
	var a identity.Account
	var role, prefs string
	var created, updated int64
	err := r.Scan(&a.ID, &a.Email, &a.Name, &a.Phone, &role, &a.EmailVerified, &a.PasswordHash,
		&a.TOTPSecret, &a.TOTPPending, &a.TOTPLastStep, &prefs, &a.Erased, &created, &updated)
	if err != nil {
		return a, err
	}
	a.Role = authn.Role(role)
	a.TOTPEnabled = a.TOTPSecret != ""
	a.CreatedAt, a.UpdatedAt = fromMS(created), fromMS(updated)
	if err := json.Unmarshal([]byte(prefs), &a.Preferences); err != nil {
		return a, err
	}
	if a.Preferences.Sizes == nil {
		a.Preferences.Sizes = []string{}
	}
	if a.Preferences.FavouriteCategories == nil {
		a.Preferences.FavouriteCategories = []string{}
	}
	return a, nil
}

func prefsJSON(p identity.Preferences) string {
	b, _ := json.Marshal(p)
	return string(b)
}

func (s *Store) CreateAccount(ctx context.Context, a identity.Account) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO accounts (`+accountCols+`) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)`,
		a.ID, a.Email, a.Name, a.Phone, string(a.Role), a.EmailVerified, a.PasswordHash, a.TOTPSecret, a.TOTPPending, a.TOTPLastStep,
		prefsJSON(a.Preferences), a.Erased, ms(a.CreatedAt), ms(a.UpdatedAt))
	if errors.Is(sqldb.MapError(err), sqldb.ErrConflict) {
		return identity.ErrEmailTaken
	}
	return wrap("create account", err)
}

func (s *Store) account(ctx context.Context, where string, arg any) (identity.Account, error) {
	a, err := scanAccount(s.q.QueryRowContext(ctx, `SELECT `+accountCols+` FROM accounts WHERE `+where, arg))
	if errors.Is(err, sql.ErrNoRows) {
		return a, identity.ErrUserNotFound
	}
	return a, wrap("read account", err)
}

func (s *Store) Account(ctx context.Context, id string) (identity.Account, error) {
	return s.account(ctx, "id = $1", id)
}

func (s *Store) AccountByEmail(ctx context.Context, email string) (identity.Account, error) {
	return s.account(ctx, "email = $1", email)
}

func (s *Store) UpdateAccount(ctx context.Context, a identity.Account) error {
	res, err := s.q.ExecContext(ctx, `UPDATE accounts SET email = $2, name = $3, phone = $4, role = $5, email_verified = $6,
		password_hash = $7, totp_secret = $8, totp_pending = $9, totp_last_step = $10, preferences = $11, erased = $12, updated_at = $13
		WHERE id = $1`,
		a.ID, a.Email, a.Name, a.Phone, string(a.Role), a.EmailVerified, a.PasswordHash, a.TOTPSecret, a.TOTPPending,
		a.TOTPLastStep, prefsJSON(a.Preferences), a.Erased, ms(a.UpdatedAt))
	if errors.Is(sqldb.MapError(err), sqldb.ErrConflict) {
		return identity.ErrEmailTaken
	}
	if err != nil {
		return wrap("update account", err)
	}
	if affected(res) == 0 {
		return identity.ErrUserNotFound
	}
	return nil
}

// likeEscaper makes user input literal in a LIKE pattern.
var likeEscaper = strings.NewReplacer(`\`, `\\`, `%`, `\%`, `_`, `\_`)

func (s *Store) Accounts(ctx context.Context, q identity.UserQuery) ([]identity.Account, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+accountCols+` FROM accounts
		WHERE NOT erased AND email LIKE $1 ESCAPE '\' AND ($2 = '' OR role = $2) AND id > $3
		ORDER BY id LIMIT $4`,
		likeEscaper.Replace(q.Email)+"%", string(q.Role), q.PageToken, q.PageSize)
	if err != nil {
		return nil, wrap("list accounts", err)
	}
	defer rows.Close()
	var out []identity.Account
	for rows.Next() {
		a, err := scanAccount(rows)
		if err != nil {
			return nil, wrap("list accounts", err)
		}
		out = append(out, a)
	}
	return out, wrap("list accounts", rows.Err())
}

func (s *Store) CountRole(ctx context.Context, role authn.Role) (int, error) {
	var n int
	err := s.q.QueryRowContext(ctx, `SELECT count(*) FROM accounts WHERE role = $1 AND NOT erased`, string(role)).Scan(&n)
	return n, wrap("count role", err)
}
