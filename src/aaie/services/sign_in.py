"""Signing in with e-mail and password: the one path for the API's login and the web app's.

Repeated failures for one e-mail from one client address lock it out for a while
(`AAIE_LOGIN_MAX_FAILURES` in `AAIE_LOGIN_LOCKOUT_S`), whichever door they came through."""

from __future__ import annotations

from sqlalchemy.orm import Session

from aaie.config import Settings
from aaie.db.models import User
from aaie.errors import Unauthorized
from aaie.services import users
from aaie.services.ratelimit import CounterStore, refuse_when_locked_out

BAD_CREDENTIALS = "Email or password is incorrect."


def sign_in(
    session: Session,
    settings: Settings,
    counters: CounterStore,
    email: str,
    password: str,
    client_ip: str,
) -> User:
    """The user for these credentials; Unauthorized or RateLimited (with Retry-After)."""
    throttle_key = f"login:{users.normalise_email(email)}:{client_ip}"
    refuse_when_locked_out(counters, throttle_key, settings.login_max_failures, "failed logins")
    user = users.authenticate(session, email, password)
    if user is None:
        counters.hit(throttle_key, settings.login_lockout_s)
        raise Unauthorized(BAD_CREDENTIALS)
    counters.reset(throttle_key)
    return user
