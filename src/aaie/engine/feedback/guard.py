"""Keep teacher-only results out of student feedback, and keep feedback grounded in the essay."""

from __future__ import annotations

import re
from collections.abc import Sequence

from aaie.engine.analysis import TextAnalysis
from aaie.engine.text import words
from aaie.engine.types import Sentence

# Words that would reveal teacher-only results (classification, AI score, similarity, highlights).
_BANNED_CI = re.compile(
    r"\b(artificial intelligence|chat ?gpt|gpt-?\d*|language model|llms?|chatbot|detect\w*|"
    r"classif\w*|similarity|similar to the prompt|highlight\w*|plagiari\w*|machine[- ]generated|"
    r"generated|ai[- ]?score|ai[- ]written|ai[- ]generated|copied|overlap\w*|flagged)\b",
    re.I,
)
_BANNED_CS = re.compile(r"\b(AI|A\.I\.)\b")
# A quotation of 20+ characters inside straight or curly double quotes.
_QUOTED = re.compile('["“]([^"”]{20,})["”]')


def leaks(text: str) -> list[str]:
    """Banned terms found in our own (non-quoted) feedback text."""
    return [m.group() for rx in (_BANNED_CI, _BANNED_CS) for m in rx.finditer(text)]


def mentions_banned(text: str) -> bool:
    return bool(leaks(text))


def snap_quote(quote: str, analysis: TextAnalysis) -> tuple[int, int] | None:
    """Offsets of `quote` in the essay: exact match, else the sentence it best matches.

    LLMs see redacted text and paraphrase a little; we snap to the student's real sentence so
    every quote shown is the student's own words (None when nothing matches well enough).
    """
    text = analysis.text
    q = quote.strip().strip('"“”').strip()
    if len(q) >= 8:
        pos = text.find(q)
        if pos >= 0:
            return pos, pos + len(q)
    q_words = {w.lower() for w in words(re.sub(r"\[[A-Z_]+\d*\]|<[A-Z_]+>", " ", q))}
    if len(q_words) < 3:
        return None
    best, best_score = None, 0.0
    for s in analysis.sentences:
        s_words = {w.lower() for w in words(s.text)}
        if not s_words:
            continue
        score = len(q_words & s_words) / len(q_words)
        if score > best_score:
            best, best_score = s, score
    if best is None or best_score < 0.6:
        return None
    return best.start, best.end


def own_sentences(analysis: TextAnalysis, copied: Sequence[tuple[int, int]]) -> list[Sentence]:
    """The sentences the student wrote: not mostly (half or more of their characters) inside
    the ranges matched to the prompt or an AI chat turn."""

    def inside(s: Sentence) -> int:
        return sum(max(0, min(end, s.end) - max(start, s.start)) for start, end in copied)

    return [s for s in analysis.sentences if inside(s) * 2 < max(1, s.end - s.start)]


def without_borrowed_praise(
    strengths: list[str], analysis: TextAnalysis, copied: Sequence[tuple[int, int]]
) -> list[str]:
    """The strengths that neither quote a copied sentence nor name a word (7+ letters) that
    occurs only in copied sentences: praise must be for what the student wrote."""
    if not copied:
        return strengths
    own = own_sentences(analysis, copied)
    own_starts = {s.start for s in own}
    borrowed = [s for s in analysis.sentences if s.start not in own_starts]
    own_words = {w.lower() for s in own for w in words(s.text)}
    borrowed_only = {w.lower() for s in borrowed for w in words(s.text) if len(w) >= 7} - own_words

    def praises_borrowed(strength: str) -> bool:
        if {w.lower() for w in words(strength)} & borrowed_only:
            return True
        quoted = _QUOTED.findall(strength)
        return any(q.strip(" .…") in s.text for q in quoted for s in borrowed)

    return [s for s in strengths if not praises_borrowed(s)]
