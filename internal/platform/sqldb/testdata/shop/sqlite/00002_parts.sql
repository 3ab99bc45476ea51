-- +goose Up
CREATE TABLE parts (
    id        INTEGER PRIMARY KEY,
    widget_id INTEGER NOT NULL REFERENCES widgets (id),
    qty       INTEGER NOT NULL CHECK (qty >= 0)
);

-- +goose Down
DROP TABLE parts;
