package payment

import (
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/ids"
)

// The ledger's accounts. Every capture and every refund is one balanced
// entry of two lines (debits positive, credits negative, summing to zero):
//
//	capture:  DR provider_clearing:<provider>   CR merchant_revenue
//	refund:   DR refunds                        CR provider_clearing:<provider>
//
// provider_clearing:<p> is what provider p holds for the merchant (for cash
// on delivery, the courier); merchant_revenue is money taken for orders;
// refunds is a contra-revenue account. So, per currency, the credits to
// merchant_revenue are the intents' captured amounts and the debits to
// refunds their refunded amounts, and Ledger checks exactly that.
const (
	AccountRevenue  = "merchant_revenue"
	AccountRefunds  = "refunds"
	clearingAccount = "provider_clearing:"
)

// ClearingAccount is a provider's clearing account.
func ClearingAccount(provider string) string { return clearingAccount + provider }

// Entry kinds.
const (
	EntryCapture = "capture"
	EntryRefund  = "refund"
)

// LedgerLine is one line of a ledger entry.
type LedgerLine struct {
	EntryID   string    `json:"entry_id"`
	IntentID  string    `json:"intent_id"`
	RefundID  string    `json:"refund_id,omitempty"`
	Kind      string    `json:"kind"`
	Account   string    `json:"account"`
	Currency  string    `json:"currency"`
	Amount    int64     `json:"amount" doc:"Minor units; debits positive, credits negative."`
	CreatedAt time.Time `json:"created_at"`
}

// captureEntry is the entry of a capture of amount.
func captureEntry(it *Intent, amount int64, at time.Time) []LedgerLine {
	return entry(EntryCapture, it, "", ClearingAccount(it.Provider), AccountRevenue, amount, at)
}

// refundEntry is the entry of a refund of amount.
func refundEntry(it *Intent, refundID string, amount int64, at time.Time) []LedgerLine {
	return entry(EntryRefund, it, refundID, AccountRefunds, ClearingAccount(it.Provider), amount, at)
}

func entry(kind string, it *Intent, refundID, debit, credit string, amount int64, at time.Time) []LedgerLine {
	id := ids.New()
	line := LedgerLine{EntryID: id, IntentID: it.ID, RefundID: refundID, Kind: kind, Currency: it.Amount.Currency, CreatedAt: at}
	dr, cr := line, line
	dr.Account, dr.Amount = debit, amount
	cr.Account, cr.Amount = credit, -amount
	return []LedgerLine{dr, cr}
}

// LedgerReport is the ledger's health: OK when every entry balances and the
// ledger agrees with every intent.
type LedgerReport struct {
	OK         bool             `json:"ok"`
	Currencies []LedgerCurrency `json:"currencies"`
	// UnbalancedEntries are entries whose lines do not sum to zero.
	UnbalancedEntries []string `json:"unbalanced_entries,omitempty"`
	// MismatchedIntents are intents whose captured or refunded amounts the
	// ledger does not match.
	MismatchedIntents []string `json:"mismatched_intents,omitempty"`
}

// LedgerCurrency sums one currency.
type LedgerCurrency struct {
	Currency string `json:"currency"`
	// Accounts maps each account to its balance (debits positive).
	Accounts map[string]int64 `json:"accounts"`
	Debits   int64            `json:"debits"`
	Credits  int64            `json:"credits" doc:"Positive: the sum of credit lines."`
	// Captured and Refunded sum the intents; the ledger must match them.
	Captured int64 `json:"captured"`
	Refunded int64 `json:"refunded"`
}

// check fills OK from the sums.
func (r *LedgerReport) check() {
	r.OK = len(r.UnbalancedEntries) == 0 && len(r.MismatchedIntents) == 0
	for _, c := range r.Currencies {
		if c.Debits != c.Credits || -c.Accounts[AccountRevenue] != c.Captured || c.Accounts[AccountRefunds] != c.Refunded {
			r.OK = false
		}
	}
}
