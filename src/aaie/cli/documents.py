"""Reading essay files on the command line exactly as the API reads uploads.

The type comes from the bytes (`services.file_content.sniff`), the text from the same
extraction the API stores (`extract_text`): .txt, .md, .docx and .pdf are read; anything else
(a zip, an image, a damaged or password-protected document, a scanned PDF without text) is
refused with the API's message and exit code 2, before any file is evaluated."""

from __future__ import annotations

from pathlib import Path

import typer
from rich.console import Console

from aaie.errors import AAIEError
from aaie.services.file_content import read_document

EXIT_UNREADABLE = 2


def read_documents(paths: list[Path]) -> dict[Path, str]:
    """The text of every file, or a message per unreadable file and exit code 2."""
    texts: dict[Path, str] = {}
    problems: list[str] = []
    for path in paths:
        try:
            texts[path] = read_document(path.read_bytes(), path.name)
        except AAIEError as exc:
            problems.append(f"{path}: {exc.message}")
        except OSError as exc:
            problems.append(f"{path}: cannot be read ({exc.strerror or exc})")
    if problems:
        err = Console(stderr=True)
        for line in problems:
            err.print(line, style="red", markup=False, highlight=False)
        raise typer.Exit(EXIT_UNREADABLE)
    return texts
