"""Load test: `aaie serve` under Locust (bench/locustfile.py), teachers and students mixed.

    .venv/bin/pip install 'locust==2.47.0'
    .venv/bin/python bench/load_test.py --minutes 30 --users 30 --workers 2 [--out DIR]

Starts a server of its own (a fresh PostgreSQL database on AAIE_LOAD_PG, default the local
server, or SQLite with --sqlite), seeds teachers, students and assignments through the API,
runs Locust headless, samples the server's memory (RSS of the whole process tree) every 15 s,
waits for the evaluation queue to drain, and writes DIR/summary.md: throughput, p50/p95/p99 and
errors per route, memory over time, and whether every accepted submission was evaluated.
"""

from __future__ import annotations

import argparse
import contextlib
import csv
import json
import os
import socket
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from pathlib import Path

import httpx
import psutil

ROOT = Path(__file__).resolve().parents[1]
PASSWORD = "load-test-password-1"
ADMIN = "load-admin@example.edu"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def fresh_database(args: argparse.Namespace, data: Path) -> tuple[str, str | None]:
    if args.sqlite:
        return f"sqlite:///{data / 'aaie.sqlite3'}", None
    import sqlalchemy as sa

    base = os.environ.get("AAIE_LOAD_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    name = f"aaie_load_{uuid.uuid4().hex[:8]}"
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.rsplit("/", 1)[0] + "/" + name, name


def drop_database(name: str) -> None:
    import sqlalchemy as sa

    base = os.environ.get("AAIE_LOAD_PG", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    admin = sa.create_engine(base, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


def seed(base: str, teachers: int, students: int) -> dict[str, object]:
    with httpx.Client(base_url=base, timeout=60) as http:

        def login(email: str) -> dict[str, str]:
            r = http.post("/api/auth/login", json={"email": email, "password": PASSWORD})
            r.raise_for_status()
            return {"Authorization": f"Bearer {r.json()['token']}"}

        admin = login(ADMIN)

        def register(role: str, i: int) -> str:
            email = f"{role}{i}-{uuid.uuid4().hex[:6]}@example.edu"
            r = http.post(
                "/api/auth/register",
                json={"email": email, "password": PASSWORD, "role": role},
                headers=admin,
            )
            r.raise_for_status()
            return email

        seeded: dict[str, object] = {"password": PASSWORD, "teachers": [], "assignments": []}
        for t in range(teachers):
            email = register("teacher", t)
            headers = login(email)
            own = []
            for a in range(2):
                r = http.post(
                    "/api/assignments",
                    json={
                        "title": f"Essay {a + 1} of teacher {t + 1}",
                        "prompt_text": "Should cities support community gardens? Argue your view.",
                        "params": {"mode": "async"},
                    },
                    headers=headers,
                )
                r.raise_for_status()
                own.append(r.json()["assignmentId"])
            seeded["teachers"].append({"email": email, "assignments": own})  # type: ignore[attr-defined]
            seeded["assignments"].extend(own)  # type: ignore[attr-defined]
        seeded["students"] = [{"email": register("student", s)} for s in range(students)]
        return seeded


class MemorySampler(threading.Thread):
    def __init__(self, pid: int, every_s: float = 15.0) -> None:
        super().__init__(daemon=True)
        self.pid, self.every_s = pid, every_s
        self.samples: list[tuple[float, float]] = []
        self.stop = threading.Event()
        self.started = time.monotonic()

    def rss_mb(self) -> float:
        root = psutil.Process(self.pid)
        total = 0
        for proc in [root, *root.children(recursive=True)]:
            with contextlib.suppress(psutil.Error):  # a process that just ended
                total += proc.memory_info().rss
        return total / 1_048_576

    def run(self) -> None:
        while not self.stop.is_set():
            self.samples.append((time.monotonic() - self.started, self.rss_mb()))
            self.stop.wait(self.every_s)


def queue_state(database_url: str) -> dict[str, int]:
    import sqlalchemy as sa

    engine = sa.create_engine(database_url)
    with engine.connect() as conn:
        rows = conn.execute(
            sa.text(
                "SELECT evaluation_status, count(*) FROM submission_versions"
                " GROUP BY evaluation_status"
            )
        ).all()
    engine.dispose()
    return {str(status): int(count) for status, count in rows}


def summarise(
    out: Path,
    args: argparse.Namespace,
    memory: list[tuple[float, float]],
    queue: dict[str, int],
    drained_s: float,
) -> str:
    rows = list(csv.DictReader((out / "locust_stats.csv").open()))
    lines = [
        f"Locust {args.users} users (students : teachers = 9 : 1 by weight), spawn "
        f"{args.spawn_rate}/s, {args.minutes:g} min, server "
        f"`aaie serve --workers {args.workers}` on {'SQLite' if args.sqlite else 'PostgreSQL'}.",
        "",
        "| route | requests | failures | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "**all**"
        method = row["Type"] + " " if row["Type"] else ""
        lines.append(
            f"| {method}{name} | {row['Request Count']} | {row['Failure Count']} | "
            f"{float(row['Requests/s']):.2f} | {row['50%']} | {row['95%']} | {row['99%']} | "
            f"{float(row['Max Response Time']):.0f} |"
        )
    total = next(r for r in rows if r["Name"] == "Aggregated")
    requests = int(total["Request Count"])
    if memory:
        # Warm-up: each worker loads its models on its first evaluation. Growth is measured
        # from a quarter of the run to its end.
        t0, first = memory[len(memory) // 4]
        t1, last = memory[-1]
        peak = max(m for _, m in memory)
        served = requests * (t1 - t0) / max(1e-9, memory[-1][0] - memory[0][0])
        lines += [
            "",
            f"Server memory (RSS of all its processes, sampled every 15 s): {memory[0][1]:.0f} MB "
            f"at start, {first:.0f} MB at minute {t0 / 60:.0f} (warm), {last:.0f} MB at the end, "
            f"{peak:.0f} MB peak: {last - first:+.0f} MB over the last "
            f"{(t1 - t0) / 60:.0f} minutes, {(last - first) * 1024 / max(1.0, served):.2f} KB "
            "per request served in them.",
            "",
            "Memory over the run (minute: MB): "
            + ", ".join(f"{t / 60:.0f}: {m:.0f}" for t, m in memory[:: max(1, len(memory) // 12)]),
        ]
    lines += [
        "",
        f"Evaluations after the run (queue drained {drained_s:.0f} s after the load stopped): "
        + ", ".join(f"{k} {v}" for k, v in sorted(queue.items())),
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--minutes", type=float, default=30)
    ap.add_argument("--users", type=int, default=30)
    ap.add_argument("--spawn-rate", type=float, default=2)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--teachers", type=int, default=5)
    ap.add_argument("--students", type=int, default=60)
    ap.add_argument("--sqlite", action="store_true")
    ap.add_argument("--out", type=Path, default=None)
    args = ap.parse_args()
    out = args.out or Path(tempfile.mkdtemp(prefix="aaie-load-"))
    out.mkdir(parents=True, exist_ok=True)
    data = Path(tempfile.mkdtemp(prefix="aaie-load-data-"))
    database_url, pg_name = fresh_database(args, data)
    port = free_port()
    env = {
        **os.environ,
        "AAIE_DATA_DIR": str(data),
        "AAIE_DATABASE_URL": database_url,
        "AAIE_ADMIN_EMAIL": ADMIN,
        "AAIE_ADMIN_PASSWORD": PASSWORD,
        "AAIE_ACCESS_TOKEN_TTL_S": "7200",  # a session outlives the run (no re-login)
        "AAIE_LOG_LEVEL": "WARNING",
    }
    bindir = Path(sys.executable).parent
    server = subprocess.Popen(
        [str(bindir / "aaie"), "serve", "--port", str(port), "--workers", str(args.workers)],
        env=env,
        stdout=(out / "server.log").open("wb"),
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 180
        while True:
            try:
                if httpx.get(base + "/readyz", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if time.monotonic() > deadline or server.poll() is not None:
                raise SystemExit("the server did not become ready; see server.log")
            time.sleep(0.5)
        seed_file = out / "seed.json"
        seed_file.write_text(json.dumps(seed(base, args.teachers, args.students)))
        sampler = MemorySampler(server.pid)
        sampler.start()
        subprocess.run(
            [
                str(bindir / "locust"),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                str(args.users),
                "-r",
                str(args.spawn_rate),
                "-t",
                f"{int(args.minutes * 60)}s",
                "--host",
                base,
                "--csv",
                str(out / "locust"),
                "--only-summary",
            ],
            env={**os.environ, "LOAD_SEED": str(seed_file)},
            check=False,
        )
        stopped = time.monotonic()
        while True:  # every accepted submission evaluated?
            queue = queue_state(database_url)
            if not queue.get("queued") and not queue.get("running"):
                break
            if time.monotonic() - stopped > 300:
                break
            time.sleep(2)
        drained_s = time.monotonic() - stopped
        sampler.stop.set()
        summary = summarise(out, args, sampler.samples, queue, drained_s)
        (out / "summary.md").write_text(summary)
        print(summary)
        print(f"results in {out}")
    finally:
        os.killpg(server.pid, 15)
        server.wait(timeout=60)
        if pg_name:
            drop_database(pg_name)


if __name__ == "__main__":
    main()
