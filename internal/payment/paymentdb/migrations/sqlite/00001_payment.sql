-- +goose Up
-- Times are Unix microseconds and money is integer minor units, the same on
-- both engines.
CREATE TABLE intents (
    id                TEXT    PRIMARY KEY,
    customer_id       TEXT    NOT NULL,
    order_id          TEXT    NOT NULL,
    idem_key          TEXT    NOT NULL,
    fingerprint       TEXT    NOT NULL,
    status            TEXT    NOT NULL CHECK (status IN ('requires_confirmation', 'requires_action', 'processing',
                          'authorized', 'captured', 'partially_refunded', 'refunded', 'failed', 'cancelled')),
    currency          TEXT    NOT NULL,
    amount            INTEGER NOT NULL CHECK (amount > 0),
    capturable        INTEGER NOT NULL,
    captured          INTEGER NOT NULL,
    refunded          INTEGER NOT NULL,
    refund_pending    INTEGER NOT NULL,
    capture_requested INTEGER NOT NULL,
    capture_method    TEXT    NOT NULL,
    method            TEXT    NOT NULL, -- JSON: what everybody may see of the method
    provider          TEXT    NOT NULL,
    provider_ref      TEXT    NOT NULL,
    next_action       TEXT    NOT NULL, -- JSON or ''
    return_url        TEXT    NOT NULL,
    failure_code      TEXT    NOT NULL,
    failure_message   TEXT    NOT NULL,
    needs_check       INTEGER NOT NULL,
    attempts          INTEGER NOT NULL,
    seq               INTEGER NOT NULL,
    version           INTEGER NOT NULL,
    created_at        INTEGER NOT NULL,
    updated_at        INTEGER NOT NULL,
    UNIQUE (customer_id, idem_key),
    -- Money can never be refunded beyond what was captured, nor captured
    -- beyond what was asked, whatever the code above does.
    CONSTRAINT intents_money CHECK (captured <= amount AND capturable <= amount AND refunded >= 0
        AND refund_pending >= 0 AND refunded + refund_pending <= captured)
);
CREATE INDEX intents_order ON intents (order_id);
CREATE INDEX intents_customer ON intents (customer_id, id);
-- What the reconciler scans: small, as most intents are settled.
CREATE INDEX intents_unsettled ON intents (updated_at)
    WHERE status IN ('processing', 'requires_action') OR needs_check = 1 OR capture_requested > 0
       OR refund_pending > 0 OR (status = 'authorized' AND capture_method = 'automatic');

CREATE TABLE intent_transitions (
    intent_id   TEXT    NOT NULL REFERENCES intents (id),
    seq         INTEGER NOT NULL,
    from_status TEXT    NOT NULL,
    to_status   TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    amount      INTEGER NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (intent_id, seq)
);

CREATE TABLE refunds (
    id           TEXT    PRIMARY KEY,
    intent_id    TEXT    NOT NULL REFERENCES intents (id),
    idem_key     TEXT    NOT NULL,
    currency     TEXT    NOT NULL,
    amount       INTEGER NOT NULL CHECK (amount > 0),
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    reason       TEXT    NOT NULL,
    provider_ref TEXT    NOT NULL,
    failure_code TEXT    NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    UNIQUE (intent_id, idem_key)
);

-- The double-entry ledger: lines of balanced entries, debits positive.
-- Append-only: corrections are new entries.
CREATE TABLE ledger_lines (
    id         INTEGER PRIMARY KEY AUTOINCREMENT,
    entry_id   TEXT    NOT NULL,
    intent_id  TEXT    NOT NULL REFERENCES intents (id),
    refund_id  TEXT    NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('capture', 'refund')),
    account    TEXT    NOT NULL,
    currency   TEXT    NOT NULL,
    amount     INTEGER NOT NULL CHECK (amount <> 0),
    created_at INTEGER NOT NULL
);
CREATE INDEX ledger_lines_intent ON ledger_lines (intent_id);
CREATE INDEX ledger_lines_entry ON ledger_lines (entry_id);
-- +goose StatementBegin
CREATE TRIGGER ledger_lines_no_update BEFORE UPDATE ON ledger_lines
BEGIN
    SELECT RAISE(ABORT, 'ledger lines are append-only');
END;
-- +goose StatementEnd
-- +goose StatementBegin
CREATE TRIGGER ledger_lines_no_delete BEFORE DELETE ON ledger_lines
BEGIN
    SELECT RAISE(ABORT, 'ledger lines are append-only');
END;
-- +goose StatementEnd

-- Payment methods: tokenised cards (the PAN sealed with AES-256-GCM, the
-- method id as associated data) and UPI addresses. No CVC column, ever.
CREATE TABLE payment_methods (
    id              TEXT    PRIMARY KEY,
    customer_id     TEXT    NOT NULL,
    type            TEXT    NOT NULL CHECK (type IN ('card', 'upi')),
    saved           INTEGER NOT NULL,
    brand           TEXT    NOT NULL,
    last4           TEXT    NOT NULL,
    exp_month       INTEGER NOT NULL,
    exp_year        INTEGER NOT NULL,
    vpa             TEXT    NOT NULL,
    fingerprint     TEXT    NOT NULL,
    sealed          BLOB,
    provider_tokens TEXT    NOT NULL, -- JSON object: provider -> token
    created_at      INTEGER NOT NULL,
    expires_at      INTEGER,
    deleted_at      INTEGER
);
CREATE INDEX payment_methods_customer ON payment_methods (customer_id, created_at) WHERE saved = 1 AND deleted_at IS NULL;
CREATE INDEX payment_methods_fingerprint ON payment_methods (customer_id, fingerprint) WHERE saved = 1 AND deleted_at IS NULL;

-- Webhook events processed, by the provider's event id: replay protection.
CREATE TABLE webhook_events (
    provider    TEXT    NOT NULL,
    event_id    TEXT    NOT NULL,
    type        TEXT    NOT NULL,
    intent_id   TEXT    NOT NULL,
    received_at INTEGER NOT NULL,
    PRIMARY KEY (provider, event_id)
);
CREATE INDEX webhook_events_received ON webhook_events (received_at);

-- +goose Down
DROP TABLE webhook_events;
DROP TABLE payment_methods;
DROP TABLE ledger_lines;
DROP TABLE refunds;
DROP TABLE intent_transitions;
DROP TABLE intents;
