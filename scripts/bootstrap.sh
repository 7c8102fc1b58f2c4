#!/usr/bin/env bash
# One command on a fresh Debian machine: install what Bedside needs, build it, and run it
# on the embedded defaults (SQLite index + extractive answers, the demo corpus ingested on
# first use). On a terminal it opens the console; otherwise it asks a sample question.
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
swift build -c release --product bedside
BIN="$(swift build -c release --show-bin-path)/bedside"
echo "Built $BIN" >&2
if [ -t 0 ] && [ -t 1 ] && [ "${1:-}" != "--no-console" ]; then
  exec "$BIN"
else
  "$BIN" ask "What is the first-line fluid bolus in septic shock?"
fi
