"""Bounds on the paging query parameters every list route shares.

Without an upper bound an `offset` beyond 64-bit integers reached the database driver and came
back as a 500; now anything past `MAX_OFFSET` is a 422 like any other invalid parameter."""

from __future__ import annotations

from typing import Annotated

from fastapi import Query

MAX_OFFSET = 1_000_000  # far beyond any real list; keeps values inside every SQL integer type

Offset = Annotated[int, Query(ge=0, le=MAX_OFFSET, description="items to skip")]
