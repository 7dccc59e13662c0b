"""Sentence-embedding cache for training (MiniLM over ~80k sentences is the slow part).

Keyed by the SHA-1 of the sentence text, so the hybrids (spliced from the same essays) and
re-runs cost nothing. Saved incrementally, so an interrupted run resumes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable
from pathlib import Path

import numpy as np

from aaie.engine.atomic_file import atomic_writer

_CHUNK = 1024
_SAVE_EVERY = 20


def _key(text: str) -> str:
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


class EmbeddingCache:
    def __init__(self, cache_dir: Path) -> None:
        self.path = cache_dir / "sentence_embeddings.npz"
        cache_dir.mkdir(parents=True, exist_ok=True)
        self._vecs: dict[str, np.ndarray] = {}
        if self.path.exists():
            with np.load(self.path) as z:
                keys, mat = z["keys"], z["vecs"]
            self._vecs = {str(k): mat[i] for i, k in enumerate(keys)}

    def fill(
        self, texts: Iterable[str], progress: Callable[[int, int], None] | None = None
    ) -> None:
        from aaie.engine.embeddings import get_embedder

        todo = sorted({t for t in texts if _key(t) not in self._vecs}, key=len)
        for i in range(0, len(todo), _CHUNK):
            chunk = todo[i : i + _CHUNK]
            vecs = get_embedder().embed(chunk).astype(np.float16)
            for t, v in zip(chunk, vecs, strict=True):
                self._vecs[_key(t)] = v
            # Saving rewrites the whole file: every _SAVE_EVERY chunks keeps that linear in total.
            if (i // _CHUNK) % _SAVE_EVERY == _SAVE_EVERY - 1 or i + _CHUNK >= len(todo):
                self.save()
            if progress:
                progress(min(i + _CHUNK, len(todo)), len(todo))

    def get(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, 384), dtype=np.float32)
        return np.stack([self._vecs[_key(t)] for t in texts]).astype(np.float32)

    def save(self) -> None:
        keys = np.array(list(self._vecs), dtype="U40")
        mat = np.stack(list(self._vecs.values())) if self._vecs else np.zeros((0, 384), np.float16)
        with atomic_writer(self.path) as handle:
            np.savez(handle, keys=keys, vecs=mat)
