"""Every error leaves the API in one envelope:
`{"error": {"code", "message", "details", "request_id"}}`."""

from __future__ import annotations

from typing import Any

import structlog
from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException as StarletteHTTPException

from aaie.errors import AAIEError

log = structlog.get_logger("aaie.api")
DATABASE_RETRY_AFTER_S = 5

_HTTP_CODES = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    406: "not_acceptable",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_error",
    429: "rate_limited",
    500: "internal_error",
    503: "service_unavailable",
}


class ErrorBody(BaseModel):
    code: str
    message: str
    details: Any = None
    request_id: str | None = None


class ErrorEnvelope(BaseModel):
    error: ErrorBody


def error_response(
    request: Request,
    status: int,
    code: str,
    message: str,
    details: Any = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    request_id = getattr(request.state, "request_id", None)
    body = {
        "error": {"code": code, "message": message, "details": details, "request_id": request_id}
    }
    return JSONResponse(body, status_code=status, headers=headers)


def _validation_details(exc: RequestValidationError) -> list[dict[str, Any]]:
    return [
        {"loc": list(e.get("loc", ())), "msg": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]


def install_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AAIEError)
    async def _domain(request: Request, exc: AAIEError) -> JSONResponse:
        return error_response(
            request, exc.status_code, exc.code, exc.message, exc.details, exc.headers
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> JSONResponse:
        details = _validation_details(exc)
        if any(d["type"] == "json_invalid" for d in details):
            return error_response(
                request, 400, "malformed_json", "The request body is not valid JSON.", details
            )
        return error_response(
            request, 422, "validation_error", "The request is not valid.", details
        )

    @app.exception_handler(OperationalError)
    @app.exception_handler(InterfaceError)
    async def _database_away(request: Request, exc: DBAPIError) -> JSONResponse:
        # The database is down, restarting or unreachable: a clean, retryable 503, never a 500.
        # Nothing half-done is kept (the request's transaction rolls back).
        log.warning("database_unavailable", error=type(exc.orig).__name__ if exc.orig else None)
        return error_response(
            request,
            503,
            "service_unavailable",
            "The database is not reachable; try again shortly.",
            None,
            {"Retry-After": str(DATABASE_RETRY_AFTER_S)},
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = _HTTP_CODES.get(exc.status_code, "http_error")
        message = exc.detail if isinstance(exc.detail, str) else code.replace("_", " ")
        if exc.status_code == 404 and message == "Not Found":
            message = "No such route."
        elif exc.status_code == 405:
            message = "This method is not allowed on this route."
        return error_response(
            request, exc.status_code, code, message, None, getattr(exc, "headers", None)
        )


def error_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    """OpenAPI `responses=` entries so every route documents its error statuses."""
    descriptions = {
        400: "Malformed request",
        401: "Missing or invalid token",
        403: "Role not allowed",
        404: "Not found (or not visible to you)",
        409: "Conflict",
        413: "Too large",
        415: "Unsupported media type",
        422: "Validation error",
        429: "Rate limited",
        503: "Not ready",
    }
    return {
        s: {"model": ErrorEnvelope, "description": descriptions.get(s, "Error")} for s in statuses
    }
