"""Text from uploaded files as the student wrote it (#20): PDF paragraphs, damaged .docx."""

from __future__ import annotations

import io

import pytest

from aaie.errors import ValidationFailed
from aaie.services.file_content import extract_text, sniff
from tests.files_samples import docx_bytes

PARAGRAPHS = [
    "Community gardens give neighbours a place to grow food together, and in my town the "
    "garden behind the library has become a meeting point for families who never spoke "
    "before. Children learn where vegetables come from and older people share what they know.",
    "Critics say gardens use water and land that could serve other purposes. That is a fair "
    "point, but the water a garden uses is small compared with a lawn of the same size, and "
    "land is cheap where it is empty. A council can also collect rain from nearby roofs.",
    "Gardens also make a town healthier. People who garden walk, bend and lift, and they eat "
    "more of the fresh food they grow. Doctors in our area even send patients to the garden "
    "on Saturday mornings, which shows how seriously they take it.",
]


def essay_pdf(paragraphs: list[str], *, indent: bool, space: bool) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle, getSampleStyleSheet
    from reportlab.platypus import Paragraph, SimpleDocTemplate

    buffer = io.BytesIO()
    style = ParagraphStyle(
        "essay",
        parent=getSampleStyleSheet()["BodyText"],
        firstLineIndent=24 if indent else 0,
        spaceAfter=10 if space else 0,
    )
    SimpleDocTemplate(buffer, pagesize=A4).build([Paragraph(p, style) for p in paragraphs])
    return buffer.getvalue()


@pytest.mark.parametrize("indent,space", [(False, True), (True, False)])
def test_pdf_paragraphs_are_rebuilt_from_the_layout(indent: bool, space: bool) -> None:
    """Every wrapped line used to become a paragraph (24 "paragraphs" for six)."""
    data = essay_pdf(PARAGRAPHS * 2, indent=indent, space=space)
    text = extract_text(data, sniff(data, "essay.pdf"))
    assert text.split("\n\n") == PARAGRAPHS * 2


def test_truncated_docx_is_called_damaged() -> None:
    """It was refused as "looks like application/vnd…document, which is not accepted"."""
    data = docx_bytes()
    for cut in (len(data) // 2, len(data) - 30):
        with pytest.raises(ValidationFailed, match="damaged"):
            sniff(data[:cut], "essay.docx")
