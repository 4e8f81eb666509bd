#!/usr/bin/env bash
# Builds the example plugins (examples/plugins/*) as WebAssembly components
# and copies them to examples/plugins/dist/<name>.wasm.
set -euo pipefail
cd "$(dirname "$0")/.."
# Built as a plugin author builds them: not through the test command's
# clippy-driver (its variables reach the tests, and the demo test runs this).
unset RUSTC_WORKSPACE_WRAPPER CLIPPY_ARGS
rustup target list --installed 2>/dev/null | grep -qx wasm32-wasip2 || rustup target add wasm32-wasip2
cargo build --quiet --manifest-path examples/plugins/Cargo.toml --target wasm32-wasip2 --release
mkdir -p examples/plugins/dist
for f in examples/plugins/target/wasm32-wasip2/release/*.wasm; do
  name=$(basename "$f" .wasm)
  name=${name#smsdesk_}; name=${name//_/-}
  cp "$f" "examples/plugins/dist/$name.wasm"
done
ls -l examples/plugins/dist
