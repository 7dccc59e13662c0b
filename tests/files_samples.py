"""Real documents generated in memory for upload and report tests."""

from __future__ import annotations

import io

ESSAY = (
    "Renewable energy changes how cities plan their grids. Solar panels on schools cut "
    "costs, and wind farms supply power at night. Storage remains the hard part. "
)


def docx_bytes(paragraphs: list[str] | None = None) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in paragraphs or [ESSAY, "A second paragraph about batteries."]:
        document.add_paragraph(paragraph)
    table = document.add_table(rows=1, cols=2)
    table.rows[0].cells[0].text = "Table cell text"
    table.rows[0].cells[1].text = "second cell"
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


def pdf_bytes(lines: list[str] | None = None) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.pdfgen import canvas

    buffer = io.BytesIO()
    pdf = canvas.Canvas(buffer, pagesize=A4)
    y = 800
    for line in lines or [
        "Renewable energy changes how cities plan their grids.",
        "Storage remains the hard part.",
    ]:
        pdf.drawString(72, y, line)
        y -= 16
    pdf.save()
    return buffer.getvalue()


def png_bytes() -> bytes:
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4, 4), "red").save(buffer, format="PNG")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("essay.txt", ESSAY)
    return buffer.getvalue()


# A minimal Windows PE header: what `filetype` recognises as an executable.
EXE = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00\x00\x00\xff\xff\x00\x00" + b"\x00" * 512
ELF = b"\x7fELF\x02\x01\x01\x00" + b"\x00" * 512
