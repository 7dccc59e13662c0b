"""What an uploaded file really is, and the text inside it.

The type comes from the bytes (magic numbers via `filetype`, then plain-text heuristics), never
from the client's Content-Type; the name's extension may only confirm it. Accepted: plain text,
Markdown, Word .docx and PDF. Everything else (executables, archives, images, legacy .doc, RTF,
macro-enabled Word files, ...) is refused with 415 and a message that says what to send instead.
"""

from __future__ import annotations

import codecs
import io
import unicodedata
import zipfile
from dataclasses import dataclass
from pathlib import PurePosixPath
from typing import Literal

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
    found = _sniff_bytes(data, prefer_md=ext in {".md", ".markdown"})
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


def _sniff_bytes(data: bytes, *, prefer_md: bool) -> Sniffed:
    guess = filetype.guess(data)
    if guess is not None:
        if guess.extension == "pdf":
            return Sniffed("pdf", "application/pdf")
        if guess.extension in ("docx", "zip") and _is_docx(data):
            return Sniffed("docx", DOCX_MIME)
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
        raise ValidationFailed("This Word document could not be read.") from exc
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
        pages = []
        for page in reader.pages:
            try:
                pages.append(page.extract_text() or "")
            except Exception:  # one broken page should not lose the rest
                pages.append("")
    except ValidationFailed:
        raise
    except Exception as exc:  # pypdf raises many types for damaged files
        raise ValidationFailed("This PDF could not be read.") from exc
    return "\n\n".join(p.strip() for p in pages if p.strip())
