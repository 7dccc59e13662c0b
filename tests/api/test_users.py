"""Admin user management: list, read, change role, deactivate/reactivate, delete."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient

from tests.api.workflow_support import make_assignment
from tests.conftest import Account


def test_admin_lists_users_paginated_without_password_hashes(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    admin = accounts["admin"].headers
    first = client.get("/api/users?limit=2&offset=0", headers=admin).json()
    second = client.get("/api/users?limit=2&offset=2", headers=admin).json()
    assert first["total"] == len(accounts)
    assert len(first["items"]) == 2 and len(second["items"]) == 2
    assert {u["user_id"] for u in first["items"]}.isdisjoint(u["user_id"] for u in second["items"])
    assert set(first["items"][0]) == {
        "user_id",
        "email",
        "role",
        "is_active",
        "must_change_password",
        "created_at",
    }
    assert "argon2" not in client.get("/api/users?limit=200", headers=admin).text


def test_admin_changes_role_and_the_old_token_no_longer_works(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    student = accounts["student"]
    response = client.put(
        f"/api/users/{student.id}", headers=accounts["admin"].headers, json={"role": "teacher"}
    )
    assert response.status_code == 200 and response.json()["role"] == "teacher"
    assert client.get("/api/auth/me", headers=student.headers).status_code == 401


def test_reactivated_user_can_log_in_again(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    admin = accounts["admin"].headers
    off = accounts["deactivated"]
    assert client.get(f"/api/users/{off.id}", headers=admin).json()["is_active"] is False
    on = client.put(f"/api/users/{off.id}", headers=admin, json={"is_active": True})
    assert on.status_code == 200 and on.json()["is_active"] is True
    login = client.post(
        "/api/auth/login", json={"email": off.email, "password": "correct-horse-battery"}
    )
    assert login.status_code == 200


def test_last_active_admin_cannot_be_demoted_deactivated_or_deleted(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    admin = accounts["admin"]
    for call in (
        lambda: client.put(
            f"/api/users/{admin.id}", headers=admin.headers, json={"role": "teacher"}
        ),
        lambda: client.put(
            f"/api/users/{admin.id}", headers=admin.headers, json={"is_active": False}
        ),
        lambda: client.delete(f"/api/users/{admin.id}", headers=admin.headers),
    ):
        response = call()
        assert response.status_code == 409
        assert response.json()["error"]["code"] == "conflict"
    assert client.get("/api/auth/me", headers=admin.headers).json()["role"] == "admin"


def test_second_admin_makes_demotion_possible(
    client: TestClient, accounts: dict[str, Account]
) -> None:
    admin = accounts["admin"]
    teacher = accounts["teacher"]
    promoted = client.put(f"/api/users/{teacher.id}", headers=admin.headers, json={"role": "admin"})
    assert promoted.status_code == 200
    assert (
        client.put(
            f"/api/users/{admin.id}", headers=admin.headers, json={"role": "teacher"}
        ).status_code
        == 200
    )


def test_unknown_user_and_bad_ids(client: TestClient, accounts: dict[str, Account]) -> None:
    admin = accounts["admin"].headers
    missing = "00000000-0000-0000-0000-000000000000"
    assert client.get(f"/api/users/{missing}", headers=admin).status_code == 404
    assert client.get("/api/users/not-a-uuid", headers=admin).status_code == 422
    assert (
        client.put(
            f"/api/users/{accounts['student'].id}", headers=admin, json={"role": "wizard"}
        ).status_code
        == 422
    )
    assert client.get("/api/users?limit=0", headers=admin).status_code == 422


def test_role_changes_are_audited(client: TestClient, accounts: dict[str, Account], app) -> None:  # type: ignore[no-untyped-def]
    from sqlalchemy import select

    from aaie.db.models import AuditEvent

    client.put(
        f"/api/users/{accounts['student'].id}",
        headers=accounts["admin"].headers,
        json={"role": "teacher"},
    )
    with app.state.aaie.sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "user.update")).one()
    assert event.actor_id == accounts["admin"].id
    assert event.resource_id == str(accounts["student"].id)
    assert event.details["after"]["role"] == "teacher"


def test_deleting_a_student_removes_their_work_and_files(
    client: TestClient, app: FastAPI, accounts: dict[str, Account]
) -> None:
    student, teacher, admin = accounts["student"], accounts["teacher"], accounts["admin"]
    essay = "Community gardens give neighbours a reason to meet. " * 20
    uploads = [
        client.post(
            "/api/files",
            headers=student.headers,
            files={"file": (name, essay.encode(), "text/plain")},
        )
        for name in ("essay.txt", "draft.txt")
    ]
    assert [u.status_code for u in uploads] == [201, 201]
    aid = make_assignment(client, teacher.headers)
    sub = client.post(
        f"/api/assignments/{aid}/submit",
        headers=student.headers,
        json={"file_ref": uploads[0].json()["fileId"]},
    )
    assert sub.status_code == 200, sub.text
    sid = sub.json()["submissionId"]
    store_dir = app.state.aaie.settings.files_dir
    assert sum(p.is_file() for p in store_dir.rglob("*")) == 2

    assert client.delete(f"/api/users/{student.id}", headers=admin.headers).status_code == 204
    assert client.get(f"/api/submissions/{sid}", headers=admin.headers).status_code == 404
    for upload in uploads:
        file_id = upload.json()["fileId"]
        assert client.get(f"/api/files/{file_id}", headers=admin.headers).status_code == 404
    assert not any(p.is_file() for p in store_dir.rglob("*"))
    events = client.get(
        f"/api/audit?resource_id={student.id}&action=user.delete", headers=admin.headers
    ).json()["items"]
    assert events[0]["details"] == {"submissions": 1, "versions": 1, "files": 2}
