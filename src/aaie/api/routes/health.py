from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Depends, Response
from pydantic import BaseModel
from sqlalchemy import text

from aaie import __version__
from aaie.api.deps import State
from aaie.api.errors import error_responses
from aaie.api.metrics_access import require_metrics_access
from aaie.db.migrate import is_current
from aaie.errors import ServiceUnavailable
from aaie.observability.metrics import render_metrics

router = APIRouter(tags=["operations"])


class Health(BaseModel):
    status: Literal["ok"]
    version: str


class Ready(BaseModel):
    status: Literal["ready"]


@router.get("/healthz", response_model=Health)
def healthz() -> Health:
    """The process is alive."""
    return Health(status="ok", version=__version__)


@router.get("/readyz", response_model=Ready, responses=error_responses(503))
def readyz(state: State) -> Ready:
    """The database answers and its schema is at the latest migration."""
    try:
        with state.engine.connect() as conn:
            conn.execute(text("SELECT 1"))
        current = is_current(state.settings.resolved_database_url, state.engine)
    except Exception as exc:
        raise ServiceUnavailable(
            "The database is not reachable.", details={"reason": type(exc).__name__}
        ) from None
    if not current:
        raise ServiceUnavailable("Database migrations are not current; run `aaie migrate`.")
    return Ready(status="ready")


@router.get(
    "/metrics",
    response_class=Response,
    dependencies=[Depends(require_metrics_access)],
    responses=error_responses(403),
)
def metrics() -> Response:
    """Prometheus exposition (aggregated across worker processes). Allowed addresses
    (`AAIE_METRICS_ALLOW`, loopback by default) or `Bearer <AAIE_METRICS_TOKEN>` only."""
    body, content_type = render_metrics()
    return Response(body, media_type=content_type)
