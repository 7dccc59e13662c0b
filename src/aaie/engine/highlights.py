"""Highlight spans for the teacher: one sorted, non-overlapping list of character spans.

Merges the detector's `ai` spans with `prompt_overlap` and `chat_overlap` spans from the
similarity stage. Where spans overlap, the more concrete evidence wins:
`chat_overlap` (text found in the student's own AI chat log) > `prompt_overlap` (text from the
assignment prompt) > `ai` (a statistical estimate). The losing span keeps only its uncovered
pieces. Offsets are into the original submission (map redacted offsets back with
`Redaction.offset_map()` before calling `merge_spans`).
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from aaie.engine import detection
from aaie.engine.analysis import TextAnalysis, ensure_analysis
from aaie.engine.similarity import prompt_similarity
from aaie.engine.types import ChatTurn

HighlightKind = Literal["ai", "prompt_overlap", "chat_overlap"]
PRECEDENCE: dict[str, int] = {"chat_overlap": 3, "prompt_overlap": 2, "ai": 1}


class HighlightSpan(BaseModel):
    model_config = ConfigDict(frozen=True)

    start: int = Field(ge=0)
    end: int = Field(ge=0)
    kind: HighlightKind
    score: float
    source: str  # "model" | "chat_log" (detector), "prompt", "chat:<turn>:<match kind>"


class Highlights(BaseModel):
    spans: list[HighlightSpan] = Field(default_factory=list)


def merge_spans(spans: list[HighlightSpan]) -> list[HighlightSpan]:
    """Sorted, non-overlapping spans; overlaps resolved by PRECEDENCE, then by score."""
    ordered = sorted(spans, key=lambda s: (-PRECEDENCE[s.kind], -s.score, s.start))
    placed: list[HighlightSpan] = []
    for span in ordered:
        for piece in _subtract(span, placed):
            placed.append(piece)
    merged = sorted(placed, key=lambda s: s.start)
    return _join_adjacent(merged)


def _subtract(span: HighlightSpan, placed: list[HighlightSpan]) -> list[HighlightSpan]:
    pieces = [(span.start, span.end)]
    for p in placed:
        nxt = []
        for a, b in pieces:
            if p.end <= a or p.start >= b:
                nxt.append((a, b))
                continue
            if a < p.start:
                nxt.append((a, p.start))
            if p.end < b:
                nxt.append((p.end, b))
        pieces = nxt
    return [span.model_copy(update={"start": a, "end": b}) for a, b in pieces if b > a]


def _join_adjacent(spans: list[HighlightSpan]) -> list[HighlightSpan]:
    """Touching spans of the same kind and source become one (max score)."""
    out: list[HighlightSpan] = []
    for s in spans:
        if out and out[-1].end == s.start and (out[-1].kind, out[-1].source) == (s.kind, s.source):
            last = out[-1]
            out[-1] = last.model_copy(update={"end": s.end, "score": max(last.score, s.score)})
        else:
            out.append(s)
    return out


def similarity_spans(similarity: Any) -> list[HighlightSpan]:
    """prompt_overlap / chat_overlap spans from a `Similarity` (AI turns only for chat)."""
    out = []
    for m in similarity.matches:
        if m.source == "prompt":
            kind: HighlightKind = "prompt_overlap"
            source = "prompt"
        elif m.role == "ai":
            kind, source = "chat_overlap", f"chat:{m.turn_index}:{m.kind}"
        else:
            continue  # the student's own chat turns are not highlighted
        out.append(HighlightSpan(start=m.start, end=m.end, kind=kind, score=m.score, source=source))
    return out


def detection_spans(spans: list[Any]) -> list[HighlightSpan]:
    """`ai` spans from the detector's `ai_spans` (objects or dicts with start/end/score/source)."""
    out = []
    for s in spans:
        d = s if isinstance(s, dict) else s.model_dump()
        if d["end"] > d["start"]:
            out.append(HighlightSpan(start=d["start"], end=d["end"], kind="ai",
                                     score=float(d.get("score", 1.0)),
                                     source=str(d.get("source", "model"))))  # fmt: skip
    return out


def highlight_spans(
    student_submission: str,
    prompt_text: str | None = None,
    chat_log: list[ChatTurn] | list[dict[str, str]] | None = None,
    *,
    analysis: TextAnalysis | None = None,
    similarity: Any = None,
    ai_spans: list[Any] | None = None,
) -> Highlights:
    """Merged highlight spans. Pass `similarity` / `ai_spans` when already computed (evaluate_all
    does); otherwise they are computed here with the shared `analysis`."""
    analysis = ensure_analysis(student_submission, analysis)
    if similarity is None:
        similarity = prompt_similarity(student_submission, prompt_text, chat_log, analysis=analysis)
    if ai_spans is None:
        ai_spans = detection.ai_spans(student_submission, prompt_text, chat_log, analysis=analysis)
    spans = similarity_spans(similarity) + detection_spans(ai_spans)
    return Highlights(spans=merge_spans(spans))
