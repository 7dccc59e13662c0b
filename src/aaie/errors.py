"""Domain errors. Each carries its HTTP status and a snake_case code; the API renders every
one of them into the common envelope in one place (aaie.api.errors)."""

from __future__ import annotations

from typing import Any


class AAIEError(Exception):
    status_code = 400
    code = "bad_request"
    message = "The request could not be processed."

    def __init__(
        self,
        message: str | None = None,
        *,
        details: Any = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message or self.message)
        self.message = message or self.message
        self.details = details
        self.headers = headers


class BadRequest(AAIEError):
    pass


class Unauthorized(AAIEError):
    status_code, code, message = 401, "unauthorized", "Authentication is required."


class Forbidden(AAIEError):
    status_code, code, message = 403, "forbidden", "Your role may not do this."


class WrongPassword(AAIEError):
    """The current password given to change it is wrong. 403, not 401: the caller is signed
    in, and clients treat a 401 as "the session ended"."""

    status_code, code, message = 403, "wrong_password", "The current password is incorrect."


class PasswordChangeRequired(AAIEError):
    """The account's password is temporary: only `GET /api/auth/me` and
    `POST /api/auth/password` answer until the user has chosen their own."""

    status_code, code = 403, "password_change_required"
    message = "Choose your own password first (POST /api/auth/password): this one is temporary."


class NotFound(AAIEError):
    status_code, code, message = 404, "not_found", "The resource does not exist."


class Conflict(AAIEError):
    status_code, code, message = 409, "conflict", "The request conflicts with the current state."


class PayloadTooLarge(AAIEError):
    status_code, code, message = 413, "payload_too_large", "The request is too large."


class UnsupportedMediaType(AAIEError):
    status_code, code, message = 415, "unsupported_media_type", "This file type is not accepted."


class ValidationFailed(AAIEError):
    status_code, code, message = 422, "validation_error", "The request is not valid."


class UnsupportedLanguage(AAIEError):
    """The detector was validated on English only: another language gets this, not a guess."""

    status_code, code = 422, "unsupported_language"
    message = "The text is not in a language the detector supports."


class RateLimited(AAIEError):
    status_code, code, message = 429, "rate_limited", "Too many requests; try again later."


class ServiceUnavailable(AAIEError):
    status_code, code, message = 503, "service_unavailable", "The service is not ready."
