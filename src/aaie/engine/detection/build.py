"""`aaie train detector`: the whole build of the shipped detector, in order.

`train.fit_detector` (the style models, their calibration and thresholds; cached) and then
`encoder_train.add_encoder` (detector-9: the fine-tuned MiniLM, its blend, and the thresholds
re-chosen on the blend), then the artifact, the ONNX graph and the model card. Needs the `train`
extra (PyTorch) for the encoder stage.
"""

from __future__ import annotations

import csv
import gzip
import json
from collections import Counter
from pathlib import Path
from typing import Any

import numpy as np

from aaie.engine.atomic_file import atomic_writer
from aaie.engine.detection.data import population
from aaie.engine.detection.encoder_train import add_encoder
from aaie.engine.detection.model import ARTIFACT, CARD, PASSAGE_SENTENCES
from aaie.engine.detection.train import (
    ESSAY_GROUPS,
    LABEL_TARGET_FPR,
    SCORE_TARGET_FPR,
    SEED,
    TARGET_FPR,
    USE_EMBEDDINGS,
    Item,
    Log,
    fit_detector,
    training_corpus,
)
from aaie.engine.detection.version import MODEL_VERSION

CALIBRATION_SCORES = "calibration_scores.csv.gz"  # in the cache dir: for inspection, not shipped


def train(data_dir: Path, out_dir: Path, cache_dir: Path, log: Log = print) -> dict[str, Any]:
    """Remake the artifact, its encoder graph and its card in `out_dir`."""
    import joblib
    import sklearn

    np.random.seed(SEED)
    items, synth = training_corpus(data_dir, cache_dir, log)
    payload, oof = fit_detector(items, log, synth, cache_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    payload, oof, encoder_card = add_encoder(items, payload, oof, out_dir, cache_dir, log)
    write_calibration_scores(items, oof, cache_dir / CALIBRATION_SCORES)
    # atomic, as the caches are: a server reading the artifacts directory never sees half a model
    with atomic_writer(out_dir / ARTIFACT, mode=0o644) as handle:
        joblib.dump(payload, handle, compress=3)
    card = {
        **encoder_card,
        "version": MODEL_VERSION,
        "threshold": payload["threshold"],
        "fpr_at_threshold": payload["fpr_at_threshold"],
        "fpr_by_group_out_of_fold": oof["fpr_by_group"],
        "target_fpr": TARGET_FPR,
        "score_target_fpr": SCORE_TARGET_FPR,
        "label_target_fpr": LABEL_TARGET_FPR,
        "threshold_groups": list(ESSAY_GROUPS),
        "threshold_populations": sorted(k for k in payload["populations"] if k != "_scale"),
        "uses_embeddings": USE_EMBEDDINGS,
        "folds": "by prompt / source item (5, seeded hash)",
        "sentence_threshold": payload["sentence_threshold"],
        "passage_threshold": payload["passage_threshold"],
        "passage_sentences": PASSAGE_SENTENCES,
        "label_fpr_by_group_out_of_fold": oof["label_fpr_by_group"],
        "n_texts": dict(sorted(Counter(f"{it.doc.source}:{it.doc.label}" for it in items).items())),
        "n_student_rewrites": sum(bool(it.doc.meta.get("augmented")) for it in items),
        "n_synthetic_hybrids": dict(
            sorted(Counter(f"{it.doc.source}:{it.doc.meta.get('mix')}" for it in synth).items())
        ),
        "sklearn": sklearn.__version__,
        "seed": SEED,
    }
    with atomic_writer(out_dir / CARD, mode=0o644) as handle:
        handle.write((json.dumps(card, indent=2, sort_keys=True) + "\n").encode("utf-8"))
    return card


def write_calibration_scores(items: list[Item], oof: dict[str, Any], path: Path) -> None:
    """Every training text's out-of-fold score with its id, to find the texts that place a
    threshold (the artifact keeps only each population's sorted scores)."""
    columns = ["id", "source", "label", "population", "group", "seen_by_encoder",
               "style_score", "encoder_logit", "score"]  # fmt: skip
    with atomic_writer(path, mode=0o644) as raw, gzip.open(raw, "wt", encoding="utf-8") as fh:
        out = csv.writer(fh)
        out.writerow(columns)
        for i, it in enumerate(items):
            out.writerow([it.doc.id, it.doc.source, it.doc.label, population(it.doc),
                          it.doc.group, int(oof["seen_by_encoder"][i]),
                          f"{oof['style_score'][i]:.3f}", f"{oof['encoder_logit'][i]:.4f}",
                          f"{oof['score'][i]:.3f}"])  # fmt: skip
