"""Where uploaded files' bytes live: a local directory or an S3-compatible object store,
behind one small interface (`FileStore`). `make_file_store(settings)` picks the backend."""

from __future__ import annotations

from functools import lru_cache

from aaie.config import Settings
from aaie.storage.base import FileNotInStore, FileStore
from aaie.storage.local import LocalFileStore
from aaie.storage.s3 import S3FileStore


def make_file_store(settings: Settings) -> FileStore:
    """The configured store. Cheap to call per request: S3 stores (whose boto3 client takes
    tens of milliseconds to build, and is thread-safe) are reused per configuration."""
    if settings.storage_backend == "s3":
        assert settings.s3_bucket  # Settings validates this at start-up
        return _s3_store(
            settings.s3_bucket,
            settings.s3_endpoint_url,
            settings.s3_region,
            _secret(settings.s3_access_key_id),
            _secret(settings.s3_secret_access_key),
        )
    return LocalFileStore(settings.files_dir)


@lru_cache(maxsize=8)
def _s3_store(
    bucket: str,
    endpoint_url: str | None,
    region: str,
    access_key_id: str | None,
    secret_access_key: str | None,
) -> S3FileStore:
    return S3FileStore(
        bucket,
        endpoint_url=endpoint_url,
        region=region,
        access_key_id=access_key_id,
        secret_access_key=secret_access_key,
    )


def _secret(value: object) -> str | None:
    getter = getattr(value, "get_secret_value", None)
    return getter() if getter else None


__all__ = ["FileNotInStore", "FileStore", "LocalFileStore", "S3FileStore", "make_file_store"]
