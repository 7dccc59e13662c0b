"""The shipped scorer artifact: loaded once per process, then pure numpy/sklearn prediction."""

from __future__ import annotations

import math
import pickle
from functools import lru_cache
from importlib import resources
from typing import Any

import numpy as np

from aaie.engine.rubric.features import FEATURE_NAMES, PROMPT_FEATURES, EssayFacts, prompt_info
from aaie.engine.rubric.stack import (
    apply_calibration,
    blend,
    group_features,
    match_group,
    recognise_group,
)

ARTIFACT_NAME = "scorer.pkl"


class ScorerUnavailable(RuntimeError):
    """The trained artifact is missing (run `aaie train scorer`)."""


@lru_cache(maxsize=1)
def load_scorer() -> dict[str, Any]:
    ref = resources.files("aaie.engine.rubric") / "artifacts" / ARTIFACT_NAME
    if not ref.is_file():
        raise ScorerUnavailable(f"{ARTIFACT_NAME} not found; run `aaie train scorer`")
    # Our own artifact, written by `aaie train scorer` with the pinned scikit-learn.
    artifact: dict[str, Any] = pickle.loads(ref.read_bytes())
    if artifact.get("feature_names") != list(FEATURE_NAMES) or artifact.get("version", 0) < 5:
        raise ScorerUnavailable("scorer artifact does not match this code; retrain it")
    return artifact


def predict(
    facts: EssayFacts,
    doc_embedding: np.ndarray,
    prompt_text: str | None,
    text: str,
    recognised_group: str | None = None,
) -> dict[str, float]:
    """0-1 scores for `overall` and the four base criteria. `recognised_group`: for an essay
    given without a prompt, the training group whose prompt it answers (`recognised_prompt`)."""
    art = load_scorer()
    x = facts.vector()
    prompt_emb = prompt_info(prompt_text).embedding if prompt_text else None
    group_rows: dict[str, np.ndarray] = {}  # group features, computed once per matched group
    # known prompt: trees blended with the group's embedding ridge and bag-of-words ridge
    w, w_lexical = float(art["blend_ridge"]), float(art.get("blend_lexical", 0.0))
    out: dict[str, float] = {}
    for target, m in art["models"].items():
        mean, comps = m["projection"]
        pmean, pcomps = m["prompt_projection"]
        if prompt_emb is not None:
            prompt_part = (prompt_emb - pmean) @ pcomps.T
        else:
            prompt_part = np.full(len(pcomps), math.nan)
        row = np.concatenate([x, (doc_embedding - mean) @ comps.T, prompt_part])[None, :]
        # A prompt the scorer was trained on (given, or recognised from the essay when none
        # is given): the group model and that group's calibration.
        group = _known_group(m["groups"], prompt_emb, recognised_group)
        if group is None:
            raw = m["fallback"].predict(row)
        else:
            if group not in group_rows:
                group_rows[group] = group_features(
                    art["part"], x[None, :], doc_embedding[None, :], [group], [text]
                )
            g = group_rows[group]
            trees = m["model"].predict(np.hstack([row, g]))
            raw = blend(trees, g, art["part"], target, w, w_lexical)
        value = float(apply_calibration(art["calibration"][target], np.asarray(raw), [group])[0])
        out[target] = 0.0 if math.isnan(value) else min(max(value, 0.0), 1.0)
    return out


def _known_group(
    groups: dict[str, Any], prompt_emb: np.ndarray | None, recognised_group: str | None
) -> str | None:
    if prompt_emb is not None:
        return match_group(groups, prompt_emb)
    # a target trained without that group (Clarity has no ASAP P3-P7) uses its fallback
    return recognised_group if recognised_group in groups["names"] else None


def recognised_prompt(doc_embedding: np.ndarray) -> tuple[str, float] | None:
    """For an essay given WITHOUT a prompt: (group, similarity) of the training prompt it
    clearly answers, or None (stack.recognise_group)."""
    return recognise_group(load_scorer().get("recognition"), doc_embedding)


def on_topic_probability(facts: EssayFacts) -> float:
    """P(the essay answers this prompt), from essay-prompt similarity and key-point coverage
    (logistic regression trained on ASAP essays paired with their own vs another prompt)."""
    model = load_scorer()["on_topic"]
    x = np.array([facts.values[n] for n in PROMPT_FEATURES])
    if np.isnan(x).any():
        return math.nan
    z = float(((x - model["mean"]) / model["std"]) @ model["coef"] + model["intercept"][0])
    return 1.0 / (1.0 + math.exp(-z))


# Below P_LOW the essay reads as written for another prompt: Relevance is at most Fair, and the
# surer the on-topic model is of that, the lower (from the middle of Fair at P_LOW down to
# OFF_TOPIC_CAP at P = 0; a flat cap let a well-written off-topic essay outscore the same essay
# under its own prompt). Between P_LOW and P_HIGH the cap rises from Fair to the top of Good;
# only an essay the on-topic model is confident about (P >= P_HIGH) can be Excellent.
P_LOW, P_HIGH, FAIR_CAP, GOOD_CAP, OFF_TOPIC_CAP = 0.2, 0.85, 0.45, 0.74, 0.30


def relevance_cap(p_on_topic: float) -> float:
    if math.isnan(p_on_topic) or p_on_topic >= P_HIGH:
        return 1.0
    if p_on_topic <= P_LOW:
        return OFF_TOPIC_CAP + (FAIR_CAP - OFF_TOPIC_CAP) * p_on_topic / P_LOW
    return FAIR_CAP + (GOOD_CAP - FAIR_CAP) * (p_on_topic - P_LOW) / (P_HIGH - P_LOW)
