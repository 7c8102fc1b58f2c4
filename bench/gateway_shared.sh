#!/usr/bin/env bash
# Benchmarks the cached-answer path through gateways sharing one PostgreSQL (issue 12)
# against one gateway on SQLite, in the same run, with the same wrk command as bench/gateway.sh
# (bench/gateway_query.lua: POST /v1/query with a valid JWT, one question, cache seeded).
#
# Starts a throwaway PostgreSQL cluster on loopback (scripts/pg-cluster.sh, fsync on, with
# pg_stat_statements loaded), a release `bedside serve` on SQLite alone, and two `bedside serve
# --store postgres://…` instances (each with its own SQLite copy of the corpus, one shared
# secret file). Runs, one after the other:
#   sqlite x1        wrk -cC against the SQLite gateway
#   postgres x1      wrk -cC against instance A alone
#   postgres x2      two wrk -c(C/2) at once, one on A and one on B (req/s summed)
#   postgres x2 lb   wrk -cC through nginx round-robin over A and B (NGINX=0 skips it)
# and prints req/s, p50/p99 and the ratios to SQLite. Then the PostgreSQL round trips per cached
# request: statements executed (pg_stat_statements calls, BEGIN/COMMIT included: each is one
# round trip with postgres-nio's extended protocol) and write transactions (each one a commit), one request at a time (wrk -c1)
# and under the x2 load, with the statements that make them up.
#
# Environment: SUBJECTS (1: one token, as bench/gateway.sh; N > 1: N subjects' tokens in turn,
# bench/gateway_shared.lua, so N bucket rows instead of one hot row), DURATION (10s),
# CONNECTIONS (64), THREADS (1), PORT (18797; A, B and nginx take
# the next three), SKIP_BUILD=1 to reuse the last release build, SCRATCH_PATH for a build folder
# other than .build, BEDSIDE_BIN=path to benchmark a given binary (no build),
# PG_CLUSTER_FAST=1 to run PostgreSQL without fsync (not a fair comparison: SQLite's audit
# commits are synchronous=FULL), NGINX=0 to skip the load-balancer row, KEEP=1 to keep the
# scratch folder (logs) after the run.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
. "$ROOT/bench/lib.sh"
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}
PORT=${PORT:-18797}
PORT_A=$((PORT + 1))
PORT_B=$((PORT + 2))
PORT_LB=$((PORT + 3))
SUBJECTS=${SUBJECTS:-1}
LUA="$ROOT/bench/gateway_query.lua"; [ "$SUBJECTS" -gt 1 ] && LUA="$ROOT/bench/gateway_shared.lua"
QUESTION='What is the first-line treatment for sepsis?'
BODY="{\"question\":\"$QUESTION\"}"

WORK=$(mktemp -d /tmp/bedside-shared-bench.XXXXXX)
chmod 755 "$WORK"  # the postgres user (the cluster runs as it under root) and nginx pass through it
PGDIR="$WORK/pg-cluster"
PIDS=()
NGINX_PID=""
cleanup() {
  for pid in "${PIDS[@]}"; do kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true; done
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
  bash "$ROOT/scripts/pg-cluster.sh" stop "$PGDIR" >/dev/null 2>&1 || true
  if [ "${KEEP:-0}" = 1 ]; then echo "scratch kept: $WORK" >&2; else rm -rf "$WORK"; fi
}
trap cleanup EXIT

# --- tools ------------------------------------------------------------------------------
need_tools wrk nginx curl postgresql
LB=1; [ "${NGINX:-1}" = 0 ] && LB=0
NGINX_BIN=$(command -v nginx || echo /usr/sbin/nginx)
PG_BIN=${PG_BIN:-$(ls -d /usr/lib/postgresql/*/bin | sort -V -r | head -1)}
PSQL="$PG_BIN/psql"

# --- build ------------------------------------------------------------------------------
release_binary

# --- PostgreSQL, with pg_stat_statements to count round trips ------------------------------
log "starting a throwaway PostgreSQL cluster on loopback"
URL=$(bash scripts/pg-cluster.sh start "$PGDIR" | tail -n 1)
sql() { "$PSQL" -X -qtA -v ON_ERROR_STOP=1 -d "$URL" -c "$1"; }
STATS=transactions
if [ -f "$("$PG_BIN/pg_config" --pkglibdir 2>/dev/null || echo /nonexistent)/pg_stat_statements.so" ] \
  && sql "ALTER SYSTEM SET shared_preload_libraries = 'pg_stat_statements'" \
  && bash scripts/pg-cluster.sh stop "$PGDIR" >/dev/null \
  && URL=$(bash scripts/pg-cluster.sh start "$PGDIR" | tail -n 1) \
  && sql "CREATE EXTENSION IF NOT EXISTS pg_stat_statements" >/dev/null; then
  STATS=statements
else
  log "pg_stat_statements unavailable: counting write transactions only"
  URL=$(bash scripts/pg-cluster.sh url "$PGDIR" 2>/dev/null || bash scripts/pg-cluster.sh start "$PGDIR" | tail -n 1)
fi
log "PostgreSQL at $URL ($(sql 'SHOW server_version'), fsync $(sql 'SHOW fsync'), synchronous_commit $(sql 'SHOW synchronous_commit'))"

# --- data: one corpus, one SQLite file per gateway -----------------------------------------
mkdir -p "$WORK/data"
sepsis_corpus "$WORK/corpus"
# Everything under the scratch folder; one HS256 secret for all three gateways (as a fleet shares one).
export XDG_DATA_HOME="$WORK/data" BEDSIDE_SECRET_FILE="$WORK/shared-secret"
export BEDSIDE_RATE_LIMIT_CAPACITY=1000000000 BEDSIDE_RATE_LIMIT_REFILL=1000000000 BEDSIDE_LOG_LEVEL=${BEDSIDE_LOG_LEVEL:-warning}
unset BEDSIDE_STORE_URL
log "ingesting the corpus into each gateway's SQLite file"
for name in sqlite a b; do "$BIN" ingest --db "$WORK/$name.sqlite" "$WORK/corpus" >/dev/null; done

# --- gateways -----------------------------------------------------------------------------
start_serve() {  # name port args...
  local name=$1 port=$2; shift 2
  "$BIN" serve --host 127.0.0.1 --port "$port" "$@" >"$WORK/serve-$name.log" 2>&1 &
  local pid=$!
  PIDS+=("$pid")
  wait_http "http://127.0.0.1:$port/readyz" "$pid" && return 0
  cat "$WORK/serve-$name.log" >&2; echo "bedside serve ($name) exited or never became ready" >&2; exit 1
}
log "starting bedside serve: SQLite on $PORT, PostgreSQL A on $PORT_A and B on $PORT_B"
start_serve sqlite "$PORT" --db "$WORK/sqlite.sqlite"
start_serve a "$PORT_A" --db "$WORK/a.sqlite" --store "$URL"
start_serve b "$PORT_B" --db "$WORK/b.sqlite" --store "$URL"
TOKEN_SQLITE=$("$BIN" token create --db "$WORK/sqlite.sqlite" --subject bench --ttl 1h | tail -n 1 | tr -d '[:space:]')
TOKEN_PG=$("$BIN" token create --store "$URL" --subject bench --ttl 1h | tail -n 1 | tr -d '[:space:]')
TOKENS_SQLITE=$TOKEN_SQLITE; TOKENS_PG=$TOKEN_PG
if [ "$SUBJECTS" -gt 1 ]; then
  log "minting tokens for $SUBJECTS subjects"
  for i in $(seq 2 "$SUBJECTS"); do
    TOKENS_SQLITE+=" $("$BIN" token create --db "$WORK/sqlite.sqlite" --subject "bench-$i" --ttl 1h | tail -n 1 | tr -d '[:space:]')"
    TOKENS_PG+=" $("$BIN" token create --store "$URL" --subject "bench-$i" --ttl 1h | tail -n 1 | tr -d '[:space:]')"
  done
fi

query() {  # port token headers-file
  curl -fsS -D "$3" -o /dev/null -X POST "http://127.0.0.1:$1/v1/query" \
    -H "Authorization: Bearer $2" -H 'Content-Type: application/json' -d "$BODY"
}
expect_hit() {  # port token what
  query "$1" "$2" "$WORK/headers.txt"
  grep -qi '^x-bedside-cache: hit' "$WORK/headers.txt" || { echo "$3 was not a cache hit:" >&2; cat "$WORK/headers.txt" >&2; exit 1; }
}
log "seeding the caches (A's answer must be a hit on B: one shared cache)"
query "$PORT" "$TOKEN_SQLITE" "$WORK/headers.txt"
expect_hit "$PORT" "$TOKEN_SQLITE" "the SQLite gateway's second request"
query "$PORT_A" "$TOKEN_PG" "$WORK/headers.txt"
expect_hit "$PORT_B" "$TOKEN_PG" "B's first request (seeded through A)"
expect_hit "$PORT_A" "$TOKEN_PG" "A's second request"

# --- nginx round-robin over A and B --------------------------------------------------------
if [ "$LB" = 1 ]; then
  mkdir -p "$WORK/nginx-tmp"
  cat > "$WORK/nginx.conf" <<NGINXCONF
worker_processes 1;
pid $WORK/nginx.pid;
error_log $WORK/nginx-error.log warn;
events { worker_connections 4096; }
http {
  access_log off;
  client_body_temp_path $WORK/nginx-tmp/body;
  proxy_temp_path $WORK/nginx-tmp/proxy;
  fastcgi_temp_path $WORK/nginx-tmp/fastcgi;
  uwsgi_temp_path $WORK/nginx-tmp/uwsgi;
  scgi_temp_path $WORK/nginx-tmp/scgi;
  upstream bedside { server 127.0.0.1:$PORT_A; server 127.0.0.1:$PORT_B; keepalive 64; }
  server {
    listen 127.0.0.1:$PORT_LB;
    location / { proxy_pass http://bedside; proxy_http_version 1.1; proxy_set_header Connection ""; }
  }
}
NGINXCONF
  "$NGINX_BIN" -c "$WORK/nginx.conf" -g 'daemon off;' &
  NGINX_PID=$!
  wait_http "http://127.0.0.1:$PORT_LB/healthz" "$NGINX_PID" || { cat "$WORK/nginx-error.log" >&2; echo "nginx never answered" >&2; exit 1; }
fi

# --- wrk ------------------------------------------------------------------------------------
export BEDSIDE_BENCH_BODY="$BODY"
run_wrk() {  # tokens connections duration url
  BEDSIDE_BENCH_TOKEN="${1%% *}" BEDSIDE_BENCH_TOKENS="$1" BEDSIDE_BENCH_CONNECTIONS="$2" wrk -t"$THREADS" -c"$2" -d"$3" --latency -s "$LUA" "$4"
}

# PostgreSQL counters: statements (pg_stat_statements calls, this script's own queries left out)
# and write transactions (transaction ids assigned: exact at once, unlike pg_stat_database,
# which backends flush lazily; the probe itself takes one id, subtracted by writes_since).
pg_reset() {
  if [ "$STATS" = statements ]; then sql "SELECT pg_stat_statements_reset()" >/dev/null; fi
  XID0=$(pg_xid)
}
pg_xid() { sql "SELECT pg_current_xact_id()::text::bigint"; }
writes_since() { echo $(( $(pg_xid) - XID0 - 1 )); }
# Waits until the requests wrk left in flight have been answered (the counts stop moving).
settle() {
  local before after
  after=$(( $(served "$PORT_A") + $(served "$PORT_B") ))
  while :; do
    before=$after; sleep 0.3
    after=$(( $(served "$PORT_A") + $(served "$PORT_B") ))
    [ "$after" = "$before" ] && return 0
  done
}
audit_rows() { sql "SELECT coalesce(max(id), 0) FROM audit"; }
pg_statements() {
  if [ "$STATS" = statements ]; then
    sql "SELECT coalesce(sum(calls), 0) FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat%' AND query NOT ILIKE '%pg_current_xact_id%' AND query NOT ILIKE 'SHOW %'"
  else echo 0; fi
}
# POST /v1/query responses a gateway has sent (its /metrics), so requests wrk cut off at the end still count.
served() {
  curl -fsS "http://127.0.0.1:$1/metrics" | awk '/^bedside_http_requests_total[{]/ && /method="POST"/ && /query/ { s += $NF } END { printf "%d", s }'
}
pg_top() {  # requests -> the statements behind them, per request
  [ "$STATS" = statements ] || return 0
  sql "SELECT to_char(calls::numeric / $1, 'FM990.000') || '  ' || left(regexp_replace(query, '\s+', ' ', 'g'), 100)
       FROM pg_stat_statements WHERE query NOT ILIKE '%pg_stat%' AND query NOT ILIKE '%pg_current_xact_id%' AND query NOT ILIKE 'SHOW %'
       ORDER BY calls DESC LIMIT 12"
}

log "warm-up"
for p in "$PORT" "$PORT_A" "$PORT_B"; do
  tok=$TOKENS_PG; [ "$p" = "$PORT" ] && tok=$TOKENS_SQLITE
  run_wrk "$tok" 8 2s "http://127.0.0.1:$p/v1/query" >/dev/null
done

# Round trips with one request at a time (no batching of audit commits possible).
log "round trips, one request at a time (wrk -c1 on A)"
settle
served0=$(served "$PORT_A")
pg_reset
seq_out=$(run_wrk "$TOKENS_PG" 1 3s "http://127.0.0.1:$PORT_A/v1/query")
settle
seq_statements=$(pg_statements); seq_writes=$(writes_since)
seq_requests=$(( $(served "$PORT_A") - served0 ))
seq_top=$(pg_top "$seq_requests")

log "peak: SQLite x1"
sqlite_out=$(run_wrk "$TOKENS_SQLITE" "$CONNECTIONS" "$DURATION" "http://127.0.0.1:$PORT/v1/query")
log "peak: PostgreSQL x1 (A alone)"
pg1_out=$(run_wrk "$TOKENS_PG" "$CONNECTIONS" "$DURATION" "http://127.0.0.1:$PORT_A/v1/query")
log "peak: PostgreSQL x2 (A and B at once, $((CONNECTIONS / 2)) connections each)"
settle
served0=$(( $(served "$PORT_A") + $(served "$PORT_B") ))
audit0=$(audit_rows)
pg_reset
run_wrk "$TOKENS_PG" $((CONNECTIONS / 2)) "$DURATION" "http://127.0.0.1:$PORT_A/v1/query" >"$WORK/wrk-a.txt" &
wa=$!
run_wrk "$TOKENS_PG" $((CONNECTIONS / 2)) "$DURATION" "http://127.0.0.1:$PORT_B/v1/query" >"$WORK/wrk-b.txt" &
wb=$!
wait "$wa" "$wb"
pga_out=$(cat "$WORK/wrk-a.txt"); pgb_out=$(cat "$WORK/wrk-b.txt")
settle
load_statements=$(pg_statements); load_writes=$(writes_since)
load_requests=$(( $(served "$PORT_A") + $(served "$PORT_B") - served0 ))
load_audit=$(( $(audit_rows) - audit0 ))
load_top=$(pg_top "$load_requests")
lb_out=""
if [ "$LB" = 1 ]; then
  log "peak: PostgreSQL x2 through nginx round-robin"
  lb_out=$(run_wrk "$TOKENS_PG" "$CONNECTIONS" "$DURATION" "http://127.0.0.1:$PORT_LB/v1/query")
fi

# --- report -------------------------------------------------------------------------------
s_rps=$(echo "$sqlite_out" | rps_of)
p1_rps=$(echo "$pg1_out" | rps_of)
p2_rps=$(awk -v a="$(echo "$pga_out" | rps_of)" -v b="$(echo "$pgb_out" | rps_of)" 'BEGIN { printf "%.2f", a + b }')
per() { awk -v x="$1" -v n="$2" 'BEGIN { if (n > 0) printf "%.2f", x / n; else print "n/a" }'; }
worse() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.3f", (a > b ? a : b) }'; }

echo
echo "Bedside gateways on one PostgreSQL vs one on SQLite ($(nproc) cores, cached POST /v1/query, wrk -t$THREADS -d$DURATION, $CONNECTIONS connections in all, $SUBJECTS subject(s))"
printf '%-34s %12s %10s %10s %8s\n' "" "requests/s" "p50 (ms)" "p99 (ms)" "vs SQLite"
printf '%-34s %12s %10s %10s %8s\n' "SQLite x1" "$s_rps" "$(echo "$sqlite_out" | pct_of 50%)" "$(echo "$sqlite_out" | pct_of 99%)" "1.00"
printf '%-34s %12s %10s %10s %8s\n' "PostgreSQL x1" "$p1_rps" "$(echo "$pg1_out" | pct_of 50%)" "$(echo "$pg1_out" | pct_of 99%)" "$(ratio "$p1_rps" "$s_rps")"
printf '%-34s %12s %10s %10s %8s\n' "PostgreSQL x2 (two wrk, summed)" "$p2_rps" \
  "$(worse "$(echo "$pga_out" | pct_of 50%)" "$(echo "$pgb_out" | pct_of 50%)")" \
  "$(worse "$(echo "$pga_out" | pct_of 99%)" "$(echo "$pgb_out" | pct_of 99%)")" "$(ratio "$p2_rps" "$s_rps")"
printf '%-34s %12s %10s %10s\n' "  of which A" "$(echo "$pga_out" | rps_of)" "$(echo "$pga_out" | pct_of 50%)" "$(echo "$pga_out" | pct_of 99%)"
printf '%-34s %12s %10s %10s\n' "  of which B" "$(echo "$pgb_out" | rps_of)" "$(echo "$pgb_out" | pct_of 50%)" "$(echo "$pgb_out" | pct_of 99%)"
if [ -n "$lb_out" ]; then
  lb_rps=$(echo "$lb_out" | rps_of)
  printf '%-34s %12s %10s %10s %8s\n' "PostgreSQL x2 via nginx round-robin" "$lb_rps" "$(echo "$lb_out" | pct_of 50%)" "$(echo "$lb_out" | pct_of 99%)" "$(ratio "$lb_rps" "$s_rps")"
fi
echo "(x2 p50/p99: the worse of the two instances; every process — wrk, nginx, PostgreSQL, the gateways — shares the $(nproc) cores)"
for pair in "SQLite x1:$sqlite_out" "PostgreSQL x1:$pg1_out" "A:$pga_out" "B:$pgb_out" "nginx:$lb_out"; do
  bad=$(echo "${pair#*:}" | errors_of); [ -n "$bad" ] && echo "errors (${pair%%:*}): $bad"
done
echo
echo "PostgreSQL work per cached request (round trips: $STATS counted$([ "$STATS" = statements ] && echo "; a statement, BEGIN and COMMIT included, is one round trip"))"
printf '%-34s %12s %14s %20s\n' "" "requests" "round trips" "write transactions"
printf '%-34s %12s %14s %20s\n' "one at a time (wrk -c1, A)" "$seq_requests" "$(per "$seq_statements" "$seq_requests")" "$(per "$seq_writes" "$seq_requests")"
printf '%-34s %12s %14s %20s\n' "under the x2 load" "$load_requests" "$(per "$load_statements" "$load_requests")" "$(per "$load_writes" "$load_requests")"
echo "(requests: POST /v1/query responses the gateways counted in /metrics; audit rows added during the x2 load: $load_audit)"
if [ -n "$seq_top" ]; then
  echo "statements per request, one at a time (calls / requests, query):"
  echo "$seq_top" | sed 's/^/  /'
  echo "statements per request under the x2 load:"
  echo "$load_top" | sed 's/^/  /'
fi
