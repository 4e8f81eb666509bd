#!/usr/bin/env bash
# A throwaway PostgreSQL for tests and benchmarks, from Debian's
# `postgresql` package (installed here when missing; no downloads at run
# time, no Docker). Loopback only, a private port and socket directory.
# initdb and pg_ctl refuse to run as root: as root they run as the
# `postgres` user, in a data directory that user owns under /tmp.
#
#   scripts/postgres.sh install              # apt-get install postgresql, if missing
#   scripts/postgres.sh start PORT [TLSDIR [hostssl]]
#                                            # initdb + start; prints the data directory.
#                                            # With TLSDIR (holding server.crt and server.key, PEM):
#                                            # ssl = on with them; with hostssl, pg_hba.conf accepts
#                                            # TCP connections over TLS only.
#   scripts/postgres.sh stop DATADIR [MODE]  # pg_ctl stop (MODE: fast | immediate), keeps the data
#   scripts/postgres.sh restart DATADIR      # start it again after a stop
#   scripts/postgres.sh destroy DATADIR      # stop (immediate) and remove
#
# The database is `smsdesk`, user `smsdesk`, password `smsdesk`:
#   postgres://smsdesk:smsdesk@127.0.0.1:PORT/smsdesk
set -euo pipefail

bindir() {
  local dir
  for dir in /usr/lib/postgresql/*/bin; do
    [ -x "$dir/initdb" ] && { echo "$dir"; return 0; }
  done
  return 1
}

install() {
  if ! bindir >/dev/null; then
    local sudo=""
    [ "$(id -u)" = 0 ] || sudo=sudo
    $sudo apt-get update -qq
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >/dev/null
  fi
  bindir >/dev/null || { echo "PostgreSQL binaries not found after installing postgresql" >&2; return 1; }
}

# Runs a PostgreSQL binary as the user who owns the data (postgres, when we are root).
as_owner() {
  if [ "$(id -u)" = 0 ]; then
    runuser -u postgres -- "$@"
  else
    "$@"
  fi
}

start() {
  local port=$1 tls=${2:-} only=${3:-}
  install
  local bin
  bin=$(bindir)
  local data
  data=$(mktemp -d /tmp/smsdesk-pg.XXXXXX)
  [ "$(id -u)" = 0 ] && chown postgres: "$data"
  chmod 700 "$data"
  local pw="$data.pw"
  echo smsdesk > "$pw"
  [ "$(id -u)" = 0 ] && chown postgres: "$pw"
  as_owner "$bin/initdb" -D "$data/db" -U smsdesk --pwfile="$pw" -A scram-sha-256 --no-sync >/dev/null
  rm -f "$pw"
  cat >> "$data/db/postgresql.conf" <<CONF
listen_addresses = '127.0.0.1'
port = $port
unix_socket_directories = '$data'
fsync = on
synchronous_commit = on
max_connections = 100
shared_buffers = 64MB
logging_collector = off
CONF
  [ -z "$tls" ] || tls_on "$data/db" "$tls" "$only"
  restart "$data"
  PGPASSWORD=smsdesk "$bin/psql" -h 127.0.0.1 -p "$port" -U smsdesk -d postgres -q -c "CREATE DATABASE smsdesk" >/dev/null
  echo "$data"
}

# The server's certificate and key, owned by the server's user, the key
# readable by it alone (the server refuses a key others can read).
tls_on() {
  local db=$1 tls=$2 only=$3
  # (`command`: not this script's own `install`.)
  command install -m 600 "$tls/server.crt" "$db/server.crt"
  command install -m 600 "$tls/server.key" "$db/server.key"
  [ "$(id -u)" = 0 ] && chown postgres: "$db/server.crt" "$db/server.key"
  cat >> "$db/postgresql.conf" <<CONF
ssl = on
ssl_cert_file = 'server.crt'
ssl_key_file = 'server.key'
CONF
  case "$only" in
    "") ;;
    hostssl) sed -i -E 's/^host([[:space:]])/hostssl\1/' "$db/pg_hba.conf" ;;
    *) echo "unknown TLS option $only (expected hostssl)" >&2; return 2 ;;
  esac
}

restart() {
  local data=$1
  local bin
  bin=$(bindir)
  as_owner "$bin/pg_ctl" -D "$data/db" -l "$data/log" -w -t 60 start >/dev/null
}

stop() {
  local data=$1 mode=${2:-fast}
  local bin
  bin=$(bindir)
  [ -d "$data/db" ] || return 0
  as_owner "$bin/pg_ctl" -D "$data/db" -m "$mode" -w -t 60 stop >/dev/null 2>&1 || true
}

destroy() {
  local data=$1
  case "$data" in /tmp/smsdesk-pg.*) ;; *) echo "refusing to remove $data" >&2; return 1 ;; esac
  stop "$data" immediate
  rm -rf "$data"
}

cmd=${1:-}
shift || true
case "$cmd" in
  install) install ;;
  start) start "$@" ;;
  stop) stop "$@" ;;
  restart) restart "$@" ;;
  destroy) destroy "$@" ;;
  *) echo "usage: $0 install | start PORT [TLSDIR [hostssl]] | stop DATADIR [fast|immediate] | restart DATADIR | destroy DATADIR" >&2; exit 2 ;;
esac
