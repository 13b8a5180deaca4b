# Sourced by scripts/callgrind-send.sh and scripts/cache-send.sh: builds the send bench, starts
# its loopback server (SEND_COST=server) in a process of its own, outside valgrind, and sets
#   BIN   the bench binary (SEND_COST=raw|sdk|sdk_no_layers runs one side),
#   BASE  the server's address (for SEND_COST_BASE),
#   OUT   a scratch directory; the server and OUT go away when the script exits.
cargo bench --bench send --no-run >/dev/null 2>&1 || cargo bench --bench send --no-run
BIN=$(ls -t target/release/deps/send-* | grep -v '\.d$' | head -1)
OUT=$(mktemp -d)
trap 'kill "$SERVER" 2>/dev/null || true; rm -rf "$OUT"' EXIT
SEND_COST=server "$BIN" >"$OUT/server" &
SERVER=$!
for _ in $(seq 100); do
    [ -s "$OUT/server" ] && break
    sleep 0.1
done
BASE=$(head -1 "$OUT/server")
