"""Who may read `/metrics`: callers from `AAIE_METRICS_ALLOW` (loopback by default), or anyone
sending `Authorization: Bearer <AAIE_METRICS_TOKEN>`. Everyone else gets 403.

Behind a reverse proxy on the same host every caller looks like loopback unless the proxy sets
X-Forwarded-For (uvicorn trusts it from 127.0.0.1): docs/operations.md says what to set."""

from __future__ import annotations

import hmac
import ipaddress

from fastapi import Request

from aaie.api.deps import State
from aaie.errors import Forbidden


async def require_metrics_access(request: Request, state: State) -> None:
    settings = state.settings
    token = settings.metrics_token.get_secret_value() if settings.metrics_token else None
    if token:
        scheme, _, sent = request.headers.get("authorization", "").partition(" ")
        if scheme.lower() == "bearer" and hmac.compare_digest(sent.strip(), token):
            return
    host = request.client.host if request.client else None
    if host is not None and _allowed(host, settings.metrics_allow):
        return
    raise Forbidden("Metrics are readable from allowed addresses or with the metrics token.")


def _allowed(host: str, networks: list[str]) -> bool:
    try:
        address = ipaddress.ip_address(host)
    except ValueError:
        return False  # not an address (a test client, a unix socket): only the token works
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        address = address.ipv4_mapped
    return any(address in ipaddress.ip_network(n, strict=False) for n in networks)
