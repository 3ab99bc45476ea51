-- +goose Up
-- Times are Unix microseconds and money is integer minor units, the same on
-- both engines.
CREATE TABLE intents (
    id                text    PRIMARY KEY,
    customer_id       text    NOT NULL,
    order_id          text    NOT NULL,
    idem_key          text    NOT NULL,
    fingerprint       text    NOT NULL,
    status            text    NOT NULL CHECK (status IN ('requires_confirmation', 'requires_action', 'processing',
                          'authorized', 'captured', 'partially_refunded', 'refunded', 'failed', 'cancelled')),
    currency          text    NOT NULL,
    amount            bigint  NOT NULL CHECK (amount > 0),
    capturable        bigint  NOT NULL,
    captured          bigint  NOT NULL,
    refunded          bigint  NOT NULL,
    refund_pending    bigint  NOT NULL,
    capture_requested bigint  NOT NULL,
    capture_method    text    NOT NULL,
    method            text    NOT NULL, -- JSON: what everybody may see of the method
    provider          text    NOT NULL,
    provider_ref      text    NOT NULL,
    next_action       text    NOT NULL, -- JSON or ''
    return_url        text    NOT NULL,
    failure_code      text    NOT NULL,
    failure_message   text    NOT NULL,
    needs_check       bigint  NOT NULL,
    attempts          bigint  NOT NULL,
    seq               bigint  NOT NULL,
    version           bigint  NOT NULL,
    created_at        bigint  NOT NULL,
    updated_at        bigint  NOT NULL,
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
    intent_id   text    NOT NULL REFERENCES intents (id),
    seq         bigint  NOT NULL,
    from_status text    NOT NULL,
    to_status   text    NOT NULL,
    reason      text    NOT NULL,
    amount      bigint  NOT NULL,
    at          bigint  NOT NULL,
    PRIMARY KEY (intent_id, seq)
);

CREATE TABLE refunds (
    id           text    PRIMARY KEY,
    intent_id    text    NOT NULL REFERENCES intents (id),
    idem_key     text    NOT NULL,
    currency     text    NOT NULL,
    amount       bigint  NOT NULL CHECK (amount > 0),
    status       text    NOT NULL CHECK (status IN ('pending', 'succeeded', 'failed')),
    reason       text    NOT NULL,
    provider_ref text    NOT NULL,
    failure_code text    NOT NULL,
    created_at   bigint  NOT NULL,
    updated_at   bigint  NOT NULL,
    UNIQUE (intent_id, idem_key)
);

-- The double-entry ledger: lines of balanced entries, debits positive.
-- Append-only: corrections are new entries.
CREATE TABLE ledger_lines (
    id         bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    entry_id   text    NOT NULL,
    intent_id  text    NOT NULL REFERENCES intents (id),
    refund_id  text    NOT NULL,
    kind       text    NOT NULL CHECK (kind IN ('capture', 'refund')),
    account    text    NOT NULL,
    currency   text    NOT NULL,
    amount     bigint  NOT NULL CHECK (amount <> 0),
    created_at bigint  NOT NULL
);
CREATE INDEX ledger_lines_intent ON ledger_lines (intent_id);
CREATE INDEX ledger_lines_entry ON ledger_lines (entry_id);
-- +goose StatementBegin
CREATE FUNCTION ledger_lines_append_only() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'ledger lines are append-only';
END;
$$;
-- +goose StatementEnd
CREATE TRIGGER ledger_lines_append_only BEFORE UPDATE OR DELETE ON ledger_lines
    FOR EACH ROW EXECUTE FUNCTION ledger_lines_append_only();

-- Payment methods: tokenised cards (the PAN sealed with AES-256-GCM, the
-- method id as associated data) and UPI addresses. No CVC column, ever.
CREATE TABLE payment_methods (
    id              text    PRIMARY KEY,
    customer_id     text    NOT NULL,
    type            text    NOT NULL CHECK (type IN ('card', 'upi')),
    saved           bigint  NOT NULL,
    brand           text    NOT NULL,
    last4           text    NOT NULL,
    exp_month       bigint  NOT NULL,
    exp_year        bigint  NOT NULL,
    vpa             text    NOT NULL,
    fingerprint     text    NOT NULL,
    sealed          bytea,
    provider_tokens text    NOT NULL, -- JSON object: provider -> token
    created_at      bigint  NOT NULL,
    expires_at      bigint,
    deleted_at      bigint
);
CREATE INDEX payment_methods_customer ON payment_methods (customer_id, created_at) WHERE saved = 1 AND deleted_at IS NULL;
CREATE INDEX payment_methods_fingerprint ON payment_methods (customer_id, fingerprint) WHERE saved = 1 AND deleted_at IS NULL;

-- Webhook events processed, by the provider's event id: replay protection.
CREATE TABLE webhook_events (
    provider    text    NOT NULL,
    event_id    text    NOT NULL,
    type        text    NOT NULL,
    intent_id   text    NOT NULL,
    received_at bigint  NOT NULL,
    PRIMARY KEY (provider, event_id)
);
CREATE INDEX webhook_events_received ON webhook_events (received_at);

-- +goose Down
DROP TABLE webhook_events;
DROP TABLE payment_methods;
DROP TABLE ledger_lines;
DROP FUNCTION ledger_lines_append_only();
DROP TABLE refunds;
DROP TABLE intent_transitions;
DROP TABLE intents;
