#!/usr/bin/env bash
# Runs opsdeck from a fresh clone: builds the single-page app and the server, seeds a small demo
# data set on first run, and serves both on http://127.0.0.1:8080 (the first start prints the
# admin password). Needs Rust (stable) and Node.js >= 20.19 with npm.
set -euo pipefail
cd "$(dirname "$0")/.."

# The SPA: dependencies exactly as locked (skipped when node_modules already matches the lock
# file), then the production build in frontend/dist.
if [[ ! frontend/node_modules/.package-lock.json -nt frontend/package-lock.json ]]; then
  (cd frontend && npm ci --no-audit --no-fund)
fi
(cd frontend && npm run build)

cargo build --release --locked --bin opsdeck
OPSDECK_STATIC_DIR="$PWD/frontend/dist" exec ./target/release/opsdeck serve --demo "$@"
