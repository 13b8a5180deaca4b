#!/usr/bin/env bash
# The many-senders drill under artificial load: two CPU hogs and a loop of synchronous disk
# writes (they stall PostgreSQL's commits), as on a busy shared machine.
#
#   scripts/drill_under_load.sh DRILL [DRILL ...]   # each a many_senders_drill executable
#
# Runs each executable in turn with `--messages 10000 --outage-secs 20` under the same load and
# prints its rate, 130429, outcome and permit-age lines: an A/B of two builds (BENCHMARKS.md,
# "After the fix"). Needs PostgreSQL and Redis (scripts/services.sh).
set -euo pipefail
[ $# -ge 1 ] || { echo "usage: $0 DRILL [DRILL ...]" >&2; exit 2; }
LOAD_FILE=$(mktemp)
sha256sum /dev/zero & H1=$!
sha256sum /dev/zero & H2=$!
( while true; do dd if=/dev/zero of="$LOAD_FILE" bs=64k count=200 oflag=dsync 2>/dev/null; done ) & H3=$!
trap 'kill $H1 $H2 $H3 2>/dev/null || true; rm -f "$LOAD_FILE"' EXIT
for drill in "$@"; do
    echo "=== $drill $(date +%T) load $(cut -d' ' -f1-3 /proc/loadavg)"
    "$drill" --messages 10000 --workers 4 --rate 80 --outage-secs 20 2>&1 |
        grep -E "steady|busiest|130429|accepted:|unknown rows|permit age|recovery|outage:" || true
done
