#!/usr/bin/env bash
# The floor of PostgreSQL for the writes of completed orders, batched n at a
# time: pgbench runs order.sql from 4 clients for 20 s at each batch size
# and prints orders/s (transactions/s × n). PostgreSQL alone, on the whole
# machine: what Bazaar's workers could reach at best if every step were
# batched n orders at a time and nothing else needed the cores.
#
#   bash test/load/pgfloor/run.sh [postgres-url]
set -euo pipefail
url=${1:-postgres://postgres@127.0.0.1:5432/test}
here=$(cd "$(dirname "$0")" && pwd)
psql "$url" -q -f "$here/schema.sql" 2>&1 | grep -v NOTICE || true
for n in 1 10 50 200; do
  sed "s/^\\\\set n 50$/\\\\set n $n/" "$here/order.sql" > /tmp/pgfloor-order.sql
  clients=4; [ "$n" = 1 ] && clients=8
  tps=$(pgbench "$url" -n -c "$clients" -T 20 -M prepared -f /tmp/pgfloor-order.sql 2>/dev/null | awk '/^tps/ {print $3}')
  echo "batch of $n: $(awk -v t="$tps" -v n="$n" 'BEGIN {printf "%.0f", t * n}') orders/s"
done
psql "$url" -q -c "SET client_min_messages = warning; DROP SCHEMA floor CASCADE"
rm -f /tmp/pgfloor-order.sql
