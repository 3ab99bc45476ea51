-- +goose Up
CREATE TABLE parts (
    id        BIGINT PRIMARY KEY,
    widget_id BIGINT NOT NULL REFERENCES widgets (id),
    qty       INTEGER NOT NULL CHECK (qty >= 0)
);

-- +goose Down
DROP TABLE parts;
