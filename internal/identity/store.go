package identity

import (
	"context"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
)

// Account is a user as the store keeps it, secrets included. Core never
// lets it out of the package boundary; User is the public view.
type Account struct {
	User
	PasswordHash string
	TOTPSecret   string // sealed; "" while two-factor sign-in is off
	TOTPPending  string // sealed; an enrolment not yet confirmed
	TOTPLastStep int64  // the last time step a code was accepted for: no replays
	Erased       bool   // personal data removed; a tombstone
}

// SessionRecord is a session as stored: the token's hash, never the token.
type SessionRecord struct {
	ID          string
	UserID      string
	TokenHash   string
	CreatedAt   time.Time
	LastSeenAt  time.Time
	ExpiresAt   time.Time     // absolute end
	IdleTimeout time.Duration // ends this long after LastSeenAt
	MFA         bool
	UserAgent   string
	IP          string
}

// TokenPurpose says what a mailed token is for.
type TokenPurpose string

const (
	PurposeVerifyEmail   TokenPurpose = "verify_email"
	PurposeResetPassword TokenPurpose = "reset_password"
)

// TokenRecord is a single-use mailed token as stored (hashed).
type TokenRecord struct {
	Hash      string
	UserID    string
	Purpose   TokenPurpose
	CreatedAt time.Time
	ExpiresAt time.Time
}

// Pair is how often two products went together (bought in one order or by
// one shopper, viewed by one shopper).
type Pair struct {
	A, B  string
	Count int64
}

// ActorEvent is behaviour and whose it is.
type ActorEvent struct {
	Actor string
	Event
}

// ProductStat counts what shoppers did with a product.
type ProductStat struct {
	ProductID string
	Category  string
	Views     int64
	Carts     int64
	Purchases int64
}

// countOf is n of kind for a product, as a ProductStat to add (BumpStats).
func countOf(productID, category string, kind EventKind, n int) []ProductStat {
	st := ProductStat{ProductID: productID, Category: category}
	switch kind {
	case EventView:
		st.Views = int64(n)
	case EventCart:
		st.Carts = int64(n)
	case EventPurchase:
		st.Purchases = int64(n)
	}
	return []ProductStat{st}
}

// Store is what Core needs of storage. Methods report ErrUserNotFound,
// ErrAddressNotFound, ErrInvalidSession, ErrInvalidToken or ErrEmailTaken
// where their comments say so, and errs.Unavailable when the store is down.
type Store interface {
	// InTx runs fn with a Store whose every call is in one transaction.
	InTx(ctx context.Context, fn func(tx Store) error) error
	// Publish adds an event to the outbox; only inside InTx.
	Publish(ctx context.Context, subject string, ev bus.Event) error

	CreateAccount(ctx context.Context, a Account) error // ErrEmailTaken
	Account(ctx context.Context, id string) (Account, error)
	AccountByEmail(ctx context.Context, email string) (Account, error)
	// UpdateAccount writes every field but ID and CreatedAt.
	UpdateAccount(ctx context.Context, a Account) error
	// Accounts lists accounts by id (not erased ones) after q.PageToken, an id.
	Accounts(ctx context.Context, q UserQuery) ([]Account, error)
	CountRole(ctx context.Context, role authn.Role) (int, error)

	CreateSession(ctx context.Context, s SessionRecord) error
	// SessionByHash returns the session and its account's role, or
	// ErrInvalidSession.
	SessionByHash(ctx context.Context, hash string) (SessionRecord, authn.Role, error)
	TouchSession(ctx context.Context, id string, at time.Time) error
	// DeleteSession ends one session of userID and returns its token hash
	// ("" when there was none).
	DeleteSession(ctx context.Context, userID, id string) (string, error)
	// DeleteSessions ends every session of userID but keepID and returns
	// their token hashes.
	DeleteSessions(ctx context.Context, userID, keepID string) ([]string, error)
	Sessions(ctx context.Context, userID string) ([]SessionRecord, error)

	CreateToken(ctx context.Context, t TokenRecord) error
	// ConsumeToken spends an unexpired token of purpose and returns its
	// account, or ErrInvalidToken; a token is spent once.
	ConsumeToken(ctx context.Context, hash string, purpose TokenPurpose, now time.Time) (string, error)
	DeleteTokens(ctx context.Context, userID string, purpose TokenPurpose) error

	QueueMail(ctx context.Context, m Mail) error
	// QueueMails is QueueMail for many, in one statement.
	QueueMails(ctx context.Context, ms []Mail) error
	// DueMail claims unsent mail whose next attempt is due, moving that
	// attempt to claimUntil so that another replica's mailer skips it, and
	// returns it.
	DueMail(ctx context.Context, now, claimUntil time.Time, limit int) ([]Mail, error)
	MarkMailSent(ctx context.Context, id string, at time.Time) error
	// RetryMail counts a failed attempt and schedules the next one; after
	// maxAttempts it gives up on the message.
	RetryMail(ctx context.Context, id string, next time.Time, maxAttempts int) error
	RecentMail(ctx context.Context, limit int) ([]Mail, error)
	DeleteMailTo(ctx context.Context, to string) error

	Addresses(ctx context.Context, userID string) ([]Address, error)
	Address(ctx context.Context, userID, id string) (Address, error) // ErrAddressNotFound
	CreateAddress(ctx context.Context, userID string, a Address) error
	UpdateAddress(ctx context.Context, userID string, a Address) error // ErrAddressNotFound
	DeleteAddress(ctx context.Context, userID, id string) error        // ErrAddressNotFound
	// ClearDefaults unsets the default flags given as true on every
	// address of userID but exceptID.
	ClearDefaults(ctx context.Context, userID, exceptID string, shipping, billing bool) error
	DeleteAddresses(ctx context.Context, userID string) error

	// MarkProcessed records a consumed bus event and reports whether it
	// was new: the consumers' de-duplication.
	MarkProcessed(ctx context.Context, eventID string, at time.Time) (bool, error)
	// MarkProcessedAll is MarkProcessed for many events at once; the map
	// holds the ids that were new.
	MarkProcessedAll(ctx context.Context, eventIDs []string, at time.Time) (map[string]bool, error)
	// AddEvents records behaviour of actor ("u:<user id>" or "d:<device id>").
	AddEvents(ctx context.Context, actor string, evs []Event) error
	// AddActorEvents records the behaviour of several actors at once.
	AddActorEvents(ctx context.Context, evs []ActorEvent) error
	// RecentEvents returns actor's behaviour, the newest first.
	RecentEvents(ctx context.Context, actor string, limit int) ([]Event, error)
	ReassignEvents(ctx context.Context, from, to string) error
	DeleteEvents(ctx context.Context, actor string) error
	// BumpPairs adds one to each pair's count, both ways round.
	BumpPairs(ctx context.Context, kind EventKind, pairs []Pair) error
	// BumpStats adds each ProductStat's counts to its product's, and
	// records the category where one is given.
	BumpStats(ctx context.Context, bumps []ProductStat) error
	// Related returns the pairs of kind whose A is one of seeds, the most
	// frequent first.
	Related(ctx context.Context, kind EventKind, seeds []string, limit int) ([]Pair, error)
	// Stats returns the counts of products.
	Stats(ctx context.Context, productIDs []string) (map[string]ProductStat, error)
	// Popular returns the most bought (then carted, then viewed) products,
	// in category when it is not "".
	Popular(ctx context.Context, category string, limit int) ([]ProductStat, error)
	SavePurchase(ctx context.Context, userID string, p Purchase) error
	Purchases(ctx context.Context, userID string, limit int) ([]Purchase, error)
	DeletePurchases(ctx context.Context, userID string) error

	// Sweep deletes what has outlived its use and reports how many rows.
	Sweep(ctx context.Context, r Retention) (int64, error)
}

// Retention says what Sweep deletes: sessions and tokens expired at Now,
// mail created before MailBefore, de-duplication records before
// ProcessedBefore and behaviour before EventsBefore.
type Retention struct {
	Now, MailBefore, ProcessedBefore, EventsBefore time.Time
}
