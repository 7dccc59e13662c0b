"""Process-wide objects the app builds once at start-up and the dependencies hand out."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

from aaie.config import Settings
from aaie.security.tokens import TokenService
from aaie.services.ratelimit import CounterStore
from aaie.services.user_lookup import UserLookup


@dataclass
class AppState:
    settings: Settings
    engine: Engine
    sessions: sessionmaker[Session]
    tokens: TokenService
    counters: CounterStore
    users: UserLookup
