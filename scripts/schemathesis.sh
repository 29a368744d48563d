#!/usr/bin/env bash
# Property-based API tests: schemathesis (pinned below) against the debug binary's own
# /api/openapi.json, as a partner admin, an integrator token, ops staff and a superadmin, on a
# fresh SQLite database with the demo data (or PostgreSQL: pass --postgres URL of an empty
# database, or --postgres-admin URL to have a fresh one created and dropped). Fixed seed and
# example count: the same requests every run. Reports (JUnit) land in target/schemathesis/.
# Usage: bash scripts/schemathesis.sh [--install-only | --postgres[-admin] URL] [--role NAME]...
set -euo pipefail
cd "$(dirname "$0")/.."

SCHEMATHESIS_VERSION=4.32.5
VENV=target/schemathesis-venv

if [[ ! -x "$VENV/bin/schemathesis" ]] || ! "$VENV/bin/schemathesis" --version | grep -q "$SCHEMATHESIS_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "schemathesis==$SCHEMATHESIS_VERSION"
fi
if [[ "${1:-}" == "--install-only" ]]; then
  exit 0
fi
if [[ "${1:-}" == "--postgres-admin" ]]; then
  admin_url="$2"
  shift 2
  database="opsdeck_schemathesis_$$"
  psql -q "$admin_url" -c "CREATE DATABASE \"$database\""
  trap 'psql -q "$admin_url" -c "DROP DATABASE IF EXISTS \"$database\" WITH (FORCE)" >/dev/null' EXIT
  base="${admin_url%%\?*}"
  query="${admin_url#"$base"}"
  set -- --postgres "${base%/*}/$database$query" "$@"
fi
if [[ ! -x target/debug/opsdeck ]]; then
  cargo build --locked --bin opsdeck
fi
"$VENV/bin/python" tests/schemathesis/run.py --binary target/debug/opsdeck "$@"
