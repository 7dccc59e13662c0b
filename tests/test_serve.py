"""`aaie serve` as an operator runs it: a real process, admin from the environment, and
metrics that add up across several gunicorn workers."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from pathlib import Path

import pytest

AAIE = Path(sys.executable).parent / "aaie"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _get(url: str, **kw: object) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(urllib.request.Request(url, **kw), timeout=5) as r:  # type: ignore[arg-type]
            return r.status, r.read()
    except urllib.error.HTTPError as e:
        return e.code, e.read()


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    port = _free_port()
    env = {
        **os.environ,
        "AAIE_DATA_DIR": str(tmp_path_factory.mktemp("serve")),
        "AAIE_ADMIN_EMAIL": "a@example.edu",
        "AAIE_ADMIN_PASSWORD": "admin-password-1",
        "AAIE_LOG_LEVEL": "WARNING",
    }
    env.pop("PROMETHEUS_MULTIPROC_DIR", None)
    proc = subprocess.Popen(
        [str(AAIE), "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", "2"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if _get(base + "/readyz")[0] == 200:
                break
        except OSError:
            time.sleep(0.3)
    else:
        proc.kill()
        pytest.fail("aaie serve did not become ready")
    yield base
    proc.terminate()
    proc.wait(timeout=30)


def test_configured_admin_can_log_in_and_register_a_teacher(server: str) -> None:
    status, body = _get(
        server + "/api/auth/login",
        method="POST",
        headers={"content-type": "application/json"},
        data=json.dumps({"email": "a@example.edu", "password": "admin-password-1"}).encode(),
    )
    assert status == 200
    token = json.loads(body)["token"]
    status, _ = _get(
        server + "/api/auth/register",
        method="POST",
        headers={"content-type": "application/json", "Authorization": f"Bearer {token}"},
        data=json.dumps(
            {"email": "t@example.edu", "password": "p" * 12, "role": "teacher"}
        ).encode(),
    )
    assert status == 201


def test_metrics_add_up_across_worker_processes(server: str) -> None:
    for _ in range(30):
        assert _get(server + "/healthz")[0] == 200
    _, body = _get(server + "/metrics")
    line = next(
        x
        for x in body.decode().splitlines()
        if x.startswith('aaie_http_requests_total{method="GET",route="/healthz"')
    )
    assert float(line.rsplit(" ", 1)[1]) >= 30
