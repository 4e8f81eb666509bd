#!/usr/bin/env bash
# Restores a backup made by scripts/backup.sh, as the config says
# (`smsdesk backup-plan`); every check is made before anything is written,
# and nothing existing is overwritten:
#
#   one machine (sled): storage.path must be missing or empty (move the old
#     one away first); the tar is unpacked there with its modes;
#   PostgreSQL: `pg_restore --single-transaction` into the database of
#     storage.url, which must be empty (create it with createdb) unless
#     --clean is given (then what it holds is replaced: --clean --if-exists);
#     refused while an instance leads on it. Dead letters go back into this
#     machine's dead-letters/ (existing files kept);
#   appservice mode: the registration goes back byte for byte with its
#     mode; a different file already there is refused unless
#     --replace-registration (then it is kept beside, *.replaced-<time>).
#     Restart the homeserver when it changed: it must load the same file.
#
#   scripts/restore.sh --config /etc/smsdesk/smsdesk.toml --from /var/backups/smsdesk/2026-12-06
#
# Start smsdesk afterwards. Never start an instance on a restored database
# while an instance of the old one still runs (two desks would answer the
# same customers and agents).
#   SMSDESK  the smsdesk binary (default: smsdesk on PATH)
#   PG_BIN   the folder of pg_restore (default: PATH, then the newest
#            /usr/lib/postgresql/*/bin); at least the version of the pg_dump used.
set -euo pipefail

usage() {
  echo "usage: $0 --config FILE --from DIR [--clean] [--replace-registration]" >&2
  echo "  restores the backup DIR (from scripts/backup.sh) for FILE's deployment (see the top of this script)" >&2
  exit 2
}

die() {
  echo "restore: $*" >&2
  exit 1
}

config="" from="" clean=0 replace_registration=0
while [ $# -gt 0 ]; do
  case "$1" in
    --config) [ $# -ge 2 ] || usage; config=$2; shift 2 ;;
    --from) [ $# -ge 2 ] || usage; from=$2; shift 2 ;;
    --clean) clean=1; shift ;;
    --replace-registration) replace_registration=1; shift ;;
    -h | --help) usage ;;
    *) echo "restore: unknown argument $1" >&2; usage ;;
  esac
done
[ -n "$config" ] && [ -n "$from" ] || usage
[ -f "$config" ] || die "no config file at $config"
[ -f "$from/MANIFEST" ] && [ -f "$from/SHA256SUMS" ] || die "$from is not a backup made by scripts/backup.sh (no MANIFEST or SHA256SUMS)"

# The backup is whole and unchanged.
(cd "$from" && sha256sum --check --quiet --strict SHA256SUMS) || die "$from does not match its SHA256SUMS: damaged or changed, not restored"
grep -qx "smsdesk-backup 1" "$from/MANIFEST" || die "$from/MANIFEST is of an unknown format"
saved_backend=$(sed -n 's/^backend //p' "$from/MANIFEST")

source "$(dirname -- "${BASH_SOURCE[0]}")/backup-common.sh"
[ "$saved_backend" = "$backend" ] || die "the backup is of a $saved_backend deployment and the config says $backend: restore it with a config of its kind (a one-machine store goes into PostgreSQL with smsdesk import-store)"

# Checks first: nothing is written until every one passed.
case "$backend" in
  sled)
    [ -f "$from/storage.tar" ] || die "$from has no storage.tar"
    if [ -e "$storage" ] && [ -n "$(ls -A -- "$storage")" ]; then
      die "$storage (storage.path) is not empty: stop smsdesk and move it away first (mv $storage $storage.old); a restore never overwrites a store"
    fi
    ;;
  postgres)
    [ -f "$from/database.dump" ] || die "$from has no database.dump"
    [ -z "${plan[leader]:-}" ] || die "instance ${plan[leader]} leads on ${plan[database]}: stop every smsdesk instance on it first (a database restored less than 10 s ago still shows the leader of its dump: wait and try again)"
    pg_restore=$(pg_program pg_restore)
    ;;
esac
registration=${plan[registration]:-}
put_registration=0
if [ -f "$from/registration.yaml" ] && [ -n "$registration" ]; then
  if [ ! -e "$registration" ]; then
    put_registration=1
  elif cmp -s -- "$from/registration.yaml" "$registration"; then
    echo "the registration $registration is already the backed-up one"
  elif [ "$replace_registration" = 1 ]; then
    put_registration=1
  else
    die "$registration differs from the backed-up registration: give --replace-registration to restore the backed-up one (the current one is kept beside it), then restart the homeserver"
  fi
elif [ -f "$from/registration.yaml" ]; then
  echo "restore: the backup holds an appservice registration, but the config is in bot mode: not restored" >&2
elif [ -n "$registration" ] && [ ! -e "$registration" ]; then
  echo "restore: the config is in appservice mode, but the backup has no registration: run smsdesk appservice-registration (new tokens) and restart the homeserver" >&2
fi

umask 077
case "$backend" in
  sled)
    mkdir -p -- "$storage"
    chmod 700 -- "$storage"
    tar --extract --file "$from/storage.tar" --directory "$storage" --same-permissions --numeric-owner
    echo "restored $storage"
    ;;
  postgres)
    pg_env
    args=(--no-owner --no-privileges --single-transaction --exit-on-error)
    [ "$clean" = 0 ] || args+=(--clean --if-exists)
    echo "restoring into ${plan[database]} with $("$pg_restore" --version)"
    "$pg_restore" "${args[@]}" --dbname="${PGDATABASE:-${PGUSER:-}}" "$from/database.dump" \
      || die "pg_restore failed (above), nothing was restored (one transaction). Into a database that already holds tables: create an empty one (createdb), or give --clean to replace what it holds"
    echo "restored ${plan[database]}"
    dead=${plan[dead_letters]:-}
    if [ -f "$from/dead-letters.tar" ] && [ -n "$dead" ]; then
      mkdir -p -- "$dead"
      tar --extract --file "$from/dead-letters.tar" --directory "$dead" --same-permissions --numeric-owner --skip-old-files
      echo "restored the kept requests into $dead (replay them with smsdesk replay)"
    fi
    ;;
esac
if [ "$put_registration" = 1 ]; then
  if [ -e "$registration" ]; then
    aside="$registration.replaced-$(date -u +%Y%m%dT%H%M%SZ)"
    mv -- "$registration" "$aside"
    echo "the registration that was there is kept as $aside"
  fi
  mkdir -p -- "$(dirname -- "$registration")"
  cp -p -- "$from/registration.yaml" "$registration"
  echo "restored the registration $registration: restart the homeserver if it loaded another one"
fi
echo "done: start smsdesk"
