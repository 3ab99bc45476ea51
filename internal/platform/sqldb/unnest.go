package sqldb

import (
	"database/sql"
	"strconv"
	"strings"
)

// On PostgreSQL a write of many rows is sent as one array per column and
// read back with unnest: one statement of a handful of parameters, whatever
// the number of rows, so its text (and its cached plan) is the same for a
// batch of one and a batch of a thousand.

// Unnest returns "unnest($from::t0[], $from+1::t1[], …)" for columns of
// the PostgreSQL types given ("text", "bigint", "bytea", "boolean"; a
// "jsonb" column is sent as text and cast by the statement).
func Unnest(from int, types []string) string {
	var b strings.Builder
	b.WriteString("unnest(")
	for j, typ := range types {
		if j > 0 {
			b.WriteString(", ")
		}
		if typ == "jsonb" {
			typ = "text"
		}
		b.WriteString("$" + strconv.Itoa(from+j) + "::" + typ + "[]")
	}
	b.WriteString(")")
	return b.String()
}

// Columns turns rows (each row's values in the order of types) into one
// typed slice per column, which pgx sends as an array: []string for text
// and jsonb, [][]byte for bytea, []bool for boolean, and []*int64 for the
// integer types (a nil *int64 or an invalid sql.NullInt64 in a row is NULL).
func Columns(types []string, rows [][]any) []any {
	out := make([]any, len(types))
	for j, typ := range types {
		out[j] = Column(rows, j, typ)
	}
	return out
}

// Column gathers column j of rows into the typed slice Columns describes.
func Column(rows [][]any, j int, typ string) any {
	switch typ {
	case "text", "jsonb":
		out := make([]string, len(rows))
		for i, r := range rows {
			out[i] = r[j].(string)
		}
		return out
	case "bytea":
		out := make([][]byte, len(rows))
		for i, r := range rows {
			out[i] = r[j].([]byte)
		}
		return out
	case "boolean":
		out := make([]bool, len(rows))
		for i, r := range rows {
			out[i] = r[j].(bool)
		}
		return out
	default: // integers, possibly NULL
		out := make([]*int64, len(rows))
		for i, r := range rows {
			switch v := r[j].(type) {
			case int64:
				out[i] = &v
			case int:
				n := int64(v)
				out[i] = &n
			case *int64:
				out[i] = v
			case sql.NullInt64:
				if v.Valid {
					out[i] = &v.Int64
				}
			}
		}
		return out
	}
}
