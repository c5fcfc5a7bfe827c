"""API Gateway's proxy answers: never cached, JSON bodies, no detail beyond the message (and, for
a person who must choose, the names of the LOBs they may choose)."""

from __future__ import annotations

import json
from typing import Any

from .errors import Failure


def respond(status: int, body: dict[str, Any] | None, headers: dict[str, str] | None = None) -> dict[str, Any]:
    out_headers = {"Cache-Control": "no-store"}
    if body is not None:
        out_headers["Content-Type"] = "application/json"
    out_headers.update(headers or {})
    return {"statusCode": status, "headers": out_headers, "body": json.dumps(body) if body is not None else ""}


def url(presigned: str, expires: int, as_json: bool) -> dict[str, Any]:
    """``302`` to the URL, or ``200 {"url", "expiresInSeconds"}`` when JSON was asked for."""
    if as_json:
        return respond(200, {"url": presigned, "expiresInSeconds": expires})
    return respond(302, None, {"Location": presigned})


def failure(refusal: Failure, request_id: str) -> dict[str, Any]:
    return respond(refusal.status, {"message": refusal.message, "requestId": request_id, **refusal.extra})


def targets(username: str, lobs: list[dict[str, Any]]) -> dict[str, Any]:
    """``200 {"username", "lobs": [{"name", "spaces": [{"name", "appType", "sharing"}]}]}``."""
    return respond(200, {"username": username, "lobs": lobs})


def internal_error(request_id: str) -> dict[str, Any]:
    return respond(500, {"message": "internal error", "requestId": request_id})
