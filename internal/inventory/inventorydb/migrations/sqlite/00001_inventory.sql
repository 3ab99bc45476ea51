-- +goose Up
CREATE TABLE locations (
    id       TEXT PRIMARY KEY,
    name     TEXT NOT NULL,
    kind     TEXT NOT NULL CHECK (kind IN ('warehouse', 'store')),
    sellable INTEGER NOT NULL CHECK (sellable IN (0, 1))
);
INSERT INTO locations (id, name, kind, sellable) VALUES ('online', 'Online warehouse', 'warehouse', 1);

-- A SKU's units at a location, split over one or more slots (buckets).
CREATE TABLE stock (
    sku      TEXT    NOT NULL,
    location TEXT    NOT NULL REFERENCES locations (id),
    slot     INTEGER NOT NULL CHECK (slot >= 0),
    on_hand  INTEGER NOT NULL,
    reserved INTEGER NOT NULL,
    PRIMARY KEY (sku, location, slot),
    CONSTRAINT stock_never_negative CHECK (reserved >= 0 AND on_hand >= reserved)
) WITHOUT ROWID;

-- Times are Unix milliseconds. Allocations are a JSON array.
CREATE TABLE reservations (
    reference   TEXT PRIMARY KEY,
    status      TEXT NOT NULL CHECK (status IN ('held', 'committed', 'released', 'expired')),
    allocations TEXT NOT NULL,
    expires_at  INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX reservations_held_expiry ON reservations (expires_at) WHERE status = 'held';

CREATE TABLE movements (
    id        INTEGER PRIMARY KEY,
    sku       TEXT    NOT NULL,
    location  TEXT    NOT NULL,
    delta     INTEGER NOT NULL,
    reason    TEXT    NOT NULL,
    reference TEXT    NOT NULL DEFAULT '',
    at        INTEGER NOT NULL
);
CREATE INDEX movements_sku ON movements (sku, id);
CREATE INDEX movements_adjustment ON movements (sku, location, reference)
    WHERE reference <> '' AND reason NOT IN ('sale', 'set', 'import');

-- +goose Down
DROP TABLE movements;
DROP TABLE reservations;
DROP TABLE stock;
DROP TABLE locations;
