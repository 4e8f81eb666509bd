#!/usr/bin/env bash
# The test command (README): installs what the tests need, then runs format
# and lint checks and the whole test suite. Works on a fresh machine as root.
set -euo pipefail
cd "$(dirname "$0")/.."

# Each phase's name and start (seconds), for the times printed at the end.
phases=()
started=$(date +%s)
log() {
  phases+=("$(date +%s) $*")
  printf '\n== %s\n' "$*"
}
phase_times() {
  local end i now next name
  end=$(date +%s)
  printf '\n== phase times\n'
  for i in "${!phases[@]}"; do
    now=${phases[$i]%% *}
    name=${phases[$i]#* }
    next=$end
    [ $((i + 1)) -lt "${#phases[@]}" ] && next=${phases[$((i + 1))]%% *}
    printf '%5d s  %s\n' $((next - now)) "$name"
  done
  printf '%5d s  in all\n' $((end - started))
}

# strace: the durability test checks that every acknowledgement follows a
# real fdatasync. chromium and chromedriver: the wallboard is tested in a
# real headless browser.
need=()
command -v strace >/dev/null 2>&1 || need+=(strace)
command -v chromium >/dev/null 2>&1 || need+=(chromium)
command -v chromedriver >/dev/null 2>&1 || need+=(chromium-driver)
if [ "${#need[@]}" -gt 0 ]; then
  log "installing ${need[*]}"
  sudo=""
  [ "$(id -u)" = 0 ] || sudo=sudo
  $sudo apt-get update -qq && $sudo env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}"
fi

# Synapse (for the Matrix end-to-end tests) installs from PyPI into .venv
# while the code builds: mostly waiting on the network, it need not hold
# up the build.
log "installing Synapse into .venv, in the background until the tests"
synapse_log=$(mktemp)
bash scripts/synapse.sh install >"$synapse_log" 2>&1 &
synapse_pid=$!

log "links in the documents"
bash scripts/check-links.sh

log "import circles between modules"
python3 scripts/import-scan.py

log "words for agents and supervisors only in the catalogs (locales/)"
python3 scripts/literal-scan.py

log "building the example plugins (wasm32-wasip2)"
bash scripts/build-plugins.sh >/dev/null

log "the plugin SDK's own tests (host target)"
cargo test --quiet --manifest-path examples/plugins/Cargo.toml -p smsdesk-plugin-sdk

log "PostgreSQL (for the PostgreSQL store's tests)"
bash scripts/postgres.sh install

# No incremental caches: CI builds once from a clean checkout, and they
# would take gigabytes of disk for nothing.
export CARGO_INCREMENTAL=0

log "cargo fmt --check"
cargo fmt --all --check

# clippy's lints in the one build the tests use: `cargo clippy` would check
# every dependency a second time (about 150 s from scratch on 2 cores).
# clippy-driver compiles the workspace's own crates, linting them as `cargo
# clippy --workspace --all-targets -- -D warnings` does, through Cargo's
# RUSTC_WORKSPACE_WRAPPER (how `cargo clippy` itself runs it); dependencies
# are built by rustc once. Set for every build below, so none rebuilds (the
# tests inherit them: scripts/build-plugins.sh and the plugin author's test
# unset them, to build as anyone else does).
driver="$(dirname "$(rustup which cargo 2>/dev/null || echo /nonexistent)")/clippy-driver"
[ -x "$driver" ] || driver=$(command -v clippy-driver) || {
  echo "clippy-driver not found: rustup component add clippy" >&2
  exit 1
}
export RUSTC_WORKSPACE_WRAPPER="$driver"
export CLIPPY_ARGS="-D__CLIPPY_HACKERY__warnings__CLIPPY_HACKERY__"

log "building every target with clippy's lints (-D warnings)"
cargo test --workspace --all-targets --no-run --quiet

log "waiting for the Synapse install"
if ! wait "$synapse_pid"; then
  cat "$synapse_log" >&2
  echo "installing Synapse into .venv failed (above)" >&2
  exit 1
fi

log "tests"
# Every process the tests start carries SMSDESK_TEST_CHILD=<this run>.
export SMSDESK_TEST_RUN="run-$$-$(date +%s)"
# The plugin tools' compiled plugins: in the build folder, not in the
# runner's ~/.cache.
export SMSDESK_PLUGIN_CACHE="$PWD/target/tmp/plugin-tools-cache"
status=0
have_nextest=0
cargo nextest --version >/dev/null 2>&1 && have_nextest=1
run_tests() {
  if [ "$have_nextest" = 1 ]; then
    cargo nextest run --no-fail-fast "$@"
  else
    cargo test --no-fail-fast "$@"
  fi
}
# Each test that needs a homeserver starts its own Synapse (its own users,
# rooms and database). They are forked from one Python that imported
# Synapse once: the import was 1.2 of a start's 1.75 s of CPU, and the
# suite starts about seventy. It carries this run's mark, as they do.
# Without it (it did not start) each starts the plain way.
forks=$(mktemp -d)
forkserver=$(SMSDESK_TEST_CHILD="$SMSDESK_TEST_RUN" bash scripts/synapse.sh forkserver "$forks/synapse.sock") ||
  forkserver=
[ -n "$forkserver" ] && export SYNAPSE_FORKSERVER="$forks/synapse.sock"
run_tests --workspace || status=$?
unset SYNAPSE_FORKSERVER
if [ -n "$forkserver" ]; then
  kill "$forkserver" 2>/dev/null || true
  for _ in $(seq 1 50); do
    [ -d "/proc/$forkserver" ] || break
    sleep 0.1
  done
fi
# Its own log holds only what went wrong (each Synapse logs in its folder).
if [ -s "$forks/synapse.sock.log" ]; then
  echo "the Synapse fork server said:" >&2
  cat "$forks/synapse.sock.log" >&2
fi
rm -rf "$forks"

# The engine's lifecycle and property tests again on the two real stores:
# sled, and PostgreSQL (a throwaway server, removed afterwards).
log "lifecycle and property tests on sled and on PostgreSQL"
pg_port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
pg_data=$(bash scripts/postgres.sh start "$pg_port")
trap 'bash scripts/postgres.sh destroy "$pg_data"' EXIT
# Selected from the workspace build (the same features): nothing is built again.
if [ "$have_nextest" = 1 ]; then
  engine_tests=(--workspace -E 'package(smsdesk-engine) & (binary(lifecycle) | binary(properties))')
else
  engine_tests=(--workspace --test lifecycle --test properties)
fi
for store in sled "postgres://smsdesk:smsdesk@127.0.0.1:$pg_port/smsdesk"; do
  echo "SMSDESK_TEST_STORE=${store%%:*}"
  SMSDESK_TEST_STORE=$store PROPTEST_CASES=32 run_tests "${engine_tests[@]}" || status=$?
done

# After the suite: every process this run's tests started (Synapse,
# smsdesk, the simulator, the demo) must be gone.
log "no test process left running"
left=$(grep -lasxz "SMSDESK_TEST_CHILD=$SMSDESK_TEST_RUN" /proc/[0-9]*/environ | cut -d/ -f3 || true)
if [ -n "$left" ]; then
  echo "processes started by the tests are still running:" >&2
  for pid in $left; do
    tr '\0' ' ' < "/proc/$pid/cmdline" 2>/dev/null | sed "s/^/  $pid: /" >&2 || true
    echo >&2
  done
  kill $left 2>/dev/null || true
  status=1
else
  echo "none"
fi
phase_times
exit "$status"
