package idempotency_test

import (
	"context"
	"errors"
	"net/http"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/idempotency"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

var t0 = time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)

// forEachStore runs fn on a migrated Store of every dialect.
func forEachStore(t *testing.T, fn func(t *testing.T, s *idempotency.Store)) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		fn(t, newStore(t, db))
	})
}

func newStore(t *testing.T, db *sqldb.DB) *idempotency.Store {
	t.Helper()
	if _, err := db.Migrate(context.Background(), idempotency.Migrations); err != nil {
		t.Fatalf("migrate: %v", err)
	}
	return idempotency.NewStore(db)
}

func claimAt(at time.Time, hash string) idempotency.Record {
	return idempotency.Record{
		Scope: "POST /orders caller", Key: "k1", RequestHash: hash,
		CreatedAt: at, LockedUntil: at.Add(5 * time.Minute), ExpiresAt: at.Add(24 * time.Hour),
	}
}

func TestStoreClaimCompleteGet(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *idempotency.Store) {
		ctx := context.Background()
		if _, err := s.Get(ctx, "POST /orders caller", "k1"); !errors.Is(err, idempotency.ErrNotFound) {
			t.Fatalf("Get on an empty store = %v, want ErrNotFound", err)
		}
		mine, claimed, err := s.Claim(ctx, claimAt(t0, "h1"))
		if err != nil || !claimed || mine.State != idempotency.InProgress {
			t.Fatalf("first claim = %v, %v, %v; want an in-progress claim", mine.State, claimed, err)
		}
		held, claimed, err := s.Claim(ctx, claimAt(t0.Add(time.Second), "h2"))
		if err != nil || claimed {
			t.Fatalf("second claim = %v, %v; want the held record", claimed, err)
		}
		if held.State != idempotency.InProgress || held.RequestHash != "h1" {
			t.Fatalf("held record = %+v; want the first claim", held)
		}

		resp := idempotency.Response{
			Status: http.StatusCreated,
			Header: http.Header{"Content-Type": {"application/json"}, "Location": {"/orders/1"}},
			Body:   []byte("{\"id\":\"1\"}\n\x00\xff"), // not text: bytes are stored as bytes
		}
		if err := s.Complete(ctx, mine, resp); err != nil {
			t.Fatalf("complete: %v", err)
		}
		got, err := s.Get(ctx, mine.Scope, mine.Key)
		if err != nil {
			t.Fatal(err)
		}
		if got.State != idempotency.Completed || got.Response.Status != resp.Status ||
			string(got.Response.Body) != string(resp.Body) ||
			got.Response.Header.Get("Location") != "/orders/1" || got.Response.Header.Get("Content-Type") != "application/json" {
			t.Fatalf("stored %+v, want %+v", got.Response, resp)
		}
		if !got.CreatedAt.Equal(t0) || !got.ExpiresAt.Equal(t0.Add(24*time.Hour)) {
			t.Fatalf("times %v..%v, want %v..%v", got.CreatedAt, got.ExpiresAt, t0, t0.Add(24*time.Hour))
		}
		if err := s.Complete(ctx, mine, resp); !errors.Is(err, idempotency.ErrClaimLost) {
			t.Fatalf("completing twice = %v, want ErrClaimLost", err)
		}
	})
}

func TestStoreEmptyBodyIsNotInProgress(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *idempotency.Store) {
		ctx := context.Background()
		mine, _, err := s.Claim(ctx, claimAt(t0, "h"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Complete(ctx, mine, idempotency.Response{Status: http.StatusNoContent}); err != nil {
			t.Fatal(err)
		}
		got, err := s.Get(ctx, mine.Scope, mine.Key)
		if err != nil || got.State != idempotency.Completed || got.Response.Status != http.StatusNoContent || len(got.Response.Body) != 0 {
			t.Fatalf("got %+v, %v; want a completed 204 with no body", got, err)
		}
	})
}

func TestStoreRelease(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *idempotency.Store) {
		ctx := context.Background()
		first, _, err := s.Claim(ctx, claimAt(t0, "h"))
		if err != nil {
			t.Fatal(err)
		}
		if err := s.Release(ctx, first); err != nil {
			t.Fatal(err)
		}
		if _, err := s.Get(ctx, first.Scope, first.Key); !errors.Is(err, idempotency.ErrNotFound) {
			t.Fatalf("after release Get = %v, want ErrNotFound", err)
		}
		second, claimed, err := s.Claim(ctx, claimAt(t0, "h"))
		if err != nil || !claimed {
			t.Fatalf("claim after release = %v, %v; want claimed", claimed, err)
		}
		// A stale claimant must not release a claim that is no longer its own.
		if err := s.Release(ctx, first); err != nil {
			t.Fatal(err)
		}
		if got, err := s.Get(ctx, second.Scope, second.Key); err != nil || got.State != idempotency.InProgress {
			t.Fatalf("a stale release dropped the new claim: %+v, %v", got, err)
		}
	})
}

// A claim whose process died is taken over once its lock runs out; the dead
// claimant, should it come back, cannot overwrite the new outcome.
func TestStoreAbandonedClaimIsTakenOver(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *idempotency.Store) {
		ctx := context.Background()
		dead, _, err := s.Claim(ctx, claimAt(t0, "h"))
		if err != nil {
			t.Fatal(err)
		}
		if _, claimed, err := s.Claim(ctx, claimAt(t0.Add(4*time.Minute), "h")); err != nil || claimed {
			t.Fatalf("claim inside the lock = %v, %v; want refused", claimed, err)
		}
		live, claimed, err := s.Claim(ctx, claimAt(t0.Add(6*time.Minute), "h"))
		if err != nil || !claimed {
			t.Fatalf("claim after the lock ran out = %v, %v; want claimed", claimed, err)
		}
		if err := s.Complete(ctx, dead, idempotency.Response{Status: 201}); !errors.Is(err, idempotency.ErrClaimLost) {
			t.Fatalf("stale complete = %v, want ErrClaimLost", err)
		}
		if err := s.Complete(ctx, live, idempotency.Response{Status: 202}); err != nil {
			t.Fatal(err)
		}
		// A completed record is kept to its expiry, however old its lock.
		if held, claimed, err := s.Claim(ctx, claimAt(t0.Add(time.Hour), "h")); err != nil || claimed || held.Response.Status != 202 {
			t.Fatalf("claim on a completed record = %+v, %v, %v; want the stored 202", held.Response, claimed, err)
		}
	})
}

func TestStoreSweep(t *testing.T) {
	forEachStore(t, func(t *testing.T, s *idempotency.Store) {
		ctx := context.Background()
		for i, key := range []string{"a", "b", "c"} {
			rec := claimAt(t0.Add(time.Duration(i)*time.Hour), "h")
			rec.Key = key
			mine, _, err := s.Claim(ctx, rec)
			if err != nil {
				t.Fatal(err)
			}
			if key != "c" { // one left in progress: expiry applies to it too
				if err := s.Complete(ctx, mine, idempotency.Response{Status: 200}); err != nil {
					t.Fatal(err)
				}
			}
		}
		steps := []struct {
			at   time.Time
			want int64
		}{
			{t0.Add(24*time.Hour - time.Millisecond), 0},
			{t0.Add(24 * time.Hour), 1}, // expiry is inclusive
			{t0.Add(24 * time.Hour), 0},
			{t0.Add(48 * time.Hour), 2},
		}
		for _, st := range steps {
			n, err := s.Sweep(ctx, st.at)
			if err != nil || n != st.want {
				t.Fatalf("Sweep(%v) = %d, %v; want %d", st.at, n, err, st.want)
			}
		}
	})
}

// More expired records than one delete batch takes.
func TestStoreSweepBatches(t *testing.T) {
	sqldbtest.ForEachDialect(t, func(t *testing.T, db *sqldb.DB) {
		s := newStore(t, db)
		ctx := context.Background()
		const records = 2500
		_, err := db.ExecContext(ctx, `WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < $1)
			INSERT INTO idempotency_keys (scope, idempotency_key, request_hash, token, state, created_at, locked_until, expires_at)
			SELECT 'scope', 'k' || i, 'h', 't', 'in_progress', $2, $2, $2 FROM n`, records, t0.UnixMilli())
		if err != nil {
			t.Fatal(err)
		}
		n, err := s.Sweep(ctx, t0)
		if err != nil || n != records {
			t.Fatalf("Sweep = %d, %v; want %d", n, err, records)
		}
	})
}
