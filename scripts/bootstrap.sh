#!/usr/bin/env bash
# One command on a fresh Debian machine: install what Bedside needs, build it, install a
# stripped `bedside` where a shell finds it, and run it on the embedded defaults (SQLite
# index + extractive answers, the demo corpus ingested on first use). On a terminal it
# opens the console; otherwise it asks a sample question.
#
# Installs into /usr/local/bin when run as root, otherwise into ~/.local/bin (override
# with BEDSIDE_INSTALL_DIR). The stripped binary is about a quarter of the unstripped size
# (symbols only; no code changes).
set -euo pipefail
cd "$(dirname "$0")/.."
bash scripts/system-packages.sh
swift build -c release --product bedside
BUILT="$(swift build -c release --show-bin-path)/bedside"
if [ -n "${BEDSIDE_INSTALL_DIR:-}" ]; then
  DEST="$BEDSIDE_INSTALL_DIR"
elif [ "$(id -u)" -eq 0 ]; then
  DEST=/usr/local/bin
else
  DEST="$HOME/.local/bin"
fi
mkdir -p "$DEST"
# Strip a copy, then rename into place, so a running `bedside` is never overwritten in place.
strip -o "$DEST/.bedside.new" "$BUILT"
chmod 0755 "$DEST/.bedside.new"
mv -f "$DEST/.bedside.new" "$DEST/bedside"
# The demo corpus goes to ../share/bedside/demo beside the binary, where `bedside` looks
# for it wherever it is run from (/usr/local/share/bedside/demo, ~/.local/share/bedside/demo).
SHARE="$(cd "$DEST/.." && pwd)/share/bedside"
mkdir -p "$SHARE"
rm -rf "$SHARE/.demo.new"
cp -R corpus/demo "$SHARE/.demo.new"
chmod -R a+rX "$SHARE/.demo.new"
rm -rf "$SHARE/demo"
mv "$SHARE/.demo.new" "$SHARE/demo"
echo "Installed $DEST/bedside ($(du -h "$DEST/bedside" | cut -f1), stripped; built $BUILT) and the demo corpus in $SHARE/demo" >&2
case ":$PATH:" in
  *":$DEST:"*) ;;
  *) echo "Note: $DEST is not on your PATH; add it, e.g. export PATH=\"$DEST:\$PATH\"" >&2 ;;
esac
BIN="$DEST/bedside"
if [ -t 0 ] && [ -t 1 ] && [ "${1:-}" != "--no-console" ]; then
  exec "$BIN"
else
  "$BIN" ask "What is the first-line fluid bolus in septic shock?"
fi
