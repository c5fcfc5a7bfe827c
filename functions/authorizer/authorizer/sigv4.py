"""AWS Signature Version 4 for one JSON POST, with the standard library (the authorizer has no SDK).

Only what a KMS call needs: ``POST /`` with an empty query, the body's SHA-256 in the canonical
request, the headers ``content-type``, ``host``, ``x-amz-date``, ``x-amz-target`` and (for role
credentials) ``x-amz-security-token`` signed. The day's signing key is derived once per day,
region, service and secret, and kept (one HMAC per request instead of five).
`tests/functions/test_authorizer_sigv4.py` checks the result against botocore's signer."""

from __future__ import annotations

import hashlib
import hmac
import time
from dataclasses import dataclass

ALGORITHM = "AWS4-HMAC-SHA256"


@dataclass(frozen=True)
class Credentials:
    access_key: str
    secret_key: str
    token: str | None = None


_keys: dict[tuple[str, str, str, str], bytes] = {}
_stamp: tuple[int, str] = (-1, "")  # the last second formatted, and its x-amz-date


def amz_date(now: float) -> str:
    """``YYYYMMDDTHHMMSSZ`` of ``now`` (kept for the second: most calls of a second share it)."""
    global _stamp
    second = int(now)
    if _stamp[0] != second:
        _stamp = (second, time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(second)))
    return _stamp[1]


def _signing_key(secret: str, day: str, region: str, service: str) -> bytes:
    cache_key = (secret, day, region, service)
    key = _keys.get(cache_key)
    if key is None:
        key = ("AWS4" + secret).encode()
        for part in (day, region, service, "aws4_request"):
            key = hmac.new(key, part.encode(), hashlib.sha256).digest()
        if len(_keys) > 8:  # a new day or new credentials: the old keys are done with
            _keys.clear()
        _keys[cache_key] = key
    return key


def signed_headers(
    *,
    host: str,
    target: str,
    content_type: str,
    body: bytes,
    credentials: Credentials,
    region: str,
    service: str,
    now: float | None = None,
) -> dict[str, str]:
    """The headers of a signed ``POST /`` (Host included) for ``body``."""
    stamp = amz_date(time.time() if now is None else now)
    day = stamp[:8]
    token = credentials.token
    # The canonical request (headers in sorted order, values without surrounding blanks).
    security = f"x-amz-security-token:{token.strip()}\n" if token else ""
    names = (
        "content-type;host;x-amz-date;x-amz-security-token;x-amz-target"
        if token
        else ("content-type;host;x-amz-date;x-amz-target")
    )
    canonical = (
        f"POST\n/\n\ncontent-type:{content_type}\nhost:{host}\nx-amz-date:{stamp}\n{security}"
        f"x-amz-target:{target}\n\n{names}\n{hashlib.sha256(body).hexdigest()}"
    )
    scope = f"{day}/{region}/{service}/aws4_request"
    to_sign = f"{ALGORITHM}\n{stamp}\n{scope}\n{hashlib.sha256(canonical.encode()).hexdigest()}"
    signature = hmac.digest(
        _signing_key(credentials.secret_key, day, region, service), to_sign.encode(), "sha256"
    ).hex()
    headers = {"content-type": content_type, "host": host, "x-amz-date": stamp, "x-amz-target": target}
    if token:
        headers["x-amz-security-token"] = token
    headers["authorization"] = (
        f"{ALGORITHM} Credential={credentials.access_key}/{scope}, SignedHeaders={names}, Signature={signature}"
    )
    return headers
