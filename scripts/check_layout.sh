#!/usr/bin/env bash
# Checks docs/where-things-live.md against the tree: every `Folder` it names in its tables
# exists, and every folder of Sources/ (and of Sources/<Module>/) is named there.
set -euo pipefail
cd "$(dirname "$0")/.."
doc=docs/where-things-live.md
status=0
# The first column's `names`, e.g. `LocalGateway/Routes`, `Inference`, `Tests/TestSupport`.
named=$(grep '^| `' "$doc" | cut -d'|' -f2 | grep -o '`[^`]*`' | tr -d '`' | sed 's#/$##')
parent=""
for n in $named; do
  case "$n" in
    Tests/*|bench|scripts|corpus/demo) path="$n" ;;
    */*) path="Sources/$n"; parent="${n%%/*}" ;;
    *) if [ -d "Sources/$n" ]; then path="Sources/$n"; parent="$n"; else path="Sources/$parent/$n"; fi ;;
  esac
  case "$n" in Tests/\<Module\>Tests) continue ;; esac
  [ -d "$path" ] || { echo "check_layout: $doc names $n, but $path is not in the tree" >&2; status=1; }
done
for d in Sources/*/ Sources/*/*/; do
  d="${d%/}"; rel="${d#Sources/}"
  case "$rel" in */Generated) continue ;; esac
  leaf="${rel##*/}"
  if ! printf '%s\n' $named | grep -qx -e "$rel" -e "$leaf"; then
    echo "check_layout: $d is not described in $doc" >&2; status=1
  fi
done
[ $status = 0 ] && echo "check_layout: $doc matches the tree"
exit $status
