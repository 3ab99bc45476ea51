package identity

import (
	"context"
	"log/slog"
	"strconv"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/cache"
)

// limiter counts events per key in fixed windows on the shared cache (Redis
// in production, so every replica sees the same counts) and refuses when the
// current and the previous window together reach the limit. Any span of one
// window's length lies within two consecutive windows, so this never lets
// more than limit events through in any such span; a blocked key clears by
// itself within two windows, so nobody is locked out for good.
//
// If the cache fails, the limiter lets requests through and logs: an outage
// of the cache must not stop every sign-in.
type limiter struct {
	c   cache.Cache
	now func() time.Time
	log *slog.Logger
}

type rule struct {
	name   string
	limit  int64
	window time.Duration
}

func (l *limiter) keys(r rule, key string, now time.Time) (cur, prev string, end time.Time) {
	idx := now.UnixNano() / int64(r.window)
	base := "rl:" + r.name + ":" + key + ":"
	end = time.Unix(0, (idx+1)*int64(r.window))
	return base + strconv.FormatInt(idx, 10), base + strconv.FormatInt(idx-1, 10), end
}

func (l *limiter) count(ctx context.Context, key string) int64 {
	v, ok, err := l.c.Get(ctx, key)
	if err != nil {
		l.log.WarnContext(ctx, "identity: throttle counter unreadable; not throttling", "error", err)
		return 0
	}
	if !ok {
		return 0
	}
	n, _ := strconv.ParseInt(string(v), 10, 64)
	return n
}

// wait reports how long key must wait before the next event is allowed
// under r; 0 means now.
func (l *limiter) wait(ctx context.Context, r rule, key string) time.Duration {
	if key == "" {
		return 0
	}
	now := l.now()
	curKey, prevKey, end := l.keys(r, key, now)
	cur, prev := l.count(ctx, curKey), l.count(ctx, prevKey)
	switch {
	case cur+prev < r.limit:
		return 0
	case cur < r.limit:
		return end.Sub(now) // when the previous window drops out
	default:
		return end.Sub(now) + r.window
	}
}

// add counts one event of key under r.
func (l *limiter) add(ctx context.Context, r rule, key string) {
	if key == "" {
		return
	}
	cur, _, _ := l.keys(r, key, l.now())
	if _, err := l.c.IncrBy(ctx, cur, 1, 2*r.window+time.Minute); err != nil {
		l.log.WarnContext(ctx, "identity: throttle counter not updated", "error", err)
	}
}

// allow counts an event and reports whether it was within the limit, or
// how long to wait.
func (l *limiter) allow(ctx context.Context, r rule, key string) time.Duration {
	if w := l.wait(ctx, r, key); w > 0 {
		return w
	}
	l.add(ctx, r, key)
	return 0
}

// reset forgets key's events under r (a successful sign-in or reset).
func (l *limiter) reset(ctx context.Context, r rule, key string) {
	if key == "" {
		return
	}
	cur, prev, _ := l.keys(r, key, l.now())
	if err := l.c.Delete(ctx, cur, prev); err != nil {
		l.log.WarnContext(ctx, "identity: throttle counter not reset", "error", err)
	}
}
