#!/usr/bin/env bash
# Benchmarks the gateway's cached-answer path against nginx serving the same bytes.
#
# Builds `bedside` in release mode, ingests a small corpus, starts `bedside serve`, seeds the
# response cache through the API, then runs the same wrk command (bench/gateway_query.lua:
# POST /v1/query with a valid JWT) against bedside and against nginx (Debian package)
# serving a static JSON body of the same size on loopback. Prints requests/s for both, the
# ratio, p50/p99 latency at peak and at half of bedside's peak, HS256/ES256 verify time,
# idle RSS of `bedside serve`, and milliseconds from start to a 200 on /readyz.
#
# Environment: DURATION (10s), CONNECTIONS (64), THREADS (1), PORT (18787), NGINX_PORT (18788),
# SKIP_BUILD=1 to reuse the last release build, SCRATCH_PATH for a build folder other than .build,
# BEDSIDE_BIN=path to benchmark a given binary (no build), STRIP=0 to run the binary unstripped
# (by default a stripped copy is run and both sizes are reported).
# Targets (issue 11): ratio >= 0.5, p99 at half peak <= 1.5x nginx's, idle RSS < 25 MB,
# start to ready < 50 ms, release binary < 40 MB.
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
. "$ROOT/bench/lib.sh"
DURATION=${DURATION:-10s}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}
PORT=${PORT:-18787}
NGINX_PORT=${NGINX_PORT:-18788}
LUA="$ROOT/bench/gateway_query.lua"
QUESTION='What is the first-line treatment for sepsis?'
BODY="{\"question\":\"$QUESTION\"}"

WORK=$(mktemp -d /tmp/bedside-gateway-bench.XXXXXX)
SERVE_PID=""
NGINX_PID=""
cleanup() {
  [ -n "$SERVE_PID" ] && stop_serve
  [ -n "$NGINX_PID" ] && kill "$NGINX_PID" 2>/dev/null && wait "$NGINX_PID" 2>/dev/null || true
  rm -rf "$WORK"
}
trap cleanup EXIT

# Stops the server (started by bench/ready.py it is not this shell's child: poll, not wait).
stop_serve() {
  kill "$SERVE_PID" 2>/dev/null || true
  for _ in $(seq 1 1000); do kill -0 "$SERVE_PID" 2>/dev/null || break; sleep 0.01; done
  SERVE_PID=""
}

# --- tools ------------------------------------------------------------------------------
need_tools wrk nginx curl
NGINX=$(command -v nginx || echo /usr/sbin/nginx)

# --- build ------------------------------------------------------------------------------
release_binary
size_built=$(stat -c %s "$BIN")
if [ "${STRIP:-1}" = "1" ]; then
  strip -o "$WORK/bedside" "$BIN"
  BIN="$WORK/bedside"
fi
size_run=$(stat -c %s "$BIN")

# --- data -------------------------------------------------------------------------------
DB="$WORK/bench.sqlite"
sepsis_corpus "$WORK/corpus"
log "ingesting a small corpus"
"$BIN" ingest --db "$DB" "$WORK/corpus" >/dev/null

# --- start bedside serve and time readiness ---------------------------------------------
# A large bucket so that the benchmark measures the cached path, not 429s; logs to a file.
export BEDSIDE_RATE_LIMIT_CAPACITY=1000000000 BEDSIDE_RATE_LIMIT_REFILL=1000000000 BEDSIDE_LOG_LEVEL=${BEDSIDE_LOG_LEVEL:-warning}
log "starting bedside serve on 127.0.0.1:$PORT"
# Five starts (bench/ready.py: from just before exec to the first 200 on /readyz, polled with
# a raw socket); the median is reported, and the last server stays up for the runs below.
ready_all=()
for i in 1 2 3 4 5; do
  ready=$(python3 "$ROOT/bench/ready.py" --port "$PORT" --pid-file "$WORK/serve.pid" --log "$WORK/serve.log" -- \
    "$BIN" serve --db "$DB" --host 127.0.0.1 --port "$PORT") || { cat "$WORK/serve.log" >&2; exit 1; }
  SERVE_PID=$(cat "$WORK/serve.pid")
  ready_all+=("$ready")
  if [ "$i" -lt 5 ]; then
    stop_serve
  fi
done
ready_ms=$(printf '%s\n' "${ready_all[@]}" | sort -n | sed -n 3p)
sleep 1
rss_kb=$(rss_kb "$SERVE_PID")

# --- token and cache seed ---------------------------------------------------------------
TOKEN=$("$BIN" token create --db "$DB" --subject bench --ttl 1h | tail -n 1 | tr -d '[:space:]')
curl -fsS -o "$WORK/first.json" -X POST "http://127.0.0.1:$PORT/v1/query" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$BODY"
curl -fsS -D "$WORK/headers.txt" -o "$WORK/answer.json" -X POST "http://127.0.0.1:$PORT/v1/query" \
  -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' -d "$BODY"
grep -qi '^x-bedside-cache: hit' "$WORK/headers.txt" || { echo "the second request was not a cache hit:" >&2; cat "$WORK/headers.txt" >&2; exit 1; }
body_bytes=$(wc -c < "$WORK/answer.json")

# --- nginx with a static body of the same size -------------------------------------------
mkdir -p "$WORK/www" "$WORK/nginx-tmp"
cp "$WORK/answer.json" "$WORK/www/answer.json"
chmod 755 "$WORK" "$WORK/www"; chmod 644 "$WORK/www/answer.json"
cat > "$WORK/nginx.conf" <<NGINX
worker_processes auto;
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
  server {
    listen 127.0.0.1:$NGINX_PORT;
    root $WORK/www;
    # The static module refuses POST with 405; answer it with the file, like a GET.
    location = /v1/query { default_type application/json; try_files /answer.json =404; error_page 405 =200 \$uri; }
  }
}
NGINX
"$NGINX" -c "$WORK/nginx.conf" -g 'daemon off;' &
NGINX_PID=$!
for _ in $(seq 1 500); do curl -fs -o /dev/null -X POST -d "$BODY" "http://127.0.0.1:$NGINX_PORT/v1/query" && break; sleep 0.01; done
nginx_bytes=$(curl -fsS -X POST -d "$BODY" "http://127.0.0.1:$NGINX_PORT/v1/query" | wc -c)

# --- wrk runs ---------------------------------------------------------------------------
export BEDSIDE_BENCH_TOKEN="$TOKEN" BEDSIDE_BENCH_BODY="$BODY" BEDSIDE_BENCH_CONNECTIONS="$CONNECTIONS"
run_wrk() {  # url [rate] -> prints wrk output
  local url=$1 rate=${2:-}
  BEDSIDE_BENCH_RATE="$rate" wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency -s "$LUA" "$url" || echo "wrk failed on $url (rate ${rate:-peak})" >&2
}

log "warm-up"
wrk -t1 -c8 -d2s -s "$LUA" "http://127.0.0.1:$PORT/v1/query" >/dev/null
wrk -t1 -c8 -d2s -s "$LUA" "http://127.0.0.1:$NGINX_PORT/v1/query" >/dev/null

log "peak: bedside"
bedside_out=$(run_wrk "http://127.0.0.1:$PORT/v1/query"); echo "$bedside_out" > "$WORK/wrk-bedside.txt"
log "peak: nginx"
nginx_out=$(run_wrk "http://127.0.0.1:$NGINX_PORT/v1/query"); echo "$nginx_out" > "$WORK/wrk-nginx.txt"

# The framework's floor: GET /healthz goes through the same edge, Hummingbird's router and
# the request-log middleware, with no auth, cache, audit or JSON: what any route costs.
log "floor: bedside GET /healthz"
healthz_out=$(wrk -t"$THREADS" -c"$CONNECTIONS" -d"$DURATION" --latency "http://127.0.0.1:$PORT/healthz")
b_rps=$(echo "$bedside_out" | rps_of); n_rps=$(echo "$nginx_out" | rps_of)
rss_loaded_kb=$(rss_kb "$SERVE_PID")
half=$(awk -v r="$b_rps" 'BEGIN { printf "%d", r / 2 }')
log "half of bedside's peak ($half req/s): bedside, then nginx at the same rate"
bedside_half=$(run_wrk "http://127.0.0.1:$PORT/v1/query" "$half")
nginx_half=$(run_wrk "http://127.0.0.1:$NGINX_PORT/v1/query" "$half")

# --- audit durability and the fast path: the same peak run on a fresh serve of the same ----
# database each time: the audit committed three ways (before: synchronous=NORMAL, one commit
# per request; FULL with one commit and fsync per request; FULL with group commit, the
# default), then the default with every request through Hummingbird's router
# (cached_fast_path off), which is what the event-loop fast path saves.
audit_runs=""
if [ "${SKIP_AUDIT_MODES:-0}" != "1" ]; then
  stop_serve
  for mode in "NORMAL 0 1" "FULL 0 1" "FULL 1 1" "FULL 1 0"; do
    set -- $mode
    BEDSIDE_SQLITE_SYNCHRONOUS=$1 BEDSIDE_AUDIT_GROUP_COMMIT=$2 BEDSIDE_CACHED_FAST_PATH=$3 \
      "$BIN" serve --db "$DB" --host 127.0.0.1 --port "$PORT" >"$WORK/serve-$1-$2-$3.log" 2>&1 &
    SERVE_PID=$!
    wait_http "http://127.0.0.1:$PORT/readyz" "$SERVE_PID" || { cat "$WORK/serve-$1-$2-$3.log" >&2; exit 1; }
    wrk -t1 -c8 -d2s -s "$LUA" "http://127.0.0.1:$PORT/v1/query" >/dev/null
    out=$(run_wrk "http://127.0.0.1:$PORT/v1/query")
    label="synchronous=$1, $([ "$2" = 1 ] && echo "group commit" || echo "one commit per request")$([ "$3" = 0 ] && echo ", router only" || true)"
    audit_runs+=$(printf '  %-46s %10s req/s  p50 %s ms  p99 %s ms' "$label" "$(echo "$out" | rps_of)" "$(echo "$out" | pct_of 50%)" "$(echo "$out" | pct_of 99%)")$'\n'
    kill "$SERVE_PID" 2>/dev/null; wait "$SERVE_PID" 2>/dev/null || true; SERVE_PID=""
  done
fi

# --- token verification -----------------------------------------------------------------
jwt_out=$("$BIN" bench-jwt 2>/dev/null || true)

# --- report -----------------------------------------------------------------------------
ratio=$(ratio "$b_rps" "$n_rps")
echo
echo "Bedside gateway benchmark ($(nproc) cores, wrk -t$THREADS -c$CONNECTIONS -d$DURATION, body $body_bytes bytes; nginx body $nginx_bytes bytes)"
printf '%-28s %12s %12s\n' "" "bedside" "nginx"
printf '%-28s %12s %12s\n' "peak requests/s" "$b_rps" "$n_rps"
printf '%-28s %12s %12s\n' "peak p50 (ms)" "$(echo "$bedside_out" | pct_of 50%)" "$(echo "$nginx_out" | pct_of 50%)"
printf '%-28s %12s %12s\n' "peak p99 (ms)" "$(echo "$bedside_out" | pct_of 99%)" "$(echo "$nginx_out" | pct_of 99%)"
printf '%-28s %12s %12s\n' "at $half req/s: req/s" "$(echo "$bedside_half" | rps_of)" "$(echo "$nginx_half" | rps_of)"
printf '%-28s %12s %12s\n' "at $half req/s: p50 (ms)" "$(echo "$bedside_half" | pct_of 50%)" "$(echo "$nginx_half" | pct_of 50%)"
printf '%-28s %12s %12s\n' "at $half req/s: p99 (ms)" "$(echo "$bedside_half" | pct_of 99%)" "$(echo "$nginx_half" | pct_of 99%)"
bad=$(echo "$bedside_out" | errors_of); [ -n "$bad" ] && echo "bedside non-2xx/errors: $bad"
printf '%-28s %12s %12s\n' "GET /healthz requests/s" "$(echo "$healthz_out" | rps_of)" "-"
echo "ratio bedside/nginx:          $ratio   (target >= 0.5)"
p99_ratio=$(ratio "$(echo "$bedside_half" | pct_of 99%)" "$(echo "$nginx_half" | pct_of 99%)")
echo "p99 at half peak / nginx's:   $p99_ratio   (target <= 1.5)"
echo "bedside serve idle RSS:       $(mb "$rss_kb")   (target < 25 MB)"
echo "bedside serve RSS after load: $(mb "$rss_loaded_kb")"
echo "start to 200 on /readyz:      ${ready_ms} ms median of ${ready_all[*]}   (target < 50 ms)"
echo "binary:                       $(awk -v b="$size_built" 'BEGIN { printf "%.1f MB", b / 1e6 }') as built, $(awk -v b="$size_run" 'BEGIN { printf "%.1f MB", b / 1e6 }') as run (target < 40 MB)"
if [ -n "$audit_runs" ]; then
  echo "cached path by audit durability and path (peak, same wrk command; every response has a committed audit row):"
  printf '%s' "$audit_runs"
fi
if [ -n "$jwt_out" ]; then
  echo "token verification (bedside bench-jwt):"
  echo "$jwt_out" | sed 's/^/  /'
else
  echo "token verification: n/a (the executable has no bench-jwt subcommand wired to LocalGateway.JWTBenchmark)"
fi
echo "(verification targets: HS256 < 5 us, ES256 < 60 us)"
