"""Sync submit of a 500-word essay over real HTTP vs `evaluate_all` on the same text.

Runs the API under uvicorn on a random local port (SQLite in a temp dir, inline jobs), submits
N distinct essays (each one is new to the engine's result cache) and, for each, times
`evaluate_all(..., use_cache=False)` on exactly the same text. Reports p50/p95 of both and the
ratio (target: submit ≤ 1.2 × engine).

    .venv/bin/python bench/submit_overhead.py [--n 30] [--warmup 3] [--json out.json]
"""

from __future__ import annotations

import argparse
import json
import platform
import socket
import statistics
import sys
import tempfile
import threading
import time
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import uvicorn

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.api.workflow_support import ESSAY, PROMPT  # noqa: E402

EXTRA = (
    "\n\nA garden also changes how a street looks and feels. When beds are full of flowers "
    "and vegetables, people slow down, greet each other and notice who might need help. "
    "Shop owners near our lot told the local paper that more people stop to browse since "
    "the garden opened, which suggests that green space is good for business too.\n\n"
    "There are practical questions to answer, of course. Someone has to organise the rota "
    "for watering, keep the tool shed locked and settle small arguments about whose "
    "pumpkins are spreading into whose bed. In our town a volunteer committee meets once a "
    "month, and the council pays for water and a skip for green waste. The total bill is "
    "smaller than the cost of mowing the same lot as a lawn.\n\n"
    "Schools can join in as well. A class that plants seeds in spring and harvests in "
    "autumn learns biology, measurement and patience in a way no worksheet can match."
    "\n\nSome people worry that gardens attract pests or look untidy in winter. These "
    "problems are real but small. Good compost bins keep rats away, and a few rules about "
    "clearing beds in November keep the site neat. Other towns have written simple "
    "agreements that every gardener signs, so expectations are clear from the start and "
    "nobody has to argue later. When a plot is neglected for a season, it passes to the "
    "next family on the waiting list, which keeps the whole site busy and cared for. Our "
    "waiting list has grown every year, which shows how much people value a small patch of "
    "soil of their own, and how much more land could be put to good use."
)
BASE = ESSAY + EXTRA


def essay(i: int) -> str:
    return BASE + f"\n\nThis version of the essay was written for trial number {i}."


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def percentile(values: list[float], q: float) -> float:
    ordered = sorted(values)
    k = (len(ordered) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (k - lo)


def start_server(data_dir: Path) -> tuple[str, Any, dict[str, str]]:
    from aaie.api.app import create_app
    from aaie.config import Settings
    from aaie.db import migrate
    from aaie.db.models import Role, User
    from aaie.security.passwords import hash_password

    settings = Settings(
        data_dir=data_dir,
        jwt_secret="bench-" + "k" * 40,
        log_json=True,
        log_level="WARNING",
        rate_limit_per_minute=100_000,
        _env_file=None,
    )  # type: ignore[call-arg]
    migrate.upgrade(settings.resolved_database_url)
    app = create_app(settings)
    state = app.state.aaie
    with state.sessions.begin() as session:
        teacher = User(
            email="t@bench.test", password_hash=hash_password("x" * 12), role=Role.teacher
        )
        session.add(teacher)
        session.flush()
        tokens = {"teacher": state.tokens.issue(teacher.id, teacher.role, 0)}
    port = free_port()
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="error", access_log=False)
    )
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    return f"http://127.0.0.1:{port}", server, tokens


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--warmup", type=int, default=3)
    parser.add_argument("--json", type=Path)
    args = parser.parse_args()

    from aaie.engine import evaluate_all
    from aaie.engine.text import word_count

    with tempfile.TemporaryDirectory() as tmp:
        base_url, server, tokens = start_server(Path(tmp))
        auth = {"Authorization": f"Bearer {tokens['teacher']}"}
        with httpx.Client(base_url=base_url, timeout=300) as http:
            aid = http.post(
                "/api/assignments", headers=auth, json={"title": "Gardens", "prompt_text": PROMPT}
            ).json()["assignmentId"]
            students = _students(Path(tmp), args.warmup + args.n)
            submit_ms: list[float] = []
            engine_ms: list[float] = []
            for i in range(args.warmup + args.n):
                text = essay(i)
                t0 = time.perf_counter()
                response = http.post(
                    f"/api/assignments/{aid}/submit",
                    headers=auth,
                    json={"text": text, "student_id": students[i]},
                )
                t_submit = (time.perf_counter() - t0) * 1000
                assert response.status_code == 200, response.text
                assert response.json()["evaluation_status"] == "done"
                t0 = time.perf_counter()
                evaluate_all(text, PROMPT, use_cache=False)
                t_engine = (time.perf_counter() - t0) * 1000
                if i >= args.warmup:
                    submit_ms.append(t_submit)
                    engine_ms.append(t_engine)
        server.should_exit = True

    result = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "words": word_count(essay(0)),
        "n": args.n,
        "submit_ms": {
            "p50": percentile(submit_ms, 0.5),
            "p95": percentile(submit_ms, 0.95),
            "mean": statistics.fmean(submit_ms),
        },
        "engine_ms": {
            "p50": percentile(engine_ms, 0.5),
            "p95": percentile(engine_ms, 0.95),
            "mean": statistics.fmean(engine_ms),
        },
    }
    result["ratio_p50"] = result["submit_ms"]["p50"] / result["engine_ms"]["p50"]
    result["ratio_mean"] = result["submit_ms"]["mean"] / result["engine_ms"]["mean"]
    result["ratio_per_pair_median"] = statistics.median(
        s / e for s, e in zip(submit_ms, engine_ms, strict=True)
    )
    print(json.dumps(result, indent=2))
    if args.json:
        args.json.write_text(json.dumps(result, indent=2))


def _students(data_dir: Path, count: int) -> list[str]:
    """Student accounts straight in the database (registering needs an admin; not timed)."""
    from aaie.config import Settings
    from aaie.db.models import Role, User
    from aaie.db.session import session_scope

    url = Settings(data_dir=data_dir, _env_file=None).resolved_database_url  # type: ignore[call-arg]
    with session_scope(url) as session:
        users = [
            User(email=f"s{i}@bench.test", password_hash="x", role=Role.student)
            for i in range(count)
        ]
        session.add_all(users)
        session.flush()
        return [str(u.id) for u in users]


if __name__ == "__main__":
    main()
