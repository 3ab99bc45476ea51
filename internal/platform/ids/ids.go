// Package ids makes and checks Bazaar's identifiers: UUIDv7 strings in the
// canonical lower-case 8-4-4-4-12 form. Version 7 puts a millisecond
// timestamp first and keeps ids made by one process in a millisecond
// increasing, so ids sort by creation time as strings and as PostgreSQL uuid
// values, and new rows land at the right edge of a B-tree index instead of
// splitting random pages.
package ids

import (
	"strconv"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/google/uuid"
)

// ErrInvalid is returned for a string that is not an id.
var ErrInvalid = errs.Invalid("invalid_id", "not a valid id")

// New returns a fresh UUIDv7 string.
func New() string {
	id, err := uuid.NewV7()
	if err != nil {
		// Only a failing crypto/rand gets here, and then nothing is safe to mint.
		panic("ids: " + err.Error())
	}
	return id.String()
}

// Parse checks s and returns it in canonical form. Besides the canonical form
// it accepts upper case, braces and the urn:uuid: prefix, as clients send
// them; it rejects the nil UUID. Any UUID version passes, so ids minted
// elsewhere (a v4 from an import) are still usable.
func Parse(s string) (string, error) {
	id, err := uuid.Parse(s)
	if err != nil || id == uuid.Nil || id.Variant() != uuid.RFC4122 {
		return "", invalid(s)
	}
	return id.String(), nil
}

// Valid reports an invalid_id error when s is not an id.
func Valid(s string) error {
	_, err := Parse(s)
	return err
}

// Time returns the creation time a UUIDv7 carries, to the millisecond.
func Time(s string) (time.Time, error) {
	id, err := uuid.Parse(s)
	if err != nil || id.Version() != 7 {
		return time.Time{}, invalid(s)
	}
	sec, nsec := id.Time().UnixTime()
	return time.Unix(sec, nsec), nil
}

func invalid(s string) error {
	if len(s) > 48 {
		s = s[:48]
	}
	return ErrInvalid.With(strconv.Quote(s) + " is not a valid id")
}
