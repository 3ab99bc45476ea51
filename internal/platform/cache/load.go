package cache

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"runtime/debug"
	"sync/atomic"
	"time"

	"github.com/bazaarshop/bazaar/internal/platform/errs"
	"golang.org/x/sync/singleflight"
)

// loader gives an implementation GetOrLoad; each one holds its own, so keys
// of different caches never share a flight.
type loader struct {
	flight  singleflight.Group
	waiting atomic.Int64 // callers in a flight right now
}

func (l *loader) getOrLoad(ctx context.Context, c Cache, key string, ttl time.Duration, load LoadFunc) ([]byte, error) {
	v, ok, err := c.Get(ctx, key)
	switch {
	case errors.Is(err, ErrClosed):
		return nil, err
	case err == nil && ok:
		return v, nil
	}

	l.waiting.Add(1)
	defer l.waiting.Add(-1)
	ch := l.flight.DoChan(key, func() (any, error) {
		lctx, cancel := detach(ctx)
		defer cancel()
		// A flight that just finished may have filled the key.
		if v, ok, err := c.Get(lctx, key); err == nil && ok {
			return v, nil
		}
		v, err := safeLoad(lctx, load)
		if err != nil {
			return nil, err
		}
		_ = c.Set(lctx, key, v, ttl) // best effort: the caller has its value either way
		return v, nil
	})
	select {
	case r := <-ch:
		if r.Err != nil {
			return nil, r.Err
		}
		v := r.Val.([]byte)
		if r.Shared {
			v = bytes.Clone(v) // each caller may modify its own copy
		}
		return v, nil
	case <-ctx.Done():
		return nil, ctx.Err()
	}
}

// safeLoad turns a panic in load into an error: singleflight would re-panic
// it on a goroutine of its own, where no recover can reach it.
func safeLoad(ctx context.Context, load LoadFunc) (v []byte, err error) {
	defer func() {
		if p := recover(); p != nil {
			err = errs.Internal(fmt.Errorf("cache: load panicked: %v\n%s", p, debug.Stack()))
		}
	}()
	return load(ctx)
}

// detach gives the load a context that outlives a caller who gives up, so
// that the others waiting on the flight still get a value, but that keeps the
// first caller's deadline and values (trace ids).
func detach(ctx context.Context) (context.Context, context.CancelFunc) {
	lctx := context.WithoutCancel(ctx)
	if dl, ok := ctx.Deadline(); ok {
		return context.WithDeadline(lctx, dl)
	}
	return lctx, func() {}
}
