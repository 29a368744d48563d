#!/usr/bin/env bash
# Runs opsdeck from a fresh clone: builds it, seeds a small demo data set on first run,
# and serves on http://127.0.0.1:8080 (the first start prints the admin password).
set -euo pipefail
cd "$(dirname "$0")/.."
cargo build --release --locked --bin opsdeck
exec ./target/release/opsdeck serve --demo "$@"
