#!/usr/bin/env bash
# Every test of opsdeck: formatting, lints, the Rust suite on SQLite (and on PostgreSQL when
# OPSDECK_TEST_POSTGRES_URL is set), and the OpenAPI drift check (part of the suite).
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

step "Rust suite on SQLite"
env -u OPSDECK_TEST_POSTGRES_URL cargo nextest run --workspace --locked --no-fail-fast

if [[ -n "${OPSDECK_TEST_POSTGRES_URL:-}" ]]; then
  step "Rust suite on PostgreSQL ($OPSDECK_TEST_POSTGRES_URL)"
  cargo nextest run --workspace --locked --no-fail-fast
fi
