"""Every router of the API, in the order they appear in the OpenAPI document."""

from fastapi import APIRouter

from aaie.api.routes import (
    assignments,
    audit,
    auth,
    files,
    health,
    llm,
    roster,
    submissions,
    users,
)

ROUTERS: list[APIRouter] = [
    auth.router,
    users.router,
    assignments.router,
    roster.router,
    submissions.router,
    files.router,
    llm.router,
    audit.router,
    health.router,
]
