"""The token: its signature (a key from the cached key set, checked with `cryptography`) and its claims.

A compact JWS of three base64url segments, at most 8 KiB (the header at most 512 characters,
the signature 1024). The header: a JSON object of RFC 7515's parameters only, each of its type,
whose ``alg`` is an asymmetric algorithm, with a ``kid`` from the key set, no ``crit`` (no
extension is understood, RFC 7515 4.1.11), and the ``typ`` configured (RFC 9068's ``at+jwt``). The
key: the JWK's ``alg`` (if any) equal to the header's, its family and curve fitting it. The
signature over ``<header>.<payload>`` checked before the payload is read. The claims: exact
``iss``; ``exp`` required, ``nbf``/``iat`` honoured (NumericDate numbers, with the configured
leeway); ``sub`` a non-empty string; ``aud`` if configured; ``client_id``, ``token_use``,
``email_verified`` as configured; a username that cannot widen the policy.

Every refusal carries a fixed, loggable reason (never a claim's value). Parsing is done here
rather than by a JOSE library: the library measured (joserfc) spent as much again as the RSA
check itself around it, which left no room for the proof within the warm budget (3x a bare
RSA-SHA256 verify, `bench/`); `tests/functions/test_authorizer_differential.py` holds this
module to joserfc's answers on the same tokens."""

from __future__ import annotations

import binascii
import json
import math
import re
import time
import unicodedata
from collections.abc import Callable
from typing import Any

from .cache import KeySet
from .errors import Refused
from .jwk import ALLOWED_ALGORITHMS
from .logs import loggable
from .settings import Settings

MAX_TOKEN_BYTES = 8 * 1024
MAX_USERNAME_LENGTH = 128
# Characters IAM treats specially in a resource ARN (wildcards, path separator, policy
# variables); whitespace and control characters are outside Cognito's pattern anyway.
_FORBIDDEN_IN_USERNAME = frozenset("*?/$")
_TOKEN_RE = re.compile(r"([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)")
# Headers seen (by their base64url text): most tokens of an issuer share a handful.
_HEADERS: dict[str, dict[str, Any]] = {}
_MAX_HEADERS = 64
MALFORMED = "malformed token (not base64url JSON)"
# Segment sizes (base64url characters) beyond which a token is refused unread.
MAX_HEADER_CHARS = 512
MAX_SIGNATURE_CHARS = 1024


def _is_str(value: object) -> bool:
    return isinstance(value, str)


def _is_url(value: object) -> bool:
    return isinstance(value, str) and value.startswith(("http://", "https://"))


def _is_strings(value: object) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _is_object(value: object) -> bool:
    return isinstance(value, dict)


def _is_bool(value: object) -> bool:
    return isinstance(value, bool)


# The JWS header parameters of RFC 7515 and 7797 and the shape of each; any other parameter is
# refused (nothing here understands it). alg and kid are checked with their own reasons.
_HEADER_PARAMETERS: dict[str, Callable[[object], bool]] = {
    "alg": _is_str,
    "jku": _is_url,
    "jwk": _is_object,
    "kid": _is_str,
    "x5u": _is_url,
    "x5c": _is_strings,
    "x5t": _is_str,
    "x5t#S256": _is_str,
    "typ": _is_str,
    "cty": _is_str,
    "crit": _is_strings,
    "b64": _is_bool,
}


def _b64(segment: str) -> bytes:
    """A base64url segment's bytes (the regex admitted only the alphabet)."""
    if len(segment) % 4 == 1:
        raise ValueError("truncated base64url")
    return binascii.a2b_base64(segment.replace("-", "+").replace("_", "/") + "=" * (-len(segment) % 4))


def _header(segment: str) -> dict[str, Any]:
    header = _HEADERS.get(segment)
    if header is None:
        try:
            header = json.loads(_b64(segment))
        except (ValueError, UnicodeDecodeError):
            raise Refused(MALFORMED) from None
        if not isinstance(header, dict):
            raise Refused("malformed token header (not a JSON object)")
        for name, value in header.items():
            shape = _HEADER_PARAMETERS.get(name)
            if shape is None:
                raise Refused("malformed token header (an unknown parameter)")
            if name not in ("alg", "kid") and not shape(value):
                raise Refused(f"malformed token header ({name} of the wrong type)")
        if len(_HEADERS) >= _MAX_HEADERS:
            _HEADERS.clear()
        _HEADERS[segment] = header
    return header


def username_is_safe(name: object) -> bool:
    """Cognito's username pattern ``[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+`` without ``* ? / $``."""
    if not isinstance(name, str) or not 0 < len(name) <= MAX_USERNAME_LENGTH:
        return False
    if name.isascii():  # the usual case: printable, no space, none of * ? / $
        return name.isprintable() and " " not in name and not (_FORBIDDEN_IN_USERNAME & set(name))
    return all(c not in _FORBIDDEN_IN_USERNAME and unicodedata.category(c)[0] in "LMSNP" for c in name)


def _numeric_date(claims: dict[str, Any], name: str) -> int | float | None:
    """A NumericDate claim (an int or a finite float; never a bool, a string or null), or None if absent."""
    if name not in claims:
        return None
    value = claims[name]
    if type(value) is int or (type(value) is float and math.isfinite(value)):
        return value  # an int stays one: exact, however large
    raise Refused(f"claim {name}: Claim '{name}' must be a NumericDate value")


def _typ(value: object) -> str | None:
    """A ``typ`` header as a media type without ``application/`` (RFC 7515 4.1.9), lowercase."""
    if not isinstance(value, str):
        return None
    value = value.lower()
    return value[len("application/") :] if value.startswith("application/") else value


def _check_header(header: dict[str, Any], settings: Settings) -> tuple[str, str]:
    alg, kid = header.get("alg"), header.get("kid")
    if not isinstance(alg, str):
        raise Refused("malformed token header (alg missing or not a string)")
    if alg not in ALLOWED_ALGORITHMS:
        raise Refused(f"algorithm {loggable(repr(alg), 24)} not allowed")
    if "crit" in header:
        raise Refused("malformed token header (crit: no extension is supported)")
    if header.get("b64") is False:  # RFC 7797's unencoded payload: not a JWT
        raise Refused("malformed token header (b64: false is not supported)")
    if not isinstance(kid, str) or not kid:
        raise Refused("kid missing or not a string", kid=kid if isinstance(kid, str) else None)
    if settings.token_type is not None and _typ(header.get("typ")) != settings.token_type:
        raise Refused(f"token typ is not {settings.token_type}", kid=kid)
    return alg, kid


def _check_claims(claims: dict[str, Any], settings: Settings, kid: str) -> None:
    now, leeway = time.time(), settings.leeway
    sub = claims.get("sub")
    try:
        exp = _numeric_date(claims, "exp")
        if exp is None:
            raise Refused("claim exp missing")
        nbf, iat = _numeric_date(claims, "nbf"), _numeric_date(claims, "iat")
        if now >= exp + leeway:
            raise Refused("token expired")
        if nbf is not None and nbf > now + leeway:
            raise Refused("claim nbf: The token is not yet valid")
        if iat is not None and iat > now + leeway:
            raise Refused("claim iat: The token was issued in the future")
        if "iss" not in claims:
            raise Refused("claim iss missing")
        if claims["iss"] != settings.issuer:
            raise Refused("wrong issuer")
        if sub is None:
            raise Refused("claim sub missing")
        if not isinstance(sub, str):
            raise Refused("claim sub: Claim 'sub' must be a StringOrURI value")
        if not sub:
            raise Refused("claim sub: Invalid claim: 'sub'")
        if "jti" in claims and not isinstance(claims["jti"], str):
            raise Refused("claim jti: Claim 'jti' must be a string")
        aud = claims.get("aud")
        if "aud" in claims and not (
            isinstance(aud, str) or (isinstance(aud, list) and all(isinstance(a, str) for a in aud))
        ):
            raise Refused("wrong audience")
        if settings.audience is not None:
            if aud is None:
                raise Refused("claim aud missing")
            if settings.audience not in (aud if isinstance(aud, list) else [aud]):
                raise Refused("wrong audience")
    except Refused as refused:
        refused.kid, refused.sub = kid, sub  # after the signature: the issuer's sub, worth logging
        raise
    if settings.token_use is not None and claims.get("token_use") != settings.token_use:
        raise Refused(f"token_use is not {settings.token_use}", kid=kid, sub=sub)
    client_id = claims.get("client_id")
    if settings.client_ids and not (isinstance(client_id, str) and client_id in settings.client_ids):
        raise Refused("client_id not allowed", kid=kid, sub=sub)
    if settings.require_email_verified:
        verified = claims.get("email_verified")
        if not (verified is True or (isinstance(verified, str) and verified.lower() == "true")):
            raise Refused("email not verified", kid=kid, sub=sub)
    if not username_is_safe(claims.get(settings.username_claim)):
        raise Refused(f"{settings.username_claim} missing or not a safe username", kid=kid, sub=sub)


def verify_token(token: str, settings: Settings, keys: KeySet) -> tuple[dict[str, Any], str]:
    """The verified claims of ``token`` and its ``kid``, or ``Refused`` with the reason."""
    if len(token) > MAX_TOKEN_BYTES:
        raise Refused("token larger than 8 KiB")
    match = _TOKEN_RE.fullmatch(token)
    if not match:
        raise Refused("token is not three base64url segments")
    header_part, payload_part, signature_part = match.groups()
    if len(header_part) > MAX_HEADER_CHARS or len(signature_part) > MAX_SIGNATURE_CHARS:
        raise Refused("token part too large")
    alg, kid = _check_header(_header(header_part), settings)
    key = keys.key_for(kid, alg)
    try:
        signature = _b64(signature_part)
    except ValueError:
        raise Refused(MALFORMED, kid=kid) from None
    signing_input = token[: len(header_part) + 1 + len(payload_part)].encode("ascii")
    if not key.verify(alg, signature, signing_input):
        raise Refused("bad signature", kid=kid)
    try:
        claims = json.loads(_b64(payload_part).decode("utf-8"))  # a str: json skips guessing the encoding
    except (ValueError, UnicodeDecodeError):
        raise Refused("payload is not a JSON object", kid=kid) from None
    if not isinstance(claims, dict):
        raise Refused("payload is not a JSON object", kid=kid)
    _check_claims(claims, settings, kid)
    return claims, kid
