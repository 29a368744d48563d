"""Property-based API tests: schemathesis against the real `opsdeck` binary, once per role.

Starts `opsdeck serve --demo` on a free port with a fresh database (a temporary SQLite file, or a
fresh PostgreSQL database when `--postgres URL` is given), creates one user per role with
`opsdeck user create`, signs them in through `POST /api/v1/auth/login` and creates an integrator
token through `POST /api/v1/tokens`. Then runs `schemathesis run` against `/api/openapi.json` as
each of them in turn, with every check that matters here: no server error, status codes, content
types and bodies as documented, negative data rejected with a 4xx, missing or invalid credentials
refused (`ignored_auth`). The seed and the number of examples are fixed, so a run is repeatable.

Usage (from the repository root, normally through `scripts/schemathesis.sh`):
    python tests/schemathesis/run.py [--binary target/debug/opsdeck] [--postgres URL] [--role NAME]...
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
HERE = Path(__file__).resolve().parent

# Fixed, so that two runs send the same requests (apart from ids the server hands out).
SEED = 20240611
MAX_EXAMPLES = 30
# The run's requests never wait longer than this for an answer (a hang is a failure too).
REQUEST_TIMEOUT_SECS = 10
# A configured webhook provider: deliveries to it reach the signature checks (others are a 404).
WEBHOOK_PROVIDER = "acme"
WEBHOOK_SECRET = "whsec_c2NoZW1hdGhlc2lzLXdlYmhvb2stc2VjcmV0"

CHECKS = ",".join(
    [
        "not_a_server_error",
        "status_code_conformance",
        "content_type_conformance",
        "response_schema_conformance",
        "negative_data_rejection",
        "ignored_auth",
    ]
)

# The live progress stream answers with an endless `text/event-stream`: not something a request
# generator can wait for. It has tests of its own (tests/api/bulk.rs, frontend/src/lib/sse.test.ts).
EXCLUDED_PATHS = ["/api/v1/events"]


@dataclass
class Identity:
    name: str
    token: str


def log(message: str) -> None:
    print(f"[schemathesis] {message}", flush=True)


def request(base: str, method: str, path: str, body: object | None = None, token: str | None = None) -> dict:
    data = None if body is None else json.dumps(body).encode()
    req = urllib.request.Request(f"{base}{path}", data=data, method=method)
    if body is not None:
        req.add_header("content-type", "application/json")
    if token is not None:
        req.add_header("authorization", f"Bearer {token}")
    try:
        with urllib.request.urlopen(req, timeout=30) as response:
            return json.loads(response.read() or b"null")
    except urllib.error.HTTPError as error:
        raise SystemExit(f"{method} {path} failed: {error.code} {error.read().decode(errors='replace')}") from None


class Server:
    """`opsdeck serve --demo` in a temporary directory; stopped (SIGTERM, then SIGKILL) on exit."""

    def __init__(self, binary: Path, database_url: str | None) -> None:
        self.workdir = Path(tempfile.mkdtemp(prefix="opsdeck-schemathesis-"))
        self.env = {k: v for k, v in os.environ.items() if not k.startswith("OPSDECK_")}
        self.env.update(
            {
                "OPSDECK_DATABASE_URL": database_url or f"sqlite://{self.workdir / 'opsdeck.db'}",
                "OPSDECK_STORAGE_DIR": str(self.workdir / "storage"),
                "OPSDECK_BIND": "127.0.0.1:0",
                "OPSDECK_LOG": "warn",
                "OPSDECK_WORKER_POLL_MS": "200",
                f"OPSDECK_WEBHOOK_SECRET_{WEBHOOK_PROVIDER.upper()}": WEBHOOK_SECRET,
            }
        )
        self.binary = binary
        self.output: list[str] = []
        self.process: subprocess.Popen[str] | None = None

    def cli(self, *args: str, stdin: str = "") -> str:
        result = subprocess.run(
            [str(self.binary), *args], env=self.env, input=stdin, capture_output=True, text=True, timeout=120
        )
        if result.returncode != 0:
            raise SystemExit(f"opsdeck {' '.join(args)} failed: {result.stdout}{result.stderr}")
        return result.stdout

    def start(self) -> tuple[str, str]:
        self.process = subprocess.Popen(
            [str(self.binary), "serve", "--demo"],
            env=self.env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        assert self.process.stdout is not None
        password = base = None
        deadline = time.monotonic() + 120
        for line in self.process.stdout:
            self.output.append(line)
            if match := re.search(r"password: (\S+)", line):
                password = match.group(1)
            if match := re.search(r"serving on (http://\S+) ", line):
                base = match.group(1)
            if (password and base) or time.monotonic() > deadline:
                break
        if not (password and base):
            self.stop()
            raise SystemExit("opsdeck did not start:\n" + "".join(self.output))
        # Keep draining its output (warnings, panics) so the pipe never fills up.
        threading.Thread(target=self._drain, daemon=True).start()
        return base, password

    def _drain(self) -> None:
        assert self.process is not None and self.process.stdout is not None
        for line in self.process.stdout:
            self.output.append(line)

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        shutil.rmtree(self.workdir, ignore_errors=True)


def identities(server: Server, base: str, admin_password: str) -> list[Identity]:
    """One signed-in identity per kind of caller; the most powerful one last, since its run may
    deactivate users, revoke tokens or change tenants that the other runs rely on."""

    def login(username: str, password: str) -> str:
        return request(base, "POST", "/api/v1/auth/login", {"username": username, "password": password})["access_token"]

    admin = login("admin", admin_password)
    tenants = request(base, "GET", "/api/v1/tenants", token=admin)["items"]
    tenant = sorted(tenants, key=lambda t: t["id"])[0]
    password = "schemathesis-password-1234"
    for username, role, slug in [("st-ops", "ops", None), ("st-partner", "partner_admin", tenant["slug"])]:
        args = ["user", "create", "--username", username, "--role", role, "--password-stdin"]
        server.cli(*args, *(["--tenant", slug] if slug else []), stdin=password)
    ops = login("st-ops", password)
    partner = login("st-partner", password)
    integrator = request(
        base,
        "POST",
        "/api/v1/tokens",
        {"name": "schemathesis", "roles": ["ops"], "expires_in_days": 1, "password": password},
        token=ops,
    )["secret"]
    return [
        Identity("partner_admin", partner),
        Identity("integrator", integrator),
        Identity("ops", ops),
        Identity("superadmin", admin),
    ]


def run_schemathesis(base: str, identity: Identity, report_dir: Path, schema: Path | None) -> int:
    location = [str(schema.resolve()), "--url", base] if schema else [f"{base}/api/openapi.json"]
    command = [
        str(Path(sys.executable).parent / "schemathesis"),
        "--no-color",
        "run",
        *location,
        "--checks",
        CHECKS,
        "--phases",
        "examples,coverage,fuzzing,stateful",
        "--max-examples",
        str(MAX_EXAMPLES),
        "--seed",
        str(SEED),
        "--generation-database",
        "none",
        "--workers",
        "1",
        "--request-timeout",
        str(REQUEST_TIMEOUT_SECS),
        "--suppress-health-check",
        "all",
        "--header",
        f"Authorization: Bearer {identity.token}",
        "--report",
        "junit",
        "--report-junit-path",
        str(report_dir / f"{identity.name}.xml"),
        *[arg for path in EXCLUDED_PATHS for arg in ("--exclude-path", path)],
    ]
    log(f"as {identity.name}")
    started = time.monotonic()
    code = subprocess.call(command, cwd=HERE)
    log(f"as {identity.name}: exit {code} after {time.monotonic() - started:.0f} s")
    return code


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--binary", type=Path, default=ROOT / "target/debug/opsdeck")
    parser.add_argument("--postgres", help="a PostgreSQL database URL to use (it must be empty)")
    parser.add_argument("--role", action="append", help="run only as these identities")
    parser.add_argument("--schema", type=Path, help="test this document instead of the server's own (debugging)")
    args = parser.parse_args()
    if not args.binary.exists():
        raise SystemExit(f"no opsdeck binary at {args.binary}: run `cargo build --bin opsdeck`")
    server = Server(args.binary, args.postgres)
    report_dir = ROOT / "target/schemathesis"
    report_dir.mkdir(parents=True, exist_ok=True)
    failed: list[str] = []
    try:
        base, admin_password = server.start()
        log(f"opsdeck at {base} ({'PostgreSQL' if args.postgres else 'SQLite'})")
        for identity in identities(server, base, admin_password):
            if args.role and identity.name not in args.role:
                continue
            if run_schemathesis(base, identity, report_dir, args.schema) != 0:
                failed.append(identity.name)
        if server.process is not None and server.process.poll() is not None:
            failed.append("server (it exited)")
    finally:
        server.stop()
        panics = [line for line in server.output if "panicked" in line]
        if panics:
            failed.append("server (it panicked)")
            print("".join(panics), file=sys.stderr)
    if failed:
        log(f"FAILED as: {', '.join(failed)} (reports in {report_dir})")
        return 1
    log("passed as every identity")
    return 0


if __name__ == "__main__":
    sys.exit(main())
