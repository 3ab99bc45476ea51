-- +goose Up
-- Times are Unix microseconds and money is integer minor units, the same on
-- both engines, so listings sort and page identically on each.
CREATE TABLE categories (
    id        TEXT    PRIMARY KEY,
    slug      TEXT    NOT NULL UNIQUE,
    name      TEXT    NOT NULL,
    parent_id TEXT    REFERENCES categories (id),
    position  INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX categories_parent ON categories (parent_id);

CREATE TABLE collections (
    id          TEXT PRIMARY KEY,
    slug        TEXT NOT NULL UNIQUE,
    name        TEXT NOT NULL,
    description TEXT NOT NULL DEFAULT ''
);

-- min_price, max_price and in_stock summarise the variants that are not
-- archived, so listings sort and filter without touching variants.
CREATE TABLE products (
    id          TEXT    PRIMARY KEY,
    slug        TEXT    NOT NULL UNIQUE,
    title       TEXT    NOT NULL,
    description TEXT    NOT NULL,
    brand       TEXT    NOT NULL,
    brand_key   TEXT    NOT NULL,
    category_id TEXT    NOT NULL REFERENCES categories (id),
    status      TEXT    NOT NULL CHECK (status IN ('draft', 'active', 'archived')),
    attributes  TEXT    NOT NULL, -- JSON object
    images      TEXT    NOT NULL, -- JSON array
    currency    TEXT    NOT NULL,
    min_price   INTEGER NOT NULL,
    max_price   INTEGER NOT NULL,
    in_stock    INTEGER NOT NULL,
    version     INTEGER NOT NULL,
    created_at  INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX products_newest   ON products (status, created_at, id);
CREATE INDEX products_price    ON products (status, min_price, id);
CREATE INDEX products_category ON products (category_id, status);
CREATE INDEX products_brand    ON products (brand_key, status);
CREATE INDEX products_updated  ON products (updated_at);

CREATE TABLE variants (
    id           TEXT    PRIMARY KEY,
    product_id   TEXT    NOT NULL REFERENCES products (id),
    sku          TEXT    NOT NULL UNIQUE,
    position     INTEGER NOT NULL,
    size         TEXT    NOT NULL,
    size_key     TEXT    NOT NULL,
    color        TEXT    NOT NULL,
    color_key    TEXT    NOT NULL,
    price        INTEGER NOT NULL CHECK (price >= 0),
    compare_at   INTEGER CHECK (compare_at >= price),
    currency     TEXT    NOT NULL,
    weight_grams INTEGER NOT NULL CHECK (weight_grams >= 0),
    archived     INTEGER NOT NULL,
    in_stock     INTEGER NOT NULL
);
CREATE INDEX variants_product ON variants (product_id);
CREATE INDEX variants_color   ON variants (color_key, product_id);
CREATE INDEX variants_size    ON variants (size_key, product_id);

CREATE TABLE collection_products (
    collection_id TEXT    NOT NULL REFERENCES collections (id),
    product_id    TEXT    NOT NULL REFERENCES products (id),
    position      INTEGER NOT NULL,
    PRIMARY KEY (collection_id, product_id)
);
CREATE INDEX collection_products_product ON collection_products (product_id);

-- The search index: one row per token of a product, with the weight of the
-- most important field it occurs in. The vocabulary lets the service expand
-- a query word to the tokens within its typo distance.
CREATE TABLE search_terms (
    token      TEXT    NOT NULL,
    product_id TEXT    NOT NULL REFERENCES products (id),
    weight     INTEGER NOT NULL,
    PRIMARY KEY (token, product_id)
) WITHOUT ROWID;
CREATE INDEX search_terms_product ON search_terms (product_id);

CREATE TABLE search_vocab (
    token TEXT PRIMARY KEY
) WITHOUT ROWID;

-- +goose Down
DROP TABLE search_vocab;
DROP TABLE search_terms;
DROP TABLE collection_products;
DROP TABLE variants;
DROP TABLE products;
DROP TABLE collections;
DROP TABLE categories;
