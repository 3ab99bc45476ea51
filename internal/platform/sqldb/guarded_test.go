package sqldb_test

import (
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

func TestPlaceholdersAndGuarded(t *testing.T) {
	if got := sqldb.Placeholders(3, 3); got != "$3, $4, $5" {
		t.Fatalf("Placeholders = %q", got)
	}
	if got := sqldb.Placeholders(1, 0); got != "" {
		t.Fatalf("no placeholders = %q", got)
	}
	got := sqldb.Guarded("UPDATE t SET a = $2 WHERE id = $1 AND version = $3", 3,
		sqldb.GuardedInsert{Into: "h (t_id, x)", ID: true, Values: 1},
		sqldb.GuardedInsert{Into: "outbox (subject, msg_id, data)", Values: 3})
	want := "WITH u AS (UPDATE t SET a = $2 WHERE id = $1 AND version = $3 RETURNING id), " +
		"i0 AS (INSERT INTO h (t_id, x) SELECT u.id, $4 FROM u), " +
		"i1 AS (INSERT INTO outbox (subject, msg_id, data) SELECT $5, $6, $7 FROM u) SELECT count(*) FROM u"
	if got != want {
		t.Fatalf("Guarded =\n%s\nwant\n%s", got, want)
	}
}
