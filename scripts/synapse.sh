#!/usr/bin/env bash
# A local Synapse for tests and the demo, installed from PyPI into the
# project's .venv (nothing system-wide). Loopback only, in-memory or file
# SQLite, no federation, rate limits lifted: the settings are in this
# script's config below.
# The listener serves `openid` beside `client`: smsdesk checks supervisors'
# OpenID tokens at /_matrix/federation/v1/openid/userinfo (only that
# endpoint of the federation API; nothing else of federation is served).
#
#   scripts/synapse.sh install                    # .venv with matrix-synapse
#   scripts/synapse.sh start DIR PORT [sqlite]    # config + keys in DIR, runs in the background; prints the PID
#                                                 # (SYNAPSE_APP_SERVICE=FILE loads that appservice registration;
#                                                 #  SYNAPSE_FOR_TESTS=1 leaves out what the tests do not use)
#   scripts/synapse.sh register DIR PORT USER PASSWORD   # a user via the shared-secret admin API
#   scripts/synapse.sh stop DIR
#   scripts/synapse.sh forkserver SOCKET          # runs until killed: `start` then forks Synapse from it
#                                                 # (SYNAPSE_FORKSERVER=SOCKET), not a new Python each time
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
venv="$root/.venv"
py="$venv/bin/python"

# Marks a finished install, so a start need not import synapse to know
# (each test starts its own server: that import was a second of CPU each).
installed="$venv/.synapse-installed"

install() {
  [ -f "$installed" ] && [ -x "$py" ] && return 0
  if [ ! -x "$venv/bin/python" ] || ! "$py" -c 'import synapse' 2>/dev/null; then
    python3 -m venv "$venv"
    "$venv/bin/pip" install --quiet --disable-pip-version-check matrix-synapse
  fi
  touch "$installed"
}

# A signing key as `--generate-keys` writes it (`ed25519 <id> <unpadded
# base64 of a 32-byte seed>`), without starting Python to make it.
signing_key() {
  local id seed
  id=$(head -c 4 /dev/urandom | od -An -tx1 | tr -d ' \n')
  seed=$(head -c 32 /dev/urandom | base64 -w0 | tr -d '=')
  printf 'ed25519 a_%s %s\n' "$id" "$seed" > "$1"
}

write_config() {
  local dir=$1 port=$2 db=${3:-memory}
  mkdir -p "$dir/media"
  local database=':memory:'
  [ "$db" = sqlite ] && database="$dir/homeserver.db"
  local limit='{per_second: 10000, burst_count: 10000}'
  cat > "$dir/homeserver.yaml" <<YAML
server_name: localhost
pid_file: $dir/homeserver.pid
listeners:
  - port: $port
    bind_addresses: ['127.0.0.1']
    type: http
    tls: false
    x_forwarded: false
    resources: [{names: [client, openid], compress: false}]
database: {name: sqlite3, args: {database: "$database"}}
media_store_path: $dir/media
signing_key_path: $dir/signing.key
log_config: $dir/log.yaml
report_stats: false
enable_registration: false
registration_shared_secret: "smsdesk-test-shared-secret"
macaroon_secret_key: "smsdesk-test-macaroon"
form_secret: "smsdesk-test-form"
trusted_key_servers: []
suppress_key_server_warning: true
presence: {enabled: false}
bcrypt_rounds: 4
rc_message: $limit
rc_registration: $limit
rc_room_creation: $limit
rc_joins_per_room: $limit
rc_profile: $limit
rc_user_directory: $limit
rc_delayed_event_mgmt: $limit
rc_login: {address: $limit, account: $limit, failed_attempts: $limit}
rc_joins: {local: $limit, remote: $limit}
rc_invites: {per_room: $limit, per_user: $limit, per_issuer: $limit}
rc_presence: {per_user: $limit}
YAML
  if [ -n "${SYNAPSE_APP_SERVICE:-}" ]; then
    echo "app_service_config_files: [\"$SYNAPSE_APP_SERVICE\"]" >> "$dir/homeserver.yaml"
  fi
  # SYNAPSE_FOR_TESTS=1 (the tests' Synapse): no user directory and no
  # room statistics. Neither is used by smsdesk or the tests, and each
  # updates on every membership change (the suite's Synapse CPU 226 ->
  # 196 s with the port wait below). The demo keeps both: people search
  # the directory in Element.
  if [ -n "${SYNAPSE_FOR_TESTS:-}" ]; then
    printf '%s\n' 'user_directory: {enabled: false}' 'stats: {enabled: false}' >> "$dir/homeserver.yaml"
  fi
  # SYNAPSE_ENCRYPTION=all: every new room encrypted, as organisations set it.
  if [ -n "${SYNAPSE_ENCRYPTION:-}" ]; then
    echo "encryption_enabled_by_default_for_room_type: $SYNAPSE_ENCRYPTION" >> "$dir/homeserver.yaml"
  fi
  # SYNAPSE_EXTRA=FILE: more settings (a test's single sign-on, say).
  if [ -n "${SYNAPSE_EXTRA:-}" ]; then
    cat "$SYNAPSE_EXTRA" >> "$dir/homeserver.yaml"
  fi
  cat > "$dir/log.yaml" <<YAML
version: 1
formatters: {precise: {format: '%(asctime)s %(levelname)s %(name)s %(message)s'}}
handlers: {file: {class: logging.FileHandler, filename: $dir/homeserver.log, formatter: precise}}
root: {level: WARNING, handlers: [file]}
disable_existing_loggers: false
YAML
  [ -f "$dir/signing.key" ] || signing_key "$dir/signing.key"
}

start() {
  local dir=$1 port=$2 db=${3:-memory}
  install
  write_config "$dir" "$port" "$db"
  local pid= asked=0
  if [ -n "${SYNAPSE_FORKSERVER:-}" ]; then
    pid=$(forked "$dir/homeserver.yaml" "$dir/stdout.log") || asked=$?
    # 3: no fork server there (nothing was started); anything else: it
    # answered with an error, or may have started one.
    if [ "$asked" = 3 ]; then
      echo "starting this Synapse on its own instead" >&2
      pid=
    elif [ "$asked" != 0 ]; then
      return 1
    fi
  fi
  if [ -z "$pid" ]; then
    "$py" -m synapse.app.homeserver -c "$dir/homeserver.yaml" > "$dir/stdout.log" 2>&1 &
    pid=$!
  fi
  echo "$pid" > "$dir/synapse.pid"
  # A first start creates the database; on a loaded 2-core machine (the
  # test suite runs beside it) that has taken over 30 s.
  # Until its port takes a connection, bash's own /dev/tcp asks (a
  # subshell, no program started): a curl every 0.1 s was a tenth of a
  # second of CPU per start, for each test's Synapse. Then curl confirms
  # it answers.
  for _ in $(seq 1 900); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null &&
      curl -sf "http://127.0.0.1:$port/_matrix/client/versions" >/dev/null; then
      echo "$pid"
      return 0
    fi
    kill -0 "$pid" 2>/dev/null || { echo "synapse exited; see $dir/stdout.log and $dir/homeserver.log" >&2; return 1; }
    sleep 0.1
  done
  echo "synapse did not answer on port $port within 90 s" >&2
  return 1
}

# A Synapse forked by the fork server (scripts/synapse-forkserver.py), which
# imported Synapse once for all of them; prints its process id. Exits 3
# when no fork server takes the request.
forked() {
  "$py" - "$SYNAPSE_FORKSERVER" "$1" "$2" "$PWD" <<'PY'
import json, socket, sys
path, config, stdout, cwd = sys.argv[1:]
with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as s:
    s.settimeout(30)
    try:
        s.connect(path)
    except OSError as e:
        print(f"no Synapse fork server at {path}: {e}", file=sys.stderr)
        sys.exit(3)
    try:
        s.sendall(json.dumps({"config": config, "stdout": stdout, "cwd": cwd}).encode() + b"\n")
        answer = s.makefile().readline().strip()
    except OSError as e:
        sys.exit(f"the Synapse fork server at {path} did not answer: {e}")
if not answer.isdigit():
    sys.exit(f"the Synapse fork server did not start it: {answer or 'no answer'}")
print(answer)
PY
}

# Serves forks of one imported Synapse on a Unix socket until killed (its
# output in SOCKET.log); prints its process id once it takes requests.
forkserver() {
  local socket=$1
  install
  rm -f "$socket"
  "$py" "$root/scripts/synapse-forkserver.py" "$socket" > "$socket.log" 2>&1 &
  local pid=$!
  for _ in $(seq 1 600); do
    [ -S "$socket" ] && { echo "$pid"; return 0; }
    kill -0 "$pid" 2>/dev/null || { echo "the Synapse fork server exited; see $socket.log" >&2; return 1; }
    sleep 0.1
  done
  kill "$pid" 2>/dev/null || true
  echo "the Synapse fork server did not listen within 60 s; see $socket.log" >&2
  return 1
}

register() {
  local port=$2 user=$3 password=$4
  "$py" - "$port" "$user" "$password" <<'PY'
import hashlib, hmac, json, sys, urllib.request
port, user, password = sys.argv[1], sys.argv[2], sys.argv[3]
base = f"http://127.0.0.1:{port}/_synapse/admin/v1/register"
nonce = json.load(urllib.request.urlopen(base))["nonce"]
mac = hmac.new(b"smsdesk-test-shared-secret", digestmod=hashlib.sha1)
for part in (nonce, user, password, "notadmin"):
    mac.update(part.encode() + (b"\x00" if part != "notadmin" else b""))
body = json.dumps({"nonce": nonce, "username": user, "password": password, "admin": False, "mac": mac.hexdigest()}).encode()
req = urllib.request.Request(base, data=body, headers={"Content-Type": "application/json"})
print(json.load(urllib.request.urlopen(req))["user_id"])
PY
}

stop() {
  local dir=$1
  if [ -f "$dir/synapse.pid" ]; then
    kill "$(cat "$dir/synapse.pid")" 2>/dev/null || true
    rm -f "$dir/synapse.pid"
  fi
}

cmd=${1:-}
shift || true
case "$cmd" in
  install) install ;;
  start) start "$@" ;;
  register) register "$@" ;;
  stop) stop "$@" ;;
  forkserver) forkserver "$@" ;;
  *) echo "usage: $0 install | start DIR PORT [sqlite] | register DIR PORT USER PASSWORD | stop DIR | forkserver SOCKET" >&2; exit 2 ;;
esac
