"""The audit log of sensitive actions (admin only): who, what, when, request id."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from fastapi import APIRouter, Query
from sqlalchemy import func, select

from aaie.api.deps import AdminUser, SessionDep
from aaie.api.errors import error_responses
from aaie.api.paging import Offset
from aaie.api.schemas.workflow import AuditOut, AuditPage
from aaie.db.models import AuditEvent

router = APIRouter(prefix="/api/audit", tags=["audit"])


@router.get("", response_model=AuditPage, responses=error_responses(401, 403, 422))
def list_audit_events(
    _: AdminUser,
    session: SessionDep,
    actor_id: Annotated[uuid.UUID | None, Query()] = None,
    action: Annotated[str | None, Query(max_length=64, examples=["submission.delete"])] = None,
    resource_type: Annotated[str | None, Query(max_length=32)] = None,
    resource_id: Annotated[str | None, Query(max_length=64)] = None,
    since: Annotated[datetime | None, Query(description="at or after (ISO 8601)")] = None,
    until: Annotated[datetime | None, Query(description="before (ISO 8601)")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Offset = 0,
) -> AuditPage:
    """Newest first. `action` matches exactly, or a prefix when it ends with `.` or `*`
    (e.g. `submission.*`)."""
    query = select(AuditEvent)
    if actor_id is not None:
        query = query.where(AuditEvent.actor_id == actor_id)
    if action:
        if action.endswith(("*", ".")):
            query = query.where(AuditEvent.action.startswith(action.rstrip("*"), autoescape=True))
        else:
            query = query.where(AuditEvent.action == action)
    if resource_type:
        query = query.where(AuditEvent.resource_type == resource_type)
    if resource_id:
        query = query.where(AuditEvent.resource_id == resource_id)
    if since is not None:
        query = query.where(AuditEvent.at >= since)
    if until is not None:
        query = query.where(AuditEvent.at < until)
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEvent.at.desc(), AuditEvent.id).offset(offset).limit(limit)
    ).all()
    return AuditPage(
        items=[AuditOut.model_validate(r, from_attributes=True) for r in rows],
        total=total,
        limit=limit,
        offset=offset,
    )
