"""A cache or upload written by one process is never read half-written by another."""

from __future__ import annotations

import multiprocessing
import pickle
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from pathlib import Path

import numpy as np
import pytest

from aaie.engine.atomic_file import atomic_writer, create_once
from aaie.engine.detection.cache import EmbeddingCache


def test_a_finished_write_replaces_the_file(tmp_path: Path) -> None:
    target = tmp_path / "fit.pkl"
    target.write_bytes(b"old")
    with atomic_writer(target) as fh:
        pickle.dump({"threshold": 97.51}, fh)
    assert pickle.loads(target.read_bytes()) == {"threshold": 97.51}
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fit.pkl"]
    assert target.stat().st_mode & 0o777 == 0o600  # caches and uploads stay private


def test_a_model_file_is_readable_by_the_user_who_serves_it(tmp_path: Path) -> None:
    target = tmp_path / "rubric.pkl"
    with atomic_writer(target, mode=0o644) as fh:
        fh.write(b"model")
    assert target.stat().st_mode & 0o777 == 0o644


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    target = tmp_path / "fit.pkl"
    target.write_bytes(b"old")
    with pytest.raises(RuntimeError), atomic_writer(target) as fh:
        fh.write(b"half of a pickle")
        raise RuntimeError("killed mid-write")
    assert target.read_bytes() == b"old"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fit.pkl"]


def test_two_caches_saving_into_one_directory_leave_one_whole_archive(tmp_path: Path) -> None:
    # Two benches filling one cache save under their own temporary names, so the file on disk
    # is always one whole archive (the last save's) that the next process loads.
    first, second = EmbeddingCache(tmp_path), EmbeddingCache(tmp_path)
    first.fill(["The essay argues for longer lunch breaks."])
    second.fill(["Photosynthesis turns light into chemical energy."])
    reloaded = EmbeddingCache(tmp_path)
    vector = reloaded.get(["Photosynthesis turns light into chemical energy."])
    assert vector.shape == (1, 384)
    assert np.isclose(np.linalg.norm(vector), 1.0, atol=1e-2)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["sentence_embeddings.npz"]


def _create_after(barrier: Barrier, path: Path, content: bytes, out: Queue) -> None:  # type: ignore[type-arg]
    barrier.wait()
    out.put(create_once(path, content))


def test_processes_creating_one_file_at_once_all_read_the_same_complete_content(
    tmp_path: Path,
) -> None:
    """Gunicorn workers generating the JWT key together: one key wins, and every worker uses it
    (before, two workers could each keep their own, and a token from one was refused by the
    other)."""
    ctx = multiprocessing.get_context("fork")
    for attempt in range(10):  # a race: several rounds, so the old code's lost key shows up
        folder = tmp_path / str(attempt)
        folder.mkdir()
        target = folder / "jwt_secret"
        barrier, out = ctx.Barrier(8), ctx.Queue()
        procs = [
            ctx.Process(target=_create_after, args=(barrier, target, f"key-{i}".encode() * 50, out))
            for i in range(8)
        ]
        for p in procs:
            p.start()
        seen = {out.get(timeout=30) for _ in procs}
        for p in procs:
            p.join(timeout=30)
        assert seen == {target.read_bytes()} and len(seen.pop()) == 250
        assert target.stat().st_mode & 0o777 == 0o600
        assert [p.name for p in folder.iterdir()] == ["jwt_secret"]  # no temporary file left


def test_an_existing_file_is_kept(tmp_path: Path) -> None:
    target = tmp_path / "jwt_secret"
    target.write_bytes(b"first")
    assert create_once(target, b"second") == b"first"
