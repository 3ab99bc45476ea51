package payment

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"net/url"
	"strconv"
	"strings"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// CreateIntent implements Service.
func (c *Core) CreateIntent(ctx context.Context, in CreateIntentInput) (Intent, error) {
	if err := accessOf(ctx).requireTrusted("create"); err != nil {
		return Intent{}, err
	}
	ctx = answering(ctx, in.CallerSettles)
	if err := validateCreate(&in); err != nil {
		return Intent{}, err
	}
	fp := createFingerprint(in)
	// A key is usually new: it is looked up only when the insert finds it
	// taken, or when the method no longer resolves (a one-time token that
	// expired since the first create must not fail its replay).
	it, sm, err := c.newIntent(ctx, in, fp)
	if err != nil {
		if old, err2 := c.store.IntentByKey(ctx, in.CustomerID, in.IdempotencyKey); err2 == nil {
			return c.replayCreate(ctx, old, fp, in)
		}
		return Intent{}, err
	}
	m := &Mutation{}
	c.record(&it, m, "", "create", 0)
	if in.Confirm {
		it.Attempts = 1
		if err := c.move(&it, m, StatusProcessing, "confirm", 0); err != nil {
			return Intent{}, err
		}
	}
	if err := c.store.CreateIntent(ctx, &it, m); err != nil {
		if errs.KindOf(err) == errs.KindConflict {
			// A concurrent create with the same key won the race.
			if old, err2 := c.store.IntentByKey(ctx, in.CustomerID, in.IdempotencyKey); err2 == nil {
				return c.replayCreate(ctx, old, fp, in)
			}
		}
		return Intent{}, err
	}
	if in.Confirm {
		return c.drive(ctx, it, sm)
	}
	return it, nil
}

// replayCreate answers a create whose key was seen: the same intent if the
// input is the same, confirmed if asked and not yet done.
func (c *Core) replayCreate(ctx context.Context, old Intent, fp string, in CreateIntentInput) (Intent, error) {
	if old.Fingerprint != fp {
		return Intent{}, ErrKeyReused
	}
	if in.Confirm && old.Status.Open() {
		return c.ConfirmIntent(ctx, old.ID, ConfirmIntentInput{ReturnURL: in.ReturnURL})
	}
	return old, nil
}

func validateCreate(in *CreateIntentInput) error {
	var fields []errs.FieldError
	bad := func(f, msg string) { fields = append(fields, errs.FieldError{Field: f, Message: msg}) }
	if n := len(in.IdempotencyKey); n == 0 || n > 255 {
		bad("idempotency_key", "must be 1 to 255 characters")
	}
	if in.OrderID == "" || len(in.OrderID) > 64 {
		bad("order_id", "must be 1 to 64 characters")
	}
	if len(in.CustomerID) > 64 {
		bad("customer_id", "must be at most 64 characters")
	}
	if err := in.Amount.Valid(); err != nil {
		bad("amount.currency", "not a supported currency")
	} else if in.Amount.Amount <= 0 {
		bad("amount.amount", "must be positive")
	}
	switch in.CaptureMethod {
	case "":
		in.CaptureMethod = CaptureManual
	case CaptureManual, CaptureAutomatic:
	default:
		bad("capture_method", "must be manual or automatic")
	}
	if in.ReturnURL != "" {
		if err := checkReturnURL(in.ReturnURL); err != nil {
			bad("return_url", err.Error())
		}
	}
	if len(fields) > 0 {
		return invalid(fields)
	}
	return nil
}

func invalid(fields []errs.FieldError) error {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = f.Field + ": " + f.Message
	}
	e := ErrInvalidInput.With(strings.Join(parts, "; "))
	e.Fields = fields
	return e
}

func checkReturnURL(s string) error {
	u, err := url.Parse(s)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(s) > 2048 {
		return errors.New("must be an absolute http(s) URL")
	}
	return nil
}

// createFingerprint is what must match when a key is used again.
func createFingerprint(in CreateIntentInput) string {
	m := in.Method
	parts := []string{
		in.OrderID, in.CustomerID, strconv.FormatInt(in.Amount.Amount, 10), in.Amount.Currency,
		string(m.Type), m.Token, in.Provider, string(in.CaptureMethod),
	}
	if m.UPI != nil {
		parts = append(parts, "upi:"+strings.ToLower(m.UPI.VPA))
	}
	if m.Wallet != nil {
		parts = append(parts, "wallet:"+m.Wallet.Wallet)
	}
	if m.NetBanking != nil {
		parts = append(parts, "bank:"+m.NetBanking.Bank)
	}
	sum := sha256.Sum256([]byte(strings.Join(parts, "\x00")))
	return hex.EncodeToString(sum[:16])
}

// newIntent builds the intent of a create: the method resolved and
// checked, the provider chosen. sm is the stored method it pays with, if
// any, for the authorisation to use without reading it again.
func (c *Core) newIntent(ctx context.Context, in CreateIntentInput, fp string) (Intent, *StoredMethod, error) {
	details, sm, err := c.resolveMethod(ctx, in.Method, in.CustomerID)
	if err != nil {
		return Intent{}, nil, err
	}
	p, err := c.route(in.Method.Type, in.Amount.Currency, in.Provider)
	if err != nil {
		return Intent{}, nil, err
	}
	now := c.now()
	zero := money.Money{Amount: 0, Currency: in.Amount.Currency}
	return Intent{
		ID: ids.New(), OrderID: in.OrderID, CustomerID: in.CustomerID, Status: StatusRequiresConfirmation,
		Amount: in.Amount, AmountCapturable: zero, AmountCaptured: zero, AmountRefunded: zero,
		CaptureMethod: in.CaptureMethod, Method: details, Provider: p.Name(), ReturnURL: in.ReturnURL,
		CreatedAt: now, UpdatedAt: now, Key: in.IdempotencyKey, Fingerprint: fp,
	}, sm, nil
}

// GetIntent implements Service.
func (c *Core) GetIntent(ctx context.Context, id string) (Intent, error) {
	it, err := c.owned(ctx, id)
	if err != nil {
		return Intent{}, err
	}
	it.Transitions, err = c.store.Transitions(ctx, id)
	return it, err
}

// owned loads an intent the caller may see; others' are not found.
func (c *Core) owned(ctx context.Context, id string) (Intent, error) {
	if err := ids.Valid(id); err != nil {
		return Intent{}, ErrIntentNotFound
	}
	it, err := c.store.GetIntent(ctx, id)
	if err != nil {
		return Intent{}, err
	}
	if !accessOf(ctx).owns(it.CustomerID) {
		return Intent{}, ErrIntentNotFound
	}
	return it, nil
}

// ListIntents implements Service.
func (c *Core) ListIntents(ctx context.Context, f ListIntentsInput) (IntentPage, error) {
	a := accessOf(ctx)
	if !a.trusted {
		f.CustomerID = a.customer
	}
	if f.PageSize <= 0 {
		f.PageSize = 20
	}
	if f.PageSize > 100 {
		f.PageSize = 100
	}
	items, next, err := c.store.ListIntents(ctx, f)
	if err != nil {
		return IntentPage{}, err
	}
	if items == nil {
		items = []Intent{}
	}
	return IntentPage{Items: items, NextPageToken: next}, nil
}

// ConfirmIntent implements Service.
func (c *Core) ConfirmIntent(ctx context.Context, id string, in ConfirmIntentInput) (Intent, error) {
	ctx = answering(ctx, in.CallerSettles)
	if in.ReturnURL != "" {
		if err := checkReturnURL(in.ReturnURL); err != nil {
			return Intent{}, invalid([]errs.FieldError{{Field: "return_url", Message: err.Error()}})
		}
	}
	if err := ids.Valid(id); err != nil {
		return Intent{}, ErrIntentNotFound
	}
	a := accessOf(ctx)
	const (
		none = iota
		drive
		sync
	)
	then := none
	it, err := c.store.UpdateIntent(ctx, id, func(it *Intent, m *Mutation) error {
		if !a.owns(it.CustomerID) {
			return ErrIntentNotFound
		}
		switch it.Status {
		case StatusRequiresConfirmation:
			if in.ReturnURL != "" {
				it.ReturnURL = in.ReturnURL
			}
			it.Attempts++
			then = drive
			return c.move(it, m, StatusProcessing, "confirm", 0)
		case StatusProcessing:
			then = drive // ask again, with the same key
		case StatusRequiresAction:
			then = sync // has the shopper finished?
		case StatusFailed, StatusCancelled:
			return ErrIllegalTransition.With(fmt.Sprintf("a %s payment cannot be confirmed; create a new one", it.Status))
		}
		return ErrNoChange
	})
	if err != nil {
		return Intent{}, err
	}
	switch then {
	case drive:
		return c.drive(ctx, it, nil)
	case sync:
		return c.sync(ctx, it)
	}
	return it, nil
}

// drive sends a processing intent's authorisation to its provider and
// records the answer. Without an answer the intent stays processing and is
// returned as it is: the webhook, a retry or the reconciler settles it. it
// is the intent as the caller last read or wrote it; sm, if not nil, its
// stored method as just read.
func (c *Core) drive(ctx context.Context, it Intent, sm *StoredMethod) (Intent, error) {
	p, ok := c.providers[it.Provider]
	if !ok {
		return it, errs.Internal(fmt.Errorf("intent %s: provider %q is not configured", it.ID, it.Provider))
	}
	req, err := c.authorizeRequest(ctx, &it, sm)
	if err != nil {
		return c.failNow(ctx, it.ID, err)
	}
	pctx, cancel := c.providerCtx(ctx)
	pp, err := p.Authorize(pctx, req)
	cancel()
	if err != nil {
		err = providerError(err)
		if retryable(err) {
			c.log.WarnContext(ctx, "payment: authorisation not answered; it stays processing", "intent", it.ID, "provider", it.Provider, "error", err)
			return it, nil
		}
		if errors.Is(err, ErrProviderRejected) {
			return c.applyPaymentFrom(ctx, it, ProviderPayment{Status: StatusFailed, FailureCode: "provider_rejected", FailureMessage: errs.As(err).Detail}, "provider")
		}
		return it, err
	}
	it, err = c.applyPaymentFrom(ctx, it, pp, "provider")
	if err == nil && it.Status == StatusAuthorized {
		if it.CaptureMethod == CaptureAutomatic {
			return c.capture(ctx, it, money.Money{}, "automatic capture")
		}
		c.known.put(it)
	}
	return it, err
}

// failNow fails an open intent that cannot be sent at all (its card token
// is gone, or its card no longer opens).
func (c *Core) failNow(ctx context.Context, id string, cause error) (Intent, error) {
	e := errs.As(cause)
	return c.applyPayment(ctx, id, ProviderPayment{Status: StatusFailed, FailureCode: e.Code, FailureMessage: e.Detail}, "confirm")
}

// sync asks the provider where an intent awaiting the shopper stands.
func (c *Core) sync(ctx context.Context, it Intent) (Intent, error) {
	p, ok := c.providers[it.Provider]
	if !ok {
		return it, nil
	}
	pctx, cancel := c.providerCtx(ctx)
	pp, err := p.Lookup(pctx, LookupRequest{IntentID: it.ID, Ref: it.ProviderRef})
	cancel()
	if err != nil {
		return it, nil // nothing new; the webhook will come
	}
	it, err = c.applyPaymentFrom(ctx, it, pp, "provider")
	if err == nil && it.Status == StatusAuthorized && it.CaptureMethod == CaptureAutomatic {
		return c.capture(ctx, it, money.Money{}, "automatic capture")
	}
	return it, err
}

// providerCtx bounds a provider call. It outlives the caller's
// cancellation: a call under way finishes and its answer is recorded, so
// a caller that gave up leaves no unknown outcome behind.
func (c *Core) providerCtx(ctx context.Context) (context.Context, context.CancelFunc) {
	return context.WithTimeout(context.WithoutCancel(ctx), c.opts.ProviderTimeout)
}

// providerError classifies what a provider call returned.
func providerError(err error) error {
	if err == nil {
		return nil
	}
	if errors.Is(err, context.DeadlineExceeded) && errs.KindOf(err) == errs.KindInternal {
		return ErrProviderTimeout.Wrap(err)
	}
	if errs.KindOf(err) == errs.KindInternal {
		return ErrProviderUnavailable.Wrap(err)
	}
	return err
}

// retryable reports whether a provider failure leaves the outcome unknown.
func retryable(err error) bool {
	k := errs.KindOf(err)
	return k == errs.KindTimeout || k == errs.KindUnavailable
}
