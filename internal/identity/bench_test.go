package identity_test

import (
	"context"
	"net/http"
	"net/http/httptest"
	"os"
	"testing"
	"time"

	"github.com/bazaarshop/bazaar/internal/identity"
	"github.com/bazaarshop/bazaar/internal/identity/identitytest"
	"github.com/bazaarshop/bazaar/internal/platform/authn"
	"github.com/bazaarshop/bazaar/internal/platform/cache"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
	"github.com/bazaarshop/bazaar/internal/platform/testenv"
)

// BenchmarkSignIn measures password sign-ins with the production Argon2id
// parameters (19 MiB, t=2, p=1) on SQLite. It is Argon2-bound: the hash is
// nearly all of the cost, by design. "parallel" runs as many sign-ins at
// once as the benchmark's GOMAXPROCS, against the hashing cap.
func BenchmarkSignIn(b *testing.B) {
	ctx := context.Background()
	opts := identitytest.Options(identitytest.NewClock())
	opts.Password = identity.DefaultPasswordParams
	core := identitytest.NewCore(b, sqldbtest.OpenSQLite(b), opts)
	if _, err := core.CreateAdmin(ctx, "bench@example.com", identitytest.Password); err != nil {
		b.Fatal(err)
	}
	in := identity.SignInInput{Email: "bench@example.com", Password: identitytest.Password}
	b.Run("serial", func(b *testing.B) {
		start := time.Now()
		for b.Loop() {
			if _, err := core.SignIn(ctx, in, identity.ClientMeta{}); err != nil {
				b.Fatal(err)
			}
		}
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "signins/s")
	})
	b.Run("parallel", func(b *testing.B) {
		start := time.Now()
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				if _, err := core.SignIn(ctx, in, identity.ClientMeta{}); err != nil {
					b.Error(err)
					return
				}
			}
		})
		b.ReportMetric(float64(b.N)/time.Since(start).Seconds(), "signins/s")
	})
}

// BenchmarkAuthenticate measures what authenticating a session costs a
// request: Core.Authenticate with the session in the in-process cache, in
// Redis (when BAZAAR_TEST_REDIS_URL is set), and read from SQLite every
// time; and the whole authn middleware in front of a handler.
func BenchmarkAuthenticate(b *testing.B) {
	ctx := context.Background()
	setup := func(b *testing.B, c cache.Cache) (*identity.Core, string) {
		opts := identitytest.Options(identitytest.NewClock())
		opts.Cache = c
		core := identitytest.NewCore(b, sqldbtest.OpenSQLite(b), opts)
		if _, err := core.CreateAdmin(ctx, "bench@example.com", identitytest.Password); err != nil {
			b.Fatal(err)
		}
		// A customer: the session's lifetime does not matter here.
		s, err := core.SignIn(ctx, identity.SignInInput{Email: "bench@example.com", Password: identitytest.Password}, identity.ClientMeta{})
		if err != nil {
			b.Fatal(err)
		}
		return core, s.Token
	}
	run := func(b *testing.B, core *identity.Core, token string) {
		b.ReportAllocs()
		for b.Loop() {
			if _, err := core.Authenticate(ctx, token); err != nil {
				b.Fatal(err)
			}
		}
	}
	b.Run("cached_in_process", func(b *testing.B) {
		core, tok := setup(b, nil)
		run(b, core, tok)
	})
	b.Run("cached_redis", func(b *testing.B) {
		if os.Getenv(testenv.RedisVar) == "" {
			b.Skip("needs " + testenv.RedisVar)
		}
		rc, err := cache.Open(ctx, os.Getenv(testenv.RedisVar))
		if err != nil {
			b.Fatal(err)
		}
		defer rc.Close()
		core, tok := setup(b, cache.Namespace(rc, testenv.Name("bench")))
		run(b, core, tok)
	})
	b.Run("uncached_sqlite", func(b *testing.B) {
		core, tok := setup(b, noCache{})
		run(b, core, tok)
	})
	b.Run("middleware_cached", func(b *testing.B) {
		core, tok := setup(b, nil)
		h := authn.Middleware(core, authn.Options{})(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			if _, ok := authn.FromContext(r.Context()); !ok {
				w.WriteHeader(401)
			}
		}))
		req := httptest.NewRequest("GET", "/api/v1/me", nil)
		req.AddCookie(&http.Cookie{Name: "session", Value: tok})
		b.ReportAllocs()
		for b.Loop() {
			w := httptest.NewRecorder()
			h.ServeHTTP(w, req)
			if w.Code != 200 {
				b.Fatal(w.Code)
			}
		}
	})
}

// noCache forgets everything: every lookup goes to the store.
type noCache struct{}

func (noCache) Get(context.Context, string) ([]byte, bool, error)                   { return nil, false, nil }
func (noCache) Set(context.Context, string, []byte, time.Duration) error            { return nil }
func (noCache) SetNX(context.Context, string, []byte, time.Duration) (bool, error)  { return true, nil }
func (noCache) Delete(context.Context, ...string) error                             { return nil }
func (noCache) IncrBy(context.Context, string, int64, time.Duration) (int64, error) { return 1, nil }
func (noCache) Ping(context.Context) error                                          { return nil }
func (noCache) Close() error                                                        { return nil }
func (noCache) GetOrLoad(ctx context.Context, _ string, _ time.Duration, load cache.LoadFunc) ([]byte, error) {
	return load(ctx)
}
