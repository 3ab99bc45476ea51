package identity

import (
	"context"
	"errors"
	"net/url"

	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// SignUp opens a customer account, unverified until its owner follows the
// mailed link. Sign-up answers the same whether or not the address is
// registered, and costs the same (a password hash either way):
//   - a new address gets an account and a verification link;
//   - an address registered but never verified takes the new password,
//     name and phone and gets a fresh link, older links dying — so an
//     account someone opened in another's name is theirs only if they can
//     read the mail, and its owner's password replaces the squatter's;
//   - a verified address is left alone and its owner gets a notice.
func (c *Core) SignUp(ctx context.Context, in SignUpInput, meta ClientMeta) error {
	if w := c.limit.allow(ctx, c.mailRequestRule, meta.IP); w > 0 {
		return throttled(w)
	}
	email := NormalizeEmail(in.Email)
	var fe fieldErrs
	if msg := validEmail(email); msg != "" {
		fe.add("email", msg)
	}
	name, msg := cleanText(in.Name, maxName)
	if msg == "" && name == "" {
		msg = "is required"
	}
	if msg != "" {
		fe.add("name", msg)
	}
	phone, msg := normalizePhone(in.Phone)
	if msg != "" {
		fe.add("phone", msg)
	}
	if err := fe.err(); err != nil {
		return err
	}
	if err := checkPassword(in.Password, email); err != nil {
		return err
	}
	hash, err := c.hasher.hash(ctx, in.Password)
	if err != nil {
		return err
	}
	mailOK := c.limit.allow(ctx, c.mailRule, email) == 0
	now := c.now()
	err = c.store.InTx(ctx, func(tx Store) error {
		a, err := tx.AccountByEmail(ctx, email)
		switch {
		case errors.Is(err, ErrUserNotFound):
			a = Account{User: User{ID: c.opts.NewID(), Email: email, Name: name, Phone: phone, Role: authn.RoleCustomer, CreatedAt: now, UpdatedAt: now}, PasswordHash: hash}
			if err := tx.CreateAccount(ctx, a); err != nil {
				return err
			}
			ev, err := bus.NewEvent(SubjectUserRegistered, UserRegistered{UserID: a.ID, Role: string(a.Role), At: now})
			if err != nil {
				return err
			}
			if err := tx.Publish(ctx, SubjectUserRegistered, ev); err != nil {
				return err
			}
			if !mailOK {
				return nil
			}
			return c.sendVerification(ctx, tx, a)
		case err != nil:
			return err
		case !a.EmailVerified:
			a.PasswordHash, a.Name, a.Phone, a.UpdatedAt = hash, name, phone, now
			if err := tx.UpdateAccount(ctx, a); err != nil {
				return err
			}
			if err := tx.DeleteTokens(ctx, a.ID, PurposeVerifyEmail); err != nil {
				return err
			}
			if !mailOK {
				return nil
			}
			return c.sendVerification(ctx, tx, a)
		default:
			if !mailOK {
				return nil
			}
			return c.queueMail(ctx, tx, a.Email, "Someone tried to sign up with your address",
				"Hello "+a.Name+",\n\nSomeone (perhaps you) tried to open a new account with this address, which already has one. Nothing has changed.\n\n"+
					"If you have forgotten your password, reset it here:\n"+c.opts.PublicURL+"/reset-password\n\nIf it was not you, you can ignore this message.\n")
		}
	})
	if errors.Is(err, ErrEmailTaken) {
		return nil // a concurrent sign-up of the same address won; answer as always
	}
	if err != nil {
		return err
	}
	c.committed()
	return nil
}

func (c *Core) sendVerification(ctx context.Context, tx Store, a Account) error {
	token, err := c.issueToken(ctx, tx, a.ID, PurposeVerifyEmail)
	if err != nil {
		return err
	}
	link := c.opts.PublicURL + "/verify-email?token=" + url.QueryEscape(token)
	return c.queueMail(ctx, tx, a.Email, "Confirm your email address",
		"Hello "+a.Name+",\n\nConfirm your address to start using your account:\n"+link+
			"\n\nThe link works once, for "+c.opts.VerifyTTL.String()+". If you did not sign up, ignore this message.\n")
}

func (c *Core) issueToken(ctx context.Context, tx Store, userID string, purpose TokenPurpose) (string, error) {
	token := newSecret("bzt_")
	ttl := c.opts.VerifyTTL
	if purpose == PurposeResetPassword {
		ttl = c.opts.ResetTTL
	}
	now := c.now()
	err := tx.CreateToken(ctx, TokenRecord{Hash: hashSecret(token), UserID: userID, Purpose: purpose, CreatedAt: now, ExpiresAt: now.Add(ttl)})
	return token, err
}

// SignIn checks a password (and a TOTP code when the account has one) and
// opens a session. Every password failure is the same ErrInvalidCredentials
// and costs the same, whether the account exists or not. Failures count
// against the address and the client's IP; past the limits the answer is
// ErrThrottled, before any hashing, until the window moves on.
func (c *Core) SignIn(ctx context.Context, in SignInInput, meta ClientMeta) (Session, error) {
	email := NormalizeEmail(in.Email)
	if len(email) > maxEmail || len(in.Password) > 4*maxPassword {
		return Session{}, ErrInvalidCredentials
	}
	if w := max(c.limit.wait(ctx, c.acctFailures, email), c.limit.wait(ctx, c.ipFailures, meta.IP)); w > 0 {
		return Session{}, throttled(w)
	}
	fail := func(err error) (Session, error) {
		c.limit.add(ctx, c.acctFailures, email)
		c.limit.add(ctx, c.ipFailures, meta.IP)
		return Session{}, err
	}
	a, err := c.store.AccountByEmail(ctx, email)
	if err != nil && !errors.Is(err, ErrUserNotFound) {
		return Session{}, err
	}
	ok, stale, err := c.hasher.verify(ctx, a.PasswordHash, in.Password)
	if errors.Is(err, errBadHash) {
		c.log().ErrorContext(ctx, "identity: unreadable password hash", "user_id", a.ID)
		return fail(ErrInvalidCredentials)
	}
	if err != nil {
		return Session{}, err
	}
	if !ok || a.Erased {
		return fail(ErrInvalidCredentials)
	}
	if !a.EmailVerified {
		if c.limit.allow(ctx, c.mailRule, email) == 0 {
			err := c.store.InTx(ctx, func(tx Store) error {
				if err := tx.DeleteTokens(ctx, a.ID, PurposeVerifyEmail); err != nil {
					return err
				}
				return c.sendVerification(ctx, tx, a)
			})
			if err != nil {
				return Session{}, err
			}
			c.committed()
		}
		return Session{}, ErrInvalidCredentials
	}
	mfa := false
	if a.TOTPSecret != "" {
		if in.TOTP == "" {
			return Session{}, ErrTOTPRequired
		}
		secret, err := c.seal.open(a.TOTPSecret)
		if err != nil {
			return Session{}, errs.Internal(err)
		}
		step := checkTOTP(secret, in.TOTP, c.now(), a.TOTPLastStep)
		if step == 0 {
			return fail(ErrInvalidTOTP)
		}
		a.TOTPLastStep, mfa = step, true
	}
	if stale {
		if h, err := c.hasher.hash(ctx, in.Password); err == nil {
			a.PasswordHash = h
		}
	}
	var s Session
	err = c.store.InTx(ctx, func(tx Store) error {
		if mfa || stale {
			// Only these fields: a concurrent profile change must not be
			// overwritten with what was read before hashing.
			cur, err := tx.Account(ctx, a.ID)
			if err != nil {
				return err
			}
			if mfa && cur.TOTPLastStep >= a.TOTPLastStep {
				return ErrInvalidTOTP // the same code, used concurrently
			}
			cur.TOTPLastStep = max(cur.TOTPLastStep, a.TOTPLastStep)
			cur.PasswordHash = a.PasswordHash
			if err := tx.UpdateAccount(ctx, cur); err != nil {
				return err
			}
		}
		if meta.DeviceID != "" && ValidDeviceID(meta.DeviceID) {
			if err := tx.ReassignEvents(ctx, deviceActor(meta.DeviceID), userActor(a.ID)); err != nil {
				return err
			}
		}
		var err error
		s, err = c.openSession(ctx, tx, a, mfa, meta)
		return err
	})
	if err != nil {
		return Session{}, err
	}
	c.limit.reset(ctx, c.acctFailures, email)
	return s, nil
}

// VerifyEmail spends a verification link's token, marks the address
// verified and signs its owner in.
func (c *Core) VerifyEmail(ctx context.Context, token string, meta ClientMeta) (Session, error) {
	if !wellFormed(token, "bzt_") {
		return Session{}, ErrInvalidToken
	}
	var s Session
	err := c.store.InTx(ctx, func(tx Store) error {
		uid, err := tx.ConsumeToken(ctx, hashSecret(token), PurposeVerifyEmail, c.now())
		if err != nil {
			return err
		}
		a, err := tx.Account(ctx, uid)
		if err != nil {
			return err
		}
		if a.Erased {
			return ErrInvalidToken
		}
		a.EmailVerified, a.UpdatedAt = true, c.now()
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		s, err = c.openSession(ctx, tx, a, false, meta)
		return err
	})
	return s, err
}

// ResendVerification mails a new link to an unverified account's address.
func (c *Core) ResendVerification(ctx context.Context, email string, meta ClientMeta) error {
	if w := c.limit.allow(ctx, c.mailRequestRule, meta.IP); w > 0 {
		return throttled(w)
	}
	return c.mailIfAccount(ctx, email, func(tx Store, a Account) error {
		if a.EmailVerified {
			return nil
		}
		if err := tx.DeleteTokens(ctx, a.ID, PurposeVerifyEmail); err != nil {
			return err
		}
		return c.sendVerification(ctx, tx, a)
	})
}

// RequestPasswordReset mails a reset link to an account's address.
func (c *Core) RequestPasswordReset(ctx context.Context, email string, meta ClientMeta) error {
	if w := c.limit.allow(ctx, c.mailRequestRule, meta.IP); w > 0 {
		return throttled(w)
	}
	return c.mailIfAccount(ctx, email, func(tx Store, a Account) error {
		if err := tx.DeleteTokens(ctx, a.ID, PurposeResetPassword); err != nil {
			return err
		}
		token, err := c.issueToken(ctx, tx, a.ID, PurposeResetPassword)
		if err != nil {
			return err
		}
		return c.queueMail(ctx, tx, a.Email, "Reset your password",
			"Hello "+a.Name+",\n\nChoose a new password here:\n"+c.opts.PublicURL+"/reset-password?token="+url.QueryEscape(token)+
				"\n\nThe link works once, for "+c.opts.ResetTTL.String()+". If you did not ask for it, ignore this message: your password stays as it is.\n")
	})
}

// mailIfAccount runs fn for the account of email, if there is one and the
// address has not had its hourly share of mail, and answers nil either way.
func (c *Core) mailIfAccount(ctx context.Context, email string, fn func(Store, Account) error) error {
	email = NormalizeEmail(email)
	if msg := validEmail(email); msg != "" {
		return invalid(errs.FieldError{Field: "email", Message: msg})
	}
	sent := false
	err := c.store.InTx(ctx, func(tx Store) error {
		a, err := tx.AccountByEmail(ctx, email)
		if errors.Is(err, ErrUserNotFound) || (err == nil && a.Erased) {
			return nil
		}
		if err != nil {
			return err
		}
		if c.limit.allow(ctx, c.mailRule, email) > 0 {
			return nil
		}
		sent = true
		return fn(tx, a)
	})
	if err != nil {
		return err
	}
	if sent {
		c.committed()
	}
	return nil
}

// ResetPassword spends a reset token and sets a new password. Following the
// link proves the mailbox, so it verifies the address too. Every session of
// the account ends and its failure count is cleared.
func (c *Core) ResetPassword(ctx context.Context, token, password string) error {
	if !wellFormed(token, "bzt_") {
		return ErrInvalidToken
	}
	if err := checkPassword(password, ""); err != nil {
		return err
	}
	hash, err := c.hasher.hash(ctx, password)
	if err != nil {
		return err
	}
	var ended []string
	var email string
	err = c.store.InTx(ctx, func(tx Store) error {
		uid, err := tx.ConsumeToken(ctx, hashSecret(token), PurposeResetPassword, c.now())
		if err != nil {
			return err
		}
		a, err := tx.Account(ctx, uid)
		if err != nil {
			return err
		}
		if a.Erased {
			return ErrInvalidToken
		}
		if err := checkPassword(password, a.Email); err != nil {
			return err // rolls back: the link still works with a better password
		}
		email = a.Email
		a.PasswordHash, a.EmailVerified, a.UpdatedAt = hash, true, c.now()
		if err := tx.UpdateAccount(ctx, a); err != nil {
			return err
		}
		if err := tx.DeleteTokens(ctx, a.ID, PurposeResetPassword); err != nil {
			return err
		}
		ended, err = tx.DeleteSessions(ctx, a.ID, "")
		return err
	})
	if err != nil {
		return err
	}
	c.forgetSessions(ctx, ended)
	c.limit.reset(ctx, c.acctFailures, email)
	return nil
}
