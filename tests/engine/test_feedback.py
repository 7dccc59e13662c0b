"""Built-in student feedback: grounded in the essay, tied to the prompt, no teacher-only leaks."""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import pytest

from aaie.engine.analysis import TextAnalysis
from aaie.engine.feedback import generate_feedback
from aaie.engine.feedback.guard import leaks, snap_quote
from aaie.engine.rubric import rubric_score

DATA = (
    Path(
        os.environ.get("AAIE_SHARED_DATA")
        or Path(__file__).resolve().parents[2] / ".." / "shared" / "data"
    )
    / "score"
)

PROMPT = (
    "Write a letter to your local newspaper in which you state your opinion on the effects "
    "computers have on people. Persuade the readers to agree with you."
)
GOOD = (
    "Dear Editor,\n\n"
    "I believe computers have a positive effect on people, because they connect us with "
    "knowledge and with each other. However, we must use them wisely.\n\n"
    "First, computers let students learn about faraway places. For example, my class used an "
    "online atlas to study the rainforests of Brazil. Moreover, families who live far apart can "
    "talk every week through video calls.\n\n"
    "In conclusion, computers benefit society when we balance them with time outdoors."
)
WEAK = (
    "computers are realy good and i like them alot because you can play games and talk to "
    "your freinds and also you can look up stuff for school and my mom uses it for work and "
    "my dad uses it too and we have three of them in are house and they are awesome. some "
    "people say they are bad but i dont think so. my sister plays on it every day after "
    "school and she says its the best thing ever and she has lots of freinds online too. "
    "my favorite game is about dragons and you can fly around and fight monsters with your "
    "team. computers are the future and everybody should have one."
)
# Words that would reveal teacher-only results to a student.
BANNED = re.compile(
    r"\b(AI|artificial|detect\w*|classif\w*|similarity|highlight\w*|"
    r"plagiar\w*|generated|gpt|score[sd]?|copied)\b",
    re.I,
)


def essays_from_data(n: int = 5) -> list[tuple[str, str | None]]:
    out: list[tuple[str, str | None]] = []
    for name in ("asap_dev.jsonl", "ellipse_dev.jsonl"):
        path = DATA / name
        if path.exists():
            with open(path, encoding="utf-8") as fh:
                rows = [json.loads(line) for _, line in zip(range(3000), fh, strict=False)]
            out += [(r["text"], r.get("prompt")) for r in rows[:: max(len(rows) // n, 1)][:n]]
    return out


@pytest.mark.parametrize("essay", [GOOD, WEAK])
def test_next_steps_quote_the_students_own_sentences(essay: str) -> None:
    fb = generate_feedback(essay, PROMPT)
    assert 2 <= len(fb.next_steps) <= 4
    for step in fb.next_steps:
        assert essay[step.start : step.end] == step.quote and len(step.quote) > 10
        assert step.criterion in {"Structure", "Clarity", "Relevance", "AcademicWriting"}
        assert "prompt" in step.text  # each step is tied to the assignment
    assert fb.strengths and fb.engine == "builtin"
    assert all(s.text in fb.text for s in fb.next_steps)


def test_two_essays_get_different_specific_feedback() -> None:
    good, weak = generate_feedback(GOOD, PROMPT), generate_feedback(WEAK, PROMPT)
    assert {s.quote for s in good.next_steps}.isdisjoint({s.quote for s in weak.next_steps})
    assert good.text != weak.text and good.strengths != weak.strengths


def test_feedback_points_at_real_problems() -> None:
    fb = generate_feedback(WEAK, PROMPT)
    spelling = [s for s in fb.next_steps if s.criterion == "AcademicWriting"]
    assert spelling and re.search(r"realy|alot|freinds|dont", spelling[0].text)
    # One paragraph of ~100 words with no breaks: a structure step says where to break it.
    assert any(s.criterion in ("Structure", "Clarity") for s in fb.next_steps)


def test_feedback_without_a_prompt_still_points_at_the_argument() -> None:
    fb = generate_feedback(WEAK)
    assert 2 <= len(fb.next_steps) <= 4
    assert all("main argument" in s.text or "prompt" not in s.text for s in fb.next_steps)


def test_feedback_uses_the_given_rubric_result_and_analysis() -> None:
    analysis = TextAnalysis(GOOD)
    rubric = rubric_score(GOOD, PROMPT, analysis=analysis)
    fb = generate_feedback(GOOD, PROMPT, rubric, analysis=analysis)
    assert fb.next_steps and fb == generate_feedback(GOOD, PROMPT, rubric)


@pytest.mark.parametrize(
    "essay,prompt", [(GOOD, PROMPT), (WEAK, PROMPT), (WEAK, None), *essays_from_data()]
)
def test_feedback_never_mentions_teacher_only_results(essay: str, prompt: str | None) -> None:
    fb = generate_feedback(essay, prompt, rubric_score(essay, prompt))
    own_words = " ".join(
        [*fb.strengths, *(s.text.replace(s.quote[:100], "") for s in fb.next_steps)]
    )
    assert not BANNED.search(own_words.replace("AcademicWriting", "")), own_words
    assert not leaks(fb.text) or BANNED.search(essay)
    for step in fb.next_steps:
        assert essay[step.start : step.end] == step.quote


def test_guard_catches_leaky_wording() -> None:
    assert leaks("Our AI detector flagged this paragraph")
    assert leaks("The similarity with the prompt is high")
    assert not leaks("Your second paragraph explains the main idea well")


def test_snap_quote_finds_paraphrased_and_redacted_quotes() -> None:
    analysis = TextAnalysis("My name is Mia Delgado. I like studying the rivers of Brazil.")
    start, end = snap_quote("My name is [PERSON_1].", analysis) or (0, 0)
    assert analysis.text[start:end] == "My name is Mia Delgado."
    assert snap_quote("Dinosaurs roamed the swamps long ago.", analysis) is None


def test_empty_submission_is_rejected() -> None:
    with pytest.raises(ValueError, match="empty"):
        generate_feedback("  ", PROMPT)


PHONES_PROMPT = "Should schools ban phones in class? Argue your position with examples."
PHONES = (
    "Phones distract students. When a message arrives, attention leaves the lesson at once and "
    "it takes minutes to come back to it.\n\n"
    "Some parents want to reach their children during the day, but the office telephone already "
    "serves that purpose and works in every emergency.\n\n"
    "In the end, learning improves when devices are switched off and stored until the bell "
    "rings, because attention is limited and easily controlled."
)


def test_feedback_never_asks_to_cover_the_prompts_instruction_words() -> None:
    from aaie.engine.feedback.builtin import topic_points

    assert topic_points(["argue", "phones", "position", "examples", "schools"]) == [
        "phones",
        "schools",
    ]
    fb = generate_feedback(PHONES, PHONES_PROMPT)
    for word in ("argue", "position", "examples"):
        assert f"'{word}'" not in fb.text and f"about {word}" not in fb.text, fb.text


@pytest.mark.parametrize("essay,prompt", [(GOOD, PROMPT), (WEAK, PROMPT), (PHONES, PHONES_PROMPT)])
def test_quoted_sentences_are_not_followed_by_a_second_full_stop(essay: str, prompt: str) -> None:
    from aaie.engine.feedback.builtin import tidy

    assert tidy('Your essay ends with "It is controlled.". Add more.') == (
        'Your essay ends with "It is controlled." Add more.'
    )
    fb = generate_feedback(essay, prompt)
    assert any(s.quote.endswith(".") for s in fb.next_steps)  # the case this guards exists
    assert not re.search(r'[.!?…]"\.', fb.text), fb.text


def _repeated_phrases(text: str, n: int = 5) -> list[str]:
    """Phrases of `n` words that occur three times or more outside quotations."""
    outside = re.sub(r'"[^"]*"', " ", text)
    toks = re.findall(r"[a-z']+", outside.lower())
    grams = [" ".join(toks[i : i + n]) for i in range(len(toks) - n + 1)]
    return sorted({g for g in grams if grams.count(g) >= 3})


ASAP1 = (
    "More and more people use computers, but not everyone agrees that this benefits society. "
    "Those who support advances in technology believe that computers have a positive effect on "
    "people. Write a letter to your local newspaper in which you state your opinion on the "
    "effects computers have on people."
)


@pytest.mark.parametrize(
    "essay,prompt",
    [(GOOD, PROMPT), (WEAK, PROMPT), (WEAK, ASAP1), (WEAK, None), *essays_from_data(8)],
)
def test_no_phrase_is_repeated_three_times(essay: str, prompt: str | None) -> None:
    """#20: "the prompt's question about interacting and computers" appeared three times."""
    fb = generate_feedback(essay, prompt)
    assert _repeated_phrases(fb.text) == []


def test_key_terms_are_the_prompts_nouns_and_counts_match_lists() -> None:
    """#20: key terms came out as "gardens and aside"; "7 of 7 key terms" listed six."""
    prompt = (
        "Do you think people should grow their own food in community gardens? Set aside your "
        "own opinion and explain both sides."
    )
    essay = (
        "Community gardens help neighbours grow fresh food together. In my town the garden "
        "behind the library gives vegetables to families every week, and children learn where "
        "their food comes from. Some people say gardens take too much time and water, but the "
        "benefits for health and friendship are bigger than the costs."
    )
    result = rubric_score(essay, prompt)
    relevance = result.criterion("Relevance")
    assert relevance is not None
    line = next(e for e in relevance.evidence if "key terms" in e)
    m = re.match(r"uses (\d+) of (\d+) key terms of the prompt: (.*)", line)
    assert m, line
    listed = m.group(3).split(", ")
    assert int(m.group(1)) == len(listed) and "aside" not in listed
    assert {"food", "gardens", "community"} <= set(listed)
    structure = result.criterion("Structure")
    assert structure is not None
    line = next(e for e in structure.evidence if e.startswith("transition words"))
    m = re.match(r"transition words: (\d+) \(([^)]*)\): (.*)", line)
    assert m, line
    assert int(m.group(1)) == len(m.group(3).split(", "))
    fb = generate_feedback(essay, prompt, result)
    assert "aside" not in fb.text


PASTED_AI = (
    "Intergenerational mentoring programmes strengthen community cohesion considerably. "
    "Furthermore, such initiatives cultivate reciprocal understanding between neighbourhood "
    "residents of every generation."
)
STUDENT_OWN = (
    "I think computers are useful for families. My grandma calls us on the computer every "
    "Sunday and we show her our drawings. Sometimes the sound is bad but we still laugh a lot. "
    "My brother uses the computer for homework and he finds maps of old castles. "
    "People should still go outside and play football with their friends after school."
)


def test_strengths_never_praise_what_was_pasted_from_the_ai_chat() -> None:
    """The student is praised for their own writing, not for an AI's words they pasted."""
    from aaie.engine.pipeline import evaluate_all

    essay = STUDENT_OWN + "\n\n" + PASTED_AI
    chat = [{"role": "user", "text": "write about community"}, {"role": "ai", "text": PASTED_AI}]
    pasted_words = {"intergenerational", "considerably", "reciprocal", "initiatives", "cohesion"}

    without_chat = evaluate_all(essay, PROMPT, use_cache=False).feedback
    with_chat = evaluate_all(essay, PROMPT, chat, use_cache=False).feedback
    assert without_chat is not None and with_chat is not None

    def praised(strengths: list[str]) -> set[str]:
        return {w for s in strengths for w in re.findall(r"[a-z]+", s.lower())} & pasted_words

    # Without the chat log the pasted words look like the student's own vocabulary …
    assert praised(without_chat.strengths)
    # … with it, no strength quotes or names them, and feedback still has strengths.
    assert with_chat.strengths and not praised(with_chat.strengths)
    assert not any(sentence in s for s in with_chat.strengths for sentence in PASTED_AI.split(". "))
