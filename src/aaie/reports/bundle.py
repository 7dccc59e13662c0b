"""The zip report: report.pdf, evaluation.json (the same role-filtered package) and the
original uploaded files under originals/."""

from __future__ import annotations

import io
import json
import time
import zipfile
from pathlib import PurePosixPath
from typing import Any


def render_zip(
    report: dict[str, Any], pdf: bytes, original_files: list[tuple[str, bytes]]
) -> bytes:
    buffer = io.BytesIO()
    stamp = time.gmtime()[:6]
    with zipfile.ZipFile(buffer, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        _add(archive, "report.pdf", pdf, stamp, compress=False)  # PDFs are compressed already
        payload = json.dumps(report, indent=2, ensure_ascii=False, default=str).encode()
        _add(archive, "evaluation.json", payload, stamp)
        names = _unique_names(n for n, _ in original_files)
        for name, (_, data) in zip(names, original_files, strict=True):
            _add(archive, f"originals/{name}", data, stamp)
    return buffer.getvalue()


def _add(
    archive: zipfile.ZipFile,
    name: str,
    data: bytes,
    stamp: tuple[int, ...],
    *,
    compress: bool = True,
) -> None:
    info = zipfile.ZipInfo(name, date_time=stamp)  # type: ignore[arg-type]
    info.compress_type = zipfile.ZIP_DEFLATED if compress else zipfile.ZIP_STORED
    info.external_attr = 0o644 << 16
    archive.writestr(info, data)


def _unique_names(names: Any) -> list[str]:
    """Safe, distinct base names: no directories (zip-slip), no clashes between versions."""
    seen: set[str] = set()
    out = []
    for raw in names:
        name = PurePosixPath(str(raw).replace("\\", "/")).name.strip(". ") or "original"
        stem, dot, ext = name.rpartition(".")
        candidate, n = name, 2
        while candidate.lower() in seen:
            candidate = f"{stem}-{n}.{ext}" if dot else f"{name}-{n}"
            n += 1
        seen.add(candidate.lower())
        out.append(candidate)
    return out
