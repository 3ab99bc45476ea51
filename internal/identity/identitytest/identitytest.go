// Package identitytest helps test identity and the code that uses it: a
// clock to move, a Core on a real store, the suites every Store and every
// Service implementation must pass.
package identitytest

import (
	"context"
	"io"
	"log/slog"
	"net/url"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/identity/identitydb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// Clock is a clock tests move by hand.
type Clock struct {
	mu sync.Mutex
	t  time.Time
}

// NewClock returns a clock at the current time.
func NewClock() *Clock { return &Clock{t: time.Now().UTC().Truncate(time.Millisecond)} }

func (c *Clock) Now() time.Time {
	c.mu.Lock()
	defer c.mu.Unlock()
	return c.t
}

// Advance moves the clock forward by d.
func (c *Clock) Advance(d time.Duration) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.t = c.t.Add(d)
}

// Options returns Core options for tests: cheap password hashing, the
// clock, a silent logger.
func Options(clock *Clock) identity.Options {
	return identity.Options{
		Now:      clock.Now,
		Password: identity.TestPasswordParams,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
	}
}

// NewCore returns a Core on a migrated store in db, with opts (see Options).
func NewCore(t testing.TB, db *sqldb.DB, opts identity.Options) *identity.Core {
	t.Helper()
	if err := identitydb.Migrate(context.Background(), db); err != nil {
		t.Fatalf("migrate identity: %v", err)
	}
	return identity.NewCore(identitydb.New(db), opts)
}

var tokenRe = regexp.MustCompile(`token=([A-Za-z0-9_%\-]+)`)

// TokenFrom returns the token of the newest mail to address whose body
// links to path ("/verify-email", "/reset-password"), or "".
func TokenFrom(mails []identity.Mail, to, path string) string {
	for _, m := range mails {
		if m.To != to || !strings.Contains(m.Body, path+"?token=") {
			continue
		}
		if sub := tokenRe.FindStringSubmatch(m.Body); sub != nil {
			tok, err := url.QueryUnescape(sub[1])
			if err == nil {
				return tok
			}
		}
	}
	return ""
}
