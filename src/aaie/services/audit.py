"""Audit log of sensitive actions: who, what, when, request id. Never the content."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

from aaie.db.models import AuditEvent, User


def record(
    session: Session,
    *,
    actor: User | None,
    action: str,
    resource_type: str,
    resource_id: uuid.UUID | str | None,
    request_id: str | None,
    details: dict[str, Any] | None = None,
) -> None:
    session.add(
        AuditEvent(
            actor_id=actor.id if actor else None,
            actor_email=actor.email if actor else None,
            action=action,
            resource_type=resource_type,
            resource_id=str(resource_id) if resource_id else None,
            request_id=request_id,
            details=details or {},
        )
    )
