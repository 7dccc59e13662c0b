"""Essay features for the built-in scorer, and the facts behind them (reused as evidence).

Everything here is cheap given a `TextAnalysis` (whose sentence embeddings are shared with the
other stages): word statistics, vocabulary sophistication (wordfreq), a spelling-error proxy
(lower-case words that no standard English dictionary knows: US, British, Canadian,
Australian or South African; `aaie.engine.spelling`), discourse markers, a readability
formula computed here (no textstat), MiniLM coherence, and, when a prompt is given,
essay-prompt similarity and coverage of the prompt's key points. Prompt features are NaN
without a prompt (the gradient boosted models treat NaN as "missing" and were trained with it).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache

import numpy as np
from wordfreq import zipf_frequency

from aaie.engine.analysis import TextAnalysis
from aaie.engine.embeddings import get_embedder
from aaie.engine.spelling import is_misspelled
from aaie.engine.tagging import tagger
from aaie.engine.text import split_sentences, words

TRANSITIONS: dict[str, tuple[str, ...]] = {
    "contrast": (
        "however",
        "although",
        "on the other hand",
        "nevertheless",
        "whereas",
        "in contrast",
        "even though",
        "despite",
        "instead",
        "yet",
        "but",
    ),
    "addition": (
        "furthermore",
        "moreover",
        "in addition",
        "additionally",
        "also",
        "another",
        "besides",
        "secondly",
        "thirdly",
        "finally",
        "first of all",
        "firstly",
    ),
    "cause": (
        "therefore",
        "because",
        "as a result",
        "consequently",
        "thus",
        "hence",
        "since",
        "so that",
        "due to",
    ),
    "example": ("for example", "for instance", "such as", "in particular", "specifically"),
    "conclusion": (
        "in conclusion",
        "to conclude",
        "in summary",
        "overall",
        "to sum up",
        "in the end",
        "all in all",
        "ultimately",
    ),
}
_TRANSITION_RE = {
    cat: re.compile(r"\b(" + "|".join(re.escape(p) for p in phrases) + r")\b", re.I)
    for cat, phrases in TRANSITIONS.items()
}


def _wordset(text: str) -> frozenset[str]:
    return frozenset(text.split())


INFORMAL = _wordset(
    "gonna wanna gotta kinda sorta lol omg u ur cuz cause dont cant wont im ive youre"
    " thats stuff things thing awesome cool okay ok yeah yep nope totally super really"
    " basically"
)
STOPWORDS = _wordset(
    "a an the and or but if then so of to in on at by for with from as is are was were be"
    " been being it its this that these those there their they them he she his her we our"
    " you your i me my not no do does did have has had will would can could should may"
    " might must about into than which who whom what when where why how all any each some"
    " such more most other also very just only own same too up out over under again"
    " further once here both few many much one two write letter essay explain describe"
    " people think agree disagree opinion reader readers persuade support state believe"
    " newspaper local editor article story paragraph response audience position argument"
    " convince include details examples reasons following prompt task answer"
)
_PLACEHOLDER_RE = re.compile(r"@[A-Z]+\d*")
# Words of the task itself ("Argue your position with examples"), not topics an essay should
# cover: never ask the student to discuss them or name them as the prompt's subject.
_TASK = """
    agree agreement disagree answer answers argue argues arguing argument arguments article
    claim claims conclusion consider considering convince convincing describe describes
    describing description detail details discuss discusses discussing discussion essay essays
    evidence example examples explain explains explaining explanation explore identify include
    including information letter opinion opinions paragraph paragraphs passage persuade
    persuasive point points position positions prompt question questions reason reasons
    reasoning response respond share specific state statement story summarize support
    supporting text topic view views whether write writes writing written
"""
TASK_WORDS = frozenset(_TASK.split())
# Nouns too general to name what a prompt is about.
_GENERIC_NOUNS = _wordset(
    "time times way ways part parts thing things none lot lots kind kinds one ones newspaper"
    " editor reader readers author audience someone something anything everything"
)


_VOWEL_GROUPS = re.compile(r"[aeiouy]+")


def syllables(word: str) -> int:
    """Heuristic syllable count (vowel groups, silent final e), good enough for readability."""
    w = word.lower()
    count = len(_VOWEL_GROUPS.findall(w))
    if w.endswith("e") and not w.endswith(("le", "ee")) and count > 1:
        count -= 1
    return max(count, 1)


@dataclass
class PromptInfo:
    text: str
    sentence_embeddings: np.ndarray
    embedding: np.ndarray
    key_points: list[str]  # the model's feature (rarest content words; as trained)
    key_terms: list[str] = field(default_factory=list)  # what a teacher would name (shown)


@lru_cache(maxsize=128)
def prompt_info(prompt_text: str) -> PromptInfo:
    """Embeddings and key points of a prompt (cached: many essays share one prompt)."""
    sents = [s.text for s in split_sentences(prompt_text)] or [prompt_text]
    emb = get_embedder().embed_cached(sents)  # shared with similarity
    mean = emb.mean(axis=0)
    mean = mean / max(float(np.linalg.norm(mean)), 1e-12)
    return PromptInfo(
        prompt_text, emb, mean.astype(np.float32), key_points(prompt_text), key_terms(prompt_text)
    )


def key_terms(prompt_text: str, limit: int = 8) -> list[str]:
    """The prompt's key terms as a teacher would name them: its nouns (task words such as
    "essay" or "opinion" and very general nouns left out), most repeated first, then in the
    order they appear. Falls back to the rarest content words if spaCy cannot tag."""
    text = _PLACEHOLDER_RE.sub(" ", prompt_text)
    try:
        doc = tagger()(text)
    except Exception:  # no tagger: the model's own key points, minus task words
        return [k for k in key_points(prompt_text) if k not in TASK_WORDS][:limit]
    seen: dict[str, tuple[int, int, str]] = {}
    for i, tok in enumerate(doc):
        low = tok.text.lower()
        lemma = tok.lemma_.lower()
        if (
            tok.pos_ not in ("NOUN", "PROPN")
            or len(low) < 3
            or not low.isalpha()
            or {low, lemma} & (TASK_WORDS | _GENERIC_NOUNS)
        ):
            continue
        count, first, form = seen.get(lemma, (0, i, low))
        seen[lemma] = (count + 1, first, form)
    ranked = sorted(seen.values(), key=lambda v: (-v[0], v[1]))
    return [form for _, _, form in ranked][:limit]


def key_points(prompt_text: str, limit: int = 12) -> list[str]:
    """Content words of the prompt that an on-topic answer is likely to use (rarest first)."""
    seen: dict[str, float] = {}
    for w in words(_PLACEHOLDER_RE.sub(" ", prompt_text)):
        lw = w.lower()
        if len(lw) < 4 or lw in STOPWORDS or lw.isdigit():
            continue
        seen.setdefault(lw, zipf_frequency(lw, "en"))
    ranked = sorted(seen, key=lambda k: (seen[k], k))
    return ranked[:limit]


def _stem(word: str) -> str:
    return word.lower()[:5] if len(word) > 5 else word.lower()


@dataclass
class EssayFacts:
    """Measurements of one essay; `vector()` gives the model's feature row."""

    values: dict[str, float]
    sentence_words: list[int]
    misspelled: list[tuple[int, int, str]]  # (start, end, word)
    informal: list[tuple[int, int, str]]
    transitions: dict[str, list[str]]
    paragraphs: int
    sentence_prompt_sims: np.ndarray | None = None
    covered_points: list[str] = field(default_factory=list)
    missing_points: list[str] = field(default_factory=list)

    def vector(self) -> np.ndarray:
        return np.array([self.values[k] for k in FEATURE_NAMES], dtype=np.float64)


# Cheap English-learner error patterns (rates per word): what ELLIPSE's grammar / phraseology /
# conventions scores are about, beyond spelling. Each is a regular expression over the text.
_ERROR_RE: dict[str, re.Pattern[str]] = {
    "space_before_punct_rate": re.compile(r"\w +[,.!?;:](?![.\d])"),
    "no_space_after_punct_rate": re.compile(r"[a-z][,!?;:][A-Za-z]|[a-z]{2}\.[A-Z][a-z]"),
    "no_apostrophe_rate": re.compile(
        r"\b(?:dont|cant|doesnt|didnt|isnt|wasnt|arent|werent|couldnt|shouldnt|wouldnt|havent"
        r"|hasnt|im|ive|thats|theyre|youre|whats|theres|lets)\b"
    ),
    "repeated_word_rate": re.compile(r"\b([A-Za-z]+) \1\b", re.I),
    "article_error_rate": re.compile(
        r"\b[Aa] (?!uni|use|usu|uti|one|once|eu|ur|u\b)[aeiouAEIOU]\w*"
        r"|\b[Aa]n (?!hour|honest|honou?r|heir|herb)[b-df-hj-np-tv-zB-DF-HJ-NP-TV-Z]\w*"
    ),
    "agreement_error_rate": re.compile(
        r"\b(?:he|she|it) (?:have|are|were|do|don'?t)\b"
        r"|\b(?:you|we|they) (?:is|was|has|does|doesn'?t)\b"
        r"|\bi (?:is|has|does|are|doesn'?t)\b"
        r"|\b(?:people|students|kids|they|we|you) (?:needs|wants|thinks|likes|says|makes|gets)\b"
        r"|\b(?:he|she|it|everyone|everybody|someone|nobody)"
        r" (?:need|want|think|like|say|make|get)\b",
        re.I,
    ),
    "modal_error_rate": re.compile(
        r"\b(?:can|could|should|would|will|must|might|may|to) (?:\w+ed|is|are|was|were|has|does)\b",
        re.I,
    ),
    "lower_after_stop_rate": re.compile(r"[a-z]{2}[.!?] +[a-z]"),
}
LANGUAGE_ERRORS = tuple(_ERROR_RE)

BASE_FEATURES = (
    "log_words",
    "n_sentences",
    "n_paragraphs",
    "words_per_paragraph",
    "mean_sent_len",
    "std_sent_len",
    "max_sent_len",
    "frac_long_sent",
    "frac_short_sent",
    "mean_word_len",
    "frac_long_words",
    "guiraud",
    "mean_zipf",
    "frac_rare_words",
    "spelling_rate",
    "lower_start_rate",
    "lower_i_rate",
    "comma_per_sent",
    "question_rate",
    "exclaim_rate",
    "informal_rate",
    "first_person_rate",
    "second_person_rate",
    "transition_rate",
    "transition_kinds",
    "flesch",
    "fk_grade",
    "coherence_adjacent",
    "coherence_centroid",
    "coherence_spread",
    *LANGUAGE_ERRORS,
)
PROMPT_FEATURES = (
    "prompt_doc_sim",
    "prompt_max_sent_sim",
    "prompt_top3_sim",
    "prompt_on_topic_frac",
    "prompt_keyword_cov",
    "prompt_sent_cov",
)
EMBED_DIMS = 16  # PCA components of the document embedding (projection ships in the artifact)
PROMPT_DIMS = 4  # PCA components of the prompt embedding
FEATURE_NAMES = BASE_FEATURES + PROMPT_FEATURES


def essay_facts(analysis: TextAnalysis, prompt_text: str | None) -> EssayFacts:
    """All measurements for one essay, memoised on the analysis (feedback reuses them)."""
    memo_key = ("rubric.facts", prompt_text)
    cached = analysis.memo.get("rubric.facts")
    if cached is not None and cached[0] == memo_key:
        return cached[1]
    facts = _compute(analysis, prompt_text)
    analysis.memo["rubric.facts"] = (memo_key, facts)
    return facts


def _word_spans(text: str) -> list[tuple[int, int, str]]:
    return [(m.start(), m.end(), m.group()) for m in re.finditer(r"@?[A-Za-z]+(?:'[a-z]+)?", text)]


def _compute(analysis: TextAnalysis, prompt_text: str | None) -> EssayFacts:
    text = analysis.text
    sents = analysis.sentences
    spans = _word_spans(text)
    toks = [w for _, _, w in spans if not w.startswith("@")]
    n_tok = max(len(toks), 1)
    lower = [w.lower() for w in toks]
    sent_words = [len(words(s.text)) for s in sents] or [0]
    sw = np.array(sent_words, dtype=np.float64)
    paragraphs = max(1, len([p for p in re.split(r"\n\s*\n|\n", text) if p.strip()]))
    zipfs = np.array([zipf_frequency(w, "en") for w in lower]) if lower else np.zeros(1)
    misspelled = [(a, b, w) for (a, b, w) in spans if is_misspelled(w)]
    informal = [(a, b, w) for (a, b, w) in spans if w.lower().replace("'", "") in INFORMAL]
    transitions: dict[str, list[str]] = {}
    n_trans = 0
    for cat, rx in _TRANSITION_RE.items():
        found = [m.group().lower() for m in rx.finditer(text)]
        n_trans += len(found)
        if found:
            transitions[cat] = found
    n_sent = max(len(sents), 1)
    syl = sum(syllables(w) for w in toks)
    asl = n_tok / n_sent
    v: dict[str, float] = {
        "log_words": math.log1p(len(toks)),
        "n_sentences": float(len(sents)),
        "n_paragraphs": float(paragraphs),
        "words_per_paragraph": len(toks) / paragraphs,
        "mean_sent_len": float(sw.mean()),
        "std_sent_len": float(sw.std()),
        "max_sent_len": float(sw.max()),
        "frac_long_sent": float((sw > 35).mean()),
        "frac_short_sent": float((sw < 6).mean()),
        "mean_word_len": float(np.mean([len(w) for w in toks])) if toks else 0.0,
        "frac_long_words": sum(len(w) >= 7 for w in toks) / n_tok,
        "guiraud": len(set(lower)) / math.sqrt(n_tok),
        "mean_zipf": float(zipfs[zipfs > 0].mean()) if (zipfs > 0).any() else 0.0,
        "frac_rare_words": float(((zipfs > 0) & (zipfs < 3.5)).mean()),
        "spelling_rate": len(misspelled) / n_tok,
        "lower_start_rate": sum(s.text[:1].islower() for s in sents) / n_sent,
        "lower_i_rate": sum(w == "i" for w in toks) / n_tok,
        "comma_per_sent": text.count(",") / n_sent,
        "question_rate": text.count("?") / n_sent,
        "exclaim_rate": text.count("!") / n_sent,
        "informal_rate": len(informal) / n_tok,
        "first_person_rate": sum(w in {"i", "me", "my", "mine"} for w in lower) / n_tok,
        "second_person_rate": sum(w in {"you", "your", "yours"} for w in lower) / n_tok,
        "transition_rate": n_trans / n_sent,
        "transition_kinds": float(len(transitions)),
        "flesch": 206.835 - 1.015 * asl - 84.6 * syl / n_tok,
        "fk_grade": 0.39 * asl + 11.8 * syl / n_tok - 15.59,
    }
    v.update(_coherence(analysis))
    for name, rx in _ERROR_RE.items():
        v[name] = len(rx.findall(text)) / n_tok
    facts = EssayFacts(v, sent_words, misspelled, informal, transitions, paragraphs)
    _prompt_features(analysis, prompt_text, facts, lower)
    return facts


def _coherence(analysis: TextAnalysis) -> dict[str, float]:
    emb = analysis.sentence_embeddings
    if len(emb) < 2:
        return {"coherence_adjacent": 0.0, "coherence_centroid": 1.0, "coherence_spread": 0.0}
    adjacent = (emb[1:] * emb[:-1]).sum(axis=1)
    to_doc = emb @ analysis.document_embedding
    return {
        "coherence_adjacent": float(adjacent.mean()),
        "coherence_centroid": float(to_doc.mean()),
        "coherence_spread": float(to_doc.std()),
    }


def _prompt_features(
    analysis: TextAnalysis, prompt_text: str | None, facts: EssayFacts, lower: list[str]
) -> None:
    v = facts.values
    if not prompt_text or not prompt_text.strip() or len(analysis.sentences) == 0:
        for name in PROMPT_FEATURES:
            v[name] = math.nan
        return
    values, sims, covered, missing = prompt_values(analysis, prompt_text, lower)
    v.update(values)
    facts.sentence_prompt_sims = sims
    facts.covered_points, facts.missing_points = covered, missing


def prompt_values(
    analysis: TextAnalysis, prompt_text: str, lower: list[str]
) -> tuple[dict[str, float], np.ndarray, list[str], list[str]]:
    """Essay-prompt features, per-sentence similarity to the prompt, covered/missing key points."""
    info = prompt_info(prompt_text)
    emb = analysis.sentence_embeddings
    sims = emb @ info.embedding  # each essay sentence vs the whole prompt
    cross = emb @ info.sentence_embeddings.T  # essay sentence x prompt sentence
    stems = {_stem(w) for w in lower}
    n_covered = sum(_stem(k) in stems for k in info.key_points)  # the trained feature
    covered = [k for k in info.key_terms if _stem(k) in stems]  # what evidence / feedback name
    missing = [k for k in info.key_terms if _stem(k) not in stems]
    values = {
        "prompt_doc_sim": float(analysis.document_embedding @ info.embedding),
        "prompt_max_sent_sim": float(sims.max()),
        "prompt_top3_sim": float(np.sort(sims)[-3:].mean()),
        "prompt_on_topic_frac": float((sims > 0.3).mean()),
        "prompt_keyword_cov": n_covered / max(len(info.key_points), 1),
        "prompt_sent_cov": float((cross.max(axis=0) > 0.4).mean()),
    }
    return values, sims, covered, missing


def lower_words(text: str) -> list[str]:
    return [w.lower() for _, _, w in _word_spans(text) if not w.startswith("@")]
