"""File stores: the local directory and a real S3-compatible server (moto, on loopback)."""

from __future__ import annotations

import socket
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from moto.server import ThreadedMotoServer
from pydantic import SecretStr

from aaie.config import Settings
from aaie.storage import FileNotInStore, FileStore, LocalFileStore, S3FileStore, make_file_store
from tests.conftest import Account
from tests.files_samples import pdf_bytes


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture(scope="module")
def s3_endpoint() -> Iterator[str]:
    port = _free_port()
    server = ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def bucket() -> str:
    """A fresh bucket name per test: the moto server is shared by the module."""
    return f"aaie-{uuid.uuid4().hex[:12]}"


def _s3_settings(tmp_path: Path, endpoint: str, bucket: str) -> Settings:
    return Settings(
        data_dir=tmp_path,
        storage_backend="s3",
        s3_bucket=bucket,
        s3_endpoint_url=endpoint,
        s3_access_key_id="testing",
        s3_secret_access_key="testing",
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture(params=["local", "s3"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> FileStore:
    if request.param == "local":
        return make_file_store(Settings(data_dir=tmp_path, _env_file=None))  # type: ignore[call-arg]
    endpoint, bucket = request.getfixturevalue("s3_endpoint"), request.getfixturevalue("bucket")
    s3 = make_file_store(_s3_settings(tmp_path, endpoint, bucket))
    assert isinstance(s3, S3FileStore)
    s3.client.create_bucket(Bucket=bucket)
    return s3


def test_round_trip_exists_and_delete(store: FileStore) -> None:
    key = "uploads/ab/abcdef"
    data = bytes(range(256)) * 100  # binary-safe
    assert not store.exists(key)
    store.put(key, data, "application/pdf")
    assert store.exists(key)
    assert store.get(key) == data

    store.put(key, b"replaced", "text/plain")
    assert store.get(key) == b"replaced"

    store.delete(key)
    assert not store.exists(key)
    with pytest.raises(FileNotInStore):
        store.get(key)
    store.delete(key)  # idempotent


def test_keys_do_not_collide(store: FileStore) -> None:
    store.put("uploads/aa/one", b"1", "text/plain")
    store.put("uploads/aa/two", b"2", "text/plain")
    store.delete("uploads/aa/one")
    assert store.get("uploads/aa/two") == b"2"


def test_s3_object_carries_the_content_type(tmp_path: Path, s3_endpoint: str, bucket: str) -> None:
    s3 = make_file_store(_s3_settings(tmp_path, s3_endpoint, bucket))
    assert isinstance(s3, S3FileStore)
    s3.client.create_bucket(Bucket=bucket)
    s3.put("uploads/cc/typed", b"%PDF-1.4", "application/pdf")
    head = s3.client.head_object(Bucket=bucket, Key="uploads/cc/typed")
    assert head["ContentType"] == "application/pdf"


def test_s3_prefix_namespaces_keys(s3_endpoint: str, bucket: str) -> None:
    s3 = S3FileStore(
        bucket,
        endpoint_url=s3_endpoint,
        access_key_id="testing",
        secret_access_key="testing",
        prefix="/school-a/",
    )
    s3.client.create_bucket(Bucket=bucket)
    s3.put("uploads/x", b"data", "text/plain")
    keys = [o["Key"] for o in s3.client.list_objects_v2(Bucket=bucket)["Contents"]]
    assert "school-a/uploads/x" in keys


def test_s3_errors_other_than_missing_are_not_hidden(tmp_path: Path, s3_endpoint: str) -> None:
    s3 = S3FileStore(
        "no-such-bucket",
        endpoint_url=s3_endpoint,
        access_key_id="testing",
        secret_access_key="testing",
    )
    with pytest.raises(Exception) as raised:
        s3.get("uploads/anything")
    assert not isinstance(raised.value, FileNotInStore)


def test_local_store_stays_inside_its_root(tmp_path: Path) -> None:
    store = LocalFileStore(tmp_path / "files")
    for key in ("../escape", "/etc/passwd", "a/../../b", "a//b", ""):
        with pytest.raises(ValueError):
            store.put(key, b"x", "text/plain")
    store.put("uploads/ok", b"x", "text/plain")
    assert (tmp_path / "files" / "uploads" / "ok").read_bytes() == b"x"
    assert not any(p.name.startswith(".upload-") for p in (tmp_path / "files").rglob("*"))


def test_make_file_store_defaults_to_the_data_dir(tmp_path: Path) -> None:
    store = make_file_store(Settings(data_dir=tmp_path, _env_file=None))  # type: ignore[call-arg]
    assert isinstance(store, LocalFileStore) and store.root == tmp_path / "files"


@pytest.fixture
def s3_backed(settings: Settings, s3_endpoint: str, bucket: str) -> Settings:
    """The API's settings switched to the S3 backend (before the app is built)."""
    settings.storage_backend = "s3"
    settings.s3_bucket, settings.s3_endpoint_url = bucket, s3_endpoint
    settings.s3_access_key_id = settings.s3_secret_access_key = SecretStr("testing")
    store = make_file_store(settings)
    assert isinstance(store, S3FileStore)
    store.client.create_bucket(Bucket=bucket)
    return settings


def test_the_files_api_works_on_s3(
    s3_backed: Settings, bucket: str, client: TestClient, accounts: dict[str, Account]
) -> None:
    student = accounts["student"].headers
    data = pdf_bytes()
    created = client.post(
        "/api/files", headers=student, files={"file": ("essay.pdf", data, "application/pdf")}
    )
    assert created.status_code == 201, created.text
    file_id = created.json()["fileId"]
    s3 = make_file_store(s3_backed)
    assert isinstance(s3, S3FileStore)
    assert len(s3.client.list_objects_v2(Bucket=bucket).get("Contents", [])) == 1

    download = client.get(f"/api/files/{file_id}/download", headers=student)
    assert download.content == data
    assert client.delete(f"/api/files/{file_id}", headers=student).status_code == 204
    assert s3.client.list_objects_v2(Bucket=bucket).get("Contents", []) == []
    assert not (s3_backed.files_dir).exists()  # nothing went to local disk
