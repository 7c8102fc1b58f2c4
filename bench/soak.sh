#!/usr/bin/env bash
# Soak test of the gateway (issue 11): SOAK_SECONDS (600) of wrk on the cached path of
# POST /v1/query, mixed with one fresh question per second from a second subject, against a
# release `bedside serve` with durable audit (synchronous=FULL, group commit: the default).
#
# Checks, each printed as PASS/FAIL (exit status 1 when one fails):
#   1. no response other than 200 and 429 (wrk's and the fresh questions'), no socket errors;
#   2. RSS at the end <= 1.1 x RSS after the first minute (after half the run when it is
#      shorter than two minutes);
#   3. as many audit rows as answers: rows added to `audit` == 200 responses of /v1/query as
#      the gateway counted them (bedside_http_requests_total). A 429 is not an answer: the rate
#      limit refuses it before the route, so it has no audit row, and it is counted apart.
#      wrk's own count of 200s is printed too; it can be lower by the requests still in flight
#      when wrk stops (answered and audited, never read).
#
# The wrk subject has a bucket smaller than the peak rate (SOAK_RATE_CAPACITY, SOAK_RATE_REFILL)
# so that 429s happen; the fresh questions use their own subject, which stays under its limit.
# Environment: SOAK_SECONDS (600), CONNECTIONS (64), THREADS (1), PORT (18797), BEDSIDE_BIN,
# SKIP_BUILD=1, SCRATCH_PATH (as in bench/gateway.sh).
set -euo pipefail

cd "$(dirname "$0")/.."
ROOT=$(pwd)
. "$ROOT/bench/lib.sh"
SECONDS_TOTAL=${SOAK_SECONDS:-600}
CONNECTIONS=${CONNECTIONS:-64}
THREADS=${THREADS:-1}
PORT=${PORT:-18797}
LUA="$ROOT/bench/gateway_query.lua"
BODY='{"question":"What is the first-line treatment for sepsis?"}'

WORK=$(mktemp -d /tmp/bedside-soak.XXXXXX)
SERVE_PID=""; WRK_PID=""; FRESH_PID=""; RSS_PID=""
cleanup() {
  for pid in "$FRESH_PID" "$RSS_PID" "$WRK_PID" "$SERVE_PID"; do
    [ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null || true
  done
  rm -rf "$WORK"
}
trap cleanup EXIT
for tool in wrk curl sqlite3; do command -v "$tool" >/dev/null || { echo "soak.sh needs $tool" >&2; exit 2; }; done

# --- binary (as bench/gateway.sh) --------------------------------------------------------
release_binary

# --- data, server, tokens, seed ----------------------------------------------------------
DB="$WORK/soak.sqlite"
sepsis_corpus "$WORK/corpus"
"$BIN" ingest --db "$DB" "$WORK/corpus" >/dev/null
export BEDSIDE_RATE_LIMIT_CAPACITY=${SOAK_RATE_CAPACITY:-1000} BEDSIDE_RATE_LIMIT_REFILL=${SOAK_RATE_REFILL:-1500} BEDSIDE_LOG_LEVEL=${BEDSIDE_LOG_LEVEL:-warning}
"$BIN" serve --db "$DB" --host 127.0.0.1 --port "$PORT" >"$WORK/serve.log" 2>&1 &
SERVE_PID=$!
wait_http "http://127.0.0.1:$PORT/readyz" "$SERVE_PID" || { cat "$WORK/serve.log" >&2; echo "bedside serve never became ready" >&2; exit 1; }
WRK_TOKEN=$("$BIN" token create --db "$DB" --subject soak-wrk --ttl 2h | tail -n 1 | tr -d '[:space:]')
FRESH_TOKEN=$("$BIN" token create --db "$DB" --subject soak-fresh --ttl 2h | tail -n 1 | tr -d '[:space:]')
curl -fsS -o /dev/null -X POST "http://127.0.0.1:$PORT/v1/query" -H "Authorization: Bearer $WRK_TOKEN" -H 'Content-Type: application/json' -d "$BODY"

query_200s() {  # 200 responses of POST /v1/query counted by the gateway
  curl -fsS "http://127.0.0.1:$PORT/metrics" | awk '/^bedside_http_requests_total\{/ && /route="\/v1\/query"/ && /status="200"/ { n += $NF } END { printf "%d", n }'
}
audit_rows() { sqlite3 "$DB" 'SELECT count(*) FROM audit'; }
audit_before=$(audit_rows); served_before=$(query_200s)

# --- the run -----------------------------------------------------------------------------
log "soak: ${SECONDS_TOTAL}s of wrk -t$THREADS -c$CONNECTIONS on the cached path + one fresh question per second"
rss_start=$(rss_kb "$SERVE_PID")
BEDSIDE_BENCH_TOKEN="$WRK_TOKEN" BEDSIDE_BENCH_BODY="$BODY" BEDSIDE_BENCH_STATUS_FILE="$WORK/wrk-status.txt" \
  wrk -t"$THREADS" -c"$CONNECTIONS" -d"${SECONDS_TOTAL}s" --latency -s "$LUA" "http://127.0.0.1:$PORT/v1/query" >"$WORK/wrk.txt" 2>&1 &
WRK_PID=$!
(
  n=0
  while kill -0 "$WRK_PID" 2>/dev/null; do
    n=$((n + 1))
    code=$(curl -s -o /dev/null -w '%{http_code}' -X POST "http://127.0.0.1:$PORT/v1/query" -H "Authorization: Bearer $FRESH_TOKEN" \
      -H 'Content-Type: application/json' -d "{\"question\":\"What is the first-line treatment for sepsis, case $n of the soak?\"}" || true)
    echo "$code" >> "$WORK/fresh.txt"
    sleep 1
  done
) &
FRESH_PID=$!
checkpoint=60; [ "$SECONDS_TOTAL" -lt 120 ] && checkpoint=$((SECONDS_TOTAL / 2))
( while kill -0 "$WRK_PID" 2>/dev/null; do echo "$(date +%s) $(rss_kb "$SERVE_PID")" >> "$WORK/rss.txt"; sleep 5; done ) &
RSS_PID=$!
sleep "$checkpoint"; rss_first=$(rss_kb "$SERVE_PID")
wait "$WRK_PID" || true; WRK_PID=""
wait "$FRESH_PID" || true; FRESH_PID=""
wait "$RSS_PID" 2>/dev/null || true; RSS_PID=""
sleep 1
rss_end=$(rss_kb "$SERVE_PID")
audit_added=$(( $(audit_rows) - audit_before ))
served=$(( $(query_200s) - served_before ))

# --- report ------------------------------------------------------------------------------
wrk_status() { awk -v c="$1" '$1 == "status" && $2 == c { print $3 }' "$WORK/wrk-status.txt" 2>/dev/null | head -n 1; }
wrk_200=$(wrk_status 200); wrk_200=${wrk_200:-0}
wrk_429=$(wrk_status 429); wrk_429=${wrk_429:-0}
wrk_other=$(awk '$1 == "status" && $2 != 200 && $2 != 429 { n += $3 } END { printf "%d", n }' "$WORK/wrk-status.txt" 2>/dev/null || echo 0)
socket_errors=$(grep -h 'Socket errors' "$WORK/wrk.txt" || true)
fresh_total=$(wc -l < "$WORK/fresh.txt"); fresh_200=$(grep -c '^200$' "$WORK/fresh.txt" || true)
fresh_other=$(grep -vc '^\(200\|429\)$' "$WORK/fresh.txt" || true)

echo
echo "Bedside soak ($(nproc) cores, ${SECONDS_TOTAL}s, wrk -t$THREADS -c$CONNECTIONS, rate limit capacity $BEDSIDE_RATE_LIMIT_CAPACITY refill $BEDSIDE_RATE_LIMIT_REFILL/s on the wrk subject)"
grep -E 'Requests/sec|Latency|99%' "$WORK/wrk.txt" | sed 's/^/  wrk: /'
echo "  wrk responses: 200 $wrk_200, 429 $wrk_429, other $wrk_other${socket_errors:+; $socket_errors}"
echo "  fresh questions: $fresh_total sent, $fresh_200 answered (200), $fresh_other other than 200/429"
echo "  RSS: start $(mb "$rss_start"), after ${checkpoint}s $(mb "$rss_first"), end $(mb "$rss_end")"
echo "  audit rows added $audit_added; /v1/query 200s counted by the gateway $served; 200s read by the clients $((wrk_200 + fresh_200))"
fail=0
check() { if [ "$1" = 1 ]; then echo "PASS $2"; else echo "FAIL $2"; fail=1; fi; }
check "$([ "$wrk_other" = 0 ] && [ "$fresh_other" = 0 ] && [ -z "$socket_errors" ] && echo 1)" "no error other than 429"
check "$(awk -v e="$rss_end" -v f="$rss_first" 'BEGIN { if (e <= 1.1 * f) print 1 }')" "RSS at the end <= 1.1 x RSS after ${checkpoint}s"
check "$([ "$audit_added" = "$served" ] && [ "$served" -ge $((wrk_200 + fresh_200)) ] && echo 1)" "as many audit rows as answers (429s have none)"
check "$([ "$fresh_200" -ge 1 ] && [ "$wrk_200" -ge 1 ] && echo 1)" "both the cached path and fresh questions were answered"
exit $fail
