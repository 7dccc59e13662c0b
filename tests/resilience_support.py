"""Throw-away PostgreSQL and Redis servers and `aaie worker` processes for the fault tests.

The machine's own PostgreSQL (5432) and Redis (6379) are shared with other test runs: the
fault tests never stop those. Each test starts its own server on a free port in a temporary
directory, stops and starts *that*, and removes it afterwards.
"""

from __future__ import annotations

import contextlib
import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[1]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_for_port(port: int, timeout_s: float = 30, up: bool = True) -> None:
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        try:
            with socket.create_connection(("127.0.0.1", port), timeout=0.5):
                if up:
                    return
        except OSError:
            if not up:
                return
        time.sleep(0.1)
    raise AssertionError(f"port {port} did not come {'up' if up else 'down'} in {timeout_s}s")


def _postgres_bin() -> Path | None:
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/pg_ctl"))
    if found:
        return Path(found[-1]).parent
    pg_ctl = shutil.which("pg_ctl")
    return Path(pg_ctl).parent if pg_ctl else None


def _missing(what: str, required_by: str) -> None:
    """Fail where the service is required (CI sets the variable): a broken machine must not turn
    the restart tests into skips. Elsewhere, skip and say why."""
    if os.environ.get(required_by):
        pytest.fail(f"{what} ({required_by} is set)")
    pytest.skip(what)


class TempPostgres:
    """A PostgreSQL cluster of its own (initdb into a temp dir, trust auth, loopback only)."""

    def __init__(self) -> None:
        bindir = _postgres_bin()
        if bindir is None:
            _missing("PostgreSQL server binaries (initdb, pg_ctl) are not installed",
                     "AAIE_REQUIRE_POSTGRES")  # fmt: skip
        self.bindir = bindir
        # Not under pytest's tmp dir: as root, that is closed to the postgres user.
        self.dir = Path(tempfile.mkdtemp(prefix="aaie-pg-"))
        self.data = self.dir / "data"
        self.port = free_port()
        self._as: list[str] = []
        if os.geteuid() == 0:  # initdb refuses to run as root
            shutil.chown(self.dir, "postgres", "postgres")
            self._as = ["runuser", "-u", "postgres", "--"]
        self._run("initdb", "-D", str(self.data), "-A", "trust", "-U", "postgres", "--no-sync")

    @property
    def url(self) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self._as, str(self.bindir / tool), *args],
            check=True,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
            cwd=self.dir,
            timeout=120,
        )

    def start(self) -> None:
        options = (
            f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.dir} -c fsync=off"
            " -c max_connections=60"
        )
        self._run(
            "pg_ctl",
            "-D",
            str(self.data),
            "-o",
            options,
            "-l",
            str(self.dir / "log"),
            "-w",
            "start",
        )

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def close(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop("immediate")
        shutil.rmtree(self.dir, ignore_errors=True)


class TempRedis:
    """A Redis of its own that keeps nothing on disk (as the machine's does)."""

    def __init__(self, base: Path) -> None:
        if shutil.which("redis-server") is None:
            _missing("redis-server is not installed", "AAIE_REQUIRE_REDIS")
        self.port = free_port()
        self.dir = base / "redis"
        self.dir.mkdir(parents=True)
        self.proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--save",
                "",
                "--appendonly",
                "no",
                "--dir",
                str(self.dir),
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        wait_for_port(self.port)

    def stop(self) -> None:
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(timeout=30)
            self.proc = None
        wait_for_port(self.port, up=False)

    def close(self) -> None:
        if self.proc is not None:
            self.proc.kill()
            self.proc.wait(timeout=30)
            self.proc = None


class Worker:
    """`aaie worker` in a process group of its own, its output in a log file."""

    def __init__(self, env: dict[str, str], log: Path, concurrency: int = 1) -> None:
        self.log = log
        self._out = log.open("ab")
        self.proc = subprocess.Popen(
            [
                str(Path(sys.executable).parent / "aaie"),
                "worker",
                f"--concurrency={concurrency}",
                "--loglevel=WARNING",
            ],
            env={**os.environ, **env},
            stdout=self._out,
            stderr=subprocess.STDOUT,
            start_new_session=True,
            cwd=ROOT,
        )

    def kill9(self) -> None:
        """SIGKILL the worker and every child of it at once: nothing gets to clean up."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=30)
        self._out.close()


def worker_env(settings: Any, broker_url: str) -> dict[str, str]:
    return {
        "AAIE_DATA_DIR": str(settings.data_dir),
        "AAIE_DATABASE_URL": settings.resolved_database_url,
        "AAIE_JOB_BACKEND": "celery",
        "AAIE_CELERY_BROKER_URL": broker_url,
        "AAIE_JOB_LEASE_S": str(settings.job_lease_s),
        "AAIE_LOG_JSON": "true",
        "AAIE_ONNX_THREADS": "1",
        "AAIE_JWT_SECRET": "worker-does-not-sign-" + "x" * 32,
    }
