"""Behaviour of the detector: labels, spans, the chat-log rule, short text and bad input."""

from __future__ import annotations

import json
import os
from pathlib import Path

import numpy as np
import pytest

from aaie.engine.analysis import TextAnalysis
from aaie.engine.detection import (
    MAX_CHARS,
    DetectionInputError,
    TextTooLongError,
    ai_score,
    ai_spans,
    classify,
    detector_card,
)
from aaie.engine.detection.data import Doc
from aaie.engine.detection.engine import SentenceScore, _label
from aaie.engine.detection.held_out import HeldOutRates, load_held_out_rates
from aaie.engine.detection.model import context_rows, passage_mask, passage_score
from aaie.engine.detection.synth import MIXES, mix, outfox_hybrids, paragraphs, render
from aaie.engine.types import Sentence

DATA = Path(
    os.environ.get("AAIE_SHARED_DATA", Path(__file__).resolve().parents[3] / "shared" / "data")
)
needs_data = pytest.mark.skipif(
    not (DATA / "detect").is_dir(), reason=f"shared DEV data not found at {DATA}"
)

HUMAN = (
    "Last summer my grandpa taught me how to fix a bike chain. I didnt think it would be hard but "
    "it was, the chain kept slipping off and my hands got all black from the grease. He just "
    "laughed and said I should try again, so I did. The third time it finaly worked and we rode "
    "to the lake together. I think I learned that being patient matters more then being fast, "
    "which is something my teachers keep telling me too but now I actualy get it."
)
AI_TURN = (
    "Renewable energy sources such as solar and wind power offer significant environmental "
    "benefits. Furthermore, they reduce our dependence on finite fossil fuels and foster "
    "long-term economic resilience. Ultimately, investing in clean energy is crucial for "
    "ensuring a sustainable future for generations to come."
)


def _sentence_scores(flags: list[bool], lengths: list[int] | None = None):
    lengths = lengths or [40] * len(flags)
    sents, scores, pos = [], [], 0
    for i, (flag, n) in enumerate(zip(flags, lengths, strict=True)):
        sents.append(Sentence(index=i, start=pos, end=pos + n, text="x" * n))
        scores.append(SentenceScore(index=i, start=pos, end=pos + n, ai_probability=float(flag),
                                    is_ai=flag))  # fmt: skip
        pos += n + 1
    return sents, scores


# ------------------------------------------------------------------ the label rule


def test_label_rule_human_ai_hybrid() -> None:
    s, sc = _sentence_scores([False] * 10)
    assert _label(s, sc, flagged=False)[0] == "Human"
    s, sc = _sentence_scores([True] * 10)
    assert _label(s, sc, flagged=True)[:2] == ("AI", 1.0)
    s, sc = _sentence_scores([True, True, True] + [False] * 7)
    label, fraction, _ = _label(s, sc, flagged=True)
    assert label == "Hybrid" and fraction == pytest.approx(0.3)


def test_label_rule_needs_a_real_mix() -> None:
    # Almost all AI (one short human sentence left) is AI, not Hybrid.
    s, sc = _sentence_scores([True] * 9 + [False], [40] * 9 + [10])
    assert _label(s, sc, flagged=True)[0] == "AI"
    # Flagged text where only one isolated short sentence stands out: the whole text is AI.
    s, sc = _sentence_scores([True] + [False] * 19, [20] + [40] * 19)
    label, fraction, scored = _label(s, sc, flagged=True)
    assert label == "AI" and fraction == 1.0 and all(x.is_ai for x in scored)
    # Flagged, with no sentence standing out: AI as a whole.
    s, sc = _sentence_scores([False] * 10)
    assert _label(s, sc, flagged=True)[0] == "AI"


def test_passage_needs_consecutive_high_sentences() -> None:
    # Isolated high sentences are no passage; two in a row are.
    assert not passage_mask(np.array([0.99, 0.2, 0.99, 0.3, 0.98]), 0.9, 2).any()
    mask = passage_mask(np.array([0.2, 0.95, 0.97, 0.93, 0.1, 0.99]), 0.9, 2)
    assert mask.tolist() == [False, True, True, True, False, False]
    # The passage score is the highest threshold that still finds a passage.
    p = np.array([0.3, 0.8, 0.7, 0.95, 0.2])
    assert passage_mask(p, passage_score(p, 2), 2).any()
    assert not passage_mask(p, passage_score(p, 2) + 1e-6, 2).any()
    assert passage_score(p[:1], 2) == 0.0  # too few sentences


def test_a_passage_is_two_sentences_that_read_as_ai_together() -> None:
    """Two strong sentences pass where one of them alone is just under the threshold; but one
    near-certain sentence cannot carry a weak neighbour into the highlighted passage."""
    assert passage_mask(np.array([0.1, 0.999, 0.96, 0.1]), 0.98, 2).tolist() == [
        False, True, True, False,
    ]  # fmt: skip
    assert not passage_mask(np.array([0.1, 0.999999, 0.5, 0.1]), 0.98, 2).any()


def test_passage_threshold_is_calibrated_on_human_essays() -> None:
    card = detector_card()
    assert 0 < card["passage_threshold"] <= 1
    assert card["passage_sentences"] >= 2
    # Essays labelled AI or Hybrid by the score or a passage: <= 1 % per writer group and source.
    label_fpr = card["label_fpr_by_group_out_of_fold"]
    for key in ("native", "non_native", "native/asap", "native/outfox", "non_native/ellipse"):
        assert label_fpr[key] <= 0.01, (key, label_fpr[key])


# ------------------------------------------------------------------ the engine end to end


def test_human_essay_without_chat_log_is_human() -> None:
    text = HUMAN + "\n\n" + HUMAN.replace("grandpa", "aunt").replace("lake", "park")
    c = classify(text)
    assert c.label == "Human" and not any(s.is_ai for s in c.sentences)
    assert ai_spans(text) == [] and not ai_score(text).label_at_threshold


def test_classify_result_is_consistent() -> None:
    text = HUMAN + "\n\n" + HUMAN.replace("grandpa", "aunt")
    c = classify(text)
    assert c.label in {"Human", "AI", "Hybrid"}
    assert 0 <= c.ai_score <= 100 and 0 <= c.confidence <= 1
    assert c.threshold == detector_card()["threshold"]
    assert c.fpr_at_threshold <= 0.01
    # The share of human essays scoring this high shrinks as the score grows.
    assert 0 <= c.fpr_at_score <= 1
    if c.ai_score < c.threshold:
        assert c.fpr_at_score >= c.fpr_at_threshold
    assert not c.insufficient_text
    assert [s.index for s in c.sentences] == list(range(len(c.sentences)))
    assert c.reasons and any("threshold" in r for r in c.reasons)
    if c.label == "Human":
        assert c.ai_fraction == 0 and ai_spans(text) == []


def test_spans_survive_odd_whitespace_and_quotes() -> None:
    text = (
        "  \u201cWell,\u201d she said,\t\u201cthat\u2019s odd.\u201d   \n\n\n"
        + AI_TURN.replace(". ", ".\u00a0\u00a0 ")
        + "\r\n  "
        + HUMAN
    )
    chat = [{"role": "user", "text": "write about energy"}, {"role": "ai", "text": AI_TURN}]
    c = classify(text, chat_log=chat)
    for s in c.sentences:
        piece = text[s.start : s.end]
        assert piece == piece.strip() and piece
    spans = ai_spans(text, chat_log=chat)
    assert spans, "the pasted AI turn must produce spans"
    for sp in spans:
        assert sp.kind == "ai" and 0 <= sp.start < sp.end <= len(text)
    covered = "".join(text[sp.start : sp.end] for sp in spans)
    assert "Renewable energy sources" in covered and "grandpa" not in covered


def test_chat_log_paste_makes_hybrid_and_names_the_turn() -> None:
    text = HUMAN + "\n\n" + AI_TURN + "\n\n" + HUMAN.replace("grandpa", "uncle")
    chat = [{"role": "user", "text": "help me with my essay"}, {"role": "ai", "text": AI_TURN}]
    c = classify(text, chat_log=chat)
    assert c.label == "Hybrid"
    pasted = [s for s in c.sentences if s.source == "chat_log"]
    assert len(pasted) == 3 and all(s.chat_turn == 1 and s.is_ai for s in pasted)
    assert all(s.ai_probability == 1.0 for s in pasted)
    assert any("AI turn 2 of the chat log" in r for r in c.reasons)  # counted from 1
    assert 0 < c.chat_log_fraction < 0.85
    score = ai_score(text, chat_log=chat)
    assert score.chat_log_evidence and score.label_at_threshold


def test_whole_text_from_chat_is_ai_and_user_turns_are_not_evidence() -> None:
    text = AI_TURN + " " + AI_TURN.replace("Renewable", "Clean")
    chat = [{"role": "ai", "text": text}]
    c = classify(text, chat_log=chat)
    assert c.label == "AI" and c.ai_fraction == 1.0 and c.confidence >= 0.99
    # The same words in the student's own (user) turn are not AI evidence.
    own = classify(text, chat_log=[{"role": "user", "text": text}])
    assert all(s.source == "model" for s in own.sentences)


def test_short_text_is_insufficient_and_not_labelled_ai() -> None:
    c = classify("Technology is crucial. Furthermore, it fosters innovation.")
    assert c.insufficient_text and c.label == "Human" and c.confidence == 0.5
    assert c.reasons[0].startswith("Not enough text to tell whether it is AI-written")
    assert "labelled Human by default" in c.reasons[0]
    assert not ai_score("Technology is crucial. It fosters innovation.").label_at_threshold


def test_short_text_pasted_from_chat_is_still_ai() -> None:
    assert len(AI_TURN.split()) < 50
    c = classify(AI_TURN, chat_log=[{"role": "ai", "text": AI_TURN}])
    assert c.insufficient_text and c.label == "AI" and c.chat_log_fraction == 1.0
    assert "comes from the chat log" in c.reasons[0]


@pytest.mark.parametrize("bad", ["", "   \n\t ", None, 42])
def test_empty_or_non_text_is_rejected(bad: object) -> None:
    with pytest.raises(DetectionInputError):
        classify(bad)  # type: ignore[arg-type]


def test_text_over_the_limit_is_rejected() -> None:
    with pytest.raises(TextTooLongError):
        ai_score("word " * (MAX_CHARS // 5 + 1))


@pytest.mark.parametrize(
    "chat",
    [
        [{"role": "assistant", "text": "hi"}],
        [{"role": "ai"}],
        [{"role": "ai", "text": "hi", "extra": 1}],
        ["just a string"],
    ],
)
def test_malformed_chat_log_is_rejected(chat: list) -> None:
    with pytest.raises(ValueError):
        classify(HUMAN, chat_log=chat)


def test_shared_analysis_is_reused() -> None:
    analysis = TextAnalysis(HUMAN)
    first = classify(HUMAN, analysis=analysis)
    assert "detection" in analysis.memo
    assert ai_score(HUMAN, analysis=analysis).ai_score == first.ai_score
    assert classify(HUMAN) == first  # deterministic without the shared analysis too


# ------------------------------------------------------------------ against DEV data


def _valid(path: str, n: int) -> list[dict]:
    rows = [json.loads(line) for line in (DATA / path).open(encoding="utf-8")]
    return [r for r in rows if r.get("split", "valid") == "valid"][:n]


@needs_data
def test_separates_ai_from_human_essays_on_valid_split() -> None:
    rows = [r for r in _valid("detect/outfox_dev.jsonl", 400) if r["generator"] != "flan-t5-xxl"]
    human = [r["text"] for r in rows if r["label"] == "human"][:15]
    ai = [r["text"] for r in rows if r["label"] == "ai"][:15]
    h = [ai_score(t).ai_score for t in human]
    a = [ai_score(t).ai_score for t in ai]
    wins = sum(x > y for x in a for y in h) / (len(a) * len(h))
    assert wins >= 0.9, f"AUROC on a valid sample {wins:.2f}"


@needs_data
def test_ai_label_quotes_the_wording_that_gave_it_away() -> None:
    rows = [
        r for r in _valid("detect/outfox_dev.jsonl", 400) if r["generator"] == "gpt-3.5-turbo-0613"
    ]
    for r in rows[:5]:
        c = classify(r["text"])
        assert c.label == "AI"
        wording = [x for x in c.reasons if x.startswith("Wording typical of AI")]
        phrases = wording[0].split(": ", 1)[1].rstrip(".").split(", ") if wording else []
        assert phrases, c.reasons
        words = [w for p in phrases for w in p.strip("“”").split()]  # n-grams skip punctuation
        assert all(w in r["text"].lower() for w in words), phrases
    human = next(r for r in _valid("detect/outfox_dev.jsonl", 400) if r["label"] == "human")
    assert not any(x.startswith("Wording") for x in classify(human["text"]).reasons)


@needs_data
def test_non_native_essays_are_not_flagged() -> None:
    rows = [json.loads(line) for line in (DATA / "score/ellipse_dev.jsonl").open(encoding="utf-8")]
    flagged = [classify(r["text"]).label for r in rows[:20]]
    assert flagged.count("Human") >= 19


def _splice(human: str, ai: str) -> tuple[str, tuple[int, int]]:
    """A human essay with the AI essay's second half pasted at the end; returns the AI range."""
    from aaie.engine.text import split_sentences

    sents = [s.text for s in split_sentences(ai)]
    pasted = " ".join(sents[len(sents) // 2 :])
    text = human.strip() + "\n\n" + pasted
    return text, (len(text) - len(pasted), len(text))


@needs_data
def test_spliced_hybrid_is_hybrid_with_spans_on_the_ai_part() -> None:
    rows = _valid("detect/outfox_dev.jsonl", 400)
    ai = {r["meta"]["index"]: r["text"] for r in rows if r["generator"] == "text-davinci-003"}
    humans = [r for r in rows if r["label"] == "human" and r["meta"]["index"] in ai][:10]
    hybrid = precise = 0
    for r in humans:
        text, (a, b) = _splice(r["text"], ai[r["meta"]["index"]])
        c = classify(text)
        if c.label != "Hybrid":
            continue
        hybrid += 1
        spans = ai_spans(text)
        found = set().union(*(range(s.start, s.end) for s in spans))
        truth = set(range(a, b))
        precise += len(found & truth) >= 0.5 * len(found) and len(found & truth) >= 0.5 * len(truth)
    assert hybrid >= 6, f"{hybrid}/10 spliced hybrids labelled Hybrid"
    assert precise >= hybrid - 1, f"spans on the AI part in {precise}/{hybrid}"


@needs_data
def test_human_essays_without_chat_log_are_not_hybrid() -> None:
    rows = [r for r in _valid("detect/outfox_dev.jsonl", 400) if r["label"] == "human"][:20]
    labels = [classify(r["text"]).label for r in rows]
    assert labels.count("Human") >= 19, labels


# ------------------------------------------------------------------ training data and stage 2


def _essay(tag: str, n_paras: int = 4, per_para: int = 3) -> str:
    return "\n".join(
        " ".join(f"{tag} paragraph {p} sentence number {s} is here." for s in range(per_para))
        for p in range(n_paras)
    )


@pytest.mark.parametrize("kind", MIXES)
def test_synthetic_hybrid_spans_cover_exactly_the_ai_sentences(kind: str) -> None:
    import random

    human, ai = paragraphs(_essay("Human")), paragraphs(_essay("Machine"))
    tagged = mix(human, ai, kind, random.Random(3))
    assert tagged is not None
    text, spans = render(tagged)
    ai_text = " ".join(text[a:b] for a, b in spans)
    human_part = text
    for a, b in reversed(spans):
        human_part = human_part[:a] + human_part[b:]
    assert "Machine" in ai_text and "Human" not in ai_text
    assert "Human" in human_part and "Machine" not in human_part


def test_synthetic_hybrids_come_from_train_pairs_of_one_prompt_only() -> None:
    def doc(i: str, label: str, index: int, split: str, gen: str = "") -> Doc:
        text = _essay("Human" if label == "human" else "Machine")
        return Doc(id=i, text=text, label=label, source="outfox", generator=gen,
                   group="native" if label == "human" else "ai", split=split,
                   fold_key=f"outfox-{index}", meta={"index": index})  # fmt: skip

    docs = [
        doc("h1", "human", 1, "train"),
        doc("a1", "ai", 1, "train", "gpt"),
        doc("h2", "human", 2, "valid"),
        doc("a2", "ai", 2, "valid", "gpt"),
    ]
    out = outfox_hybrids(docs)
    assert out and all(d.fold_key == "outfox-1" and d.split == "train" for d in out)
    assert all(d.label == "hybrid" and d.ai_spans for d in out)
    assert outfox_hybrids(docs) == out  # seeded: the same every run


def test_context_rows_see_neighbours_and_document() -> None:
    p = np.array([0.1, 0.9, 0.95, 0.2])
    rows = context_rows(p, np.ones(4))
    assert rows.shape[0] == 4
    assert np.isnan(rows[0, 1]) and not np.isnan(rows[1, 1])  # no sentence before the first
    assert rows[1, 0] > rows[0, 0]  # own log-odds first
    assert np.all(rows[:, -1] == rows[0, -1])  # document columns are shared


# ------------------------------------------------------------------ the n-gram sentence model


def _item(source: str, label: str, sentences: list[str], synthetic: bool = False):
    from aaie.engine.detection.train import Item
    from aaie.engine.text import split_sentences

    text = " ".join(sentences)
    sents = split_sentences(text)
    doc = Doc(id=f"{source}-{label}-{len(text)}", text=text, label=label, source=source,
              generator="" if label == "human" else "gpt", split="train", fold_key=source,
              group="native" if label == "human" else "ai",
              meta={"synthetic": True} if synthetic else {})  # fmt: skip
    n = len(sents)
    return Item(doc, sents, np.zeros((n, 1)), np.zeros((n, 4)), np.zeros(1), np.zeros(4),
                np.full(n, int(label == "ai"), dtype=np.int8))  # fmt: skip


TOPICS = ("dog", "trip", "game", "class", "team", "friend", "summer", "party")
STUDENT = [f"i think my {w} was kind of fun and we went home after." for w in TOPICS]
ASSISTANT = [f"Furthermore, the {w} plays a crucial role in fostering growth." for w in TOPICS]


def test_ngram_model_learns_style_from_paired_sources_only() -> None:
    from aaie.engine.detection.train import fit_lexical_on

    items = [
        _item("outfox", "human", STUDENT),
        _item("outfox", "ai", ASSISTANT),
        # Human-only sources would teach topic words as "human": they must not enter.
        _item("asap", "human", [f"The zebra crossing near the {w} is unsafe." for w in STUDENT]),
        _item("outfox", "ai", [f"Quokka {s}" for s in STUDENT], synthetic=True),
    ]
    model = fit_lexical_on(items)
    assert "zebra" not in model.word.terms and "quokka" not in model.word.terms
    ai_like, student_like = model.log_odds(
        ["Furthermore, the library plays a crucial role.", "i think my cat was kind of fun"]
    )
    assert ai_like > 0 > student_like
    assert model.log_odds([]).shape == (0,)


def test_ngram_model_is_served_exactly_as_scikit_learn_fitted_it() -> None:
    """Served without scikit-learn (engine.tfidf), the n-gram model must give the log-odds
    scikit-learn's own vectorisers and regression give."""
    from scipy.sparse import hstack
    from sklearn.feature_extraction.text import TfidfVectorizer

    from aaie.engine.detection.lexical import fit_lexical

    doubled = [a + " " + a for a in ASSISTANT]
    sentences = STUDENT + ASSISTANT + [s.upper() for s in STUDENT] + doubled
    labels = np.array([0] * 8 + [1] * 8 + [0] * 8 + [1] * 8)
    model = fit_lexical(sentences, labels)
    probes = [*sentences[:4], "", "Odd   spacing\tand a Crucial, fostering x", "Zzz qqq."]
    n_word = len(model.word.idf)
    vecs = [
        TfidfVectorizer(analyzer=kind, ngram_range=rng, vocabulary=block.terms,
                        sublinear_tf=True).fit(sentences)
        for kind, rng, block in (("word", (1, 2), model.word), ("char_wb", (2, 5), model.char))
    ]  # fmt: skip
    X = hstack([v.transform(probes) for v in vecs]).tocsr()
    expected = X @ model.coef.astype(np.float64) + model.intercept
    assert len(model.char.idf) == X.shape[1] - n_word
    assert np.allclose(model.log_odds(probes), expected, atol=1e-5)
    phrases = model.telling_phrases(ASSISTANT[:2])  # the AI wording is quoted back
    assert phrases and all(p in " ".join(ASSISTANT[:2]).lower() for p in phrases)


def test_ngram_log_odds_join_the_sentence_rows_in_context() -> None:
    from aaie.engine.detection.model import Projection, sentence_matrix

    n, proj = 5, Projection(np.zeros(4, np.float32), np.eye(2, 4, dtype=np.float32))
    args = (np.ones((n, 1)), np.ones((n, 4)), np.ones(1), np.ones(4), proj)
    lex = np.array([-2.0, -2.0, 3.0, -2.0, -2.0])
    plain, with_lex = sentence_matrix(*args), sentence_matrix(*args, lex)
    assert with_lex.shape == (n, plain.shape[1] + 6)
    assert np.array_equal(with_lex[:, : plain.shape[1]], plain)
    own, near, *_, minus_doc, z = with_lex[:, plain.shape[1] :].T
    assert own[2] == 3.0 and near[2] == -2.0 and near[1] == 0.5  # neighbours exclude the sentence
    assert minus_doc[2] > 0 > minus_doc[0] and z[2] == z.max()


def test_serving_loads_no_scikit_learn_and_no_pytorch() -> None:
    """The shipped models are plain arrays (engine.trees, engine.tfidf) and an ONNX graph
    (detector-9's encoder): classifying an essay in a fresh process must not import
    scikit-learn (it cost ~1 s of the load) nor PyTorch (a training-only extra)."""
    import subprocess
    import sys

    training_only = ("sklearn", "torch", "transformers")
    code = (
        "import sys; from aaie.engine.detection import classify; "
        f"classify({HUMAN!r}); "
        f"print(sorted(m for m in sys.modules if m.split('.')[0] in {training_only!r}))"
    )
    run = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert run.stdout.strip() == "[]"


def test_a_vectoriser_the_served_code_cannot_reproduce_is_refused() -> None:
    """Training must fail loudly rather than ship n-grams that serving would cut differently."""
    from sklearn.feature_extraction.text import TfidfVectorizer

    from aaie.engine.detection.lexical import _served

    trigrams = TfidfVectorizer(ngram_range=(1, 3), sublinear_tf=True).fit(STUDENT)
    with pytest.raises(ValueError, match="cannot serve"):
        _served(trigrams, "word")


# ------------------------------------------------------------------ languages and populations

SPANISH = (
    "La Revolución Mexicana fue un conflicto armado que comenzó en 1910 y transformó la vida "
    "política del país. Los campesinos exigían tierras y los obreros mejores condiciones de "
    "trabajo. Después de una década de guerra, la Constitución de 1917 reconoció muchos de esos "
    "derechos. Sin embargo, la reforma agraria avanzó despacio y la desigualdad continuó durante "
    "gran parte del siglo veinte."
)


def test_text_in_another_language_is_not_judged() -> None:
    c = classify(SPANISH)
    assert c.unsupported_language and c.language == "es"
    assert c.label == "Human" and c.confidence <= 0.5
    assert not any(s.is_ai for s in c.sentences)
    assert "Spanish" in c.reasons[0] and "English only" in c.reasons[0]
    assert ai_score(SPANISH).unsupported_language


def test_a_text_not_judged_gets_no_score_style_or_wording_reasons() -> None:
    """Only why it was not judged: a score, a style cue or quoted AI wording would read as a
    finding about a text the statistics cannot read (a language, or too few words)."""
    for text in (SPANISH, "Phones are bad. They distract us."):
        reasons = classify(text).reasons
        assert reasons, text
        assert not any("AI score" in r or r.startswith(("Style", "Wording")) for r in reasons)


def test_informal_english_is_judged() -> None:
    c = classify(HUMAN)
    assert c.language == "en" and not c.unsupported_language


# GNOME Help's Croatian translation (CC BY-SA 3.0). Croatian, Serbian and Bosnian split the
# identifier's confidence, none reaching 0.9: such texts were judged as English.
CROATIAN = (
    "Otvorit će se prozor Klik lebdenjem i ostat će iznad svih ostalih prozora. Ovdje možete "
    "odabrati koja vrsta klika se treba dogoditi kada lebdite. Primjerice, ako odaberete "
    "Sekundarni klik, kliknut ćete desnom tipkom miša kada lebdite. Nakon dvostrukog klika, "
    "desnog klika ili povlačenja i otpuštanja, automatski ćete se vratiti na obične klikove."
)


def test_a_language_close_to_others_is_not_judged_as_english() -> None:
    c = classify(CROATIAN)
    assert c.unsupported_language and c.label == "Human"
    assert "English only" in c.reasons[0]


# A human review in capitals (L2R's FoodCusine texts, CC BY 3.0): as typed, the identifier gives
# English 0.02 and Igbo first; lower-cased, English 0.9995.
IN_CAPITALS = (
    "I WAS VISITING MY FRIEND NATE THE OTHER MORNING FOR COFFEE , HE CAME OUT OF HIS STORAGE ROOM "
    "WITH ( A PACKET OF McCANNS INSTANT IRISH OATMEAL .) HE SUGGESTED THAT I TRY IT FOR MY OWN USE "
    ",IN MY STASH . SOMETIMES NATE DOSE NOT GIVE YOU A CHANCE TO SAY NO , SO I ENDED UP TRYING THE "
    "APPLE AND CINN . FOUND IT TO BE VERY TASTEFULL WHEN MADE WITH WATER OR POWDERED MILK ."
)


def test_a_text_typed_in_capitals_is_judged() -> None:
    c = classify(IN_CAPITALS)
    assert c.language == "en" and not c.unsupported_language


def test_another_language_pasted_from_the_chat_log_is_still_evidence() -> None:
    c = classify(SPANISH, chat_log=[{"role": "ai", "text": SPANISH}])
    assert c.unsupported_language and c.label == "AI" and c.chat_log_fraction > 0.9


def test_a_label_on_a_text_written_unlike_a_student_essay_comes_with_a_caution(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Held out by source, human writing of an unseen genre was flagged far above the reported
    rates while student essays stayed safe: a teacher reading such a label must be told."""
    from aaie.engine.detection.model import Detector, load_detector

    def cautions(text: str) -> list[str]:
        return [r for r in classify(text).reasons if r.startswith("Caution")]

    assert cautions(HUMAN) == []  # not labelled: nothing to caution about
    monkeypatch.setattr(load_detector(), "threshold", 0.0)  # every judged text is flagged
    monkeypatch.setattr(Detector, "nearest_population", lambda self, feat: "academic")
    c = classify(HUMAN)
    assert c.label != "Human" and c.reasons[1].startswith("Caution")
    assert "academic" in c.reasons[1] and "talk with the student" in c.reasons[1]
    # ...with what held-out runs measured on such writing, not only the flattering validation.
    rates = _shipped_held_out_rates()
    assert f"{100 * rates.rate('academic'):.1f}%" in c.reasons[1]
    assert f"{100 * rates.genre_rate('academic'):.1f}%" in c.reasons[1]
    monkeypatch.setattr(Detector, "nearest_population", lambda self, feat: "student_essays_native")
    assert classify(HUMAN).label != "Human" and cautions(HUMAN) == []
    # A label that rests on text pasted from the student's AI chat is not the model's reading.
    monkeypatch.setattr(Detector, "nearest_population", lambda self, feat: "academic")
    pasted = classify(HUMAN + " " + AI_TURN, chat_log=[{"role": "ai", "text": AI_TURN}])
    assert pasted.chat_log_fraction > 0
    assert not any(r.startswith("Caution") for r in pasted.reasons)


def _passage_in_the_first_two_sentences(monkeypatch: pytest.MonkeyPatch) -> None:
    """Every text holds a passage in its first two sentences, and no other sentence reads as AI
    (the AI score is left as the model gives it)."""
    from aaie.engine.detection import engine
    from aaie.engine.detection.model import load_detector

    def first_two(p: np.ndarray, threshold: float, n: int) -> np.ndarray:
        return np.arange(len(p)) < 2

    monkeypatch.setattr(engine, "passage_mask", first_two)
    monkeypatch.setattr(load_detector(), "sentence_threshold", 1.01)


def test_the_passage_rule_does_not_label_academic_or_encyclopedic_prose(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """On human manuals and encyclopedia entries never trained on, every false positive came from
    the passage rule on a text nearest to academic or encyclopedic writing (session 13)."""
    from aaie.engine.detection.model import Detector

    _passage_in_the_first_two_sentences(monkeypatch)
    monkeypatch.setattr(Detector, "nearest_population", lambda self, feat: "student_essays_native")
    essay = classify(HUMAN)
    assert essay.label != "Human" and any("form a passage" in r for r in essay.reasons)
    for genre in ("academic", "news_encyclopedic"):
        monkeypatch.setattr(Detector, "nearest_population", lambda self, feat, g=genre: g)
        c = classify(HUMAN)
        assert c.label == "Human" and not any(s.is_ai for s in c.sentences), genre
        assert not any("form a passage" in r for r in c.reasons)


def test_a_passage_alone_makes_a_text_hybrid_never_ai(monkeypatch: pytest.MonkeyPatch) -> None:
    """A passage is evidence that part of a text differs from the rest. When the sentences it
    would mark cover the whole text, whether the text is AI is the AI score's question: both
    false positives left on unseen human manuals were such "AI" labels (session 14)."""
    from aaie.engine.detection.model import Detector, load_detector

    monkeypatch.setattr(Detector, "nearest_population", lambda self, feat: "student_essays_native")
    assert classify(HUMAN).ai_score < load_detector().threshold
    _passage_in_the_first_two_sentences(monkeypatch)
    part = classify(HUMAN)
    assert part.label == "Hybrid" and [s.is_ai for s in part.sentences][:3] == [True, True, False]
    monkeypatch.setattr(load_detector(), "sentence_threshold", 0.0)  # every sentence reads as AI
    whole = classify(HUMAN)
    assert whole.label == "Human" and not any(s.is_ai for s in whole.sentences)
    assert not any("form a passage" in r for r in whole.reasons)
    assert not ai_score(HUMAN).label_at_threshold
    # Text pasted from the student's AI chat is evidence of its own: it still labels.
    pasted = classify(HUMAN + " " + AI_TURN, chat_log=[{"role": "ai", "text": AI_TURN}])
    assert pasted.label != "Human" and pasted.chat_log_fraction > 0


def test_every_result_names_the_population_its_false_positive_rate_was_measured_on() -> None:
    from aaie.engine.detection.model import load_detector

    det = load_detector()
    c = classify(HUMAN)
    assert c.fpr_population in det.populations
    assert c.fpr_at_threshold == det.populations[c.fpr_population]["label_fpr"]
    assert any(c.fpr_population.split("_")[0] in r or "human" in r for r in c.reasons)


def test_every_result_also_states_the_rate_measured_on_sources_left_out_of_training(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Out of fold every source was trained on; a teacher must also see what the label rule did
    to the same kind of human writing from a source it never saw (issue #16)."""
    from aaie.engine.detection.model import Detector, load_detector

    rates = _shipped_held_out_rates()
    for population in ("academic", "student_essays_native"):
        monkeypatch.setattr(Detector, "nearest_population", lambda self, feat, p=population: p)
        c, score = classify(HUMAN), ai_score(HUMAN)
        assert c.fpr_held_out == score.fpr_held_out == rates.by_source[population]
        quoted = f"{100 * rates.by_source[population]:.1f}% of those from a source left out"
        assert any(quoted in r for r in c.reasons)
    # A retrained model whose held-out runs were not repeated quotes none, not the old ones.
    monkeypatch.setitem(load_detector().card, "version", "detector-retrained-here")
    c = classify(HUMAN)
    assert c.fpr_held_out is None and not any("left out of training" in r for r in c.reasons)


def test_the_held_out_rates_were_measured_on_the_shipped_model() -> None:
    """A retrained model must have its held-out rates measured again (bench/held_out_rates.py)
    before it ships: otherwise every response would quote another model's figures."""
    card = detector_card()
    rates = _shipped_held_out_rates()
    for table in (rates.by_source, rates.by_genre):
        assert set(card["threshold_populations"]) <= set(table)
        assert all(0.0 <= rate <= 1.0 for rate in table.values())


def _shipped_held_out_rates() -> HeldOutRates:
    rates = load_held_out_rates(detector_card()["version"])
    assert rates is not None, "no held-out rates for the shipped model: bench/held_out_rates.py"
    return rates


def test_population_of_human_texts_follows_writer_group_and_genre() -> None:
    from aaie.engine.detection.data import population

    def doc(source: str, domain: str = "essay", group: str = "other_human") -> Doc:
        return Doc("x", "t", "human", source, "", group, "train", "k", domain=domain)

    assert population(doc("asap", group="native")) == "student_essays_native"
    assert population(doc("ellipse", group="non_native")) == "student_essays_non_native"
    assert population(doc("biscope", "Arxiv")) == "academic"
    assert population(doc("l2r", "NewsArticle")) == "news_encyclopedic"
    assert population(doc("fastdetectgpt", "fiction")) == "creative"
    ai = Doc("y", "t", "ai", "biscope", "gpt-4", "ai", "train", "k")
    assert population(ai) == "ai"


def test_leave_one_source_out_folds_are_whole_sources() -> None:
    from aaie.engine.detection.train import SOURCE_FOLDS, leave_one_source_out_fold

    def doc(source: str, key: str) -> Doc:
        return Doc("x", "t", "human", source, "", "native", "train", key)

    # Every text of a source, whatever its prompt, lands in the source's fold ...
    folds = {leave_one_source_out_fold(doc("biscope", f"p{i}")) for i in range(20)}
    assert folds == {SOURCE_FOLDS["biscope"]}
    # ... and OUTFOX shares its fold with the same students' Feedback Prize essays.
    assert leave_one_source_out_fold(doc("outfox", "a")) == leave_one_source_out_fold(
        doc("fp2021", "b")
    )
    assert len(set(SOURCE_FOLDS.values())) == 5


def test_shipped_folds_keep_a_prompt_on_one_side() -> None:
    from aaie.engine.detection.train import source_fold

    def doc(source: str, key: str) -> Doc:
        return Doc("x", "t", "human", source, "", "native", "train", key)

    # A prompt's human essay, its AI essays and hybrids share a fold, whatever their source ...
    assert len({source_fold(doc(s, "outfox-7")) for s in ("outfox", "outfox_hybrid")}) == 1
    # ... while the prompts of one source spread over every fold.
    assert {source_fold(doc("biscope", f"p{i}")) for i in range(40)} == {0, 1, 2, 3, 4}


@needs_data
def test_every_source_of_the_corpus_has_a_fold() -> None:
    from aaie.engine.detection.data import load_new_sources
    from aaie.engine.detection.synth import paired_hybrids
    from aaie.engine.detection.train import SOURCE_FOLDS

    docs = load_new_sources(DATA)
    assert {d.source for d in docs} <= set(SOURCE_FOLDS)
    hybrids = paired_hybrids(docs, "l2r")
    assert hybrids and {h.source for h in hybrids} <= set(SOURCE_FOLDS)
    for h in hybrids[:50]:  # spans cover AI sentences only, inside the text
        assert all(0 <= a < b <= len(h.text) for a, b in h.ai_spans)


def test_persuade_placeholders_and_encoding_artefacts_cannot_become_human_cues() -> None:
    from aaie.engine.text import clean_persuade

    raw = "Dear TEACHER_NAME,\xa0I am Generic_Name of Generic_School. It\x92s \x93fine\x94."
    cleaned = clean_persuade(raw)
    assert cleaned == 'Dear Mr. Smith, I am Alex of Lincoln High. It\'s "fine".'
