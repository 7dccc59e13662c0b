"""Prompt and chat-log similarity: how much of a submission comes from the prompt or the AI.

1. Lexical: verbatim / near-verbatim passages against the prompt and every chat turn
   (`lexical.py`).
2. Paraphrase: each submission sentence that is not already mostly covered is compared (MiniLM
   cosine, the shared `TextAnalysis.sentence_embeddings`) with every source sentence; at or above
   `PARAPHRASE_THRESHOLD` (calibrated in bench/similarity.py) the sentence is a paraphrase match.
   Source sentences are embedded once per call, and only those sharing a content word with a
   candidate sentence (a paraphrase keeps its key nouns; this skips most chit-chat turns).
3. Attribution per character: prompt first (the teacher's own text), then a `user` turn older
   than the `ai` turn it also matches (the AI echoing the student), then `ai` turns.
4. Scores: `similarity_pct` = share of the submission's non-space characters covered by prompt
   or AI-turn matches; `prompt_pct`, `chat_pct` (AI turns), `user_chat_pct` (never flagged).
   The flag uses `flag_pct`, in which restating the prompt is discounted: the first restatement
   of each part of the prompt is free up to `PROMPT_ALLOWANCE` of the submission (an
   introduction that restates the question is normal); repeats and anything beyond count in full.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from aaie.engine.analysis import TextAnalysis, ensure_analysis
from aaie.engine.similarity import lexical
from aaie.engine.types import ChatTurn, as_chat_log

PARAPHRASE_THRESHOLD = 0.85  # MiniLM cosine; calibrated on bench/similarity.py (see model card)
PARAPHRASE_MIN_WORDS = 6  # shorter sentences are too generic to call a paraphrase
SENTENCE_STRETCH = 0.5  # a match covering this share of a sentence is stretched over all of it
STRETCH_MIN_SCORE = 0.8  # ... when it is a close copy (loose chains are not stretched)
COVERED_SKIP = 0.5  # sentences already this much covered lexically are not re-checked
MIN_STEM_OVERLAP = 0.34  # share of content stems a source sentence must share to be embedded
PER_CANDIDATE = 2  # best-overlapping source sentences kept per candidate sentence
MAX_SOURCE_SENTENCES = 12  # bound on source sentences embedded per call (latency)
# Strongly paraphrased AI answers (clauses reordered, most words swapped: what QuillBot's
# stronger modes or a "make it sound human" rewrite do) keep each sentence's meaning but rarely
# reach PARAPHRASE_THRESHOLD one sentence at a time, and share few words. They are found as
# passages: consecutive submission sentences that each align, one to one, with a different
# sentence of the same AI turn, strongly on average (calibrated on
# bench/similarity_paraphrase.py's dev split; human essays on the AI answer's own prompt stay
# clear, see the model card). Sentences already matched (verbatim, near-verbatim or a single
# paraphrase) connect a passage and count in its mean, but a passage must stand on evidence of
# its own: at least PASSAGE_MIN_SENTENCES newly aligned sentences, each *specific* to its AI
# sentence (PASSAGE_MARGIN above its next-best AI sentence of the turn). A paraphrase follows
# one sentence of the answer; a human sentence on the answer's topic is about as close to
# several of them (median margin 0.19 against 0.02 on the dev split).
PASSAGE_LOW = 0.65  # a sentence joins a passage when its best cosine with the turn reaches this
PASSAGE_MEAN = 0.76  # mean one-to-one cosine a passage must reach
PASSAGE_MIN_SENTENCES = 3  # fewer newly aligned (specific) sentences are not a passage
PASSAGE_MARGIN = 0.03  # a new pair's cosine minus the sentence's best with another AI sentence
# A long passage needs a lower mean: a chance alignment of many sentences that are each specific
# to a different AI sentence is far rarer than of three (on bench/similarity_paraphrase.py's dev
# split no human essay, of 1,598, had more than 4 in a run; missed pastes often had 6-16 at means
# 0.73-0.76). Beyond PASSAGE_LONG new pairs the mean needed falls by PASSAGE_MEAN_STEP a pair,
# to PASSAGE_MEAN_FLOOR. An accepted passage is strong evidence, so a sentence next to it (or in
# its gaps) joins at EXTEND_LOW when it follows one of the turn's still unused AI sentences
# (PASSAGE_MARGIN above its next best).
PASSAGE_LONG = 5
PASSAGE_MEAN_STEP = 0.01
PASSAGE_MEAN_FLOOR = 0.72
EXTEND_LOW = 0.55
MAX_AI_SENTENCES = 200  # AI-turn sentences considered per call
# Embedding AI-turn sentences is most of the matcher's time (a 1,000-word chat log costs as much
# as the submission's own MiniLM pass), so only those that could align are embedded: for each
# candidate sentence, the PASSAGE_PER_CANDIDATE sentences of each AI turn that share the most
# content stems with it, at least PASSAGE_MIN_SHARED (aligned pairs almost always do: 98 % of
# the passage rule's pairs on bench/similarity_paraphrase.py's dev split share >= 2 stems).
PASSAGE_PER_CANDIDATE = 2
PASSAGE_MIN_SHARED = 2
PROMPT_ALLOWANCE = 0.25  # share of the submission a first restatement of the prompt may take
DEFAULT_FLAG_THRESHOLD = 40.0

MatchKind = Literal["verbatim", "near_verbatim", "paraphrase"]
_STOP = frozenset(
    [
        "a",
        "an",
        "the",
        "and",
        "or",
        "but",
        "if",
        "of",
        "to",
        "in",
        "on",
        "at",
        "by",
        "for",
        "with",
        "from",
        "as",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "being",
        "it",
        "its",
        "this",
        "that",
        "these",
        "those",
        "i",
        "you",
        "he",
        "she",
        "we",
        "they",
        "me",
        "him",
        "her",
        "us",
        "them",
        "my",
        "your",
        "his",
        "our",
        "their",
        "not",
        "no",
        "so",
        "do",
        "does",
        "did",
        "have",
        "has",
        "had",
        "can",
        "could",
        "will",
        "would",
        "should",
        "may",
        "might",
        "must",
        "shall",
        "than",
        "then",
        "there",
        "here",
        "what",
        "which",
        "who",
        "whom",
        "when",
        "where",
        "why",
        "how",
        "all",
        "any",
        "each",
        "more",
        "most",
        "some",
        "such",
        "very",
        "just",
        "also",
        "into",
        "about",
        "over",
        "out",
        "up",
        "down",
        "only",
        "own",
        "same",
        "too",
    ]
)


class SimilarityMatch(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    source: Literal["prompt", "chat"]
    turn_index: int | None = None
    role: Literal["user", "ai"] | None = None
    source_start: int = Field(ge=0)
    source_end: int = Field(ge=0)
    kind: MatchKind
    score: float


class Similarity(BaseModel):
    similarity_pct: float  # prompt + AI-turn overlap, share of the submission (0-100)
    prompt_pct: float
    chat_pct: float  # AI turns only
    user_chat_pct: float  # the student's own turns: reported, never flagged
    flag_pct: float  # what the flag compares: prompt restatement discounted (see module doc)
    flag: bool
    threshold: float
    matches: list[SimilarityMatch] = Field(default_factory=list)


@dataclass(frozen=True)
class _Source:
    kind: Literal["prompt", "chat"]
    turn: int | None
    role: Literal["user", "ai"] | None
    text: str


def _sources(prompt_text: str | None, turns: list[ChatTurn]) -> list[_Source]:
    out = []
    if prompt_text and prompt_text.strip():
        out.append(_Source("prompt", None, None, prompt_text))
    for i, t in enumerate(turns):
        if t.text.strip():
            out.append(_Source("chat", i, t.role, t.text))
    return out


def _lexical_matches(
    text: str, sub: list[lexical.Token], sources: list[_Source]
) -> list[SimilarityMatch]:
    out = []
    for s in sources:
        src = lexical.tokenize(s.text)
        for p in lexical.find_passages(sub, src):
            start, end = lexical.char_span(sub, text, p.i0, p.i1)
            s_start, s_end = lexical.char_span(src, s.text, p.j0, p.j1)
            kind: MatchKind = "verbatim" if lexical.is_verbatim(p, sub, src) else "near_verbatim"
            out.append(
                SimilarityMatch(
                    start=start,
                    end=end,
                    source=s.kind,
                    turn_index=s.turn,
                    role=s.role,
                    source_start=s_start,
                    source_end=s_end,
                    kind=kind,
                    score=round(p.score, 4),
                )
            )
    return out


def _to_sentence_bounds(
    matches: list[SimilarityMatch], analysis: TextAnalysis
) -> list[SimilarityMatch]:
    """Stretch a lexical match over a sentence it mostly covers: an edit at a sentence's edge
    ("Furthermore, X..." for "X...") breaks the word chain there, but the sentence was copied."""
    if not matches:
        return matches
    out = []
    for m in matches:
        start, end = m.start, m.end
        if m.score < STRETCH_MIN_SCORE:
            out.append(m)
            continue
        for sent in analysis.sentences:
            if sent.end <= m.start or sent.start >= m.end:
                continue
            inside = min(sent.end, m.end) - max(sent.start, m.start)
            if inside >= SENTENCE_STRETCH * (sent.end - sent.start):
                start, end = min(start, sent.start), max(end, sent.end)
        out.append(m if (start, end) == (m.start, m.end) else m.model_copy(
            update={"start": start, "end": end}))  # fmt: skip
    return out


def _content_words(text: str) -> set[str]:
    """Crude stems (first 5 letters) of the content words: cheap topical overlap."""
    return {
        w[:5] for w in re.findall(r"[a-z0-9]+", text.casefold()) if w not in _STOP and len(w) > 2
    }


_SOURCE_SPLIT = re.compile(r"[^.!?\n]+(?:[.!?]+[\"'”’)]*|$)")


def _source_sentences(text: str) -> list[tuple[int, int, str]]:
    """Fast regex sentence split for source texts (pysbd is too slow for long chat logs)."""
    out = []
    for m in _SOURCE_SPLIT.finditer(text):
        raw = m.group()
        stripped = raw.strip()
        if stripped:
            start = m.start() + raw.index(stripped)
            out.append((start, start + len(stripped), stripped))
    return out


def _embed_sources(sentences: list[str]) -> dict[str, np.ndarray]:
    """Embed source sentences in one MiniLM pass, reusing ones seen before (a prompt recurs for
    every submission): text -> L2-normalised vector."""
    from aaie.engine.embeddings import get_embedder

    unique = list(dict.fromkeys(sentences))
    return dict(zip(unique, get_embedder().embed_cached(unique), strict=True))


def _long_sentences(analysis: TextAnalysis) -> list[int]:
    """Submission sentences long enough to call a paraphrase."""
    return [
        k
        for k, s in enumerate(analysis.sentences)
        if len(lexical.tokenize(s.text)) >= PARAPHRASE_MIN_WORDS
    ]


def _candidates(analysis: TextAnalysis, long: list[int], covered: np.ndarray) -> list[int]:
    """The long sentences (`_long_sentences`) not already mostly covered."""
    sents = analysis.sentences
    return [k for k in long if covered[sents[k].start : sents[k].end].mean() < COVERED_SKIP]


def _paraphrase_matches(
    analysis: TextAnalysis,
    candidates: list[int],
    src_sents: list[tuple[_Source, int, int, str]],
    vectors: dict[str, np.ndarray],
    threshold: float,
) -> list[SimilarityMatch]:
    """Single sentences at or above the paraphrase threshold with one source sentence."""
    if not candidates or not src_sents:
        return []
    sents = analysis.sentences
    src_emb = np.stack([vectors[text] for *_, text in src_sents])
    sims = analysis.sentence_embeddings[candidates] @ src_emb.T
    out = []
    for row, k in enumerate(candidates):
        best = int(np.argmax(sims[row]))
        score = float(sims[row, best])
        if score < threshold:
            continue
        s, start, end, _ = src_sents[best]
        out.append(
            SimilarityMatch(
                start=sents[k].start,
                end=sents[k].end,
                source=s.kind,
                turn_index=s.turn,
                role=s.role,
                source_start=start,
                source_end=end,
                kind="paraphrase",
                score=round(score, 4),
            )
        )
    return out


def _candidate_sources(
    sources: list[_Source], cand_words: list[set[str]]
) -> list[tuple[_Source, int, int, str]]:
    """Source sentences worth embedding: for each candidate, its PER_CANDIDATE best source
    sentences by shared content stems (a paraphrase keeps some key words), at least
    MIN_STEM_OVERLAP; at most MAX_SOURCE_SENTENCES in all, best first."""
    pool = []
    for s in sources:
        for start, end, text in _source_sentences(s.text):
            words = _content_words(text)
            if len(words) >= 2:
                pool.append((s, start, end, text, words))
    if not pool or not cand_words:
        return []
    _, share = _stem_overlap(cand_words, [w for *_, w in pool])
    chosen: dict[int, float] = {}
    for row in share:
        for idx in np.argsort(-row, kind="stable")[:PER_CANDIDATE]:
            if row[idx] >= MIN_STEM_OVERLAP:
                chosen[int(idx)] = max(chosen.get(int(idx), 0.0), float(row[idx]))
    best = sorted(chosen, key=lambda i: -chosen[i])[:MAX_SOURCE_SENTENCES]
    return [pool[i][:4] for i in sorted(best)]


def _stem_overlap(rows: list[set[str]], cols: list[set[str]]) -> tuple[np.ndarray, np.ndarray]:
    """Shared content stems of every (row, column) pair: the count, and its share of the smaller
    set, from one matrix product of binary stem-indicator matrices."""
    vocab: dict[str, int] = {}
    for words in (*rows, *cols):
        for w in words:
            vocab.setdefault(w, len(vocab))

    def indicators(sets: list[set[str]]) -> np.ndarray:
        m = np.zeros((len(sets), max(len(vocab), 1)))
        for i, words in enumerate(sets):
            m[i, [vocab[w] for w in words]] = 1.0
        return m

    shared = indicators(rows) @ indicators(cols).T
    sizes = np.minimum.outer(
        np.array([len(w) for w in rows], dtype=np.float64),
        np.array([len(w) for w in cols], dtype=np.float64),
    )
    return shared, shared / np.maximum(sizes, 1.0)


_Pool = list[tuple[_Source, int, int, str]]


def _ai_pool(sources: list[_Source]) -> _Pool:
    """The AI turns' sentences (of 4 words or more) that the passage rule may align with."""
    return [
        (src, a, b, t)
        for src in sources
        if src.kind == "chat" and src.role == "ai"
        for a, b, t in _source_sentences(src.text)
        if len(t.split()) >= 4
    ][:MAX_AI_SENTENCES]


def _passage_pool(cand_words: list[set[str]], pool: _Pool) -> np.ndarray:
    """Indices of the pool's AI sentences worth embedding for the passage rule (see
    PASSAGE_PER_CANDIDATE), per AI turn so that one turn cannot crowd out another."""
    if len(cand_words) < PASSAGE_MIN_SENTENCES or len(pool) < PASSAGE_MIN_SENTENCES:
        return np.zeros(0, dtype=np.int64)
    shared, share = _stem_overlap(cand_words, [_content_words(t) for *_, t in pool])
    share = np.where(shared >= PASSAGE_MIN_SHARED, share, -1.0)
    turns = np.array([src.turn for src, *_ in pool])
    keep = np.zeros(len(pool), dtype=bool)
    for turn in np.unique(turns):
        cols = np.flatnonzero(turns == turn)
        sub = share[:, cols]
        top = np.argsort(-sub, axis=1, kind="stable")[:, :PASSAGE_PER_CANDIDATE]
        ok = np.take_along_axis(sub, top, axis=1) >= 0
        keep[cols[top[ok]]] = True
    return np.flatnonzero(keep)


def _passage_matches(
    analysis: TextAnalysis,
    candidates: list[int],
    pool: _Pool,
    kept: np.ndarray,
    vectors: dict[str, np.ndarray],
    covered: np.ndarray,
) -> list[SimilarityMatch]:
    """Paraphrased passages of AI turns: runs of consecutive submission sentences aligned one
    to one with sentences of one AI turn (order free: a reordered paste is still a paste).
    `candidates` are all sentences long enough to align; those already mostly `covered` by
    other matches connect a run and count in its mean but are not reported again, and the
    passage needs PASSAGE_MIN_SENTENCES new pairs that pass PASSAGE_MARGIN."""
    sents = analysis.sentences
    cand = candidates
    if len(cand) < PASSAGE_MIN_SENTENCES or len(kept) < PASSAGE_MIN_SENTENCES:
        return []
    old = np.array([covered[sents[k].start : sents[k].end].mean() >= COVERED_SKIP for k in cand])
    # Sentences not embedded stay at 0, below PASSAGE_LOW: they cannot join a passage.
    sims = np.zeros((len(cand), len(pool)), dtype=np.float32)
    kept_emb = np.stack([vectors[pool[j][3]] for j in kept])
    sims[:, kept] = analysis.sentence_embeddings[cand] @ kept_emb.T
    out: list[SimilarityMatch] = []
    taken: set[int] = set()
    for turn in dict.fromkeys(src.turn for src, *_ in pool):
        cols = [j for j, (src, *_) in enumerate(pool) if src.turn == turn]
        best = sims[:, cols].max(axis=1)
        hits = [cand[r] for r in range(len(cand)) if best[r] >= PASSAGE_LOW or old[r]]
        for run in _runs(hits):
            rows = [cand.index(k) for k in run if k not in taken]
            turn_sims = sims[np.ix_(rows, cols)]
            pairs = _align(turn_sims)
            new = [
                (r, j, c)
                for r, j, c in pairs
                if not old[rows[r]] and c - _next_best(turn_sims[r], j) >= PASSAGE_MARGIN
            ]
            counted = new + [(r, j, c) for r, j, c in pairs if old[rows[r]]]
            if len(new) < PASSAGE_MIN_SENTENCES:
                continue
            if float(np.mean([c for _, _, c in counted])) < _mean_needed(len(new)):
                continue
            found = [(rows[r], cols[j], c) for r, j, c in new]
            found += _neighbours(cand, sims, cols, rows, pairs, taken | set(run), old)
            for r, j, c in found:
                k = cand[r]
                src, a, b, _ = pool[j]
                taken.add(k)
                out.append(
                    SimilarityMatch(
                        start=sents[k].start, end=sents[k].end, source="chat",
                        turn_index=src.turn, role="ai", source_start=a, source_end=b,
                        kind="paraphrase", score=round(c, 4),
                    )
                )  # fmt: skip
    return out


def _mean_needed(n_new: int) -> float:
    """The mean cosine a passage with n_new new specific pairs must reach."""
    fall = PASSAGE_MEAN_STEP * max(0, n_new - PASSAGE_LONG)
    return max(PASSAGE_MEAN_FLOOR, PASSAGE_MEAN - fall)


def _neighbours(
    cand: list[int],
    sims: np.ndarray,
    cols: list[int],
    rows: list[int],
    pairs: list[tuple[int, int, float]],
    busy: set[int],
    old: np.ndarray,
) -> list[tuple[int, int, float]]:
    """Sentences next to an accepted passage (or in its gaps) that follow one of the turn's
    still unused AI sentences: at least EXTEND_LOW and PASSAGE_MARGIN above their next-best AI
    sentence, strongest first, the passage growing one sentence at a time. Returns (row of
    `cand`, pool column, cosine)."""
    aligned = {j for _, j, _ in pairs}
    free = [cols[j] for j in range(len(cols)) if j not in aligned]
    span = {cand[r] for r in rows}
    out: list[tuple[int, int, float]] = []
    while free:
        lo, hi = min(span) - 1, max(span) + 1
        near = [r for r, k in enumerate(cand)
                if lo <= k <= hi and k not in span and k not in busy and not old[r]]  # fmt: skip
        best: tuple[int, int, float] | None = None
        for r in near:
            sub = sims[r, free]
            j = int(np.argmax(sub))
            c = float(sub[j])
            margin = c - _next_best(sims[r, cols], cols.index(free[j]))
            if c >= EXTEND_LOW and margin >= PASSAGE_MARGIN and (best is None or c > best[2]):
                best = (r, free[j], c)
        if best is None:
            break
        out.append(best)
        span.add(cand[best[0]])
        free.remove(best[1])
    return out


def _next_best(row: np.ndarray, j: int) -> float:
    """A sentence's best cosine with any AI sentence of the turn but column j (0 if none)."""
    others = np.delete(row, j)
    return float(others.max()) if others.size else 0.0


def _runs(hits: list[int], gap: int = 1) -> list[list[int]]:
    """Sentence indices grouped into runs (at most `gap` other sentences between two hits)."""
    runs: list[list[int]] = []
    for k in hits:
        if runs and k - runs[-1][-1] <= gap + 1:
            runs[-1].append(k)
        else:
            runs.append([k])
    return runs


def _align(sim: np.ndarray) -> list[tuple[int, int, float]]:
    """Greedy one-to-one alignment (row, column, cosine), strongest pairs first, each pair at
    least PASSAGE_LOW: a source sentence explains one submission sentence only."""
    order = np.dstack(np.unravel_index(np.argsort(-sim, axis=None), sim.shape))[0]
    rows: set[int] = set()
    cols: set[int] = set()
    out = []
    for r, c in order:
        if sim[r, c] < PASSAGE_LOW:
            break
        if r in rows or c in cols:
            continue
        rows.add(int(r))
        cols.add(int(c))
        out.append((int(r), int(c), float(sim[r, c])))
    return out


def _mask(n: int, matches: list[SimilarityMatch]) -> np.ndarray:
    m = np.zeros(n, dtype=bool)
    for x in matches:
        m[x.start : x.end] = True
    return m


def _turn_mask(n: int, matches: list[SimilarityMatch], role: str) -> np.ndarray:
    """Per character: the earliest turn index of this role that covers it (large = none)."""
    m = np.full(n, 1 << 30, dtype=np.int64)
    for x in matches:
        if x.role == role and x.turn_index is not None:
            m[x.start : x.end] = np.minimum(m[x.start : x.end], x.turn_index)
    return m


def _prompt_counted(
    matches: list[SimilarityMatch], n_chars: int, prompt_len: int
) -> tuple[np.ndarray, np.ndarray]:
    """Characters of first restatements of a prompt part, and of repeats of one."""
    first = np.zeros(n_chars, dtype=bool)
    repeat = np.zeros(n_chars, dtype=bool)
    seen = np.zeros(max(prompt_len, 1), dtype=bool)
    for x in sorted((m for m in matches if m.source == "prompt"), key=lambda m: m.start):
        already = seen[x.source_start : x.source_end].mean() > 0.5
        (repeat if already else first)[x.start : x.end] = True
        seen[x.source_start : x.source_end] = True
    return first, repeat


def prompt_similarity(
    student_submission: str,
    prompt_text: str | None = None,
    chat_log: list[ChatTurn] | list[dict[str, str]] | None = None,
    *,
    flag_threshold: float = DEFAULT_FLAG_THRESHOLD,
    paraphrase_threshold: float = PARAPHRASE_THRESHOLD,
    analysis: TextAnalysis | None = None,
) -> Similarity:
    """Overlap of a submission with its prompt and the AI turns of the student's chat log."""
    text = student_submission
    analysis = ensure_analysis(text, analysis)
    # Matching is memoised in the shared analysis (detection calls this too); scoring is cheap
    # and depends on the flag threshold, so it is redone per call.
    memo_key = ("similarity", prompt_text, _chat_key(chat_log), paraphrase_threshold)
    cached = analysis.memo.get("similarity")
    if cached is not None and cached[0] == memo_key:
        matches = cached[1]
    else:
        matches = _match(text, prompt_text, chat_log, paraphrase_threshold, analysis)
        analysis.memo["similarity"] = (memo_key, matches)
    return _score(text, matches, len(prompt_text or ""), flag_threshold)


def _chat_key(
    chat_log: list[ChatTurn] | list[dict[str, str]] | None,
) -> tuple[tuple[str, str], ...]:
    return tuple((t.role, t.text) for t in as_chat_log(chat_log))


def _match(
    text: str,
    prompt_text: str | None,
    chat_log: list[ChatTurn] | list[dict[str, str]] | None,
    paraphrase_threshold: float,
    analysis: TextAnalysis,
) -> list[SimilarityMatch]:
    sources = _sources(prompt_text, as_chat_log(chat_log))
    sub = lexical.tokenize(text)
    matches = _to_sentence_bounds(_lexical_matches(text, sub, sources), analysis)
    if sources:
        # Both meaning rules share one MiniLM pass over the source sentences they need (the
        # chat side is most of the matcher's cost), planned from content-stem overlap.
        # The passage rule sees every long sentence: matched ones connect and count (see above);
        # the single-sentence rule only those not yet mostly covered.
        long = _long_sentences(analysis)
        words = {k: _content_words(analysis.sentences[k].text) for k in long}
        cand = _candidates(analysis, long, _mask(len(text), matches))
        src_sents = _candidate_sources(sources, [words[k] for k in cand])
        pool = _ai_pool(sources)
        kept = _passage_pool(list(words.values()), pool)
        vectors = _embed_sources([t for *_, t in src_sents] + [pool[j][3] for j in kept])
        matches += _paraphrase_matches(analysis, cand, src_sents, vectors, paraphrase_threshold)
        covered = _mask(len(text), matches)
        matches += _passage_matches(analysis, long, pool, kept, vectors, covered)
    matches.sort(key=lambda m: (m.start, m.end, m.source, m.turn_index or -1))
    return matches


def _score(
    text: str, matches: list[SimilarityMatch], prompt_len: int, flag_threshold: float
) -> Similarity:
    n = len(text)
    nonspace = np.array([not c.isspace() for c in text], dtype=bool)
    total = max(int(nonspace.sum()), 1)
    prompt = _mask(n, [m for m in matches if m.source == "prompt"])
    user_turn = _turn_mask(n, matches, "user")
    ai_turn = _turn_mask(n, matches, "ai")
    has_ai = ai_turn < (1 << 30)
    has_user = user_turn < (1 << 30)
    # The student wrote it first (a user turn older than the AI turn): it is the student's text.
    user_first = has_user & (user_turn < ai_turn)
    ai = has_ai & ~prompt & ~user_first
    user = has_user & ~prompt & ~ai
    first, repeat = _prompt_counted(matches, n, prompt_len)
    allowance = int(PROMPT_ALLOWANCE * total)
    first_only = first & ~repeat & ~ai & nonspace
    free = min(int(first_only.sum()), allowance)
    counted = int(((prompt & ~ai) & nonspace).sum()) - free

    def pct(mask: np.ndarray) -> float:
        return round(100.0 * float((mask & nonspace).sum()) / total, 2)

    flag_pct = round(100.0 * (float((ai & nonspace).sum()) + counted) / total, 2)
    return Similarity(
        similarity_pct=pct(prompt | ai),
        prompt_pct=pct(prompt),
        chat_pct=pct(ai),
        user_chat_pct=pct(user),
        flag_pct=flag_pct,
        flag=flag_pct >= flag_threshold,
        threshold=flag_threshold,
        matches=_drop_echoes(matches, prompt, user_first),
    )


def _drop_echoes(
    matches: list[SimilarityMatch], prompt: np.ndarray, user_first: np.ndarray
) -> list[SimilarityMatch]:
    """AI-turn matches that are mostly the prompt or the student's own earlier words are not
    evidence of AI text (detection reads AI-turn matches as such): report them as nothing."""
    out = []
    for m in matches:
        if m.role == "ai":
            own = (prompt[m.start : m.end] | user_first[m.start : m.end]).mean()
            if own > 0.5:
                continue
        out.append(m)
    return out
