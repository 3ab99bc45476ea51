package identity

import (
	"context"
	"errors"
	"strconv"
	"strings"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/authn"
)

// sessionCacheTTL bounds how long a session lookup is served from the
// cache. Revocation deletes the entry at once, so this only bounds memory
// and the staleness of a role change made behind identity's back.
const sessionCacheTTL = time.Minute

// cachedSession is a session lookup as the cache keeps it.
type cachedSession struct {
	ID       string
	UserID   string
	Role     authn.Role
	MFA      bool
	LastSeen int64 // unix ms
	Expires  int64 // unix ms
	Idle     int64 // ms
}

// encode writes s as "s1|id|uid|role|mfa|seen|exp|idle": every request
// decodes one, and this costs a fraction of JSON. Ids and roles hold no '|'.
func (s cachedSession) encode() []byte {
	mfa := "0"
	if s.MFA {
		mfa = "1"
	}
	return []byte("s1|" + s.ID + "|" + s.UserID + "|" + string(s.Role) + "|" + mfa + "|" +
		strconv.FormatInt(s.LastSeen, 10) + "|" + strconv.FormatInt(s.Expires, 10) + "|" + strconv.FormatInt(s.Idle, 10))
}

func decodeSession(b []byte) (cachedSession, bool) {
	f := strings.Split(string(b), "|")
	if len(f) != 8 || f[0] != "s1" {
		return cachedSession{}, false
	}
	s := cachedSession{ID: f[1], UserID: f[2], Role: authn.Role(f[3]), MFA: f[4] == "1"}
	var err1, err2, err3 error
	s.LastSeen, err1 = strconv.ParseInt(f[5], 10, 64)
	s.Expires, err2 = strconv.ParseInt(f[6], 10, 64)
	s.Idle, err3 = strconv.ParseInt(f[7], 10, 64)
	return s, err1 == nil && err2 == nil && err3 == nil
}

func sessionKey(hash string) string { return "sess:" + hash }

func (c *Core) lifetimes(role authn.Role) (idle, max time.Duration) {
	if isStaff(role) {
		return c.opts.StaffSessionIdle, c.opts.StaffSessionMax
	}
	return c.opts.SessionIdle, c.opts.SessionMax
}

// openSession makes a session for a and returns it with its token.
func (c *Core) openSession(ctx context.Context, tx Store, a Account, mfa bool, meta ClientMeta) (Session, error) {
	now := c.now()
	idle, max := c.lifetimes(a.Role)
	token := newSecret("bzs_")
	ua, _ := cleanText(meta.UserAgent, 256)
	rec := SessionRecord{
		ID: c.opts.NewID(), UserID: a.ID, TokenHash: hashSecret(token),
		CreatedAt: now, LastSeenAt: now, ExpiresAt: now.Add(max), IdleTimeout: idle,
		MFA: mfa, UserAgent: ua, IP: truncate(meta.IP, 64),
	}
	if err := tx.CreateSession(ctx, rec); err != nil {
		return Session{}, err
	}
	return Session{ID: rec.ID, Token: token, ExpiresAt: rec.ExpiresAt, MFA: mfa, User: a.User}, nil
}

// Authenticate resolves a session token to its principal. A token that is
// malformed, unknown, idle too long or past its absolute end gives
// ErrInvalidSession; an expired session is deleted on the way. Lookups are
// cached; the last-seen time is written at most once a minute.
func (c *Core) Authenticate(ctx context.Context, token string) (authn.Principal, error) {
	if !wellFormed(token, "bzs_") {
		return authn.Principal{}, ErrInvalidSession
	}
	hash := hashSecret(token)
	key := sessionKey(hash)
	var s cachedSession
	raw, ok, err := c.cache.Get(ctx, key)
	if err == nil && ok {
		s, ok = decodeSession(raw)
	}
	if err != nil || !ok {
		rec, role, err := c.store.SessionByHash(ctx, hash)
		if err != nil {
			return authn.Principal{}, err
		}
		s = cachedSession{ID: rec.ID, UserID: rec.UserID, Role: role, MFA: rec.MFA,
			LastSeen: rec.LastSeenAt.UnixMilli(), Expires: rec.ExpiresAt.UnixMilli(), Idle: rec.IdleTimeout.Milliseconds()}
		c.cacheSession(ctx, key, s)
	}
	now := c.now()
	lastSeen := time.UnixMilli(s.LastSeen)
	idle := time.Duration(s.Idle) * time.Millisecond
	if !now.Before(time.UnixMilli(s.Expires)) || !now.Before(lastSeen.Add(idle)) {
		if _, err := c.store.DeleteSession(ctx, s.UserID, s.ID); err != nil {
			c.log().WarnContext(ctx, "identity: could not delete an expired session", "error", err)
		}
		_ = c.cache.Delete(ctx, key)
		return authn.Principal{}, ErrInvalidSession
	}
	if now.Sub(lastSeen) >= min(time.Minute, idle/10) {
		if err := c.store.TouchSession(ctx, s.ID, now); err != nil {
			if errors.Is(err, ErrInvalidSession) {
				_ = c.cache.Delete(ctx, key)
				return authn.Principal{}, err
			}
			// The session stays valid; a missed touch only shortens it.
			c.log().WarnContext(ctx, "identity: could not record session use", "error", err)
		} else {
			s.LastSeen = now.UnixMilli()
			c.cacheSession(ctx, key, s)
		}
	}
	return authn.Principal{UserID: s.UserID, Role: s.Role, SessionID: s.ID, MFA: s.MFA}, nil
}

func (c *Core) cacheSession(ctx context.Context, key string, s cachedSession) {
	if err := c.cache.Set(ctx, key, s.encode(), sessionCacheTTL); err != nil {
		c.log().WarnContext(ctx, "identity: session cache unavailable", "error", err)
	}
}

// forgetSessions drops ended sessions from the cache so they stop working
// at once. If the cache cannot be reached the entries still lapse within
// sessionCacheTTL; the store no longer has them.
func (c *Core) forgetSessions(ctx context.Context, hashes []string) {
	if len(hashes) == 0 {
		return
	}
	keys := make([]string, len(hashes))
	for i, h := range hashes {
		keys[i] = sessionKey(h)
	}
	if err := c.cache.Delete(context.WithoutCancel(ctx), keys...); err != nil {
		c.log().ErrorContext(ctx, "identity: ended sessions stay cached until their entries expire", "error", err)
	}
}

// SignOut ends the caller's session.
func (c *Core) SignOut(ctx context.Context) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	hash, err := c.store.DeleteSession(ctx, p.UserID, p.SessionID)
	if err != nil {
		return err
	}
	if hash != "" {
		c.forgetSessions(ctx, []string{hash})
	}
	return nil
}

// SignOutAll ends every session of the caller's account, this one too.
func (c *Core) SignOutAll(ctx context.Context) error {
	p, err := caller(ctx)
	if err != nil {
		return err
	}
	hashes, err := c.store.DeleteSessions(ctx, p.UserID, "")
	if err != nil {
		return err
	}
	c.forgetSessions(ctx, hashes)
	return nil
}

// Sessions lists the caller's open sessions.
func (c *Core) Sessions(ctx context.Context) ([]SessionInfo, error) {
	p, err := caller(ctx)
	if err != nil {
		return nil, err
	}
	recs, err := c.store.Sessions(ctx, p.UserID)
	if err != nil {
		return nil, err
	}
	now := c.now()
	out := make([]SessionInfo, 0, len(recs))
	for _, r := range recs {
		if !now.Before(r.ExpiresAt) || !now.Before(r.LastSeenAt.Add(r.IdleTimeout)) {
			continue
		}
		out = append(out, SessionInfo{ID: r.ID, CreatedAt: r.CreatedAt, LastSeenAt: r.LastSeenAt, ExpiresAt: r.ExpiresAt, UserAgent: r.UserAgent, IP: r.IP})
	}
	return out, nil
}

func truncate(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}
