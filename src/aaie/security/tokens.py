"""JWT access tokens: HS256 pinned, `kid` header names the key, `exp`/`iat` required.

Key rotation: the current key signs; previous keys (AAIE_JWT_PREVIOUS_SECRETS) still verify
until their tokens expire. A key's id is a short hash of the key, so no registry is needed.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

import jwt

ALGORITHM = "HS256"


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
        return jwt.encode(claims, self._current, algorithm=ALGORITHM,
                          headers={"kid": key_id(self._current)})

    def verify(self, token: str) -> TokenClaims:
        try:
            kid = jwt.get_unverified_header(token).get("kid")
            secret = self._keys.get(kid) if isinstance(kid, str) else None
            if secret is None:
                raise InvalidToken("unknown signing key")
            claims = jwt.decode(token, secret, algorithms=[ALGORITHM],
                                options={"require": ["exp", "iat", "sub"]})
            return TokenClaims(uuid.UUID(claims["sub"]), str(claims.get("role", "")),
                               int(claims.get("ver", 0)))
        except (jwt.PyJWTError, ValueError, KeyError) as exc:
            raise InvalidToken(str(exc)) from exc
