"""Sentence segmentation with character offsets into the original text.

pysbd handles abbreviations, decimals and quotes; we only keep its boundaries and map each
sentence back onto the original string, so spans survive odd whitespace and curly quotes.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

from aaie.engine.types import Sentence

_WORD_RE = re.compile(r"[A-Za-z\u00C0-\u024F]+(?:['’][A-Za-z]+)?|\d+(?:[.,]\d+)*")


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="en", clean=False, char_span=False)


def split_sentences(text: str) -> list[Sentence]:
    """Split `text` into sentences; each carries `[start, end)` offsets into `text`.

    Paragraph breaks always end a sentence (headings and list items have no final stop).
    Leading/trailing whitespace is excluded from every span.
    """
    sentences: list[Sentence] = []
    for block_start, block in _paragraphs(text):
        cursor = 0
        for piece in _segmenter().segment(block):
            stripped = piece.strip()
            if not stripped:
                continue
            local = block.find(stripped, cursor)
            if local < 0:  # pysbd normalised something; fall back to a whitespace-tolerant search
                local = cursor
            start = block_start + local
            end = start + len(stripped)
            cursor = local + len(stripped)
            sentences.append(Sentence(index=len(sentences), start=start, end=end, text=stripped))
    return sentences


def _paragraphs(text: str) -> list[tuple[int, str]]:
    """Blocks separated by newlines, with their start offsets (blank blocks dropped)."""
    blocks: list[tuple[int, str]] = []
    for match in re.finditer(r"[^\n]+", text):
        if match.group().strip():
            blocks.append((match.start(), match.group()))
    return blocks


def words(text: str) -> list[str]:
    """Word tokens (letters, apostrophes inside words, numbers)."""
    return _WORD_RE.findall(text)


def word_count(text: str) -> int:
    return len(words(text))


# ASAP anonymisation placeholders -> plausible words, so "@CAPS1" cannot become a human cue.
_ASAP_FILL = {
    "PERSON": "Alex",
    "CAPS": "Smith",
    "NUM": "3",
    "LOCATION": "Boston",
    "ORGANIZATION": "the library",
    "DATE": "Monday",
    "TIME": "noon",
    "MONTH": "May",
    "PERCENT": "ten percent",
    "MONEY": "ten dollars",
    "CITY": "Boston",
    "STATE": "Ohio",
    "EMAIL": "my email",
    "DR": "Dr. Smith",
}
_PLACEHOLDER = re.compile(r"@([A-Z]+)\d*")


def clean_asap(text: str) -> str:
    """ASAP text as the models train on it: placeholders filled, U+FFFD as an apostrophe."""
    text = _PLACEHOLDER.sub(lambda m: _ASAP_FILL.get(m.group(1), "Smith"), text)
    return text.replace("\ufffd", "'")


# Below this many words there is not enough text to score an essay against a rubric (the
# detector needs more for its statistics: `detection.MIN_WORDS`).
MIN_SCORE_WORDS = 25


def not_enough_text(n_words: int, needed: int, what: str) -> str:
    """The one plain sentence every stage uses for a text too short to judge."""
    unit = "word" if n_words == 1 else "words"
    return f"Not enough text to {what}: {n_words} {unit} (at least {needed} are needed)."


# Feedback Prize 2021 (PERSUADE) anonymisation placeholders and encoding artefacts: human-only,
# so they would become "human" cues for the detector (data README, fp2021_human.jsonl.gz).
_PERSUADE_FILL = {
    "STUDENT": "Alex", "TEACHER": "Mr. Smith", "PROPER": "Jordan", "RELATIVE": "my aunt",
    "OTHER": "Sam", "SCHOOL": "Lincoln High", "LOCATION": "Boston", "CITY": "Boston",
    "STREET": "Main Street", "EMAIL": "my email", "PHONE": "my phone number",
    "HOTEL": "the hotel", "ADDRESS": "my address",
}  # fmt: skip
_PERSUADE_GENERIC = {"name": "Alex", "names": "Alex and Sam", "school": "Lincoln High",
                     "schools": "our schools", "city": "Boston", "namee": "Alex"}  # fmt: skip
_PERSUADE_PLACEHOLDER = re.compile(r"\b(?:Generic_([A-Za-z]+)|([A-Z]+)(?:_[A-Z]+)+)\b")
_C1_PUNCTUATION = {"\x91": "'", "\x92": "'", "\x93": '"', "\x94": '"', "\x96": "-",
                   "\x97": "-", "\x85": "..."}  # fmt: skip


def _persuade_fill(m: re.Match[str]) -> str:
    if m.group(1) is not None:
        return _PERSUADE_GENERIC.get(m.group(1).lower(), "Alex")
    if m.group(0) in ("MONTH_DAY_YEAR", "DAY_MONTH_YEAR"):
        return "May 3, 2019"
    return _PERSUADE_FILL.get(m.group(2), "Alex")


def clean_persuade(text: str) -> str:
    """PERSUADE text as the models train on it: placeholders filled, non-breaking spaces and
    Windows-1252 punctuation made plain, mojibake and other C1 controls dropped."""
    text = _PERSUADE_PLACEHOLDER.sub(_persuade_fill, text)
    text = text.replace("\u00a0", " ").replace("\u00c3", "")
    for bad, good in _C1_PUNCTUATION.items():
        text = text.replace(bad, good)
    return re.sub("[\x80-\x9f]", "", text)
