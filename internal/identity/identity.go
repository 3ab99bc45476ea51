// Package identity is who Bazaar's shoppers and staff are: accounts, sign-up
// and sign-in, sessions, roles, two-factor sign-in, profiles, addresses, and
// the behaviour that personalises the shop (views, searches, add-to-carts and
// purchases) with the recommendations drawn from it.
//
// The package root holds the domain types and the Service interface. Core
// holds the rules over a Store; identitydb keeps the store in SQLite or
// PostgreSQL; identityhttp serves Service over HTTP and is also a client of
// it. Service methods act for the caller on the context (authn.FromContext):
// the HTTP layer puts the authenticated principal there, another service's
// client forwards it signed, and a test puts one there with
// authn.WithPrincipal.
package identity

import (
	"context"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/money"
)

// User is an account as its owner and staff see it.
type User struct {
	ID            string      `json:"id"`
	Email         string      `json:"email"`
	Name          string      `json:"name"`
	Phone         string      `json:"phone,omitempty"`
	Role          authn.Role  `json:"role" enum:"customer,staff,admin"`
	EmailVerified bool        `json:"email_verified"`
	TOTPEnabled   bool        `json:"totp_enabled"`
	Preferences   Preferences `json:"preferences"`
	CreatedAt     time.Time   `json:"created_at"`
	UpdatedAt     time.Time   `json:"updated_at"`
}

// Preferences personalise the shop for an account.
type Preferences struct {
	Sizes               []string `json:"sizes" maxItems:"20" doc:"Sizes the shopper usually buys (\"M\", \"32\", \"UK 8\")."`
	FavouriteCategories []string `json:"favourite_categories" maxItems:"20" doc:"Category slugs."`
	MarketingOptIn      bool     `json:"marketing_opt_in"`
}

// Session is an open sign-in. Token is the credential, returned once, when
// the session is made; only its hash is stored.
type Session struct {
	ID        string    `json:"id"`
	Token     string    `json:"token,omitempty" doc:"The bearer token; present only when the session was asked for as a bearer token."`
	ExpiresAt time.Time `json:"expires_at" doc:"When the session ends at the latest; it ends earlier after a period of inactivity."`
	MFA       bool      `json:"mfa" doc:"The session was opened with a second factor."`
	User      User      `json:"user"`
}

// Principal is the caller a session makes.
func (s Session) Principal() authn.Principal {
	return authn.Principal{UserID: s.User.ID, Role: s.User.Role, SessionID: s.ID, MFA: s.MFA}
}

// SessionInfo describes an open session for the account's owner.
type SessionInfo struct {
	ID         string    `json:"id"`
	CreatedAt  time.Time `json:"created_at"`
	LastSeenAt time.Time `json:"last_seen_at"`
	ExpiresAt  time.Time `json:"expires_at"`
	UserAgent  string    `json:"user_agent,omitempty"`
	IP         string    `json:"ip,omitempty"`
}

// ClientMeta is what the HTTP layer knows of the client behind a request.
type ClientMeta struct {
	IP        string // the client's address, for per-IP throttling
	UserAgent string
	DeviceID  string // a guest's device id, merged into the account at sign-in
}

// SignUpInput opens an account.
type SignUpInput struct {
	Email    string `json:"email" doc:"At most 254 characters."`
	Password string `json:"password" doc:"8 to 128 characters, not one of the 10,000 commonest passwords."`
	Name     string `json:"name" doc:"1 to 100 characters."`
	Phone    string `json:"phone,omitempty" doc:"E.164, e.g. +919812345678."`
}

// SignInInput signs in with a password and, when enabled, a TOTP code.
type SignInInput struct {
	Email    string `json:"email"`
	Password string `json:"password"`
	TOTP     string `json:"totp,omitempty" doc:"The 6-digit code of the account's authenticator app, when two-factor sign-in is on."`
}

// UserPatch changes a profile; nil fields stay as they are.
type UserPatch struct {
	Name        *string      `json:"name,omitempty" maxLength:"100"`
	Phone       *string      `json:"phone,omitempty" maxLength:"20"`
	Preferences *Preferences `json:"preferences,omitempty"`
}

// TOTPEnrolment is a pending authenticator secret, shown once.
type TOTPEnrolment struct {
	Secret string `json:"secret" doc:"Base32; for typing into an authenticator app."`
	URI    string `json:"otpauth_uri" doc:"An otpauth:// URI, for a QR code."`
}

// Address is a postal address of an account.
type Address struct {
	ID              string    `json:"id"`
	Name            string    `json:"name" doc:"Who receives parcels here."`
	Phone           string    `json:"phone"`
	Line1           string    `json:"line1"`
	Line2           string    `json:"line2,omitempty"`
	Landmark        string    `json:"landmark,omitempty"`
	City            string    `json:"city"`
	State           string    `json:"state"`
	PostalCode      string    `json:"postal_code"`
	Country         string    `json:"country" doc:"ISO 3166-1 alpha-2."`
	DefaultShipping bool      `json:"default_shipping"`
	DefaultBilling  bool      `json:"default_billing"`
	CreatedAt       time.Time `json:"created_at"`
	UpdatedAt       time.Time `json:"updated_at"`
}

// AddressInput creates an address or, with nil fields left alone, changes
// one.
type AddressInput struct {
	Name            *string `json:"name,omitempty" maxLength:"100"`
	Phone           *string `json:"phone,omitempty" maxLength:"20"`
	Line1           *string `json:"line1,omitempty" maxLength:"200"`
	Line2           *string `json:"line2,omitempty" maxLength:"200"`
	Landmark        *string `json:"landmark,omitempty" maxLength:"100"`
	City            *string `json:"city,omitempty" maxLength:"100"`
	State           *string `json:"state,omitempty" maxLength:"100"`
	PostalCode      *string `json:"postal_code,omitempty" maxLength:"16" doc:"In India a 6-digit PIN code whose first digit is 1-9."`
	Country         *string `json:"country,omitempty" maxLength:"2" doc:"ISO 3166-1 alpha-2; IN when absent on creation."`
	DefaultShipping *bool   `json:"default_shipping,omitempty"`
	DefaultBilling  *bool   `json:"default_billing,omitempty"`
}

// EventKind is a kind of shopper behaviour.
type EventKind string

const (
	EventView     EventKind = "view"     // a product page was seen
	EventSearch   EventKind = "search"   // a search was made
	EventCart     EventKind = "cart"     // a unit went into a cart (from the cart service)
	EventPurchase EventKind = "purchase" // a unit was paid for (from the order service)
)

// EventInput is behaviour a client reports: product views and searches.
type EventInput struct {
	Type      EventKind `json:"type" enum:"view,search"`
	ProductID string    `json:"product_id,omitempty" maxLength:"64"`
	Category  string    `json:"category,omitempty" maxLength:"64" doc:"The product's category slug, when known."`
	Query     string    `json:"query,omitempty" maxLength:"200" doc:"The search text, for type search."`
}

// Event is one recorded piece of behaviour.
type Event struct {
	Kind      EventKind `json:"kind"`
	ProductID string    `json:"product_id,omitempty"`
	Category  string    `json:"category,omitempty"`
	Query     string    `json:"query,omitempty"`
	Quantity  int       `json:"quantity,omitempty"`
	At        time.Time `json:"at"`
}

// Purchase is a paid order as personalisation remembers it.
type Purchase struct {
	OrderID string      `json:"order_id"`
	PaidAt  time.Time   `json:"paid_at"`
	Total   money.Money `json:"total"`
	Items   []OrderItem `json:"items"`
}

// Recommendation is one suggested product and why.
type Recommendation struct {
	ProductID string  `json:"product_id"`
	Score     float64 `json:"score"`
	Reason    string  `json:"reason" enum:"bought_together,viewed_together,favourite_category,bestseller"`
}

// Recommendations are the products to show a shopper.
type Recommendations struct {
	Items          []Recommendation `json:"items"`
	RecentlyViewed []string         `json:"recently_viewed" doc:"Product ids, the most recent first."`
	Strategy       string           `json:"strategy" enum:"personal,bestsellers" doc:"bestsellers when there is no behaviour to go on yet."`
}

// Export is everything an account holds, for its owner.
type Export struct {
	User       User          `json:"user"`
	Addresses  []Address     `json:"addresses"`
	Sessions   []SessionInfo `json:"sessions"`
	Events     []Event       `json:"events"`
	Purchases  []Purchase    `json:"purchases"`
	ExportedAt time.Time     `json:"exported_at"`
}

// UserQuery lists accounts for staff.
type UserQuery struct {
	Email     string     // a prefix of the email address
	Role      authn.Role // only this role
	PageSize  int        // 0: 50; at most 200
	PageToken string
}

// UserPage is one page of accounts.
type UserPage struct {
	Items         []User `json:"items"`
	NextPageToken string `json:"next_page_token,omitempty"`
}

// Mail is a message to a user, kept in the outbox until sent.
type Mail struct {
	ID        string     `json:"id"`
	To        string     `json:"to"`
	Subject   string     `json:"subject"`
	Body      string     `json:"body"`
	CreatedAt time.Time  `json:"created_at"`
	SentAt    *time.Time `json:"sent_at,omitempty"`
}

// Service is identity as the rest of Bazaar sees it. Methods that act for
// an account take it from the context's principal; without one they fail
// with authn.ErrUnauthenticated.
type Service interface {
	// Authenticate resolves a session token (authn.Resolver).
	Authenticate(ctx context.Context, token string) (authn.Principal, error)

	// SignUp opens an account and mails a verification link. It answers
	// the same for an address already registered (whose owner is mailed a
	// notice instead), so it cannot be used to find out who has an account.
	SignUp(ctx context.Context, in SignUpInput, meta ClientMeta) error
	// SignIn opens a session. Failures say nothing about which part was
	// wrong; repeated failures are throttled (ErrThrottled).
	SignIn(ctx context.Context, in SignInInput, meta ClientMeta) (Session, error)
	// VerifyEmail spends a verification token and opens a session.
	VerifyEmail(ctx context.Context, token string, meta ClientMeta) (Session, error)
	// ResendVerification mails a new link if the address has an account
	// not yet verified, and answers the same either way.
	ResendVerification(ctx context.Context, email string, meta ClientMeta) error
	// RequestPasswordReset mails a reset link if the address has an
	// account, and answers the same either way.
	RequestPasswordReset(ctx context.Context, email string, meta ClientMeta) error
	// ResetPassword spends a reset token, sets the password and ends every
	// session of the account.
	ResetPassword(ctx context.Context, token, password string) error
	// SignOut ends the caller's session; SignOutAll every session of the
	// caller's account.
	SignOut(ctx context.Context) error
	SignOutAll(ctx context.Context) error

	Me(ctx context.Context) (User, error)
	UpdateMe(ctx context.Context, p UserPatch) (User, error)
	// ChangePassword needs the current password and ends the account's
	// other sessions.
	ChangePassword(ctx context.Context, current, next string) error
	// Sessions lists the caller's open sessions.
	Sessions(ctx context.Context) ([]SessionInfo, error)
	// Export returns everything the caller's account holds.
	Export(ctx context.Context) (Export, error)
	// DeleteMe erases the caller's personal data (after checking the
	// password), keeping an anonymous tombstone so orders stay intact.
	DeleteMe(ctx context.Context, password string) error

	EnrolTOTP(ctx context.Context) (TOTPEnrolment, error)
	ConfirmTOTP(ctx context.Context, code string) error
	DisableTOTP(ctx context.Context, code string) error

	Addresses(ctx context.Context) ([]Address, error)
	Address(ctx context.Context, id string) (Address, error)
	CreateAddress(ctx context.Context, in AddressInput) (Address, error)
	UpdateAddress(ctx context.Context, id string, in AddressInput) (Address, error)
	DeleteAddress(ctx context.Context, id string) error

	// RecordEvent records behaviour of the caller, or of the guest with
	// deviceID when nobody is signed in.
	RecordEvent(ctx context.Context, deviceID string, in EventInput) error
	// Recommendations suggests up to limit products for the caller or the
	// guest with deviceID.
	Recommendations(ctx context.Context, deviceID string, limit int) (Recommendations, error)
	// Purchases is the caller's purchase history, the newest first.
	Purchases(ctx context.Context) ([]Purchase, error)

	// Users lists accounts (staff and admins); User reads one; SetRole
	// changes one's role (admins), ending its sessions.
	Users(ctx context.Context, q UserQuery) (UserPage, error)
	User(ctx context.Context, id string) (User, error)
	SetRole(ctx context.Context, id string, role authn.Role) (User, error)
}
