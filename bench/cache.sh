#!/usr/bin/env bash
# The response cache (issue 16, item 1) on a release build, on loopback:
# seeds a demo site (1,000 articles), then runs wrk against the home list,
# one article by slug and a 304 revalidation of the home list, first with
# the cache off (KIOSQUE_CACHE_MB=0), then on (the default size), each in a
# fresh server; /healthz is the reference for what the HTTP path alone costs.
# Usage: bench/cache.sh [sqlite|postgres] [seconds]
# Needs wrk (apt-get install wrk). wrk shares the machine's cores with the
# server: compare figures from one run, not across machines.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
secs="${2:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiosque-release}"
[ -n "${KIOSQUE_BENCH_NO_BUILD:-}" ] || cargo build --release -q --bin kiosque
bin="$CARGO_TARGET_DIR/release/kiosque"
work=$(mktemp -d)
server=
cleanup() { [ -n "$server" ] && kill "$server" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT
case "$backend" in
  sqlite) export DATABASE_URL="sqlite://$work/bench.db" ;;
  postgres)
    db="kiosque_bench_cache_$$"
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
    trap 'cleanup; psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" ;;
  *) echo "usage: $0 [sqlite|postgres] [seconds]"; exit 2 ;;
esac
port=19310
export KIOSQUE_DATA_DIR="$work" KIOSQUE_ADDR=127.0.0.1:$port KIOSQUE_LOG=warn \
  KIOSQUE_JWT_SECRET=bench-secret-bench-secret-bench-secret
"$bin" seed-demo --articles 1000 >/dev/null
[ "$backend" = postgres ] && psql -h 127.0.0.1 -U postgres -d "$db" -qc "ANALYZE"
base=http://127.0.0.1:$port/api/v1

run() {
  local name="$1"; shift
  local out; out=$(wrk -t2 -c32 -d"${secs}s" --latency "$@")
  local rps; rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  local p99; p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  local errs; errs=$(echo "$out" | awk '/Non-2xx/{print $5}')
  printf '  %-36s %10s req/s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p99" "${errs:-0}"
}

for mb in 0 8; do
  KIOSQUE_CACHE_MB=$mb "$bin" serve & server=$!
  for _ in $(seq 1 100); do curl -sf "localhost:$port/readyz" >/dev/null && break; sleep 0.1; done
  slug=$(curl -s "$base/articles?limit=1" | sed -E 's/.*"slug":"([^"]+)".*/\1/' | head -1)
  etag=$(curl -sI "$base/articles" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')
  echo "backend $backend, KIOSQUE_CACHE_MB=$mb, wrk -t2 -c32 ${secs}s"
  run "GET /healthz (reference)" "http://127.0.0.1:$port/healthz"
  run "GET /articles (home list)" "$base/articles"
  run "GET /articles/{slug}" "$base/articles/$slug"
  run "GET /articles, If-None-Match (304)" -H "If-None-Match: $etag" "$base/articles"
  echo "  server RSS after load: $(ps -o rss= -p "$server" | awk '{printf "%.1f MiB", $1/1024}')"
  curl -s "localhost:$port/metrics" | grep -E '^kiosque_cache_(hits_total|misses_total|bytes|entries) ' | sed 's/^/  /'
  kill "$server"; wait "$server" 2>/dev/null || true; server=
done
