"""What the caller asked for, from API Gateway's proxy event: who (the person the authorizer's
proof names, which must be the path's ``user_id``), which route (``GET /{user_id}``, a Studio URL,
or ``GET /{user_id}/targets``, what the person may open), the optional ``lob``, ``space`` and
``landing`` of the first, JSON or a redirect.

The person is taken from the proof (`proof.verify_proof`), never from the plain context: the
proof must verify with the key, be unexpired, be for this API and stage, allow this method and
path, and have been made for the bearer token this very request carries (its SHA-256). A
hand-made event (a direct invocation) has no such proof: 403, and no AWS call."""

from __future__ import annotations

import hmac
import re
import uuid
from dataclasses import dataclass, field
from typing import Any

from contracts import names, proof

from .errors import Failure, bad_request
from .proof import ProofError, Proven, RsaPublicKey, verify_proof

# The routes (API Gateway's resource paths) and the query parameters each takes.
OPEN, TARGETS = "open", "targets"
ROUTES = {"/{user_id}": OPEN, f"/{{user_id}}/{proof.TARGETS}": TARGETS}
QUERY_PARAMETERS = {OPEN: ("lob", "space", "landing"), TARGETS: ()}
_NAME_RE = re.compile(names.SAGEMAKER_NAME)  # SageMaker space names
_LOB_RE = re.compile(names.LOB_NAME)
_LANDING_PREFIXES = (
    "studio::",
    "app:JupyterServer:",
    "app:JupyterLab:",
    "app:RStudioServerPro:",
    "app:CodeEditor:",
    "app:Canvas:",
)
_LANDING_REST_RE = re.compile(r"[A-Za-z0-9._~%+=@,:/-]*")
MAX_USERNAME_LENGTH = 128  # the authorizer lets no longer name through (audit lines only)


def request_id(event: Any, context: Any) -> str:
    """API Gateway's request id, else Lambda's, else a new one (for the answer and the audit line)."""
    context_id = getattr(context, "aws_request_id", None)
    request_context = event.get("requestContext") if isinstance(event, dict) else None
    found = (request_context or {}).get("requestId") if isinstance(request_context, dict) else None
    return found if isinstance(found, str) else context_id or str(uuid.uuid4())


def _header(headers: Any, name: str) -> str | None:
    if isinstance(headers, dict):
        for key, value in headers.items():
            if isinstance(key, str) and key.lower() == name and isinstance(value, str):
                return value
    return None


def claimed_username(event: Any) -> str | None:
    """The plain context's username, unverified: for the audit line of a refusal only, shortened."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    authorizer = context.get("authorizer") if isinstance(context, dict) else None
    name = authorizer.get("username") if isinstance(authorizer, dict) else None
    if not isinstance(name, str):
        return None
    return "".join(c if c.isprintable() else "?" for c in name[:MAX_USERNAME_LENGTH])


def bearer_token(event: dict[str, Any]) -> str | None:
    """The request's bearer token (as the authorizer read it): one distinct ``Authorization``
    value in ``headers``/``multiValueHeaders``, ``Bearer <token>`` (scheme in any case)."""
    found: list[object] = []
    headers, multi = event.get("headers"), event.get("multiValueHeaders")
    if isinstance(headers, dict):
        found += [v for k, v in headers.items() if isinstance(k, str) and k.lower() == "authorization"]
    if isinstance(multi, dict):
        for k, items in multi.items():
            if isinstance(k, str) and k.lower() == "authorization":
                found += items if isinstance(items, list) else [items]
    if not found or not all(isinstance(v, str) for v in found) or len(set(found)) != 1:
        return None
    value = str(found[0])
    scheme, sep, token = value.strip(" \t").partition(" ")
    token = token.lstrip(" ")
    return token if sep and scheme.lower() == "bearer" and token else None


def caller(event: Any, key: RsaPublicKey, now: float) -> Proven:
    """The person the authorizer's proof names, if the proof holds for this very request (its
    API, stage and bearer token); the path is checked by `check_path`."""
    if not isinstance(event, dict):
        raise Failure(403, "no-proof", "the event is not an object")
    context = event.get("requestContext")
    authorizer = context.get("authorizer") if isinstance(context, dict) else None
    if not isinstance(context, dict) or not isinstance(authorizer, dict) or proof.CONTEXT_KEY not in authorizer:
        raise Failure(403, "no-proof", "no authorizer proof: the request did not come through the authorizer")
    try:
        proven = verify_proof(key, authorizer.get(proof.CONTEXT_KEY), now)
    except ProofError as error:
        outcome = "proof-expired" if str(error) == "proof expired" else "bad-proof"
        raise Failure(403, outcome, str(error)) from None
    if context.get("apiId") != proven.api_id or context.get("stage") != proven.stage:
        raise Failure(403, "proof-elsewhere", "the proof was made for another API or stage")
    token = bearer_token(event)
    if token is None or not hmac.compare_digest(proof.token_sha256(token), proven.token_sha256):
        raise Failure(403, "proof-token-mismatch", "the proof was not made for this request's bearer token")
    return proven


def check_path(event: dict[str, Any], proven: Proven) -> str:
    """The route asked for (`OPEN` or `TARGETS`); the path must be the proven person's own, on a
    route the proof allows."""
    path = event.get("pathParameters")
    user_id = path.get("user_id") if isinstance(path, dict) else None
    method, resource = event.get("httpMethod"), event.get("resource")
    route = ROUTES.get(resource) if isinstance(resource, str) else None
    own = f"{user_id}/{proof.TARGETS}" if route == TARGETS else user_id
    if (
        route is None
        or user_id != proven.username
        or not isinstance(method, str)
        or proof.resource(method, str(own)) not in proven.resources
    ):
        raise Failure(403, "forbidden", "the path is not the proven person's own")
    return route


@dataclass(frozen=True)
class OpenRequest:
    """``GET /{user_id}``'s choices: the LOB (None: the person's only one) and SageMaker's options."""

    lob: str | None = None
    options: dict[str, str] = field(default_factory=dict)


def _query(event: dict[str, Any], route: str) -> dict[str, object]:
    """The route's query parameters, each given at most once; unknown ones are a 400 naming them."""
    query = event.get("queryStringParameters") or {}
    multi = event.get("multiValueQueryStringParameters") or {}
    if not isinstance(query, dict) or not isinstance(multi, dict):
        raise bad_request("query string could not be read")
    allowed = QUERY_PARAMETERS[route]
    unknown = sorted(set(query) - set(allowed))
    if unknown:
        names_ = ", ".join(repr(str(u)[:40]) for u in unknown[:5])
        raise bad_request(f"unknown query parameter(s) {names_}; allowed: {', '.join(allowed) or 'none'}")
    for name in allowed:
        values = multi.get(name)
        if isinstance(values, list) and len({str(v) for v in values}) > 1:
            raise bad_request(f"query parameter {name!r} given more than once")
    return {name: query[name] for name in allowed if query.get(name) is not None}


def targets_query(event: dict[str, Any]) -> None:
    """``GET /{user_id}/targets`` takes no query parameter."""
    _query(event, TARGETS)


def open_request(event: dict[str, Any]) -> OpenRequest:
    """``lob``, and ``SpaceName``/``LandingUri`` from the optional ``space``/``landing`` query parameters."""
    found = _query(event, OPEN)
    lob = found.get("lob")
    if lob is not None and (not isinstance(lob, str) or not _LOB_RE.fullmatch(lob)):
        raise bad_request("lob: not a line of business name (lowercase letters, digits and hyphens, at most 32)")
    options: dict[str, str] = {}
    space = found.get("space")
    if space is not None:
        if not isinstance(space, str) or not _NAME_RE.fullmatch(space):
            raise bad_request("space: not a SageMaker space name (letters, digits and hyphens, at most 63)")
        options["SpaceName"] = space
    if "landing" in found:
        options["LandingUri"] = _landing(found["landing"])
    return OpenRequest(lob if isinstance(lob, str) else None, options)


def _landing(value: object) -> str:
    prefix = next((p for p in _LANDING_PREFIXES if isinstance(value, str) and value.startswith(p)), None)
    if (
        not isinstance(value, str)
        or prefix is None
        or len(value) > 1023
        or not _LANDING_REST_RE.fullmatch(value[len(prefix) :])
        or ".." in value
    ):
        prefixes = ", ".join(_LANDING_PREFIXES)
        raise bad_request(f"landing: must start with one of {prefixes} followed by a relative path")
    return value


def wants_json(event: dict[str, Any]) -> bool:
    """``Accept: application/json`` (anywhere in the list): the URL in a body, not a redirect."""
    accept = _header(event.get("headers"), "accept") or ""
    return any(part.split(";")[0].strip().lower() == "application/json" for part in accept.split(","))
