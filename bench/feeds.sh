#!/usr/bin/env bash
# Load test of the feeds and sitemaps (issue 12) on a release build, on
# loopback: seeds a demo site (2,400 articles, a dozen of them this
# morning's), starts the server, and runs wrk against the site's RSS feed,
# the Google News sitemap and their neighbours. They are served from memory
# (built once per database generation), so this measures the HTTP path.
# Usage: bench/feeds.sh [sqlite|postgres] [seconds]
# Needs wrk (apt-get install wrk). wrk shares the machine's cores with the
# server: compare figures from one run, not across machines.
set -euo pipefail
cd "$(dirname "$0")/.."
backend="${1:-sqlite}"
secs="${2:-10}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiosque-release}"
[ -n "${KIOSQUE_BENCH_NO_BUILD:-}" ] || cargo build --release -q
bin="$CARGO_TARGET_DIR/release/kiosque"
work=$(mktemp -d)
server=
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
case "$backend" in
  sqlite) export DATABASE_URL="sqlite://$work/bench.db" ;;
  postgres)
    db="kiosque_bench_feeds_$$"
    psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
    trap 'kill $server 2>/dev/null || true; rm -rf "$work"; psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"' EXIT
    export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db" ;;
  *) echo "usage: $0 [sqlite|postgres] [seconds]"; exit 2 ;;
esac
port=18182
export KIOSQUE_DATA_DIR="$work" KIOSQUE_ADDR=127.0.0.1:$port KIOSQUE_LOG=warn \
  KIOSQUE_JWT_SECRET=bench-secret-bench-secret-bench-secret \
  KIOSQUE_SITE_URL=https://www.example-news.fr
"$bin" seed-demo >/dev/null
"$bin" serve & server=$!
for _ in $(seq 1 50); do curl -sf "localhost:$port/readyz" >/dev/null && break; sleep 0.1; done
base=http://127.0.0.1:$port/api/v1
etag=$(curl -sI "$base/feeds/rss.xml" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')
echo "backend: $backend, ${secs}s per path, wrk -t1 -c32"
echo "site feed: $(curl -s "$base/feeds/rss.xml" | grep -o '<item>' | wc -l) items, $(curl -s "$base/feeds/rss.xml" | wc -c) bytes;" \
  "news sitemap: $(curl -s "$base/sitemaps/news.xml" | grep -o '<news:news>' | wc -l) articles"
run() {
  local name="$1"; shift
  local out; out=$(wrk -t1 -c32 -d"${secs}s" --latency "$@")
  local rps; rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  local p50; p50=$(echo "$out" | awk '$1=="50%"{print $2}')
  local p99; p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  local errs; errs=$(echo "$out" | awk '/Non-2xx/{print $5}')
  printf '%-40s %10s req/s   p50 %8s   p99 %8s   non-2xx %s\n' "$name" "$rps" "$p50" "$p99" "${errs:-0}"
}
run "GET /healthz (reference)" "http://127.0.0.1:$port/healthz"
run "GET /feeds/rss.xml (site feed)" "$base/feeds/rss.xml"
run "GET /feeds/rss.xml (If-None-Match: 304)" -H "If-None-Match: $etag" "$base/feeds/rss.xml"
run "GET /feeds/sections/economie/atom.xml" "$base/feeds/sections/economie/atom.xml"
run "GET /sitemaps/news.xml (Google News)" "$base/sitemaps/news.xml"
run "GET /sitemap.xml (index)" "$base/sitemap.xml"
echo "server RSS after load: $(ps -o rss= -p $server | awk '{printf "%.1f MiB", $1/1024}')"
