"""What an uploaded file really is, and the text inside it.

The type comes from the bytes (magic numbers via `filetype`, then plain-text heuristics), never
from the client's Content-Type; the name's extension may only confirm it. Accepted: plain text,
Markdown, Word .docx and PDF. Everything else (executables, archives, images, legacy .doc, RTF,
macro-enabled Word files, ...) is refused with 415 and a message that says what to send instead.
"""

from __future__ import annotations

import codecs
import io
import itertools
import re
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Any, Literal

import filetype

from aaie.errors import PayloadTooLarge, UnsupportedMediaType, ValidationFailed

Kind = Literal["txt", "md", "docx", "pdf"]

DOCX_MIME = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
ACCEPTED = "Send a .txt, .md, .docx or .pdf file."
# The extensions we know; a name's extension must agree with the sniffed content.
EXTENSION_KIND: dict[str, Kind] = {
    ".txt": "txt",
    ".text": "txt",
    ".md": "md",
    ".markdown": "md",
    ".docx": "docx",
    ".pdf": "pdf",
}
# Extensions of things that run; refused whatever the bytes look like.
EXECUTABLE_EXTENSIONS = frozenset(
    {
        ".exe",
        ".dll",
        ".com",
        ".scr",
        ".msi",
        ".bat",
        ".cmd",
        ".ps1",
        ".sh",
        ".bash",
        ".vbs",
        ".js",
        ".mjs",
        ".jar",
        ".apk",
        ".app",
        ".bin",
        ".elf",
        ".so",
        ".dylib",
        ".py",
        ".pl",
        ".rb",
        ".php",
        ".html",
        ".htm",
        ".svg",
        ".hta",
        ".lnk",
        ".docm",
        ".dotm",
    }
)
MAX_DOCX_UNCOMPRESSED = 200 * 1024 * 1024  # zip-bomb guard for .docx
_CONTROL_OK = frozenset("\t\n\r\f")


@dataclass(frozen=True)
class Sniffed:
    kind: Kind
    content_type: str
    text: str | None = None  # decoded already, for text kinds


def sniff(data: bytes, filename: str) -> Sniffed:
    """The accepted type of `data`, or UnsupportedMediaType (415) with the reason."""
    if not data:
        raise ValidationFailed("The file is empty.")
    ext = PurePosixPath(filename.lower()).suffix
    if ext in EXECUTABLE_EXTENSIONS:
        raise UnsupportedMediaType(f"{ext} files are not accepted. {ACCEPTED}")
    found = _sniff_bytes(data, prefer_md=ext in {".md", ".markdown"}, docx_name=ext == ".docx")
    expected = EXTENSION_KIND.get(ext)
    if expected is not None and _family(expected) != _family(found.kind):
        raise UnsupportedMediaType(
            f"The file is named {ext} but its contents are {_describe(found.kind)}. {ACCEPTED}",
            details={"extension": ext, "detected": found.kind},
        )
    return found


def _family(kind: Kind) -> str:
    return "text" if kind in ("txt", "md") else kind


def _describe(kind: Kind) -> str:
    return {"txt": "plain text", "md": "plain text", "docx": "a Word document", "pdf": "a PDF"}[
        kind
    ]


DAMAGED_DOCX = (
    "This Word document is damaged and cannot be opened (it may have been cut off while "
    "saving or uploading). Open it in Word and save it again, or send it as a PDF."
)
DAMAGED_PDF = (
    "This PDF is damaged and cannot be read. Save or export it again, or send it as a .docx."
)


def _sniff_bytes(data: bytes, *, prefer_md: bool, docx_name: bool = False) -> Sniffed:
    guess = filetype.guess(data)
    if guess is not None:
        if guess.extension == "pdf":
            return Sniffed("pdf", "application/pdf")
        if guess.extension in ("docx", "zip") and _is_docx(data):
            return Sniffed("docx", DOCX_MIME)
        if (guess.extension == "docx" or docx_name) and not _opens_as_zip(data):
            # A Word file whose archive is cut off or corrupt: say so, not "not accepted".
            raise ValidationFailed(DAMAGED_DOCX, details={"detected": "damaged docx"})
        raise UnsupportedMediaType(
            f"This file looks like {guess.mime}, which is not accepted. {ACCEPTED}",
            details={"detected": guess.mime},
        )
    if data.lstrip()[:5] == b"%PDF-":  # PDF magic after leading junk/whitespace
        return Sniffed("pdf", "application/pdf")
    decoded = decode_text(data)
    if decoded is None:
        raise UnsupportedMediaType(f"This file is binary and not a supported type. {ACCEPTED}")
    text, charset = decoded
    if text.startswith("#!"):
        raise UnsupportedMediaType(f"Scripts are not accepted. {ACCEPTED}")
    kind: Kind = "md" if prefer_md else "txt"
    mime = "text/markdown" if kind == "md" else "text/plain"
    return Sniffed(kind, f"{mime}; charset={charset}", text)


def _opens_as_zip(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            return archive.testzip() is None
    except (zipfile.BadZipFile, OSError, ValueError, EOFError):
        return False


def _is_docx(data: bytes) -> bool:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
    except (zipfile.BadZipFile, OSError, ValueError):
        return False
    if "word/vbaProject.bin" in names:
        raise UnsupportedMediaType(f"Macro-enabled Word documents are not accepted. {ACCEPTED}")
    return "word/document.xml" in names and "[Content_Types].xml" in names


def decode_text(data: bytes) -> tuple[str, str] | None:
    """(text, charset) when the bytes are human-readable text, else None."""
    text: str | None = None
    charset = "utf-8"
    if data.startswith(codecs.BOM_UTF8):
        text = _try_decode(data[len(codecs.BOM_UTF8) :], "utf-8")
    elif data[:2] in (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE):
        text, charset = _try_decode(data, "utf-16"), "utf-16"
    elif b"\x00" not in data:
        text = _try_decode(data, "utf-8")
        if text is None:  # legacy Windows text is common in schools
            text, charset = _try_decode(data, "cp1252"), "windows-1252"
    if text is None or not _looks_like_text(text):
        return None
    return text, charset


def _try_decode(data: bytes, encoding: str) -> str | None:
    try:
        return data.decode(encoding)
    except UnicodeDecodeError:
        return None


def _looks_like_text(text: str) -> bool:
    sample = text[:65_536]
    if not sample.strip():
        return True  # whitespace only: text, but the empty-text check rejects it later
    control = sum(
        1
        for ch in sample
        if ch not in _CONTROL_OK and unicodedata.category(ch) in ("Cc", "Cs", "Co")
    )
    return control <= max(2, len(sample) // 1000)


# --- extraction ------------------------------------------------------------------------------


def read_document(data: bytes, filename: str) -> str:
    """The text of a document as the API stores it (`sniff`, then `extract_text`); the same
    errors (415, 422, 413) for what cannot be read. Used by uploads and by the CLI."""
    return extract_text(data, sniff(data, filename))


def extract_text(data: bytes, sniffed: Sniffed) -> str:
    """Plain text of the document; ValidationFailed (422) when none can be read."""
    if sniffed.kind in ("txt", "md"):
        text = sniffed.text if sniffed.text is not None else (decode_text(data) or ("", ""))[0]
    elif sniffed.kind == "docx":
        text = _docx_text(data)
    else:
        text = _pdf_text(data)
    text = _normalise(text)
    if not text.strip():
        hint = (
            " (a scanned PDF has no text layer; OCR is not supported)"
            if sniffed.kind == "pdf"
            else ""
        )
        raise ValidationFailed(f"No text could be extracted from this file{hint}.")
    return text


def _normalise(text: str) -> str:
    # NUL cannot be stored in PostgreSQL text; Windows/Mac line ends become \n.
    return text.replace("\x00", "").replace("\r\n", "\n").replace("\r", "\n").strip("\n")


def _docx_text(data: bytes) -> str:
    import docx  # python-docx; imported on use to keep start-up light

    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        if sum(info.file_size for info in archive.infolist()) > MAX_DOCX_UNCOMPRESSED:
            raise PayloadTooLarge("This document expands to more than 200 MB.")
    try:
        document = docx.Document(io.BytesIO(data))
    except Exception as exc:  # python-docx raises many types for damaged files
        raise ValidationFailed(DAMAGED_DOCX) from exc
    blocks = [p.text for p in document.paragraphs if p.text.strip()]
    for table in document.tables:  # essays sometimes put content in tables
        for row in table.rows:
            cells = [c.text.strip() for c in row.cells if c.text.strip()]
            if cells:
                blocks.append("\t".join(dict.fromkeys(cells)))  # merged cells repeat
    return "\n\n".join(blocks)


def _pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data), strict=False)
        if reader.is_encrypted and not reader.decrypt(""):
            raise ValidationFailed("This PDF is password-protected; send an unlocked copy.")
        pages: list[list[str]] = []
        for pdf_page in reader.pages:
            try:
                pages.append(_page_paragraphs(pdf_page))
            except Exception:  # one broken page should not lose the rest
                pages.append([])
    except ValidationFailed:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise ValidationFailed(DAMAGED_PDF) from exc
    paragraphs: list[str] = []
    for page in pages:
        for i, para in enumerate(page):
            # A paragraph that runs on from the previous page (no full stop there) is joined.
            if i == 0 and paragraphs and not _ENDS_SENTENCE.search(paragraphs[-1]):
                paragraphs[-1] = _join_lines([paragraphs[-1], para])
            else:
                paragraphs.append(para)
    return "\n\n".join(paragraphs)


_ENDS_SENTENCE = re.compile(r"[.!?:][\"'”’)\]]*$")


def _page_paragraphs(page: Any) -> list[str]:
    """The page's paragraphs rebuilt from the layout: a PDF stores wrapped lines, not
    paragraphs. A new paragraph starts after a larger vertical gap than between the lines of
    a paragraph, at an indented first line, or after a short line that ends a sentence."""
    lines: list[tuple[float, float, str]] = []

    def visit(text: str, cm: list[float], tm: list[float], *_: Any) -> None:
        for piece in text.split("\n"):
            if piece.strip():
                x = tm[4] * cm[0] + tm[5] * cm[2] + cm[4]
                y = tm[4] * cm[1] + tm[5] * cm[3] + cm[5]
                lines.append((x, y, piece.strip()))

    plain = page.extract_text(visitor_text=visit) or ""
    if len(lines) < 2:
        return [p.strip() for p in re.split(r"\n\s*\n", plain) if p.strip()]
    gaps = [a[1] - b[1] for a, b in itertools.pairwise(lines) if a[1] - b[1] > 0.5]
    line_gap = sorted(gaps)[len(gaps) // 2] if gaps else 0.0
    left = min(x for x, _, _ in lines)
    width = max(len(t) for _, _, t in lines)
    paragraphs: list[list[str]] = []
    prev: tuple[float, float, str] | None = None
    for x, y, text in lines:
        new = prev is None
        if prev is not None:
            gap = prev[1] - y
            new = (
                (line_gap > 0 and gap > 1.35 * line_gap)  # extra space between paragraphs
                or gap < -0.5  # back up the page: a new column or text box
                or x > left + 8  # an indented first line
                or (len(prev[2]) < 0.8 * width and bool(_ENDS_SENTENCE.search(prev[2])))
            )
            same_line = abs(gap) <= 0.5 and not new
            if same_line:
                paragraphs[-1][-1] += " " + text
                prev = (x, y, paragraphs[-1][-1])
                continue
        if new:
            paragraphs.append([text])
        else:
            paragraphs[-1].append(text)
        prev = (x, y, text)
    return [_join_lines(p) for p in paragraphs]


def _join_lines(lines: list[str]) -> str:
    """Wrapped lines as one paragraph; a word hyphenated at a line end is mended."""
    out = lines[0]
    for line in lines[1:]:
        if re.search(r"[A-Za-z]-$", out) and line[:1].islower():
            out = out[:-1] + line
        else:
            out += " " + line
    return out
