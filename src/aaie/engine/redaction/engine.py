"""PII redaction: Presidio (spaCy `en_core_web_sm` NER + our own recognizers), typed placeholders.

Flow for one call: analyse the text and every chat turn → resolve overlaps (highest score, then
longest) → propagate names/handles found once to every other occurrence (a header "Name: Mia
Delgado" also redacts a later "Mia") → give each distinct entity one placeholder (`[PERSON_1]`)
shared by the text and the chat log → rewrite, keeping offsets into the original text so
highlights computed on the redacted text can be mapped back (`OffsetMap`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from aaie.engine.tagging import spacy_model_path
from aaie.engine.types import ChatTurn, as_chat_log

# Types redacted by default. LOCATION (cities, states) and ORGANIZATION (schools, clubs) are
# quasi-identifiers: with a first name they often identify a pupil, so they go too.
DEFAULT_ENTITIES: tuple[str, ...] = (
    "PERSON", "EMAIL", "PHONE", "STUDENT_ID", "USERNAME", "URL", "ADDRESS", "LOCATION",
    "ORGANIZATION",
)  # fmt: skip

_PRESIDIO_TO_AAIE = {
    "EMAIL_ADDRESS": "EMAIL",
    "PHONE_NUMBER": "PHONE",
    "STREET_ADDRESS": "ADDRESS",
    "GPE": "LOCATION",
    "LOC": "LOCATION",
    "ORG": "ORGANIZATION",
}
_MIN_SCORE = 0.35
_UNUSED_PIPES = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter"]
# Place names that are general knowledge in essays, not a pupil's whereabouts.
_PUBLIC_PLACES = {
    "america", "united states", "the united states", "usa", "us", "u.s.", "canada", "mexico",
    "china", "japan", "india", "africa", "europe", "asia", "england", "britain", "france",
    "germany", "russia", "cuba", "earth", "iraq", "afghanistan", "vietnam", "korea", "italy",
    "spain", "australia", "brazil", "the world", "world", "internet", "the internet",
}  # fmt: skip
_NOT_PERSON = {"god", "internet", "facebook", "google", "myspace", "twitter", "youtube", "ipod"}


class RedactedEntity(BaseModel):
    """One redacted value: offsets into the ORIGINAL text (or chat turn) and its placeholder."""

    model_config = ConfigDict(frozen=True)

    type: str
    start: int = Field(ge=0)
    end: int = Field(ge=0)
    placeholder: str
    turn: int | None = None  # None: the submission text; else the chat-log turn index
    redacted_start: int = Field(ge=0)
    redacted_end: int = Field(ge=0)
    score: float


class Redaction(BaseModel):
    redacted_text: str
    chat_log: list[ChatTurn] = Field(default_factory=list)
    entities: list[RedactedEntity] = Field(default_factory=list)

    def offset_map(self, turn: int | None = None) -> OffsetMap:
        """Maps offsets in the redacted text (or chat turn) back to the original."""
        return OffsetMap([e for e in self.entities if e.turn == turn])

    @property
    def counts(self) -> dict[str, int]:
        """Entity count per type (a summary that carries no personal data)."""
        out: dict[str, int] = {}
        for e in self.entities:
            out[e.type] = out.get(e.type, 0) + 1
        return out


class OffsetMap:
    """Redacted-text offsets → original-text offsets (and back).

    Outside placeholders an offset shifts by the length change of the replacements before it;
    inside a placeholder it snaps to the start (for a span start) or end (for a span end) of the
    original value, so a highlight never cuts a redacted value in half.
    """

    def __init__(self, entities: Iterable[RedactedEntity]) -> None:
        self._ents = sorted(entities, key=lambda e: e.redacted_start)
        self._red_starts = [e.redacted_start for e in self._ents]
        self._orig_starts = sorted(e.start for e in self._ents)

    def to_original(self, pos: int, *, is_end: bool = False) -> int:
        i = bisect_right(self._red_starts, pos if not is_end else pos - 1) - 1
        if i < 0:
            return pos
        e = self._ents[i]
        if pos < e.redacted_end or (is_end and pos == e.redacted_end):
            return e.end if is_end else e.start
        return e.end + (pos - e.redacted_end)

    def span_to_original(self, start: int, end: int) -> tuple[int, int]:
        return self.to_original(start), self.to_original(end, is_end=True)

    def to_redacted(self, pos: int, *, is_end: bool = False) -> int:
        ents = sorted(self._ents, key=lambda e: e.start)
        shift = 0
        for e in ents:
            if pos < e.start or (not is_end and pos == e.start):
                break
            if pos < e.end:
                return e.redacted_end if is_end else e.redacted_start
            shift = e.redacted_end - e.end
        return pos + shift


@dataclass
class _Found:
    type: str
    start: int
    end: int
    score: float


def _offline_tldextract() -> None:
    """Point tldextract (used by Presidio's e-mail/URL validation) at its bundled snapshot."""
    import tldextract.tldextract as tld

    tld.TLD_EXTRACTOR = tld.TLDExtract(suffix_list_urls=(), cache_dir=None)


def _windowed_ner_engine_class() -> type:
    """A Presidio spaCy engine that runs NER only around capitalised words (built lazily so
    importing this module does not import Presidio)."""
    from presidio_analyzer.nlp_engine import NlpArtifacts, SpacyNlpEngine
    from spacy.util import filter_spans

    class WindowedNerEngine(SpacyNlpEngine):
        # PERSON / LOCATION / ORGANIZATION names are capitalised, and most of an essay is not:
        # tokenising everything but tagging only windows around candidate words (their NER
        # context is a few tokens wide) cuts the spaCy cost of a call by about half with the
        # same findings (bench/pii.py). Regex recognizers still see the whole text.
        def process_text(self, text: str, language: str) -> NlpArtifacts:
            assert self.nlp is not None, "loaded in get_analyzer()"
            nlp = self.nlp[language]
            doc = nlp.make_doc(text)
            windows = [doc[a:b] for a, b in ner_windows([t.text for t in doc])]
            subs = [w.as_doc() for w in windows]
            for _, pipe in nlp.pipeline:  # one batch: a forward pass per window costs more
                subs = list(pipe.pipe(subs, batch_size=256))
            spans = []
            for window, sub in zip(windows, subs, strict=True):
                offset = window.start_char
                for ent in sub.ents:
                    span = doc.char_span(
                        offset + ent.start_char, offset + ent.end_char, label=ent.label_
                    )
                    if span is not None:
                        spans.append(span)
            doc.ents = filter_spans(spans)
            return self._doc_to_nlp_artifact(doc, language)

    return WindowedNerEngine


_NER_CONTEXT = 6  # tokens of context on each side of a candidate word
_SENTENCE_END = {".", "!", "?", "\n", ":", ";", '"', "“", "”"}


def ner_windows(tokens: list[str], context: int = _NER_CONTEXT) -> list[tuple[int, int]]:
    """Merged token windows around words that could start or be part of a name: capitalised
    words other than "I" and other than a common word opening a sentence ("The", "However")."""
    from spacy.lang.en.stop_words import STOP_WORDS

    windows: list[tuple[int, int]] = []
    for i, tok in enumerate(tokens):
        if not tok[:1].isupper() or tok == "I":
            continue
        prev = tokens[i - 1].strip() if i else "\n"
        opens_sentence = prev == "" or prev[-1:] in _SENTENCE_END
        if opens_sentence and (tok.lower() in STOP_WORDS or tok.lower() in _COMMON_OPENERS):
            continue
        start, end = max(0, i - context), min(len(tokens), i + context + 1)
        if windows and start <= windows[-1][1]:
            windows[-1] = (windows[-1][0], end)
        else:
            windows.append((start, end))
    return windows


_COMMON_OPENERS = {
    "also", "although", "finally", "first", "firstly", "second", "secondly", "third", "lastly",
    "furthermore", "moreover", "overall", "additionally", "therefore", "thus", "however",
    "instead", "today", "now", "then", "yes", "no", "some", "many", "most", "people",
    "students", "because", "since", "while", "another", "one", "in", "as", "for", "to",
}  # fmt: skip


@lru_cache(maxsize=1)
def get_analyzer() -> Any:
    """The process-wide Presidio analyzer (spaCy model loaded once, from the installed package)."""
    _offline_tldextract()
    from presidio_analyzer import AnalyzerEngine, RecognizerRegistry
    from presidio_analyzer.nlp_engine import NerModelConfiguration
    from presidio_analyzer.predefined_recognizers import (
        EmailRecognizer,
        PhoneRecognizer,
        SpacyRecognizer,
    )

    from aaie.engine.redaction.recognizers import aaie_recognizers

    ner_config = NerModelConfiguration(labels_to_ignore=["CARDINAL", "ORDINAL", "QUANTITY"])
    nlp_engine = _windowed_ner_engine_class()(
        models=[{"lang_code": "en", "model_name": spacy_model_path()}],
        ner_model_configuration=ner_config,
    )
    # Only the tokenizer and NER are needed (NER has its own embedding layer in this model):
    # skipping the shared tok2vec, tagger, parser and lemmatizer halves the cost of a call, and
    # our recognizers use no lemma context.
    import spacy

    nlp_engine.nlp = {"en": spacy.load(spacy_model_path(), exclude=_UNUSED_PIPES)}
    registry = RecognizerRegistry(supported_languages=["en"])
    registry.add_recognizer(
        SpacyRecognizer(supported_entities=["PERSON", "LOCATION", "ORGANIZATION"])
    )
    # Presidio's URL recognizer takes "word.Th" (Thai TLD) for a URL in run-on sentences; ours
    # (recognizers.py) covers URLs instead.
    builtin: list[Any] = [EmailRecognizer(), PhoneRecognizer()]
    for recognizer in [*builtin, *aaie_recognizers()]:
        registry.add_recognizer(recognizer)
    return AnalyzerEngine(registry=registry, nlp_engine=nlp_engine, supported_languages=["en"])


def _analyze(text: str, wanted: set[str]) -> list[_Found]:
    if not text.strip():
        return []
    analyzer = get_analyzer()
    supported = set(analyzer.get_supported_entities("en"))
    asked = wanted | {k for k, v in _PRESIDIO_TO_AAIE.items() if v in wanted}
    presidio_types = sorted(asked & supported)
    raw = analyzer.analyze(
        text=text, language="en", entities=presidio_types, score_threshold=_MIN_SCORE
    )
    found: list[_Found] = []
    for r in raw:
        etype = _PRESIDIO_TO_AAIE.get(r.entity_type, r.entity_type)
        if etype not in wanted:
            continue
        start, end = _clean_span(text, r.start, r.end, etype)
        if end > start and _keep(text[start:end], etype):
            found.append(_Found(etype, start, end, float(r.score)))
    return found


def _clean_span(text: str, start: int, end: int, etype: str) -> tuple[int, int]:
    """NER spans can run over a line break or take a possessive: cut them back."""
    if etype in {"PERSON", "LOCATION", "ORGANIZATION"}:
        nl = text.find("\n", start, end)
        if nl >= 0:
            end = nl
        value = text[start:end]
        for suffix in ("'s", "’s"):
            if value.endswith(suffix):
                end -= len(suffix)
        while end > start and not text[end - 1].isalnum() and text[end - 1] != ".":
            end -= 1
        while start < end and not text[start].isalnum():
            start += 1
        # spaCy includes a leading article ("the Lincoln Middle School"): keep the name only
        article = re.match(r"(?:the|a|an)\s+", text[start:end], re.IGNORECASE)
        if article:
            start += article.end()
    return start, end


def _keep(value: str, etype: str) -> bool:
    low = value.lower().strip()
    if etype == "LOCATION":
        return low not in _PUBLIC_PLACES and value[:1].isupper()
    if etype == "PERSON":
        return low not in _NOT_PERSON and value[:1].isupper() and len(low) > 1
    if etype == "ORGANIZATION":
        return value[:1].isupper() and len(low) > 2
    return True


def _resolve(found: list[_Found]) -> list[_Found]:
    """Merge overlapping findings into one span (their union: a partial hit must not leak the
    rest of a value); the type comes from the strongest finding, then the longest."""
    merged: list[list[_Found]] = []
    for f in sorted(found, key=lambda f: (f.start, -f.end)):
        if merged and f.start < max(g.end for g in merged[-1]):
            merged[-1].append(f)
        else:
            merged.append([f])
    out: list[_Found] = []
    for group in merged:
        best = max(group, key=lambda f: (f.score, f.end - f.start))
        out.append(_Found(best.type, group[0].start, max(g.end for g in group), best.score))
    return out


_PROPAGATED = {"PERSON", "USERNAME", "ORGANIZATION", "LOCATION", "STUDENT_ID", "EMAIL"}


def _propagate(text: str, found: list[_Found], values: dict[str, set[str]]) -> list[_Found]:
    """Redact every other occurrence of a value found once (and of a person's name parts)."""
    extra: list[_Found] = []
    for etype, vals in values.items():
        for value in sorted(vals, key=len, reverse=True):
            pattern = re.compile(rf"(?<![\w@.]){re.escape(value)}(?![\w@])")
            for m in pattern.finditer(text):
                extra.append(_Found(etype, m.start(), m.end(), 0.3))
    # Lower score than direct hits, so a direct finding wins an overlap.
    return _resolve(found + extra)


def _name_parts(value: str) -> set[str]:
    parts = {p for p in re.split(r"[\s,]+", value) if len(p) >= 3 and p[:1].isupper()}
    return parts | {value}


class _Registry:
    """Typed, consistent placeholders across the text and all chat turns of one call."""

    def __init__(self) -> None:
        self._by_type: dict[str, list[tuple[frozenset[str], str]]] = {}

    def placeholder(self, etype: str, value: str) -> str:
        key = _identity(etype, value)
        known = self._by_type.setdefault(etype, [])
        for other, ph in known:
            if key == other or (etype == "PERSON" and (key <= other or other <= key)):
                return ph
        ph = f"[{etype}_{len(known) + 1}]"
        known.append((key, ph))
        return ph


def _identity(etype: str, value: str) -> frozenset[str]:
    v = value.casefold().strip()
    if etype == "PHONE":
        digits = re.sub(r"\D", "", v)
        return frozenset({digits[-10:]})
    if etype == "URL":
        v = re.sub(r"^(https?://)?(www\.)?", "", v).rstrip("/")
    if etype == "USERNAME":
        v = v.lstrip("@")
    if etype == "PERSON":
        return frozenset(p for p in re.split(r"[\s,]+", v) if p)
    return frozenset({re.sub(r"\s+", " ", v)})


def redact(
    text: str,
    chat_log: list[ChatTurn] | list[dict[str, str]] | None = None,
    *,
    entities: Iterable[str] = DEFAULT_ENTITIES,
) -> Redaction:
    """Replace PII in `text` and the chat log with typed, consistent placeholders.

    Entity offsets are into the original strings; `Redaction.offset_map()` maps offsets in the
    redacted text back to the original.
    """
    turns = as_chat_log(chat_log)
    wanted = set(entities)
    docs = [text, *(t.text for t in turns)]
    found = [_resolve(_analyze(doc, wanted)) for doc in docs]
    values: dict[str, set[str]] = {}
    for doc, spans in zip(docs, found, strict=True):
        for f in spans:
            if f.type in _PROPAGATED and f.score >= 0.5:
                value = doc[f.start : f.end]
                parts = _name_parts(value) if f.type == "PERSON" else {value}
                values.setdefault(f.type, set()).update(parts)
    found = [_propagate(doc, spans, values) for doc, spans in zip(docs, found, strict=True)]
    registry = _Registry()
    out_docs: list[str] = []
    out_entities: list[RedactedEntity] = []
    for index, (doc, spans) in enumerate(zip(docs, found, strict=True)):
        turn = None if index == 0 else index - 1
        new_doc, ents = _rewrite(doc, spans, registry, turn)
        out_docs.append(new_doc)
        out_entities.extend(ents)
    return Redaction(
        redacted_text=out_docs[0],
        chat_log=[ChatTurn(role=t.role, text=d) for t, d in zip(turns, out_docs[1:], strict=True)],
        entities=out_entities,
    )


def _rewrite(
    doc: str, spans: list[_Found], registry: _Registry, turn: int | None
) -> tuple[str, list[RedactedEntity]]:
    pieces: list[str] = []
    ents: list[RedactedEntity] = []
    cursor = 0
    length = 0
    for f in spans:
        pieces.append(doc[cursor : f.start])
        length += f.start - cursor
        ph = registry.placeholder(f.type, doc[f.start : f.end])
        pieces.append(ph)
        ents.append(
            RedactedEntity(
                type=f.type,
                start=f.start,
                end=f.end,
                placeholder=ph,
                turn=turn,
                redacted_start=length,
                redacted_end=length + len(ph),
                score=round(f.score, 3),
            )
        )
        length += len(ph)
        cursor = f.end
    pieces.append(doc[cursor:])
    return "".join(pieces), ents
