#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for tests and benchmarks (issue 12).
#
#   scripts/pg-cluster.sh start DIR   initdb + pg_ctl start under DIR/pg, a free port on
#                                     127.0.0.1, the unix socket in DIR/pg, database `bedside`;
#                                     prints the URL postgres://bedside@127.0.0.1:PORT/bedside
#   scripts/pg-cluster.sh stop DIR    stops it (fast shutdown); DIR stays for its log
#   scripts/pg-cluster.sh url DIR     prints the URL of a running cluster
#
# Trust authentication on loopback only: the cluster is for tests, never for patient data.
# Run as root, the server runs as the `postgres` user (PostgreSQL refuses root), so DIR and
# its parents must be traversable by that user (the script adds a+x to DIR itself).
# PG_CLUSTER_FAST=1 turns fsync and synchronous_commit off (faster tests, no crash safety).
# The binaries come from Debian's postgresql package (/usr/lib/postgresql/*/bin); PG_BIN
# overrides the folder.
set -euo pipefail

usage() { echo "usage: $0 start|stop|url DIR" >&2; exit 2; }
[ $# -eq 2 ] || usage
cmd="$1"
mkdir -p "$2"
dir="$(cd "$2" && pwd)"
pg="$dir/pg"
data="$pg/data"
user=bedside
db=bedside

find_bin() {
  if [ -n "${PG_BIN:-}" ]; then echo "$PG_BIN"; return; fi
  local d
  for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then echo "$d"; return; fi
  done
  if command -v initdb >/dev/null 2>&1 && command -v pg_ctl >/dev/null 2>&1; then
    dirname "$(command -v initdb)"; return
  fi
  echo "pg-cluster: no PostgreSQL binaries (initdb, pg_ctl) found; install Debian's postgresql package" >&2
  exit 3
}

# Runs a command as the cluster's owner: `postgres` when we are root, else ourselves.
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

# The server outlives this script: it must not keep any descriptor the caller gave us. A caller
# that waits for our exit by a descriptor closing (swift-corelibs-foundation's Process does)
# would otherwise wait for the server to stop.
close_inherited_fds() {
  local fd
  for fd in /proc/self/fd/*; do
    fd="${fd##*/}"
    if [ "$fd" -gt 2 ] && [ "$fd" -lt 255 ]; then eval "exec $fd>&-" 2>/dev/null || true; fi
  done
}

free_port() {
  python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1]); s.close()'
}

case "$cmd" in
start)
  bin="$(find_bin)"
  if [ -f "$data/postmaster.pid" ] && as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    cat "$pg/url"; exit 0
  fi
  mkdir -p "$pg"
  if [ "$(id -u)" -eq 0 ]; then
    # DIR itself may be a private temporary folder (mktemp -d): let postgres pass through it.
    chmod a+x "$dir"
    chown postgres: "$pg"
    chmod 700 "$pg"
    if ! runuser -u postgres -- test -x "$pg"; then
      echo "pg-cluster: $pg is not reachable by the postgres user (a parent folder is not traversable)" >&2
      exit 1
    fi
  fi
  if [ ! -f "$data/PG_VERSION" ]; then
    as_owner "$bin/initdb" -D "$data" -U "$user" --auth=trust -E UTF8 --locale=C.UTF-8 --no-instructions \
      > "$pg/initdb.log" 2>&1 || { echo "pg-cluster: initdb failed:" >&2; cat "$pg/initdb.log" >&2; exit 1; }
  fi
  fast=()
  if [ "${PG_CLUSTER_FAST:-0}" = 1 ]; then fast=(-c fsync=off -c synchronous_commit=off -c full_page_writes=off); fi
  started=0
  previous=""
  # A restarted cluster keeps its port when it can, so clients holding its URL reconnect.
  if [ -f "$pg/port" ]; then previous="$(cat "$pg/port")"; fi
  for _ in 1 2 3 4 5; do
    if [ -n "$previous" ]; then port="$previous"; previous=""; else port="$(free_port)"; fi
    opts="-p $port -k $pg -c listen_addresses=127.0.0.1 -c max_connections=200 ${fast[*]}"
    if (close_inherited_fds; as_owner "$bin/pg_ctl" -D "$data" -l "$pg/postgres.log" -o "$opts" -w -t 60 start > "$pg/pg_ctl.log" 2>&1); then
      started=1; break
    fi
  done
  if [ "$started" != 1 ]; then
    echo "pg-cluster: the server did not start; log:" >&2; tail -30 "$pg/postgres.log" >&2 || true; exit 1
  fi
  if ! as_owner "$bin/psql" -h "$pg" -p "$port" -U "$user" -d postgres -tAc "SELECT 1 FROM pg_database WHERE datname = '$db'" | grep -q 1; then
    as_owner "$bin/createdb" -h "$pg" -p "$port" -U "$user" "$db"
  fi
  url="postgres://$user@127.0.0.1:$port/$db"
  echo "$url" > "$pg/url"
  echo "$port" > "$pg/port"
  echo "$url"
  ;;
stop)
  [ -d "$data" ] || exit 0
  bin="$(find_bin)"
  if as_owner "$bin/pg_ctl" -D "$data" status >/dev/null 2>&1; then
    as_owner "$bin/pg_ctl" -D "$data" -m fast -w stop >/dev/null
  fi
  rm -f "$pg/url"
  ;;
url)
  [ -f "$pg/url" ] || { echo "pg-cluster: no running cluster in $dir" >&2; exit 1; }
  cat "$pg/url"
  ;;
*) usage ;;
esac
