"""The per-request "who is calling" read, kept off the ORM and the connection pool.

Every authenticated request re-reads its user (so revocation is immediate in every worker).
That read is the hot path of the whole API, so it runs a prebuilt statement on one long-lived
autocommit connection per process (no pool checkout, no transaction to reset, no stale
snapshot) and reconnects once if the database dropped the connection.
"""

from __future__ import annotations

import threading
import uuid
from typing import Any

from sqlalchemy import Connection, Engine, bindparam, select
from sqlalchemy.exc import DBAPIError

from aaie.db.models import Role, User

_USER_BY_ID = select(
    User.id,
    User.email,
    User.role,
    User.is_active,
    User.token_version,
    User.created_at,
    User.must_change_password,
).where(User.id == bindparam("user_id"))


class UserLookup:
    def __init__(self, engine: Engine) -> None:
        self._engine = engine
        self._conn: Connection | None = None
        self._lock = threading.Lock()

    def snapshot(self, user_id: uuid.UUID) -> User | None:
        """A detached copy of the user row (ids and flags only; never the password hash)."""
        with self._lock:
            try:
                row = self._fetch(user_id)
            except DBAPIError:
                self._reset()
                row = self._fetch(user_id)
        if row is None:
            return None
        return User(
            id=row.id,
            email=row.email,
            role=Role(row.role),
            is_active=row.is_active,
            token_version=row.token_version,
            created_at=row.created_at,
            must_change_password=row.must_change_password,
            password_hash="",
        )

    def _fetch(self, user_id: uuid.UUID) -> Any:
        if self._conn is None or self._conn.closed:
            self._conn = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        return self._conn.execute(_USER_BY_ID, {"user_id": user_id}).first()

    def _reset(self) -> None:
        if self._conn is not None:
            self._conn.invalidate()
            self._conn = None

    def close(self) -> None:
        with self._lock:
            if self._conn is not None:
                self._conn.close()
                self._conn = None
