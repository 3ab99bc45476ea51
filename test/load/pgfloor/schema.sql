-- The floor of PostgreSQL for one completed order's writes, without Bazaar: the
-- rows a checkout and its worker write (cart close, hold, order and history,
-- intent create, authorise, capture request and capture with ledger lines,
-- stock commit, order paid, outbox rows and their relay, the confirmation
-- mail), modelled on the real tables and their indexes. See run.sh and
-- docs/benchmarks.md ("Where the time goes now").
SET client_min_messages = warning; DROP SCHEMA IF EXISTS floor CASCADE; CREATE SCHEMA floor; SET search_path = floor;
CREATE TABLE carts (id text PRIMARY KEY, user_id text, token_hash text, status text, body text, version bigint, updated_at bigint, expires_at bigint);
CREATE INDEX ON carts(user_id); CREATE INDEX ON carts(token_hash); CREATE INDEX ON carts(expires_at) WHERE status = 'open';
CREATE TABLE stock (sku text, location text, slot int, on_hand bigint, reserved bigint, PRIMARY KEY (sku, location, slot));
CREATE TABLE reservations (reference text PRIMARY KEY, status text, allocations jsonb, expires_at timestamptz, created_at timestamptz, updated_at timestamptz);
CREATE INDEX ON reservations(expires_at) WHERE status = 'held';
CREATE TABLE movements (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, sku text, location text, delta bigint, reason text, reference text, at timestamptz);
CREATE TABLE orders (id text PRIMARY KEY, number text NOT NULL UNIQUE, status text, customer_id text, email text, cart_id text, currency text, total_amount bigint, created_at bigint, updated_at bigint, payment_due bigint, version bigint, seq bigint, doc text);
CREATE INDEX ON orders (customer_id, created_at DESC, id DESC); CREATE INDEX ON orders (created_at DESC, id DESC); CREATE INDEX ON orders (status, payment_due); CREATE INDEX ON orders (email);
CREATE TABLE order_transitions (order_id text REFERENCES orders(id), seq bigint, from_status text, to_status text, reason text, actor text, note text, at bigint, PRIMARY KEY (order_id, seq));
CREATE TABLE intents (id text PRIMARY KEY, customer_id text, order_id text, idem_key text, status text, amount bigint, captured bigint, capture_requested bigint, method text, updated_at bigint, version bigint, needs_check bigint, UNIQUE (customer_id, idem_key));
CREATE INDEX ON intents(order_id); CREATE INDEX ON intents(customer_id, id); CREATE INDEX ON intents(updated_at) WHERE status IN ('processing') OR capture_requested > 0 OR needs_check = 1;
CREATE TABLE intent_transitions (intent_id text REFERENCES intents(id), seq bigint, from_status text, to_status text, reason text, amount bigint, at bigint, PRIMARY KEY (intent_id, seq));
CREATE TABLE ledger_lines (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, entry_id text, intent_id text REFERENCES intents(id), kind text, account text, amount bigint, created_at bigint);
CREATE INDEX ON ledger_lines(intent_id); CREATE INDEX ON ledger_lines(entry_id);
CREATE TABLE outbox (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, subject text, msg_id text, data bytea);
CREATE TABLE processed_events (event_id text PRIMARY KEY, at bigint);
CREATE TABLE mail (id text PRIMARY KEY, recipient text, subject text, body text, created_at bigint, next_attempt_at bigint, sent_at bigint);
CREATE INDEX ON mail(next_attempt_at) WHERE sent_at IS NULL;
INSERT INTO stock SELECT 'sku'||g, 'web', s, 1000000000, 0 FROM generate_series(1,20) g, generate_series(0,7) s;
INSERT INTO carts SELECT 'c'||g, 'u'||g, md5(g::text), 'open', repeat('x', 600), 1, 0, g FROM generate_series(1, 400000) g;
VACUUM ANALYZE;
