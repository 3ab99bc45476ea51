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

var errNotFound, errBadRow = errors.New("not found"), errors.New("bad row")

// Concurrent reads share queries; each gets its own row, or not found, or
// its row's error, or the query's; a key read twice in a batch is fetched
// once.
func TestLookup(t *testing.T) {
	var queries, fetched atomic.Int64
	started, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	l := sqldb.NewLookup(64, 1, func(ctx context.Context, keys []string) (map[string]sqldb.Fetched[string], error) {
		once.Do(func() {
			close(started)
			<-release // hold the first query so the others queue behind it
		})
		queries.Add(1)
		fetched.Add(int64(len(keys)))
		out := map[string]sqldb.Fetched[string]{}
		for _, k := range keys {
			switch k {
			case "broken":
				return nil, errors.New("boom")
			case "bad":
				out[k] = sqldb.Fetched[string]{Err: errBadRow}
			case "missing":
			default:
				out[k] = sqldb.Fetched[string]{Val: "row " + k}
			}
		}
		return out, nil
	})
	var wg sync.WaitGroup
	wg.Go(func() {
		if v, err := l.Get(context.Background(), "k0", errNotFound); v != "row k0" || err != nil {
			t.Errorf("k0 = %q %v", v, err)
		}
	})
	<-started
	for i := range 20 {
		wg.Go(func() {
			key := fmt.Sprint("k", i%10) // each key twice
			if v, err := l.Get(context.Background(), key, errNotFound); v != "row "+key || err != nil {
				t.Errorf("%s = %q %v", key, v, err)
			}
		})
	}
	wg.Go(func() {
		if _, err := l.Get(context.Background(), "missing", errNotFound); err != errNotFound {
			t.Errorf("missing = %v", err)
		}
	})
	wg.Go(func() {
		if _, err := l.Get(context.Background(), "bad", errNotFound); err != errBadRow {
			t.Errorf("a row that cannot be read = %v", err)
		}
	})
	for sqldb.LookupQueued(l) < 22 {
		runtime.Gosched()
	}
	close(release)
	wg.Wait()
	if q, f := queries.Load(), fetched.Load(); q != 2 || f != 13 {
		t.Fatalf("%d queries fetched %d keys; want the first alone, then the other 22 reads of 12 keys in one", q, f)
	}
	if _, err := l.Get(context.Background(), "broken", errNotFound); err == nil || err == errNotFound {
		t.Fatal("a failed query's error is not returned")
	}
}
