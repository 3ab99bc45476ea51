package payment

import (
	"context"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
)

// Store is what Core needs of storage (paymentdb on SQLite or PostgreSQL).
// Rules live in Core; the store runs transactions and maps driver errors.
type Store interface {
	// CreateIntent inserts it with the changes in m, atomically. A second
	// intent with the same (CustomerID, Key) fails with errs.KindConflict.
	CreateIntent(ctx context.Context, it *Intent, m *Mutation) error
	// GetIntent returns an intent without its transitions (ErrIntentNotFound).
	GetIntent(ctx context.Context, id string) (Intent, error)
	// IntentByKey finds an intent by its creator's key (ErrIntentNotFound).
	IntentByKey(ctx context.Context, customerID, key string) (Intent, error)
	// ListIntents returns a page, newest first, and the next page's token.
	ListIntents(ctx context.Context, f ListIntentsInput) ([]Intent, string, error)
	// Transitions returns an intent's history, oldest first.
	Transitions(ctx context.Context, intentID string) ([]IntentTransition, error)
	// UpdateIntent runs fn on the intent inside a transaction that holds it
	// locked, then writes the intent (its Version bumped) and the changes fn
	// put in m. If fn returns an error nothing is written and the error is
	// returned. ErrNoChange from fn commits nothing and returns the intent.
	UpdateIntent(ctx context.Context, id string, fn func(it *Intent, m *Mutation) error) (Intent, error)
	// UpdateIntentFrom is UpdateIntent without reading the intent first:
	// fn runs on known (the intent as this process last read or wrote it),
	// and what it changes is written only if the stored intent is still at
	// known.Version. If it is not, or if fn returns an error (ErrNoChange
	// too: that was decided on a copy that may be old), it does what
	// UpdateIntent does, running fn again on the stored intent; so fn must
	// set everything it reports afresh on every run.
	UpdateIntentFrom(ctx context.Context, known Intent, fn func(it *Intent, m *Mutation) error) (Intent, error)

	// UpdateRefund is UpdateIntent for a refund and its intent, both
	// locked; fn puts the changed refund in m.Refunds to have it written.
	UpdateRefund(ctx context.Context, refundID string, fn func(it *Intent, r *Refund, m *Mutation) error) (Intent, Refund, error)
	GetRefund(ctx context.Context, id string) (Refund, error)
	ListRefunds(ctx context.Context, intentID string) ([]Refund, error)

	CreateMethod(ctx context.Context, m StoredMethod) error
	GetMethod(ctx context.Context, id string) (StoredMethod, error)
	// SavedMethodByFingerprint finds a customer's saved card (ErrMethodNotFound).
	SavedMethodByFingerprint(ctx context.Context, customerID, fingerprint string) (StoredMethod, error)
	ListMethods(ctx context.Context, customerID string) ([]StoredMethod, error)
	// DeleteMethod removes a method and its sealed card number.
	DeleteMethod(ctx context.Context, id string) error
	// PurgeUnsaved destroys the sealed numbers and provider tokens of
	// unsaved methods created before t, as DeleteMethod does.
	PurgeUnsaved(ctx context.Context, before time.Time) (int, error)
	// SetProviderToken records a provider's token for a method.
	SetProviderToken(ctx context.Context, id, provider, token string) error

	// RecordWebhook remembers an event that matched no intent, so that its
	// redelivery is recognised; seen reports whether it was known already.
	RecordWebhook(ctx context.Context, w WebhookRecord) (seen bool, err error)
	// PruneWebhooks forgets events received before t.
	PruneWebhooks(ctx context.Context, before time.Time) (int, error)

	// ToReconcile lists intents the reconciler should look at: open or
	// with a capture or refund in flight and unchanged since before, or
	// marked NeedsCheck; oldest change first.
	ToReconcile(ctx context.Context, before time.Time, limit int) ([]Intent, error)

	// Ledger sums the ledger and the intents for the balance check.
	Ledger(ctx context.Context) (LedgerReport, error)
	// LedgerLines returns an intent's ledger lines.
	LedgerLines(ctx context.Context, intentID string) ([]LedgerLine, error)
}

// ErrNoChange, returned by an UpdateIntent function, leaves the intent as
// it is without failing.
var ErrNoChange = errs.E(errs.KindInternal, "no_change", "nothing to change")

// ErrWebhookSeen is returned by UpdateIntent when the mutation's webhook was
// recorded before: the delivery is a duplicate and nothing was written.
var ErrWebhookSeen = errs.Conflict("webhook_duplicate", "the webhook event was processed before")

// Mutation is what one update writes besides the intent, in the same
// transaction: history, ledger lines, refunds, outbox events and the
// webhook that caused it.
type Mutation struct {
	Transitions []IntentTransition
	Ledger      []LedgerLine
	Refunds     []Refund // inserted, or updated if the id exists
	Events      []Outgoing
	Webhook     *WebhookRecord
}

// StoredMethod is a Method with what only the payment service sees.
type StoredMethod struct {
	Method
	Fingerprint    string            // the card's fingerprint (card.Sealer.Fingerprint)
	Sealed         []byte            // the PAN, sealed with the method id as associated data
	ProviderTokens map[string]string // provider name -> the provider's token for the card
	DeletedAt      *time.Time
}

// WebhookRecord is a processed webhook event.
type WebhookRecord struct {
	Provider   string
	EventID    string
	Type       string
	IntentID   string
	ReceivedAt time.Time
}
