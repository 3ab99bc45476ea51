-- +goose Up
-- Times are Unix microseconds and money is integer minor units, the same on
-- both engines. An order is kept whole: the columns are what queries filter
-- and sort on, doc (JSON, orderdb's doc type) holds everything else.
CREATE TABLE orders (
    id           TEXT    PRIMARY KEY,
    number       TEXT    NOT NULL UNIQUE,
    status       TEXT    NOT NULL CHECK (status IN ('pending', 'awaiting_payment', 'paid', 'confirmed', 'packed',
                     'shipped', 'delivered', 'cancelled', 'payment_failed', 'expired', 'return_requested',
                     'return_approved', 'returned', 'refunded')),
    customer_id  TEXT    NOT NULL, -- '' for a guest
    email        TEXT    NOT NULL, -- lower-cased for lookups; doc keeps it as given
    cart_id      TEXT    NOT NULL,
    currency     TEXT    NOT NULL,
    total_amount INTEGER NOT NULL,
    created_at   INTEGER NOT NULL,
    updated_at   INTEGER NOT NULL,
    payment_due  INTEGER,
    version      INTEGER NOT NULL,
    seq          INTEGER NOT NULL,
    doc          TEXT    NOT NULL
);
-- Listings are newest first with (created_at, id) as the page key.
CREATE INDEX orders_customer ON orders (customer_id, created_at DESC, id DESC);
CREATE INDEX orders_created ON orders (created_at DESC, id DESC);
-- What the expiry sweeper scans.
CREATE INDEX orders_due ON orders (status, payment_due);
CREATE INDEX orders_email ON orders (email);

-- An order's history: append-only, written with the order.
CREATE TABLE order_transitions (
    order_id    TEXT    NOT NULL REFERENCES orders (id),
    seq         INTEGER NOT NULL,
    from_status TEXT    NOT NULL,
    to_status   TEXT    NOT NULL,
    reason      TEXT    NOT NULL,
    actor       TEXT    NOT NULL,
    note        TEXT    NOT NULL,
    at          INTEGER NOT NULL,
    PRIMARY KEY (order_id, seq)
);

-- +goose Down
DROP TABLE order_transitions;
DROP TABLE orders;
