package identitydb

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

const sessionCols = `s.id, s.user_id, s.token_hash, s.created_at, s.last_seen_at, s.expires_at, s.idle_ms, s.mfa, s.user_agent, s.ip`

func scanSession(r sqldb.Scanner, extra ...any) (identity.SessionRecord, error) {
	var x identity.SessionRecord
	var created, seen, expires, idle int64
	dest := append([]any{&x.ID, &x.UserID, &x.TokenHash, &created, &seen, &expires, &idle, &x.MFA, &x.UserAgent, &x.IP}, extra...)
	if err := r.Scan(dest...); err != nil {
		return x, err
	}
	x.CreatedAt, x.LastSeenAt, x.ExpiresAt = fromMS(created), fromMS(seen), fromMS(expires)
	x.IdleTimeout = time.Duration(idle) * time.Millisecond
	return x, nil
}

func (s *Store) CreateSession(ctx context.Context, x identity.SessionRecord) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO sessions (id, user_id, token_hash, created_at, last_seen_at, expires_at, idle_ms, mfa, user_agent, ip)
		VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)`,
		x.ID, x.UserID, x.TokenHash, ms(x.CreatedAt), ms(x.LastSeenAt), ms(x.ExpiresAt), x.IdleTimeout.Milliseconds(), x.MFA, x.UserAgent, x.IP)
	return wrap("create session", err)
}

func (s *Store) SessionByHash(ctx context.Context, hash string) (identity.SessionRecord, authn.Role, error) {
	var role string
	x, err := scanSession(s.q.QueryRowContext(ctx, `SELECT `+sessionCols+`, a.role FROM sessions s JOIN accounts a ON a.id = s.user_id
		WHERE s.token_hash = $1`, hash), &role)
	if errors.Is(err, sql.ErrNoRows) {
		return x, "", identity.ErrInvalidSession
	}
	return x, authn.Role(role), wrap("read session", err)
}

func (s *Store) TouchSession(ctx context.Context, id string, at time.Time) error {
	res, err := s.q.ExecContext(ctx, `UPDATE sessions SET last_seen_at = CASE WHEN last_seen_at < $2 THEN $2 ELSE last_seen_at END WHERE id = $1`, id, ms(at))
	if err != nil {
		return wrap("touch session", err)
	}
	if affected(res) == 0 {
		return identity.ErrInvalidSession
	}
	return nil
}

func (s *Store) DeleteSession(ctx context.Context, userID, id string) (string, error) {
	var hash string
	err := s.q.QueryRowContext(ctx, `DELETE FROM sessions WHERE id = $1 AND user_id = $2 RETURNING token_hash`, id, userID).Scan(&hash)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nil
	}
	return hash, wrap("delete session", err)
}

func (s *Store) DeleteSessions(ctx context.Context, userID, keepID string) ([]string, error) {
	rows, err := s.q.QueryContext(ctx, `DELETE FROM sessions WHERE user_id = $1 AND id <> $2 RETURNING token_hash`, userID, keepID)
	if err != nil {
		return nil, wrap("delete sessions", err)
	}
	defer rows.Close()
	var out []string
	for rows.Next() {
		var h string
		if err := rows.Scan(&h); err != nil {
			return nil, wrap("delete sessions", err)
		}
		out = append(out, h)
	}
	return out, wrap("delete sessions", rows.Err())
}

func (s *Store) Sessions(ctx context.Context, userID string) ([]identity.SessionRecord, error) {
	rows, err := s.q.QueryContext(ctx, `SELECT `+sessionCols+` FROM sessions s WHERE s.user_id = $1 ORDER BY s.created_at DESC, s.id DESC`, userID)
	if err != nil {
		return nil, wrap("list sessions", err)
	}
	defer rows.Close()
	var out []identity.SessionRecord
	for rows.Next() {
		x, err := scanSession(rows)
		if err != nil {
			return nil, wrap("list sessions", err)
		}
		out = append(out, x)
	}
	return out, wrap("list sessions", rows.Err())
}

func (s *Store) CreateToken(ctx context.Context, t identity.TokenRecord) error {
	_, err := s.q.ExecContext(ctx, `INSERT INTO tokens (hash, user_id, purpose, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)`,
		t.Hash, t.UserID, string(t.Purpose), ms(t.CreatedAt), ms(t.ExpiresAt))
	return wrap("create token", err)
}

func (s *Store) ConsumeToken(ctx context.Context, hash string, purpose identity.TokenPurpose, now time.Time) (string, error) {
	var uid string
	err := s.q.QueryRowContext(ctx, `UPDATE tokens SET used_at = $3
		WHERE hash = $1 AND purpose = $2 AND used_at IS NULL AND expires_at > $3 RETURNING user_id`,
		hash, string(purpose), ms(now)).Scan(&uid)
	if errors.Is(err, sql.ErrNoRows) {
		return "", identity.ErrInvalidToken
	}
	return uid, wrap("consume token", err)
}

func (s *Store) DeleteTokens(ctx context.Context, userID string, purpose identity.TokenPurpose) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM tokens WHERE user_id = $1 AND ($2 = '' OR purpose = $2)`, userID, string(purpose))
	return wrap("delete tokens", err)
}
