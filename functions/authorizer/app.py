"""API Gateway REST REQUEST authorizer: a bearer JWT in, an IAM policy for ``GET /<own username>`` out.

Environment (read once per container; ``_reset()`` makes the next call read it again):

| variable | default | meaning |
| --- | --- | --- |
| ``TOKEN_ISSUER`` | required | the exact ``iss`` (https; plain http only for a loopback host) |
| ``JWKS_URL`` | ``TOKEN_ISSUER + "/.well-known/jwks.json"`` | the issuer's key set (https; http only on loopback) |
| ``ALLOWED_CLIENT_IDS`` | none | comma-separated; the token's ``client_id`` must be one of them |
| ``AUDIENCE`` | none | the token's ``aud`` must contain it (OIDC access tokens) |
| ``TOKEN_USE`` | ``access`` | required ``token_use``; empty turns the check off (non-Cognito issuers) |
| ``USERNAME_CLAIM`` | ``username`` | the claim that names the user |
| ``LEEWAY_SECONDS`` | ``0`` | clock skew allowed on ``exp``/``nbf``/``iat``, 0-120 |

At least one of ``ALLOWED_CLIENT_IDS`` and ``AUDIENCE`` is required (both are checked when both
are set). A bad value stops the container's start (on Lambda) with one JSON log line naming it.

Behaviour: the ``Authorization`` header is found case-insensitively in ``headers`` and
``multiValueHeaders`` (two different values are refused), ``Bearer`` case-insensitively, then
the token is verified with joserfc: asymmetric algorithms only, a ``kid`` from the key set, the
JWK's ``alg`` (if any) equal to the header's, exact ``iss``, ``exp`` required, ``nbf``/``iat``
honoured, client/audience, ``token_use``, a username that cannot widen the policy. The key set
is fetched with urllib (2 s timeout), cached per container, refetched for an unknown ``kid`` at
most once per 60 s (every 5 s while no key set is held) and at the latest after an hour.

Any refusal raises ``Exception("Unauthorized")`` (API Gateway: 401). Success returns a policy
allowing exactly ``execute-api:Invoke`` on ``.../<stage>/GET/<username>`` of the calling API,
``principalId`` = ``sub`` and ``context`` = ``{username, sub, clientId}``. One JSON log line per
call: the outcome, the reason for a refusal, the ``kid`` and the ``sub`` (never the token).
"""

from __future__ import annotations

import ipaddress
import json
import os
import re
import sys
import time
import unicodedata
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any, Callable
from urllib.parse import urlsplit

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
from joserfc.jwk import ECKey, RSAKey

from contracts import authorizer_env as contract
from contracts import lambda_env

# Asymmetric algorithms only: never "none", never HMAC (whose key would be the public key).
ALLOWED_ALGORITHMS = frozenset({"RS256", "RS384", "RS512", "PS256", "PS384", "PS512", "ES256", "ES384", "ES512"})
_KEY_TYPE = {"RS": "RSA", "PS": "RSA", "ES": "EC"}
_KEY_CLASS = {"RSA": RSAKey, "EC": ECKey}
_REGISTRY = jws.JWSRegistry(algorithms=sorted(ALLOWED_ALGORITHMS))
MAX_TOKEN_BYTES = 8 * 1024
MAX_JWKS_BYTES = 256 * 1024
JWKS_TIMEOUT_SECONDS = 2.0
REFETCH_INTERVAL_SECONDS = 60.0  # an unknown kid refetches at most this often
RETRY_AFTER_FAILURE_SECONDS = 5.0  # while no key set is held
MAX_KEY_SET_AGE_SECONDS = 3600.0  # removed keys stop working within the hour
MAX_USERNAME_LENGTH = 128
# Characters IAM treats specially in a resource ARN (wildcards, path separator, policy
# variables); whitespace and control characters are outside Cognito's pattern anyway.
_FORBIDDEN_IN_USERNAME = frozenset("*?/$")
_TOKEN_RE = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
_METHOD_ARN_RE = re.compile(
    r"arn:(aws[a-z-]*):execute-api:([a-z0-9-]+):(\d{12}):([A-Za-z0-9]+)/([A-Za-z0-9_-]+)/.*", re.S
)


def _monotonic() -> float:
    """The key set's clock (tests move it)."""
    return time.monotonic()


class ConfigError(ValueError):
    """The function's environment is invalid."""


class Refused(Exception):
    """A request that must be refused; ``reason`` is logged, never returned."""

    def __init__(self, reason: str, kid: Any = None, sub: Any = None):
        super().__init__(reason)
        self.reason = reason
        self.kid = kid
        self.sub = sub


# ---------------------------------------------------------------------------- settings


@dataclass(frozen=True)
class Settings:
    issuer: str
    jwks_url: str
    client_ids: frozenset[str]
    audience: str | None
    token_use: str | None
    username_claim: str
    leeway: int


def _is_loopback(host: str | None) -> bool:
    if not host:
        return False
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _check_url(name: str, value: str, problems: list[str]) -> None:
    try:
        parts = urlsplit(value)
        host = parts.hostname
    except ValueError:
        problems.append(f"{name}: {value!r} is not a URL")
        return
    if parts.scheme == "https" and host:
        return
    if parts.scheme == "http" and _is_loopback(host):
        return
    problems.append(f"{name}: {value!r} must be an https URL (plain http only for a loopback host)")


def load_settings(env: Mapping[str, str]) -> Settings:
    """The settings from ``env``; every problem at once in a ``ConfigError``."""
    problems: list[str] = []
    issuer = contract.TOKEN_ISSUER.text(env)
    if not issuer:
        problems.append(f"{contract.TOKEN_ISSUER.name}: required (the exact iss of the tokens)")
    else:
        _check_url(contract.TOKEN_ISSUER.name, issuer, problems)
    jwks_url = contract.JWKS_URL.text(env) or (issuer.rstrip("/") + "/.well-known/jwks.json" if issuer else "")
    if issuer or env.get(contract.JWKS_URL.name):
        _check_url(contract.JWKS_URL.name, jwks_url, problems)
    client_ids = frozenset(c.strip() for c in contract.ALLOWED_CLIENT_IDS.text(env).split(",") if c.strip())
    audience = contract.AUDIENCE.text(env) or None
    if not client_ids and not audience:
        problems.append(
            f"{contract.ALLOWED_CLIENT_IDS.name} or {contract.AUDIENCE.name}: at least one is required"
            " (else any client of the issuer passes)"
        )
    token_use = contract.TOKEN_USE.text(env) or None
    username_claim = contract.USERNAME_CLAIM.text(env)
    if not username_claim:
        problems.append(f"{contract.USERNAME_CLAIM.name}: must not be empty")
    leeway = contract.LEEWAY_SECONDS.integer(env, problems) or 0
    if problems:
        raise ConfigError("invalid authorizer environment: " + "; ".join(problems))
    return Settings(issuer, jwks_url, client_ids, audience, token_use, username_claim, leeway)


# ---------------------------------------------------------------------------- logging


def log(level: str, event: str, **fields: Any) -> None:
    """One JSON line on stdout (CloudWatch keeps it as one structured event)."""
    record = {"level": level, "event": event, **fields}
    sys.stdout.write(json.dumps(record, default=str, separators=(",", ":")) + "\n")


def _loggable(value: Any, limit: int = 80) -> str | None:
    """An attacker-supplied value, short and printable, for a log line."""
    if value is None:
        return None
    text = value if isinstance(value, str) else repr(value)
    text = "".join(c if c.isprintable() else "?" for c in text[:limit])
    return text + ("..." if len(str(value)) > limit else "")


# ---------------------------------------------------------------------------- the header


def bearer_token(event: Any) -> str:
    """The token from the ``Authorization`` header, wherever API Gateway put it."""
    if not isinstance(event, dict):
        raise Refused("event is not an object")
    values: set[str] = set()
    headers = event.get("headers")
    if isinstance(headers, dict):
        for name, value in headers.items():
            if isinstance(name, str) and name.lower() == "authorization":
                if not isinstance(value, str):
                    raise Refused("Authorization header is not a string")
                values.add(value)
    multi = event.get("multiValueHeaders")
    if isinstance(multi, dict):
        for name, items in multi.items():
            if isinstance(name, str) and name.lower() == "authorization":
                if not isinstance(items, list) or not all(isinstance(v, str) for v in items):
                    raise Refused("Authorization header is not a list of strings")
                values.update(items)
    if not values:
        raise Refused("no Authorization header")
    if len(values) > 1:
        raise Refused("two different Authorization headers")
    return parse_authorization(values.pop())


def parse_authorization(value: str) -> str:
    """``Bearer <token>`` (RFC 6750: scheme case-insensitive, one or more spaces)."""
    if len(value) > MAX_TOKEN_BYTES + 64:
        raise Refused("Authorization header larger than 8 KiB")
    value = value.strip(" \t")
    scheme, sep, token = value.partition(" ")
    if not sep or scheme.lower() != "bearer":
        raise Refused("Authorization header is not 'Bearer <token>'")
    token = token.lstrip(" ")
    if not token:
        raise Refused("empty bearer token")
    return token


# ---------------------------------------------------------------------------- keys


def _key_family_ok(kty: Any, alg: str) -> bool:
    return _KEY_TYPE.get(alg[:2]) == kty


def parse_jwks(document: Any) -> dict[str, dict]:
    """The usable signing keys of a JWKS document by ``kid``; unusable ones are left out."""
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("key set has no 'keys' list")
    keys: dict[str, dict] = {}
    duplicates: set[str] = set()
    for jwk in document["keys"]:
        if not isinstance(jwk, dict):
            continue
        kid, kty, alg, use = jwk.get("kid"), jwk.get("kty"), jwk.get("alg"), jwk.get("use")
        if not isinstance(kid, str) or not kid or kty not in _KEY_CLASS:
            continue  # symmetric ("oct") keys and keys without an id are never used
        if use not in (None, "sig"):
            continue
        if alg is not None and (alg not in ALLOWED_ALGORITHMS or not _key_family_ok(kty, alg)):
            continue
        try:
            _KEY_CLASS[kty].import_key(jwk)  # the key must load (size, curve, encoding)
        except Exception:
            continue
        if kid in keys:
            duplicates.add(kid)
        keys[kid] = jwk
    for kid in duplicates:  # ambiguous: which one signed?
        del keys[kid]
    return keys


def _opener(url: str):
    """An opener that follows no redirect (and never proxies a loopback host)."""
    import urllib.request

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, req, fp, code, msg, headers, newurl):  # noqa: D102
            raise ValueError(f"key set URL answered a redirect ({code})")

    handlers: list = [NoRedirect]
    if _is_loopback(urlsplit(url).hostname):
        handlers.append(urllib.request.ProxyHandler({}))
    return urllib.request.build_opener(*handlers)


def fetch_jwks(url: str, timeout: float | None = None) -> dict[str, dict]:
    """GET the key set (short timeout, no redirects, bounded size) and parse it."""
    import urllib.request

    timeout = JWKS_TIMEOUT_SECONDS if timeout is None else timeout
    request = urllib.request.Request(url, headers={"Accept": "application/json", "User-Agent": "studio-access-authorizer"})
    with _opener(url).open(request, timeout=timeout) as response:
        if response.status != 200:
            raise ValueError(f"key set URL answered {response.status}")
        body = response.read(MAX_JWKS_BYTES + 1)
    if len(body) > MAX_JWKS_BYTES:
        raise ValueError("key set larger than 256 KiB")
    return parse_jwks(json.loads(body))


class KeySet:
    """The issuer's keys, cached per container, refetched for an unknown kid at most once per 60 s."""

    def __init__(self, url: str, fetch: Callable[[str], dict[str, dict]] | None = None, clock: Callable[[], float] | None = None):
        self.url = url
        self._fetch = fetch or (lambda u: fetch_jwks(u))
        self._clock = clock or (lambda: _monotonic())
        self._keys: dict[str, dict] | None = None
        self._fetched_at = 0.0
        self._last_fetch: float | None = None  # the last attempt, successful or not
        self._loaded: dict[str, RSAKey | ECKey] = {}
        self.fetches = 0

    def _usable(self, now: float) -> bool:
        return self._keys is not None and now - self._fetched_at < MAX_KEY_SET_AGE_SECONDS

    def _refresh(self, now: float) -> None:
        self._last_fetch = now
        self.fetches += 1
        try:
            keys = self._fetch(self.url)
        except Exception as error:  # a failed fetch refuses, it never allows
            if not self._usable(now):
                self._keys = None
            log("ERROR", "jwks-fetch-failed", error=type(error).__name__, detail=_loggable(str(error), 200))
            return
        self._keys, self._fetched_at, self._loaded = keys, now, {}
        log("INFO", "jwks-fetched", kids=sorted(keys))

    def key_for(self, kid: str, alg: str) -> RSAKey | ECKey:
        """The key for ``kid`` if it may verify ``alg``; ``Refused`` if there is none."""
        now = self._clock()
        if not self._usable(now):  # first use, an hour old, or the last fetch failed
            if self._last_fetch is None or now - self._last_fetch >= RETRY_AFTER_FAILURE_SECONDS:
                self._refresh(now)
            if not self._usable(now):
                raise Refused("signing keys unavailable", kid=kid)
        jwk = self._keys.get(kid)
        if jwk is None and now - self._last_fetch >= REFETCH_INTERVAL_SECONDS:
            self._refresh(now)  # key rotation: a new kid is picked up without a redeploy
            jwk = self._keys.get(kid) if self._usable(now) else None
        if jwk is None:
            raise Refused("unknown kid", kid=kid)
        if jwk.get("alg") is not None and jwk["alg"] != alg:
            raise Refused(f"header alg {alg} differs from the key's {jwk['alg']}", kid=kid)
        if not _key_family_ok(jwk.get("kty"), alg):
            raise Refused(f"header alg {alg} does not fit a {jwk.get('kty')} key", kid=kid)
        loaded = self._loaded.get(kid)
        if loaded is None:
            loaded = self._loaded[kid] = _KEY_CLASS[jwk["kty"]].import_key(jwk)
        return loaded


# ---------------------------------------------------------------------------- the token


def username_is_safe(name: Any) -> bool:
    """Cognito's username pattern ``[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}]+`` without ``* ? / $``."""
    if not isinstance(name, str) or not 0 < len(name) <= MAX_USERNAME_LENGTH:
        return False
    return all(c not in _FORBIDDEN_IN_USERNAME and unicodedata.category(c)[0] in "LMSNP" for c in name)


def _claims_registry(settings: Settings) -> jwt.JWTClaimsRegistry:
    """exp required, nbf and iat honoured (numbers only), iss exact, sub a string, aud if configured."""
    options: dict[str, Any] = {
        "iss": {"essential": True, "value": settings.issuer},
        "exp": {"essential": True},
        "sub": {"essential": True},
    }
    if settings.audience:
        options["aud"] = {"essential": True, "value": settings.audience}
    return jwt.JWTClaimsRegistry(leeway=settings.leeway, **options)


def _header_fields(token: str) -> tuple[Any, Any]:
    """(kid, alg) from the header of a token that was refused, for the log line only."""
    try:
        header = jws.extract_compact(token.encode()).headers()
        return header.get("kid"), header.get("alg")
    except Exception:
        return None, None


def _unverified_sub(token: str) -> Any:
    try:
        return json.loads(jws.extract_compact(token.encode()).payload).get("sub")
    except Exception:
        return None


def _reason(error: Exception) -> str:
    """A fixed, loggable reason (joserfc's descriptions name the claim, never its value)."""
    if isinstance(error, ExpiredTokenError):
        return "token expired"
    if isinstance(error, MissingClaimError):
        return f"claim {error.claim} missing"
    if isinstance(error, InvalidClaimError):
        return {"iss": "wrong issuer", "aud": "wrong audience"}.get(error.claim, f"claim {error.claim}: {error.description}")
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


def verify_token(token: str, settings: Settings, keys: KeySet, registry: jwt.JWTClaimsRegistry | None = None) -> tuple[dict[str, Any], str]:
    """The verified claims of ``token`` and its ``kid``, or ``Refused`` with the reason.

    joserfc parses the token once, checks the header against the allowed algorithms, asks
    ``KeySet`` for the key by ``kid`` (which checks the JWK's ``alg`` and type), verifies the
    signature and then the claims; the Cognito/OIDC specifics follow here."""
    if len(token) > MAX_TOKEN_BYTES:
        raise Refused("token larger than 8 KiB")
    if not _TOKEN_RE.fullmatch(token):
        raise Refused("token is not three base64url segments")
    seen: dict[str, Any] = {}

    def resolve_key(obj: Any) -> RSAKey | ECKey:
        header = obj.headers()
        kid, alg = header.get("kid"), header["alg"]
        seen["kid"] = kid
        if not isinstance(kid, str) or not kid:
            raise Refused("kid missing or not a string", kid=kid)
        return keys.key_for(kid, alg)

    try:
        claims = jwt.decode(token, resolve_key, registry=_REGISTRY).claims
        (registry or _claims_registry(settings)).validate(claims)
    except Refused:
        raise
    except Exception as error:
        kid, alg = seen.get("kid"), None
        if "kid" not in seen:
            kid, alg = _header_fields(token)
        reason = _reason(error)
        if reason == "algorithm not allowed":
            reason = f"algorithm {_loggable(repr(alg), 24)} not allowed"
        # Claims are checked after the signature: then the sub is the issuer's, worth logging.
        sub = _unverified_sub(token) if isinstance(error, (MissingClaimError, InvalidClaimError, ExpiredTokenError)) else None
        raise Refused(reason, kid=kid, sub=sub) from None
    kid, sub = seen["kid"], claims["sub"]
    if settings.token_use is not None and claims.get("token_use") != settings.token_use:
        raise Refused(f"token_use is not {settings.token_use}", kid=kid, sub=sub)
    client_id = claims.get("client_id")
    if settings.client_ids and not (isinstance(client_id, str) and client_id in settings.client_ids):
        raise Refused("client_id not allowed", kid=kid, sub=sub)
    if not username_is_safe(claims.get(settings.username_claim)):
        raise Refused(f"{settings.username_claim} missing or not a safe username", kid=kid, sub=sub)
    return claims, kid


# ---------------------------------------------------------------------------- the policy


def allow_policy(method_arn: Any, username: str, sub: str, client_id: str) -> dict[str, Any]:
    """Allow exactly ``GET /<username>`` on the stage that called, nothing else."""
    match = _METHOD_ARN_RE.fullmatch(method_arn) if isinstance(method_arn, str) else None
    if not match:
        raise Refused("methodArn is not an execute-api method ARN", sub=sub)
    partition, region, account, api_id, stage = match.groups()
    resource = f"arn:{partition}:execute-api:{region}:{account}:{api_id}/{stage}/GET/{username}"
    return {
        "principalId": sub,
        "policyDocument": {
            "Version": "2012-10-17",
            "Statement": [{"Action": "execute-api:Invoke", "Effect": "Allow", "Resource": resource}],
        },
        "context": {"username": username, "sub": sub, "clientId": client_id},
    }


# ---------------------------------------------------------------------------- state and handler


class _State:
    def __init__(self, env=os.environ):
        self.settings = load_settings(env)
        self.keys = KeySet(self.settings.jwks_url)
        self.claims = _claims_registry(self.settings)


_state_: _State | None = None


def _state() -> _State:
    global _state_
    if _state_ is None:
        try:
            _state_ = _State()
        except ConfigError as error:
            log("ERROR", "config-invalid", error=str(error))
            raise
    return _state_


def _reset() -> None:
    """Forget the settings and cached keys; the next call reads the environment again (tests)."""
    global _state_
    _state_ = None


def authorize(event: Any, state: _State) -> dict[str, Any]:
    token = bearer_token(event)
    claims, kid = verify_token(token, state.settings, state.keys, state.claims)
    username, sub = claims[state.settings.username_claim], claims["sub"]
    client_id = claims.get("client_id")
    if not isinstance(client_id, str):
        client_id = claims.get("azp") if isinstance(claims.get("azp"), str) else ""
    try:
        policy = allow_policy(event.get("methodArn"), username, sub, client_id)
    except Refused as refused:
        refused.kid = kid
        raise
    log("INFO", "allowed", kid=_loggable(kid), sub=_loggable(sub), username=username)
    return policy


def handler(event: Any, context: Any = None) -> dict[str, Any]:
    state = _state()
    try:
        return authorize(event, state)
    except Refused as refused:
        log("WARNING", "refused", reason=refused.reason, kid=_loggable(refused.kid), sub=_loggable(refused.sub))
    except Exception as error:  # never a 500 for a bad request: refuse
        log("ERROR", "refused", reason=f"unexpected {type(error).__name__}")
    raise Exception("Unauthorized")


if lambda_env.FUNCTION_NAME.text(os.environ):
    _state()  # on Lambda a bad environment stops the container's start
