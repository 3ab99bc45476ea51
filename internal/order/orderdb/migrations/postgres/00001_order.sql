-- +goose Up
-- Times are Unix microseconds and money is integer minor units, the same on
-- both engines. An order is kept whole: the columns are what queries filter
-- and sort on, doc (JSON, orderdb's doc type) holds everything else.
CREATE TABLE orders (
    id           text    PRIMARY KEY,
    number       text    NOT NULL UNIQUE,
    status       text    NOT NULL CHECK (status IN ('pending', 'awaiting_payment', 'paid', 'confirmed', 'packed',
                     'shipped', 'delivered', 'cancelled', 'payment_failed', 'expired', 'return_requested',
                     'return_approved', 'returned', 'refunded')),
    customer_id  text    NOT NULL, -- '' for a guest
    email        text    NOT NULL, -- lower-cased for lookups; doc keeps it as given
    cart_id      text    NOT NULL,
    currency     text    NOT NULL,
    total_amount bigint  NOT NULL,
    created_at   bigint  NOT NULL,
    updated_at   bigint  NOT NULL,
    payment_due  bigint,
    version      bigint  NOT NULL,
    seq          bigint  NOT NULL,
    doc          text    NOT NULL
);
-- Listings are newest first with (created_at, id) as the page key.
CREATE INDEX orders_customer ON orders (customer_id, created_at DESC, id DESC);
CREATE INDEX orders_created ON orders (created_at DESC, id DESC);
-- What the expiry sweeper scans.
CREATE INDEX orders_due ON orders (status, payment_due);
CREATE INDEX orders_email ON orders (email);

-- An order's history: append-only, written with the order.
CREATE TABLE order_transitions (
    order_id    text    NOT NULL REFERENCES orders (id),
    seq         bigint  NOT NULL,
    from_status text    NOT NULL,
    to_status   text    NOT NULL,
    reason      text    NOT NULL,
    actor       text    NOT NULL,
    note        text    NOT NULL,
    at          bigint  NOT NULL,
    PRIMARY KEY (order_id, seq)
);

-- +goose Down
DROP TABLE order_transitions;
DROP TABLE orders;
