"""The fine-tuned MiniLM detector score (detector-9, -10) and its blend with the document score.

all-MiniLM-L6-v2 with all six transformer layers (detector-10; detector-9 trained the top two)
and a linear head fine-tuned to tell AI text from human text (`encoder_train.py`, the `train`
extra), exported as one int8 ONNX graph (`artifacts/detector_encoder.onnx`) and run here with
onnxruntime on the first `MAX_TOKENS` tokens of the text: no PyTorch at serving time.

Why blend, and why this way: held out by source (bench/detection_encoder.py, 2026-12-06) the
encoder transferred better than the style features to two unseen sources of four and worse to
two; a gradient-boosted stack of both fell back to the style features, while a FIXED mean of
the two scores' ranks (each against the same calibration texts, weight 1/2 chosen a priori, so
nothing is fitted across sources) kept the gains and none of the losses. The blended rank is
then calibrated (Platt) and thresholded exactly as the document score was.
"""

from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path

import numpy as np
import onnxruntime as ort
from tokenizers import Tokenizer

from aaie.engine import embeddings
from aaie.engine.detection.model import PlattCalibrator

ENCODER_FILE = "detector_encoder.onnx"
MAX_TOKENS = 128  # trained and calibrated on the first 128 tokens: serving must match
ENCODER_WEIGHT = 0.5


def _rank(reference: np.ndarray, scores: np.ndarray) -> np.ndarray:
    """Share of the (sorted) reference scores at or below each score: an empirical CDF."""
    return np.searchsorted(reference, scores, side="right") / max(len(reference), 1)


def tokenizer_file() -> str:
    """MiniLM's WordPiece tokenizer (the embedder's file): training and serving share it."""
    asset = resources.files("aaie.engine") / "assets" / "minilm_tokenizer.json"
    return asset.read_text(encoding="utf-8")


@dataclass
class EncoderBlend:
    """Ranks of the document score and the encoder's logit among the calibration texts',
    averaged, then calibrated to P(AI). Both references are sorted."""

    style_reference: np.ndarray  # 0-100 document scores (out of fold) of the calibration texts
    encoder_reference: np.ndarray  # encoder logits of the same texts (out of sample)
    calibrator: PlattCalibrator
    human_reference: np.ndarray  # encoder logits of the calibration texts written by people

    def raw(self, style_scores: np.ndarray, encoder_logits: np.ndarray) -> np.ndarray:
        style = _rank(self.style_reference, np.asarray(style_scores, dtype=np.float64))
        encoder = _rank(self.encoder_reference, np.asarray(encoder_logits, dtype=np.float64))
        return (1.0 - ENCODER_WEIGHT) * style + ENCODER_WEIGHT * encoder

    def probability(self, style_score: float, encoder_logit: float) -> float:
        raw = self.raw(np.array([style_score]), np.array([encoder_logit]))
        return float(self.calibrator.predict(raw)[0])

    def reason(self, encoder_logit: float) -> str:
        """The encoder's own finding, in the words of the score reason: how many human texts
        read as AI-like to it."""
        higher = 1.0 - _rank(self.human_reference, np.array([encoder_logit]))[0]
        return (
            f"A language model trained to tell AI from human writing, reading the first "
            f"~{MAX_TOKENS * 3 // 4} words: {100 * higher:.1f}% of human texts in validation read "
            "as AI-like to it as this one or more."
        )


class EncoderScorer:
    """The fine-tuned encoder's logit for one text (first MAX_TOKENS tokens, no padding: int8
    activations are quantised per call, so padding would move the score)."""

    def __init__(self, path: Path, threads: int = 0) -> None:
        self._tokenizer = Tokenizer.from_str(tokenizer_file())
        self._tokenizer.enable_truncation(MAX_TOKENS)
        self._tokenizer.no_padding()
        options = ort.SessionOptions()
        options.intra_op_num_threads = threads or min(2, os.cpu_count() or 1)
        options.inter_op_num_threads = 1
        self._session = ort.InferenceSession(str(path), options, providers=["CPUExecutionProvider"])
        self._lock = threading.Lock()

    def logit(self, text: str) -> float:
        ids = np.array([self._tokenizer.encode(text).ids], dtype=np.int64)
        with self._lock:  # one onnxruntime run at a time per session, as the embedder does
            out = self._session.run(None, {"ids": ids, "mask": np.ones_like(ids)})[0]
        return float(np.asarray(out).reshape(-1)[0])


@lru_cache(maxsize=1)
def shipped_scorer() -> EncoderScorer:
    """The shipped encoder, loaded once per process (threads as the embedder's)."""
    folder = resources.files("aaie.engine.detection") / "artifacts"
    with resources.as_file(folder / ENCODER_FILE) as path:
        return EncoderScorer(path, embeddings.configured_threads())
