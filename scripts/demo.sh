#!/usr/bin/env bash
# The demo command (README). Starts the carrier simulator and smsdesk with
# examples/smsdesk.toml, sends a first customer SMS, and shows it stored and
# queued. Ctrl-C stops everything.
#
# Not yet: agents in Matrix (the Matrix desk is the next piece). Until then
# the conversation waits in its queue; you can text more with the simulator.
set -euo pipefail
cd "$(dirname "$0")/.."

rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2
bash scripts/build-plugins.sh >/dev/null
cargo build --quiet -p smsdesk
bin=target/debug/smsdesk

export TWILIO_AUTH_TOKEN=${TWILIO_AUTH_TOKEN:-demo-auth-token}
export SMSDESK_MATRIX_PASSWORD=${SMSDESK_MATRIX_PASSWORD:-not-used-yet}

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
  echo "demo stopped."
}
trap cleanup EXIT INT TERM

wait_port() {
  for _ in $(seq 1 300); do
    (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null && return 0
    sleep 0.1
  done
  echo "nothing listens on port $1" >&2
  return 1
}

"$bin" check-config --config examples/smsdesk.toml
"$bin" sim --listen 127.0.0.1:8090 --smsdesk-url http://127.0.0.1:8080 & pids+=($!)
"$bin" run --config examples/smsdesk.toml & pids+=($!)
wait_port 8090
wait_port 8080

echo
echo "== a customer texts +15550001111:"
curl -s 127.0.0.1:8090/sim/inbound -H 'content-type: application/json' \
  -d '{"from": "+15557770001", "to": "+15550001111", "body": "Hi, I was charged twice"}'
echo
echo
echo "== smsdesk metrics:"
curl -s 127.0.0.1:8080/metrics | grep -E '^smsdesk_webhooks_total' || true
cat <<TXT

smsdesk is running on http://127.0.0.1:8080 and the carrier simulator on http://127.0.0.1:8090.
Text again:    curl -s 127.0.0.1:8090/sim/inbound -H 'content-type: application/json' -d '{"from": "+15557770002", "to": "+18005550100", "body": "hello"}'
Replies sent:  curl -s 127.0.0.1:8090/sim/messages
Agents in Matrix are not wired up yet (next milestone), so conversations wait in their queues.
Ctrl-C stops everything.
TXT
wait
