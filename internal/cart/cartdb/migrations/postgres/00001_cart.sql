-- +goose Up
-- Times are milliseconds since the Unix epoch, UTC, in both engines.

-- A cart is one row: its lines, coupons and address are a JSON document
-- (body), read and written whole, as the cart is one aggregate.
CREATE TABLE carts (
    id         TEXT    PRIMARY KEY,
    user_id    TEXT,                       -- NULL for a guest cart
    token_hash TEXT,                       -- hex SHA-256 of a guest's token
    device_id  TEXT    NOT NULL DEFAULT '',
    status     TEXT    NOT NULL CHECK (status IN ('active', 'merged', 'ordered')),
    currency   TEXT    NOT NULL,
    body       TEXT    NOT NULL,
    closed_ref TEXT    NOT NULL DEFAULT '',
    version    BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL,
    updated_at BIGINT  NOT NULL,
    expires_at BIGINT                      -- guest carts only
);
-- A member has one active cart.
CREATE UNIQUE INDEX carts_member_active ON carts (user_id) WHERE status = 'active' AND user_id IS NOT NULL;
CREATE INDEX carts_expires ON carts (expires_at) WHERE expires_at IS NOT NULL;
CREATE INDEX carts_closed ON carts (updated_at) WHERE status <> 'active';

-- body is the promotion's rule as JSON; the columns beside it are what
-- queries and the atomic use count need.
CREATE TABLE promotions (
    id          TEXT    PRIMARY KEY,
    code        TEXT    UNIQUE,            -- NULL for an automatic promotion
    ends_at     BIGINT,
    usage_limit BIGINT  NOT NULL DEFAULT 0,
    uses        BIGINT  NOT NULL DEFAULT 0 CHECK (uses >= 0),
    body        TEXT    NOT NULL,
    version     BIGINT  NOT NULL,
    created_at  BIGINT  NOT NULL,
    updated_at  BIGINT  NOT NULL
);

CREATE TABLE purchase_limits (
    sku              TEXT    PRIMARY KEY,
    max_per_customer BIGINT  NOT NULL CHECK (max_per_customer > 0),
    starts_at        BIGINT,
    ends_at          BIGINT,
    updated_at       BIGINT  NOT NULL
);

-- One row per order that used a quote, by the order's reference.
CREATE TABLE redemptions (
    reference   TEXT    PRIMARY KEY,
    cart_id     TEXT    NOT NULL,
    user_id     TEXT    NOT NULL DEFAULT '',
    body        TEXT    NOT NULL,
    fingerprint TEXT    NOT NULL,
    released    BOOLEAN NOT NULL DEFAULT FALSE,
    created_at  BIGINT  NOT NULL
);

CREATE TABLE promotion_uses (
    reference    TEXT NOT NULL,
    promotion_id TEXT NOT NULL,
    user_id      TEXT NOT NULL,
    PRIMARY KEY (reference, promotion_id)
);
CREATE INDEX promotion_uses_user ON promotion_uses (user_id, promotion_id);

CREATE TABLE sku_purchases (
    reference  TEXT    NOT NULL,
    sku        TEXT    NOT NULL,
    user_id    TEXT    NOT NULL,
    quantity   BIGINT  NOT NULL,
    created_at BIGINT  NOT NULL,
    PRIMARY KEY (reference, sku)
);
CREATE INDEX sku_purchases_user ON sku_purchases (user_id, sku, created_at);

-- +goose Down
DROP TABLE sku_purchases;
DROP TABLE promotion_uses;
DROP TABLE redemptions;
DROP TABLE purchase_limits;
DROP TABLE promotions;
DROP TABLE carts;
