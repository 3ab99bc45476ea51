-- +goose Up
CREATE TABLE locations (
    id       text PRIMARY KEY,
    name     text NOT NULL,
    kind     text NOT NULL CHECK (kind IN ('warehouse', 'store')),
    sellable boolean NOT NULL
);
INSERT INTO locations (id, name, kind, sellable) VALUES ('online', 'Online warehouse', 'warehouse', true);

-- A SKU's units at a location, split over one or more slots (buckets) so
-- that concurrent reservations of a hot SKU lock different rows. The
-- columns updated on the hot path are not indexed and pages keep room, so
-- updates stay heap-only.
CREATE TABLE stock (
    sku      text    NOT NULL,
    location text    NOT NULL REFERENCES locations (id),
    slot     integer NOT NULL CHECK (slot >= 0),
    on_hand  bigint  NOT NULL,
    reserved bigint  NOT NULL,
    PRIMARY KEY (sku, location, slot),
    CONSTRAINT stock_never_negative CHECK (reserved >= 0 AND on_hand >= reserved)
) WITH (fillfactor = 80);

-- One row per reservation: its allocations (which buckets hold its units)
-- are a JSON array, so a hold is a single insert.
CREATE TABLE reservations (
    reference   text PRIMARY KEY,
    status      text NOT NULL CHECK (status IN ('held', 'committed', 'released', 'expired')),
    allocations jsonb NOT NULL,
    expires_at  timestamptz NOT NULL,
    created_at  timestamptz NOT NULL,
    updated_at  timestamptz NOT NULL
);
CREATE INDEX reservations_held_expiry ON reservations (expires_at) WHERE status = 'held';

CREATE TABLE movements (
    id        bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    sku       text   NOT NULL,
    location  text   NOT NULL,
    delta     bigint NOT NULL,
    reason    text   NOT NULL,
    reference text   NOT NULL DEFAULT '',
    at        timestamptz NOT NULL
);
CREATE INDEX movements_sku ON movements (sku, id);
-- Finds a repeated adjustment; sales, counts and imports stay out of it.
CREATE INDEX movements_adjustment ON movements (sku, location, reference)
    WHERE reference <> '' AND reason NOT IN ('sale', 'set', 'import');

-- +goose Down
DROP TABLE movements;
DROP TABLE reservations;
DROP TABLE stock;
DROP TABLE locations;
