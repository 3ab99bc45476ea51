package identitydb

import (
	"context"
	"database/sql"
	"time"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

func (s *Store) QueueMail(ctx context.Context, m identity.Mail) error {
	return s.QueueMails(ctx, []identity.Mail{m})
}

// QueueMails implements identity.Store: one multi-row insert (the order
// mails of a batch of consumed events).
func (s *Store) QueueMails(ctx context.Context, mails []identity.Mail) error {
	if len(mails) == 0 {
		return nil
	}
	q, args := sqldb.MultiInsert(`INSERT INTO mail (id, recipient, subject, body, created_at, next_attempt_at) VALUES `, 6, len(mails))
	for _, m := range mails {
		args = append(args, m.ID, m.To, m.Subject, m.Body, ms(m.CreatedAt), ms(m.CreatedAt))
	}
	_, err := s.q.ExecContext(ctx, q, args...)
	return wrap("queue mail", err)
}

func scanMails(rows *sql.Rows, err error) ([]identity.Mail, error) {
	if err != nil {
		return nil, wrap("read mail", err)
	}
	defer rows.Close()
	out := []identity.Mail{}
	for rows.Next() {
		var m identity.Mail
		var created int64
		var sent sql.NullInt64
		if err := rows.Scan(&m.ID, &m.To, &m.Subject, &m.Body, &created, &sent); err != nil {
			return nil, wrap("read mail", err)
		}
		m.CreatedAt = fromMS(created)
		if sent.Valid {
			t := fromMS(sent.Int64)
			m.SentAt = &t
		}
		out = append(out, m)
	}
	return out, wrap("read mail", rows.Err())
}

// DueMail claims by moving next_attempt_at; the outer condition is checked
// again on the locked row (PostgreSQL) or under the one writer (SQLite), so
// two mailers never claim the same message.
func (s *Store) DueMail(ctx context.Context, now, claimUntil time.Time, limit int) ([]identity.Mail, error) {
	return scanMails(s.q.QueryContext(ctx, `UPDATE mail SET next_attempt_at = $2
		WHERE sent_at IS NULL AND NOT failed AND next_attempt_at <= $1 AND id IN (
			SELECT id FROM mail WHERE sent_at IS NULL AND NOT failed AND next_attempt_at <= $1 ORDER BY next_attempt_at LIMIT $3)
		RETURNING id, recipient, subject, body, created_at, sent_at`, ms(now), ms(claimUntil), limit))
}

func (s *Store) MarkMailSent(ctx context.Context, id string, at time.Time) error {
	_, err := s.q.ExecContext(ctx, `UPDATE mail SET sent_at = $2 WHERE id = $1`, id, ms(at))
	return wrap("mark mail sent", err)
}

func (s *Store) RetryMail(ctx context.Context, id string, next time.Time, maxAttempts int) error {
	_, err := s.q.ExecContext(ctx, `UPDATE mail SET attempts = attempts + 1, next_attempt_at = $2, failed = (attempts + 1 >= $3) WHERE id = $1`,
		id, ms(next), maxAttempts)
	return wrap("retry mail", err)
}

func (s *Store) RecentMail(ctx context.Context, limit int) ([]identity.Mail, error) {
	return scanMails(s.q.QueryContext(ctx, `SELECT id, recipient, subject, body, created_at, sent_at FROM mail ORDER BY created_at DESC, id DESC LIMIT $1`, limit))
}

func (s *Store) DeleteMailTo(ctx context.Context, to string) error {
	_, err := s.q.ExecContext(ctx, `DELETE FROM mail WHERE recipient = $1`, to)
	return wrap("delete mail", err)
}
