"""The token: its signature (joserfc, a key from the cached key set) and its claims.

Asymmetric algorithms only, a ``kid`` from the key set, the JWK's ``alg`` (if any) equal to the
header's, exact ``iss``, ``exp`` required, ``nbf``/``iat`` honoured, client or audience,
``token_use``, and a username that cannot widen the policy. Every refusal carries a fixed,
loggable reason (never a claim's value)."""

from __future__ import annotations

import json
import re
import unicodedata
from typing import Any

from joserfc import jws, jwt
from joserfc.errors import (
    BadSignatureError,
    DecodeError,
    ExceededSizeError,
    ExpiredTokenError,
    InvalidClaimError,
    InvalidPayloadError,
    JoseError,
    MissingClaimError,
    UnsupportedAlgorithmError,
)
from joserfc.jwk import GuestProtocol

from .cache import KeySet
from .errors import Refused
from .jwk import ALLOWED_ALGORITHMS, PublicKey
from .logs import loggable
from .settings import Settings

MAX_TOKEN_BYTES = 8 * 1024
MAX_USERNAME_LENGTH = 128
# Characters IAM treats specially in a resource ARN (wildcards, path separator, policy
# variables); whitespace and control characters are outside Cognito's pattern anyway.
_FORBIDDEN_IN_USERNAME = frozenset("*?/$")
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_REGISTRY = jws.JWSRegistry(algorithms=sorted(ALLOWED_ALGORITHMS))


def username_is_safe(name: object) -> bool:
    """Cognito's username pattern ``[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+`` without ``* ? / $``."""
    if not isinstance(name, str) or not 0 < len(name) <= MAX_USERNAME_LENGTH:
        return False
    return all(c not in _FORBIDDEN_IN_USERNAME and unicodedata.category(c)[0] in "LMSNP" for c in name)


def claims_registry(settings: Settings) -> jwt.JWTClaimsRegistry:
    """exp required, nbf and iat honoured (numbers only), iss exact, sub a string, aud if configured."""
    options: dict[str, Any] = {
        "iss": {"essential": True, "value": settings.issuer},
        "exp": {"essential": True},
        "sub": {"essential": True},
    }
    if settings.audience:
        options["aud"] = {"essential": True, "value": settings.audience}
    return jwt.JWTClaimsRegistry(leeway=settings.leeway, **options)


def _header_fields(token: str) -> tuple[object, object]:
    """(kid, alg) from the header of a token that was refused, for the log line only."""
    try:
        header = jws.extract_compact(token.encode()).headers()
        return header.get("kid"), header.get("alg")
    except Exception:
        return None, None


def _unverified_sub(token: str) -> object:
    try:
        payload = json.loads(jws.extract_compact(token.encode()).payload)
        return payload.get("sub") if isinstance(payload, dict) else None
    except Exception:
        return None


def _reason(error: Exception) -> str:
    """A fixed, loggable reason (joserfc's descriptions name the claim, never its value)."""
    if isinstance(error, ExpiredTokenError):
        return "token expired"
    if isinstance(error, MissingClaimError):
        return f"claim {error.claim} missing"
    if isinstance(error, InvalidClaimError):
        return {"iss": "wrong issuer", "aud": "wrong audience"}.get(
            error.claim, f"claim {error.claim}: {error.description}"
        )
    if isinstance(error, BadSignatureError):
        return "bad signature"
    if isinstance(error, UnsupportedAlgorithmError):
        return "algorithm not allowed"
    if isinstance(error, InvalidPayloadError):
        return "payload is not a JSON object"
    if isinstance(error, ExceededSizeError):
        return "token part too large"
    if isinstance(error, (DecodeError, UnicodeDecodeError, ValueError)):
        return "malformed token (not base64url JSON)"
    if isinstance(error, JoseError):
        return f"malformed token header ({type(error).__name__})"
    return f"invalid token ({type(error).__name__})"


def verify_token(
    token: str, settings: Settings, keys: KeySet, registry: jwt.JWTClaimsRegistry | None = None
) -> tuple[dict[str, Any], str]:
    """The verified claims of ``token`` and its ``kid``, or ``Refused`` with the reason.

    joserfc parses the token once, checks the header against the allowed algorithms, asks
    ``KeySet`` for the key by ``kid`` (which checks the JWK's ``alg`` and type), verifies the
    signature and then the claims; the Cognito/OIDC specifics follow here."""
    if len(token) > MAX_TOKEN_BYTES:
        raise Refused("token larger than 8 KiB")
    if not _TOKEN_RE.fullmatch(token):
        raise Refused("token is not three base64url segments")
    seen: dict[str, Any] = {}

    def resolve_key(obj: GuestProtocol) -> PublicKey:
        header = obj.headers()
        kid, alg = header.get("kid"), header["alg"]
        seen["kid"] = kid
        if not isinstance(kid, str) or not kid:
            raise Refused("kid missing or not a string", kid=kid)
        return keys.key_for(kid, alg)

    try:
        claims = jwt.decode(token, resolve_key, registry=_REGISTRY).claims
        (registry or claims_registry(settings)).validate(claims)
    except Refused:
        raise
    except Exception as error:
        kid, alg = seen.get("kid"), None
        if "kid" not in seen:
            kid, alg = _header_fields(token)
        reason = _reason(error)
        if reason == "algorithm not allowed":
            reason = f"algorithm {loggable(repr(alg), 24)} not allowed"
        # Claims are checked after the signature: then the sub is the issuer's, worth logging.
        checked = isinstance(error, (MissingClaimError, InvalidClaimError, ExpiredTokenError))
        raise Refused(reason, kid=kid, sub=_unverified_sub(token) if checked else None) from None
    kid, sub = seen["kid"], claims["sub"]
    if settings.token_use is not None and claims.get("token_use") != settings.token_use:
        raise Refused(f"token_use is not {settings.token_use}", kid=kid, sub=sub)
    client_id = claims.get("client_id")
    if settings.client_ids and not (isinstance(client_id, str) and client_id in settings.client_ids):
        raise Refused("client_id not allowed", kid=kid, sub=sub)
    if not username_is_safe(claims.get(settings.username_claim)):
        raise Refused(f"{settings.username_claim} missing or not a safe username", kid=kid, sub=sub)
    return claims, kid
