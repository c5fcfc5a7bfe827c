"""API Gateway's events for the two functions: the REQUEST authorizer's and the proxy integration's."""

from __future__ import annotations

import uuid
from typing import Any

from . import proofs
from .tokens import CLIENT_ID, SUB

METHOD_ARN = "arn:aws:execute-api:us-east-1:111122223333:abcdef1234/dev/GET/user-lob-a"
_DEFAULT: Any = object()


def auth_event(
    authorization: str | None = None,
    *,
    headers: dict[str, Any] | None = None,
    multi: dict[str, Any] | None = None,
    method_arn: Any = METHOD_ARN,
) -> dict[str, Any]:
    """A REST API REQUEST authorizer event (``multiValueHeaders`` mirror ``headers`` unless given)."""
    if headers is None:
        headers = {"Authorization": authorization} if authorization is not None else {}
    if multi is None:
        multi = {k: [v] for k, v in headers.items()}
    return {
        "type": "REQUEST",
        "methodArn": method_arn,
        "resource": "/{user_id}",
        "path": "/user-lob-a",
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": multi,
        "pathParameters": {"user_id": "user-lob-a"},
        "requestContext": {"stage": "dev", "requestId": str(uuid.uuid4())},
    }


def token_for(username: str | None) -> str:
    """The bearer token the tests' events carry for a person (the function only hashes it)."""
    return f"token-of-{username}"


def fn_event(
    username: str | None = "user-lob-a",
    path_user: str | None = None,
    query: dict[str, Any] | None = None,
    headers: dict[str, Any] | None = None,
    multi_query: dict[str, Any] | None = None,
    *,
    token: str | None = None,
    proof: Any = _DEFAULT,
    api_id: str = proofs.API_ID,
    stage: str = proofs.STAGE,
    groups: list[str] | None = None,
    targets: bool = False,
) -> dict[str, Any]:
    """A REST proxy integration event, with the authorizer's context as API Gateway passes it:
    ``username``, ``sub``, ``clientId`` and a valid ``proof`` for this person (with ``groups``)
    and the bearer token the event carries (``username`` None: no authorizer context at all;
    ``proof`` None: a context without one, or any string instead of the valid one).
    ``Authorization: Bearer <token>`` is added to ``headers`` unless they have one. ``targets``:
    ``GET /{user_id}/targets`` instead of ``GET /{user_id}``."""
    token = token_for(username) if token is None else token
    if proof is _DEFAULT:
        proof = (
            proofs.make(username=username or "", token=token, api_id=api_id, stage=stage, groups=groups)
            if username
            else None
        )
    authorizer = {"principalId": SUB, "integrationLatency": 12, "username": username, "sub": SUB, "clientId": CLIENT_ID}
    if proof is not None:
        authorizer["proof"] = proof
    path_user = username if path_user is None else path_user
    if multi_query is None and query:
        multi_query = {k: [v] for k, v in query.items()}
    headers = dict(headers or {"Accept": "text/html"})
    if not any(isinstance(k, str) and k.lower() == "authorization" for k in headers):
        headers["Authorization"] = f"Bearer {token}"
    suffix = "/targets" if targets else ""
    return {
        "resource": "/{user_id}" + suffix,
        "path": f"/{path_user}{suffix}",
        "httpMethod": "GET",
        "headers": headers,
        "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": {"user_id": path_user} if path_user else None,
        "requestContext": {
            "requestId": "req-" + str(uuid.uuid4()),
            "apiId": api_id,
            "stage": stage,
            "httpMethod": "GET",
            "authorizer": authorizer if username is not None else None,
        },
    }
