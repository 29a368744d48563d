#!/usr/bin/env bash
# The benchmark in one command: builds the release server and the bench tool, installs wrk when
# missing, seeds (or reuses) the data sets, and measures opsdeck next to raw SQL on SQLite and
# PostgreSQL. Results land in bench/results/<date>-<host>-<n>cpu-scale-<s>-<engines>.{md,json}.
#
#   bash bench/run.sh [--scale 1] [--engine sqlite|postgres|both] [--seconds 10] [--reseed]
#
# Every other flag goes to opsdeck-bench (`target/release/opsdeck-bench --help`). PostgreSQL:
# BENCH_POSTGRES_URL (default postgres://postgres@127.0.0.1:5432/postgres) must let it create
# databases; it only ever creates and drops databases named opsdeck_bench_*.
set -euo pipefail
cd "$(dirname "$0")/.."

if ! command -v wrk >/dev/null; then
  if [[ $(id -u) -eq 0 ]]; then
    apt-get install -y wrk >/dev/null || { apt-get update >/dev/null && apt-get install -y wrk >/dev/null; }
  else
    sudo apt-get install -y wrk >/dev/null
  fi
fi

# Two builds, not one: built together, the bench's dependencies (reqwest) would change the
# server's feature set, and the next plain `cargo build --release` would rebuild the server.
cargo build --release --locked --bin opsdeck
cargo build --release --locked -p opsdeck-bench
exec ./target/release/opsdeck-bench "$@"
