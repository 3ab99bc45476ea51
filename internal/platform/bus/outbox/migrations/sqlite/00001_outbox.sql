-- +goose Up
-- Rows are deleted once published; the integer key gives the relay its order.
CREATE TABLE outbox (
    id         INTEGER PRIMARY KEY,
    subject    TEXT    NOT NULL,
    msg_id     TEXT    NOT NULL,
    data       BLOB    NOT NULL,
    created_at TEXT    NOT NULL DEFAULT (strftime('%Y-%m-%dT%H:%M:%fZ', 'now'))
);

-- +goose Down
DROP TABLE outbox;
