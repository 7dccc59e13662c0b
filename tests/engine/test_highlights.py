"""Highlight spans: one sorted, non-overlapping list; chat > prompt > ai precedence."""

from __future__ import annotations

import itertools

from aaie.engine.highlights import HighlightSpan, highlight_spans, merge_spans


def span(start: int, end: int, kind: str, score: float = 0.9, source: str = "x") -> HighlightSpan:
    return HighlightSpan(start=start, end=end, kind=kind, score=score, source=source)  # type: ignore[arg-type]


def test_precedence_chat_over_prompt_over_ai() -> None:
    merged = merge_spans(
        [span(0, 100, "ai"), span(20, 60, "prompt_overlap"), span(40, 80, "chat_overlap")]
    )
    assert [(s.start, s.end, s.kind) for s in merged] == [
        (0, 20, "ai"),
        (20, 40, "prompt_overlap"),
        (40, 80, "chat_overlap"),
        (80, 100, "ai"),
    ]


def test_output_is_sorted_and_non_overlapping() -> None:
    merged = merge_spans([span(50, 70, "ai"), span(0, 10, "ai"), span(5, 55, "chat_overlap")])
    assert all(a.end <= b.start for a, b in itertools.pairwise(merged))
    assert merged == sorted(merged, key=lambda s: s.start)
    assert sum(s.end - s.start for s in merged) == 70


def test_adjacent_same_kind_spans_join() -> None:
    merged = merge_spans([span(0, 10, "ai", 0.5, "model"), span(10, 20, "ai", 0.8, "model")])
    assert len(merged) == 1 and merged[0].end == 20 and merged[0].score == 0.8


def test_highlights_from_similarity_with_given_ai_spans() -> None:
    ai = "Computers have transformed the way people communicate and learn every single day."
    essay = "I like my dog very much and walk him daily. " + ai
    h = highlight_spans(
        essay,
        None,
        [{"role": "ai", "text": ai}],
        ai_spans=[{"start": 0, "end": len(essay), "score": 0.7, "source": "model"}],
    )
    kinds = [(s.kind, essay[s.start : s.end]) for s in h.spans]
    assert kinds[0][0] == "ai" and kinds[-1] == ("chat_overlap", ai)


def test_redacted_offsets_map_back_to_the_original() -> None:
    from aaie.engine.redaction import redact

    text = "Name: Mia Delgado\nI think Mia Delgado writes well about computers and people."
    red = redact(text)
    target = "writes well about computers"
    r0 = red.redacted_text.index(target)
    start, end = red.offset_map().span_to_original(r0, r0 + len(target))
    assert text[start:end] == target
