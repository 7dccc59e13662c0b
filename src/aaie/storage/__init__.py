"""Where uploaded files' bytes live: a local directory or an S3-compatible object store,
behind one small interface (`FileStore`). `make_file_store(settings)` picks the backend."""

from __future__ import annotations

from aaie.config import Settings
from aaie.storage.base import FileNotInStore, FileStore
from aaie.storage.local import LocalFileStore
from aaie.storage.s3 import S3FileStore


def make_file_store(settings: Settings) -> FileStore:
    if settings.storage_backend == "s3":
        assert settings.s3_bucket  # Settings validates this at start-up
        return S3FileStore(
            settings.s3_bucket,
            endpoint_url=settings.s3_endpoint_url,
            region=settings.s3_region,
            access_key_id=_secret(settings.s3_access_key_id),
            secret_access_key=_secret(settings.s3_secret_access_key),
        )
    return LocalFileStore(settings.files_dir)


def _secret(value: object) -> str | None:
    getter = getattr(value, "get_secret_value", None)
    return getter() if getter else None


__all__ = ["FileNotInStore", "FileStore", "LocalFileStore", "S3FileStore", "make_file_store"]
