-- +goose Up
CREATE TABLE gadgets (
    name TEXT PRIMARY KEY
);

-- +goose Down
DROP TABLE gadgets;
