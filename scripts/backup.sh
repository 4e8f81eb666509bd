#!/usr/bin/env bash
# Backs up an smsdesk deployment as its config says (`smsdesk backup-plan`):
#
#   one machine (storage.backend = "sled"): storage.path whole, as a tar
#     with its modes (0700 / 0600), while smsdesk is stopped: the script
#     holds the store's lock while it copies, and refuses while smsdesk runs;
#   PostgreSQL: `pg_dump --format=custom` of the database (online and
#     consistent: the engine's and the bot's stores are in it), and this
#     machine's dead-letters/ (run it on each instance to keep theirs);
#   appservice mode (either backend): the registration file too (it holds
#     as_token and hs_token; the homeserver must load the same file).
#
#   scripts/backup.sh --config /etc/smsdesk/smsdesk.toml --to /var/backups/smsdesk/2026-12-06
#
# DIR must not exist; it is written as DIR.partial and renamed when
# complete, owner-only, with a MANIFEST and SHA256SUMS that
# scripts/restore.sh checks. The environment the server gets (e.g.
# SMSDESK_DATABASE_URL) must be set: the config is read as the server reads it.
#   SMSDESK  the smsdesk binary (default: smsdesk on PATH)
#   PG_BIN   the folder of pg_dump (default: PATH, then the newest
#            /usr/lib/postgresql/*/bin); pg_dump must be of the server's
#            major version or newer.
set -euo pipefail

usage() {
  echo "usage: $0 --config FILE --to DIR" >&2
  echo "  backs up what FILE's deployment keeps into the new directory DIR (see the top of this script)" >&2
  exit 2
}

die() {
  echo "backup: $*" >&2
  exit 1
}

config="" to=""
while [ $# -gt 0 ]; do
  case "$1" in
    --config) [ $# -ge 2 ] || usage; config=$2; shift 2 ;;
    --to) [ $# -ge 2 ] || usage; to=$2; shift 2 ;;
    -h | --help) usage ;;
    *) echo "backup: unknown argument $1" >&2; usage ;;
  esac
done
[ -n "$config" ] && [ -n "$to" ] || usage
[ -f "$config" ] || die "no config file at $config"

source "$(dirname -- "${BASH_SOURCE[0]}")/backup-common.sh"

[ -e "$to" ] && die "$to already exists: give a new directory (a backup never overwrites another)"
partial="$to.partial"
[ -e "$partial" ] && die "$partial is left from a backup that did not finish: remove it first"
umask 077
mkdir -p -- "$(dirname -- "$to")"
mkdir -- "$partial"
done_ok=0
trap '[ "$done_ok" = 1 ] || { rm -rf -- "$partial"; echo "backup: nothing kept (failed)" >&2; }' EXIT

case "$backend" in
  sled)
    [ -f "$storage/db" ] || die "there is no store at $storage (storage.path)"
    # sled holds an exclusive lock on db while smsdesk runs; holding it
    # here keeps smsdesk from starting while the copy is made. --sparse:
    # the event and outbox logs have holes where retention erased records.
    code=0
    flock --nonblock --exclusive --conflict-exit-code 75 "$storage/db" \
      tar --create --sparse --file "$partial/storage.tar" --directory "$storage" --numeric-owner \
      --exclude=./plugin-cache . || code=$?
    [ "$code" = 75 ] && die "smsdesk is running on $storage (its store is locked): stop it first; a copy of a running store is not consistent"
    [ "$code" = 0 ] || die "copying $storage failed (tar exit $code)"
    ;;
  postgres)
    pg_dump=$(pg_program pg_dump)
    pg_env
    echo "dumping ${plan[database]} with $("$pg_dump" --version)"
    "$pg_dump" --format=custom --file "$partial/database.dump" --dbname="${PGDATABASE:-${PGUSER:-}}" \
      || die "pg_dump failed (above); a pg_dump older than the server refuses: use one of the server's major version or newer (PG_BIN)"
    dead=${plan[dead_letters]:-}
    if [ -n "$dead" ] && [ -d "$dead" ] && [ -n "$(ls -A -- "$dead")" ]; then
      tar --create --file "$partial/dead-letters.tar" --directory "$dead" --numeric-owner .
    fi
    ;;
  *) die "unknown backend $backend" ;;
esac

registration=${plan[registration]:-}
if [ -n "$registration" ]; then
  [ -f "$registration" ] || die "appservice mode, but the registration $registration is missing: the homeserver's copy is the one to keep"
  cp -p -- "$registration" "$partial/registration.yaml"
fi

{
  echo "smsdesk-backup 1"
  echo "backend $backend"
  echo "created $(date -u +%Y-%m-%dT%H:%M:%SZ)"
  echo "storage $storage"
  [ -z "$registration" ] || echo "registration $registration"
  echo "smsdesk $("$smsdesk" --version)"
} >"$partial/MANIFEST"
sums=$(cd "$partial" && sha256sum -- *)
echo "$sums" >"$partial/SHA256SUMS"
sync -f "$partial/SHA256SUMS" 2>/dev/null || sync
mv -- "$partial" "$to"
done_ok=1
echo "backed up ($backend$([ -z "$registration" ] || echo ", appservice registration")) into $to:"
(cd "$to" && ls -l)
