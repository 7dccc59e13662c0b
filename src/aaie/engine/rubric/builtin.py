"""Built-in rubric scoring: features -> per-criterion regressors -> bands, with evidence."""

from __future__ import annotations

import math

import numpy as np

from aaie.engine.analysis import TextAnalysis
from aaie.engine.language import identify_language, not_english
from aaie.engine.rubric.features import EssayFacts, essay_facts
from aaie.engine.rubric.mapping import CriterionMapping, criterion_text, map_criterion
from aaie.engine.rubric.model import (
    load_scorer,
    on_topic_probability,
    predict,
    recognised_prompt,
    relevance_cap,
)
from aaie.engine.rubric.types import (
    BASE_CRITERIA,
    CriterionResult,
    RubricCriterionSpec,
    RubricResult,
    RubricSpec,
    label_for,
)
from aaie.engine.text import MIN_SCORE_WORDS, not_enough_text

NO_PROMPT_NOTE = (
    "No prompt given: Relevance is judged from the text alone (focus and development), "
    "with lower confidence."
)
RECOGNISED_NOTE = (
    "The essay reads as an answer to a prompt the scorer was trained on (similarity "
    "{similarity:.2f}), so its scores are set against that prompt's essays."
)
SHORT_TEXT_WORDS = 50


def quote(text: str, limit: int = 140) -> str:
    text = " ".join(text.split())
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def score_builtin(
    analysis: TextAnalysis, prompt_text: str | None, spec: RubricSpec | None
) -> RubricResult:
    if analysis.word_count < MIN_SCORE_WORDS:
        return _unscored(spec, not_enough_text(analysis.word_count, MIN_SCORE_WORDS, "score"))
    language = identify_language(analysis.text)
    if not language.supported:
        return _unscored(spec, not_english(language, "scorer"))
    facts = essay_facts(analysis, prompt_text)
    # Without a prompt, the training prompt the essay clearly answers (if any) stands in for it.
    recognised = None if prompt_text else recognised_prompt(analysis.document_embedding)
    scores = predict(
        facts,
        analysis.document_embedding,
        prompt_text,
        analysis.text,
        recognised_group=recognised[0] if recognised else None,
    )
    has_prompt = not math.isnan(facts.values["prompt_doc_sim"])
    if has_prompt:
        p_on = on_topic_probability(facts)
        facts.values["p_on_topic"] = p_on
        scores["Relevance"] = min(scores["Relevance"], relevance_cap(p_on))
    base = {
        name: _base_result(name, scores[name], facts, analysis, has_prompt)
        for name in BASE_CRITERIA
    }
    notes = [] if has_prompt else [NO_PROMPT_NOTE]
    if recognised is not None:
        notes.append(RECOGNISED_NOTE.format(similarity=recognised[1]))
    if analysis.word_count < SHORT_TEXT_WORDS:
        notes.append(f"Very short text ({analysis.word_count} words): scores are unreliable.")
    if spec is None:
        criteria = list(base.values())
        overall: float | None = scores["overall"]
        notes += _overall_note(scores["overall"], [c.score for c in criteria])
    else:
        criteria = [_custom_result(c, map_criterion(c), base, analysis) for c in spec.criteria]
        scored = [c.score for c in criteria if c.score is not None]
        overall = float(np.mean(scored)) if scored else None
    return RubricResult(
        criteria=criteria,
        overall_score=overall,
        overall_label=label_for(overall) if overall is not None else None,
        compact={c.name: c.label for c in criteria},
        engine="builtin",
        notes=notes,
    )


def _overall_note(overall: float, criteria: list[float | None]) -> list[str]:
    """Explain an overall band that differs from the criteria's: it is a separate judgement."""
    scored = [c for c in criteria if c is not None]
    if not scored:
        return []
    mean = float(np.mean(scored))
    if label_for(mean) == label_for(overall):
        return []
    return [
        f"Overall {label_for(overall)} ({overall:.2f}) differs from the criteria, which "
        f"average {mean:.2f} ({label_for(mean)}): the overall is a separate holistic judgement, "
        "learnt from teachers' overall grades, which weigh how well the answer develops its "
        "content more than the separate criteria do."
    ]


def _unscored(spec: RubricSpec | None, why: str) -> RubricResult:
    """A text the built-in scorer cannot judge (too short, not English): no band for any
    criterion, and a plain note saying why."""
    names = [c.name for c in spec.criteria] if spec is not None else list(BASE_CRITERIA)
    criteria = [
        CriterionResult(name=n, label=None, score=None, evidence=[why], scorable=False, reason=why)
        for n in names
    ]
    return RubricResult(
        criteria=criteria,
        overall_score=None,
        overall_label=None,
        compact={c.name: None for c in criteria},
        engine="builtin",
        notes=[why],
    )


# A custom criterion is scored less surely than a trained one: its confidence is the blended
# criteria's confidence times this (bench/custom_criteria.py: see the scorer card).
CUSTOM_CONFIDENCE = 0.6


def _custom_result(
    criterion: RubricCriterionSpec,
    mapping: CriterionMapping,
    base: dict[str, CriterionResult],
    analysis: TextAnalysis,
) -> CriterionResult:
    name = criterion.name
    if mapping.maps_to is None:
        evidence = [f"Not scored: {mapping.reason}."]
        if mapping.detail:
            evidence.append(f"{mapping.detail[0].upper()}{mapping.detail[1:]}.")
        return CriterionResult(
            name=name, label=None, score=None, evidence=evidence, scorable=False,
            reason=mapping.reason,
        )  # fmt: skip
    if mapping.weights == {name: 1.0}:  # a built-in criterion under its own name
        return base[name].model_copy(update={"reason": mapping.reason})
    score = sum(w * float(base[b].score or 0.0) for b, w in mapping.weights.items())
    confidence = CUSTOM_CONFIDENCE * sum(
        w * float(base[b].confidence or 0.5) for b, w in mapping.weights.items()
    )
    evidence = [f"{mapping.reason[0].upper()}{mapping.reason[1:]}."]
    evidence += _closest_sentences(analysis, criterion)
    top = base[mapping.maps_to]
    evidence += [f"{mapping.maps_to}: {e}" for e in top.evidence[:2]]
    return CriterionResult(
        name=name,
        label=label_for(score),
        score=round(score, 4),
        evidence=evidence,
        scorable=True,
        maps_to=mapping.maps_to,
        confidence=round(confidence, 3),
        reason=mapping.reason,
    )


def _closest_sentences(analysis: TextAnalysis, criterion: RubricCriterionSpec) -> list[str]:
    """The essay's sentences closest in meaning to the criterion (what a teacher would read)."""
    from aaie.engine.embeddings import get_embedder

    if not analysis.sentences:
        return []
    query = get_embedder().embed_cached([criterion_text(criterion)])[0]
    sims = analysis.sentence_embeddings @ query
    best = int(np.argmax(sims))
    line = (
        f'closest to "{criterion.name}" in the essay (similarity {float(sims[best]):.2f}): '
        f'"{quote(analysis.sentences[best].text)}"'
    )
    if float(sims[best]) < 0.25:
        line += "; no sentence is clearly about it"
    return [line]


def _base_result(
    name: str, score: float, facts: EssayFacts, analysis: TextAnalysis, has_prompt: bool
) -> CriterionResult:
    confidence = float(load_scorer()["confidence"].get(name, 0.5))
    if name == "Relevance" and not has_prompt:
        confidence *= 0.6
    evidence = EVIDENCE[name](facts, analysis)
    return CriterionResult(
        name=name,
        label=label_for(score),
        score=round(score, 4),
        evidence=evidence,
        scorable=True,
        maps_to=name,
        confidence=round(confidence, 3),
    )


def _structure(f: EssayFacts, a: TextAnalysis) -> list[str]:
    v = f.values
    out = [
        f"{a.word_count} words in {f.paragraphs} paragraph(s) and {int(v['n_sentences'])} "
        f"sentences ({v['words_per_paragraph']:.0f} words per paragraph)"
    ]
    if f.transitions:
        used = sorted({w for ws in f.transitions.values() for w in ws})
        kinds = ", ".join(f.transitions)  # contrast, addition, cause, example, conclusion
        out.append(f"transition words: {len(used)} ({kinds}): " + ", ".join(used))
    else:
        out.append("no transition words (however, for example, therefore, in conclusion…)")
    out.append(
        f"links between consecutive sentences: {v['coherence_adjacent']:.2f} "
        "(mean similarity of neighbouring sentences)"
    )
    if a.sentences:
        out.append(f'opening: "{quote(a.sentences[0].text)}"')
        if len(a.sentences) > 2:
            out.append(f'closing: "{quote(a.sentences[-1].text)}"')
    return out


def _clarity(f: EssayFacts, a: TextAnalysis) -> list[str]:
    v = f.values
    out = [
        f"average sentence length {v['mean_sent_len']:.1f} words (spread {v['std_sent_len']:.1f}); "
        f"{v['frac_long_sent']:.0%} of sentences over 35 words",
        f"readability: Flesch reading ease {v['flesch']:.0f} (0-100 for most texts, higher "
        f"is easier; {_ease_words(v['flesch'])}), US school grade level {v['fk_grade']:.1f}",
    ]
    if v["flesch"] < 50:
        out.append(
            "long words and sentences make a text harder to read, but not unclear: Clarity "
            "rates whether the sentences are well formed and easy to follow"
        )
    if a.sentences:
        i = int(np.argmax(f.sentence_words))
        out.append(
            f'longest sentence ({f.sentence_words[i]} words): "{quote(a.sentences[i].text)}"'
        )
    return out


def _ease_words(flesch: float) -> str:
    bands = ((80, "easy"), (60, "plain English"), (50, "fairly difficult"), (30, "difficult"))
    return next((w for floor, w in bands if flesch >= floor), "very difficult, like academic prose")


def _relevance(f: EssayFacts, a: TextAnalysis) -> list[str]:
    v = f.values
    if f.sentence_prompt_sims is None:
        return [
            NO_PROMPT_NOTE,
            f"focus: sentences stay close to the essay's main idea "
            f"(mean similarity {v['coherence_centroid']:.2f})",
        ]
    out = [
        f"answers this prompt: probability {v.get('p_on_topic', math.nan):.2f} "
        f"(essay-prompt similarity {v['prompt_doc_sim']:.2f}, best sentence "
        f"{v['prompt_max_sent_sim']:.2f})",
        f"uses {len(f.covered_points)} of {len(f.covered_points) + len(f.missing_points)} key "
        "terms of the prompt" + (": " + ", ".join(f.covered_points) if f.covered_points else ""),
    ]
    if f.missing_points:
        out.append("prompt terms not used: " + ", ".join(f.missing_points))
    sims = f.sentence_prompt_sims
    if len(sims):
        out.append(f'most on-topic sentence: "{quote(a.sentences[int(np.argmax(sims))].text)}"')
        if len(sims) > 3:
            out.append(
                f'least on-topic sentence: "{quote(a.sentences[int(np.argmin(sims))].text)}"'
            )
    return out


def _academic(f: EssayFacts, a: TextAnalysis) -> list[str]:
    v = f.values
    out = [
        f"vocabulary: {v['frac_long_words']:.0%} long words, {v['frac_rare_words']:.0%} less "
        f"common words, lexical variety {v['guiraud']:.1f}"
    ]
    if f.misspelled:
        examples = sorted({w for _, _, w in f.misspelled})[:6]
        out.append(
            f"{len(f.misspelled)} word(s) not in the dictionary, e.g. " + ", ".join(examples)
        )
    else:
        out.append("no spelling problems found")
    if f.informal:
        out.append("informal words: " + ", ".join(sorted({w for _, _, w in f.informal})[:6]))
    if v["lower_start_rate"] > 0 or v["lower_i_rate"] > 0:
        out.append(
            f"capitalisation: {v['lower_start_rate']:.0%} of sentences start lower-case; "
            f"lower-case 'i' used {round(v['lower_i_rate'] * max(a.word_count, 1))} time(s)"
        )
    return out


EVIDENCE = {
    "Structure": _structure,
    "Clarity": _clarity,
    "Relevance": _relevance,
    "AcademicWriting": _academic,
}
