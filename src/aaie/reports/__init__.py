"""Downloadable submission reports: `render_pdf(report)` and `render_zip(report, pdf,
original_files)`. The input is the submission package already filtered for the caller's role;
nothing here decides visibility, and a student package renders without any teacher section."""

from aaie.reports.bundle import render_zip
from aaie.reports.pdf import render_pdf

__all__ = ["render_pdf", "render_zip"]
