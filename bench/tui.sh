#!/usr/bin/env bash
# Console benchmark (release build, real binary under tmux): start to interactive and
# Enter-to-screen for a cached answer, each against a reference measured in the same run.
# Usage: bench/tui.sh [--runs N] [--asks N]
set -euo pipefail
cd "$(dirname "$0")/.."
swift build -c release --product bedside >&2
BIN="$(swift build -c release --show-bin-path)/bedside"
python3 bench/tui.py "$BIN" "$@"
