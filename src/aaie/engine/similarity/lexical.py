"""Verbatim / near-verbatim passage matching on normalised words.

Both texts are cut into words that keep their character offsets; each word is case-folded with
punctuation and apostrophes dropped, so case, punctuation and whitespace changes do not matter.
Word trigrams shared by the two texts seed diagonal runs; runs on (nearly) the same diagonal that
are separated by a few words on either side are chained, which absorbs typos, swapped or
inserted words. A chain of at least `MIN_WORDS` words is a match: `verbatim` when the normalised
words are identical, `near_verbatim` otherwise (score = matched words / passage words).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from difflib import SequenceMatcher

K = 3  # seed length in words
MIN_WORDS = 8  # shortest verbatim passage reported (shorter shared phrases are common English)
MIN_MATCHED_EDITED = 8  # words a near-verbatim passage must share exactly (chance overlaps)
MAX_GAP = 4  # words skipped on either side inside one near-verbatim passage
MIN_SCORE = 0.6  # matched-word share below which a chain is not "near verbatim" any more
EDGE_WORDS = 2  # unmatched edge words (e.g. a typo in the first word) absorbed at boundaries

_WORD = re.compile(r"\w+(?:['’]\w+)*")


@dataclass(frozen=True)
class Token:
    norm: str
    start: int
    end: int


@dataclass(frozen=True)
class Passage:
    """A matched passage: word ranges [i0, i1) in the submission and [j0, j1) in the source."""

    i0: int
    i1: int
    j0: int
    j1: int
    matched: int

    @property
    def score(self) -> float:
        return self.matched / max(self.i1 - self.i0, self.j1 - self.j0)


def tokenize(text: str) -> list[Token]:
    return [
        Token(m.group().casefold().replace("'", "").replace("’", ""), m.start(), m.end())
        for m in _WORD.finditer(text)
    ]


def _runs(sub: list[Token], src: list[Token]) -> list[tuple[int, int, int]]:
    """Maximal diagonal runs of shared K-grams: (i, j, length in words)."""
    index: dict[tuple[str, ...], list[int]] = {}
    for j in range(len(src) - K + 1):
        index.setdefault(tuple(t.norm for t in src[j : j + K]), []).append(j)
    seeds: set[tuple[int, int]] = set()
    for i in range(len(sub) - K + 1):
        for j in index.get(tuple(t.norm for t in sub[i : i + K]), ()):
            seeds.add((i, j))
    runs = []
    for i, j in seeds:
        if (i - 1, j - 1) in seeds:
            continue  # not the start of a run
        n = 1
        while (i + n, j + n) in seeds:
            n += 1
        runs.append((i, j, n + K - 1))
    return runs


def _select(runs: list[tuple[int, int, int]]) -> list[tuple[int, int, int]]:
    """Longest runs first, no two covering the same submission words (repeats in the source)."""
    taken: list[tuple[int, int]] = []
    chosen = []
    for i, j, n in sorted(runs, key=lambda r: (-r[2], r[0], r[1])):
        if any(i < b and a < i + n for a, b in taken):
            continue
        taken.append((i, i + n))
        chosen.append((i, j, n))
    return sorted(chosen)


def _chain(runs: list[tuple[int, int, int]]) -> list[Passage]:
    passages: list[Passage] = []
    for i, j, n in runs:
        if passages:
            p = passages[-1]
            gap_i, gap_j = i - p.i1, j - p.j1
            if 0 <= gap_i <= MAX_GAP and -1 <= gap_j <= MAX_GAP and abs(gap_i - gap_j) <= 2:
                start_j = max(j, p.j1)  # an overlap of one word on the source side is allowed
                passages[-1] = Passage(p.i0, i + n, p.j0, j + n, p.matched + (j + n - start_j))
                continue
        passages.append(Passage(i, i + n, j, j + n, n))
    return passages


def _alike(a: str, b: str) -> bool:
    """Same word, or a likely typo / inflection of it."""
    return a == b or (min(len(a), len(b)) >= 3 and SequenceMatcher(None, a, b).ratio() >= 0.7)


def _extend(p: Passage, sub: list[Token], src: list[Token]) -> Passage:
    """Absorb up to EDGE_WORDS look-alike words at each end (a typo in a passage's first or last
    words breaks the seed trigram there)."""
    i0, j0, i1, j1, matched = p.i0, p.j0, p.i1, p.j1, p.matched
    for _ in range(EDGE_WORDS):
        if i0 > 0 and j0 > 0 and _alike(sub[i0 - 1].norm, src[j0 - 1].norm):
            i0, j0 = i0 - 1, j0 - 1
            matched += sub[i0].norm == src[j0].norm
    for _ in range(EDGE_WORDS):
        if i1 < len(sub) and j1 < len(src) and _alike(sub[i1].norm, src[j1].norm):
            matched += sub[i1].norm == src[j1].norm
            i1, j1 = i1 + 1, j1 + 1
    return Passage(i0, i1, j0, j1, matched)


def find_passages(sub: list[Token], src: list[Token]) -> list[Passage]:
    """Verbatim / near-verbatim passages shared by the submission and one source text."""
    if len(sub) < K or len(src) < K:
        return []
    out = []
    for p in _chain(_select(_runs(sub, src))):
        if p.i1 - p.i0 < MIN_WORDS or p.score < MIN_SCORE:
            continue
        p = _extend(p, sub, src)
        if p.score < 1.0 and p.matched < MIN_MATCHED_EDITED:
            continue
        out.append(p)
    return out


def char_span(tokens: list[Token], text: str, w0: int, w1: int) -> tuple[int, int]:
    """Character span of words [w0, w1), taking a closing punctuation mark right after it."""
    start, end = tokens[w0].start, tokens[w1 - 1].end
    while end < len(text) and text[end] in ".!?;:,\"'”’)" and end - tokens[w1 - 1].end < 2:
        end += 1
    return start, end


def is_verbatim(p: Passage, sub: list[Token], src: list[Token]) -> bool:
    return p.i1 - p.i0 == p.j1 - p.j0 and all(
        sub[p.i0 + d].norm == src[p.j0 + d].norm for d in range(p.i1 - p.i0)
    )
