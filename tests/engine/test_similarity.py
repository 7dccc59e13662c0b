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


AI_ANSWER = (
    "Community gardens turn empty city lots into green spaces where neighbours grow fresh "
    "vegetables together. They improve public health because people who garden eat more "
    "fruit and vegetables and get regular exercise. Gardens also strengthen communities, "
    "since working side by side builds trust between residents who might never have met. "
    "In addition, they help the environment by reducing runoff and supporting pollinators "
    "such as bees and butterflies. Finally, gardens give children a hands-on way to learn "
    "where food comes from and how plants grow."
)
# The same answer after a strong paraphraser: sentences reordered, clauses and words rewritten.
PARAPHRASED = (
    "Kids get a practical lesson in how plants develop and where their meals originate when "
    "they spend time in a garden. Shared plots bring local residents closer, because "
    "labouring next to one another creates trust among people who would otherwise remain "
    "strangers. Vacant urban land becomes a green area in which residents cultivate fresh "
    "produce as a group. Gardening makes people healthier, as those who tend plants consume "
    "more fresh produce and are physically active on a regular basis. Such gardens also "
    "benefit nature by cutting down on rainwater runoff and by feeding bees, butterflies and "
    "other pollinators."
)
OWN = (
    "I think my town should fund a community garden next spring. My grandmother grew tomatoes "
    "on our balcony and I loved helping her."
)
HUMAN_SAME_PROMPT = (
    "Our town should pay for a community garden, but only if volunteers commit to running it. "
    "Last year a garden near my school was abandoned after two months and became a pile of "
    "weeds. My neighbour says the council wastes money on projects nobody maintains. If a "
    "club of students and parents promised to water and weed it every week, I would support "
    "the idea, because I enjoy growing beans with my dad and I would like to share that."
)


def test_strongly_paraphrased_chat_answer_is_found_and_same_topic_essay_is_not() -> None:
    """#20: whole-paragraph paraphrases of an AI turn were not found (0 of 29 flagged)."""
    chat = [{"role": "user", "text": "Write about community gardens"},
            {"role": "ai", "text": AI_ANSWER}]  # fmt: skip
    text = OWN + "\n\n" + PARAPHRASED
    sim = prompt_similarity(text, None, chat)
    start = text.index(PARAPHRASED)
    covered = sum(
        min(m.end, len(text)) - max(m.start, start) for m in sim.matches if m.role == "ai"
    )
    assert covered >= 0.7 * len(PARAPHRASED)
    assert sim.flag and sim.chat_pct >= 50
    assert all(m.turn_index == 1 and m.start >= start for m in sim.matches if m.role == "ai")
    other = prompt_similarity(HUMAN_SAME_PROMPT, None, chat)
    assert not other.flag and other.chat_pct == 0


def test_a_found_passage_takes_in_its_looser_neighbours() -> None:
    """#20, round 2: pastes were found only in part (most held-out misses: 30-39 % of the text
    against the 40 % flag). "Shared plots bring local residents closer ..." follows its AI
    sentence at cosine 0.61, under PASSAGE_LOW, and was left out of the passage around it; next
    to an accepted passage, a sentence specific to one of the turn's unused AI sentences joins
    at EXTEND_LOW (0.55)."""
    chat = [{"role": "user", "text": "Write about community gardens"},
            {"role": "ai", "text": AI_ANSWER}]  # fmt: skip
    text = OWN + "\n\n" + PARAPHRASED
    sim = prompt_similarity(text, None, chat)
    start = text.index(PARAPHRASED)
    found = [m for m in sim.matches if m.role == "ai"]
    assert len(found) == 5 and all(m.start >= start for m in found)
    loose = text.index("Shared plots")
    assert any(m.start == loose and 0.55 <= m.score < 0.65 for m in found)


def test_a_long_passage_needs_a_lower_mean() -> None:
    from aaie.engine.similarity.engine import _mean_needed

    assert _mean_needed(3) == _mean_needed(5) == 0.76
    assert _mean_needed(6) == pytest.approx(0.75)
    assert _mean_needed(16) == 0.72


def test_a_verbatim_sentence_inside_a_paraphrased_passage_no_longer_hides_it() -> None:
    """#20, session 10: a passage used to be cut around its already-matched sentences, and
    their strength left out of its mean: three paraphrased sentences (mean cosine 0.75) around
    one copied verbatim were not a passage, and the paste was not flagged."""
    sents = [t for t in AI_ANSWER.split(". ")]
    verbatim = sents[2] + "."  # "Gardens also strengthen communities, ..."
    para = PARAPHRASED.split(". ")
    passage = " ".join([para[2] + ".", para[3] + ".", verbatim, para[0] + "."])
    chat = [{"role": "user", "text": "Write about community gardens"},
            {"role": "ai", "text": AI_ANSWER}]  # fmt: skip
    text = OWN + "\n\n" + passage
    sim = prompt_similarity(text, None, chat)
    start = text.index(passage)
    kinds = sorted(m.kind for m in sim.matches if m.role == "ai")
    assert kinds == ["paraphrase", "paraphrase", "paraphrase", "verbatim"]
    assert all(m.start >= start for m in sim.matches if m.role == "ai")
    assert sim.flag


def test_a_verbatim_sentence_does_not_carry_same_topic_neighbours() -> None:
    """The other side of the rule above: the copied sentence connects and counts, but the
    passage needs three new sentences that each follow one AI sentence; a student's own
    sentences on the answer's topic around one copied sentence are not a passage."""
    verbatim = AI_ANSWER.split(". ")[2] + "."
    human = HUMAN_SAME_PROMPT.split(". ")
    text = ". ".join(human[:2]) + ". " + verbatim + " " + ". ".join(human[2:])
    chat = [{"role": "user", "text": "Write about community gardens"},
            {"role": "ai", "text": AI_ANSWER}]  # fmt: skip
    sim = prompt_similarity(text, None, chat)
    assert [m.kind for m in sim.matches if m.role == "ai"] == ["verbatim"]
    assert not sim.flag


def test_chat_side_is_embedded_once_and_only_where_it_could_align(monkeypatch) -> None:
    """Speed (the matcher was half of evaluate_all's time): every AI-turn sentence used to be
    embedded, in two MiniLM passes; now one pass over the sentences sharing content words with
    a candidate, and the paraphrased passage is still found."""
    from aaie.engine.embeddings import get_embedder

    embedder = get_embedder()
    calls: list[list[str]] = []
    real = embedder.embed_cached

    def spy(texts: list[str]):
        calls.append(list(texts))
        return real(texts)

    monkeypatch.setattr(embedder, "embed_cached", spy)
    recipe = (
        "The recipe needs two cups of flour and a pinch of salt. Bake the bread for forty "
        "minutes in a hot oven. Let the loaf cool on a rack before slicing it."
    )
    chat = [{"role": "user", "text": "Write about community gardens"},
            {"role": "ai", "text": AI_ANSWER + " " + recipe}]  # fmt: skip
    sim = prompt_similarity(OWN + "\n\n" + PARAPHRASED, None, chat)
    assert len(calls) == 1
    assert not [t for t in calls[0] if any(w in t for w in ("flour", "Bake", "loaf"))]
    assert sim.flag and sim.chat_pct >= 50
