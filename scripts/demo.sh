#!/usr/bin/env bash
# The demo (README): a local Synapse, demo agents, the carrier simulator and
# smsdesk with examples/smsdesk.toml, and a first customer SMS, so that
# Alice sees an offer as soon as she logs in with any Matrix client.
# Ctrl-C stops everything. Data lives in data/demo/ (wiped at each start).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2
bash scripts/build-plugins.sh >/dev/null
# SMSDESK_DEMO_BIN: an smsdesk binary built already (the demo's own test
# gives the one the test build made, instead of a second build of it).
if [ -n "${SMSDESK_DEMO_BIN:-}" ]; then
  bin=$SMSDESK_DEMO_BIN
else
  cargo build --quiet -p smsdesk
  bin=$root/target/debug/smsdesk
fi
bash scripts/synapse.sh install

export TWILIO_AUTH_TOKEN=${TWILIO_AUTH_TOKEN:-demo-auth-token}
export SMSDESK_MATRIX_PASSWORD=${SMSDESK_MATRIX_PASSWORD:-demo-bot-password}
export SMSDESK_SUPERVISOR_TOKEN=${SMSDESK_SUPERVISOR_TOKEN:-demo-supervisor-token}
demo=$root/data/demo
rm -rf "$demo"
mkdir -p "$demo"

pids=()
cleanup() {
  trap - EXIT INT TERM
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  bash scripts/synapse.sh stop "$demo/synapse" || true
  wait 2>/dev/null || true
  echo "demo stopped."
}
trap cleanup EXIT INT TERM

wait_port() {
  for _ in $(seq 1 600); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  return 1
}

echo "== starting Synapse on http://127.0.0.1:8008 (server name: localhost)"
bash scripts/synapse.sh start "$demo/synapse" 8008 sqlite >/dev/null
bash scripts/synapse.sh register "$demo/synapse" 8008 smsdesk "$SMSDESK_MATRIX_PASSWORD" >/dev/null
for agent in alice bob carol sue; do
  bash scripts/synapse.sh register "$demo/synapse" 8008 "$agent" "$agent-demo-password" >/dev/null
done

"$bin" check-config --config examples/smsdesk.toml
"$bin" sim --listen 127.0.0.1:8090 --smsdesk-url http://127.0.0.1:8080 > "$demo/sim.log" 2>&1 & pids+=($!)
"$bin" run --config examples/smsdesk.toml > "$demo/smsdesk.log" 2>&1 & pids+=($!)
wait_port 8090
wait_port 8080

# Alice joins her desk room and says !available, so the first SMS is offered to her at once.
"$root/.venv/bin/python" - <<'PY'
import json, time, urllib.request
hs = "http://127.0.0.1:8008"
def call(method, path, body=None, token=None):
    req = urllib.request.Request(hs + path, method=method, data=json.dumps(body).encode() if body is not None else None,
                                 headers={"Content-Type": "application/json", **({"Authorization": f"Bearer {token}"} if token else {})})
    return json.load(urllib.request.urlopen(req))
token = call("POST", "/_matrix/client/v3/login", {"type": "m.login.password", "identifier": {"type": "m.id.user", "user": "alice"}, "password": "alice-demo-password"})["access_token"]
deadline, since, desk = time.time() + 60, None, None
while desk is None and time.time() < deadline:
    sync = call("GET", "/_matrix/client/v3/sync?timeout=2000" + (f"&since={since}" if since else ""), token=token)
    since = sync["next_batch"]
    for room in sync.get("rooms", {}).get("invite", {}):
        call("POST", f"/_matrix/client/v3/rooms/{room}/join", {}, token=token)
        desk = room
if desk is None:
    raise SystemExit("Alice's desk room never arrived")
call("PUT", f"/_matrix/client/v3/rooms/{desk}/send/m.room.message/demo-available", {"msgtype": "m.text", "body": "!available"}, token=token)
PY
sleep 1

echo
echo "== a customer texts +15550001111 (queue billing):"
curl -s 127.0.0.1:8090/sim/inbound -H 'content-type: application/json' \
  -d '{"from": "+15557770001", "to": "+15550001111", "body": "Hi, I was charged twice for my October bill"}'
echo
cat <<TXT

smsdesk demo is running.
  Matrix homeserver: http://127.0.0.1:8008   (use any Matrix client, e.g. Element; server name "localhost")
  Agents (user / password):
    alice / alice-demo-password   <- already available: her desk room shows the offer. Type !accept 1
    bob   / bob-demo-password
    carol / carol-demo-password
  Supervisor: sue / sue-demo-password  (her supervisor room: !stats, !agents, !history, !monitor)
  Wallboard: http://127.0.0.1:8080/supervisor   (sign in with Matrix as sue; operator token: $SMSDESK_SUPERVISOR_TOKEN)
  Export:    target/debug/smsdesk export --config examples/smsdesk.toml --since $(date -u +%F)
  The customer's phone (carrier simulator) on http://127.0.0.1:8090:
    text:    curl -s 127.0.0.1:8090/sim/inbound -H 'content-type: application/json' -d '{"from": "+15557770001", "to": "+15550001111", "body": "hello"}'
    replies: curl -s 127.0.0.1:8090/sim/messages
  smsdesk: http://127.0.0.1:8080 (/metrics, /readyz); logs in data/demo/smsdesk.log
Ctrl-C stops everything.
demo ready
TXT
wait
