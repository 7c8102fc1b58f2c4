#!/usr/bin/env bash
# Differential fuzzing (issue 8): builds the libFuzzer targets FuzzTokenVerifier (the
# gateway's token verdicts against jwt-kit's) and FuzzQueryBody (the POST /v1/query body
# decoder) with -sanitize=fuzzer in their own scratch path (.build-fuzz), runs each for
# SECONDS (default 60), prints executions per target, copies every crash input into
# Tests/FuzzCorpus/regressions/<kind>/ (FuzzRegressionTests replays them) and exits
# non-zero when a target crashed.
#
#   scripts/fuzz.sh [SECONDS]        BEDSIDE_FUZZ_TARGETS="FuzzQueryBody" to run one target
set -euo pipefail
cd "$(dirname "$0")/.."
seconds="${1:-60}"
targets="${BEDSIDE_FUZZ_TARGETS:-FuzzTokenVerifier FuzzQueryBody}"
scratch=.build-fuzz
flags=(--scratch-path "$scratch" -c debug -Xswiftc -sanitize=fuzzer -Xswiftc -DBEDSIDE_FUZZ)

build_started=$(date +%s)
for target in $targets; do
  swift build "${flags[@]}" --product "$target"
done
bin="$(swift build "${flags[@]}" --show-bin-path)"
echo "fuzz build: $(( $(date +%s) - build_started )) s"

export SWIFT_BACKTRACE=enable=no   # libFuzzer reports the crash; the Swift backtracer only slows it down
status=0
for target in $targets; do
  case "$target" in
    FuzzTokenVerifier) kind=token ;;
    FuzzQueryBody) kind=query ;;
    *) echo "unknown fuzz target $target" >&2; exit 2 ;;
  esac
  work="$scratch/corpus/$target"; artifacts="$scratch/artifacts/$target"; saved="Tests/FuzzCorpus/regressions/$kind"
  mkdir -p "$work" "$artifacts" "$saved"
  rm -f "$artifacts"/*
  log="$scratch/$target.log"
  # The first folder collects what the fuzzer finds; the committed seeds and regressions are read only.
  set +e
  "$bin/$target" "$work" "Tests/FuzzCorpus/$kind" "$saved" -dict=Tests/FuzzCorpus/json.dict \
    -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 -max_len=4096 \
    -artifact_prefix="$artifacts/" > "$log" 2>&1
  code=$?
  set -e
  runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | grep -o '[0-9]*$' | tail -1)
  echo "$target: ${runs:-?} executions in ${seconds} s (exit $code; log $log)"
  found=0
  for crash in "$artifacts"/*; do
    [ -f "$crash" ] || continue
    cp "$crash" "$saved/$(basename "$crash")"
    echo "  crash input saved as $saved/$(basename "$crash")"
    found=1
  done
  if [ "$code" != 0 ] || [ "$found" = 1 ]; then
    status=1
    grep -m3 -E 'Fatal error|disagree|query body decoder|ERROR: libFuzzer' "$log" >&2 || tail -20 "$log" >&2
  fi
done
exit "$status"
