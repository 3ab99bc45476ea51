package identity

import (
	"context"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/hex"
	"log/slog"
	"runtime"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/cache"
	"github.com/bazaarshop/bazaar/internal/platform/ids"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// Options configure Core. The zero value is a working development setup:
// an in-process cache, the system clock, no SMTP (mail stays in the store
// for the development mailbox), OWASP's Argon2id parameters.
type Options struct {
	// Cache holds session lookups and throttling counters; use the shared
	// Redis cache when identity runs in more than one process, so that a
	// sign-out and a failure count reach every replica. Keys are prefixed
	// "identity:". nil: an in-process cache.
	Cache cache.Cache
	// Now is the clock (time.Now); tests move it.
	Now func() time.Time
	// NewID mints ids (ids.New).
	NewID  func() string
	Logger *slog.Logger

	// Mailer sends mail from the outbox (RunMailer); nil keeps it stored,
	// for GET /api/v1/dev/mail.
	Mailer Mailer
	// MailFrom is the sender ("Bazaar <no-reply@localhost>").
	MailFrom string
	// PublicURL is where shoppers reach the shop, for links in mail
	// (http://localhost:8080): /verify-email?token=… and
	// /reset-password?token=… are the storefront's pages.
	PublicURL string

	// Password are Argon2id's costs (DefaultPasswordParams). Tests use
	// TestPasswordParams.
	Password PasswordParams
	// HashConcurrency caps hashes computed at once (GOMAXPROCS): each holds
	// Password.Memory KiB.
	HashConcurrency int
	// HashWait is how long a request waits for a hashing slot before it is
	// told the service is busy (5 s).
	HashWait time.Duration

	// Customers' sessions end after SessionIdle without use or SessionMax
	// after sign-in (14 days, 30 days); staff and admin sessions after
	// StaffSessionIdle and StaffSessionMax (30 minutes, 12 hours).
	SessionIdle, SessionMax           time.Duration
	StaffSessionIdle, StaffSessionMax time.Duration
	// VerifyTTL and ResetTTL bound mailed links (48 hours, 1 hour).
	VerifyTTL, ResetTTL time.Duration

	// MaxFailures is how many failed sign-ins an account may have in
	// FailureWindow before further attempts get 429 (10 in 15 minutes);
	// MaxIPFailures the same per client address (100).
	MaxFailures, MaxIPFailures int
	FailureWindow              time.Duration
	// MailPerHour caps mail to one address (5), so nobody can use sign-up
	// or reset to flood someone's inbox; MailRequestsPerIPHour caps the
	// sign-ups, resends and reset requests from one client address (100:
	// mobile carriers put many shoppers behind one address).
	MailPerHour, MailRequestsPerIPHour int

	// EncryptionKey seals TOTP secrets at rest (AES-256-GCM under
	// SHA-256 of the key). Empty: they are stored unsealed.
	EncryptionKey []byte
	// Issuer names the shop in authenticator apps ("Bazaar").
	Issuer string

	// OnCommit is called after a commit that queued events or mail, e.g.
	// to wake the outbox relay.
	OnCommit func()

	// Bus is where RunConsumers reads order.paid, order.shipped,
	// order.refunded and cart.item_added; OrdersStream and CartsStream name
	// the streams holding them ("ORDERS", "CARTS"), the Subject fields the
	// subjects (SubjectOrderPaid, SubjectOrderShipped, SubjectOrderRefunded,
	// SubjectCartItemAdded).
	Bus                                       *bus.Bus
	OrdersStream, CartsStream                 string
	OrderPaidSubject, CartItemAddedSubject    string
	OrderShippedSubject, OrderRefundedSubject string
}

func (o *Options) defaults() {
	if o.Now == nil {
		o.Now = time.Now
	}
	if o.NewID == nil {
		o.NewID = ids.New
	}
	if o.Logger == nil {
		o.Logger = slog.Default()
	}
	if o.MailFrom == "" {
		o.MailFrom = "Bazaar <no-reply@localhost>"
	}
	if o.PublicURL == "" {
		o.PublicURL = "http://localhost:8080"
	}
	o.PublicURL = strings.TrimRight(o.PublicURL, "/")
	if o.Password == (PasswordParams{}) {
		o.Password = DefaultPasswordParams
	}
	if o.HashConcurrency <= 0 {
		o.HashConcurrency = runtime.GOMAXPROCS(0)
	}
	def := func(d *time.Duration, v time.Duration) {
		if *d <= 0 {
			*d = v
		}
	}
	def(&o.HashWait, 5*time.Second)
	def(&o.SessionIdle, 14*24*time.Hour)
	def(&o.SessionMax, 30*24*time.Hour)
	def(&o.StaffSessionIdle, 30*time.Minute)
	def(&o.StaffSessionMax, 12*time.Hour)
	def(&o.VerifyTTL, 48*time.Hour)
	def(&o.ResetTTL, time.Hour)
	def(&o.FailureWindow, 15*time.Minute)
	defInt := func(n *int, v int) {
		if *n <= 0 {
			*n = v
		}
	}
	defInt(&o.MaxFailures, 10)
	defInt(&o.MaxIPFailures, 100)
	defInt(&o.MailPerHour, 5)
	defInt(&o.MailRequestsPerIPHour, 100)
	if o.Issuer == "" {
		o.Issuer = "Bazaar"
	}
	if o.OrdersStream == "" {
		o.OrdersStream = "ORDERS"
	}
	if o.CartsStream == "" {
		o.CartsStream = "CARTS"
	}
	if o.OrderPaidSubject == "" {
		o.OrderPaidSubject = SubjectOrderPaid
	}
	if o.CartItemAddedSubject == "" {
		o.CartItemAddedSubject = SubjectCartItemAdded
	}
	if o.OrderShippedSubject == "" {
		o.OrderShippedSubject = SubjectOrderShipped
	}
	if o.OrderRefundedSubject == "" {
		o.OrderRefundedSubject = SubjectOrderRefunded
	}
}

// Core is identity's rules over a Store. It implements Service.
type Core struct {
	store  Store
	opts   Options
	cache  cache.Cache
	hasher *hasher
	limit  *limiter
	seal   *sealer
	wake   chan struct{} // nudges RunMailer

	consumed *sqldb.Queue[*consumedEvent] // batches of consumed events (batch.go)

	acctFailures, ipFailures, mailRule, mailRequestRule rule
}

var (
	_ Service        = (*Core)(nil)
	_ authn.Resolver = (*Core)(nil)
)

// NewCore returns a Core keeping its data in store.
func NewCore(store Store, opts Options) *Core {
	opts.defaults()
	c := opts.Cache
	if c == nil {
		c = cache.NewMemory(cache.MemoryOptions{CleanupInterval: -1})
	}
	c = cache.Namespace(c, "identity")
	core := &Core{
		store:  store,
		opts:   opts,
		cache:  c,
		hasher: newHasher(opts.Password, opts.HashConcurrency, opts.HashWait),
		limit:  &limiter{c: c, now: opts.Now, log: opts.Logger},
		seal:   newSealer(opts.EncryptionKey),
		wake:   make(chan struct{}, 1),

		acctFailures:    rule{"acct", int64(opts.MaxFailures), opts.FailureWindow},
		ipFailures:      rule{"ip", int64(opts.MaxIPFailures), opts.FailureWindow},
		mailRule:        rule{"mail", int64(opts.MailPerHour), time.Hour},
		mailRequestRule: rule{"mailreq", int64(opts.MailRequestsPerIPHour), time.Hour},
	}
	core.consumed = sqldb.NewQueue(maxConsumedBatch, 1, core.recordBatch)
	return core
}

// committed runs after a commit that queued mail or events.
func (c *Core) committed() {
	select {
	case c.wake <- struct{}{}:
	default:
	}
	if c.opts.OnCommit != nil {
		c.opts.OnCommit()
	}
}

// newSecret returns 256 random bits, base64url, with a prefix naming its
// use ("bzs_" sessions, "bzt_" mailed tokens) so that a leaked one is
// recognisable by secret scanners and a misplaced one fails fast.
func newSecret(prefix string) string {
	var b [32]byte
	if _, err := rand.Read(b[:]); err != nil {
		panic("identity: crypto/rand failed: " + err.Error())
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b[:])
}

// secretLen is the length of a newSecret with a 4-byte prefix.
const secretLen = 4 + 43

func hashSecret(s string) string {
	sum := sha256.Sum256([]byte(s))
	return hex.EncodeToString(sum[:])
}

func wellFormed(secret, prefix string) bool {
	if len(secret) != secretLen || !strings.HasPrefix(secret, prefix) {
		return false
	}
	_, err := base64.RawURLEncoding.DecodeString(secret[4:])
	return err == nil
}

// caller returns the signed-in account of ctx.
func caller(ctx context.Context) (authn.Principal, error) { return authn.User(ctx) }

func userActor(id string) string   { return "u:" + id }
func deviceActor(id string) string { return "d:" + id }
func (c *Core) now() time.Time     { return c.opts.Now().UTC().Truncate(time.Millisecond) }
func (c *Core) log() *slog.Logger  { return c.opts.Logger }
func isStaff(r authn.Role) bool    { return r == authn.RoleStaff || r == authn.RoleAdmin }
