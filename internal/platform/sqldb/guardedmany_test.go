package sqldb_test

import (
	"context"
	"database/sql"
	"errors"
	"slices"
	"strings"
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb/sqldbtest"
)

// TestGuardedMany: rows at the version their writers expect are updated
// with the rows that go with them, in order; a row at another version is
// left alone and so are its rows; NULL, bytea and integer columns survive
// the trip through arrays.
func TestGuardedMany(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.OpenPostgres(t)
	for _, q := range []string{
		`CREATE TABLE docs (id text PRIMARY KEY, body text NOT NULL, due bigint, created bigint NOT NULL, version bigint NOT NULL)`,
		`CREATE TABLE notes (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, doc_id text NOT NULL REFERENCES docs (id), note text NOT NULL)`,
		`CREATE TABLE blobs (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, data bytea NOT NULL)`,
		`INSERT INTO docs VALUES ('a', 'a0', NULL, 1, 1), ('b', 'b0', 5, 1, 1), ('c', 'c0', NULL, 1, 3)`,
	} {
		if _, err := db.ExecContext(ctx, q); err != nil {
			t.Fatal(err)
		}
	}
	g := sqldb.GuardedMany{
		Table: "docs", Cols: []string{"id", "body", "due", "created", "version"},
		Types: []string{"text", "text", "bigint", "bigint", "bigint"}, Keep: []string{"created"},
		Inserts: []sqldb.GuardedRows{
			{Table: "notes", Cols: []string{"doc_id", "note"}, Types: []string{"text", "text"}},
			{Table: "blobs", Cols: []string{"data"}, Types: []string{"bytea"}},
		},
	}
	writes := []sqldb.GuardedWrite{
		{Row: []any{"a", "a1", sql.NullInt64{Int64: 7, Valid: true}, int64(99), 2}, Prev: 1,
			Inserts: [][][]any{{{"a", "a-1"}, {"a", "a-2"}}, {{[]byte("A")}}}},
		{Row: []any{"c", "c1", sql.NullInt64{}, int64(99), 2}, Prev: 1, // c is at 3: left alone
			Inserts: [][][]any{{{"c", "c-1"}}, {{[]byte("C")}}}},
		{Row: []any{"b", "b1", sql.NullInt64{}, int64(99), 2}, Prev: 1,
			Inserts: [][][]any{{{"b", "b-1"}}, {{[]byte("B1")}, {[]byte("B2")}}}},
	}
	updated, err := g.Run(ctx, db, g.Statement(), writes)
	if err != nil {
		t.Fatal(err)
	}
	if !updated["a"] || !updated["b"] || updated["c"] || len(updated) != 2 {
		t.Fatalf("updated = %v, want a and b", updated)
	}
	type doc struct {
		body             string
		due              sql.NullInt64
		created, version int64
	}
	want := map[string]doc{
		"a": {"a1", sql.NullInt64{Int64: 7, Valid: true}, 1, 2},
		"b": {"b1", sql.NullInt64{}, 1, 2},
		"c": {"c0", sql.NullInt64{}, 1, 3},
	}
	for id, w := range want {
		var d doc
		if err := db.QueryRowContext(ctx, `SELECT body, due, created, version FROM docs WHERE id = $1`, id).
			Scan(&d.body, &d.due, &d.created, &d.version); err != nil {
			t.Fatal(err)
		}
		if d != w {
			t.Errorf("doc %s = %+v, want %+v", id, d, w)
		}
	}
	if got := sqldbtest.Strings(t, db, `SELECT note FROM notes ORDER BY id`); !slices.Equal(got, []string{"a-1", "a-2", "b-1"}) {
		t.Errorf("notes = %v", got)
	}
	if got := sqldbtest.Strings(t, db, `SELECT convert_from(data, 'UTF8') FROM blobs ORDER BY id`); !slices.Equal(got, []string{"A", "B1", "B2"}) {
		t.Errorf("blobs = %v", got)
	}
}

func TestDistinct(t *testing.T) {
	got := sqldb.Distinct([]string{"a1", "b1", "a2", "a3", "c1", "b2"}, func(s string) string { return s[:1] })
	want := [][]string{{"a1", "b1", "c1"}, {"a2", "b2"}, {"a3"}}
	if len(got) != len(want) {
		t.Fatalf("Distinct = %v, want %v", got, want)
	}
	for i := range want {
		if !slices.Equal(got[i], want[i]) {
			t.Fatalf("Distinct = %v, want %v", got, want)
		}
	}
}

// WriteRounds writes each round of several as one, and a round of one, or
// one whose statement failed, write by write.
func TestWriteRounds(t *testing.T) {
	var log []string
	sqldb.WriteRounds([]string{"a1", "b1", "a2", "b2", "a3"}, func(s string) string { return s[:1] },
		func(round []string) error {
			log = append(log, "all "+strings.Join(round, ","))
			if slices.Contains(round, "b2") {
				return errors.New("the statement failed")
			}
			return nil
		},
		func(w string) { log = append(log, "one "+w) })
	want := []string{"all a1,b1", "all a2,b2", "one a2", "one b2", "one a3"}
	if !slices.Equal(log, want) {
		t.Fatalf("WriteRounds wrote %q, want %q", log, want)
	}
}

// FetchRows keys the rows it reads; a row its scan cannot decode fails
// alone, and a row it cannot read at all fails the query.
func TestFetchRows(t *testing.T) {
	ctx := context.Background()
	db := sqldbtest.OpenPostgres(t)
	if _, err := db.ExecContext(ctx, `CREATE TABLE kv (k text PRIMARY KEY, v text NOT NULL);
		INSERT INTO kv VALUES ('a', '1'), ('b', 'x'), ('c', '3')`); err != nil {
		t.Fatal(err)
	}
	errBad := errors.New("not a digit")
	scan := func(row sqldb.Scanner) (string, string, error) {
		var k, v string
		if err := row.Scan(&k, &v); err != nil {
			return "", "", err
		}
		if v < "0" || v > "9" {
			return k, "", errBad
		}
		return k, v, nil
	}
	got, err := sqldb.FetchRows(ctx, db, `SELECT k, v FROM kv WHERE k = ANY ($1)`, []string{"a", "b", "z"}, scan)
	if err != nil {
		t.Fatal(err)
	}
	if len(got) != 2 || got["a"].Val != "1" || got["a"].Err != nil || !errors.Is(got["b"].Err, errBad) {
		t.Fatalf("rows = %+v", got)
	}
	if _, err := sqldb.FetchRows(ctx, db, `SELECT k FROM kv WHERE k = ANY ($1)`, []string{"a"}, scan); err == nil {
		t.Fatal("a row that cannot be scanned did not fail the query")
	}
}
