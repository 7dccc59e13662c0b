"""Shared fixtures: a migrated database (SQLite by default, PostgreSQL when
AAIE_TEST_DATABASE_URL points at one), the app, a client, and users of every role.

The database is migrated once per session and emptied after every test, so each test starts
clean and the suite runs the same on both databases.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import pytest
from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from aaie.api.app import create_app
from aaie.config import Settings
from aaie.db import migrate
from aaie.db.base import Base
from aaie.db.models import Role, User
from aaie.security.passwords import hash_password

SHARED_DATA = Path(
    os.environ.get("AAIE_SHARED_DATA", Path(__file__).resolve().parents[2] / "shared" / "data")
)
PASSWORD = "correct-horse-battery"


def redis_or_skip(url: str) -> None:
    """Redis at `url`, or a skip that says so; under CI (.ci/run exports AAIE_REQUIRE_REDIS) an
    absent Redis fails instead, so the Celery and shared-counter tests cannot go missing."""
    import redis

    try:
        redis.Redis.from_url(url, socket_timeout=1).ping()
    except redis.RedisError as exc:
        message = f"needs Redis at {url} (.ci/run starts one): {exc}"
        if os.environ.get("AAIE_REQUIRE_REDIS"):
            pytest.fail(message)
        pytest.skip(message)


def shared_data_or_skip(*parts: str) -> Path:
    path = SHARED_DATA.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"needs the shared data set at {path} (not part of the package)")
    return path


def _fresh_postgres_database(base_url: str) -> str:
    """A new, empty database per test session on the given server."""
    url = make_url(base_url)
    name = f"aaie_test_{uuid.uuid4().hex[:10]}"
    admin = create_engine(url.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return url.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def database_url(tmp_path_factory: pytest.TempPathFactory) -> str:
    base = os.environ.get("AAIE_TEST_DATABASE_URL")
    if base and base.startswith("postgresql"):
        return _fresh_postgres_database(base)
    return f"sqlite:///{tmp_path_factory.mktemp('db') / 'aaie.sqlite3'}"


@pytest.fixture(scope="session")
def migrated(database_url: str) -> str:
    migrate.upgrade(database_url)
    return database_url


@pytest.fixture
def settings(tmp_path: Path, migrated: str) -> Settings:
    return Settings(
        data_dir=tmp_path / "data",
        database_url=migrated,
        jwt_secret="test-signing-key-" + "x" * 32,
        log_json=True,
        job_reaper_enabled=False,  # the tests that need it turn it on
        _env_file=None,  # type: ignore[call-arg]
    )


@pytest.fixture
def app(settings: Settings) -> Iterator[FastAPI]:
    application = create_app(settings)
    yield application
    application.state.aaie.users.close()
    _empty_all_tables(application)


def _empty_all_tables(application: FastAPI) -> None:
    engine = application.state.aaie.engine
    with engine.begin() as conn:
        for table in reversed(Base.metadata.sorted_tables):
            conn.execute(table.delete())


@pytest.fixture
def client(app: FastAPI) -> Iterator[TestClient]:
    with TestClient(app, raise_server_exceptions=False) as c:
        yield c


@lru_cache(maxsize=4)
def _hash(password: str) -> str:
    return hash_password(password)  # argon2 is slow on purpose: hash once per session


@dataclass
class Account:
    id: uuid.UUID
    email: str
    role: Role
    token: str

    @property
    def headers(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"}


def make_account(
    app: FastAPI, role: Role, *, active: bool = True, email: str | None = None
) -> Account:
    state = app.state.aaie
    email = email or f"{role.value}-{uuid.uuid4().hex[:8]}@example.edu"
    with state.sessions.begin() as session:
        user = User(email=email, password_hash=_hash(PASSWORD), role=role, is_active=True)
        session.add(user)
        session.flush()
        token = state.tokens.issue(user.id, user.role, user.token_version)
        if not active:
            user.is_active = False
            user.token_version += 1
        account = Account(user.id, email, role, token)
    return account


@pytest.fixture
def accounts(app: FastAPI) -> dict[str, Account]:
    """One account per caller kind used by the route × role matrices."""
    return {
        "student": make_account(app, Role.student),
        "other_student": make_account(app, Role.student),
        "teacher": make_account(app, Role.teacher),
        "other_teacher": make_account(app, Role.teacher),
        "admin": make_account(app, Role.admin),
        "deactivated": make_account(app, Role.teacher, active=False),
    }


def auth_headers(accounts: dict[str, Account], who: str) -> dict[str, str]:
    """Headers for a caller kind; `anonymous` sends none."""
    return {} if who == "anonymous" else accounts[who].headers
