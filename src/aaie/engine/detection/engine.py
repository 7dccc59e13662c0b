"""classify / ai_score / ai_spans: the detector's public functions.

One internal pass (`_detect`, memoised in the shared `TextAnalysis`) computes everything; the three
functions only shape its result. The label rule (also in docs/models/detector.md):

1. The document model gives the calibrated `ai_score` (0-100). The text is *flagged* when
   `ai_score >= threshold` (threshold chosen so that <= 1 % of human essays of every writer group
   reach it) and the text is long enough (>= MIN_WORDS words and >= MIN_SENTENCES sentences).
2. A long-enough text holds an *AI passage* when PASSAGE_SENTENCES consecutive sentences
   together read as AI-written: the mean of their log-odds (each clipped at PASSAGE_CAP) is at
   least the passage threshold's. That threshold is calibrated on
   out-of-fold human essays so that the share of human essays that are flagged OR hold a passage
   stays <= 1 % in every writer group and essay source: the label's false-positive guarantee.
3. Sentences that reproduce an `ai` turn of the chat log (a similarity match covering >= half of
   the sentence) are AI, source "chat_log", whatever the statistics say.
4. In a flagged text or one with an AI passage, the passage's sentences and every sentence with
   probability >= the sentence threshold (best F1 on hybrids) are AI (source "model"). Otherwise
   no sentence is AI on statistics alone, so the guarantee of 1-2 also bounds the spans.
5. With f = share of sentence characters that are AI:
   - no AI sentence -> Human;  f >= 0.85 -> AI;
   - a real mix -> Hybrid: at least 15 % non-AI characters and either a passage of >= 2
     consecutive AI sentences, >= 15 % AI characters, or any chat-log sentence;
   - otherwise (flagged, but the sentence model finds only isolated AI sentences): the whole
     text reads AI-written and no passage stands out -> AI, and every sentence is marked AI.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, Field

from aaie.engine.analysis import TextAnalysis, ensure_analysis
from aaie.engine.detection import features as F
from aaie.engine.detection.encoder import shipped_scorer
from aaie.engine.detection.held_out import load_held_out_rates
from aaie.engine.detection.model import (
    PASSAGE_SENTENCES,
    Detector,
    doc_input,
    load_detector,
    passage_mask,
)
from aaie.engine.language import Language, identify_language
from aaie.engine.types import ChatTurn, Sentence, as_chat_log

MIN_WORDS = 50
MIN_SENTENCES = 3
MAX_CHARS = 100_000  # ~15,000 words; the API answers 413 above it
AI_LABEL_FRACTION = 0.85
MIX_FRACTION = 0.15
MIN_PASSAGE_SENTENCES = 2
CHAT_COVERAGE = 0.5

Label = Literal["Human", "AI", "Hybrid"]
SentenceSource = Literal["model", "chat_log"]


class DetectionInputError(ValueError):
    """The submission cannot be scored (empty, or over MAX_CHARS)."""


class TextTooLongError(DetectionInputError):
    pass


class SentenceScore(BaseModel):
    index: int
    start: int
    end: int
    ai_probability: float = Field(ge=0.0, le=1.0)
    is_ai: bool
    source: SentenceSource = "model"
    chat_turn: int | None = None


class Classification(BaseModel):
    label: Label
    confidence: float = Field(ge=0.0, le=1.0)
    ai_score: float = Field(ge=0.0, le=100.0)
    ai_fraction: float = Field(ge=0.0, le=1.0)
    insufficient_text: bool
    threshold: float
    fpr_at_threshold: float
    fpr_at_score: float  # share of human texts in validation that scored this high or higher
    # The human population (writer group x genre, e.g. "academic") this text looks most like:
    # fpr_at_threshold / fpr_at_score were measured on it (out of fold: its prompt or item held
    # out, every source trained on).
    fpr_population: str | None = None
    # The same population's rate held out (held_out.py): the share of its human texts labelled
    # AI or Hybrid when their whole source was left out of training; fpr_at_threshold flatters
    # writing from a new source (academic prose). None for a model never measured so.
    fpr_held_out: float | None = None
    language: str = "en"
    # Not English: the statistics are not used (label Human unless the chat log shows AI text,
    # like a text too short to judge); /llm/classify and /llm/highlight-spans answer 422.
    unsupported_language: bool = False
    chat_log_fraction: float = 0.0
    word_count: int
    sentences: list[SentenceScore]
    reasons: list[str]
    model_version: str


class AIScore(BaseModel):
    ai_score: float = Field(ge=0.0, le=100.0)
    threshold: float
    fpr_at_threshold: float
    fpr_at_score: float
    fpr_population: str | None = None
    fpr_held_out: float | None = None
    insufficient_text: bool
    unsupported_language: bool = False
    label_at_threshold: bool  # labelled AI/Hybrid: flagged, an AI passage, or chat-log evidence
    chat_log_evidence: bool
    ai_passage: bool = False  # a run of high-probability sentences (labels even below threshold)
    confidence: float = Field(ge=0.0, le=1.0)
    model_version: str


class Span(BaseModel):
    start: int
    end: int
    kind: Literal["ai"] = "ai"
    score: float = Field(ge=0.0, le=1.0)
    source: SentenceSource = "model"
    chat_turn: int | None = None


@dataclass
class _Result:
    classification: Classification
    flagged: bool
    passage: bool = False


# ----------------------------------------------------------------- public functions


def classify(
    student_submission: str,
    prompt_text: str | None = None,
    chat_log: list[ChatTurn] | list[dict[str, str]] | None = None,
    *,
    analysis: TextAnalysis | None = None,
) -> Classification:
    """Human / AI / Hybrid with calibrated confidence, AI score, per-sentence scores and reasons."""
    return _detect(student_submission, prompt_text, chat_log, analysis).classification


def ai_score(
    student_submission: str,
    prompt_text: str | None = None,
    chat_log: list[ChatTurn] | list[dict[str, str]] | None = None,
    *,
    analysis: TextAnalysis | None = None,
) -> AIScore:
    """Calibrated 0-100 AI score with the policy threshold and its measured false-positive rate."""
    res = _detect(student_submission, prompt_text, chat_log, analysis)
    c = res.classification
    return AIScore(
        ai_score=c.ai_score,
        threshold=c.threshold,
        fpr_at_threshold=c.fpr_at_threshold,
        fpr_at_score=c.fpr_at_score,
        fpr_population=c.fpr_population,
        fpr_held_out=c.fpr_held_out,
        insufficient_text=c.insufficient_text,
        unsupported_language=c.unsupported_language,
        label_at_threshold=res.flagged or res.passage or c.chat_log_fraction > 0,
        chat_log_evidence=c.chat_log_fraction > 0,
        ai_passage=res.passage,
        confidence=c.confidence,
        model_version=c.model_version,
    )


def ai_spans(
    student_submission: str,
    prompt_text: str | None = None,
    chat_log: list[ChatTurn] | list[dict[str, str]] | None = None,
    *,
    analysis: TextAnalysis | None = None,
) -> list[Span]:
    """Character spans of AI sentences (adjacent AI sentences of one source merge)."""
    c = _detect(student_submission, prompt_text, chat_log, analysis).classification
    spans: list[Span] = []
    run: list[SentenceScore] = []
    for s in [*c.sentences, None]:
        if s is not None and s.is_ai and (not run or _same_source(run[-1], s)):
            run.append(s)
            continue
        if run:
            spans.append(_span(run))
        run = [s] if s is not None and s.is_ai else []
    return spans


def _same_source(a: SentenceScore, b: SentenceScore) -> bool:
    return a.source == b.source and a.chat_turn == b.chat_turn and b.index == a.index + 1


def _span(run: list[SentenceScore]) -> Span:
    return Span(
        start=run[0].start,
        end=run[-1].end,
        score=round(float(np.mean([s.ai_probability for s in run])), 4),
        source=run[0].source,
        chat_turn=run[0].chat_turn,
    )


# ----------------------------------------------------------------- the one pass


def validate_text(text: object) -> str:
    if not isinstance(text, str) or not text.strip():
        raise DetectionInputError("student_submission is empty")
    if len(text) > MAX_CHARS:
        raise TextTooLongError(f"student_submission is over {MAX_CHARS} characters")
    return text


def _detect(
    text: str,
    prompt_text: str | None,
    chat_log: list[ChatTurn] | list[dict[str, str]] | None,
    analysis: TextAnalysis | None,
) -> _Result:
    text = validate_text(text)
    turns = as_chat_log(chat_log)  # raises pydantic.ValidationError (a ValueError) on bad shape
    analysis = ensure_analysis(text, analysis)
    key = ("detection", prompt_text, tuple((t.role, t.text) for t in turns))
    cached = analysis.memo.get("detection")
    if cached is not None and cached[0] == key:
        return cached[1]
    result = _run(text, prompt_text, turns, analysis)
    analysis.memo["detection"] = (key, result)
    return result


def _run(
    text: str,
    prompt_text: str | None,
    turns: list[ChatTurn],
    analysis: TextAnalysis,
    det: Detector | None = None,
) -> _Result:
    det = det or load_detector()  # the benchmark passes a detector fitted on the train split
    sentences = analysis.sentences
    n_words = analysis.word_count
    insufficient = n_words < MIN_WORDS or len(sentences) < MIN_SENTENCES
    language = identify_language(text)
    unjudged = insufficient or not language.supported  # the statistics do not label it
    sent_feats = F.sentence_features(sentences)
    doc_feat = F.doc_features(text, sentences, sent_feats)
    emb, doc_emb = _embeddings(det, analysis)
    lex = det.lexical_log_odds([s.text for s in sentences])
    p_sent = det.sentence_probability(det.sentence_rows(sent_feats, emb, doc_feat, doc_emb, lex))
    p_doc = float(det.doc_probability(doc_input(doc_feat, p_sent, lex)[None, :])[0])
    encoder_logit = None
    if det.encoder is not None:  # detector-9: the fine-tuned encoder's view, blended in
        encoder_logit = shipped_scorer().logit(text)
        p_doc = det.encoder.probability(100.0 * p_doc, encoder_logit)
    score = round(100.0 * p_doc, 3)
    flagged = not unjudged and score >= det.threshold
    population = det.nearest_population(doc_feat)
    passage = passage_mask(p_sent, det.passage_threshold, PASSAGE_SENTENCES)
    if unjudged or not passage_may_label(
        det.nearest_population, population, sentences, sent_feats, passage
    ):
        passage[:] = False
    chat = _chat_evidence(text, prompt_text, turns, analysis) if _has_ai_turn(turns) else {}
    label, fraction, scores, passage = label_rule(
        sentences, p_sent, chat, passage, flagged, det.sentence_threshold
    )
    if passage.any():  # the passage's own evidence, so a Hybrid below threshold is not "unsure"
        p_doc = max(p_doc, det.passage_probability(float(p_sent[passage].min())))
    gate = flagged or bool(passage.any())
    chat_fraction = _fraction(sentences, [s.source == "chat_log" for s in scores])
    confidence = _confidence(label, p_doc, chat_fraction, unjudged)
    c = Classification(
        label=label,
        confidence=confidence,
        ai_score=score,
        ai_fraction=round(fraction, 4),
        insufficient_text=insufficient,
        threshold=det.threshold,
        fpr_at_threshold=det.population_fpr(population),
        fpr_at_score=round(det.population_fpr_at(population, score), 4),
        fpr_population=population,
        fpr_held_out=_held_out_rate(det, population),
        language=language.code,
        unsupported_language=not language.supported,
        chat_log_fraction=round(chat_fraction, 4),
        word_count=n_words,
        sentences=scores,
        reasons=_reasons(
            det,
            label,
            score,
            fraction,
            scores,
            insufficient,
            n_words,
            doc_feat,
            sentences,
            population,
            judged=not unjudged,
        ),
        model_version=_model_version(det),
    )
    if encoder_logit is not None and not unjudged:  # next to the score it is part of
        c.reasons.insert(1, det.encoder.reason(encoder_logit))
    if not language.supported:
        c.reasons.insert(0, _language_reason(language))
    if passage.any() and not flagged:
        c.reasons.insert(1 + insufficient, _passage_reason(det, passage, population))
    model_only = gate and label != "Human" and chat_fraction == 0  # no pasted chat text behind it
    if model_only and population and population not in ESSAY_POPULATIONS:
        c.reasons.insert(1, _genre_caution(det, population))  # right under the verdict
    return _Result(c, flagged, bool(passage.any()))


def label_rule(
    sentences: list[Sentence],
    p_sent: np.ndarray,
    chat: dict[int, int],
    passage: np.ndarray,
    flagged: bool,
    sentence_threshold: float,
) -> tuple[Label, float, list[SentenceScore], np.ndarray]:
    """The label, AI share and sentence marks of a text, and the passage that stands (the
    engine and the leave-one-out benches share this rule).

    A passage alone (AI score under the threshold, no text pasted from the chat log) may make a
    text Hybrid, never AI. When its marks would cover the text, the text reads as AI-like all
    through rather than holding a passage that differs from the rest, and whether a whole text
    is AI is the AI score's question, asked with its own threshold and measured false-positive
    rate. Both false positives left on unseen human manuals (session 14: the GPL text and a
    printf reference in the Octave manual, AI scores 93.4-93.5) were such "AI" labels; on unseen
    DEV texts the rule costs 2 points of plain AI below the threshold (82.0 -> 79.7 %) and
    0.6 of spliced essays labelled (docs/benchmarks/detection.md, session 14)."""
    scores = _sentence_scores(sentences, p_sent, chat, passage, flagged, sentence_threshold)
    label, fraction, scores = _label(sentences, scores, flagged or bool(passage.any()))
    if label == "AI" and passage.any() and not flagged and not chat:
        passage = np.zeros_like(passage)
        scores = _sentence_scores(sentences, p_sent, chat, passage, flagged, sentence_threshold)
        label, fraction, scores = _label(sentences, scores, False)
    return label, fraction, scores, passage


ESSAY_POPULATIONS = ("student_essays_native", "student_essays_non_native")
# The passage rule (two sentences that together read as AI, below the document threshold) does
# not label a text that reads like academic or news / encyclopedic prose, judged on the whole
# text and on the text around the passage (either reading like another genre lets it label).
# Those are the genres whose human texts read as AI when unseen (held out by genre: academic
# 44.5 %, every other genre 0.0 %), and on them the passage rule made the false positives: every
# one on human manuals and encyclopedia entries never trained on (5 of 1,770, none by the AI
# score), and held out by source L2R's academic texts 13.3 -> 18.8 %. Cost, measured on unseen
# DEV texts: spliced essays labelled 88.9 -> 82.2 % (char F1 0.920 -> 0.892), plain AI essays
# 92.9 -> 90.4 % (docs/benchmarks/detection.md, "The passage rule outside essays").
NO_PASSAGE_POPULATIONS = ("academic", "news_encyclopedic")


def passage_may_label(
    nearest: Callable[[np.ndarray], str | None],
    population: str | None,
    sentences: list[Sentence],
    sent_feats: np.ndarray,
    passage: np.ndarray,
) -> bool:
    """May the passage rule label this text? Not when the whole text (its nearest `population`)
    and the text around the passage both read as academic or news prose. Judged around the
    passage too because an AI paragraph spliced into an essay moves the whole text's style
    towards academic prose, the essay around it less so: gating on the whole text alone cost a
    quarter of the spliced essays found (88.9 -> 65 %). Too little text around it: the whole
    text decides."""
    if not passage.any() or population not in NO_PASSAGE_POPULATIONS:
        return True  # nothing to gate (and no second feature pass on the hot path)
    rest = np.flatnonzero(~passage)
    if len(rest) < MIN_SENTENCES:
        return False
    kept = [sentences[i] for i in rest]  # sentence features are each sentence's own: reused
    around = F.doc_features(" ".join(s.text for s in kept), kept, sent_feats[rest])
    return nearest(around) not in NO_PASSAGE_POPULATIONS


def _genre_caution(det: Detector, population: str) -> str:
    """Said whenever the model alone (no text pasted from the chat log) labels a text that
    reads like another genre than a student essay. Held out by source (docs/models/detector.md,
    "Limits"), human writing of a kind the detector was not trained on was flagged far above the
    rates it reports out of fold (textbook-like explanations most of all), while student essays
    of unseen sources stayed safe: the caution quotes both held-out rates."""
    words = population_words(population)
    rates = load_held_out_rates(_model_version(det))
    measured = (
        f"When their source was left out of training, {_pct(rates.rate(population))} of "
        f"{words} were labelled AI or Hybrid, and {_pct(rates.genre_rate(population))} when "
        "no text of their genre was: "
        if rates
        else ""
    )
    return (
        f"Caution: this text is written more like {words} than like a student essay. "
        f"{measured}human writing of a kind AAIE was not trained on can read as AI to it more "
        "often than its validation rates say. Treat this label as a reason to talk with the "
        "student, never as evidence on its own."
    )


def _model_version(det: Detector) -> str:
    return str(det.card.get("version", ""))


def _held_out_rate(det: Detector, population: str | None) -> float | None:
    rates = load_held_out_rates(_model_version(det))
    return None if rates is None else rates.rate(population)


def _held_out_words(det: Detector, population: str | None) -> str:
    """ " (18.0% of those from a source left out of training)", or "" for an unmeasured model."""
    rate = _held_out_rate(det, population)
    return "" if rate is None else f" ({_pct(rate)} of those from a source left out of training)"


def _pct(rate: float) -> str:
    return f"{100 * rate:.1f}%"


def _embeddings(det: Detector, analysis: TextAnalysis) -> tuple[np.ndarray, np.ndarray]:
    """MiniLM embeddings for a detector that uses them (detector-7); detector-8 does not, so
    classifying alone runs no embedding pass."""
    if det.projection is None:
        return np.zeros((len(analysis.sentences), 0), np.float32), np.zeros(0, np.float32)
    return analysis.sentence_embeddings, analysis.document_embedding


def _passage_reason(det: Detector, passage: np.ndarray, population: str | None) -> str:
    idx = [int(i) for i in np.flatnonzero(passage)]
    rate = 100 * det.population_fpr(population)
    return (
        f"Sentence(s) {_ranges(idx)} form a passage: runs of {PASSAGE_SENTENCES} consecutive "
        f"sentences that together read as AI-written (probability >= "
        f"{det.passage_threshold:.2f}); "
        f"{rate:.1f}% of {population_words(population)} in validation were labelled AI or "
        f"Hybrid by this rule or the AI score{_held_out_words(det, population)}."
    )


def _language_reason(language: Language) -> str:
    return (
        f"The text reads as {language.name} (probability {language.probability:.2f}). The "
        "detector was trained and validated on English only, so it does not judge this text."
    )


POPULATION_WORDS = {
    "student_essays_native": "human essays by native-speaker students",
    "student_essays_non_native": "human essays by English learners",
    "academic": "human academic and technical texts (abstracts, medical, legal, teaching)",
    "news_encyclopedic": "human news and encyclopedic texts",
    "creative": "human stories and creative writing",
    "web_reviews": "human reviews and web posts",
}


def population_words(population: str | None) -> str:
    """The human texts a population's false-positive rate was measured on, in words."""
    return POPULATION_WORDS.get(population or "", "human essays")


def _has_ai_turn(turns: list[ChatTurn]) -> bool:
    return any(t.role == "ai" and t.text.strip() for t in turns)


def _chat_evidence(
    text: str, prompt_text: str | None, turns: list[ChatTurn], analysis: TextAnalysis
) -> dict[int, int]:
    """Sentence index -> chat turn index, for sentences mostly covered by an AI-turn match."""
    from aaie.engine.similarity import prompt_similarity  # one matcher for the whole engine

    sim = prompt_similarity(text, prompt_text, turns, analysis=analysis)
    ai_matches = [m for m in sim.matches if m.source == "chat" and m.role == "ai"]
    out: dict[int, int] = {}
    for s in analysis.sentences:
        best, best_cover = None, 0
        for m in ai_matches:
            cover = max(0, min(s.end, m.end) - max(s.start, m.start))
            if cover > best_cover:
                best, best_cover = m.turn_index, cover
        if best is not None and best_cover >= CHAT_COVERAGE * max(s.end - s.start, 1):
            out[s.index] = best
    return out


def _sentence_scores(
    sentences: list[Sentence],
    p_sent: np.ndarray,
    chat: dict[int, int],
    passage: np.ndarray,
    flagged: bool,
    sentence_threshold: float,
) -> list[SentenceScore]:
    """Chat-log sentences, passage sentences, and - once the text is flagged or holds a passage -
    every sentence at or above the sentence threshold are AI."""
    gate = flagged or bool(passage.any())
    out = []
    for s, p, in_passage in zip(sentences, p_sent, passage, strict=True):
        turn = chat.get(s.index)
        out.append(
            SentenceScore(
                index=s.index,
                start=s.start,
                end=s.end,
                ai_probability=1.0 if turn is not None else round(float(p), 4),
                is_ai=turn is not None
                or bool(in_passage)
                or (gate and float(p) >= sentence_threshold),
                source="chat_log" if turn is not None else "model",
                chat_turn=turn,
            )
        )
    return out


def _fraction(sentences: list[Sentence], mask: list[bool]) -> float:
    total = sum(s.end - s.start for s in sentences)
    return sum(s.end - s.start for s, m in zip(sentences, mask, strict=True) if m) / max(total, 1)


def _longest_run(mask: list[bool]) -> int:
    best = cur = 0
    for m in mask:
        cur = cur + 1 if m else 0
        best = max(best, cur)
    return best


def _label(
    sentences: list[Sentence], scores: list[SentenceScore], flagged: bool
) -> tuple[Label, float, list[SentenceScore]]:
    mask = [s.is_ai for s in scores]
    f = _fraction(sentences, mask)
    if not any(mask):
        if not flagged:
            return "Human", 0.0, scores
        return "AI", 1.0, [s.model_copy(update={"is_ai": True}) for s in scores]
    if f >= AI_LABEL_FRACTION:
        return "AI", f, scores
    has_chat = any(s.source == "chat_log" for s in scores)
    passage = _longest_run(mask) >= MIN_PASSAGE_SENTENCES or f >= MIX_FRACTION or has_chat
    if passage and 1.0 - f >= MIX_FRACTION:
        return "Hybrid", f, scores
    return "AI", 1.0, [s.model_copy(update={"is_ai": True}) for s in scores]


def _confidence(label: Label, p_doc: float, chat_fraction: float, insufficient: bool) -> float:
    """Calibrated P(human) for Human, else P(contains AI); chat-log evidence is near-certain."""
    if chat_fraction > 0 and label != "Human":
        return round(max(p_doc, 0.99), 4)
    if insufficient:
        return 0.5  # too short to judge either way: the label is a default, not a finding
    return round(float(1.0 - p_doc if label == "Human" else p_doc), 4)


# ----------------------------------------------------------------- reasons

_CUES: dict[str, tuple[str, str]] = {
    # feature: (reason when it pushes towards AI, reason when it pushes towards human)
    "assistant_rate": ("frequent assistant-style vocabulary", "little assistant-style vocabulary"),
    "discourse_rate": ("many formal connectives", "few formal connectives"),
    "rare2_rate": ("few rare or misspelt words", "rare or misspelt words, as people write"),
    "oov_rate": ("no unknown words or typos", "words outside the dictionary (typos, names)"),
    "sent_len_cv": ("evenly sized sentences", "varied sentence lengths"),
    "lower_i_rate": ("no casual 'i' errors", "casual writing errors (lower-case 'i')"),
    "contraction_rate": ("few contractions", "contractions, as people write"),
    "first_person_rate": ("little first-person voice", "a personal first-person voice"),
    "zipf_mean": ("common, predictable word choice", "less common word choice"),
    "mattr50": ("a typical vocabulary range", "an unusual vocabulary range"),
}


def _style_cues(det: Detector, doc_feat: np.ndarray, towards_ai: bool) -> list[str]:
    """Style features where this text sits furthest towards the AI (or the human) side.

    Each feature's value is compared with the human-essay mean in human standard deviations,
    signed by the direction AI texts differ in training (a description, not the model's weights).
    """
    stats = det.cue_stats
    if not stats:
        return []
    human, spread, ai = (np.asarray(stats[k]) for k in ("human_mean", "human_std", "ai_mean"))
    contrib = (doc_feat - human) / np.maximum(spread, 1e-6) * np.sign(ai - human)
    order = np.argsort(-contrib if towards_ai else contrib)
    cues = []
    for i in order:
        name = F.DOC_FEATURES[int(i)]
        value = float(contrib[int(i)])
        if name in _CUES and (value > 0.5 if towards_ai else value < -0.5):
            cues.append(_CUES[name][0 if towards_ai else 1])
        if len(cues) == 2:
            break
    return cues


def _reasons(
    det: Detector,
    label: Label,
    score: float,
    fraction: float,
    scores: list[SentenceScore],
    insufficient: bool,
    n_words: int,
    doc_feat: np.ndarray,
    sentences: list[Sentence],
    population: str | None = None,
    judged: bool = True,
) -> list[str]:
    """Why the label is what it is. A text the statistics do not judge (too short, or not
    English) gets no score, style or wording reasons: they would read as findings."""
    reasons: list[str] = []
    if insufficient:
        reasons.append(
            f"Not enough text to tell whether it is AI-written: {n_words} words in "
            f"{len(scores)} sentence(s) (at least {MIN_WORDS} words in {MIN_SENTENCES} sentences "
            "are needed). "
            + (
                "It is labelled Human by default, not as a finding."
                if label == "Human"
                else "The label comes from the chat log, not from the text's statistics."
            )
        )
    if judged:
        reasons.append(_score_reason(det, score, population))
    for turn, idx in _chat_turns(scores).items():
        # Turns are counted from 1, as a reader counts (and as the report and the app do).
        reasons.append(f"Sentence(s) {_ranges(idx)} reproduce AI turn {turn + 1} of the chat log.")
    if not judged:
        return reasons
    model_ai = [s.index for s in scores if s.is_ai and s.source == "model"]
    if label == "Hybrid" and model_ai:
        reasons.append(f"Sentence(s) {_ranges(model_ai)} read as AI-written; the rest do not.")
    if label != "Human" or score >= det.threshold:
        cues = _style_cues(det, doc_feat, towards_ai=True)
    else:
        cues = _style_cues(det, doc_feat, towards_ai=False)
    if cues:
        reasons.append("Style: " + "; ".join(cues) + ".")
    phrases = _telling_phrases(det, label, scores, sentences)
    if phrases:
        quoted = ", ".join(f"“{p}”" for p in phrases)
        reasons.append(f"Wording typical of AI-written text in the AI sentences: {quoted}.")
    if label == "AI":
        reasons.append(f"{100 * fraction:.0f}% of the text is judged AI-written.")
    return reasons


def _score_reason(det: Detector, score: float, population: str | None) -> str:
    side = "at or above" if score >= det.threshold else "below"
    words = population_words(population)
    return (
        f"AI score {score:.1f}/100 is {side} the threshold {det.threshold:.1f}; "
        f"{100 * det.population_fpr_at(population, score):.1f}% of {words} in validation "
        f"scored this high, and {100 * det.population_fpr(population):.1f}% were labelled AI "
        f"or Hybrid{_held_out_words(det, population)}."
    )


def _telling_phrases(
    det: Detector, label: Label, scores: list[SentenceScore], sentences: list[Sentence]
) -> list[str]:
    if det.lexical is None or label == "Human":
        return []
    ai = [t.text for t, s in zip(sentences, scores, strict=True) if s.is_ai and s.source == "model"]
    # Only wording a teacher would accept as a sign (never "for", "community" or a topic noun).
    from aaie.engine.explain import telling_phrases

    text = " ".join(t.text for t in sentences)
    return telling_phrases(det.lexical.telling_phrases(ai, k=30), text, " ".join(ai))


def _chat_turns(scores: list[SentenceScore]) -> dict[int, list[int]]:
    out: dict[int, list[int]] = {}
    for s in scores:
        if s.chat_turn is not None:
            out.setdefault(s.chat_turn, []).append(s.index)
    return out


def _ranges(indices: list[int]) -> str:
    """[0, 1, 2, 5] -> '1-3, 6' (1-based, as a reader counts)."""
    parts: list[str] = []
    start = prev = indices[0]
    for i in [*indices[1:], None]:
        if i is not None and i == prev + 1:
            prev = i
            continue
        parts.append(f"{start + 1}" if start == prev else f"{start + 1}-{prev + 1}")
        if i is not None:
            start = prev = i
    return ", ".join(parts)


def detector_card() -> dict[str, Any]:
    """The shipped artifact's card (threshold, FPR per writer group, training counts)."""
    return dict(load_detector().card)
