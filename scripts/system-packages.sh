#!/usr/bin/env bash
# Installs the Debian packages Bedside needs to build, run and test.
set -euo pipefail
PACKAGES=(libsqlite3-dev sqlite3 libncursesw5-dev libssl-dev libcurl4-openssl-dev tmux python3-venv python3-pip cmake build-essential git curl ca-certificates postgresql)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
  SUDO=""; [ "$(id -u)" -eq 0 ] || SUDO="sudo"
  $SUDO apt-get update
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y "${missing[@]}"
fi
