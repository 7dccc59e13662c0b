"""Request bodies are bounded before they are read, on every route (pure ASGI middleware).

- A declared `Content-Length` over the limit is answered 413 at once: nothing of the body is
  read or buffered (the connection is then closed by the server).
- A body without one (chunked) is counted as it arrives; the chunk that crosses the limit ends
  the request with 413, so no more than the limit is ever held.

Multipart bodies (uploads) get the upload limit plus room for the form's framing; everything
else (JSON) gets `Settings.json_body_limit`. Routes still check their own finer limits (text
length, upload size) on what they parsed.
"""

from __future__ import annotations

import json

from starlette.exceptions import HTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from aaie.api.uploads import FORM_OVERHEAD
from aaie.config import Settings


class BodyTooLarge(HTTPException):
    """Raised from `receive` once a streamed body passes its limit; rendered as the 413
    envelope by the app's HTTPException handler (or by the middleware if it escapes)."""

    def __init__(self, limit: int) -> None:
        super().__init__(413, f"The request body is larger than the {limit:,}-byte limit.")
        self.limit = limit


class BodyLimitMiddleware:
    def __init__(self, app: ASGIApp, settings: Settings) -> None:
        self.app = app
        self.json_limit = settings.json_body_limit
        self.multipart_limit = settings.max_upload_bytes + FORM_OVERHEAD

    def limit_for(self, scope: Scope) -> int:
        content_type = _header(scope, b"content-type") or b""
        if content_type.lower().startswith(b"multipart/"):
            return self.multipart_limit
        return self.json_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = self.limit_for(scope)
        declared = _header(scope, b"content-length")
        if declared is not None and (not declared.isdigit() or int(declared) > limit):
            await _send_413(scope, send, limit)
            return

        received = 0
        response_started = False

        async def counting_receive() -> Message:
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal response_started
            if message["type"] == "http.response.start":
                response_started = True
            await send(message)

        try:
            await self.app(scope, counting_receive, tracking_send)
        except BodyTooLarge:
            if response_started:
                raise
            await _send_413(scope, send, limit)


def _header(scope: Scope, name: bytes) -> bytes | None:
    for key, value in scope.get("headers", []):
        if key == name:
            return bytes(value).strip()
    return None


async def _send_413(scope: Scope, send: Send, limit: int) -> None:
    request_id = scope.get("state", {}).get("request_id")
    body = json.dumps(
        {
            "error": {
                "code": "payload_too_large",
                "message": f"The request body is larger than the {limit:,}-byte limit.",
                "details": {"max_bytes": limit},
                "request_id": request_id,
            }
        }
    ).encode()
    await send(
        {
            "type": "http.response.start",
            "status": 413,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(body)).encode()),
                (b"connection", b"close"),
            ],
        }
    )
    await send({"type": "http.response.body", "body": body})
