#!/usr/bin/env bash
# A local S3-protocol server for the tests: moto's server (pinned below, installed from PyPI into
# target/moto-venv), on a free loopback port, keeping everything in memory.
# Usage: bash scripts/s3-server.sh --install-only
#        bash scripts/s3-server.sh --start PIDFILE   (prints the endpoint URL once it answers)
set -euo pipefail
cd "$(dirname "$0")/.."

MOTO_VERSION=5.2.6
VENV=target/moto-venv

# Tests may start several servers at once: one of them installs, the others wait for it.
mkdir -p target
exec 9>target/moto-venv.lock
flock 9
if [[ ! -x "$VENV/bin/moto_server" ]] || ! "$VENV/bin/pip" show moto 2>/dev/null | grep -qx "Version: $MOTO_VERSION"; then
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check "moto[server]==$MOTO_VERSION"
fi
flock -u 9
if [[ "${1:-}" == "--install-only" ]]; then
  exit 0
fi
if [[ "${1:-}" != "--start" || -z "${2:-}" ]]; then
  echo "usage: $0 --install-only | --start PIDFILE" >&2
  exit 2
fi
pidfile="$2"
port=$("$VENV/bin/python" -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
mkdir -p target/s3-server
log="target/s3-server/moto-$port.log"
"$VENV/bin/moto_server" -H 127.0.0.1 -p "$port" >"$log" 2>&1 9>&- &
echo $! >"$pidfile"
for _ in $(seq 1 100); do
  if "$VENV/bin/python" -c "import urllib.request; urllib.request.urlopen('http://127.0.0.1:$port/moto-api/')" 2>/dev/null; then
    echo "http://127.0.0.1:$port"
    exit 0
  fi
  sleep 0.2
done
echo "moto_server did not answer on port $port ($log)" >&2
exit 1
