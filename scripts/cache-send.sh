#!/usr/bin/env bash
# Where a send's time goes beyond its instruction count: simulated cache misses, branch
# mispredictions and stack depth per send, plain reqwest against the SDK's default stack, posting
# the same bytes to one loopback server (benches/send.rs, SEND_COST mode, as
# scripts/callgrind-send.sh), and the SDK with its four layers removed (`sdk_no_layers`: the
# typed client's own work, to tell the layers' share from the rest).
#
#   scripts/cache-send.sh [SENDS]      # default 2000
#
# Why: the instruction ratio (callgrind-send.sh) is not the latency ratio. A send's code and data
# are larger than the first-level caches, so what the SDK adds is paid in misses as well as in
# instructions. This prints, per send, for each side:
#   * cachegrind (the host's cache geometry, simulated): instructions, I1 and D1 misses, branch
#     mispredictions; each side runs twice (200 and 200+SENDS sends) and the difference is
#     divided by SENDS, free of start-up;
#   * massif --stacks=yes (300 sends): the median and peak stack in use, sampled over the run.
# The server runs in its own process outside valgrind.
set -euo pipefail
cd "$(dirname "$0")/.."
SENDS="${1:-2000}"
BASE_SENDS=200
# shellcheck source=scripts/send-cost-server.sh
. scripts/send-cost-server.sh

# Summary counts of one cachegrind run: Ir I1mr D1mr D1mw Bcm Bim.
cachegrind() { # side sends
    SEND_COST="$1" SEND_COST_BASE="$BASE" SEND_COST_N="$2" \
        valgrind --tool=cachegrind --cache-sim=yes --branch-sim=yes \
        --cachegrind-out-file="$OUT/cg.$1.$2" "$BIN" >/dev/null 2>"$OUT/log.$1.$2"
    awk '/^events:/ { for (i = 2; i <= NF; i++) name[i] = $i }
         /^summary:/ { for (i = 2; i <= NF; i++) v[name[i]] = $i
                       print v["Ir"], v["I1mr"], v["D1mr"], v["D1mw"], v["Bcm"], v["Bim"] }' \
        "$OUT/cg.$1.$2"
}

# Median and peak stack bytes of a massif run.
stack() { # side
    SEND_COST="$1" SEND_COST_BASE="$BASE" SEND_COST_N=300 \
        valgrind --tool=massif --stacks=yes --depth=1 \
        --massif-out-file="$OUT/massif.$1" "$BIN" >/dev/null 2>&1
    grep mem_stacks_B "$OUT/massif.$1" | cut -d= -f2 | sort -n |
        awk '{ v[NR] = $1 } END { printf "%d %d", v[int((NR + 1) / 2)], v[NR] }'
}

printf '%-13s %12s %10s %10s %10s %14s %12s %12s\n' side instructions I1_misses D1_misses \
    of_writes mispredictions stack_median stack_peak
declare -A ROW
for side in raw sdk sdk_no_layers; do
    read -r -a low <<<"$(cachegrind "$side" "$BASE_SENDS")"
    read -r -a high <<<"$(cachegrind "$side" "$((BASE_SENDS + SENDS))")"
    per() { echo $(( (high[$1] - low[$1]) / SENDS )); }
    ir=$(per 0) i1=$(per 1) d1=$(( $(per 2) + $(per 3) )) d1w=$(per 3)
    mis=$(( $(per 4) + $(per 5) ))
    read -r median peak <<<"$(stack "$side")"
    ROW[$side]="$ir $i1 $d1 $mis $median"
    printf '%-13s %12d %10d %10d %10d %14d %12d %12d\n' "$side" "$ir" "$i1" "$d1" "$d1w" "$mis" \
        "$median" "$peak"
done
read -r -a raw <<<"${ROW[raw]}"
read -r -a sdk <<<"${ROW[sdk]}"
awk -v a="${raw[*]}" -v b="${sdk[*]}" 'BEGIN {
    split(a, r, " "); split(b, s, " ")
    printf "sdk/raw: instructions %.3f, I1 misses %.2f, D1 misses %.2f, mispredictions %.2f, median stack %.2f\n",
        s[1] / r[1], s[2] / r[2], s[3] / r[3], s[4] / r[4], s[5] / r[5] }'
