package idempotency

import (
	"context"
	"crypto/rand"
	"database/sql"
	"embed"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

//go:embed migrations
var migrationsFS embed.FS

// Migrations creates the records table in a service's store; run it with
// db.Migrate before using a Store on db.
var Migrations = sqldb.EmbeddedMigrations("idempotency", migrationsFS, "migrations")

// State is where the request behind a record stands.
type State string

const (
	InProgress State = "in_progress" // claimed; the handler has not finished
	Completed  State = "completed"   // the response is stored for replay
)

// ErrNotFound is returned by Get when no record exists.
var ErrNotFound = errs.NotFound("idempotency_record_not_found", "no request was recorded under this key")

// ErrClaimLost is returned by Complete when the claim expired and another
// request took the key over, so the response is not stored.
var ErrClaimLost = errs.Conflict("idempotency_claim_lost", "the idempotency key was taken over by a later request")

// Response is what a replay sends back.
type Response struct {
	Status int
	Header http.Header // only the headers worth replaying
	Body   []byte
}

// Record is one idempotency key's request and, once completed, its response.
type Record struct {
	Scope       string // who and where: caller, method and route
	Key         string // the client's Idempotency-Key
	RequestHash string // hex SHA-256 of method, path and body
	State       State
	Response    Response // set once State is Completed
	CreatedAt   time.Time
	LockedUntil time.Time // an in-progress claim older than this is abandoned
	ExpiresAt   time.Time // the record is forgotten after this

	token string // identifies one claim, so a stale claimant cannot complete a newer one
}

// Store keeps idempotency records in a service's own SQL store.
type Store struct {
	db *sqldb.DB
}

// NewStore returns a Store on db, which must have Migrations applied.
func NewStore(db *sqldb.DB) *Store { return &Store{db: db} }

// Claim tries to record that the request rec describes has started. It
// returns the caller's claim and true, or the record already held under
// (rec.Scope, rec.Key) and false. A record past ExpiresAt, or an in-progress
// claim past LockedUntil (its process died), is replaced; both are judged
// against rec.CreatedAt.
func (s *Store) Claim(ctx context.Context, rec Record) (Record, bool, error) {
	rec.State = InProgress
	rec.Response = Response{}
	rec.token = newToken()
	now := rec.CreatedAt.UnixMilli()
	// The existing record may be released between our insert and our read;
	// then the key is free again and the claim is retried.
	for range 3 {
		var claimed bool
		err := s.db.InTx(ctx, func(tx *sql.Tx) error {
			_, err := tx.ExecContext(ctx, `DELETE FROM idempotency_keys
				WHERE scope = $1 AND idempotency_key = $2
				AND (expires_at <= $3 OR (state = 'in_progress' AND locked_until <= $3))`,
				rec.Scope, rec.Key, now)
			if err != nil {
				return err
			}
			res, err := tx.ExecContext(ctx, `INSERT INTO idempotency_keys
				(scope, idempotency_key, request_hash, token, state, created_at, locked_until, expires_at)
				VALUES ($1, $2, $3, $4, 'in_progress', $5, $6, $7)
				ON CONFLICT (scope, idempotency_key) DO NOTHING`,
				rec.Scope, rec.Key, rec.RequestHash, rec.token, now, rec.LockedUntil.UnixMilli(), rec.ExpiresAt.UnixMilli())
			if err != nil {
				return err
			}
			n, err := res.RowsAffected()
			claimed = n == 1
			return err
		})
		if err != nil {
			return Record{}, false, fmt.Errorf("claim idempotency key: %w", sqldb.MapError(err))
		}
		if claimed {
			return rec, true, nil
		}
		held, err := s.Get(ctx, rec.Scope, rec.Key)
		if errors.Is(err, ErrNotFound) {
			continue
		}
		return held, false, err
	}
	return Record{}, false, errs.Unavailable("idempotency_busy", "the idempotency key is changing hands; retry")
}

// Complete stores resp as the outcome of the claim rec returned by Claim.
func (s *Store) Complete(ctx context.Context, rec Record, resp Response) error {
	header, err := json.Marshal(resp.Header)
	if err != nil {
		return fmt.Errorf("encode response headers: %w", err)
	}
	body := resp.Body
	if body == nil {
		body = []byte{} // NULL means "no response yet"
	}
	res, err := s.db.ExecContext(ctx, `UPDATE idempotency_keys
		SET state = 'completed', status = $1, headers = $2, body = $3
		WHERE scope = $4 AND idempotency_key = $5 AND token = $6 AND state = 'in_progress'`,
		resp.Status, string(header), body, rec.Scope, rec.Key, rec.token)
	if err != nil {
		return fmt.Errorf("complete idempotency key: %w", sqldb.MapError(err))
	}
	if n, err := res.RowsAffected(); err != nil {
		return fmt.Errorf("complete idempotency key: %w", sqldb.MapError(err))
	} else if n == 0 {
		return ErrClaimLost
	}
	return nil
}

// Release drops the claim rec, so the key can be used again (the request
// failed in a way the client should retry). Releasing a claim that is gone
// is not an error.
func (s *Store) Release(ctx context.Context, rec Record) error {
	_, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys
		WHERE scope = $1 AND idempotency_key = $2 AND token = $3 AND state = 'in_progress'`,
		rec.Scope, rec.Key, rec.token)
	if err != nil {
		return fmt.Errorf("release idempotency key: %w", sqldb.MapError(err))
	}
	return nil
}

// Get returns the record held under (scope, key), or ErrNotFound.
func (s *Store) Get(ctx context.Context, scope, key string) (Record, error) {
	var (
		rec                           Record
		state, header                 string
		created, lockedUntil, expires int64
	)
	err := s.db.QueryRowContext(ctx, `SELECT request_hash, token, state, COALESCE(status, 0),
		COALESCE(headers, ''), body, created_at, locked_until, expires_at
		FROM idempotency_keys WHERE scope = $1 AND idempotency_key = $2`, scope, key).
		Scan(&rec.RequestHash, &rec.token, &state, &rec.Response.Status, &header, &rec.Response.Body,
			&created, &lockedUntil, &expires)
	if sqldb.IsNoRows(err) {
		return Record{}, ErrNotFound
	}
	if err != nil {
		return Record{}, fmt.Errorf("get idempotency key: %w", sqldb.MapError(err))
	}
	if header != "" {
		if err := json.Unmarshal([]byte(header), &rec.Response.Header); err != nil {
			return Record{}, fmt.Errorf("decode stored headers: %w", err)
		}
	}
	rec.Scope, rec.Key, rec.State = scope, key, State(state)
	rec.CreatedAt, rec.LockedUntil, rec.ExpiresAt = time.UnixMilli(created), time.UnixMilli(lockedUntil), time.UnixMilli(expires)
	return rec, nil
}

// sweepBatch bounds each delete, so a large backlog never holds the write
// lock (SQLite's only one) for long.
const sweepBatch = 1000

// Sweep deletes the records that expired at or before now and reports how
// many it deleted. Run it periodically.
func (s *Store) Sweep(ctx context.Context, now time.Time) (int64, error) {
	var total int64
	for {
		res, err := s.db.ExecContext(ctx, `DELETE FROM idempotency_keys
			WHERE (scope, idempotency_key) IN (
				SELECT scope, idempotency_key FROM idempotency_keys WHERE expires_at <= $1 LIMIT $2)`,
			now.UnixMilli(), sweepBatch)
		if err != nil {
			return total, fmt.Errorf("sweep idempotency keys: %w", sqldb.MapError(err))
		}
		n, err := res.RowsAffected()
		if err != nil {
			return total, fmt.Errorf("sweep idempotency keys: %w", sqldb.MapError(err))
		}
		total += n
		if n < sweepBatch {
			return total, nil
		}
	}
}

func newToken() string {
	var b [16]byte
	_, _ = rand.Read(b[:]) // never fails: crypto/rand panics rather than return an error
	return hex.EncodeToString(b[:])
}
