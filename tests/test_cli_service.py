"""Operator commands: migrate, create-admin, version, and settings that fail fast."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import create_engine, select
from typer.testing import CliRunner

from aaie.cli import app
from aaie.config import get_settings
from aaie.db.models import Role, User
from aaie.security.passwords import verify_password

runner = CliRunner()


@pytest.fixture
def data_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    monkeypatch.setenv("AAIE_DATA_DIR", str(tmp_path / "data"))
    for name in ("AAIE_DATABASE_URL", "AAIE_ADMIN_EMAIL", "AAIE_ADMIN_PASSWORD"):
        monkeypatch.delenv(name, raising=False)
    get_settings.cache_clear()
    yield tmp_path / "data"
    get_settings.cache_clear()


def _users(data_dir: Path) -> list[User]:
    engine = create_engine(f"sqlite:///{data_dir / 'aaie.sqlite3'}")
    with engine.connect() as conn:
        return list(conn.execute(select(User.email, User.role, User.password_hash)).all())  # type: ignore[arg-type]


def test_create_admin_reads_the_password_from_stdin(data_dir: Path) -> None:
    result = runner.invoke(
        app,
        ["create-admin", "--email", "Boss@School.edu", "--password-stdin"],
        input="a-long-admin-password\n",
    )
    assert result.exit_code == 0, result.output
    [(email, role, password_hash)] = _users(data_dir)
    assert email == "boss@school.edu" and role == Role.admin
    assert verify_password(password_hash, "a-long-admin-password")


def test_create_admin_refuses_duplicates_and_short_passwords(data_dir: Path) -> None:
    args = ["create-admin", "--email", "boss@school.edu", "--password-stdin"]
    assert runner.invoke(app, args, input="a-long-admin-password\n").exit_code == 0
    duplicate = runner.invoke(app, args, input="another-long-password\n")
    assert duplicate.exit_code == 1 and "already exists" in duplicate.output
    short = runner.invoke(
        app, ["create-admin", "--email", "x@school.edu", "--password-stdin"], input="short\n"
    )
    assert short.exit_code == 2 and "12 characters" in short.output


def test_reset_password_lets_a_locked_out_admin_back_in(data_dir: Path) -> None:
    create = ["create-admin", "--email", "boss@school.edu", "--password-stdin"]
    assert runner.invoke(app, create, input="the-forgotten-password\n").exit_code == 0
    reset = ["reset-password", "--email", "Boss@School.edu", "--password-stdin"]
    done = runner.invoke(app, reset, input="a-remembered-password\n")
    assert done.exit_code == 0, done.output
    [(_, _, password_hash)] = _users(data_dir)
    assert verify_password(password_hash, "a-remembered-password")
    assert not verify_password(password_hash, "the-forgotten-password")
    assert runner.invoke(app, reset, input="short\n").exit_code == 2
    unknown = ["reset-password", "--email", "nobody@school.edu", "--password-stdin"]
    missing = runner.invoke(app, unknown, input="a-remembered-password\n")
    assert missing.exit_code == 1 and "No user" in missing.output


def test_migrate_creates_the_schema(data_dir: Path) -> None:
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 0, result.output
    assert _users(data_dir) == []


def test_bad_setting_fails_fast_naming_the_variable(
    data_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("AAIE_ACCESS_TOKEN_TTL_S", "not-a-number")
    result = runner.invoke(app, ["migrate"])
    assert result.exit_code == 2
    assert "AAIE_ACCESS_TOKEN_TTL_S" in result.output


def test_version_prints_the_package_version() -> None:
    from aaie import __version__

    result = runner.invoke(app, ["version"])
    assert result.exit_code == 0 and __version__ in result.output


def test_signing_key_is_generated_once_kept_private_and_reused(tmp_path: Path) -> None:
    from aaie.config import Settings
    from aaie.security.tokens import signing_secret

    first = signing_secret(Settings(data_dir=tmp_path))
    again = signing_secret(Settings(data_dir=tmp_path))
    assert first == again and len(first) >= 40
    assert (tmp_path / "jwt_secret").stat().st_mode & 0o077 == 0
    assert signing_secret(Settings(data_dir=tmp_path / "elsewhere")) != first


def test_worker_processes_share_the_cores_unless_told_otherwise(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from aaie.cli.service import share_cores

    monkeypatch.setattr("os.cpu_count", lambda: 8)
    monkeypatch.delenv("AAIE_ONNX_THREADS", raising=False)
    monkeypatch.setenv("OMP_NUM_THREADS", "3")  # an operator's explicit choice wins
    share_cores(4)
    assert os.environ["AAIE_ONNX_THREADS"] == "2" and os.environ["OMP_NUM_THREADS"] == "3"
    monkeypatch.delenv("AAIE_ONNX_THREADS")
    share_cores(16)
    assert os.environ["AAIE_ONNX_THREADS"] == "1"
