"""Rubric scoring: the built-in scorer, custom rubrics, prompts and bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from aaie.engine.analysis import TextAnalysis
from aaie.engine.rubric import BASE_CRITERIA, LABELS, RubricSpec, label_for, rubric_score

DATA = (
    Path(
        os.environ.get("AAIE_SHARED_DATA")
        or Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
    )
    / "score"
)
needs_data = pytest.mark.skipif(
    not (DATA / "asap_dev.jsonl").exists(), reason="needs ../shared/data/score (ASAP dev essays)"
)

PROMPT = (
    "More and more people use computers, but not everyone agrees that this benefits "
    "society. Write a letter to your local newspaper in which you state your opinion on the "
    "effects computers have on people. Persuade the readers to agree with you."
)
ESSAY = (
    "Dear Editor,\n\n"
    "I believe computers have a positive effect on people, because they connect us with "
    "knowledge and with each other. However, we must use them wisely.\n\n"
    "First, computers let students learn about faraway places. For example, my class used an "
    "online atlas to study the rainforests of Brazil, and we compared them with the forests near "
    "our town. Moreover, families who live far apart can talk every week through video calls.\n\n"
    "On the other hand, some people spend too many hours in front of a screen and forget to "
    "exercise. Therefore, parents and schools should set sensible limits.\n\n"
    "In conclusion, computers benefit society when we balance them with time outdoors and with "
    "friends. I hope your readers will agree."
)


@pytest.fixture(scope="module")
def asap() -> list[dict]:
    if not (DATA / "asap_dev.jsonl").exists():
        pytest.skip("needs ../shared/data/score (ASAP dev essays)")
    with open(DATA / "asap_dev.jsonl", encoding="utf-8") as fh:
        return [json.loads(line) for line in fh]


def test_scores_every_base_criterion_with_evidence() -> None:
    result = rubric_score(ESSAY, PROMPT)
    assert [c.name for c in result.criteria] == list(BASE_CRITERIA)
    for c in result.criteria:
        assert c.label in LABELS and c.score is not None and 0 <= c.score <= 1
        assert c.label == label_for(c.score)
        assert c.evidence and c.scorable
    assert result.compact == {c.name: c.label for c in result.criteria}
    assert result.overall_score is not None and result.overall_label == label_for(
        result.overall_score
    )
    assert result.engine == "builtin" and result.fallback_reason is None


def test_scoring_is_deterministic_and_reuses_the_analysis() -> None:
    analysis = TextAnalysis(ESSAY)
    first = rubric_score(ESSAY, PROMPT, analysis=analysis)
    assert "rubric.facts" in analysis.memo
    assert rubric_score(ESSAY, PROMPT) == first


def test_label_cutoffs_follow_the_data_readme() -> None:
    assert [label_for(x) for x in (0.0, 0.249, 0.25, 0.5, 0.749, 0.75, 1.0)] == [
        "Poor",
        "Poor",
        "Fair",
        "Good",
        "Good",
        "Excellent",
        "Excellent",
    ]


def test_without_a_prompt_relevance_says_it_is_less_certain() -> None:
    with_prompt = rubric_score(ESSAY, PROMPT).criterion("Relevance")
    result = rubric_score(ESSAY)
    alone = result.criterion("Relevance")
    assert alone is not None and with_prompt is not None
    assert any("Relevance is judged from the text alone" in n for n in result.notes)
    assert (alone.confidence or 0) < (with_prompt.confidence or 0)


def test_off_topic_essay_is_not_excellent_on_relevance() -> None:
    other_prompt = (
        "Write a story about a time when you or someone you know was patient. "
        "Describe the situation, the waiting and what patience taught you."
    )
    on = rubric_score(ESSAY, PROMPT).criterion("Relevance")
    off = rubric_score(ESSAY, other_prompt).criterion("Relevance")
    assert on is not None and off is not None and on.score is not None and off.score is not None
    assert off.label != "Excellent"
    assert off.score < on.score


@needs_data
def test_off_topic_real_essays_are_never_excellent(asap: list[dict]) -> None:
    """The best essays of prompt 1 (computers), scored against prompt 7 (patience)."""
    p7 = next(r["prompt"] for r in asap if r["prompt_id"] == "asap-7")
    best = sorted(
        (r for r in asap if r["prompt_id"] == "asap-1"), key=lambda r: -r["overall_scaled"]
    )[:6]
    for r in best:
        relevance = rubric_score(r["text"], p7).criterion("Relevance")
        assert relevance is not None and relevance.label != "Excellent"


@needs_data
def test_better_essays_score_higher(asap: list[dict]) -> None:
    essays = sorted((r for r in asap if r["prompt_id"] == "asap-1"), key=lambda r: r["id"])[:200]
    essays.sort(key=lambda r: r["overall_scaled"])
    low = [rubric_score(r["text"], r["prompt"]).overall_score or 0 for r in essays[:4]]
    high = [rubric_score(r["text"], r["prompt"]).overall_score or 0 for r in essays[-4:]]
    assert sum(high) / 4 > sum(low) / 4 + 0.15


def test_custom_rubric_maps_onto_base_criteria_or_says_why_not() -> None:
    rubric = {
        "criteria": [
            {"name": "Grammar and spelling", "description": "Correct conventions throughout"},
            {"name": "Organisation", "description": "Paragraphs in a logical order"},
            {
                "name": "Argument",
                "description": "Answers the question with evidence",
                "bands": {"Excellent": "Compelling, well-supported claims"},
            },
            {"name": "Hand-drawn diagrams", "description": "Quality of the sketches in the margin"},
        ]
    }
    result = rubric_score(ESSAY, PROMPT, rubric)
    by_name = {c.name: c for c in result.criteria}
    assert by_name["Grammar and spelling"].maps_to == "AcademicWriting"
    assert by_name["Organisation"].maps_to == "Structure"
    assert by_name["Argument"].maps_to == "Relevance"
    diagrams = by_name["Hand-drawn diagrams"]
    assert not diagrams.scorable and diagrams.label is None and diagrams.reason
    scored = [c.score for c in result.criteria if c.score is not None]
    assert result.overall_score == pytest.approx(sum(scored) / len(scored))
    assert result.compact["Hand-drawn diagrams"] is None


def test_custom_criteria_teachers_write_are_scored_with_confidence_and_evidence() -> None:
    """#20: "Counterargument" and "Personal voice" came back blank, silently."""
    from aaie.engine.rubric import rubric_check

    rubric = {
        "criteria": [
            {"name": "Counterargument"},
            {"name": "Personal voice"},
            {"name": "Hand-drawn diagrams", "description": "Quality of the sketches"},
        ]
    }
    result = rubric_score(ESSAY, PROMPT, rubric)
    for name in ("Counterargument", "Personal voice"):
        c = result.criterion(name)
        assert c is not None and c.scorable and c.label is not None and c.score is not None
        assert c.confidence is not None and 0 < c.confidence < 0.5
        assert c.evidence and "blend of the built-in criteria" in c.evidence[0]
        assert any(e.startswith(f'closest to "{name}" in the essay') for e in c.evidence)
    diagrams = result.criterion("Hand-drawn diagrams")
    assert diagrams is not None and diagrams.label is None
    assert diagrams.evidence and diagrams.evidence[0].startswith("Not scored:")
    check = {c["name"]: c for c in rubric_check(rubric)}
    assert check["Counterargument"]["scorable"] and check["Personal voice"]["scorable"]
    assert not check["Hand-drawn diagrams"]["scorable"]
    assert "cannot see" in str(check["Hand-drawn diagrams"]["how"])


def test_custom_rubric_accepts_a_bare_list_and_a_spec() -> None:
    crit = [{"name": "Structure", "description": "Order of ideas"}]
    assert rubric_score(ESSAY, PROMPT, crit).compact.keys() == {"Structure"}
    assert rubric_score(ESSAY, PROMPT, RubricSpec.model_validate({"criteria": crit})).criteria


@pytest.mark.parametrize(
    "bad",
    [
        {"criteria": []},
        {"criteria": [{"name": "  "}]},
        {"criteria": [{"name": "A"}, {"name": "a"}]},
        {"criteria": [{"name": "A", "bands": {"Superb": "x"}}]},
        {"criteria": [{"name": "A", "weight": 3}]},
        {"rubric": "structure"},
    ],
)
def test_malformed_rubric_is_rejected(bad: dict) -> None:
    with pytest.raises(ValidationError):
        rubric_score(ESSAY, PROMPT, bad)


@pytest.mark.parametrize("text", ["", "   \n\t "])
def test_empty_text_is_rejected(text: str) -> None:
    with pytest.raises(ValueError, match="empty"):
        rubric_score(text, PROMPT)


def test_very_short_text_is_scored_with_a_warning() -> None:
    text = (
        "Computers are good for people because they help us learn new things and talk to "
        "friends, but we should also go outside and play with them."
    )
    result = rubric_score(text, PROMPT)
    assert any("Very short" in n for n in result.notes)
    assert result.overall_label in ("Fair", "Poor")


def test_too_little_text_is_not_scored_and_says_so() -> None:
    """#20: "Phones are bad." got four Poor bands; it is not enough text to score."""
    result = rubric_score("Phones are bad.", PROMPT)
    assert result.overall_label is None and result.overall_score is None
    for c in result.criteria:
        assert c.label is None and c.score is None
        assert c.evidence == ["Not enough text to score: 3 words (at least 25 are needed)."]
    assert result.notes == [result.criteria[0].reason]


def test_packed_trees_predict_exactly_like_scikit_learn() -> None:
    """The shipped trees are walked with numpy; missing values must follow the learnt side."""
    import numpy as np
    from sklearn.ensemble import HistGradientBoostingRegressor

    from aaie.engine.trees import PackedTrees

    rng = np.random.default_rng(1)
    X = rng.normal(size=(600, 6))
    X[rng.random(X.shape) < 0.15] = np.nan
    y = np.nan_to_num(X[:, 0]) * 2 - np.isnan(X[:, 1]) + rng.normal(scale=0.1, size=600)
    model = HistGradientBoostingRegressor(max_iter=40, random_state=0).fit(X, y)
    trees = PackedTrees.from_sklearn(model)
    X_new = rng.normal(size=(300, 6)) * 2
    X_new[rng.random(X_new.shape) < 0.3] = np.nan
    assert np.allclose(trees.predict(X_new), model.predict(X_new), rtol=0, atol=1e-9)
    assert np.allclose(trees.predict(X_new[:1]), model.predict(X_new[:1]), rtol=0, atol=1e-9)


def test_learner_errors_are_counted() -> None:
    clean = TextAnalysis("He has an apple. They are happy, and I don't mind.")
    broken = TextAnalysis("He have a apple .They is happy,and i dont mind the the noise.")
    from aaie.engine.rubric.features import LANGUAGE_ERRORS, essay_facts

    good, bad = essay_facts(clean, None).values, essay_facts(broken, None).values
    assert all(good[n] == 0 for n in LANGUAGE_ERRORS)
    for name in (
        "agreement_error_rate",
        "article_error_rate",
        "no_apostrophe_rate",
        "repeated_word_rate",
        "space_before_punct_rate",
        "no_space_after_punct_rate",
    ):
        assert bad[name] > 0, name


@needs_data
def test_bag_of_words_ridge_reproduces_scikit_learn(asap: list[dict]) -> None:
    """The per-prompt lexical model is served without scikit-learn: its TF-IDF rows and
    predictions must equal scikit-learn's for the same essays."""
    import numpy as np
    import scipy.sparse as sp
    from sklearn.feature_extraction.text import TfidfVectorizer
    from sklearn.linear_model import Ridge

    from aaie.engine.rubric import lexical

    essays = [r for r in asap if r["prompt_id"] == "asap-1"][:200]
    texts = [r["text"] for r in essays]
    Y = np.array([[r["overall_scaled"], np.nan] for r in essays])
    model = lexical.fit_lexical(texts, Y, alpha=1.0)
    assert model is not None
    assert [b.kind for b in model.blocks] == list(lexical.KINDS)
    # Same vocabulary (the training step picks it: terms in >= min_df essays, the most frequent)
    # -> the same idf and rows as scikit-learn.
    vecs = []
    for block in model.blocks:
        cfg = lexical.BLOCKS[block.kind]
        vecs.append(
            TfidfVectorizer(
                analyzer=cfg["analyzer"], ngram_range=cfg["ngram_range"],
                vocabulary=block.terms, sublinear_tf=True,
            ).fit(texts)
        )  # fmt: skip
        assert len(block.terms) <= lexical.BLOCKS[block.kind]["max_features"]
    M = sp.hstack([v.transform(texts) for v in vecs]).tocsr()
    extra = ["", "Odd   spacing\tand a x"]
    for block, vec in zip(model.blocks, vecs, strict=True):
        assert np.allclose(block.idf, vec.idf_, rtol=1e-6)
        expected = vec.transform(texts[:25] + extra).toarray()
        for row, text in zip(expected, texts[:25] + extra, strict=True):
            idx, vals = block.vector(text)
            dense = np.zeros(len(block.idf))
            dense[idx] = vals
            assert np.allclose(dense, row)
    ridge = Ridge(alpha=1.0).fit(M, Y[:, 0])
    for i in range(10):
        pred = model.predict(texts[i])
        assert pred[0] == pytest.approx(ridge.predict(M[i])[0], abs=1e-3)  # float16 weights
        assert np.isnan(pred[1])  # no scores for that target: no model


def test_without_a_prompt_an_essay_on_a_known_prompt_is_recognised() -> None:
    from tests.api.workflow_support import ESSAY as GARDENS_ESSAY

    known = rubric_score(ESSAY)  # a letter on ASAP prompt 1's question, no prompt given
    assert any("reads as an answer to a prompt the scorer was trained on" in n for n in known.notes)
    assert any("No prompt given" in n for n in known.notes)  # Relevance still says so
    other = rubric_score(GARDENS_ESSAY)  # a topic the scorer was not trained on
    assert not any("reads as an answer" in n for n in other.notes)


def test_prompt_recognition_needs_a_clear_match() -> None:
    import numpy as np

    from aaie.engine.rubric.stack import RECOGNISE_MIN, fit_recognition, recognise_group

    rng = np.random.default_rng(0)
    emb = rng.normal(size=(6, 384)).astype(np.float32)
    recognition = fit_recognition(
        emb, ["p1", "p1", "p1", "p2", "p2", "p2"], ["g1"] * 3 + ["g2"] * 3
    )
    centroid = recognition["centroids"][1]
    found = recognise_group(recognition, centroid * 3.0)  # scale does not matter
    assert found is not None and found[0] == "g2" and found[1] == pytest.approx(1.0, abs=1e-5)
    orthogonal = rng.normal(size=384).astype(np.float32)
    orthogonal -= recognition["centroids"].T @ (recognition["centroids"] @ orthogonal)
    assert recognise_group(recognition, orthogonal) is None
    assert recognise_group(recognition, np.zeros(384, dtype=np.float32)) is None
    assert RECOGNISE_MIN > 0.5
