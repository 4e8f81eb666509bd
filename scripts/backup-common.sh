# What scripts/backup.sh and scripts/restore.sh share, sourced by both
# after they define `die` and set `config`: the smsdesk binary, the
# deployment as `smsdesk backup-plan --porcelain` says (`plan`, `backend`,
# `storage`), PostgreSQL's client programs, and the database connection as
# libpq's environment (the password never on a command line).

smsdesk=${SMSDESK:-smsdesk}
command -v "$smsdesk" >/dev/null || die "cannot find the smsdesk binary ($smsdesk); set SMSDESK=/path/to/smsdesk"

# A PostgreSQL client program: PG_BIN, PATH, or the newest installed.
pg_program() {
  local name=$1 dir
  if [ -n "${PG_BIN:-}" ]; then
    [ -x "$PG_BIN/$name" ] || die "no $name in PG_BIN=$PG_BIN"
    echo "$PG_BIN/$name"
  elif command -v "$name" >/dev/null; then
    command -v "$name"
  else
    dir=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
    [ -n "$dir" ] && [ -x "$dir/$name" ] || die "cannot find $name: install PostgreSQL's client programs (apt-get install postgresql-client) or set PG_BIN"
    echo "$dir/$name"
  fi
}

# The deployment, as the config says.
plan_text=$("$smsdesk" backup-plan --porcelain --config "$config") || die "smsdesk backup-plan failed (above): fix the config first"
declare -A plan=()
while IFS=$'\t' read -r key value; do
  [ -n "$key" ] && plan[$key]=$value
done <<<"$plan_text"
backend=${plan[backend]:-}
storage=${plan[storage]:-}
[ -n "$backend" ] && [ -n "$storage" ] || die "smsdesk backup-plan said nothing usable"

# The database connection as libpq's environment, nothing else of it.
pg_env() {
  local var
  unset PGHOST PGHOSTADDR PGPORT PGUSER PGDATABASE PGPASSWORD PGSSLMODE PGSSLROOTCERT PGOPTIONS PGSERVICE
  for var in PGHOST PGPORT PGUSER PGDATABASE PGPASSWORD PGSSLMODE PGSSLROOTCERT PGOPTIONS; do
    [ -n "${plan[$var]:-}" ] && export "$var=${plan[$var]}"
  done
  return 0
}
