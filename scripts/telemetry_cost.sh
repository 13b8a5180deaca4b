#!/usr/bin/env bash
# Instructions per send that the telemetry costs, counted by callgrind (exact and repeatable,
# unlike wall time on a shared machine) on benches/telemetry.rs: the full default stack with an
# in-process transport, 1,000 then 3,000 sends per mode; per send = the difference / 2,000, so
# start-up and set-up cancel out.
#
#   scripts/telemetry_cost.sh              # modes off, prometheus, spans on this tree
#   BASE=<rev> scripts/telemetry_cost.sh   # also `off` on <rev> (before the telemetry), built in
#                                          # a temporary worktree with the same bench
set -euo pipefail
cd "$(dirname "$0")/.."
LOW=${LOW:-1000}
HIGH=${HIGH:-3000}
TARGET=${CARGO_TARGET_DIR:-$PWD/target}

bench_binary() { # $1: the tree's root
  (cd "$1" && CARGO_TARGET_DIR="$TARGET" cargo bench --bench telemetry --no-run \
      --message-format=json 2>/dev/null) |
    python3 -c 'import json,sys
for line in sys.stdin:
    m = json.loads(line)
    if m.get("reason") == "compiler-artifact" and m["target"]["name"] == "telemetry" and m.get("executable"):
        print(m["executable"])'
}

instructions() { # $1: binary, $2: mode, $3: sends
  local out
  out=$(mktemp)
  valgrind --tool=callgrind --callgrind-out-file="$out" "$1" callgrind "$2" "$3" >/dev/null 2>&1
  awk '/^summary:/ {print $2}' "$out"
  rm -f "$out"
}

per_send() { # $1: binary, $2: mode
  local low high
  low=$(instructions "$1" "$2" "$LOW")
  high=$(instructions "$1" "$2" "$HIGH")
  echo $(( (high - low) / (HIGH - LOW) ))
}

report() { # $1: label, $2: instructions per send
  printf '%-34s %10s instructions/send\n' "$1" "$2"
}

if [[ -n "${BASE:-}" ]]; then
  base_tree=$(mktemp -d)
  trap 'git worktree remove --force "$base_tree" >/dev/null 2>&1 || true' EXIT
  git worktree add --detach "$base_tree" "$BASE" >/dev/null 2>&1
  cp benches/telemetry.rs "$base_tree/benches/"
  if ! grep -q 'name = "telemetry"' "$base_tree/Cargo.toml"; then
    printf '\n[[bench]]\nname = "telemetry"\nharness = false\n' >>"$base_tree/Cargo.toml"
  fi
  (cd "$base_tree" && cargo add --quiet --offline --dev metrics-exporter-prometheus@0.18 \
      --no-default-features >/dev/null 2>&1 || cargo add --quiet --dev \
      metrics-exporter-prometheus@0.18 --no-default-features)
  base_bin=$(bench_binary "$base_tree")
  base=$(per_send "$base_bin" off)
  report "base $BASE (no telemetry)" "$base"
fi

bin=$(bench_binary "$PWD")
off=$(per_send "$bin" off)
report "no recorder, no subscriber" "$off"
if [[ -n "${base:-}" ]]; then
  report "  telemetry's own cost" "$(( off - base ))"
fi
prometheus=$(per_send "$bin" prometheus)
report "Prometheus recorder" "$prometheus"
report "  the recorder's cost" "$(( prometheus - off ))"
spans=$(per_send "$bin" spans)
report "a subscriber taking every span" "$spans"
report "  the spans' cost" "$(( spans - off ))"
