package cache

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/redis/go-redis/v9"
)

// Redis is the Cache shared by every replica in production.
type Redis struct {
	client redis.UniversalClient
	loader loader
}

var _ Cache = (*Redis)(nil)

// OpenRedis connects to the Redis server a URL names
// ("redis://user:pass@host:6379/0", "rediss://…" for TLS) and pings it.
func OpenRedis(ctx context.Context, url string) (*Redis, error) {
	opts, err := redis.ParseURL(url)
	if err != nil {
		// The parser's message can quote the URL, and with it a password.
		return nil, errors.New("cache: bad redis URL: want redis://[user:password@]host:port/db")
	}
	r := NewRedis(redis.NewClient(opts))
	if err := r.Ping(ctx); err != nil {
		_ = r.Close()
		return nil, fmt.Errorf("cache: open redis %s: %w", opts.Addr, err)
	}
	return r, nil
}

// NewRedis wraps a client, which the Redis then owns: Close closes it.
func NewRedis(client redis.UniversalClient) *Redis { return &Redis{client: client} }

// Client exposes the underlying client for what the interface does not
// cover (scripts of a rate limiter, pub/sub); keys it writes are not namespaced.
func (r *Redis) Client() redis.UniversalClient { return r.client }

func (r *Redis) Get(ctx context.Context, key string) ([]byte, bool, error) {
	v, err := r.client.Get(ctx, key).Bytes()
	if errors.Is(err, redis.Nil) {
		return nil, false, nil
	}
	if err != nil {
		return nil, false, mapErr("get", err)
	}
	return v, true, nil
}

func (r *Redis) Set(ctx context.Context, key string, val []byte, ttl time.Duration) error {
	return mapErr("set", r.client.Set(ctx, key, val, redisTTL(ttl)).Err())
}

func (r *Redis) SetNX(ctx context.Context, key string, val []byte, ttl time.Duration) (bool, error) {
	ok, err := r.client.SetNX(ctx, key, val, redisTTL(ttl)).Result()
	return ok, mapErr("setnx", err)
}

func (r *Redis) Delete(ctx context.Context, keys ...string) error {
	if len(keys) == 0 {
		return nil
	}
	return mapErr("del", r.client.Del(ctx, keys...).Err())
}

// incrBy applies the TTL only to a counter without one, in the same atomic
// step as the increment: with INCRBY then EXPIRE as two commands, a crash
// between them would leave a rate-limit counter that never resets.
var incrBy = redis.NewScript(`
local v = redis.call('INCRBY', KEYS[1], ARGV[1])
if tonumber(ARGV[2]) > 0 and redis.call('PTTL', KEYS[1]) == -1 then
	redis.call('PEXPIRE', KEYS[1], ARGV[2])
end
return v`)

func (r *Redis) IncrBy(ctx context.Context, key string, n int64, ttl time.Duration) (int64, error) {
	v, err := incrBy.Run(ctx, r.client, []string{key}, n, redisTTL(ttl).Milliseconds()).Int64()
	// A generic ERR reply is the server refusing this increment (not an
	// integer, or it would overflow); OOM, READONLY, LOADING and the like
	// have codes of their own and mean the server cannot serve.
	var reply redis.Error
	if errors.As(err, &reply) && strings.HasPrefix(reply.Error(), "ERR ") {
		return 0, ErrNotCounter.With(fmt.Sprintf("incrby %q: %s", key, reply.Error()))
	}
	return v, mapErr("incrby", err)
}

func (r *Redis) GetOrLoad(ctx context.Context, key string, ttl time.Duration, load LoadFunc) ([]byte, error) {
	return r.loader.getOrLoad(ctx, r, key, ttl, load)
}

func (r *Redis) Ping(ctx context.Context) error {
	return mapErr("ping", r.client.Ping(ctx).Err())
}

func (r *Redis) Close() error {
	if err := r.client.Close(); err != nil && !errors.Is(err, redis.ErrClosed) {
		return fmt.Errorf("cache: close redis: %w", err)
	}
	return nil
}

// redisTTL rounds a sub-millisecond TTL up: Redis counts in milliseconds, and
// a TTL that rounded to 0 would mean no expiry at all.
func redisTTL(ttl time.Duration) time.Duration {
	switch {
	case ttl <= 0:
		return 0
	case ttl < time.Millisecond:
		return time.Millisecond
	}
	return ttl
}

func mapErr(op string, err error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, redis.ErrClosed):
		return ErrClosed
	case errors.Is(err, context.Canceled), errors.Is(err, context.DeadlineExceeded):
		return fmt.Errorf("cache: redis %s: %w", op, err)
	}
	return ErrUnavailable.Wrap(fmt.Errorf("redis %s: %w", op, err))
}
