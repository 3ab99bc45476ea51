-- +goose Up
-- Times are unix milliseconds in both engines: one conversion in Go, and
-- comparisons that cannot trip over time zones or text formats.

CREATE TABLE accounts (
    id             TEXT    PRIMARY KEY,
    email          TEXT    NOT NULL UNIQUE, -- normalised: trimmed, lower case
    name           TEXT    NOT NULL,
    phone          TEXT    NOT NULL DEFAULT '',
    role           TEXT    NOT NULL CHECK (role IN ('customer', 'staff', 'admin')),
    email_verified BOOLEAN NOT NULL DEFAULT false,
    password_hash  TEXT    NOT NULL,       -- Argon2id PHC string; '' once erased
    totp_secret    TEXT    NOT NULL DEFAULT '',
    totp_pending   TEXT    NOT NULL DEFAULT '',
    totp_last_step BIGINT  NOT NULL DEFAULT 0,
    preferences    TEXT    NOT NULL DEFAULT '{}',
    erased         BOOLEAN NOT NULL DEFAULT false,
    created_at     BIGINT  NOT NULL,
    updated_at     BIGINT  NOT NULL
);
CREATE INDEX accounts_role ON accounts (role);

CREATE TABLE sessions (
    id           TEXT    PRIMARY KEY,
    user_id      TEXT    NOT NULL REFERENCES accounts (id),
    token_hash   TEXT    NOT NULL UNIQUE,  -- SHA-256 of the token; the token is never stored
    created_at   BIGINT  NOT NULL,
    last_seen_at BIGINT  NOT NULL,
    expires_at   BIGINT  NOT NULL,
    idle_ms      BIGINT  NOT NULL,
    mfa          BOOLEAN NOT NULL DEFAULT false,
    user_agent   TEXT    NOT NULL DEFAULT '',
    ip           TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions (user_id);
CREATE INDEX sessions_expires ON sessions (expires_at);

CREATE TABLE tokens (
    hash       TEXT    PRIMARY KEY,
    user_id    TEXT    NOT NULL REFERENCES accounts (id),
    purpose    TEXT    NOT NULL,
    created_at BIGINT  NOT NULL,
    expires_at BIGINT  NOT NULL,
    used_at    BIGINT
);
CREATE INDEX tokens_user ON tokens (user_id, purpose);
CREATE INDEX tokens_expires ON tokens (expires_at);

CREATE TABLE mail (
    id              TEXT    PRIMARY KEY,
    recipient       TEXT    NOT NULL,
    subject         TEXT    NOT NULL,
    body            TEXT    NOT NULL,
    created_at      BIGINT  NOT NULL,
    sent_at         BIGINT,
    attempts        INTEGER NOT NULL DEFAULT 0,
    next_attempt_at BIGINT  NOT NULL,
    failed          BOOLEAN NOT NULL DEFAULT false
);
CREATE INDEX mail_due ON mail (next_attempt_at) WHERE sent_at IS NULL AND NOT failed;
CREATE INDEX mail_recipient ON mail (recipient);
CREATE INDEX mail_created ON mail (created_at);

CREATE TABLE addresses (
    id               TEXT    PRIMARY KEY,
    user_id          TEXT    NOT NULL REFERENCES accounts (id),
    name             TEXT    NOT NULL,
    phone            TEXT    NOT NULL,
    line1            TEXT    NOT NULL,
    line2            TEXT    NOT NULL DEFAULT '',
    landmark         TEXT    NOT NULL DEFAULT '',
    city             TEXT    NOT NULL,
    state            TEXT    NOT NULL,
    postal_code      TEXT    NOT NULL,
    country          TEXT    NOT NULL,
    default_shipping BOOLEAN NOT NULL DEFAULT false,
    default_billing  BOOLEAN NOT NULL DEFAULT false,
    created_at       BIGINT  NOT NULL,
    updated_at       BIGINT  NOT NULL
);
CREATE INDEX addresses_user ON addresses (user_id);

-- Behaviour of an actor: "u:<user id>" or "d:<device id>".
CREATE TABLE behaviour (
    id         BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    actor      TEXT    NOT NULL,
    kind       TEXT    NOT NULL,
    product_id TEXT    NOT NULL DEFAULT '',
    category   TEXT    NOT NULL DEFAULT '',
    query      TEXT    NOT NULL DEFAULT '',
    quantity   BIGINT  NOT NULL DEFAULT 0,
    at         BIGINT  NOT NULL
);
CREATE INDEX behaviour_actor ON behaviour (actor, at DESC, id DESC);
CREATE INDEX behaviour_at ON behaviour (at);

-- How often two products went together, kept both ways round so that the
-- products related to a seed are one index range.
CREATE TABLE pairs (
    kind TEXT    NOT NULL,
    a    TEXT    NOT NULL,
    b    TEXT    NOT NULL,
    n    BIGINT  NOT NULL,
    PRIMARY KEY (kind, a, b)
);

CREATE TABLE product_stats (
    product_id TEXT    PRIMARY KEY,
    category   TEXT    NOT NULL DEFAULT '',
    views      BIGINT  NOT NULL DEFAULT 0,
    carts      BIGINT  NOT NULL DEFAULT 0,
    purchases  BIGINT  NOT NULL DEFAULT 0
);
CREATE INDEX product_stats_popular ON product_stats (purchases DESC, carts DESC, views DESC);
CREATE INDEX product_stats_category ON product_stats (category, purchases DESC, carts DESC, views DESC);

CREATE TABLE purchases (
    order_id     TEXT    PRIMARY KEY,
    user_id      TEXT    NOT NULL,
    paid_at      BIGINT  NOT NULL,
    total_amount BIGINT  NOT NULL,
    currency     TEXT    NOT NULL,
    items        TEXT    NOT NULL -- JSON
);
CREATE INDEX purchases_user ON purchases (user_id, paid_at DESC);

-- Bus events already consumed: redeliveries change nothing.
CREATE TABLE processed_events (
    event_id TEXT    PRIMARY KEY,
    at       BIGINT  NOT NULL
);
CREATE INDEX processed_events_at ON processed_events (at);

-- +goose Down
DROP TABLE processed_events;
DROP TABLE purchases;
DROP TABLE product_stats;
DROP TABLE pairs;
DROP TABLE behaviour;
DROP TABLE addresses;
DROP TABLE mail;
DROP TABLE tokens;
DROP TABLE sessions;
DROP TABLE accounts;
