package sqldb

import (
	"context"
	"strconv"
	"strings"
)

// GuardedMany is Guarded for many rows at once: one PostgreSQL statement
// that updates rows of a table, each only if it is still at the version
// its writer read, and inserts the rows that go with each updated one
// (history, outbox events), skipping those of rows it did not update:
//
//	WITH v AS (SELECT * FROM unnest($1::text[], …) AS v (id, …, prev)),
//	     u AS (UPDATE t x SET … FROM v WHERE x.id = ANY ($1) AND x.id = v.id AND x.version = v.prev RETURNING x.id),
//	     r0 AS (INSERT INTO … SELECT … FROM unnest(…) WITH ORDINALITY AS r (…, owner, n)
//	            WHERE r.owner IN (SELECT id FROM u) ORDER BY r.n), …
//	SELECT id FROM u
//
// Every column is sent as one array (Unnest, Columns), so the text is the
// same whatever the number of rows, and a batch of writers costs one
// statement where each would have cost one. The table needs an id and a
// version column; x.id = ANY ($1) keeps the plan an index lookup however
// many rows the planner guesses the arrays hold.
type GuardedMany struct {
	Table   string   // the table updated
	Cols    []string // its columns sent, id first and version among them
	Types   []string // their PostgreSQL types
	Keep    []string // columns sent but left as they are (set at insert)
	Inserts []GuardedRows
}

// GuardedRows are rows a GuardedMany statement inserts into Table's
// columns Cols (of PostgreSQL Types). Each row is sent with one more
// value, last: the id of the updated row it belongs to.
type GuardedRows struct {
	Table string
	Cols  []string
	Types []string
}

// Statement returns the statement's text. Its parameters are Cols' arrays
// then prev's (the versions expected), then each insert's arrays in turn,
// the owner ids last: Args builds them.
func (g GuardedMany) Statement() string {
	keep := map[string]bool{"id": true}
	for _, c := range g.Keep {
		keep[c] = true
	}
	var set []string
	for _, c := range g.Cols {
		if !keep[c] {
			set = append(set, c+" = v."+c)
		}
	}
	var b strings.Builder
	b.WriteString("WITH v AS (SELECT * FROM " + Unnest(1, append(append([]string{}, g.Types...), "bigint")) +
		" AS v (" + strings.Join(g.Cols, ", ") + ", prev)), ")
	b.WriteString("u AS (UPDATE " + g.Table + " x SET " + strings.Join(set, ", ") +
		" FROM v WHERE x.id = ANY ($1) AND x.id = v.id AND x.version = v.prev RETURNING x.id)")
	n := len(g.Types) + 2
	for i, in := range g.Inserts {
		r := "r" + strconv.Itoa(i)
		b.WriteString(", " + r + " AS (INSERT INTO " + in.Table + " (" + strings.Join(in.Cols, ", ") + ") SELECT " +
			strings.Join(in.Cols, ", ") + " FROM " + Unnest(n, append(append([]string{}, in.Types...), "text")) +
			" WITH ORDINALITY AS r (" + strings.Join(in.Cols, ", ") + ", owner, n) WHERE r.owner IN (SELECT id FROM u) ORDER BY r.n)")
		n += len(in.Types) + 1
	}
	b.WriteString(" SELECT id FROM u")
	return b.String()
}

// GuardedWrite is one row's part of a GuardedMany statement.
type GuardedWrite struct {
	Row     []any     // Cols' values, id first
	Prev    int       // the version the row must be at
	Inserts [][][]any // per insert of the statement, its rows (Cols' values)
}

// Args returns the statement's arguments for writes, whose ids must differ
// (which of two writes of a row landed is not told apart).
func (g GuardedMany) Args(writes []GuardedWrite) []any {
	rows := make([][]any, len(writes))
	for i, w := range writes {
		rows[i] = append(w.Row[:len(w.Row):len(w.Row)], w.Prev)
	}
	args := Columns(append(append([]string{}, g.Types...), "bigint"), rows)
	for k, in := range g.Inserts {
		var ins [][]any
		for _, w := range writes {
			for _, r := range w.Inserts[k] {
				ins = append(ins, append(r[:len(r):len(r)], w.Row[0]))
			}
		}
		args = append(args, Columns(append(append([]string{}, in.Types...), "text"), ins)...)
	}
	return args
}

// Run runs the statement for writes and returns the ids it updated.
func (g GuardedMany) Run(ctx context.Context, db Execer, q string, writes []GuardedWrite) (map[string]bool, error) {
	rows, err := db.QueryContext(ctx, q, g.Args(writes)...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	updated := make(map[string]bool, len(writes))
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			return nil, err
		}
		updated[id] = true
	}
	return updated, rows.Err()
}

// WriteRounds writes a batch of GuardedMany writes in rounds in which no
// row repeats (Distinct): a round of several with all, one statement; a
// round of one, or one whose statement failed as a whole, with one for
// each write, so that each gets its own answer.
func WriteRounds[T any](batch []T, key func(T) string, all func([]T) error, one func(T)) {
	for _, round := range Distinct(batch, key) {
		if len(round) > 1 && all(round) == nil {
			continue
		}
		for _, w := range round {
			one(w)
		}
	}
}

// Distinct splits items into rounds in which no key repeats, in order: a
// GuardedMany statement cannot tell which of two writes of one row landed.
func Distinct[T any](items []T, key func(T) string) [][]T {
	var rounds [][]T
	for len(items) > 0 {
		seen := make(map[string]bool, len(items))
		var now, later []T
		for _, it := range items {
			if k := key(it); seen[k] {
				later = append(later, it)
			} else {
				seen[k] = true
				now = append(now, it)
			}
		}
		rounds = append(rounds, now)
		items = later
	}
	return rounds
}
