"""Requests/s and latency of authenticated GET /api/auth/me under `aaie serve`, beside a bare
FastAPI app returning the same JSON, measured in one run with wrk over loopback.

    .venv/bin/python bench/api_me.py [--seconds 15] [--connections 16]

Needs `wrk` (Debian package). Prints a Markdown table; paste it into docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import re
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = Path(sys.executable).parent
ADMIN = ("bench-admin@example.edu", "bench-password-123")


def _wait(url: str, timeout_s: float = 60) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            urllib.request.urlopen(url, timeout=1)
            return
        except Exception:
            time.sleep(0.2)
    raise RuntimeError(f"{url} did not come up")


@contextmanager
def _process(cmd: list[str], env: dict[str, str], ready_url: str) -> Iterator[None]:
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        _wait(ready_url)
        yield
    finally:
        proc.terminate()
        proc.wait(timeout=20)


def _login(port: int) -> str:
    request = urllib.request.Request(
        f"http://127.0.0.1:{port}/api/auth/login",
        data=json.dumps({"email": ADMIN[0], "password": ADMIN[1]}).encode(),
        headers={"content-type": "application/json"},
    )
    return json.load(urllib.request.urlopen(request))["token"]


def _wrk(url: str, seconds: int, connections: int, token: str | None) -> dict[str, float]:
    cmd = ["wrk", "-t1", f"-c{connections}", f"-d{seconds}s", "--latency", url]
    if token:
        cmd[1:1] = ["-H", f"Authorization: Bearer {token}"]
    out = subprocess.run(cmd, capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))  # type: ignore[union-attr]
    pct = {p: _ms(v) for p, v in re.findall(r"^\s+(50|99)%\s+([\d.]+\w+)", out, re.M)}
    non2xx = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    return {
        "rps": rps,
        "p50_ms": pct["50"],
        "p99_ms": pct["99"],
        "errors": float(non2xx.group(1)) if non2xx else 0.0,
    }


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()  # type: ignore[union-attr]
    return float(number) * {"us": 0.001, "ms": 1.0, "s": 1000.0}[unit]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=15)
    parser.add_argument("--connections", type=int, default=16)
    args = parser.parse_args()
    data_dir = tempfile.mkdtemp(prefix="aaie-bench-")
    env = {
        **os.environ,
        "AAIE_DATA_DIR": data_dir,
        "AAIE_ADMIN_EMAIL": ADMIN[0],
        "AAIE_ADMIN_PASSWORD": ADMIN[1],
        "AAIE_LOG_LEVEL": "WARNING",
        "AAIE_RATE_LIMIT_PER_MINUTE": "1000000",
    }
    results = {}
    with _process(
        [str(VENV_BIN / "aaie"), "serve", "--port", "8931"], env, "http://127.0.0.1:8931/healthz"
    ):
        token = _login(8931)
        _wrk("http://127.0.0.1:8931/api/auth/me", 3, args.connections, token)  # warm-up
        results["aaie serve (1 worker)"] = _wrk(
            "http://127.0.0.1:8931/api/auth/me", args.seconds, args.connections, token
        )
    with _process(
        [
            str(VENV_BIN / "uvicorn"),
            "bare_app:app",
            "--port",
            "8932",
            "--app-dir",
            str(ROOT / "bench"),
            "--no-access-log",
            "--log-level",
            "warning",
        ],
        env,
        "http://127.0.0.1:8932/api/auth/me",
    ):
        _wrk("http://127.0.0.1:8932/api/auth/me", 3, args.connections, None)
        results["bare FastAPI (1 worker)"] = _wrk(
            "http://127.0.0.1:8932/api/auth/me", args.seconds, args.connections, None
        )
    aaie, bare = results["aaie serve (1 worker)"], results["bare FastAPI (1 worker)"]
    print(
        f"Date: {datetime.now(UTC):%Y-%m-%d %H:%M} UTC; machine: {platform.machine()}, "
        f"{os.cpu_count()} cores; wrk -t1 -c{args.connections} -d{args.seconds}s"
    )
    print("| server | requests/s | p50 ms | p99 ms | non-2xx |")
    print("|---|---|---|---|---|")
    for name, r in results.items():
        print(
            f"| {name} | {r['rps']:.0f} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} | "
            f"{r['errors']:.0f} |"
        )
    print(f"\nAAIE / bare throughput ratio: {aaie['rps'] / bare['rps']:.2f} (target ≥ 0.5)")


if __name__ == "__main__":
    main()
