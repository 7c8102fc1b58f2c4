# Helpers the gateway benchmarks share (bench/gateway.sh, bench/gateway_shared.sh,
# bench/soak.sh): sourced, never run. Each script sets `set -euo pipefail`, ROOT and WORK first.

log() { printf '== %s\n' "$*" >&2; }

# need_tools TOOL...: installs the missing ones from Debian's packages (apt-get; sudo when not
# root). `nginx` may live in /usr/sbin; `postgresql` means server binaries in /usr/lib/postgresql.
need_tools() {
  local missing=() tool
  for tool in "$@"; do
    case $tool in
      nginx) command -v nginx >/dev/null 2>&1 || [ -x /usr/sbin/nginx ] || missing+=(nginx) ;;
      postgresql) ls -d /usr/lib/postgresql/*/bin >/dev/null 2>&1 || missing+=(postgresql) ;;
      *) command -v "$tool" >/dev/null 2>&1 || missing+=("$tool") ;;
    esac
  done
  [ ${#missing[@]} -gt 0 ] || return 0
  log "installing ${missing[*]} (apt-get)"
  local sudo=""; [ "$(id -u)" -ne 0 ] && sudo="sudo"
  $sudo apt-get update -qq
  DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

# release_binary: sets BIN to BEDSIDE_BIN, or to a release build of `bedside` (built unless
# SKIP_BUILD=1; SCRATCH_PATH for a build folder other than .build).
release_binary() {
  local scratch=(); [ -n "${SCRATCH_PATH:-}" ] && scratch=(--scratch-path "$SCRATCH_PATH")
  if [ -n "${BEDSIDE_BIN:-}" ]; then
    BIN=$BEDSIDE_BIN
  else
    if [ "${SKIP_BUILD:-0}" != "1" ]; then
      log "release build of bedside"
      swift build -c release --product bedside "${scratch[@]}" >&2
    fi
    BIN="$(swift build -c release --show-bin-path "${scratch[@]}")/bedside"
  fi
  [ -x "$BIN" ] || { echo "no release binary at $BIN" >&2; exit 1; }
}

# sepsis_corpus DIR: the one-document corpus whose cached answer the benchmarks serve.
sepsis_corpus() {
  mkdir -p "$1"
  cat > "$1/sepsis.md" <<'MD'
# Sepsis

## Initial management
The first-line treatment for sepsis is broad-spectrum antibiotics given within one hour of recognition, together with 30 mL/kg of intravenous crystalloid for hypotension or a lactate of 4 mmol/L or more. Blood cultures should be taken before antibiotics when this causes no delay.

## Vasopressors
Norepinephrine is the first-choice vasopressor when hypotension persists after fluid resuscitation, targeting a mean arterial pressure of 65 mmHg.
MD
}

# wait_http URL [PID]: polls URL (every 10 ms, 30 s at most) until it answers 2xx; fails
# early when PID is given and that process has exited.
wait_http() {
  local i
  for i in $(seq 1 3000); do
    curl -fs -o /dev/null "$1" 2>/dev/null && return 0
    if [ -n "${2:-}" ] && ! kill -0 "$2" 2>/dev/null; then return 1; fi
    sleep 0.01
  done
  return 1
}

# wrk output -> requests/s, a percentile's milliseconds (label 50%, 99%), errors (empty if none).
rps_of() { awk '/^Requests\/sec:/ {print $2}'; }
pct_of() {
  awk -v p="$1" '$1 == p { v=$2; if (v ~ /us$/) { sub(/us$/,"",v); v=v/1000 } else if (v ~ /ms$/) { sub(/ms$/,"",v) } else if (v ~ /s$/) { sub(/s$/,"",v); v=v*1000 } printf "%.3f", v }'
}
errors_of() { awk '/Non-2xx or 3xx responses:/ {print "non-2xx: " $5} /Socket errors:/ {print "socket errors: " $0}'; }

# ratio X Y: X / Y to two decimals ("n/a" when Y is 0). mb KB: kilobytes as "N.N MB".
ratio() { awk -v x="$1" -v y="$2" 'BEGIN { if (y > 0) printf "%.2f", x / y; else print "n/a" }'; }
mb() { awk -v k="$1" 'BEGIN { printf "%.1f MB", k / 1024 }'; }
# rss_kb PID: the process's resident set in kilobytes.
rss_kb() { awk '/VmRSS/ {print $2}' "/proc/$1/status"; }
