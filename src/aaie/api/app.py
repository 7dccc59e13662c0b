"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

from aaie import __version__, web
from aaie.api import openapi_links
from aaie.api.body_limit import BodyLimitMiddleware
from aaie.api.errors import install_error_handlers
from aaie.api.middleware import RequestContextMiddleware
from aaie.api.routes import ROUTERS
from aaie.api.state import AppState
from aaie.config import Settings, get_settings
from aaie.db.session import get_engine, get_sessionmaker
from aaie.jobs.reaper import Reaper
from aaie.observability.logging import configure_logging
from aaie.security.tokens import TokenService, signing_secret
from aaie.services.engine import configure_engine
from aaie.services.ratelimit import make_counter_store
from aaie.services.user_lookup import UserLookup
from aaie.workflows.evaluation import EVALUATE

DESCRIPTION = """AAIE evaluates student writing: Human / AI / Hybrid classification with
evidence, rubric scores, actionable feedback, prompt and chat-log similarity, and PII redaction.

Authenticate with `POST /api/auth/login` and send `Authorization: Bearer <token>`.
Every error uses one envelope: `{"error": {"code", "message", "details", "request_id"}}`."""


def build_state(settings: Settings) -> AppState:
    url = settings.resolved_database_url
    return AppState(
        settings=settings,
        engine=get_engine(url),
        sessions=get_sessionmaker(url),
        tokens=TokenService(
            signing_secret(settings),
            [s.get_secret_value() for s in settings.jwt_previous_secrets],
            settings.access_token_ttl_s,
        ),
        counters=make_counter_store(settings.redis_url),
        users=UserLookup(get_engine(url)),
    )


def create_app(settings: Settings | None = None) -> FastAPI:
    settings = settings or get_settings()
    configure_logging(settings.log_level, settings.log_json)
    configure_engine(settings)
    state = build_state(settings)

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        # Jobs nobody is working on (a dead worker's, or queued in a process that stopped)
        # are sent again without a person: aaie.jobs.reaper.
        reaper = Reaper(settings, EVALUATE) if settings.job_reaper_enabled else None
        if reaper is not None:
            reaper.start()
        yield
        if reaper is not None:
            reaper.stop()
        state.users.close()  # give the caller-lookup connection back to the pool

    app = FastAPI(
        title="AAIE API",
        version=__version__,
        description=DESCRIPTION,
        lifespan=lifespan,
        docs_url=None,  # /docs and /redoc come from aaie.web, with local assets (offline)
        redoc_url=None,
    )
    app.state.aaie = state
    install_error_handlers(app)
    openapi_links.install(app)
    for router in ROUTERS:
        app.include_router(router)
    web.install(app)
    app.add_middleware(BodyLimitMiddleware, settings=settings)  # inside CORS: 413s carry it
    if settings.cors_origins:
        app.add_middleware(
            CORSMiddleware,
            allow_origins=settings.cors_origins,
            allow_credentials=False,
            allow_methods=["GET", "POST", "PUT", "PATCH", "DELETE"],
            allow_headers=["Authorization", "Content-Type", "X-Request-ID"],
            expose_headers=["X-Request-ID", "Retry-After"],
        )
    app.add_middleware(RequestContextMiddleware)
    return app
