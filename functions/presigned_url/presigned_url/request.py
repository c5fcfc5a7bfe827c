"""What the caller asked for, from API Gateway's proxy event: who (the authorizer's username,
which must be the path's ``user_id``), the optional ``space`` and ``landing``, JSON or a redirect."""

from __future__ import annotations

import re
import uuid
from typing import Any

from contracts import names

from .errors import Failure

QUERY_PARAMETERS = ("space", "landing")
_NAME_RE = re.compile(names.SAGEMAKER_NAME)  # SageMaker space names
_LANDING_PREFIXES = (
    "studio::",
    "app:JupyterServer:",
    "app:JupyterLab:",
    "app:RStudioServerPro:",
    "app:CodeEditor:",
    "app:Canvas:",
)
_LANDING_REST_RE = re.compile(r"[A-Za-z0-9._~%+=@,:/-]*")
MAX_USERNAME_LENGTH = 128  # the authorizer lets no longer name through


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


def caller(event: Any) -> str:
    """The authorizer's username, which must equal the path's ``user_id``."""
    context = event.get("requestContext") if isinstance(event, dict) else None
    authorizer = context.get("authorizer") if isinstance(context, dict) else None
    username = authorizer.get("username") if isinstance(authorizer, dict) else None
    if not isinstance(username, str) or not username:
        raise Failure(403, "no authorizer context: the request was not authenticated", "forbidden")
    if len(username) > MAX_USERNAME_LENGTH or not username.isprintable():
        raise Failure(403, "the authorizer's username is not a valid username", "forbidden")
    path = event.get("pathParameters")
    user_id = path.get("user_id") if isinstance(path, dict) else None
    if user_id != username:
        raise Failure(403, "you can only open your own Studio: the path must be your username", "forbidden")
    return username


def studio_options(event: dict[str, Any]) -> dict[str, str]:
    """``SpaceName``/``LandingUri`` from the optional ``space``/``landing`` query parameters."""
    query = event.get("queryStringParameters") or {}
    multi = event.get("multiValueQueryStringParameters") or {}
    if not isinstance(query, dict) or not isinstance(multi, dict):
        raise Failure(400, "query string could not be read", "bad-request")
    unknown = sorted(set(query) - set(QUERY_PARAMETERS))
    if unknown:
        allowed = ", ".join(QUERY_PARAMETERS)
        raise Failure(
            400, f"unknown query parameter(s) {', '.join(map(repr, unknown))}; allowed: {allowed}", "bad-request"
        )
    options: dict[str, str] = {}
    for name in QUERY_PARAMETERS:
        values = multi.get(name)
        if isinstance(values, list) and len(set(values)) > 1:
            raise Failure(400, f"query parameter {name!r} given more than once", "bad-request")
        value = query.get(name)
        if value is None:
            continue
        if name == "space":
            if not isinstance(value, str) or not _NAME_RE.fullmatch(value):
                raise Failure(
                    400, "space: not a SageMaker space name (letters, digits and hyphens, at most 63)", "bad-request"
                )
            options["SpaceName"] = value
        else:
            options["LandingUri"] = _landing(value)
    return options


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
        raise Failure(400, f"landing: must start with one of {prefixes} followed by a relative path", "bad-request")
    return value


def wants_json(event: dict[str, Any]) -> bool:
    """``Accept: application/json`` (anywhere in the list): the URL in a body, not a redirect."""
    accept = _header(event.get("headers"), "accept") or ""
    return any(part.split(";")[0].strip().lower() == "application/json" for part in accept.split(","))
