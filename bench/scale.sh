#!/usr/bin/env bash
# The scale benchmark of issue 16, in one run, as a markdown table:
#   - the hot reads (home list, article by slug, section list, page 40,
#     page 100, a common-word search, a 304 revalidation) with wrk -t2 -c32,
#     response cache on (KIOSQUE_CACHE_MB unset: its default) and off (0),
#     on SQLite and on PostgreSQL with one node, and on PostgreSQL with three
#     nodes (a primary and a streaming replica of their own when run as root;
#     each node gets a third of the connections, and the rates are summed);
#   - nginx (one worker) sending the very same bytes, saved from Kiosque, in
#     the same run: each rate is also given as a share of the static one;
#   - 8 (and 32, SQLite) concurrent editors creating articles: p50/p99/max;
#   - the server's RSS after the reads (the largest seen);
#   - the time from start to ready with 100,000 articles (SQLite).
# Usage: bench/scale.sh [seconds per measure, default 5]
# Needs wrk and nginx (apt-get install wrk nginx-light), PostgreSQL on
# 127.0.0.1:5432, python3. Loopback ports 19510-19599. Takes ~12 min.
# The load generator shares the cores with the server: compare figures from
# one run, never across machines.
set -euo pipefail
cd "$(dirname "$0")/.."
secs="${1:-5}"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$HOME/.cache/kiosque-release}"
[ -n "${KIOSQUE_BENCH_NO_BUILD:-}" ] || cargo build --release -q
bin="$CARGO_TARGET_DIR/release/kiosque"
tools="$PWD/bench/scale_tools.py"
work=$(mktemp -d /tmp/kiosque-scale.XXXXXX)
chmod 755 "$work"
pids=()
pg_dbs=()
PGBIN=/usr/lib/postgresql/15/bin
own_pg=
cleanup() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  for db in "${pg_dbs[@]:-}"; do
    [ -n "$db" ] && psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)" >/dev/null 2>&1 || true
  done
  if [ -n "$own_pg" ]; then
    for d in replica primary; do
      runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/$d" stop -m immediate -w >/dev/null 2>&1 || true
    done
  fi
  [ -f "$work/nginx.pid" ] && kill "$(cat "$work/nginx.pid")" 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT

export KIOSQUE_LOG=warn KIOSQUE_JWT_SECRET=bench-secret-bench-secret-bench-secret
export KIOSQUE_ENV=development KIOSQUE_METRICS_TOKEN=
ADMIN=redaction@example.org
PASS='bench password 1234 bench'
ARTICLES=1000
rss_max=0

# ---------------------------------------------------------------- helpers

wait_ready() {
  for _ in $(seq 1 300); do curl -sf "http://$1/readyz" >/dev/null && return 0; sleep 0.05; done
  echo "the server on $1 never became ready" >&2; exit 1
}

# start_node NAME ADDR [VAR=VALUE...]: a server in the background
start_node() {
  local name="$1" addr="$2"; shift 2
  mkdir -p "$work/$name"
  env KIOSQUE_ADDR="$addr" KIOSQUE_DATA_DIR="$work/$name" "$@" "$bin" serve >"$work/$name.log" 2>&1 &
  pids+=($!)
  eval "pid_$name=$!"
  wait_ready "$addr"
}

stop_nodes() {
  for p in "${pids[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  pids=()
}

note_rss() {
  local kib
  for p in "$@"; do
    kib=$(awk '/VmRSS/{print $2}' "/proc/$p/status" 2>/dev/null || echo 0)
    if [ "${kib:-0}" -gt "$rss_max" ]; then rss_max=$kib; fi
  done
}

# wrk_one URL [wrk options]: "rate p99" of one wrk run
wrk_one() {
  local url="$1"; shift
  local out; out=$(wrk -t2 -c32 -d"${secs}s" --latency "$@" "$url")
  local rps p99 bad
  rps=$(echo "$out" | awk '/Requests\/sec/{printf "%d", $2}')
  p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/{print $5}')
  [ -n "$bad" ] && [ "$bad" != "0" ] && p99="$p99 ($bad non-2xx)"
  echo "$rps|$p99"
}

# wrk_three PATH [wrk options]: the three nodes at once, 11 connections each
wrk_three() {
  local path="$1"; shift
  local i outs=()
  for i in 0 1 2; do
    wrk -t1 -c11 -d"${secs}s" --latency "$@" "http://127.0.0.1:$((19521 + i))$path" >"$work/wrk$i.out" &
    outs+=($!)
  done
  wait "${outs[@]}"
  local rps=0 p99 worst=0 v
  for i in 0 1 2; do
    v=$(awk '/Requests\/sec/{printf "%d", $2}' "$work/wrk$i.out"); rps=$((rps + v))
    p99=$(awk '$1=="99%"{print $2}' "$work/wrk$i.out")
    worst=$(python3 -c "
import re,sys
def ms(s):
    m=re.match(r'([0-9.]+)(us|ms|s)',s); v=float(m.group(1)); return v/1000 if m.group(2)=='us' else v*1000 if m.group(2)=='s' else v
print(max(float('$worst'), ms('$p99')))")
  done
  echo "$rps|${worst}ms"
}

# The hot paths: name|path. The slug, section and search word come from the site.
paths_of() {
  local base="$1"
  local slug section
  slug=$(curl -s "$base/api/v1/articles?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["slug"])')
  section=$(curl -s "$base/api/v1/sections" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["slug"])')
  cat <<EOF
home list (20 newest)|/api/v1/articles?limit=20
article by slug|/api/v1/articles/$slug
section list|/api/v1/articles?section=$section&limit=20
page 40|/api/v1/articles?limit=20&page=40
page 100|/api/v1/articles?limit=20&page=100
common-word search|/api/v1/articles?q=conseil&limit=20
304 (If-None-Match)|/api/v1/articles?limit=20
EOF
}

declare -A result
columns=()

# measure COLUMN BASE [three]: every hot path against one node (or three)
measure() {
  local col="$1" base="$2" three="${3:-}"
  columns+=("$col")
  local name path etag args
  while IFS='|' read -r name path; do
    args=()
    if [[ "$name" == 304* ]]; then
      etag=$(curl -sI "$base$path" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')
      args=(-H "If-None-Match: $etag")
    fi
    if [ -n "$three" ]; then
      result["$col|$name"]=$(wrk_three "$path" "${args[@]}")
    else
      result["$col|$name"]=$(wrk_one "$base$path" "${args[@]}")
    fi
  done < <(paths_of "$base")
}

seed_site() {
  env KIOSQUE_DATA_DIR="$work/seed" "$bin" seed-demo --articles "$ARTICLES" >/dev/null
  printf '%s\n' "$PASS" | env KIOSQUE_DATA_DIR="$work/seed" "$bin" create-user --email "$ADMIN" --role admin --name Rédaction >/dev/null
}

# editors COLUMN BASE N: N editors creating 30 articles each at once
editors() {
  result["$1|writes ($3 editors)"]=$(python3 "$tools" editors "$2/api/v1" "$ADMIN" "$PASS" "$3" 30)
}

# ---------------------------------------------------------------- SQLite, one node

echo "== SQLite" >&2
export DATABASE_URL="sqlite://$work/bench.db"
seed_site
for cache in on off; do
  if [ $cache = on ]; then cv=(); else cv=(KIOSQUE_CACHE_MB=0); fi
  start_node sqlite 127.0.0.1:19511 "${cv[@]}"
  measure "SQLite, cache $cache" http://127.0.0.1:19511
  note_rss "$pid_sqlite"
  if [ $cache = on ]; then
    # the exact bytes nginx will send
    mkdir -p "$work/static"
    i=0
    while IFS='|' read -r name path; do
      i=$((i + 1)); curl -s "http://127.0.0.1:19511$path" >"$work/static/$i.json"
      echo "$name|/$i.json" >>"$work/static.paths"
    done < <(paths_of http://127.0.0.1:19511)
  fi
  stop_nodes
done
start_node sqlite 127.0.0.1:19511
editors "SQLite, cache on" http://127.0.0.1:19511 8
editors "SQLite, cache on" http://127.0.0.1:19511 32
stop_nodes

# ---------------------------------------------------------------- PostgreSQL, one node

echo "== PostgreSQL, one node" >&2
db="kiosque_scale_$$"
psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
pg_dbs+=("$db")
export DATABASE_URL="postgres://postgres@127.0.0.1:5432/$db"
seed_site
psql -h 127.0.0.1 -U postgres -d "$db" -qc "VACUUM ANALYZE" >/dev/null
for cache in on off; do
  if [ $cache = on ]; then cv=(); else cv=(KIOSQUE_CACHE_MB=0); fi
  start_node pg 127.0.0.1:19512 "${cv[@]}"
  measure "PostgreSQL, cache $cache" http://127.0.0.1:19512
  note_rss "$pid_pg"
  stop_nodes
done
start_node pg 127.0.0.1:19512
editors "PostgreSQL, cache on" http://127.0.0.1:19512 8
stop_nodes

# ---------------------------------------------------------------- PostgreSQL, three nodes

replicas=()
if [ "$(id -u)" = 0 ] && [ -x "$PGBIN/initdb" ]; then
  echo "== PostgreSQL, three nodes on a primary and a streaming replica" >&2
  own_pg=1
  # the postgres user makes its data folders in the run's folder
  chown postgres:postgres "$work"
  runuser -u postgres -- "$PGBIN/initdb" -D "$work/primary" -U postgres --auth=trust -E UTF8 --no-sync >/dev/null
  cat >>"$work/primary/postgresql.conf" <<EOF
listen_addresses = '127.0.0.1'
unix_socket_directories = '$work'
wal_level = replica
max_wal_senders = 4
hot_standby = on
shared_buffers = 128MB
autovacuum = off
EOF
  echo "host replication postgres 127.0.0.1/32 trust" >>"$work/primary/pg_hba.conf"
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/primary" -l "$work/primary.log" -o "-p 19531" start -w >/dev/null
  psql -h 127.0.0.1 -p 19531 -U postgres -qc "CREATE DATABASE kiosque"
  export DATABASE_URL="postgres://postgres@127.0.0.1:19531/kiosque"
  seed_site
  psql -h 127.0.0.1 -p 19531 -U postgres -d kiosque -qc "VACUUM ANALYZE" >/dev/null
  runuser -u postgres -- "$PGBIN/pg_basebackup" -h 127.0.0.1 -p 19531 -U postgres -D "$work/replica" -R -X stream -c fast
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/replica" -l "$work/replica.log" -o "-p 19532" start -w >/dev/null
  replicas=(KIOSQUE_DATABASE_REPLICA_URLS=postgres://postgres@127.0.0.1:19532/kiosque)
  three_label="3 nodes + replica"
else
  echo "== PostgreSQL, three nodes (no replica: not root)" >&2
  three_label="3 nodes"
fi
for cache in on off; do
  if [ $cache = on ]; then cv=(); else cv=(KIOSQUE_CACHE_MB=0); fi
  for i in 0 1 2; do
    start_node "n$i" "127.0.0.1:$((19521 + i))" KIOSQUE_WORKERS=1 KIOSQUE_DB_POOL_SIZE=8 "${replicas[@]}" "${cv[@]}"
  done
  # the replica has caught up and takes reads before measuring
  sleep 1
  measure "PostgreSQL $three_label, cache $cache" http://127.0.0.1:19521 three
  note_rss "$pid_n0" "$pid_n1" "$pid_n2"
  if [ $cache = on ]; then
    replica_reads=$(curl -s http://127.0.0.1:19521/readyz | python3 -c 'import json,sys; r=json.load(sys.stdin)["replicas"]; print(r[0]["reads"] if r else "-")')
  fi
  stop_nodes
done

# ---------------------------------------------------------------- nginx: the same bytes

echo "== nginx" >&2
cat >"$work/nginx.conf" <<EOF
worker_processes 1;
pid $work/nginx.pid;
error_log $work/nginx.err;
events { worker_connections 1024; }
http {
  access_log off;
  default_type application/json;
  server {
    listen 127.0.0.1:19599;
    root $work/static;
  }
}
EOF
nginx -c "$work/nginx.conf"
columns+=("nginx, same bytes")
while IFS='|' read -r name path; do
  args=()
  if [[ "$name" == 304* ]]; then
    etag=$(curl -sI "http://127.0.0.1:19599$path" | awk -F': ' 'tolower($1)=="etag"{print $2}' | tr -d '\r')
    args=(-H "If-None-Match: $etag")
  fi
  result["nginx, same bytes|$name"]=$(wrk_one "http://127.0.0.1:19599$path" "${args[@]}")
done <"$work/static.paths"
kill "$(cat "$work/nginx.pid")"; rm -f "$work/nginx.pid"

# ---------------------------------------------------------------- start to ready, 100,000 articles

echo "== start to ready with 100,000 articles" >&2
export DATABASE_URL="sqlite://$work/big.db"
env KIOSQUE_DATA_DIR="$work/big" "$bin" seed-demo --articles 2000 >/dev/null
# (python's sqlite3 must know the FTS5 options Kiosque's bundled SQLite uses)
if python3 "$tools" multiply "$work/big.db" 100000 >/dev/null 2>"$work/multiply.err"; then
  ready_ms=$(env KIOSQUE_ADDR=127.0.0.1:19513 KIOSQUE_DATA_DIR="$work/big" python3 "$tools" ready "$bin")
else
  ready_ms="not measured ($(tail -n1 "$work/multiply.err"))"
fi

# ---------------------------------------------------------------- the table

fmt_ms() { echo "$1"; }
{
  echo "Reads: requests/s (p99), wrk -t2 -c32, ${secs} s each, $ARTICLES articles; in brackets, the share of nginx's rate for the same bytes."
  echo
  printf '| read |'; for c in "${columns[@]}"; do printf ' %s |' "$c"; done; echo
  printf '| --- |'; for _ in "${columns[@]}"; do printf ' --- |'; done; echo
  while IFS='|' read -r name _; do
    printf '| %s |' "$name"
    static=$(echo "${result["nginx, same bytes|$name"]}" | cut -d'|' -f1)
    for c in "${columns[@]}"; do
      v="${result["$c|$name"]:-}"
      rps=$(echo "$v" | cut -d'|' -f1); p99=$(echo "$v" | cut -d'|' -f2)
      if [ "$c" != "nginx, same bytes" ] && [ -n "$static" ] && [ "$static" -gt 0 ]; then
        printf ' %s (%s; %s%%) |' "$rps" "$p99" "$((100 * rps / static))"
      else
        printf ' %s (%s) |' "$rps" "$p99"
      fi
    done
    echo
  done <"$work/static.paths"
  echo
  echo "Writes: editors creating 30 published articles each at once (count, p50, p99, max in ms, errors)."
  echo
  echo "| writes | count | p50 | p99 | max | errors |"
  echo "| --- | --- | --- | --- | --- | --- |"
  for k in "SQLite, cache on|writes (8 editors)" "SQLite, cache on|writes (32 editors)" "PostgreSQL, cache on|writes (8 editors)"; do
    read -r n p50 p99 mx errs <<<"${result[$k]:-- - - - -}"
    echo "| ${k/|/: } | $n | $p50 ms | $p99 ms | $mx ms | $errs |"
  done
  echo
  echo "- largest RSS of a server after its reads: $((rss_max / 1024)) MiB"
  echo "- start to ready, SQLite, 100,000 articles: ${ready_ms} ms"
  echo "- reads the replica served during the three-node run (cache on, one node's count): ${replica_reads:--}"
} | tee "$work/table.md"
cp "$work/table.md" "${KIOSQUE_BENCH_OUT:-bench/scale-results.md}"
