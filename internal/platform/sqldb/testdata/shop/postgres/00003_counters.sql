-- +goose Up
CREATE TABLE counters (
    name TEXT PRIMARY KEY,
    n    BIGINT NOT NULL
);

-- +goose Down
DROP TABLE counters;
