package identity

import (
	"context"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha1"
	"encoding/base32"
	"encoding/binary"
	"fmt"
	"net/url"
	"strings"
	"time"
)

// TOTP per RFC 6238 with the parameters every authenticator app assumes:
// HMAC-SHA-1, 30-second steps, 6 digits. A code is accepted for the step
// before and after the current one (clock drift), and never twice.
const (
	totpStep   = 30 * time.Second
	totpDigits = 6
	totpSkew   = 1
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

func newTOTPSecret() string {
	b := make([]byte, 20) // 160 bits, as RFC 4226 recommends
	if _, err := rand.Read(b); err != nil {
		panic("identity: crypto/rand failed: " + err.Error())
	}
	return b32.EncodeToString(b)
}

// TOTPCode returns the code of secret (base32) at time t. Exported for
// tests and tools that play the authenticator app.
func TOTPCode(secret string, t time.Time) string {
	key, err := b32.DecodeString(strings.ToUpper(secret))
	if err != nil {
		return ""
	}
	return hotp(key, uint64(t.Unix()/int64(totpStep/time.Second)))
}

// hotp is RFC 4226's HOTP with dynamic truncation.
func hotp(key []byte, counter uint64) string {
	var msg [8]byte
	binary.BigEndian.PutUint64(msg[:], counter)
	m := hmac.New(sha1.New, key)
	m.Write(msg[:])
	sum := m.Sum(nil)
	off := sum[len(sum)-1] & 0x0f
	bin := binary.BigEndian.Uint32(sum[off:off+4]) & 0x7fffffff
	return fmt.Sprintf("%0*d", totpDigits, bin%1_000_000)
}

// checkTOTP returns the step code matches near now, after lastStep, or 0.
func checkTOTP(secret, code string, now time.Time, lastStep int64) int64 {
	code = strings.ReplaceAll(strings.TrimSpace(code), " ", "")
	if len(code) != totpDigits {
		return 0
	}
	key, err := b32.DecodeString(secret)
	if err != nil {
		return 0
	}
	cur := now.Unix() / int64(totpStep/time.Second)
	for d := -totpSkew; d <= totpSkew; d++ {
		step := cur + int64(d)
		if step <= lastStep {
			continue
		}
		if hmac.Equal([]byte(hotp(key, uint64(step))), []byte(code)) {
			return step
		}
	}
	return 0
}

func (c *Core) totpURI(secret, email string) string {
	label := url.PathEscape(c.opts.Issuer + ":" + email)
	q := url.Values{"secret": {secret}, "issuer": {c.opts.Issuer}, "algorithm": {"SHA1"}, "digits": {"6"}, "period": {"30"}}
	return "otpauth://totp/" + label + "?" + q.Encode()
}

// EnrolTOTP starts two-factor enrolment: a new secret, pending until a code
// from it is confirmed.
func (c *Core) EnrolTOTP(ctx context.Context) (TOTPEnrolment, error) {
	p, err := caller(ctx)
	if err != nil {
		return TOTPEnrolment{}, err
	}
	secret := newTOTPSecret()
	var email string
	err = c.updateAccount(ctx, p.UserID, func(a *Account) error {
		if a.TOTPSecret != "" {
			return ErrTOTPEnabled
		}
		a.TOTPPending = c.seal.seal(secret)
		email = a.Email
		return nil
	})
	if err != nil {
		return TOTPEnrolment{}, err
	}
	return TOTPEnrolment{Secret: secret, URI: c.totpURI(secret, email)}, nil
}

// ConfirmTOTP turns two-factor sign-in on with a code from the pending
// secret. The account's other sessions end: they were opened with less.
func (c *Core) ConfirmTOTP(ctx context.Context, code string) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	var ended []string
	err = c.store.InTx(ctx, func(tx Store) error {
		a, err := tx.Account(ctx, p.UserID)
		if err != nil {
			return err
		}
		if a.TOTPSecret != "" {
			return ErrTOTPEnabled
		}
		if a.TOTPPending == "" {
			return ErrTOTPNotPending
		}
		secret, err := c.seal.open(a.TOTPPending)
		if err != nil {
			return err
		}
		step := checkTOTP(secret, code, c.now(), a.TOTPLastStep)
		if step == 0 {
			return ErrInvalidTOTP
		}
		a.TOTPSecret, a.TOTPPending, a.TOTPLastStep = a.TOTPPending, "", step
		a.UpdatedAt = c.now()
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		ended, err = tx.DeleteSessions(ctx, a.ID, p.SessionID)
		return err
	})
	c.forgetSessions(ctx, ended)
	return err
}

// DisableTOTP turns two-factor sign-in off; it takes a current code, so a
// stolen session alone cannot.
func (c *Core) DisableTOTP(ctx context.Context, code string) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	var failed bool
	var email string
	err = c.updateAccount(ctx, p.UserID, func(a *Account) error {
		if a.TOTPSecret == "" {
			return ErrTOTPNotEnabled
		}
		email = a.Email
		if w := c.limit.wait(ctx, c.acctFailures, email); w > 0 {
			return throttled(w)
		}
		secret, err := c.seal.open(a.TOTPSecret)
		if err != nil {
			return err
		}
		if checkTOTP(secret, code, c.now(), a.TOTPLastStep) == 0 {
			failed = true
			return ErrInvalidTOTP
		}
		a.TOTPSecret, a.TOTPPending = "", ""
		return nil
	})
	if failed {
		c.limit.add(ctx, c.acctFailures, email)
	}
	return err
}

// updateAccount loads the caller's account, applies fn and stores it, in
// one transaction.
func (c *Core) updateAccount(ctx context.Context, id string, fn func(*Account) error) error {
	return c.store.InTx(ctx, func(tx Store) error {
		a, err := tx.Account(ctx, id)
		if err != nil {
			return err
		}
		if a.Erased {
			return ErrUserNotFound
		}
		a.UpdatedAt = c.now()
		if err := fn(&a); err != nil {
			return err
		}
		return tx.UpdateAccount(ctx, a)
	})
}
