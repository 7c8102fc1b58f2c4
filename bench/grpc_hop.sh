#!/usr/bin/env bash
# The added latency of one gRPC hop (issue 12): the same questions, cache bypassed
# (Cache-Control: no-cache), through
#   1. `bedside serve` with in-process inference (BM25 + extractive answer over the demo corpus),
#   2. `bedside serve --inference grpc://…` in front of scripts/rag_peer.py (Python, grpcio),
#   3. a Python gRPC client calling rag_peer.py directly (the peer and the hop without the gateway),
# in one run, one request at a time (wrk -c1 -t1), printing p50/p90/p99 and requests/s of each.
# The difference 2 - 3 is what the gateway adds on the gRPC path; 2 - 1 is the gRPC route
# against the in-process route.
#
# Environment: DURATION (10s), PORT (18797), PEER_PORT (18798), BEDSIDE_BIN (default: the
# debug build; RELEASE=1 builds and uses a release binary), PYTHON (a python3 with grpcio and
# grpcio-tools; default: the ml-tools venv, then python3).
set -euo pipefail
cd "$(dirname "$0")/.."
ROOT=$(pwd)
. "$ROOT/bench/lib.sh"
DURATION=${DURATION:-10s}
PORT=${PORT:-18797}
PEER_PORT=${PEER_PORT:-18798}
WORK=$(mktemp -d /tmp/bedside-grpc-hop.XXXXXX)
PIDS=()
cleanup() { for p in "${PIDS[@]}"; do kill "$p" 2>/dev/null && wait "$p" 2>/dev/null || true; done; rm -rf "$WORK"; }
trap cleanup EXIT

command -v wrk >/dev/null || { log "installing wrk"; apt-get install -y -qq wrk >/dev/null; }
PYTHON=${PYTHON:-}
if [ -z "$PYTHON" ]; then
  for p in "${BEDSIDE_TOOLS:-$HOME/.cache/bedside-tools}/venv/bin/python" python3; do
    if "$p" -c 'import grpc, grpc_tools' 2>/dev/null; then PYTHON=$p; break; fi
  done
fi
[ -n "$PYTHON" ] || { echo "no python3 with grpcio and grpcio-tools (pip install grpcio grpcio-tools)" >&2; exit 1; }

if [ -n "${BEDSIDE_BIN:-}" ]; then BIN=$BEDSIDE_BIN
elif [ "${RELEASE:-0}" = 1 ]; then swift build -c release --product bedside >&2; BIN="$(swift build -c release --show-bin-path)/bedside"
else BIN="$(swift build --show-bin-path)/bedside"; fi
[ -x "$BIN" ] || { echo "no bedside binary at $BIN (swift build first)" >&2; exit 1; }
log "binary $BIN"

QUESTION='What is the IM adrenaline dose in anaphylaxis?'
BODY="{\"question\":\"$QUESTION\"}"
cat > "$WORK/nocache.lua" <<LUA
wrk.method = "POST"
wrk.body = '$BODY'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Cache-Control"] = "no-cache"
wrk.headers["Authorization"] = "Bearer " .. os.getenv("TOKEN")
done = function(summary, latency, requests)
  io.write(string.format("RESULT req_s=%.1f p50_ms=%.2f p90_ms=%.2f p99_ms=%.2f errors=%d\n",
    summary.requests / (summary.duration / 1e6), latency:percentile(50) / 1000, latency:percentile(90) / 1000,
    latency:percentile(99) / 1000, summary.errors.status + summary.errors.connect + summary.errors.read + summary.errors.timeout))
end
LUA

export BEDSIDE_RATE_LIMIT_CAPACITY=1000000 BEDSIDE_RATE_LIMIT_REFILL=1000000 BEDSIDE_DEMO_CORPUS="$ROOT/corpus/demo"
serve() { # NAME ARGS...: starts bedside serve on $PORT, waits for /healthz
  local name=$1; shift
  "$BIN" serve --db "$WORK/$name.sqlite" --port "$PORT" "$@" > "$WORK/$name.log" 2>&1 &
  PIDS+=($!)
  wait_http "http://127.0.0.1:$PORT/healthz" "${PIDS[-1]}" && return 0
  echo "$name did not start:" >&2; cat "$WORK/$name.log" >&2; exit 1
}
stop_last() { local p=${PIDS[-1]}; kill "$p"; wait "$p" 2>/dev/null || true; unset 'PIDS[-1]'; }
measure() { # NAME DB: warm up, then wrk -c1
  local token; token=$("$BIN" token create --db "$WORK/$2.sqlite" --subject bench --ttl 1h)
  for _ in 1 2 3 4 5; do curl -sf -o /dev/null -X POST "http://127.0.0.1:$PORT/v1/query" -H "Authorization: Bearer $token" \
    -H 'Cache-Control: no-cache' -H 'Content-Type: application/json' --data-binary "$BODY"; done
  TOKEN=$token wrk -t1 -c1 -d "$DURATION" -s "$WORK/nocache.lua" "http://127.0.0.1:$PORT/v1/query" | awk -v n="$1" '/^RESULT/ {$1=""; print n":"$0}'
}

log "peer: scripts/rag_peer.py on $PEER_PORT"
"$PYTHON" scripts/rag_peer.py --port "$PEER_PORT" > "$WORK/peer.log" 2>&1 &
PIDS+=($!)
for _ in $(seq 1 300); do grep -q listening "$WORK/peer.log" && break; sleep 0.1; done

log "1/3 in-process inference"
serve inproc
measure in-process inproc
stop_last
log "2/3 gRPC inference"
serve grpc --inference "grpc://127.0.0.1:$PEER_PORT"
measure grpc grpc
stop_last
log "3/3 Python client straight to the peer"
"$PYTHON" - "$PEER_PORT" "$QUESTION" "${DURATION%s}" <<'PY'
import importlib.resources, os, sys, tempfile, time
import grpc
from grpc_tools import protoc
out = tempfile.mkdtemp()
protoc.main(["protoc", "-IProtos", "-I" + str(importlib.resources.files("grpc_tools") / "_proto"),
             "--python_out=" + out, "--grpc_python_out=" + out, "Protos/rag.proto"])
sys.path.insert(0, out)
import rag_pb2, rag_pb2_grpc
stub = rag_pb2_grpc.RAGServiceStub(grpc.insecure_channel(f"127.0.0.1:{sys.argv[1]}"))
request = rag_pb2.QueryRequest(question=sys.argv[2])
for _ in range(5): stub.Query(request)
times, end = [], time.monotonic() + float(sys.argv[3])
while time.monotonic() < end:
    t = time.perf_counter(); stub.Query(request); times.append((time.perf_counter() - t) * 1000)
times.sort()
pct = lambda p: times[min(len(times) - 1, int(len(times) * p / 100))]
print(f"python-direct: req_s={len(times) / float(sys.argv[3]):.1f} p50_ms={pct(50):.2f} p90_ms={pct(90):.2f} p99_ms={pct(99):.2f} errors=0")
PY
