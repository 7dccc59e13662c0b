"""Write a file so that no reader ever sees half of it.

Training caches are shared by benches that run side by side (two leave-one-out schemes fill one
cache directory), and uploads are read while others are written: each write goes to a unique
temporary file in the same directory and is renamed over the target, which POSIX makes atomic.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO


@contextmanager
def atomic_writer(path: Path, mode: int = 0o600) -> Iterator[BinaryIO]:
    """A binary handle whose bytes replace `path` only when the block ends without an error.
    The file gets `mode`: private by default (uploads, caches); a shipped model passes 0o644."""
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        os.fchmod(fd, mode)
        with os.fdopen(fd, "wb") as handle:
            yield handle
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def create_once(path: Path, content: bytes, mode: int = 0o600) -> bytes:
    """Create `path` holding `content` unless it exists, and return what it holds.

    Several processes starting at once (gunicorn workers generating the JWT key) must all end
    up with the same bytes: the first complete file wins. The content is written to a temporary
    file and hard-linked into place, which fails if the target exists, so nobody ever reads a
    half-written or empty file and nobody overwrites another's."""
    if not path.exists():
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
        try:
            os.fchmod(fd, mode)
            with os.fdopen(fd, "wb") as handle:
                handle.write(content)
            # FileExistsError: another process won the race; its content is what everybody reads
            with contextlib.suppress(FileExistsError):
                os.link(tmp, path)
        finally:
            os.unlink(tmp)  # also when the write failed: no temporary file is left behind
    return path.read_bytes()
