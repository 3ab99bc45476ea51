package bustest

import (
	"context"
	"encoding/json"
	"testing"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

// OutboxEvents returns the events waiting in a store's outbox, oldest
// first, and fails the test if a row is not an event published on the
// subject of its own type (the convention every service follows).
func OutboxEvents(t testing.TB, db sqldb.Execer) []bus.Event {
	t.Helper()
	rows, err := db.QueryContext(context.Background(), `SELECT subject, data FROM outbox ORDER BY id`)
	if err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	defer rows.Close()
	var out []bus.Event
	for rows.Next() {
		var subject string
		var data []byte
		if err := rows.Scan(&subject, &data); err != nil {
			t.Fatal(err)
		}
		var ev bus.Event
		if err := json.Unmarshal(data, &ev); err != nil {
			t.Fatalf("outbox row on %s: %v", subject, err)
		}
		if ev.Type != subject {
			t.Errorf("event %s published on subject %s", ev.Type, subject)
		}
		out = append(out, ev)
	}
	if err := rows.Err(); err != nil {
		t.Fatalf("read outbox: %v", err)
	}
	return out
}
