"""Download names a person recognises: `<student>-<assignment>-<version>.pdf`, not a UUID."""

from __future__ import annotations

import re
import unicodedata
from typing import Any


def slug(text: str | None, limit: int = 60) -> str:
    ascii_text = unicodedata.normalize("NFKD", text or "").encode("ascii", "ignore").decode()
    words = re.sub(r"[^A-Za-z0-9]+", "-", ascii_text).strip("-").lower()
    return words[:limit].strip("-")


def report_filename(report: dict[str, Any], student_email: str | None, extension: str) -> str:
    """E.g. `amy-archer-community-gardens-v2.pdf` (the student from the part of their e-mail
    before the @); parts that are unknown are left out."""
    student = slug((student_email or "").split("@")[0])
    parts = [p for p in (student, slug(report.get("assignment_title"))) if p]
    version = report.get("version") or "v1"
    return "-".join([*parts, str(version)]) + f".{extension}"
