package sqldb_test

import (
	"context"
	"errors"
	"fmt"
	"runtime"
	"sync"
	"sync/atomic"
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// Concurrent reads share queries; each gets its own row, or not found, or
// the query's error; a key read twice in a batch is fetched once.
func TestLookup(t *testing.T) {
	var queries, fetched atomic.Int64
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	l := sqldb.NewLookup(64, 1, func(ctx context.Context, keys []string) (map[string]string, error) {
		once.Do(func() {
			close(started)
			<-release // hold the first query so the others queue behind it
		})
		queries.Add(1)
		fetched.Add(int64(len(keys)))
		out := map[string]string{}
		for _, k := range keys {
			if k == "broken" {
				return nil, errors.New("boom")
			}
			if k != "missing" {
				out[k] = "row " + k
			}
		}
		return out, nil
	})
	var wg sync.WaitGroup
	wg.Go(func() {
		if v, ok, err := l.Get(context.Background(), "k0"); v != "row k0" || !ok || err != nil {
			t.Errorf("k0 = %q %v %v", v, ok, err)
		}
	})
	<-started
	for i := range 20 {
		wg.Go(func() {
			key := fmt.Sprint("k", i%10) // each key twice
			if v, ok, err := l.Get(context.Background(), key); v != "row "+key || !ok || err != nil {
				t.Errorf("%s = %q %v %v", key, v, ok, err)
			}
		})
	}
	wg.Go(func() {
		if _, ok, err := l.Get(context.Background(), "missing"); ok || err != nil {
			t.Errorf("missing = %v %v", ok, err)
		}
	})
	for sqldb.LookupQueued(l) < 21 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if q, f := queries.Load(), fetched.Load(); q != 2 || f != 12 {
		t.Fatalf("%d queries fetched %d keys; want the first alone, then the other 21 reads of 11 keys in one", q, f)
	}
	if _, _, err := l.Get(context.Background(), "broken"); err == nil {
		t.Fatal("a failed query's error is not returned")
	}
}
