-- One batch of :n orders' writes, each step one multi-row statement (n = 1: the
-- statements of one order, one at a time). Run by run.sh.
\set base random(1, 1000000000)
\set n 50
UPDATE floor.carts c SET status = 'ordered', version = c.version + 1, updated_at = :base FROM generate_series(1, :n) g WHERE c.id = 'c' || ((:base + g) % 400000 + 1);
WITH r AS (INSERT INTO floor.reservations SELECT 'o' || :client_id || '-' || :base || '-' || g, 'held', '[{"sku":"sku1","location":"web","slot":1,"quantity":1}]', now() + interval '15 min', now(), now() FROM generate_series(1, :n) g)
UPDATE floor.stock SET reserved = reserved + 3 WHERE location = 'web' AND slot = :client_id % 8 AND sku IN (SELECT 'sku' || (((:base + g) % 20) + 1) FROM generate_series(1, 17) g);
WITH o AS (INSERT INTO floor.orders SELECT 'o' || :client_id || '-' || :base || '-' || g, 'n' || :client_id || '-' || :base || '-' || g, 'pending', 'u' || g, 'e' || g || '@x.in', 'c' || g, 'INR', 99900, :base, :base, NULL, 1, 1, repeat('d', 1500) FROM generate_series(1, :n) g),
     t AS (INSERT INTO floor.order_transitions SELECT 'o' || :client_id || '-' || :base || '-' || g, 1, '', 'pending', 'checkout', 'shopper', '', :base FROM generate_series(1, :n) g)
INSERT INTO floor.outbox (subject, msg_id, data) SELECT 'order.created', 'e' || g, convert_to(repeat('e', 600), 'UTF8') FROM generate_series(1, :n) g;
WITH i AS (INSERT INTO floor.intents SELECT 'pi' || :client_id || '-' || :base || '-' || g, 'u' || g, 'o' || :client_id || '-' || :base || '-' || g, 'k' || :client_id || '-' || :base || '-' || g, 'processing', 99900, 0, 0, repeat('m', 120), :base, 1, 0 FROM generate_series(1, :n) g)
INSERT INTO floor.intent_transitions SELECT 'pi' || :client_id || '-' || :base || '-' || g, s, '', 'processing', 'create', 99900, :base FROM generate_series(1, :n) g, generate_series(1, 2) s;
WITH u AS (UPDATE floor.intents SET status = 'authorized', version = version + 1, updated_at = updated_at + 1 WHERE id = ANY (ARRAY(SELECT 'pi' || :client_id || '-' || :base || '-' || g FROM generate_series(1, :n) g)) RETURNING id),
     t AS (INSERT INTO floor.intent_transitions SELECT id, 3, 'processing', 'authorized', 'provider', 99900, 1 FROM u)
INSERT INTO floor.outbox (subject, msg_id, data) SELECT 'payment.authorized', id, convert_to(repeat('p', 500), 'UTF8') FROM u;
UPDATE floor.intents SET capture_requested = amount, version = version + 1, updated_at = updated_at + 1 WHERE id = ANY (ARRAY(SELECT 'pi' || :client_id || '-' || :base || '-' || g FROM generate_series(1, :n) g));
WITH u AS (UPDATE floor.intents SET status = 'captured', captured = amount, capture_requested = 0, version = version + 1, updated_at = updated_at + 1 WHERE id = ANY (ARRAY(SELECT 'pi' || :client_id || '-' || :base || '-' || g FROM generate_series(1, :n) g)) RETURNING id),
     t AS (INSERT INTO floor.intent_transitions SELECT id, 4, 'authorized', 'captured', 'capture', 99900, 1 FROM u),
     l AS (INSERT INTO floor.ledger_lines (entry_id, intent_id, kind, account, amount, created_at) SELECT 'le' || id, id, 'capture', a, 99900, 1 FROM u, unnest(ARRAY['cash', 'sales']) a)
INSERT INTO floor.outbox (subject, msg_id, data) SELECT 'payment.captured', id, convert_to(repeat('p', 500), 'UTF8') FROM u;
WITH r AS (UPDATE floor.reservations SET status = 'committed', updated_at = now() WHERE reference = ANY (ARRAY(SELECT 'o' || :client_id || '-' || :base || '-' || g FROM generate_series(1, :n) g)) RETURNING reference),
     m AS (INSERT INTO floor.movements (sku, location, delta, reason, reference, at) SELECT 'sku1', 'web', -1, 'sale', reference, now() FROM r)
UPDATE floor.stock SET reserved = reserved - 3, on_hand = on_hand - 3 WHERE location = 'web' AND slot = :client_id % 8 AND sku IN (SELECT 'sku' || (((:base + g) % 20) + 1) FROM generate_series(1, 17) g);
WITH u AS (UPDATE floor.orders SET status = 'paid', version = version + 1, seq = seq + 2, updated_at = updated_at + 1, doc = doc WHERE id = ANY (ARRAY(SELECT 'o' || :client_id || '-' || :base || '-' || g FROM generate_series(1, :n) g)) RETURNING id),
     t AS (INSERT INTO floor.order_transitions SELECT id, s, 'pending', 'paid', 'payment', 'worker', '', 1 FROM u, generate_series(2, 3) s)
INSERT INTO floor.outbox (subject, msg_id, data) SELECT 'order.paid', id, convert_to(repeat('e', 600), 'UTF8') FROM u;
DELETE FROM floor.outbox WHERE id IN (SELECT id FROM floor.outbox ORDER BY id LIMIT 4 * :n FOR UPDATE SKIP LOCKED);
WITH p AS (INSERT INTO floor.processed_events SELECT 'ev' || :client_id || '-' || :base || '-' || g, 1 FROM generate_series(1, :n) g ON CONFLICT DO NOTHING RETURNING event_id)
INSERT INTO floor.mail SELECT 'm' || event_id, 'x@y.in', 'Your order', repeat('b', 1200), 1, 1, NULL FROM p;
UPDATE floor.mail SET sent_at = 2 WHERE id = ANY (ARRAY(SELECT 'mev' || :client_id || '-' || :base || '-' || g FROM generate_series(1, :n) g));
