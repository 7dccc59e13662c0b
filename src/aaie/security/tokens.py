"""JWT access tokens: HS256 pinned, `kid` header names the key, `exp`/`iat` required.

Key rotation: the current key signs; previous keys (AAIE_JWT_PREVIOUS_SECRETS) still verify
until their tokens expire. A key's id is a short hash of the key, so no registry is needed.
"""

from __future__ import annotations

import hashlib
import secrets
import time
import uuid
from collections import OrderedDict
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

from aaie.config import Settings
from aaie.engine.atomic_file import create_once

ALGORITHM = "HS256"
_VERIFIED_CACHE_SIZE = 4096
JWT_SECRET_FILE = "jwt_secret"


def signing_secret(settings: Settings) -> str:
    """The JWT key: from settings, else generated once and persisted in the data dir. Every
    process (each gunicorn worker) reads the same file, and the first complete key written wins,
    so a token signed by one worker is accepted by the others."""
    if settings.jwt_secret is not None:
        return settings.jwt_secret.get_secret_value()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    generated = secrets.token_urlsafe(48).encode()
    return create_once(settings.data_dir / JWT_SECRET_FILE, generated).decode().strip()


def key_id(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()[:16]


@dataclass(frozen=True)
class TokenClaims:
    user_id: uuid.UUID
    role: str
    token_version: int


class InvalidToken(Exception):
    pass


class TokenService:
    def __init__(self, current_secret: str, previous_secrets: list[str], ttl_s: int) -> None:
        self._current = current_secret
        self._keys = {key_id(s): s for s in [*previous_secrets, current_secret]}
        self.ttl_s = ttl_s
        self._verified: OrderedDict[str, tuple[TokenClaims, float]] = OrderedDict()

    def issue(self, user_id: uuid.UUID, role: str, token_version: int) -> str:
        now = datetime.now(UTC)
        claims = {
            "sub": str(user_id),
            "role": role,
            "ver": token_version,
            "iat": now,
            "exp": now + timedelta(seconds=self.ttl_s),
            "jti": uuid.uuid4().hex,
        }
        return jwt.encode(
            claims, self._current, algorithm=ALGORITHM, headers={"kid": key_id(self._current)}
        )

    def verify(self, token: str) -> TokenClaims:
        """Check signature, algorithm, `kid`, `exp` and `iat`; return the claims.

        A verified token is remembered (bounded LRU) with its expiry, so repeat requests with
        the same token skip the signature work; the expiry is still checked every time."""
        cached = self._verified.get(token)
        if cached is not None:
            claims, expires_at = cached
            if time.time() < expires_at:
                self._verified.move_to_end(token)
                return claims
            self._verified.pop(token, None)
        claims, expires_at = self._verify_signature(token)
        self._verified[token] = (claims, expires_at)
        if len(self._verified) > _VERIFIED_CACHE_SIZE:
            self._verified.popitem(last=False)
        return claims

    def _verify_signature(self, token: str) -> tuple[TokenClaims, float]:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            secret = self._keys.get(kid) if isinstance(kid, str) else None
            if secret is None:
                raise InvalidToken("unknown signing key")
            claims = jwt.decode(
                token, secret, algorithms=[ALGORITHM], options={"require": ["exp", "iat", "sub"]}
            )
            parsed = TokenClaims(
                uuid.UUID(claims["sub"]), str(claims.get("role", "")), int(claims.get("ver", 0))
            )
            return parsed, float(claims["exp"])
        except (jwt.PyJWTError, ValueError, KeyError) as exc:
            raise InvalidToken(str(exc)) from exc
