#!/usr/bin/env bash
# The demo command (README). Not yet: the demo needs the carrier gateway and
# the Matrix desk (issues "Carrier gateway" and "Matrix agent desk"). Until
# then this shows the engine at work: the commit benchmark on this disk.
set -euo pipefail
cd "$(dirname "$0")/.."
echo "smsdesk demo: not yet available — the HTTP gateway and the Matrix desk are still being built."
echo "Meanwhile, here is the conversation engine committing SMS durably on this machine:"
echo
cargo bench -p smsdesk-core --bench commit
