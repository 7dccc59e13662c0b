"""The submission report as a PDF (reportlab platypus).

Teacher copy: the essay with coloured highlight spans and a legend, classification with
confidence and the false-positive-rate note, AI score, similarity with the matched sources,
the rubric table with evidence, feedback and the version history. Student copy: the essay,
the rubric labels, feedback and the version history only: the sections are built from the
`ReportView`, which holds no teacher-only data for a student.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterable
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_RIGHT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.pdfbase import pdfmetrics
from reportlab.pdfbase.ttfonts import TTFont
from reportlab.pdfgen.canvas import Canvas
from reportlab.platypus import (
    CondPageBreak,
    KeepTogether,
    ListFlowable,
    ListItem,
    Paragraph,
    SimpleDocTemplate,
    Spacer,
    Table,
    TableStyle,
)
from reportlab.platypus.flowables import Flowable

from aaie import __version__
from aaie.engine.detector_words import population_words
from aaie.engine.explain import not_scored_words, score_against_threshold
from aaie.reports.view import Highlight, ReportView, read_report

PAGE_W, PAGE_H = A4
MARGIN = 18 * mm
CONTENT_W = PAGE_W - 2 * MARGIN - 12  # the frame pads 6 pt on each side

INK = colors.HexColor("#1F2933")
MUTED = colors.HexColor("#616E7C")
RULE = colors.HexColor("#CBD2D9")
PANEL = colors.HexColor("#F5F7FA")
ACCENT = colors.HexColor("#2F5D8A")

HIGHLIGHT_COLOURS = {
    "ai": "#F9C6C0",
    "prompt_overlap": "#C7DDF4",
    "chat_overlap": "#FFE08A",
}
HIGHLIGHT_NAMES = {
    "ai": "Likely AI-generated",
    "prompt_overlap": "Overlaps the prompt",
    "chat_overlap": "From the AI chat log",
}
LABEL_COLOURS = {"Human": "#2E7D32", "Hybrid": "#B26A00", "AI": "#C62828"}
RUBRIC_COLOURS = {"Excellent": "#2E7D32", "Good": "#4F7F2A", "Fair": "#B26A00", "Poor": "#C62828"}

_FONT_DIRS = [
    Path("/usr/share/fonts/truetype/dejavu"),
    Path("/usr/share/fonts/dejavu"),
    Path("/usr/share/fonts/TTF"),
]


# --- fonts and styles ------------------------------------------------------------------------


@lru_cache(maxsize=1)
def _font_family() -> tuple[str, str, str]:
    """(regular, bold, italic) font names. DejaVu covers most scripts students write in; the
    Vera fonts bundled with reportlab are the fallback, so rendering never depends on the OS."""
    candidates = [("DejaVuSans.ttf", "DejaVuSans-Bold.ttf", "DejaVuSans-Oblique.ttf")]
    for regular, bold, italic in candidates:
        for folder in _FONT_DIRS:
            paths = [folder / regular, folder / bold, folder / italic]
            if all(p.is_file() for p in paths):
                return _register("AAIESans", paths)
    import reportlab

    fonts = Path(reportlab.__file__).parent / "fonts"
    return _register("AAIESans", [fonts / "Vera.ttf", fonts / "VeraBd.ttf", fonts / "VeraIt.ttf"])


def _register(family: str, paths: list[Path]) -> tuple[str, str, str]:
    names = (family, f"{family}-Bold", f"{family}-Italic")
    for name, path in zip(names, paths, strict=True):
        pdfmetrics.registerFont(TTFont(name, str(path)))
    pdfmetrics.registerFontFamily(
        family, normal=names[0], bold=names[1], italic=names[2], boldItalic=names[1]
    )
    return names


@lru_cache(maxsize=1)
def _styles() -> dict[str, ParagraphStyle]:
    regular, bold, italic = _font_family()
    base = ParagraphStyle("base", fontName=regular, fontSize=9.5, leading=13.5, textColor=INK)
    return {
        "base": base,
        "title": ParagraphStyle(
            "title", base, fontName=bold, fontSize=17, leading=21, spaceAfter=2
        ),
        "subtitle": ParagraphStyle("subtitle", base, textColor=MUTED, fontSize=9.5, spaceAfter=8),
        "h2": ParagraphStyle(
            "h2",
            base,
            fontName=bold,
            fontSize=12,
            leading=15,
            textColor=ACCENT,
            spaceBefore=12,
            spaceAfter=5,
        ),
        "essay": ParagraphStyle("essay", base, fontSize=10, leading=15.5, spaceAfter=7),
        "small": ParagraphStyle("small", base, fontSize=8, leading=10.5, textColor=MUTED),
        "cell": ParagraphStyle("cell", base, fontSize=8.5, leading=11),
        "cell_bold": ParagraphStyle("cell_bold", base, fontName=bold, fontSize=8.5, leading=11),
        "card_label": ParagraphStyle("card_label", base, fontSize=7.5, leading=9, textColor=MUTED),
        "card_value": ParagraphStyle("card_value", base, fontName=bold, fontSize=15, leading=18),
        "card_note": ParagraphStyle("card_note", base, fontSize=7.5, leading=9.5, textColor=MUTED),
        "note": ParagraphStyle(
            "note", base, fontName=italic, fontSize=8.5, leading=11.5, textColor=MUTED
        ),
        "right": ParagraphStyle("right", base, alignment=TA_RIGHT),
    }


def _p(text: str, style: str = "base") -> Paragraph:
    """A paragraph from *plain* text (escaped here; never pass user text as markup)."""
    return Paragraph(escape(text), _styles()[style])


def _markup(markup: str, style: str = "base") -> Paragraph:
    return Paragraph(markup, _styles()[style])


# --- public entry point ----------------------------------------------------------------------


def render_pdf(report: dict[str, Any]) -> bytes:
    """The report PDF for an already role-filtered submission package."""
    view = read_report(report)
    buffer = io.BytesIO()
    doc = SimpleDocTemplate(
        buffer,
        pagesize=A4,
        leftMargin=MARGIN,
        rightMargin=MARGIN,
        topMargin=MARGIN + 6 * mm,
        bottomMargin=MARGIN + 2 * mm,
        title=f"AAIE report: {view.title}",
        author="AAIE",
        subject=f"Submission {view.submission_id} {view.version}",
        creator=f"AAIE {__version__}",
    )
    generated = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    doc.build(list(_story(view)), canvasmaker=_canvas_factory(view, generated))
    return buffer.getvalue()


def _story(view: ReportView) -> Iterable[Flowable]:
    yield from _heading(view)
    if view.is_teacher:
        yield from _summary(view)
    yield from _essay(view)
    if view.is_teacher:
        yield from _matches(view)
    yield from _rubric(view)
    yield from _feedback(view)
    yield from _versions(view)


# --- sections --------------------------------------------------------------------------------


def _heading(view: ReportView) -> Iterable[Flowable]:
    yield _p(view.title, "title")
    copy = (
        "Teacher copy: contains integrity findings; do not share with the student."
        if view.is_teacher
        else "Student copy: your feedback and rubric."
    )
    yield _p(copy, "subtitle")
    rows = [
        ("Student", view.student),
        ("Prompt", view.prompt_id),
        ("Version", _version_text(view)),
        ("Submitted", _when(view.created_at)),
        ("Last updated", _when(view.updated_at) if view.updated_at != view.created_at else None),
        ("Original file", view.filename),
        ("Words", str(len(view.text.split())) if view.text else None),
        ("Review status", _status_text(view) if view.is_teacher else None),
    ]
    yield _key_values([(k, v) for k, v in rows if v])
    if view.prompt_text:
        yield Spacer(1, 6)
        yield _panel([_markup("<b>Assignment prompt</b>", "small"), _p(view.prompt_text, "cell")])
    if view.error:
        yield Spacer(1, 6)
        yield _panel(
            [_markup("<b>Evaluation failed</b>", "cell"), _p(view.error, "cell")],
            background="#FDECEA",
        )


def _version_text(view: ReportView) -> str:
    total = len(view.versions)
    return f"{view.version} (of {total})" if total > 1 else view.version


def _status_text(view: ReportView) -> str | None:
    if not view.status:
        return None
    label = view.status.replace("_", " ")
    return f"{label}: {view.status_note}" if view.status_note else label


def _key_values(rows: list[tuple[str, str]]) -> Table:
    # Two key/value pairs per line keeps the header compact.
    cells: list[list[Any]] = []
    pairs = [(_p(k, "card_label"), _p(v, "cell")) for k, v in rows]
    for i in range(0, len(pairs), 2):
        left = pairs[i]
        right = pairs[i + 1] if i + 1 < len(pairs) else ("", "")
        cells.append([left[0], left[1], right[0], right[1]])
    table = Table(
        cells, colWidths=[24 * mm, CONTENT_W / 2 - 24 * mm, 24 * mm, CONTENT_W / 2 - 24 * mm]
    )
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LEFTPADDING", (0, 0), (-1, -1), 0),
                ("TOPPADDING", (0, 0), (-1, -1), 1.5),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 1.5),
                ("LINEBELOW", (0, -1), (-1, -1), 0.5, RULE),
            ]
        )
    )
    return table


def _panel(content: list[Flowable], background: str = "#F5F7FA") -> Table:
    table = Table([[content]], colWidths=[CONTENT_W])
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), colors.HexColor(background)),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 8),
                ("TOPPADDING", (0, 0), (-1, -1), 6),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 7),
            ]
        )
    )
    return table


def _summary(view: ReportView) -> Iterable[Flowable]:
    cards = [
        c
        for c in (
            _classification_card(view),
            _ai_score_card(view),
            _similarity_card(view),
            _rubric_card(view),
        )
        if c
    ]
    if not cards:
        return
    yield _p("Summary", "h2")
    width = CONTENT_W / len(cards)
    table = Table([cards], colWidths=[width] * len(cards))
    table.setStyle(
        TableStyle(
            [
                ("BACKGROUND", (0, 0), (-1, -1), PANEL),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("LINEAFTER", (0, 0), (-2, -1), 0.75, colors.white),
                ("LEFTPADDING", (0, 0), (-1, -1), 8),
                ("RIGHTPADDING", (0, 0), (-1, -1), 6),
                ("TOPPADDING", (0, 0), (-1, -1), 7),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 8),
            ]
        )
    )
    yield table
    not_judged = (view.classification or {}).get("not_judged")
    notes = [] if not_judged else list(_fpr_notes(view))
    if not_judged:
        notes.append(str(not_judged))
    both = None if not_judged else _score_and_share(view)
    if both:
        notes.insert(0, both)
    cls = view.classification or {}
    reasons = [str(r) for r in cls.get("reasons") or []]
    if not_judged and cls.get("label") in (None, "Human"):
        reasons = []  # the statistics' reasons (score, style) judge nothing here
    if reasons:
        yield Spacer(1, 6)
        yield _markup("<b>Why this label</b>", "cell")
        yield _bullets(reasons, "cell")
    for note in notes:
        yield Spacer(1, 4)
        yield _p(note, "note")


def _card(label: str, value: str, notes: list[str], colour: str | None = None) -> list[Flowable]:
    value_markup = escape(value)
    if colour:
        value_markup = f'<font color="{colour}">{value_markup}</font>'
    return [
        _p(label.upper(), "card_label"),
        _markup(value_markup, "card_value"),
        *[_p(n, "card_note") for n in notes if n],
    ]


def _classification_card(view: ReportView) -> list[Flowable] | None:
    cls = view.classification
    if not cls or not cls.get("label"):
        return None
    label = str(cls["label"])
    if cls.get("unsupported_language") and label == "Human":  # a default, not a finding
        return _card("Classification", "Not judged", ["not English: see below"], None)
    if cls.get("insufficient_text"):  # a default label, not a finding: say so plainly
        return _card(
            "Classification",
            "Not enough text",
            [f"too short to tell (shown as {label} by default)"],
            None,
        )
    notes = []
    if isinstance(cls.get("confidence"), int | float):
        notes.append(f"confidence {_pct(cls['confidence'])}")
    if isinstance(cls.get("ai_fraction"), int | float):
        notes.append(f"{_pct(cls['ai_fraction'])} of sentences AI-like")
    return _card("Classification", label, notes, LABEL_COLOURS.get(label))


def _ai_score_card(view: ReportView) -> list[Flowable] | None:
    score = (view.ai_score or {}).get("ai_score")
    if not isinstance(score, int | float) or (view.classification or {}).get("not_judged"):
        return None  # a text the detector did not judge: no score shown as if it were one
    threshold = (view.ai_score or {}).get("threshold")
    if not isinstance(threshold, int | float):
        return _card("AI score", f"{score:.1f} / 100", [""], None)
    shown_score, shown_threshold = score_against_threshold(score, threshold)
    above = score >= threshold
    notes = [f"flag threshold {shown_threshold}"]
    return _card("AI score", f"{shown_score} / 100", notes, "#C62828" if above else None)


def _similarity_card(view: ReportView) -> list[Flowable] | None:
    sim = view.similarity
    if not sim or not isinstance(sim.get("similarity_pct"), int | float):
        return None
    notes = [f"prompt {sim.get('prompt_pct', 0):.0f}% · chat log {sim.get('chat_pct', 0):.0f}%"]
    if sim.get("flag"):
        notes.append(f"flagged (≥ {sim.get('threshold', 40):g}%)")
    return _card(
        "Similarity", f"{sim['similarity_pct']:.0f}%", notes, "#C62828" if sim.get("flag") else None
    )


def _rubric_card(view: ReportView) -> list[Flowable] | None:
    overall = view.rubric_overall or {}
    label = overall.get("label")
    if not label:
        if any(r.evidence and r.evidence[0].startswith("Not enough text") for r in view.rubric):
            return _card("Rubric overall", "Not enough text", ["too short to score"], None)
        return None
    score = overall.get("score")
    notes = [f"overall score {score:.2f}" if isinstance(score, int | float) else ""]
    return _card("Rubric overall", str(label), notes, RUBRIC_COLOURS.get(str(label)))


def _score_and_share(view: ReportView) -> str | None:
    """The document score and the sentence share in words, wherever both are shown."""
    from aaie.engine.explain import score_and_share

    cls, score = view.classification or {}, view.ai_score or {}
    if cls.get("insufficient_text"):
        return None
    value, fraction = score.get("ai_score"), cls.get("ai_fraction")
    threshold = score.get("threshold")
    return score_and_share(
        float(value) if isinstance(value, int | float) else None,
        float(threshold) if isinstance(threshold, int | float) else None,
        float(fraction) if isinstance(fraction, int | float) else None,
    )


def _fpr_notes(view: ReportView) -> Iterable[str]:
    """The false-positive-rate note: what the threshold means on the human texts it was
    measured on (the population the text is written most like)."""
    cls = view.classification or {}
    words = cls.get("fpr_population_words") or population_words(cls.get("fpr_population"))
    for source, name in ((view.ai_score, "AI score"), (view.classification, "classifier")):
        if not source:
            continue
        fpr, threshold = source.get("fpr_at_threshold"), source.get("threshold")
        if isinstance(fpr, int | float):
            at = (
                f" at its threshold ({threshold:g})"
                if isinstance(threshold, int | float)
                else " at its threshold"
            )
            held_out = source.get("fpr_held_out")
            elsewhere = (
                f" From sources AAIE was not trained on, {_pct(held_out, 1)} of them were "
                "labelled AI or Hybrid."
                if isinstance(held_out, int | float)
                else ""
            )
            yield (
                f"False-positive rate: the {name}{at} labelled {_pct(fpr, 1)} of the {words} "
                f"we tested as AI.{elsewhere} A flag is a reason to talk with the student, not "
                "proof of misconduct."
            )
            return  # one note; both scores share one calibration


def _essay(view: ReportView) -> Iterable[Flowable]:
    yield CondPageBreak(40 * mm)
    yield _p("Essay" if view.version == "" else f"Essay ({view.version})", "h2")
    if view.is_teacher and view.highlights:
        yield _legend({h.kind for h in view.highlights})
        yield Spacer(1, 6)
    if not view.text.strip():
        yield _p("(no text)", "note")
        return
    for start, end in _paragraph_ranges(view.text):
        yield _markup(_highlighted(view.text, start, end, view.highlights), "essay")


def _legend(kinds: set[str]) -> Table:
    cells: list[Any] = []
    for kind in ("ai", "prompt_overlap", "chat_overlap"):
        if kind in kinds:
            swatch = f'<font backColor="{HIGHLIGHT_COLOURS[kind]}">\u00a0\u00a0\u00a0\u00a0</font>'
            cells.append(_markup(f"{swatch}\u00a0 {escape(HIGHLIGHT_NAMES[kind])}", "small"))
    table = Table([cells], colWidths=[45 * mm] * len(cells), hAlign="LEFT")
    table.setStyle(
        TableStyle([("LEFTPADDING", (0, 0), (-1, -1), 0), ("TOPPADDING", (0, 0), (-1, -1), 0)])
    )
    return table


def _paragraph_ranges(text: str) -> list[tuple[int, int]]:
    """(start, end) of each paragraph (separated by blank lines) in the original offsets."""
    ranges, cursor = [], 0
    for gap in re.finditer(r"\n[ \t]*\n\s*", text):
        if text[cursor : gap.start()].strip():
            ranges.append((cursor, gap.start()))
        cursor = gap.end()
    if text[cursor:].strip():
        ranges.append((cursor, len(text)))
    return ranges


def _highlighted(text: str, start: int, end: int, spans: list[Highlight]) -> str:
    """Paragraph markup for text[start:end] with each span's background colour."""
    out, cursor = [], start
    for span in spans:
        s, e = max(span.start, start), min(span.end, end)
        if e <= s:
            continue
        out.append(_plain(text[cursor:s]))
        colour = HIGHLIGHT_COLOURS[span.kind]
        out.append(f'<font backColor="{colour}">{_plain(text[s:e])}</font>')
        cursor = e
    out.append(_plain(text[cursor:end]))
    return "".join(out)


def _plain(text: str) -> str:
    return escape(text).replace("\n", "<br/>")


def _matches(view: ReportView) -> Iterable[Flowable]:
    matches = [m for m in (view.similarity or {}).get("matches") or [] if isinstance(m, dict)]
    if not matches:
        return
    shown = sorted(matches, key=lambda m: (m.get("start", 0), -(m.get("score") or 0)))[:25]
    rows: list[list[Any]] = [
        [_p(h, "cell_bold") for h in ("Passage in the essay", "Source", "Match", "Score")]
    ]
    for match in shown:
        excerpt = _excerpt(view.text, int(match.get("start", 0)), int(match.get("end", 0)))
        score = match.get("score")
        rows.append(
            [
                _p(f"“{excerpt}”", "cell"),
                _p(_source_name(match), "cell"),
                _p(str(match.get("kind", "")).replace("_", "-"), "cell"),
                _p(_pct(score) if isinstance(score, int | float) else "", "cell"),
            ]
        )
    yield CondPageBreak(30 * mm)
    yield _p("Matched sources", "h2")
    yield _table(rows, [CONTENT_W - 78 * mm, 38 * mm, 24 * mm, 16 * mm])
    if len(matches) > len(shown):
        yield _p(f"{len(matches) - len(shown)} more matches are in evaluation.json.", "small")


def _source_name(match: dict[str, Any]) -> str:
    if match.get("source") == "prompt":
        return "Assignment prompt"
    turn = match.get("turn_index")
    who = {"ai": "AI", "user": "student"}.get(str(match.get("role")), "")
    where = f"turn {int(turn) + 1}" if isinstance(turn, int) else ""
    return " ".join(p for p in ("Chat log", where, f"({who})" if who else "") if p)


def _excerpt(text: str, start: int, end: int, limit: int = 180) -> str:
    passage = " ".join(text[max(0, start) : max(start, end)].split())
    return passage if len(passage) <= limit else passage[:limit].rsplit(" ", 1)[0] + " …"


def _rubric(view: ReportView) -> Iterable[Flowable]:
    if not view.rubric:
        return
    with_scores = any(r.score is not None for r in view.rubric)
    with_evidence = any(r.evidence or (r.label is None and r.reason) for r in view.rubric)
    # A student's copy carries no evidence, only why a criterion has no level.
    why = "Evidence" if any(r.evidence for r in view.rubric) else "Why"
    header = (
        ["Criterion", "Level"]
        + (["Score"] if with_scores else [])
        + ([why] if with_evidence else [])
    )
    rows: list[list[Any]] = [[_p(h, "cell_bold") for h in header]]
    for row in view.rubric:
        colour = RUBRIC_COLOURS.get(row.label or "", "#1F2933")
        cells: list[Any] = [
            _p(_split_camel(row.name), "cell_bold"),
            _markup(
                f'<font color="{colour}"><b>{escape(row.label or "not scored")}</b></font>', "cell"
            ),
        ]
        if with_scores:
            cells.append(_p(f"{row.score:.2f}" if row.score is not None else "", "cell"))
        if with_evidence:
            evidence = list(row.evidence)
            if row.label is None and row.reason:  # the reason once, in the same words
                evidence = [e for e in evidence if row.reason not in e]
                evidence.insert(0, not_scored_words(row.reason))
            cells.append(_bullets(evidence, "cell") if evidence else _p("", "cell"))
        rows.append(cells)
    if with_evidence:
        widths = [36 * mm, 18 * mm] + ([14 * mm] if with_scores else [])
        widths.append(CONTENT_W - sum(widths))
    else:
        widths = [60 * mm, 30 * mm] + ([20 * mm] if with_scores else [])
    yield CondPageBreak(30 * mm)
    yield _p("Rubric", "h2")
    yield _table(rows, widths)
    for note in (view.rubric_overall or {}).get("notes") or []:
        yield Spacer(1, 4)
        yield _p(str(note), "note")


def _split_camel(name: str) -> str:
    return re.sub(r"(?<=[a-z])(?=[A-Z])", " ", name)


def _feedback(view: ReportView) -> Iterable[Flowable]:
    if not view.feedback:
        return
    flowables: list[Flowable] = [_p("Feedback", "h2")]
    for block in re.split(r"\n\s*\n", view.feedback.strip()):
        flowables.extend(_feedback_block(block))
    yield CondPageBreak(30 * mm)
    yield from flowables


def _feedback_block(block: str) -> Iterable[Flowable]:
    """A feedback block: a heading line ("Next steps:") and bullet or numbered items."""
    lines = [line.strip() for line in block.splitlines() if line.strip()]
    items: list[str] = []
    numbered = False
    for line in lines:
        bullet = re.match(r"^(?:[-*•]\s+|(\d+)[.)]\s+)(.*)$", line)
        if bullet:
            numbered = numbered or bool(bullet.group(1))
            items.append(bullet.group(2))
        elif items:
            items[-1] += " " + line
        elif line.endswith(":") and len(line) < 60:
            yield Spacer(1, 3)
            yield _markup(f"<b>{escape(line)}</b>", "base")
        else:
            yield _p(line, "essay")
    if items:
        yield _bullets(items, "base", numbered=numbered)


def _versions(view: ReportView) -> Iterable[Flowable]:
    if not view.versions:
        return
    with_label = view.is_teacher and any(v.label for v in view.versions)
    header = ["Version", "Submitted", "Evaluation", "Words"] + (["Label"] if with_label else [])
    rows: list[list[Any]] = [[_p(h, "cell_bold") for h in header]]
    for v in view.versions:
        row = [
            _p(v.version, "cell"),
            _p(_when(v.created_at) or "", "cell"),
            _p((v.status or "").replace("_", " "), "cell"),
            _p(str(v.words) if v.words is not None else "", "cell"),
        ]
        if with_label:
            row.append(_p(v.label or "", "cell"))
        rows.append(row)
    widths = [20 * mm, 55 * mm, 30 * mm, 20 * mm] + ([30 * mm] if with_label else [])
    widths = [w * CONTENT_W / sum(widths) for w in widths]  # fill the line
    yield KeepTogether([_p("Version history", "h2"), _table(rows, widths)])


# --- helpers ---------------------------------------------------------------------------------


def _table(rows: list[list[Any]], widths: list[float]) -> Table:
    table = Table(rows, colWidths=widths, repeatRows=1, hAlign="LEFT")
    table.setStyle(
        TableStyle(
            [
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
                ("BACKGROUND", (0, 0), (-1, 0), PANEL),
                ("LINEBELOW", (0, 0), (-1, 0), 0.75, RULE),
                ("LINEBELOW", (0, 1), (-1, -1), 0.25, RULE),
                ("LEFTPADDING", (0, 0), (-1, -1), 4),
                ("RIGHTPADDING", (0, 0), (-1, -1), 4),
                ("TOPPADDING", (0, 0), (-1, -1), 3),
                ("BOTTOMPADDING", (0, 0), (-1, -1), 4),
            ]
        )
    )
    return table


def _bullets(items: list[str], style: str, *, numbered: bool = False) -> ListFlowable:
    return ListFlowable(
        [ListItem(_p(item, style), leftIndent=12) for item in items],
        bulletType="1" if numbered else "bullet",
        start="1" if numbered else "•",
        bulletFormat="%s." if numbered else None,
        leftIndent=12,
        bulletFontSize=7 if not numbered else 8.5,
        bulletFontName=_font_family()[0],
        spaceBefore=1,
    )


def _pct(value: float, digits: int = 0) -> str:
    return f"{value * 100:.{digits}f}%" if value <= 1 else f"{value:.{digits}f}%"


def _when(value: str | None) -> str | None:
    if not value:
        return None
    try:
        moment = datetime.fromisoformat(value.replace("Z", "+00:00"))
    except ValueError:
        return value
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC).strftime("%d %b %Y, %H:%M UTC")


def _canvas_factory(view: ReportView, generated: str) -> type[Canvas]:
    """A canvas that knows the page count, for "page X of Y" and the running header."""
    regular, bold, _ = _font_family()
    left = f"AAIE report · {view.title}"
    right = "TEACHER COPY · CONFIDENTIAL" if view.is_teacher else "STUDENT COPY"
    footer = f"Submission {view.submission_id} · {view.version} · generated {generated}"

    class NumberedCanvas(Canvas):
        def __init__(self, *args: Any, **kwargs: Any) -> None:
            super().__init__(*args, **kwargs)
            self._pages: list[dict[str, Any]] = []

        def showPage(self) -> None:  # reportlab's method name
            self._pages.append(dict(self.__dict__))
            self._startPage()

        def save(self) -> None:
            total = len(self._pages)
            for state in self._pages:
                self.__dict__.update(state)
                self._decorate(total)
                super().showPage()
            super().save()

        def _decorate(self, total: int) -> None:
            x0, x1 = MARGIN + 6, PAGE_W - MARGIN - 6  # aligned with the frame's content
            self.saveState()
            self.setStrokeColor(RULE)
            self.setLineWidth(0.5)
            top = PAGE_H - MARGIN + 2 * mm
            self.setFont(regular, 7.5)
            self.setFillColor(MUTED)
            self.drawString(x0, top, left[:90])
            self.setFont(bold, 7.5)
            self.setFillColor(colors.HexColor("#C62828") if view.is_teacher else ACCENT)
            self.drawRightString(x1, top, right)
            self.line(x0, top - 2.5 * mm, x1, top - 2.5 * mm)
            self.setFont(regular, 7)
            self.setFillColor(MUTED)
            self.line(x0, MARGIN - 1 * mm, x1, MARGIN - 1 * mm)
            self.drawString(x0, MARGIN - 5 * mm, footer)
            self.drawRightString(x1, MARGIN - 5 * mm, f"Page {self._pageNumber} of {total}")
            self.restoreState()

    return NumberedCanvas
