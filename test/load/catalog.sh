#!/usr/bin/env bash
# Load test of the catalog's public reads under wrk, beside a trivial Go JSON
# handler in the same run (the ratio is the figure: the machine is shared).
#   bash test/load/catalog.sh [products] [seconds]
# Needs wrk (apt-get install wrk). Prints a Markdown table.
set -euo pipefail
cd "$(dirname "$0")/../.."
products=${1:-10000}
secs=${2:-10}
conns=64
work=$(mktemp -d)
trap 'kill $(jobs -p) 2>/dev/null || true; rm -rf "$work"' EXIT

go build -o "$work/bazaar" ./cmd/bazaar
go build -o "$work/trivial" ./test/load/trivial
"$work/bazaar" seed --products "$products" --data-dir "$work/data" >/dev/null 2>&1
BAZAAR_LOG_LEVEL=warn "$work/bazaar" serve --addr 127.0.0.1:18091 --data-dir "$work/data" >/dev/null 2>&1 &
"$work/trivial" --addr 127.0.0.1:18090 &
for _ in $(seq 1 100); do
  curl -sf http://127.0.0.1:18091/readyz >/dev/null && curl -sf http://127.0.0.1:18090/ >/dev/null && break
  sleep 0.2
done
sleep 1 # the listing index is built just after ready
slug=$(curl -s 'http://127.0.0.1:18091/api/v1/products?category=kurtas&page_size=1' | sed -E 's/.*"slug":"([^"]+)".*/\1/')

run() { # name url [script]
  local out
  if [ -n "${3:-}" ]; then
    out=$(wrk -t2 -c$conns -d${secs}s --latency -s "$3" "$2")
  else
    out=$(wrk -t2 -c$conns -d${secs}s --latency "$2")
  fi
  local rps p50 p99
  rps=$(awk '/Requests\/sec/ {print $2}' <<<"$out")
  p50=$(awk '$1=="50%" {print $2}' <<<"$out")
  p99=$(awk '$1=="99%" {print $2}' <<<"$out")
  printf '| %s | %s | %s | %s |\n' "$1" "$rps" "$p50" "$p99"
  echo "$rps" >"$work/rps-$(tr ' /' '__' <<<"$1")"
}

echo "| route ($products products, wrk -t2 -c$conns -d${secs}s) | req/s | p50 | p99 |"
echo "|---|---|---|---|"
run "trivial Go handler" http://127.0.0.1:18090/
run "listing by category, cached" "http://127.0.0.1:18091/api/v1/products?category=kurtas"
run "listing by category, cold (a new query each time)" http://127.0.0.1:18091/ test/load/cold.lua
run "product page (live availability)" "http://127.0.0.1:18091/api/v1/products/$slug"
