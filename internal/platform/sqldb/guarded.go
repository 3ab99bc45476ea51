package sqldb

import (
	"strconv"
	"strings"
)

// GuardedInsert is one insert of a Guarded statement: rows go INTO (a
// table and its columns), each with Values parameters, after the updated
// row's id if ID is set.
type GuardedInsert struct {
	Into   string
	ID     bool
	Values int
}

// Guarded returns the text of one PostgreSQL statement that runs update
// (an UPDATE … WHERE … whose parameters are $1 to $params, typically
// guarded by a version) and, only if it updated a row, the inserts:
//
//	WITH u AS (UPDATE … RETURNING id),
//	     i0 AS (INSERT INTO … SELECT u.id, $n, … FROM u), …
//	SELECT count(*) FROM u
//
// PostgreSQL runs every data-modifying part of a WITH to completion as one
// statement, so the rows are written all or none, with no transaction to
// open and commit (a write's history and its outbox events beside it).
// The inserts' parameters follow update's, in order; their types come
// from the columns. The statement returns one row: how many rows the
// update changed, 0 or 1.
func Guarded(update string, params int, inserts ...GuardedInsert) string {
	var b strings.Builder
	b.WriteString("WITH u AS (" + update + " RETURNING id)")
	n := params + 1
	for i, in := range inserts {
		b.WriteString(", i" + strconv.Itoa(i) + " AS (INSERT INTO " + in.Into + " SELECT ")
		if in.ID {
			b.WriteString("u.id, ")
		}
		b.WriteString(Placeholders(n, in.Values) + " FROM u)")
		n += in.Values
	}
	b.WriteString(" SELECT count(*) FROM u")
	return b.String()
}
