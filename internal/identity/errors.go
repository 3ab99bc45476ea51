package identity

import (
	"errors"
	"slices"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/india"
)

// The errors identity returns; errors.Is matches them after a round trip
// through HTTP.
var (
	// ErrInvalidCredentials is every failed password sign-in: unknown
	// address, wrong password, or an address not yet verified (which gets a
	// fresh link). One answer, so it tells nobody which accounts exist.
	ErrInvalidCredentials = errs.Unauthenticated("invalid_credentials", "the email or password is wrong, or the address is not verified yet (if so, a new link is on its way)")
	ErrTOTPRequired       = errs.Unauthenticated("totp_required", "this account signs in with a code from an authenticator app: send it as totp")
	ErrInvalidTOTP        = errs.Unauthenticated("invalid_totp", "the authenticator code is wrong or was already used")
	ErrInvalidSession     = errs.Unauthenticated("invalid_session", "the session is unknown or has ended; sign in again")
	ErrWrongPassword      = errs.Forbidden("wrong_password", "the current password is wrong")
	ErrInvalidToken       = errs.Invalid("invalid_token", "the link is invalid, used or expired; ask for a new one")
	ErrThrottled          = errs.E(errs.KindTooManyRequests, "too_many_attempts", "too many attempts; wait and try again")
	ErrBusy               = errs.Unavailable("busy", "too many sign-ins at once; retry in a moment")
	ErrWeakPassword       = errs.Invalid("weak_password", "choose a longer or less common password")
	ErrInvalidInput       = errs.Invalid("validation_failed", "the request has invalid fields")
	ErrUserNotFound       = errs.NotFound("user_not_found", "no such user")
	ErrAddressNotFound    = errs.NotFound("address_not_found", "no such address")
	ErrTooManyAddresses   = errs.Conflict("address_limit", "an account keeps at most 50 addresses; delete one first")
	ErrTOTPEnabled        = errs.Conflict("totp_already_enabled", "two-factor sign-in is already on")
	ErrTOTPNotPending     = errs.Conflict("totp_not_enrolled", "start enrolment first")
	ErrTOTPNotEnabled     = errs.Conflict("totp_not_enabled", "two-factor sign-in is not on")
	ErrLastAdmin          = errs.Conflict("last_admin", "the last admin cannot lose the role")
	ErrEmailTaken         = errs.Conflict("email_taken", "an account with this email address exists")

	// ErrPostalCodeStateMismatch is an Indian address whose PIN code is in
	// another state; the field error on postal_code names the states it
	// could be in.
	ErrPostalCodeStateMismatch = india.ErrPINStateMismatch
)

// RetryAfter is the cause of an ErrThrottled: how long until an attempt
// may succeed. The HTTP layer turns it into a Retry-After header.
type RetryAfter time.Duration

func (r RetryAfter) Error() string { return "retry after " + time.Duration(r).String() }

// RetryAfterOf reports the wait an error asks for, if any.
func RetryAfterOf(err error) (time.Duration, bool) {
	var r RetryAfter
	if errors.As(err, &r) {
		return time.Duration(r), true
	}
	return 0, false
}

func throttled(wait time.Duration) error {
	// Rounded up: a client that waits as told must not be refused again.
	return ErrThrottled.Wrap(RetryAfter((wait + time.Second - 1).Truncate(time.Second)))
}

// invalid builds a validation_failed error from field problems.
func invalid(fields ...errs.FieldError) error {
	e := *ErrInvalidInput
	e.Fields = fields
	if len(fields) > 0 {
		e.Detail = "the request has invalid fields: "
		for i, f := range fields {
			if i > 0 {
				e.Detail += "; "
			}
			e.Detail += f.Field + ": " + f.Message
		}
	}
	return &e
}

// fieldErrs collects field problems while validating.
type fieldErrs []errs.FieldError

func (f *fieldErrs) add(field, msg string) {
	*f = append(*f, errs.FieldError{Field: field, Message: msg})
}

// on reports whether any of fields already has a problem.
func (f fieldErrs) on(fields ...string) bool {
	for _, e := range f {
		if slices.Contains(fields, e.Field) {
			return true
		}
	}
	return false
}

func (f fieldErrs) err() error {
	if len(f) == 0 {
		return nil
	}
	return invalid(f...)
}
