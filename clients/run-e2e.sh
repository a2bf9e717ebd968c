#!/usr/bin/env bash
# The clients' checks, as CI runs them (.ci/run calls this script):
#   1. the TypeScript SDK: dependencies (installed once per lock file), the
#      generated types fresh against openapi/openapi.json, `tsc --strict`;
#   2. its end-to-end flow against a real Kiosque (the debug binary) on a fresh
#      SQLite file and a fresh PostgreSQL database, both at once;
#   3. the reference site (examples/site): built with vite, then tested in
#      Debian's headless Chromium against a demo site (`kiosque seed-demo`).
# Screenshots and server logs go to one folder, printed at the start and end.
#
# Settings (all optional): CARGO_TARGET_DIR, KIOSQUE_TEST_POSTGRES_URL (a
# superuser URL; a database `kiosque_e2e_sdk` is created there),
# KIOSQUE_E2E_PORT (first of four loopback ports, default 19710),
# KIOSQUE_E2E_OUT (the output folder), KIOSQUE_E2E_SKIP_POSTGRES=1.
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$PWD

export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiosque-target}"
PG_URL="${KIOSQUE_TEST_POSTGRES_URL:-postgres://postgres@127.0.0.1:5432/postgres}"
PORT="${KIOSQUE_E2E_PORT:-19710}"
OUT="${KIOSQUE_E2E_OUT:-$(mktemp -d "${TMPDIR:-/tmp}/kiosque-clients.XXXXXX")}"
mkdir -p "$OUT"
echo "== clients: logs and screenshots in $OUT"

PIDS=()
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null || true; done
  for pid in "${PIDS[@]}"; do wait "$pid" 2>/dev/null || true; done
}
trap cleanup EXIT

# npm ci only when the lock file changed since the last install here.
npm_install() {
  local dir=$1 stamp sum
  stamp="$dir/node_modules/.kiosque-lock.sha256"
  sum=$(sha256sum "$dir/package-lock.json" | cut -d' ' -f1)
  if [[ -f $stamp && $(cat "$stamp") == "$sum" ]]; then
    return
  fi
  echo "== npm ci in ${dir#"$ROOT"/}"
  (cd "$dir" && npm ci --no-audit --no-fund --loglevel=error)
  echo "$sum" >"$stamp"
}

if ! command -v chromium >/dev/null 2>&1; then
  echo "== installing Debian's chromium (the browser test's headless browser)"
  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null
fi

SDK="$ROOT/clients/typescript"
SITE="$ROOT/examples/site"
npm_install "$SDK"
npm_install "$SITE"

echo "== the SDK's generated types match openapi/openapi.json"
(cd "$SDK" && npm run --silent generate:check)
echo "== tsc --strict (SDK, end-to-end flow)"
(cd "$SDK" && rm -rf dist && npm run --silent build)
echo "== tsc --strict and vite build (site)"
(cd "$SITE" && npm run --silent typecheck)

echo "== cargo build (the server under test)"
cargo build --locked --quiet --bin kiosque
BIN="$CARGO_TARGET_DIR/debug/kiosque"

# Starts a server: start_server NAME PORT DATABASE_URL [VAR=value…]; waits for /readyz.
start_server() {
  local name=$1 port=$2 db=$3
  shift 3
  mkdir -p "$OUT/$name"
  env DATABASE_URL="$db" KIOSQUE_ADDR="127.0.0.1:$port" KIOSQUE_DATA_DIR="$OUT/$name" \
    KIOSQUE_JWT_SECRET="$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')" \
    KIOSQUE_MAIL_TRANSPORT=log KIOSQUE_LOG=info KIOSQUE_ACCESS_TOKEN_TTL_SECS=30 \
    KIOSQUE_ARGON2_MEMORY_KIB=1024 KIOSQUE_ARGON2_ITERATIONS=1 "$@" \
    "$BIN" serve >"$OUT/$name/server.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 100); do
    curl -fsS "http://127.0.0.1:$port/readyz" >/dev/null 2>&1 && return 0
    sleep 0.2
  done
  echo "the $name server did not start; its log:"
  cat "$OUT/$name/server.log"
  return 1
}

# Runs a command of the binary against DATABASE_URL: kiosque_cli DB ARGS…
kiosque_cli() {
  local db=$1
  shift
  DATABASE_URL="$db" KIOSQUE_DATA_DIR="$OUT" KIOSQUE_ARGON2_MEMORY_KIB=1024 KIOSQUE_ARGON2_ITERATIONS=1 \
    KIOSQUE_JWT_SECRET=these-commands-sign-no-token-at-all KIOSQUE_LOG=warn "$BIN" "$@"
}

EDITOR_EMAIL=redaction@example.org
EDITOR_PASSWORD="Rotative-$(head -c 9 /dev/urandom | od -An -tx1 | tr -d ' \n')"

SQLITE_URL="sqlite://$OUT/sdk-sqlite/kiosque.db"
mkdir -p "$OUT/sdk-sqlite"
DATABASES=(sqlite)
if [[ ${KIOSQUE_E2E_SKIP_POSTGRES:-} != 1 ]]; then
  PG_DB_URL="${PG_URL%/*}/kiosque_e2e_sdk"
  PGOPTIONS='--client-min-messages=warning' psql -q "$PG_URL" -c 'DROP DATABASE IF EXISTS kiosque_e2e_sdk' -c 'CREATE DATABASE kiosque_e2e_sdk'
  DATABASES+=(postgres)
fi

# The SDK flow on both databases at once (each waits ~35 s for a token to expire).
FLOW_PIDS=()
for database in "${DATABASES[@]}"; do
  case $database in
    sqlite) db=$SQLITE_URL port=$PORT ;;
    postgres) db=$PG_DB_URL port=$((PORT + 1)) ;;
  esac
  printf '%s\n' "$EDITOR_PASSWORD" | kiosque_cli "$db" create-user --email "$EDITOR_EMAIL" --role editor --name Rédaction >/dev/null
  start_server "sdk-$database" "$port" "$db"
  (
    cd "$SDK"
    KIOSQUE_E2E_DATABASE=$database KIOSQUE_E2E_URL="http://127.0.0.1:$port" \
      KIOSQUE_E2E_SERVER_LOG="$OUT/sdk-$database/server.log" KIOSQUE_E2E_ACCESS_TTL_SECS=30 \
      KIOSQUE_E2E_EDITOR_EMAIL=$EDITOR_EMAIL KIOSQUE_E2E_EDITOR_PASSWORD=$EDITOR_PASSWORD \
      node --test --test-reporter=spec dist/test/e2e.test.js >"$OUT/sdk-$database/flow.txt" 2>&1
  ) &
  FLOW_PIDS+=($!)
done

# Meanwhile, the site's demo database and server.
SITE_DB="sqlite://$OUT/site/kiosque.db"
mkdir -p "$OUT/site"
kiosque_cli "$SITE_DB" seed-demo --articles 120 >/dev/null
printf '%s\n' "$EDITOR_PASSWORD" | kiosque_cli "$SITE_DB" create-user --email "$EDITOR_EMAIL" --role editor --name Rédaction >/dev/null
SITE_API="http://127.0.0.1:$((PORT + 2))"
SITE_ORIGIN="http://127.0.0.1:$((PORT + 3))"
start_server site $((PORT + 2)) "$SITE_DB" KIOSQUE_CORS_ORIGINS="$SITE_ORIGIN" KIOSQUE_COMMENTS_MODERATION=post
(cd "$SITE" && VITE_KIOSQUE_API="$SITE_API" npm run --silent build >"$OUT/site/vite.txt" 2>&1) ||
  { cat "$OUT/site/vite.txt"; exit 1; }

failed=0
for i in "${!DATABASES[@]}"; do
  database=${DATABASES[$i]}
  echo "== the SDK's end-to-end flow on $database"
  if ! wait "${FLOW_PIDS[$i]}"; then
    failed=1
    echo "-- the $database server's log (last 60 lines):"
    tail -n 60 "$OUT/sdk-$database/server.log"
  fi
  cat "$OUT/sdk-$database/flow.txt"
done

echo "== the reference site in headless Chromium"
(
  cd "$SITE"
  KIOSQUE_E2E_URL="$SITE_API" KIOSQUE_E2E_SITE_PORT=$((PORT + 3)) \
    KIOSQUE_E2E_SERVER_LOG="$OUT/site/server.log" KIOSQUE_E2E_SCREENSHOTS="$OUT/screenshots" \
    KIOSQUE_E2E_EDITOR_EMAIL=$EDITOR_EMAIL KIOSQUE_E2E_EDITOR_PASSWORD=$EDITOR_PASSWORD \
    node --test --test-reporter=spec build/test/browser.test.js
) || failed=1

echo "== clients: screenshots in $OUT/screenshots"
exit $failed
