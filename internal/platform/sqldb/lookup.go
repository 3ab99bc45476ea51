package sqldb

import "context"

// Lookup gathers concurrent reads of rows by key into one query: on
// PostgreSQL a read of one row costs a statement's round trip and
// overhead, much as a read of fifty does (WHERE key = ANY ($1)). A lone
// read waits for nobody; reads that arrive while one runs share the next.
type Lookup[T any] struct {
	q     *Queue[*lookup[T]]
	fetch func(ctx context.Context, keys []string) (map[string]Fetched[T], error)
}

// Fetched is a row a Lookup's query found, or why it could not be read: a
// row that cannot be decoded fails its own read, not its batch's.
type Fetched[T any] struct {
	Val T
	Err error
}

type lookup[T any] struct {
	key   string
	found bool
	row   Fetched[T]
	err   error
}

// NewLookup returns a Lookup whose batches fetch reads, at most maxBatch
// keys (each once) and lanes queries at a time. fetch returns the rows
// found by key; a key it leaves out was not found; its error fails every
// read of the batch.
func NewLookup[T any](maxBatch, lanes int, fetch func(ctx context.Context, keys []string) (map[string]Fetched[T], error)) *Lookup[T] {
	l := &Lookup[T]{fetch: fetch}
	l.q = NewQueue(maxBatch, lanes, l.run)
	return l
}

// Get returns the row of key, or notFound if there is none.
func (l *Lookup[T]) Get(ctx context.Context, key string, notFound error) (T, error) {
	r := &lookup[T]{key: key}
	l.q.Do(ctx, r)
	var zero T
	switch {
	case r.err != nil:
		return zero, r.err
	case !r.found:
		return zero, notFound
	}
	return r.row.Val, r.row.Err
}

func (l *Lookup[T]) run(ctx context.Context, batch []*lookup[T]) {
	keys := make([]string, 0, len(batch))
	seen := make(map[string]bool, len(batch))
	for _, r := range batch {
		if !seen[r.key] {
			seen[r.key] = true
			keys = append(keys, r.key)
		}
	}
	rows, err := l.fetch(ctx, keys)
	for _, r := range batch {
		r.row, r.found = rows[r.key]
		r.err = err
	}
}

// FetchRows runs query (whose one parameter is keys) on db and returns
// its rows by key, for a Lookup's fetch. scan reads a row and returns its
// key: with an error and a key, the row fails its own read; with an error
// and no key, the query fails (its rows could not be read at all).
func FetchRows[T any](ctx context.Context, db Execer, query string, keys []string, scan func(Scanner) (string, T, error)) (map[string]Fetched[T], error) {
	rows, err := db.QueryContext(ctx, query, keys)
	if err != nil {
		return nil, MapError(err)
	}
	defer rows.Close()
	out := make(map[string]Fetched[T], len(keys))
	for rows.Next() {
		key, v, err := scan(rows)
		if err != nil && key == "" {
			return nil, err
		}
		out[key] = Fetched[T]{Val: v, Err: err}
	}
	return out, MapError(rows.Err())
}

// Scanner is a row to scan: *sql.Row and *sql.Rows.
type Scanner interface{ Scan(dest ...any) error }
