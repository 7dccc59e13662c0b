"""Prompt / chat-log similarity: match kinds, the user-turn rule, prompt restatement, the flag."""

from __future__ import annotations

import pytest

from aaie.engine.similarity import prompt_similarity

PROMPT = (
    "Write a letter to your local newspaper in which you state your opinion on the effects "
    "computers have on people."
)
AI_TURN = (
    "Computers have transformed the way people communicate and learn. They allow students to "
    "research any topic in seconds, and they connect families across great distances. However, "
    "spending too many hours in front of a screen can reduce physical activity and harm health."
)
OWN = (
    "My grandmother lives in another state and we talk every Sunday. Last summer my cousin "
    "taught me how to build a small website for our soccer team. I still prefer playing outside "
    "with my friends after school, even when it rains."
)


def chat(*turns: tuple[str, str]) -> list[dict[str, str]]:
    return [{"role": r, "text": t} for r, t in turns]


def covered_text(text: str, result, **where) -> str:
    spans = [m for m in result.matches if all(getattr(m, k) == v for k, v in where.items())]
    return " ".join(text[m.start : m.end] for m in spans)


def test_verbatim_copy_from_ai_turn_is_found_and_flagged() -> None:
    essay = AI_TURN + " " + OWN
    r = prompt_similarity(essay, None, chat(("user", "help me"), ("ai", AI_TURN)))
    kinds = {m.kind for m in r.matches if m.role == "ai"}
    assert "verbatim" in kinds
    m = next(m for m in r.matches if m.kind == "verbatim")
    assert m.source == "chat" and m.turn_index == 1
    assert AI_TURN[m.source_start : m.source_end] == essay[m.start : m.end]
    assert r.chat_pct == pytest.approx(
        100 * len(AI_TURN.replace(" ", "")) / len(essay.replace(" ", "")), abs=3
    )
    assert r.flag and r.flag_pct >= 40


def test_near_verbatim_survives_case_punctuation_typos_and_word_swaps() -> None:
    edited = (
        "computers have TRANSFORMED the way people comunicate and learn!! They let students "
        "research any topic in seconds and they connect familys across great distances"
    )
    r = prompt_similarity(edited + ". " + OWN, None, chat(("ai", AI_TURN)))
    near = [m for m in r.matches if m.kind == "near_verbatim"]
    assert near, r.matches
    assert "comunicate" in covered_text(edited, r, kind="near_verbatim")
    assert 0.6 <= near[0].score < 1.0


def test_paraphrase_is_matched_by_meaning() -> None:
    para = (
        "Spending a lot of hours looking at screens can cut down on physical activity and hurt "
        "your health."
    )
    r = prompt_similarity(OWN + " " + para, None, chat(("ai", AI_TURN)))
    paras = [m for m in r.matches if m.kind == "paraphrase"]
    assert len(paras) == 1
    assert (OWN + " " + para)[paras[0].start : paras[0].end] == para


def test_unrelated_essay_has_no_matches_and_no_flag() -> None:
    r = prompt_similarity(OWN, PROMPT, chat(("user", "help me"), ("ai", AI_TURN)))
    assert r.matches == []
    assert r.similarity_pct == 0 and not r.flag


def test_student_own_user_turn_is_reported_but_never_flagged() -> None:
    r = prompt_similarity(OWN, None, chat(("user", "Is this good? " + OWN), ("ai", "Yes, it is.")))
    assert r.user_chat_pct > 90
    assert r.chat_pct == 0 and r.similarity_pct == 0 and not r.flag
    assert all(m.role == "user" for m in r.matches)


def test_ai_echo_of_student_text_counts_as_the_students() -> None:
    # The student wrote it first; the AI repeated it back. Not AI-sourced.
    r = prompt_similarity(
        OWN, None, chat(("user", OWN), ("ai", "Here is your text, polished: " + OWN))
    )
    assert r.chat_pct == 0 and not r.flag
    assert not [m for m in r.matches if m.role == "ai"]


def test_restating_the_prompt_in_the_introduction_stays_under_the_flag() -> None:
    intro = "In this letter I will state my opinion on the effects computers have on people."
    short_essay = intro + " " + OWN
    r = prompt_similarity(short_essay, PROMPT)
    assert r.prompt_pct > 10
    assert r.flag_pct < r.prompt_pct and not r.flag


def test_copying_the_prompt_repeatedly_counts() -> None:
    essay = " ".join([PROMPT] * 4)
    r = prompt_similarity(essay, PROMPT)
    assert r.prompt_pct > 95 and r.flag


def test_flag_threshold_is_configurable() -> None:
    essay = AI_TURN + " " + OWN + " " + OWN
    low = prompt_similarity(essay, None, chat(("ai", AI_TURN)), flag_threshold=20)
    high = prompt_similarity(essay, None, chat(("ai", AI_TURN)), flag_threshold=90)
    assert low.flag and not high.flag
    assert low.threshold == 20 and low.chat_pct == high.chat_pct


def test_no_sources_and_malformed_chat_log() -> None:
    r = prompt_similarity(OWN)
    assert r.similarity_pct == 0 and r.matches == []
    with pytest.raises(ValueError):
        prompt_similarity(OWN, None, [{"role": "robot", "text": "hi"}])
