"""Write a file so that no reader ever sees half of it.

Training caches are shared by benches that run side by side (two leave-one-out schemes fill one
cache directory), and uploads are read while others are written: each write goes to a unique
temporary file in the same directory and is renamed over the target, which POSIX makes atomic.
"""

from __future__ import annotations

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
