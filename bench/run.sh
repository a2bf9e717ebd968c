#!/usr/bin/env bash
# Load test of a release build on loopback: seeds a demo site (2,400
# articles), starts the server, and runs wrk against the hot read paths.
# Usage: bench/run.sh [sqlite|postgres] [seconds]
# Needs wrk (apt-get install wrk). The load generator shares the machine's
# cores with the server: compare figures from one run, not across machines.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
secs="${2:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiosque-release}"
cargo build --release -q
bin="$CARGO_TARGET_DIR/release/kiosque"
work=$(mktemp -d)
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
case "$backend" in
  sqlite) export DATABASE_URL="sqlite://$work/bench.db" ;;
  postgres)
    db="kiosque_bench_$$"
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
    trap 'kill $server 2>/dev/null || true; rm -rf "$work"; psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" ;;
  *) echo "usage: $0 [sqlite|postgres] [seconds]"; exit 2 ;;
esac
export KIOSQUE_DATA_DIR="$work" KIOSQUE_ADDR=127.0.0.1:18181 KIOSQUE_LOG=warn KIOSQUE_JWT_SECRET=bench-secret-bench-secret-bench-secret
"$bin" seed-demo >/dev/null
"$bin" serve & server=$!
for _ in $(seq 1 50); do curl -sf localhost:18181/readyz >/dev/null && break; sleep 0.1; done
base=http://127.0.0.1:18181/api/v1
slug=$(curl -s "$base/articles?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["slug"])')
etag=$(curl -sI "$base/articles?limit=20" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')
echo "backend: $backend, ${secs}s per path, wrk -t1 -c32"
run() {
  local name="$1"; shift
  local out; out=$(wrk -t1 -c32 -d"${secs}s" --latency "$@")
  local rps; rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  local p50; p50=$(echo "$out" | awk '$1=="50%"{print $2}')
  local p99; p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  local errs; errs=$(echo "$out" | awk '/Non-2xx/{print $5}')
  printf '%-34s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${errs:-0}"
}
run "GET /healthz" http://127.0.0.1:18181/healthz
run "GET /articles (20, embedded refs)" "$base/articles?limit=20"
run "GET /articles (If-None-Match: 304)" -H "If-None-Match: $etag" "$base/articles?limit=20"
run "GET /articles/{slug}" "$base/articles/$slug"
run "GET /articles?section=sport" "$base/articles?section=sport&limit=20"
run "GET /articles?q=benevoles" "$base/articles?q=benevoles&limit=20"
run "GET /articles?page=100" "$base/articles?limit=20&page=100"
echo "server RSS after load: $(ps -o rss= -p $server | awk '{printf "%.1f MiB", $1/1024}')"
