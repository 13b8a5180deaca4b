#!/usr/bin/env bash
# Instructions per send (callgrind): plain reqwest against the SDK's default stack, posting the
# same bytes to one loopback server with the same 30 s timeout (benches/send.rs, SEND_COST mode).
#
#   scripts/callgrind-send.sh [SENDS]      # default 2000
#
# The server runs in its own process outside valgrind, so only the client side is counted.
# Each side runs twice (200 and 200+SENDS sends, 50 warm-up sends each time); the difference
# divided by SENDS is the per-send cost, free of start-up and connection set-up.
set -euo pipefail
cd "$(dirname "$0")/.."
SENDS="${1:-2000}"
BASE_SENDS=200
# shellcheck source=scripts/send-cost-server.sh
. scripts/send-cost-server.sh

instructions() { # side sends
    SEND_COST="$1" SEND_COST_BASE="$BASE" SEND_COST_N="$2" \
        valgrind --tool=callgrind --callgrind-out-file="$OUT/cg.$1.$2" "$BIN" \
        >/dev/null 2>"$OUT/log.$1.$2"
    grep -o 'Collected : [0-9]*' "$OUT/log.$1.$2" | grep -o '[0-9]*$'
}

declare -A PER_SEND
for side in raw sdk; do
    low=$(instructions "$side" "$BASE_SENDS")
    high=$(instructions "$side" "$((BASE_SENDS + SENDS))")
    PER_SEND[$side]=$(( (high - low) / SENDS ))
    echo "$side: $(( PER_SEND[$side] )) instructions per send ($SENDS sends)"
done
awk -v raw="${PER_SEND[raw]}" -v sdk="${PER_SEND[sdk]}" \
    'BEGIN { printf "sdk/raw: %.3f\n", sdk / raw }'
