package sqldb

import (
	"context"
	"errors"
	"net"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// Driver error codes, compared by number, never by message text.
const (
	pgUniqueViolation     = "23505"
	pgForeignKeyViolation = "23503"
	pgCheckViolation      = "23514"
	pgSerialization       = "40001"
	pgDeadlock            = "40P01"
)

// ErrConflict is the sentinel behind unique violations.
var ErrConflict = errs.Conflict("already_exists", "a record with the same key already exists")

// MapError turns driver errors into Bazaar errors: a unique violation becomes
// errs.KindConflict (code already_exists), a foreign key or check violation
// becomes KindConflict too (the referenced record's state forbids the write),
// a lost connection becomes KindUnavailable. Anything else is returned as is.
func MapError(err error) error {
	if err == nil {
		return nil
	}
	var pgErr *pgconn.PgError
	if errors.As(err, &pgErr) {
		switch pgErr.Code {
		case pgUniqueViolation:
			return ErrConflict.Wrap(err)
		case pgForeignKeyViolation:
			return errs.Conflict("reference_violation", "a referenced record does not exist or is still in use").Wrap(err)
		case pgCheckViolation:
			return errs.Conflict("constraint_violation", "the change breaks a rule of the store").Wrap(err)
		case pgSerialization, pgDeadlock:
			return errs.Conflict("concurrent_update", "a concurrent change interfered; retry").Wrap(err)
		}
		return err
	}
	var sqErr *sqlite.Error
	if errors.As(err, &sqErr) {
		// The driver turns on extended result codes: constraint failures come
		// as SQLITE_CONSTRAINT_UNIQUE and so on, and a lock failure may carry
		// any of several extensions of SQLITE_BUSY or SQLITE_LOCKED.
		code := sqErr.Code()
		switch code {
		case sqlite3.SQLITE_CONSTRAINT_UNIQUE, sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY:
			return ErrConflict.Wrap(err)
		case sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY:
			return errs.Conflict("reference_violation", "a referenced record does not exist or is still in use").Wrap(err)
		case sqlite3.SQLITE_CONSTRAINT_CHECK:
			return errs.Conflict("constraint_violation", "the change breaks a rule of the store").Wrap(err)
		case sqlite3.SQLITE_BUSY_SNAPSHOT:
			// A read transaction tried to write after another writer
			// committed: SQLite's serialization failure.
			return errs.Conflict("concurrent_update", "a concurrent change interfered; retry").Wrap(err)
		}
		switch code & 0xff {
		case sqlite3.SQLITE_BUSY, sqlite3.SQLITE_LOCKED:
			return errs.Unavailable("store_busy", "the store is busy; retry").Wrap(err)
		}
		return err
	}
	var netErr net.Error
	if errors.As(err, &netErr) || errors.Is(err, context.DeadlineExceeded) {
		return errs.Unavailable("store_unavailable", "the store did not answer").Wrap(err)
	}
	return err
}

func isUniqueViolation(err error) bool {
	var pgErr *pgconn.PgError
	return errors.As(err, &pgErr) && pgErr.Code == pgUniqueViolation
}

func unavailable(what string, err error) error {
	return errs.Unavailable("store_unavailable", what+" is unreachable").Wrap(err)
}
