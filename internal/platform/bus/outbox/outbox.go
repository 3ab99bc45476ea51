// Package outbox makes "change the database and publish an event" atomic.
// A service writes its event with Add in the same transaction as its rows;
// a Relay publishes committed events to the bus and deletes them. A crash
// anywhere leaves either no event (the transaction rolled back) or a row
// that some relay publishes later; a crash between publishing and deleting
// republishes with the same message id, which JetStream discards as a
// duplicate within the stream's duplicate window.
//
// Each service store has its own outbox table (in its SQLite file or its
// PostgreSQL schema), created by Migrate.
package outbox

import (
	"context"
	"database/sql"
	"embed"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/bazaarshop/bazaar/internal/platform/bus"
	"github.com/bazaarshop/bazaar/internal/platform/sqldb"
)

//go:embed migrations
var migrations embed.FS

// Migrations creates the outbox table; its goose version table is
// goose_outbox, separate from the service's own.
var Migrations = sqldb.EmbeddedMigrations("outbox", migrations, "migrations")

// Migrate applies the outbox migrations to db.
func Migrate(ctx context.Context, db *sqldb.DB) error {
	_, err := db.Migrate(ctx, Migrations)
	return err
}

// Add records a message to publish on subject once tx commits. msgID is
// required: it is the de-duplication id that makes a republish after a
// relay crash harmless, so derive it from what the message is about
// (an event id, "order-<id>-paid"), never from the attempt.
func Add(ctx context.Context, tx *sql.Tx, subject, msgID string, data []byte) error {
	if subject == "" || msgID == "" {
		return errors.New("outbox: a message needs a subject and an id")
	}
	if data == nil {
		data = []byte{} // the column is NOT NULL; an empty body is valid
	}
	_, err := tx.ExecContext(ctx, `INSERT INTO outbox (subject, msg_id, data) VALUES ($1, $2, $3)`, subject, msgID, data)
	if err != nil {
		return fmt.Errorf("outbox add %s: %w", subject, sqldb.MapError(err))
	}
	return nil
}

// AddEvent records ev as JSON on subject, with ev.ID as the message id.
func AddEvent(ctx context.Context, tx *sql.Tx, subject string, ev bus.Event) error {
	data, err := json.Marshal(ev)
	if err != nil {
		return fmt.Errorf("outbox add %s: %w", ev.Type, err)
	}
	return Add(ctx, tx, subject, ev.ID, data)
}

// Message is one message for AddAll: what the relay publishes.
type Message = bus.Outgoing

// Table is the outbox as a GuardedMany statement's insert: a store that
// batches its updates with sqldb.GuardedMany writes their events with it,
// each row's values from Values.
var Table = sqldb.GuardedRows{Table: "outbox", Cols: []string{"subject", "msg_id", "data"}, Types: []string{"text", "text", "bytea"}}

// Values are msgs as Table's rows.
func Values(msgs []Message) [][]any {
	rows := make([][]any, len(msgs))
	for i, m := range msgs {
		rows[i] = []any{m.Subject, m.MsgID, m.Data}
	}
	return rows
}

// AddAll records many messages in one statement (see Add); a batch of
// writes in one transaction then costs one round trip for its events.
func AddAll(ctx context.Context, tx *sql.Tx, msgs []Message) error {
	if len(msgs) == 0 {
		return nil
	}
	q, args := sqldb.MultiInsert(`INSERT INTO outbox (subject, msg_id, data) VALUES `, 3, len(msgs))
	for _, m := range msgs {
		if m.Subject == "" || m.MsgID == "" {
			return errors.New("outbox: a message needs a subject and an id")
		}
		if m.Data == nil {
			m.Data = []byte{}
		}
		args = append(args, m.Subject, m.MsgID, m.Data)
	}
	if _, err := tx.ExecContext(ctx, q, args...); err != nil {
		return fmt.Errorf("outbox add %d messages: %w", len(msgs), sqldb.MapError(err))
	}
	return nil
}

// EventMessage is ev as AddEvent would record it.
func EventMessage(subject string, ev bus.Event) (Message, error) {
	data, err := json.Marshal(ev)
	if err != nil {
		return Message{}, fmt.Errorf("outbox add %s: %w", ev.Type, err)
	}
	return Message{Subject: subject, MsgID: ev.ID, Data: data}, nil
}

// EventMessages are evs as AddEvent would record them.
func EventMessages(evs []bus.SubjectEvent) ([]Message, error) {
	msgs := make([]Message, 0, len(evs))
	for _, ev := range evs {
		msg, err := EventMessage(ev.Subject, ev.Event)
		if err != nil {
			return nil, err
		}
		msgs = append(msgs, msg)
	}
	return msgs, nil
}

// Pending counts messages not yet published (for metrics and tests).
func Pending(ctx context.Context, db sqldb.Execer) (int, error) {
	var n int
	if err := db.QueryRowContext(ctx, `SELECT count(*) FROM outbox`).Scan(&n); err != nil {
		return 0, fmt.Errorf("outbox pending: %w", sqldb.MapError(err))
	}
	return n, nil
}
