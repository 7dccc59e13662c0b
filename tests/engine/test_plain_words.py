"""#20: what a teacher or student reads says plainly what the numbers mean."""

from __future__ import annotations

import pytest

from aaie.engine.detection import classify
from aaie.engine.explain import score_against_threshold, score_and_share
from aaie.engine.feedback import generate_feedback


def test_too_little_text_gets_plain_words_and_helpful_feedback() -> None:
    c = classify("Phones are bad.")
    assert c.insufficient_text
    assert c.reasons[0].startswith("Not enough text to tell whether it is AI-written: 3 words")
    fb = generate_feedback("Phones are bad.", "Should schools ban phones? Explain your view.")
    assert fb.text.startswith("Not enough text to judge yet: 3 words")
    assert fb.next_steps and fb.next_steps[0].quote == "Phones are bad."
    assert "150 words" in fb.text and "phones" in fb.next_steps[-1].text


def test_document_score_and_sentence_share_are_explained() -> None:
    text = score_and_share(100.0, 60.0, 0.55)
    assert text is not None
    assert "whole" in text and "55 %" in text and "45 %" in text
    low = score_and_share(20.0, 60.0, 0.2)
    assert low is not None and "not enough of the text" in low
    assert score_and_share(None, 60.0, 0.5) is None


@pytest.mark.parametrize(
    ("score", "threshold", "shown"),
    [
        (97.5, 97.51, ("97.50", "97.51")),  # one decimal would read "97.5 below 97.5"
        (97.514, 97.51, ("97.5", "97.5")),  # at or above: equal numbers say so
        (40.0, 97.51, ("40.0", "97.5")),  # far apart: one decimal is enough
        (97.509, 97.51, ("97.509", "97.510")),  # scores carry three decimals
    ],
)
def test_score_and_threshold_are_shown_on_the_side_they_are_on(
    score: float, threshold: float, shown: tuple[str, str]
) -> None:
    assert score_against_threshold(score, threshold) == shown
    shown_score, shown_threshold = (float(x) for x in score_against_threshold(score, threshold))
    assert (shown_score >= shown_threshold) == (score >= threshold)


def test_overall_that_differs_from_the_criteria_is_explained() -> None:
    from aaie.engine.rubric.builtin import _overall_note

    assert _overall_note(0.73, [0.8, 0.9, 0.85, 0.78]) != []
    note = _overall_note(0.73, [0.8, 0.9, 0.85, 0.78])[0]
    assert note.startswith("Overall Good (0.73) differs from the criteria, which average 0.83")
    assert _overall_note(0.8, [0.8, 0.9, 0.85, 0.78]) == []


def test_hard_to_read_but_clear_text_is_explained() -> None:
    from aaie.engine.rubric import rubric_score

    text = (
        "Contemporary epistemological frameworks necessitate comprehensive interdisciplinary "
        "methodologies that systematically integrate quantitative computational analyses with "
        "qualitative hermeneutical interpretations. Consequently, institutional administrators "
        "increasingly prioritise organisational infrastructure supporting collaborative "
        "investigations. Nevertheless, considerable methodological disagreements persist "
        "regarding appropriate evaluative criteria."
    )
    clarity = rubric_score(text).criterion("Clarity")
    assert clarity is not None
    assert any("very difficult, like academic prose" in e for e in clarity.evidence)
    assert any("harder to read, but not unclear" in e for e in clarity.evidence)


def test_ai_wording_reasons_name_only_evidence_a_teacher_accepts() -> None:
    from aaie.engine.explain import is_telling

    for common in ("for", "such", "community", "such as", "the community", "important"):
        assert not is_telling(common), common
    for marker in ("delve", "fostering", "crucial role", "moreover", "tapestry"):
        assert is_telling(marker), marker
    assert not is_telling("tasks", "Tasks matter. Some tasks are hard. We plan tasks.")


def test_ai_wording_reasons_leave_out_topic_nouns() -> None:
    """A noun is what the essay is about ("nights" in an essay about sleep), not how it was
    written, even used once or twice; the adjectives and verbs around it can be evidence."""
    from aaie.engine.explain import is_telling

    sentence = "Students who stay up on school nights find it crucial to fostering better habits."
    assert not is_telling("nights", sentence, sentence)
    assert not is_telling("school nights", sentence, sentence)
    assert is_telling("crucial", sentence, sentence)
    assert is_telling("fostering", sentence, sentence)
    assert is_telling("tapestry", "", "Life is a rich tapestry of moments.")


FRENCH_ESSAY = (
    "Les réseaux sociaux ont transformé la manière dont les jeunes communiquent. Chaque jour, "
    "les élèves passent plusieurs heures sur leur téléphone pour discuter avec leurs amis, "
    "regarder des vidéos et partager des photos. Certains parents pensent que cette habitude "
    "nuit à la concentration en classe. Pourtant, les réseaux permettent aussi de découvrir de "
    "nouvelles idées et de rester en contact avec la famille qui habite loin. À mon avis, il "
    "faut apprendre à les utiliser avec modération plutôt que de les interdire complètement."
)


def test_a_text_in_another_language_is_not_scored_or_given_english_advice() -> None:
    """The built-in scorer and feedback know English only: a French essay gets no bands and no
    English spelling advice, but a plain sentence saying why (an LLM provider may do better)."""
    from aaie.engine.pipeline import evaluate_all

    ev = evaluate_all(FRENCH_ESSAY, prompt_text="Les réseaux sociaux sont-ils utiles ?")
    assert ev.rubric is not None and ev.feedback is not None
    assert all(c.label is None and not c.scorable for c in ev.rubric.criteria)
    assert ev.rubric.overall_label is None
    assert all("French" in (c.reason or "") for c in ev.rubric.criteria)
    from aaie.engine.explain import not_scored_words

    assert not_scored_words(ev.rubric.criteria[0].reason).startswith(
        "Not scored by AAIE: this text reads as French"
    )
    assert "French" in ev.feedback.text and "Not assessed" in ev.feedback.text
    assert "spelling" not in ev.feedback.text.lower() and not ev.feedback.next_steps


def test_ai_wording_is_tagged_once_per_classification(monkeypatch: pytest.MonkeyPatch) -> None:
    """spaCy tags the AI sentences once, not once per candidate phrase (that made classifying
    an AI essay ten times slower), and the reasons still quote AI wording."""
    from aaie.engine import explain

    calls: list[str] = []
    real = explain._nouns

    def counting(context: str) -> set[str]:
        calls.append(context)
        return real(context)

    monkeypatch.setattr(explain, "_nouns", counting)
    essay = (
        "In today's rapidly evolving world, technology plays a crucial role in shaping how "
        "students learn. Moreover, digital tools foster collaboration and empower learners to "
        "delve into complex topics. Additionally, online platforms provide invaluable resources "
        "that enhance critical thinking. Furthermore, educators can leverage innovative "
        "strategies to cultivate a deeper understanding. Ultimately, embracing these "
        "advancements ensures that learners are well-equipped to navigate the multifaceted "
        "challenges of the future. In conclusion, integrating technology into education is "
        "essential for fostering meaningful and holistic growth."
    )
    c = classify(essay)
    assert c.label != "Human"
    assert any(r.startswith("Wording typical of AI") for r in c.reasons), c.reasons
    assert len(calls) <= 1
