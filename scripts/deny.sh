#!/usr/bin/env bash
# Supply-chain checks with cargo-deny (policy in deny.toml).
#
#   scripts/deny.sh
#
# Always runs `cargo deny check licenses bans sources`: these need only the crates already in
# the local cargo registry, so they work offline and behind a registry-only proxy. Runs
# `advisories` only when the RustSec advisory database can be fetched (it lives on GitHub); when
# it cannot, the script says so and does NOT count advisories as passed.
# Installs cargo-deny first (`cargo install cargo-deny --locked`, a few minutes of compiling)
# when it is missing. Exits non-zero when a check that ran failed.
# DENY_ADVISORIES=skip leaves out the advisory fetch altogether (CI: no network beyond
# crates.io); the script then says that advisories were not checked.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! cargo deny --version >/dev/null 2>&1; then
    echo "== installing cargo-deny (cargo install cargo-deny --locked)"
    # Its own target dir, so the install never fights the project's build for a lock.
    CARGO_TARGET_DIR="${DENY_INSTALL_TARGET_DIR:-${TMPDIR:-/tmp}/cargo-deny-install}" \
        cargo install cargo-deny --locked
fi
echo "== $(cargo deny --version)"

echo "== cargo deny check licenses bans sources"
cargo deny check licenses bans sources
echo "== licenses, bans, sources: passed"

if [ "${DENY_ADVISORIES:-auto}" = "skip" ]; then
    echo "== advisories: NOT CHECKED (DENY_ADVISORIES=skip)"
    exit 0
fi
echo "== fetching the advisory database"
if timeout "${DENY_FETCH_TIMEOUT:-60}" cargo deny fetch db; then
    echo "== cargo deny check advisories"
    cargo deny check --disable-fetch advisories
    echo "== advisories: passed"
else
    echo "== advisories: NOT CHECKED (the RustSec advisory database could not be fetched;"
    echo "   run scripts/deny.sh on a machine that can reach github.com to check them)"
fi
