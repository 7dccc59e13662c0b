"""§11.4 files: upload with sniffed types and limits, preview, download, delete, and who may
see what (route × role × ownership)."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import select

from aaie.db.models import (
    Assignment,
    AuditEvent,
    EvaluationStatus,
    StoredFile,
    Submission,
    SubmissionVersion,
)
from aaie.storage import LocalFileStore
from tests.conftest import Account, auth_headers
from tests.files_samples import (
    ELF,
    ESSAY,
    EXE,
    docx_bytes,
    pdf_bytes,
    png_bytes,
    zip_bytes,
)

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def upload(
    client: TestClient,
    account: Account | None,
    name: str,
    data: bytes,
    declared: str = "application/octet-stream",
):
    headers = account.headers if account else {}
    return client.post("/api/files", headers=headers, files={"file": (name, data, declared)})


def _store(app: FastAPI) -> LocalFileStore:
    return LocalFileStore(app.state.aaie.settings.files_dir)


def _storage_key(app: FastAPI, file_id: str) -> str:
    with app.state.aaie.sessions() as session:
        stored = session.get(StoredFile, uuid.UUID(file_id))
        assert stored is not None
        return stored.storage_key


# --- accepted types --------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data", "content_type", "must_contain"),
    [
        ("essay.txt", ESSAY.encode(), "text/plain; charset=utf-8", "Storage remains"),
        ("notes.md", b"# Title\n\n" + ESSAY.encode(), "text/markdown; charset=utf-8", "# Title"),
        ("essay.docx", docx_bytes(), DOCX, "Table cell text"),
        ("essay.pdf", pdf_bytes(), "application/pdf", "Storage remains the hard part."),
        ("no-extension", ESSAY.encode(), "text/plain; charset=utf-8", "wind farms"),
        ("bom.txt", b"\xef\xbb\xbf" + ESSAY.encode(), "text/plain; charset=utf-8", "Solar"),
        (
            "legacy.txt",
            "Café résumé naïve essay text".encode("cp1252"),
            "text/plain; charset=windows-1252",
            "Café résumé",
        ),
        ("utf16.txt", ESSAY.encode("utf-16"), "text/plain; charset=utf-16", "Solar panels"),
    ],
)
def test_upload_accepts_each_type_and_extracts_its_text(
    client: TestClient,
    accounts: dict[str, Account],
    name: str,
    data: bytes,
    content_type: str,
    must_contain: str,
) -> None:
    # The client's declared type is ignored: the bytes decide.
    response = upload(client, accounts["student"], name, data, declared="image/png")
    assert response.status_code == 201, response.text
    body = response.json()
    assert set(body) == {"fileId", "filename", "content_type", "size", "word_count"}
    assert body["filename"] == name
    assert body["content_type"] == content_type
    assert body["size"] == len(data)
    assert body["word_count"] > 3

    detail = client.get(f"/api/files/{body['fileId']}", headers=accounts["student"].headers)
    assert detail.status_code == 200
    assert must_contain in detail.json()["preview"]


def test_docx_and_pdf_word_counts_match_their_text(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    words = ["word"] * 250
    pdf = upload(
        client,
        accounts["student"],
        "long.pdf",
        pdf_bytes([" ".join(words[i : i + 10]) for i in range(0, 250, 10)]),
    )
    docx = upload(client, accounts["student"], "long.docx", docx_bytes([" ".join(words)]))
    assert pdf.json()["word_count"] == 250
    assert docx.json()["word_count"] == 250 + 5  # plus the 5 words of the sample table


# --- refused uploads ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("essay.pdf", ESSAY.encode()),  # text pretending to be a PDF
        ("essay.pdf", docx_bytes()),  # a Word file named .pdf
        ("essay.pdf", png_bytes()),
        ("essay.docx", pdf_bytes()),  # a PDF named .docx
        ("essay.txt", pdf_bytes()),  # a PDF named .txt
        ("setup.exe", EXE),
        ("essay.txt", EXE),  # an executable named .txt
        ("essay", ELF),
        ("run.sh", b"#!/bin/sh\necho hi\n"),
        ("essay.txt", b"#!/bin/sh\nrm -rf /\n"),  # a script named .txt
        ("essays.zip", zip_bytes()),
        ("essay.txt", zip_bytes()),
        ("photo.png", png_bytes()),
        ("essay.txt", bytes(range(256)) * 8),  # binary junk
        ("essay.rtf", b"{\\rtf1\\ansi Hello}"),
    ],
)
def test_unsupported_or_mislabelled_files_get_415(
    client: TestClient, accounts: dict[str, Account], name: str, data: bytes
) -> None:
    response = upload(client, accounts["student"], name, data, declared="application/pdf")
    assert response.status_code == 415, response.text
    error = response.json()["error"]
    assert error["code"] == "unsupported_media_type"
    assert ".pdf" in error["message"]  # tells the user what to send


def test_fake_pdf_message_names_the_mismatch(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    response = upload(client, accounts["student"], "Essay.PDF", ESSAY.encode())
    assert response.status_code == 415
    assert response.json()["error"]["details"] == {"extension": ".pdf", "detected": "txt"}


def test_oversize_upload_gets_413_without_storing_anything(
    client: TestClient, app: FastAPI, accounts: dict[str, Account]
) -> None:
    limit = app.state.aaie.settings.max_upload_bytes
    response = upload(client, accounts["student"], "big.txt", b"a " * (limit // 2 + 1))
    assert response.status_code == 413
    assert response.json()["error"]["details"] == {"max_bytes": limit}
    files_dir = app.state.aaie.settings.files_dir
    assert not files_dir.exists() or not any(p.is_file() for p in files_dir.rglob("*"))


def test_size_is_checked_on_the_bytes_not_the_declared_length(
    app: FastAPI, accounts: dict[str, Account]
) -> None:
    """A client that lies in Content-Length (or streams chunked) is still cut off."""
    app.state.aaie.settings.max_upload_bytes = 2048
    boundary = "xyzzy"

    def body() -> Iterator[bytes]:
        yield (
            f'--{boundary}\r\nContent-Disposition: form-data; name="file"; '
            f'filename="a.txt"\r\nContent-Type: text/plain\r\n\r\n'
        ).encode()
        for _ in range(10):
            yield b"words " * 100
        yield f"\r\n--{boundary}--\r\n".encode()

    with TestClient(app, raise_server_exceptions=False) as client:
        response = client.post(
            "/api/files",
            content=body(),
            headers={
                **accounts["student"].headers,
                "Content-Type": f"multipart/form-data; boundary={boundary}",
            },
        )
    assert response.status_code == 413


def test_an_upload_at_exactly_the_limit_is_accepted(
    app: FastAPI, client: TestClient, accounts: dict[str, Account]
) -> None:
    app.state.aaie.settings.max_upload_bytes = 4096
    assert upload(client, accounts["student"], "a.txt", b"ab " * 1365 + b"a").status_code == 201
    assert upload(client, accounts["student"], "a.txt", b"ab " * 1366).status_code == 413


@pytest.mark.parametrize(
    ("files", "expected", "code"),
    [
        ({"document": ("a.txt", ESSAY.encode(), "text/plain")}, 422, "validation_error"),
        ({"file": ("empty.txt", b"", "text/plain")}, 422, "validation_error"),
        ({"file": ("blank.txt", b"   \n\n  ", "text/plain")}, 422, "validation_error"),
        ({"file": ("scan.pdf", pdf_bytes([""]), "application/pdf")}, 422, "validation_error"),
    ],
)
def test_missing_field_or_no_text_gets_422(
    client: TestClient, accounts: dict[str, Account], files: dict, expected: int, code: str
) -> None:
    response = client.post("/api/files", headers=accounts["student"].headers, files=files)
    assert response.status_code == expected, response.text
    assert response.json()["error"]["code"] == code


def test_a_json_body_is_not_an_upload(client: TestClient, accounts: dict[str, Account]) -> None:
    response = client.post(
        "/api/files", headers=accounts["student"].headers, json={"file": "essay"}
    )
    assert response.status_code == 415


# --- preview, download, delete ----------------------------------------------------------------


def test_preview_is_cut_near_1000_characters(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    text = (ESSAY * 30).encode()
    file_id = upload(client, accounts["student"], "long.txt", text).json()["fileId"]
    body = client.get(f"/api/files/{file_id}", headers=accounts["student"].headers).json()
    assert body["preview_truncated"] is True
    assert 800 <= len(body["preview"]) <= 1001
    assert body["preview"].endswith("…")
    assert body["sha256"] and body["owner_id"] == str(accounts["student"].id)
    assert body["created_at"].endswith(("+00:00", "Z"))  # unambiguous UTC on every database


@pytest.mark.parametrize(
    ("name", "data", "media_type"),
    [
        ("essay.pdf", pdf_bytes(), "application/pdf"),
        ("essay.docx", docx_bytes(), DOCX),
        ("Überlegungen zur Energie.txt", ESSAY.encode(), "text/plain; charset=utf-8"),
    ],
)
def test_download_returns_the_original_bytes_type_and_name(
    client: TestClient, accounts: dict[str, Account], name: str, data: bytes, media_type: str
) -> None:
    file_id = upload(client, accounts["student"], name, data).json()["fileId"]
    response = client.get(f"/api/files/{file_id}/download", headers=accounts["student"].headers)
    assert response.status_code == 200
    assert response.content == data
    assert response.headers["content-type"] == media_type
    disposition = response.headers["content-disposition"]
    assert disposition.startswith("attachment;")
    from urllib.parse import quote

    assert f"filename*=UTF-8''{quote(name)}" in disposition


def test_path_parts_of_the_uploaded_name_are_dropped(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    body = upload(client, accounts["student"], "..\\..\\etc/passwd.txt", ESSAY.encode()).json()
    assert body["filename"] == "passwd.txt"


def test_delete_removes_record_bytes_and_is_audited(
    client: TestClient, app: FastAPI, accounts: dict[str, Account]
) -> None:
    student = accounts["student"]
    file_id = upload(client, student, "essay.pdf", pdf_bytes()).json()["fileId"]
    key = _storage_key(app, file_id)
    assert _store(app).exists(key)

    assert client.delete(f"/api/files/{file_id}", headers=student.headers).status_code == 204
    assert not _store(app).exists(key)
    assert client.get(f"/api/files/{file_id}", headers=student.headers).status_code == 404
    assert client.delete(f"/api/files/{file_id}", headers=student.headers).status_code == 404
    with app.state.aaie.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "file.delete")).one()
    assert event.actor_id == student.id and event.resource_id == file_id
    assert "essay" not in str(event.details)  # the fact, not the content or the name


def test_upload_needs_a_valid_token_before_the_body_is_read(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    assert upload(client, None, "a.txt", ESSAY.encode()).status_code == 401
    assert upload(client, accounts["deactivated"], "a.txt", ESSAY.encode()).status_code == 401


@pytest.mark.parametrize("who", ["student", "teacher", "admin"])
def test_every_role_may_upload(client: TestClient, accounts: dict[str, Account], who: str) -> None:
    assert upload(client, accounts[who], "a.txt", ESSAY.encode()).status_code == 201


# --- route × role × ownership ----------------------------------------------------------------


@pytest.fixture
def students_file(client: TestClient, accounts: dict[str, Account]) -> str:
    response = upload(client, accounts["student"], "essay.txt", ESSAY.encode())
    assert response.status_code == 201
    return str(response.json()["fileId"])


@pytest.fixture
def teacher_linked(app: FastAPI, accounts: dict[str, Account], students_file: str) -> None:
    """`teacher` teaches an assignment with a submission whose version uses the student's file.
    The rows are written directly (no evaluation is needed to test what files does with the
    relation); the submit route's own use of files is tested with submissions."""
    student = accounts["student"].id
    with app.state.aaie.sessions.begin() as session:
        assignment = Assignment(owner_id=accounts["teacher"].id, title="Linked", params={})
        session.add(assignment)
        session.flush()
        submission = Submission(
            assignment_id=assignment.id, student_id=student, submitted_by=student
        )
        session.add(submission)
        session.flush()
        session.add(
            SubmissionVersion(
                submission_id=submission.id,
                number=1,
                submitted_by=student,
                text=ESSAY,
                file_id=uuid.UUID(students_file),
                evaluation_status=EvaluationStatus.queued,
            )
        )


READ_ROUTES = [("GET", "/api/files/{id}"), ("GET", "/api/files/{id}/download")]
UNLINKED = {
    "anonymous": 401,
    "deactivated": 401,
    "student": 200,
    "other_student": 404,
    "teacher": 404,
    "other_teacher": 404,
    "admin": 200,
}


def _call(
    client: TestClient, accounts: dict[str, Account], method: str, path: str, file_id: str, who: str
) -> int:
    return client.request(
        method, path.format(id=file_id), headers=auth_headers(accounts, who)
    ).status_code


@pytest.mark.parametrize(("method", "path"), READ_ROUTES)
@pytest.mark.parametrize(("who", "expected"), UNLINKED.items())
def test_read_matrix_without_a_submission(
    client: TestClient,
    accounts: dict[str, Account],
    students_file: str,
    method: str,
    path: str,
    who: str,
    expected: int,
) -> None:
    assert _call(client, accounts, method, path, students_file, who) == expected


@pytest.mark.parametrize(("method", "path"), READ_ROUTES)
@pytest.mark.parametrize(("who", "expected"), {**UNLINKED, "teacher": 200}.items())
def test_read_matrix_when_the_teacher_has_a_submission_using_it(
    client: TestClient,
    accounts: dict[str, Account],
    students_file: str,
    teacher_linked: None,
    method: str,
    path: str,
    who: str,
    expected: int,
) -> None:
    assert _call(client, accounts, method, path, students_file, who) == expected


@pytest.mark.parametrize(("who", "expected"), {**UNLINKED, "student": 204, "admin": 204}.items())
def test_delete_matrix_without_a_submission(
    client: TestClient, accounts: dict[str, Account], students_file: str, who: str, expected: int
) -> None:
    assert _call(client, accounts, "DELETE", "/api/files/{id}", students_file, who) == expected


@pytest.mark.parametrize(
    ("who", "expected"), {**UNLINKED, "student": 409, "teacher": 403, "admin": 204}.items()
)
def test_delete_matrix_when_a_submission_uses_it(
    client: TestClient,
    accounts: dict[str, Account],
    students_file: str,
    teacher_linked: None,
    who: str,
    expected: int,
) -> None:
    assert _call(client, accounts, "DELETE", "/api/files/{id}", students_file, who) == expected


@pytest.mark.parametrize("path", ["/api/files/{id}", "/api/files/{id}/download"])
def test_unknown_and_malformed_ids(
    client: TestClient, accounts: dict[str, Account], path: str
) -> None:
    admin = accounts["admin"].headers
    assert client.get(path.format(id=uuid.uuid4()), headers=admin).status_code == 404
    assert client.get(path.format(id="not-a-uuid"), headers=admin).status_code == 422


def test_bytes_missing_from_the_store_read_as_404(
    client: TestClient, app: FastAPI, accounts: dict[str, Account], students_file: str
) -> None:
    _store(app).delete(_storage_key(app, students_file))
    response = client.get(
        f"/api/files/{students_file}/download", headers=accounts["student"].headers
    )
    assert response.status_code == 404
