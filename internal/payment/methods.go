package payment

import (
	"context"
	"errors"
	"regexp"
	"slices"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/payment/card"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
)

// vpaPattern is NPCI's shape of a virtual payment address: a user part of
// letters, digits, dots, hyphens and underscores, and a handle naming the
// payment service provider.
var vpaPattern = regexp.MustCompile(`^[a-z0-9][a-z0-9._-]{1,255}@[a-z][a-z0-9]{1,63}$`)

// ValidVPA normalises and checks a UPI address.
func ValidVPA(s string) (string, error) {
	v := strings.ToLower(strings.TrimSpace(s))
	if len(v) > 255 || !vpaPattern.MatchString(v) {
		return "", ErrInvalidVPA
	}
	return v, nil
}

// Wallets are the wallets Bazaar offers.
var Wallets = []string{"paytm", "phonepe", "amazonpay", "mobikwik", "freecharge", "airtelmoney", "jiomoney", "olamoney"}

// bankPattern is the first four letters of an IFSC code, which name the bank.
var bankPattern = regexp.MustCompile(`^[A-Z]{4}$`)

// CreateMethod implements Service.
func (c *Core) CreateMethod(ctx context.Context, in CreateMethodInput) (Method, error) {
	a := accessOf(ctx)
	switch {
	case a.guest:
		if in.CustomerID != "" || in.Save {
			return Method{}, authn.ErrUnauthenticated.With("sign in to save a payment method")
		}
	case !a.trusted:
		if in.CustomerID != "" && in.CustomerID != a.customer {
			return Method{}, authn.ErrForbidden.With("you can only add payment methods to your own account")
		}
		in.CustomerID = a.customer
	}
	if in.Save && in.CustomerID == "" {
		return Method{}, invalid([]errs.FieldError{{Field: "customer_id", Message: "a saved method needs a customer"}})
	}
	now := c.now()
	sm := StoredMethod{Method: Method{ID: ids.New(), CustomerID: in.CustomerID, Type: in.Type, Saved: in.Save, CreatedAt: now}}
	if !in.Save {
		exp := now.Add(c.opts.MethodTTL)
		sm.ExpiresAt = &exp
	}
	switch in.Type {
	case MethodCard:
		if in.Card == nil {
			return Method{}, invalid([]errs.FieldError{{Field: "card", Message: "a card method needs the card"}})
		}
		checked, err := card.Validate(in.Card.Number, in.Card.ExpMonth, in.Card.ExpYear, in.Card.CVC, now, c.opts.AcceptedBrands...)
		if err != nil {
			return Method{}, err
		}
		sm.Fingerprint = c.sealer.Fingerprint(checked.Number)
		exp := card.NormalizeYear(checked.ExpYear)
		if in.Save {
			old, err := c.store.SavedMethodByFingerprint(ctx, in.CustomerID, sm.Fingerprint)
			if err == nil && old.Card != nil && old.Card.ExpMonth == checked.ExpMonth && old.Card.ExpYear == exp {
				return old.Method, nil
			}
			if err != nil && !errors.Is(err, ErrMethodNotFound) {
				return Method{}, err
			}
		}
		sm.Card = &CardDetails{Brand: checked.Brand, Last4: checked.Last4, ExpMonth: checked.ExpMonth, ExpYear: exp}
		if sm.Sealed, err = c.sealer.Seal(checked.Number, sm.ID); err != nil {
			return Method{}, errs.Internal(err)
		}
		cd := CardData{Number: checked.Number, ExpMonth: checked.ExpMonth, ExpYear: exp, CVC: in.Card.CVC, Brand: checked.Brand, Name: in.Card.Name}
		if sm.ProviderTokens, err = c.tokenize(ctx, cd); err != nil {
			return Method{}, err
		}
	case MethodUPI:
		if in.UPI == nil {
			return Method{}, invalid([]errs.FieldError{{Field: "upi", Message: "a UPI method needs the address"}})
		}
		vpa, err := ValidVPA(in.UPI.VPA)
		if err != nil {
			return Method{}, err
		}
		sm.UPI = &UPIDetails{VPA: vpa}
	default:
		return Method{}, invalid([]errs.FieldError{{Field: "type", Message: "only cards and UPI addresses are tokenised"}})
	}
	if err := c.store.CreateMethod(ctx, sm); err != nil {
		return Method{}, err
	}
	return sm.Method, nil
}

// tokenize lets every provider that verifies cards at tokenisation see the
// card once, with its CVC. A provider that cannot be reached is skipped (it
// gets the card without CVC at the first charge); one that refuses the card
// refuses the tokenisation.
func (c *Core) tokenize(ctx context.Context, cd CardData) (map[string]string, error) {
	var toks map[string]string
	for _, p := range c.order {
		t, ok := p.(CardTokenizer)
		if !ok || !p.Supports(MethodCard, "") {
			continue
		}
		pctx, cancel := c.providerCtx(ctx)
		tok, err := t.TokenizeCard(pctx, cd)
		cancel()
		if err != nil {
			err = providerError(err)
			if retryable(err) {
				c.log.WarnContext(ctx, "payment: card not tokenised at a provider; it will be at the first charge", "provider", p.Name(), "error", err)
				continue
			}
			return nil, err
		}
		if toks == nil {
			toks = map[string]string{}
		}
		toks[p.Name()] = tok
	}
	return toks, nil
}

// GetMethod implements Service.
func (c *Core) GetMethod(ctx context.Context, id string) (Method, error) {
	sm, err := c.ownedMethod(ctx, id)
	return sm.Method, err
}

func (c *Core) ownedMethod(ctx context.Context, id string) (StoredMethod, error) {
	if ids.Valid(id) != nil {
		return StoredMethod{}, ErrMethodNotFound
	}
	sm, err := c.store.GetMethod(ctx, id)
	if err != nil {
		return StoredMethod{}, err
	}
	a := accessOf(ctx)
	if sm.DeletedAt != nil || !(a.trusted || (sm.CustomerID != "" && a.owns(sm.CustomerID))) {
		return StoredMethod{}, ErrMethodNotFound
	}
	return sm, nil
}

// ListMethods implements Service.
func (c *Core) ListMethods(ctx context.Context, customerID string) ([]Method, error) {
	a := accessOf(ctx)
	if !a.trusted {
		customerID = a.customer
	}
	if customerID == "" {
		return []Method{}, nil
	}
	sms, err := c.store.ListMethods(ctx, customerID)
	if err != nil {
		return nil, err
	}
	out := make([]Method, 0, len(sms))
	for _, sm := range sms {
		out = append(out, sm.Method)
	}
	return out, nil
}

// DeleteMethod implements Service.
func (c *Core) DeleteMethod(ctx context.Context, id string) error {
	if _, err := c.ownedMethod(ctx, id); err != nil {
		return err
	}
	return c.store.DeleteMethod(ctx, id)
}

// resolveMethod checks how an intent is to be paid and returns what the
// intent shows of it, and the stored method it names, if any.
func (c *Core) resolveMethod(ctx context.Context, in MethodInput, customerID string) (MethodDetails, *StoredMethod, error) {
	field := func(f, msg string) error { return invalid([]errs.FieldError{{Field: "method." + f, Message: msg}}) }
	d := MethodDetails{Type: in.Type}
	switch in.Type {
	case MethodCard:
		if in.Token == "" {
			return d, nil, field("token", "pay by card with a token from POST /api/v1/payments/methods; card numbers are not accepted here")
		}
		sm, err := c.usableMethod(ctx, in.Token, MethodCard, customerID)
		if err != nil {
			return d, nil, err
		}
		d.Token, d.Card = sm.ID, sm.Card
		return d, &sm, nil
	case MethodUPI:
		switch {
		case in.Token != "":
			sm, err := c.usableMethod(ctx, in.Token, MethodUPI, customerID)
			if err != nil {
				return d, nil, err
			}
			d.Token, d.UPI = sm.ID, sm.UPI
			return d, &sm, nil
		case in.UPI != nil:
			vpa, err := ValidVPA(in.UPI.VPA)
			if err != nil {
				return d, nil, err
			}
			d.UPI = &UPIDetails{VPA: vpa}
		default:
			return d, nil, field("upi", "a UPI payment needs an address or a saved method")
		}
	case MethodWallet:
		if in.Wallet == nil || !slices.Contains(Wallets, strings.ToLower(in.Wallet.Wallet)) {
			return d, nil, field("wallet", "must be one of "+strings.Join(Wallets, ", "))
		}
		d.Wallet = &WalletDetails{Wallet: strings.ToLower(in.Wallet.Wallet)}
	case MethodNetBanking:
		if in.NetBanking == nil || !bankPattern.MatchString(strings.ToUpper(in.NetBanking.Bank)) {
			return d, nil, field("netbanking.bank", "must be a bank's four-letter code (the start of its IFSC)")
		}
		d.NetBanking = &NetBankingDetails{Bank: strings.ToUpper(in.NetBanking.Bank)}
	case MethodCOD:
	default:
		return d, nil, field("type", "must be card, upi, wallet, netbanking or cod")
	}
	return d, nil, nil
}

// usableMethod loads a method a new intent of customerID may pay with.
func (c *Core) usableMethod(ctx context.Context, id string, typ MethodType, customerID string) (StoredMethod, error) {
	if ids.Valid(id) != nil {
		return StoredMethod{}, ErrMethodNotFound
	}
	sm, err := c.store.GetMethod(ctx, id)
	if err != nil {
		return StoredMethod{}, err
	}
	if sm.DeletedAt != nil || sm.Type != typ || (sm.CustomerID != "" && sm.CustomerID != customerID) {
		return StoredMethod{}, ErrMethodNotFound
	}
	if !sm.Saved && expired(sm.ExpiresAt, c.now()) {
		return StoredMethod{}, ErrMethodExpired
	}
	return sm, nil
}

// authorizeRequest is the provider's view of an intent to authorise; for a
// card it unseals the number, which lives only for the call. sm is the
// card's stored method if the caller has just read it, or nil.
func (c *Core) authorizeRequest(ctx context.Context, it *Intent, sm *StoredMethod) (AuthorizeRequest, error) {
	r := AuthorizeRequest{
		Key: it.ID + "/authorize", IntentID: it.ID, OrderID: it.OrderID, CustomerID: it.CustomerID,
		Amount: it.Amount, Method: it.Method.Type, CaptureNow: it.CaptureMethod == CaptureAutomatic, ReturnURL: it.ReturnURL,
	}
	switch it.Method.Type {
	case MethodCard:
		if sm == nil || sm.ID != it.Method.Token {
			got, err := c.store.GetMethod(ctx, it.Method.Token)
			if err != nil {
				return r, ErrMethodNotFound.With("the card of this payment is no longer stored")
			}
			sm = &got
		}
		if len(sm.Sealed) == 0 {
			return r, ErrMethodNotFound.With("the card of this payment is no longer stored")
		}
		pan, err := c.sealer.Open(sm.Sealed, sm.ID)
		if err != nil {
			c.log.ErrorContext(ctx, "payment: a stored card does not open; is the card key configured?", "method", sm.ID, "error", err)
			return r, ErrMethodNotFound.With("the card of this payment cannot be read")
		}
		r.Card = &CardData{Number: pan, ExpMonth: sm.Card.ExpMonth, ExpYear: sm.Card.ExpYear, Brand: sm.Card.Brand, ProviderToken: sm.ProviderTokens[it.Provider]}
	case MethodUPI:
		r.VPA = it.Method.UPI.VPA
	case MethodWallet:
		r.Wallet = it.Method.Wallet.Wallet
	case MethodNetBanking:
		r.Bank = it.Method.NetBanking.Bank
	}
	return r, nil
}

// expired reports whether t is set and past.
func expired(t *time.Time, now time.Time) bool { return t != nil && !now.Before(*t) }
