#!/usr/bin/env bash
# Media benchmark of a release build on loopback (SQLite, local disk):
# the time to accept a 12-megapixel JPEG and make all its variants (p50),
# requests per second for a cached variant (wrk), and the server's peak
# memory while 20 uploads of 24-megapixel JPEGs arrive at once.
# Usage: bench/media.sh [seconds-of-wrk]. Needs wrk (apt-get install wrk).
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-6}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiosque-release}"
cargo build --release -q --bin kiosque --example bench_media
bin="$CARGO_TARGET_DIR/release/kiosque"
work=$(mktemp -d)
server=; trap '[ -n "$server" ] && kill $server 2>/dev/null || true; rm -rf "$work"' EXIT
export DATABASE_URL="sqlite://$work/bench.db" KIOSQUE_DATA_DIR="$work" KIOSQUE_ADDR=127.0.0.1:18182 \
  KIOSQUE_LOG=warn KIOSQUE_JWT_SECRET=bench-secret-bench-secret-bench-secret KIOSQUE_REQUEST_TIMEOUT_SECS=120
"$bin" migrate >/dev/null
echo "Correct-Horse-77-battery" | "$bin" create-user --email bench@example.org --role admin >/dev/null
"$bin" serve & server=$!
for _ in $(seq 1 50); do curl -sf localhost:18182/readyz >/dev/null && break; sleep 0.1; done
base=http://127.0.0.1:18182/api/v1
token=$(curl -s "$base/auth/login" -H 'Content-Type: application/json' \
  -d '{"email":"bench@example.org","password":"Correct-Horse-77-battery"}' \
  | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
echo "media workers: ${KIOSQUE_MEDIA_WORKERS:-$(nproc)} (cores: $(nproc))"
out=$("$CARGO_TARGET_DIR/release/examples/bench_media" "$base" "$token" "$server")
echo "$out" | grep -v '^cached variant'
url=$(echo "$out" | awk '/^cached variant/{print $3}')
res=$(wrk -t1 -c32 -d"${secs}s" --latency "$url")
printf 'cached variant (wrk -t1 -c32, %ss): %s req/s, p50 %s\n' "$secs" \
  "$(echo "$res" | awk '/Requests\/sec/{print $2}')" "$(echo "$res" | awk '$1=="50%"{print $2}')"
