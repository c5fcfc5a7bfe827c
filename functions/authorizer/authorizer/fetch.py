"""The issuer's key set over HTTP: short timeout, no redirect, bounded size.

urllib is imported on the first fetch, not at the container's start (it is most of a cold start's
imports otherwise)."""

from __future__ import annotations

import json
from typing import IO, TYPE_CHECKING
from urllib.parse import urlsplit

from .jwk import PublicKey, parse_jwks
from .urls import is_loopback

if TYPE_CHECKING:
    from email.message import Message
    from urllib.request import OpenerDirector, Request

MAX_JWKS_BYTES = 256 * 1024
JWKS_TIMEOUT_SECONDS = 2.0
USER_AGENT = "studio-access-authorizer"


def _opener(url: str) -> OpenerDirector:
    """An opener that follows no redirect (and never proxies a loopback host)."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(
            self, req: Request, fp: IO[bytes], code: int, msg: str, headers: Message, newurl: str
        ) -> Request | None:
            raise ValueError(f"key set URL answered a redirect ({code})")

    handlers: list[urllib.request.BaseHandler | type[urllib.request.BaseHandler]] = [NoRedirect]
    if is_loopback(urlsplit(url).hostname):
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


def fetch_jwks(url: str, timeout: float | None = None) -> dict[str, PublicKey]:
    """GET the key set (short timeout, no redirects, bounded size), its usable keys loaded."""
    import urllib.request

    timeout = JWKS_TIMEOUT_SECONDS if timeout is None else timeout
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": USER_AGENT})
    with _opener(url).open(request, timeout=timeout) as response:
        if response.status != 200:
            raise ValueError(f"key set URL answered {response.status}")
        body = response.read(MAX_JWKS_BYTES + 1)
    if len(body) > MAX_JWKS_BYTES:
        raise ValueError("key set larger than 256 KiB")
    return parse_jwks(json.loads(body))
