// Package money is Bazaar's amount type: an integer count of a currency's minor
// units (paise, cents) and its ISO 4217 code. There is no float anywhere on the
// path from a price to a charge: parsing, arithmetic, percentages, allocation
// and tax all work on int64 with explicit rounding, and every operation that
// could overflow or mix currencies returns an error instead of a wrong number.
package money

import (
	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// Money is an amount in minor units of a currency: {129900, "INR"} is ₹1,299.00.
// Its JSON form is {"amount": 129900, "currency": "INR"}.
//
// Build values with New, Parse or Zero, which check the currency; the zero
// Money has no currency and every operation on it fails.
type Money struct {
	Amount   int64  `json:"amount"`
	Currency string `json:"currency"`
}

var (
	ErrUnknownCurrency  = errs.Invalid("unknown_currency", "not a supported currency")
	ErrCurrencyMismatch = errs.Invalid("currency_mismatch", "amounts are in different currencies")
	ErrOverflow         = errs.Invalid("amount_overflow", "amount is out of range")
	ErrInvalidAmount    = errs.Invalid("invalid_amount", "not a valid amount")
	ErrInvalidRatio     = errs.Invalid("invalid_ratio", "not a valid ratio")
)

// New returns amount minor units of currency.
func New(amount int64, currency string) (Money, error) {
	c, err := LookupCurrency(currency)
	if err != nil {
		return Money{}, err
	}
	return Money{Amount: amount, Currency: c.Code}, nil
}

// MustNew is New for constants in code and tests; it panics on an unknown currency.
func MustNew(amount int64, currency string) Money {
	m, err := New(amount, currency)
	if err != nil {
		panic(err)
	}
	return m
}

// Zero returns no money in currency.
func Zero(currency string) (Money, error) { return New(0, currency) }

// CurrencyInfo returns the description of m's currency.
func (m Money) CurrencyInfo() (Currency, error) { return LookupCurrency(m.Currency) }

// Valid reports an error when m's currency is not supported.
func (m Money) Valid() error {
	_, err := m.currency()
	return err
}

func (m Money) currency() (Currency, error) {
	c, ok := currencies[m.Currency]
	if !ok {
		return Currency{}, ErrUnknownCurrency.With(quoteCode(m.Currency) + " is not a supported currency")
	}
	return c, nil
}

// IsZero reports whether the amount is zero, in any currency. encoding/json
// consults it for `omitzero`: a field tagged so omits a zero amount.
func (m Money) IsZero() bool { return m.Amount == 0 }

// IsNegative reports whether m is below zero.
func (m Money) IsNegative() bool { return m.Amount < 0 }

// IsPositive reports whether m is above zero.
func (m Money) IsPositive() bool { return m.Amount > 0 }
