"""The detector's encoder stage (detector-9): a fine-tuned MiniLM blended with the style score."""

from __future__ import annotations

import json
from pathlib import Path
from types import SimpleNamespace

import numpy as np
import pytest

from aaie.engine.detection import classify
from aaie.engine.detection.data import Doc
from aaie.engine.detection.encoder import EncoderBlend, shipped_scorer
from aaie.engine.detection.encoder_train import (
    PER_AI_CELL,
    PER_HUMAN_CELL,
    onto_scale,
    seen_by_encoder,
    training_sample,
)
from aaie.engine.detection.model import PlattCalibrator, load_detector

from .test_detection import DATA, HUMAN, needs_data


def _blend() -> EncoderBlend:
    calibrator = PlattCalibrator()
    calibrator.a, calibrator.b = 4.0, -2.0
    logits = np.linspace(-5, 5, 101)
    return EncoderBlend(np.linspace(0, 100, 101), logits, calibrator, logits[:50])


def test_blend_rises_with_either_score_and_weighs_them_equally() -> None:
    blend = _blend()
    low, high = blend.probability(10.0, -4.0), blend.probability(90.0, 4.0)
    assert low < blend.probability(90.0, -4.0) < high
    assert low < blend.probability(10.0, 4.0) < high
    # The same rank on either side moves the blend by the same amount: a fixed 1/2 mix.
    assert blend.probability(90.0, -4.0) == pytest.approx(blend.probability(10.0, 4.0))


def test_encoder_reason_says_how_many_human_texts_read_as_ai_like() -> None:
    blend = _blend()  # human logits -5.0 ... -0.1
    assert "0.0% of human texts" in blend.reason(3.0)
    assert "100.0% of human texts" in blend.reason(-6.0)


def test_blend_of_the_shipped_detector_is_calibrated_on_texts_the_encoder_never_saw() -> None:
    det = load_detector()
    assert det.encoder is not None
    card = det.card["encoder"]
    assert card["n_calibration_texts"] > 5 * card["n_training_texts"]
    assert len(det.encoder.style_reference) == card["n_calibration_texts"]


def test_the_encoder_view_moves_the_document_score(monkeypatch: pytest.MonkeyPatch) -> None:
    scorer = shipped_scorer()
    monkeypatch.setattr(scorer, "logit", lambda text: -20.0)
    human_looking = classify(HUMAN).ai_score
    monkeypatch.setattr(scorer, "logit", lambda text: 20.0)
    ai_looking = classify(HUMAN).ai_score
    assert human_looking < ai_looking


@needs_data
def test_encoder_scores_ai_essays_above_human_essays() -> None:
    rows = [json.loads(line) for line in (DATA / "detect/outfox_dev.jsonl").open(encoding="utf-8")]
    rows = [r for r in rows if r.get("split") == "valid" and r["generator"] != "flan-t5-xxl"]
    human = [r["text"] for r in rows if r["label"] == "human"][:15]
    ai = [r["text"] for r in rows if r["label"] == "ai"][:15]
    scorer = shipped_scorer()
    h, a = [scorer.logit(t) for t in human], [scorer.logit(t) for t in ai]
    wins = sum(x > y for x in a for y in h) / (len(a) * len(h))
    assert wins >= 0.9, f"encoder AUROC on a valid sample {wins:.2f}"


def _doc(i: int, source: str, label: str, generator: str = "") -> Doc:
    group = "ai" if label == "ai" else "native"
    return Doc(f"{source}-{label}-{i}", f"text {i}", label, source, generator, group, "train",
               f"k{i}")  # fmt: skip


def test_encoder_sample_weighs_every_cell_alike_and_is_fixed() -> None:
    docs = [_doc(i, "outfox", "human") for i in range(500)]
    docs += [_doc(i, "outfox", "ai", "gpt-4") for i in range(300)]
    docs += [_doc(i, "outfox", "ai", "davinci") for i in range(10)]
    docs += [_doc(i, "outfox", "hybrid", "gpt-4") for i in range(50)]
    picked = training_sample(docs)
    kinds = [(d.label, d.generator) for d in picked]
    assert kinds.count(("human", "")) == PER_HUMAN_CELL
    assert kinds.count(("ai", "gpt-4")) == PER_AI_CELL
    assert kinds.count(("ai", "davinci")) == 10  # a small cell is taken whole
    assert not any(d.label == "hybrid" for d in picked)
    assert [d.id for d in training_sample(list(reversed(docs)))] == [d.id for d in picked]


def test_a_fold_encoders_logits_land_on_the_shipped_encoders_scale_in_order() -> None:
    """Cross-fitting: a text the shipped encoder trained on gets a fold encoder's logit, moved
    onto the shipped scale by the texts both scored, so it ranks among the others as it would
    have, had the shipped encoder not seen it."""
    fold_scale = np.linspace(-3.0, 3.0, 61)  # the fold encoder: narrower, shifted
    shipped_scale = 2.0 * fold_scale + 1.0
    values = np.array([-3.0, 0.0, 1.5, 3.0])
    assert np.allclose(onto_scale(values, fold_scale, shipped_scale), 2.0 * values + 1.0)
    mapped = onto_scale(np.array([-4.0, 4.0]), fold_scale, shipped_scale)
    assert mapped[0] < shipped_scale.min() and mapped[1] > shipped_scale.max()  # order kept
    rng = np.random.default_rng(0)
    x = rng.normal(size=200)
    assert np.all(np.diff(onto_scale(np.sort(x), fold_scale, shipped_scale)) >= 0)


def test_texts_the_encoder_saw_include_the_rewrites_of_sampled_texts() -> None:
    from dataclasses import replace

    from aaie.engine.detection.augment import AUGMENTED_SUFFIX

    sampled, other = _doc(1, "outfox", "ai", "gpt-4"), _doc(2, "outfox", "ai", "gpt-4")
    rewrite = replace(sampled, id=sampled.id + AUGMENTED_SUFFIX)
    items = [SimpleNamespace(doc=d) for d in (sampled, other, rewrite)]
    seen = seen_by_encoder(items, [sampled])  # type: ignore[arg-type]
    assert seen.tolist() == [True, False, True]


def test_training_without_the_train_extra_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import importlib.util

    from typer.testing import CliRunner

    from aaie.cli import app

    (tmp_path / "detect").mkdir()
    real = importlib.util.find_spec
    monkeypatch.setattr(
        importlib.util, "find_spec", lambda name, *a: None if name == "torch" else real(name, *a)
    )
    out = CliRunner().invoke(app, ["train", "detector", "--data-dir", str(tmp_path)])
    assert out.exit_code == 2
    assert "pip install -e '.[train]'" in out.output
    assert [p.name for p in tmp_path.iterdir()] == ["detect"]  # nothing written
