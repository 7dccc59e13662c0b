"""Leave-one-source-out (and leave-one-generator-out) quality of the detector, label by label.

    .venv/bin/python bench/detection_loso.py [--data-dir ../shared/data] [--scheme source|generator]

`--scheme source`: the training procedure with folds that are whole sources
(train.SOURCE_FOLDS): every figure is for texts of a source the models never saw - stacked
sentence models, document model and calibration alike - and the thresholds are chosen on these
same out-of-fold scores. `--scheme prompt`: the shipped folds (by prompt / source item): the
out-of-fold figures of the shipped procedure.
`--scheme genre`: folds that are whole genres (student and adult essays, academic, news and
encyclopedic, creative, reviews and web text), human and AI texts of every source alike.
`--scheme generator`: the same procedure with folds by generator FAMILY for AI texts (humans by
source item), so each family is scored by models that never saw it; thresholds are re-chosen on
that run's own out-of-fold human scores.
The encoder stage (detector-9) is held out the same way: one encoder per fold, trained on the
encoder's sample without that fold (encoder_train.held_out_logits); the JSON also keeps the
style-only (detector-8) tables of the same fit under "style_only". `--no-encoder` skips it.
Needs the `train` extra (PyTorch) unless --no-encoder. On two cores, start a second process
with the same options plus `--folds 4,3` beside the full run: it trains those folds' encoders
into the shared --cache-dir while the full run does its style fit (one thread each).

Reports per source, per human population (writer group x genre), per generator and family, for
paraphrased AI text, and char-level F1 of the AI sentences in hybrids (real CoAuthor co-writing,
spliced OUTFOX essays, synthetic "polished" documents). Writes JSON to --out and ROC figures.
"""

from __future__ import annotations

import argparse
import gzip
import json
import tempfile
import time
from collections import defaultdict
from collections.abc import Callable
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import numpy as np

from aaie.engine.detection import engine as E
from aaie.engine.detection import train as T
from aaie.engine.detection.data import (
    BISCOPE_POPULATIONS,
    FDG_POPULATIONS,
    L2R_POPULATIONS,
    population,
)
from aaie.engine.detection.model import PASSAGE_SENTENCES, Detector, passage_mask, passage_score
from aaie.engine.detection.version import MODEL_VERSION

FAMILIES = {
    "openai-chat": ("gpt-3.5-turbo", "gpt-3.5-turbo-0613", "GPT-3-Turbo", "gpt-4",
                    "gpt-4-turbo-preview", "GPT-4o"),
    "openai-base": ("text-davinci-003", "davinci", "davinci (GPT-3 base)"),
    "anthropic": ("claude-3-sonnet", "claude-3-opus"),
    "google": ("gemini-1.0-pro", "Gemini-1.5-Pro", "flan-t5-xxl"),
    "meta": ("Llama-3-70B",),
}  # fmt: skip
FAMILY_OF = {g: k for k, gs in FAMILIES.items() for g in gs}
FAMILY_FOLDS = {k: i for i, k in enumerate(FAMILIES)}


def family(generator: str) -> str:
    return FAMILY_OF.get(generator, "other")


# Leave-one-GENRE-out (session 13): every text of a genre, human and AI from every source, is
# held out at once, so a genre is scored by models that never saw any text of it - the question a
# teacher's unseen genre asks. AI texts take the genre of the human text they were written from.
GENRES = ("essays", "academic", "news_encyclopedic", "creative", "web_reviews")
ESSAY_DOMAINS = ("essay", "Essay", "argumentative")


def genre(doc: Any) -> str:
    source = doc.source.removeprefix("synth_")
    if source in ("outfox", "outfox_hybrid", "fp2021", "asap", "ellipse"):
        return "essays"
    if doc.domain in ESSAY_DOMAINS:
        return "essays"
    if source == "biscope":
        return BISCOPE_POPULATIONS[doc.domain]
    if source == "fastdetectgpt":
        return FDG_POPULATIONS[doc.domain]
    if source == "l2r":
        if doc.domain == "AcademicResearch":  # its human texts are BiScope's arXiv abstracts
            return "academic"
        return L2R_POPULATIONS.get(doc.domain, "news_encyclopedic")
    if source == "human_docs":
        return "academic"
    return "creative"  # CoAuthor stories


def genre_fold(doc: Any) -> int:
    return GENRES.index(genre(doc))


def generator_fold(doc: Any) -> int:
    if doc.label == "human":
        return int(T.hashlib.sha1(doc.fold_key.encode()).hexdigest(), 16) % T.N_FOLDS
    return FAMILY_FOLDS.get(family(doc.generator), 0)


Ranges = list[tuple[int, int]]


def char_f1_of(cases: list[tuple[int, Ranges, Ranges]]) -> dict[str, float]:
    """Character-level precision / recall / F1 over (text length, true AI ranges, marked ranges)."""
    tp = fp = fn = 0
    for n, true_ranges, marked_ranges in cases:
        truth, mark = np.zeros(n, dtype=bool), np.zeros(n, dtype=bool)
        for a, b in true_ranges:
            truth[a:b] = True
        for a, b in marked_ranges:
            mark[a:b] = True
        tp += int((truth & mark).sum())
        fp += int((~truth & mark).sum())
        fn += int((truth & ~mark).sum())
    p, r = tp / max(tp + fp, 1), tp / max(tp + fn, 1)
    return {
        "precision": round(p, 4),
        "recall": round(r, 4),
        "f1": round(2 * p * r / max(p + r, 1e-9), 4),
    }


def char_f1(items: list[T.Item], predicted: list[np.ndarray]) -> dict[str, float]:
    """Character-level F1 of the sentences marked AI against each text's `ai_spans`."""
    return char_f1_of(
        [
            (len(it.doc.text), it.doc.ai_spans,
             [(s.start, s.end) for s, is_ai in zip(it.sentences, pred, strict=True) if is_ai])
            for it, pred in zip(items, predicted, strict=True)
        ]
    )  # fmt: skip


def nearest_population_by(populations: dict[str, Any]) -> Callable[[np.ndarray], str | None]:
    """Detector.nearest_population over these population profiles. The method reads only
    `populations`; model.py's bytes key the cached fits, so the bench borrows the method rather
    than model.py growing a function for it."""
    holder = SimpleNamespace(populations=populations)
    return lambda feat: Detector.nearest_population(holder, feat)  # type: ignore[arg-type]


def nearest_population_among(texts: list[T.Item]) -> Callable[[np.ndarray], str | None]:
    """Nearest population with the centroids made from `texts` alone (a fold's training texts:
    scores and labels do not enter the centroids)."""
    zeros = np.zeros(len(texts))
    return nearest_population_by(T.population_profiles(texts, zeros, zeros.astype(bool)))


def engine_labels(
    items: list[T.Item], payload: dict[str, Any], oof: dict[str, Any]
) -> tuple[list[str], list[np.ndarray]]:
    """The engine's label rule (engine.label_rule, and since session 13 the passage rule's genre
    gate) on out-of-fold scores."""
    labels: list[str] = []
    marks: list[np.ndarray] = []
    nearest = nearest_population_by(payload.get("populations", {}))

    for i, it in enumerate(items):
        p = oof["sentence_probs"][i]
        enough = T._long_enough(it)
        flagged = enough and oof["score"][i] >= payload["threshold"]
        passage = passage_mask(p, payload["passage_threshold"], PASSAGE_SENTENCES)
        population = nearest(it.doc_feat)
        gate = E.passage_may_label(nearest, population, it.sentences, it.sent_feats, passage)
        if not enough or not gate:
            passage[:] = False
        label, _, scores, _ = E.label_rule(
            it.sentences, p, {}, passage, flagged, payload["sentence_threshold"]
        )
        labels.append(label)
        marks.append(np.array([s.is_ai for s in scores], dtype=bool))
    return labels, marks


def auroc(y: np.ndarray, p: np.ndarray) -> float | None:
    from sklearn.metrics import roc_auc_score

    return round(float(roc_auc_score(y, p)), 4) if len(set(y.tolist())) == 2 else None


def text_passage_score(p: np.ndarray) -> float:
    """A text's passage score (the highest passage threshold its sentences would pass)."""
    return passage_score(np.asarray(p), PASSAGE_SENTENCES)


def tables(items: list[T.Item], payload: dict[str, Any], oof: dict[str, Any]) -> dict[str, Any]:
    labels, marks = engine_labels(items, payload, oof)
    score = np.asarray(oof["score"])
    called = np.array([lab != "Human" for lab in labels])
    human = np.array([it.doc.label == "human" for it in items])
    out: dict[str, Any] = {
        "threshold": payload["threshold"],
        "passage_threshold": payload["passage_threshold"],
        "sentence_threshold": payload["sentence_threshold"],
    }

    def rows(key_of: Any, subset: np.ndarray) -> dict[str, Any]:
        by: dict[str, list[int]] = defaultdict(list)
        for i in np.flatnonzero(subset):
            by[key_of(items[i])].append(int(i))
        return {
            k: {"n": len(v), "labelled_ai_or_hybrid": round(float(called[v].mean()), 4),
                "score_at_threshold": round(float((score[v] >= payload["threshold"]).mean()), 4)}
            for k, v in sorted(by.items())
        }  # fmt: skip

    out["human_by_population"] = rows(lambda it: population(it.doc), human)
    out["human_by_source"] = rows(
        lambda it: f"{it.doc.source}/{it.doc.domain}" if it.doc.source in ("biscope", "l2r",
        "fastdetectgpt", "coauthor") else it.doc.source, human)  # fmt: skip
    out["human_pooled"] = round(float(called[human].mean()), 4)
    ai = np.array([it.doc.label == "ai" for it in items])
    out["ai_by_source"] = rows(lambda it: it.doc.source, ai)
    out["ai_by_generator"] = rows(lambda it: it.doc.generator, ai)
    out["ai_by_family"] = rows(lambda it: family(it.doc.generator), ai)
    out["ai_by_domain"] = rows(lambda it: f"{it.doc.source}/{it.doc.domain}", ai)
    out["ai_paraphrased"] = rows(
        lambda it: "paraphrased" if it.doc.meta.get("paraphrased") else "plain", ai
    )
    out["auroc_by_source"] = {}
    for src in sorted({it.doc.source for it in items}):
        m = np.array([it.doc.source == src for it in items])
        y = np.array([it.doc.is_ai for it in items])[m]
        out["auroc_by_source"][src] = auroc(y, score[m])
    hyb: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(items):
        if it.doc.label == "hybrid":
            hyb[it.doc.source].append(i)
            hyb[f"{it.doc.source}/{it.doc.meta.get('mix') or it.doc.domain}"].append(i)
    out["hybrid_char_f1"] = {
        k: {"n": len(v), **char_f1([items[i] for i in v], [marks[i] for i in v]),
            "labelled_ai_or_hybrid": round(float(called[v].mean()), 4)}
        for k, v in sorted(hyb.items())
    }  # fmt: skip
    out["curves"] = {
        "score": [round(float(x), 3) for x in score],
        "passage": [round(text_passage_score(p), 4) for p in oof["sentence_probs"]],
        "is_ai": [int(it.doc.is_ai) for it in items],
        "population": [population(it.doc) for it in items],
        "generator": [it.doc.generator for it in items],
        "family": [family(it.doc.generator) if it.doc.is_ai else "" for it in items],
        "source": [it.doc.source for it in items],
    }
    return out


def held_out_threshold_tables(
    items: list[T.Item],
    score: np.ndarray,
    fold_of: Any,
    passage: np.ndarray | None = None,
    sentence_probs: list[np.ndarray] | None = None,
    sentence_threshold: float = 0.5,
) -> dict[str, Any]:
    """The threshold held out too: for each fold, the threshold is chosen on the OTHER folds'
    scores only and applied to the fold's texts. (The main tables choose one threshold on every
    out-of-fold score, the held-out source's human texts included: how a threshold chosen
    without a kind of writing treats that writing is only seen here.) AI score >= threshold;
    with `passage` (each text's passage score), also the whole label rule: the passage
    threshold re-chosen on the other folds too, AI or Hybrid when either rule fires. With
    `sentence_probs` too, the passage rule as the engine applies it (`passage_labels`): its
    genre gate, with population centroids made without the held-out fold (held out by genre,
    the gate has never seen the genre it is asked about, as on a school's unseen writing), and
    no AI label from a passage alone."""
    folds = np.array([fold_of(it.doc) for it in items])
    enough = np.array([T._long_enough(it) for it in items])
    ps = None if passage is None else passage * enough
    flagged = np.zeros(len(items), dtype=bool)
    labelled = np.zeros(len(items), dtype=bool)
    ungated = np.zeros(len(items), dtype=bool)
    passage_fired = np.zeros(len(items), dtype=bool)
    thresholds, passage_thresholds = {}, {}
    for k in sorted(set(folds.tolist())):
        train, held = np.flatnonzero(folds != k), folds == k
        sub = [items[i] for i in train]
        t, _ = T.choose_threshold(score[train], sub, T.SCORE_TARGET_FPR)
        thresholds[str(k)] = round(t, 2)
        flagged[held] = score[held] >= t
        if ps is not None:
            flagged_train = (score[train] >= t) & enough[train]
            p = T.lowest_passage_threshold(sub, ps[train], flagged_train, T.LABEL_TARGET_FPR)
            passage_thresholds[str(k)] = round(p, 4)
            fires = ps >= p
            ungated[held] = fires[held]
            if sentence_probs is not None:
                held_idx = np.flatnonzero(held & fires)
                fires[held_idx] = passage_labels(
                    [items[i] for i in held_idx],
                    [sentence_probs[i] for i in held_idx],
                    sub,
                    p,
                    sentence_threshold,
                )
            passage_fired[held] = fires[held]
            labelled[held] = (flagged[held] & enough[held]) | fires[held]
    no_gate = ungated | (flagged & enough)  # the label rule before session 13
    human = np.array([it.doc.label == "human" for it in items])
    ai = np.array([it.doc.label == "ai" for it in items])

    def rows(key_of: Any, subset: np.ndarray) -> dict[str, Any]:
        by: dict[str, list[int]] = defaultdict(list)
        for i in np.flatnonzero(subset):
            by[key_of(items[i])].append(int(i))
        return {k: {"n": len(v), "at_held_out_threshold": round(float(flagged[v].mean()), 4),
                    **({"labelled_held_out": round(float(labelled[v].mean()), 4),
                        "labelled_held_out_no_gate": round(float(no_gate[v].mean()), 4)}
                       if passage is not None else {})}
                for k, v in sorted(by.items())}  # fmt: skip

    kinds = np.array([it.doc.label for it in items])

    def rate(m: np.ndarray) -> dict[str, Any]:
        return {"n": int(m.sum()), "at_held_out_threshold": round(float(flagged[m].mean()), 4)}

    by_fold = {
        str(k): {kind: rate(m) for kind in ("human", "ai", "hybrid")
                 if (m := (folds == k) & (kinds == kind)).any()}
        for k in sorted(set(folds.tolist()))
    }  # fmt: skip
    out = {
        "thresholds_by_fold": thresholds,
        "by_fold": by_fold,
        "human_pooled": round(float(flagged[human].mean()), 4),
        "human_by_population": rows(lambda it: population(it.doc), human),
        "human_by_source": rows(lambda it: f"{it.doc.source}/{it.doc.domain}", human),
        "ai_by_source": rows(lambda it: it.doc.source, ai),
        "ai_by_family": rows(lambda it: family(it.doc.generator), ai),
        "ai_paraphrased": rows(
            lambda it: "paraphrased" if it.doc.meta.get("paraphrased") else "plain", ai
        ),
    }
    # Per text, for rules applied on top of these (bench/detection_threshold_rules.py): the AI
    # score passed its fold's held-out threshold; the passage rule labels it; long enough.
    out["per_text"] = {
        "fold": folds.tolist(),
        "flagged": flagged.astype(int).tolist(),
        "passage_fired": passage_fired.astype(int).tolist(),
        "long_enough": enough.astype(int).tolist(),
    }
    if passage is not None:
        out["passage_thresholds_by_fold"] = passage_thresholds
        out["human_pooled_labelled"] = round(float(labelled[human].mean()), 4)
        out["human_pooled_labelled_no_gate"] = round(float(no_gate[human].mean()), 4)
        out["passage_gate"] = sentence_probs is not None
    return out


def passage_labels(
    texts: list[T.Item],
    sentence_probs: list[np.ndarray],
    train: list[T.Item],
    passage_threshold: float,
    sentence_threshold: float,
) -> np.ndarray:
    """For texts whose passage score passes `passage_threshold` and whose AI score does not:
    does the passage label them (engine.passage_may_label, then engine.label_rule), the gate
    judged with population centroids made from the `train` texts alone?"""
    nearest = nearest_population_among(train)
    out = np.zeros(len(texts), dtype=bool)
    for j, (it, p) in enumerate(zip(texts, sentence_probs, strict=True)):
        mask = passage_mask(p, passage_threshold, PASSAGE_SENTENCES)
        if E.passage_may_label(nearest, nearest(it.doc_feat), it.sentences, it.sent_feats, mask):
            label, *_ = E.label_rule(it.sentences, p, {}, mask, False, sentence_threshold)
            out[j] = label != "Human"
    return out


def synth_tables(synth: list[T.Item], payload: dict[str, Any], oof: dict[str, Any]) -> Any:
    """Char F1 on the synthetic hybrids (out-of-fold sentence probabilities from the sentence
    stages, document score not available: gated by the passage rule only)."""
    out: dict[str, Any] = {}
    by: dict[str, list[int]] = defaultdict(list)
    for i, it in enumerate(synth):
        by[f"{it.doc.source}/{it.doc.meta.get('mix')}"].append(i)
    probs = oof.get("synth_sentence_probs") or []
    if not probs:
        return out
    for k, idx in sorted(by.items()):
        marks = []
        for i in idx:
            p = probs[i]
            passage = passage_mask(p, payload["passage_threshold"], PASSAGE_SENTENCES)
            gate = bool(passage.any())
            marks.append(passage | (gate & (p >= payload["sentence_threshold"])))
        out[k] = {"n": len(idx), **char_f1([synth[i] for i in idx], marks)}
    return out


def with_encoder(
    items: list[T.Item],
    payload: dict[str, Any],
    oof: dict[str, Any],
    scheme: str,
    cache_dir: Path,
    log: Any,
) -> tuple[np.ndarray, dict[str, Any], dict[str, Any]]:
    """The encoder stage (detector-9) on top of the fit; returns which texts to report on and
    the blended payload and scores. Source / generator schemes: one encoder per fold, trained on
    the sample without that fold, scores the fold's texts, and the blend is calibrated on all of
    them, as the style scores are. Prompt scheme: the shipped procedure (one encoder on the
    whole sample), reported on the texts it calibrates on (every text with `CROSS_FIT`)."""
    from aaie.engine.detection import encoder_train as ET

    if scheme != "prompt":
        logits = ensemble_held_out_logits(items, cache_dir, log)
        payload, oof = ET.fit_blend(items, payload, oof, logits, np.ones(len(items), bool), log)
        return np.arange(len(items)), payload, oof
    with tempfile.TemporaryDirectory() as tmp:
        payload, oof, _ = ET.add_encoder(items, payload, oof, Path(tmp), cache_dir, log)
    return np.flatnonzero(oof["calibration"]), payload, oof


# `--encoder-seeds`: an experiment, the held-out logits of several encoders (each its own sample
# and training order) averaged; empty: the recipe's one encoder
ENSEMBLE_SEEDS: list[int] = []


def ensemble_held_out_logits(items: list[T.Item], cache_dir: Path, log: Any) -> np.ndarray:
    """The encoder's held-out logits, averaged over `ENSEMBLE_SEEDS` when given: the seed
    spread of one encoder is large (session 19: academic prose held out 11.7 % with seed 7,
    16.7 % with seed 8), and averaging is the usual cure for variance."""
    from aaie.engine.detection import encoder_train as ET

    if not ENSEMBLE_SEEDS:
        return ET.held_out_logits(items, T.source_fold, cache_dir, log)
    shipped_seed, runs = ET.SEED, []
    try:  # the recipe reads its module constant: set it per encoder, restore it whatever happens
        for seed in ENSEMBLE_SEEDS:
            ET.SEED = seed
            runs.append(ET.held_out_logits(items, T.source_fold, cache_dir, log))
    finally:
        ET.SEED = shipped_seed
    return np.mean(runs, axis=0)


def subset(oof: dict[str, Any], keep: np.ndarray) -> dict[str, Any]:
    return {"score": np.asarray(oof["score"])[keep],
            "sentence_probs": [oof["sentence_probs"][i] for i in keep]}  # fmt: skip


def with_held_out_threshold(
    out: dict[str, Any], items: list[T.Item], sentence_probs: list[np.ndarray] | None = None
) -> None:
    """Add the held-out-threshold tables (source / generator schemes: `out` covers every item).
    The passage gate needs the sentence probabilities, which the JSON does not keep: a run
    passes them, `--add-held-out-threshold` on an old JSON cannot."""
    nearest = held_out_nearest_population(items, T.source_fold)
    for res in (out, out.get("style_only")):
        if res is not None:
            res["curves"]["nearest_held_out"] = nearest
            score = np.asarray(res["curves"]["score"])
            passage = res["curves"].get("passage")  # runs before session 13 lack it
            res["held_out_threshold"] = held_out_threshold_tables(
                items,
                score,
                T.source_fold,
                None if passage is None else np.asarray(passage),
                sentence_probs,
                res["sentence_threshold"],
            )


def held_out_nearest_population(items: list[T.Item], fold_of: Any) -> list[str | None]:
    """Each text's nearest population (the engine's `Detector.nearest_population`) with the
    population centroids made from the OTHER folds' texts only: which population a text of an
    unseen source or genre is taken for (bench/detection_threshold_rules.py reads it)."""
    folds = np.array([fold_of(it.doc) for it in items])
    out: list[str | None] = [None] * len(items)
    for k in sorted(set(folds.tolist())):
        nearest = nearest_population_among([items[i] for i in np.flatnonzero(folds != k)])
        for i in np.flatnonzero(folds == k):
            out[i] = nearest(items[i].doc_feat)
    return out


def add_held_out_threshold(path: Path, items: list[T.Item], scheme: str) -> None:
    out = json.loads(path.read_text(encoding="utf-8"))
    if out["scheme"] != scheme or scheme == "prompt":
        raise SystemExit(f"pass --scheme {out['scheme']} (source or generator runs only)")
    with_held_out_threshold(out, items)
    path.write_text(json.dumps(out, indent=1, sort_keys=True), encoding="utf-8")


def with_extra_human(path: Path) -> None:
    """Add human texts of other genres to the corpus every fit reads (an experiment: the shipped
    corpus is ../shared/data alone). One package's texts share a fold key; by source they are held
    out with the smallest fold (4)."""
    from aaie.engine.detection.data import Doc

    with gzip.open(path, "rt", encoding="utf-8") as fh:
        rows = [json.loads(line) for line in fh]
    extra = [Doc(id=r["id"], text=r["text"], label="human", source="human_docs", generator="",
                 group="other_human", split="train", fold_key=f"docs-{r['package']}",
                 domain=r["domain"], meta={"package": r["package"], "licence": r["licence"]})
             for r in rows]  # fmt: skip
    corpus = T.load_corpus
    T.load_corpus = lambda data_dir: corpus(data_dir) + extra  # type: ignore[assignment]
    T.SOURCE_FOLDS["human_docs"] = 4


# argparse's dests of the encoder experiments (each defaults to None: the shipped recipe)
ENCODER_OPTIONS = ("encoder_caps", "encoder_layers", "encoder_max_tokens", "encoder_seed")


def with_encoder_options(args: argparse.Namespace) -> None:
    """The encoder experiments (`--encoder-caps`, `--encoder-layers`, `--encoder-max-tokens`,
    `--encoder-seed`) set the recipe's module constants; the shipped artifact is not touched.
    The recipe is imported only when one is given (it is what a --no-encoder run need not
    import)."""
    if all(getattr(args, name) is None for name in ENCODER_OPTIONS):
        return
    from aaie.engine.detection import encoder as EN
    from aaie.engine.detection import encoder_train as ET

    if args.encoder_caps:
        ET.PER_HUMAN_CELL, ET.PER_AI_CELL = (int(x) for x in args.encoder_caps.split(","))
    if args.encoder_layers:  # 6: every layer, the embeddings stay frozen
        ET.TOP_LAYERS = args.encoder_layers
    if args.encoder_max_tokens:  # training and the held-out int8 scorer read it: set both names
        EN.MAX_TOKENS = ET.MAX_TOKENS = args.encoder_max_tokens
    if args.encoder_seed is not None:  # picks the sample and the training order both
        ET.SEED = args.encoder_seed


def prefill_encoder_folds(items: list[T.Item], folds: str, cache_dir: Path, log: Any) -> None:
    """`--folds`: train the named folds' encoders into the cache and stop. The encoder needs
    only the items, not the style fit, so a second process started beside a full run (same
    options, same --cache-dir) does part of its work; the full run then finds them cached."""
    from aaie.engine.detection import encoder_train as ET

    wanted = {int(k) for k in folds.split(",")}
    ET.held_out_logits(items, T.source_fold, cache_dir, log, only_folds=wanted)


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--data-dir", type=Path, default=Path("../shared/data"))
    ap.add_argument("--cache-dir", type=Path, default=Path("/tmp/detection-cache"))
    ap.add_argument(
        "--scheme", choices=("prompt", "source", "generator", "genre"), default="source"
    )
    ap.add_argument("--out", type=Path, default=None)
    ap.add_argument("--no-encoder", action="store_true", help="detector-8: style models only")
    ap.add_argument("--encoder-caps", default=None, metavar="HUMAN,AI",
                    help="the encoder sample's texts per cell (shipped: 120,45)")  # fmt: skip
    ap.add_argument(
        "--add-held-out-threshold",
        type=Path,
        default=None,
        metavar="JSON",
        help="add the held-out-threshold tables to an earlier run's JSON, and stop",
    )
    ap.add_argument("--fpr-target", type=float, default=None,
                    help="an experiment: the held-out tables' false-positive target, both "
                    "thresholds (shipped: train.SCORE_TARGET_FPR)")  # fmt: skip
    ap.add_argument("--label-fpr-target", type=float, default=None,
                    help="...the passage threshold's alone (default: --fpr-target)")  # fmt: skip
    ap.add_argument("--extra-human", type=Path, default=None, metavar="JSONL_GZ",
                    help="an experiment: train on these human texts too (written by "
                    "bench/human_docs_training.py; held out with fold 4 by source)")  # fmt: skip
    ap.add_argument("--encoder-layers", type=int, default=None,
                    help="trainable top layers of the encoder (shipped: TOP_LAYERS)")  # fmt: skip
    ap.add_argument("--encoder-max-tokens", type=int, default=None,
                    help="the encoder reads the first N tokens, trained and scored "
                    "(shipped: encoder.MAX_TOKENS)")  # fmt: skip
    ap.add_argument("--encoder-seed", type=int, default=None,
                    help="the encoder's sample and training seed (shipped: SEED)")  # fmt: skip
    ap.add_argument("--encoder-seeds", default=None, metavar="S,S",
                    help="an experiment: average the held-out logits of one encoder per seed "
                    "(source, generator and genre schemes)")  # fmt: skip
    ap.add_argument("--folds", default=None, metavar="K,K",
                    help="only train these folds' encoders into the cache, then stop "
                    "(run beside a full run with the same options)")  # fmt: skip
    args = ap.parse_args()
    if args.folds and (args.scheme == "prompt" or args.no_encoder):
        ap.error("--folds trains held-out encoders: a source, generator or genre scheme")
    t0 = time.time()

    def log(m: str) -> None:
        print(f"[{time.time() - t0:.0f}s] {m}", flush=True)

    with_encoder_options(args)
    if args.encoder_seeds:
        ENSEMBLE_SEEDS[:] = [int(x) for x in args.encoder_seeds.split(",")]
    if args.fpr_target is not None:  # read at call time by held_out_threshold_tables
        T.SCORE_TARGET_FPR = T.LABEL_TARGET_FPR = args.fpr_target
    if args.label_fpr_target is not None:
        T.LABEL_TARGET_FPR = args.label_fpr_target
    if args.scheme == "generator":
        T.source_fold = generator_fold
    elif args.scheme == "source":
        T.source_fold = T.leave_one_source_out_fold
    elif args.scheme == "genre":
        T.source_fold = genre_fold
    if args.extra_human:
        with_extra_human(args.extra_human)
    items, synth = T.training_corpus(args.data_dir, args.cache_dir, log)
    if args.folds:
        prefill_encoder_folds(items, args.folds, args.cache_dir, log)
        return
    if args.add_held_out_threshold:
        add_held_out_threshold(args.add_held_out_threshold, items, args.scheme)
        return
    payload, oof = T.fit_detector(items, log, synth, args.cache_dir)
    if args.no_encoder:
        out = {"scheme": args.scheme, **tables(items, payload, oof)}
    else:
        keep, blended, oof9 = with_encoder(items, payload, oof, args.scheme, args.cache_dir, log)
        reported = [items[i] for i in keep]
        out = {"scheme": args.scheme, **tables(reported, blended, subset(oof9, keep)),
               # detector-8's procedure (no encoder) on the same texts, for comparison
               "style_only": tables(reported, payload, subset(oof, keep))}  # fmt: skip
    if args.scheme != "prompt":  # the blend leaves the sentence probabilities as they are
        with_held_out_threshold(out, items, oof["sentence_probs"])
    out["held_out_fpr_target"] = {"score": T.SCORE_TARGET_FPR, "label": T.LABEL_TARGET_FPR}
    out["seconds"] = round(time.time() - t0)
    out["model"] = MODEL_VERSION + "".join(
        f" (encoder: {what})" for what, given in (
            (f"top {args.encoder_layers} layers", args.encoder_layers),
            (f"first {args.encoder_max_tokens} tokens", args.encoder_max_tokens),
            (f"sample caps {args.encoder_caps}", args.encoder_caps),
            (f"seed {args.encoder_seed}", args.encoder_seed is not None),
            (f"mean of seeds {args.encoder_seeds}", args.encoder_seeds)) if given)  # fmt: skip
    path = args.out or Path(f"/tmp/detection-loso-{args.scheme}.json")
    path.write_text(json.dumps(out, indent=1, sort_keys=True), encoding="utf-8")
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
