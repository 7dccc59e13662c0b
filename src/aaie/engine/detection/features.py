"""Cheap stylometric and lexical features, for whole documents and for single sentences.

No language model: word rarity comes from `wordfreq` (a unigram "perplexity"), the rest are rates
of punctuation, pronouns, contractions, discourse markers and assistant-typical vocabulary, and the
rhythm of sentence lengths ("burstiness"). Whitespace and paragraph layout are deliberately not
used: the training data normalised it differently per source, so it would be a label leak.
"""

from __future__ import annotations

import math
import re
from functools import lru_cache

import numpy as np

from aaie.engine.text import words
from aaie.engine.types import Sentence

# Connectives that instruction-tuned models over-use at sentence starts and in conclusions.
DISCOURSE = frozenset(
    [
        "additionally",
        "furthermore",
        "moreover",
        "overall",
        "ultimately",
        "consequently",
        "firstly",
        "secondly",
        "thirdly",
        "lastly",
        "finally",
        "therefore",
        "thus",
        "hence",
        "however",
        "nevertheless",
        "nonetheless",
        "conversely",
        "similarly",
        "likewise",
        "instance",
        "conclusion",
        "summary",
    ]
)
# Vocabulary typical of assistant prose ("delve", "foster", "crucial" ...).
ASSISTANT = frozenset(
    [
        "crucial",
        "vital",
        "essential",
        "significant",
        "significantly",
        "valuable",
        "numerous",
        "various",
        "ensure",
        "ensuring",
        "enhance",
        "enhancing",
        "foster",
        "fostering",
        "delve",
        "potential",
        "potentially",
        "provide",
        "provides",
        "providing",
        "individuals",
        "opportunity",
        "opportunities",
        "allows",
        "allowing",
        "aspect",
        "aspects",
        "benefit",
        "benefits",
        "beneficial",
        "impact",
        "impacts",
        "ability",
        "approach",
        "approaches",
        "overall",
        "ultimately",
        "additionally",
        "furthermore",
        "moreover",
        "effectively",
        "effective",
        "increasingly",
        "valuable",
        "role",
        "promote",
        "promoting",
        "utilize",
        "utilizing",
        "facilitate",
        "comprehensive",
        "insights",
        "landscape",
        "realm",
        "pivotal",
        "key",
        "diverse",
        "contribute",
        "contributes",
        "emphasize",
        "highlights",
        "highlight",
        "strive",
        "navigate",
    ]
)
FIRST_PERSON = frozenset(["i", "me", "my", "mine", "myself"])
SECOND_PERSON = frozenset(["you", "your", "yours", "yourself"])
FUNCTION = ("the", "of", "and", "to", "a", "in", "that", "is", "it", "for", "this", "be", "can")
_CONTRACTION = re.compile(r"[A-Za-z]['’](?:s|t|re|ve|ll|d|m)\b", re.IGNORECASE)
_TERMINAL = re.compile(r"[.!?…][\"'”’)\]]*$")

SENTENCE_FEATURES = [
    "log_words",
    "mean_word_len",
    "zipf_mean",
    "zipf_min",
    "zipf_std",
    "rare3_rate",
    "rare2_rate",
    "oov_rate",
    "comma_rate",
    "semicolon_colon_rate",
    "question_excl_rate",
    "quote_paren_rate",
    "dash_rate",
    "contraction_rate",
    "first_person_rate",
    "second_person_rate",
    "discourse_rate",
    "assistant_rate",
    "starts_discourse",
    "lower_i_rate",
    "starts_lower",
    "has_terminal",
    "capital_rate",
    "digit_rate",
    *[f"fw_{w}" for w in FUNCTION],
]
DOC_EXTRA = [
    "sent_len_mean",
    "sent_len_std",
    "sent_len_cv",
    "sent_len_max",
    "sent_len_min",
    "log_n_sentences",
    "mattr50",
    "starts_discourse_frac",
    "zipf_sent_std",
    "assistant_sent_frac",
]
DOC_FEATURES = SENTENCE_FEATURES + DOC_EXTRA


@lru_cache(maxsize=1)
def _zipf_table() -> dict[str, float]:
    """wordfreq's English list as Zipf values (log10 of frequency per billion words)."""
    import wordfreq

    return {w: math.log10(f * 1e9) for w, f in wordfreq.get_frequency_dict("en").items() if f > 0}


def warm_up() -> None:
    _zipf_table()


def _rate(n: int, d: int) -> float:
    return n / d if d else 0.0


def _lexical(text: str, toks: list[str]) -> list[float]:
    table = _zipf_table()
    low = [t.lower().replace("’", "'") for t in toks]
    alpha = [t for t in low if t.isalpha() or "'" in t]
    n = max(len(low), 1)
    zipf = np.array([table.get(t, 0.0) for t in alpha] or [5.0])
    first_alpha = next((c for c in text if c.isalpha()), "")
    fw = [_rate(low.count(w), n) for w in FUNCTION]
    return [
        math.log1p(len(low)),
        float(np.mean([len(t) for t in low])) if low else 0.0,
        float(zipf.mean()),
        float(zipf.min()),
        float(zipf.std()),
        float((zipf < 3.0).mean()),
        float((zipf < 2.0).mean()),
        float((zipf == 0.0).mean()),
        _rate(text.count(","), n),
        _rate(text.count(";") + text.count(":"), n),
        _rate(text.count("?") + text.count("!"), n),
        _rate(sum(text.count(c) for c in '"“”()[]'), n),
        _rate(text.count(" - ") + text.count("—") + text.count("–"), n),
        _rate(len(_CONTRACTION.findall(text)), n),
        _rate(sum(t in FIRST_PERSON for t in low), n),
        _rate(sum(t in SECOND_PERSON for t in low), n),
        _rate(sum(t in DISCOURSE for t in low), n),
        _rate(sum(t in ASSISTANT for t in low), n),
        float(bool(low) and low[0] in DISCOURSE),
        _rate(sum(t == "i" for t in toks), n),
        float(first_alpha.islower()),
        float(bool(_TERMINAL.search(text.strip()))),
        _rate(sum(t[:1].isupper() for t in toks[1:]), n),
        _rate(sum(t[:1].isdigit() for t in toks), n),
        *fw,
    ]


def sentence_features(sentences: list[Sentence]) -> np.ndarray:
    """(n_sentences, len(SENTENCE_FEATURES)) features of each sentence on its own."""
    if not sentences:
        return np.zeros((0, len(SENTENCE_FEATURES)), dtype=np.float32)
    rows = [_lexical(s.text, words(s.text)) for s in sentences]
    return np.asarray(rows, dtype=np.float32)


def _mattr(toks: list[str], window: int = 50) -> float:
    """Moving-average type-token ratio (length-independent vocabulary richness)."""
    low = [t.lower() for t in toks]
    if len(low) <= window:
        return len(set(low)) / max(len(low), 1)
    step = max(1, (len(low) - window) // 20)
    ratios = [len(set(low[i : i + window])) / window for i in range(0, len(low) - window, step)]
    return float(np.mean(ratios))


def doc_features(text: str, sentences: list[Sentence], sent_feats: np.ndarray) -> np.ndarray:
    """Whole-text features (len(DOC_FEATURES),): lexical rates plus sentence rhythm."""
    toks = words(text)
    lex = _lexical(text, toks)
    # A final sentence cut off mid-way (no terminal punctuation) says nothing about rhythm.
    keep = [
        i for i, s in enumerate(sentences) if i < len(sentences) - 1 or _TERMINAL.search(s.text)
    ]
    lens = np.array([len(words(sentences[i].text)) for i in keep] or [0], dtype=np.float64)
    idx_zipf = SENTENCE_FEATURES.index("zipf_mean")
    idx_start = SENTENCE_FEATURES.index("starts_discourse")
    idx_asst = SENTENCE_FEATURES.index("assistant_rate")
    sf = sent_feats if len(sent_feats) else np.zeros((1, len(SENTENCE_FEATURES)))
    mean = float(lens.mean())
    extra = [
        mean,
        float(lens.std()),
        float(lens.std() / mean) if mean else 0.0,
        float(lens.max()),
        float(lens.min()),
        math.log1p(len(sentences)),
        _mattr(toks),
        float(sf[:, idx_start].mean()),
        float(sf[:, idx_zipf].std()),
        float((sf[:, idx_asst] > 0).mean()),
    ]
    return np.asarray(lex + extra, dtype=np.float32)
