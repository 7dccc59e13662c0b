"""Browser sessions: the access token in an HttpOnly cookie, and a CSRF token bound to it.

The web app (`aaie.web`) signs a user in by putting the same short-lived JWT the API hands out
into an HttpOnly, SameSite=Lax cookie, so page scripts never see it. A request authenticated by
that cookie that changes state (any method but GET/HEAD/OPTIONS) must also carry the session's
CSRF token in the `X-CSRF-Token` header (or a form's `csrf_token` field): an HMAC of the session
token, which another site can neither read nor compute. Bearer-token callers are unaffected.
"""

from __future__ import annotations

import hashlib
import hmac

SESSION_COOKIE = "aaie_session"
CSRF_HEADER = "X-CSRF-Token"
CSRF_FIELD = "csrf_token"
SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})


def csrf_token(session_token: str) -> str:
    """The CSRF token of a session (deterministic, so no server-side state is needed)."""
    return hmac.new(session_token.encode(), b"aaie-csrf-v1", hashlib.sha256).hexdigest()


def csrf_valid(session_token: str, presented: str | None) -> bool:
    return bool(presented) and hmac.compare_digest(csrf_token(session_token), presented or "")
