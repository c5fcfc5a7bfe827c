"""API Gateway's events for the two functions: the REQUEST authorizer's and the proxy integration's."""

from __future__ import annotations

import uuid
from typing import Any

from .tokens import CLIENT_ID, SUB

METHOD_ARN = "arn:aws:execute-api:us-east-1:111122223333:abcdef1234/dev/GET/user-lob-a"


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


def fn_event(
    username: str | None = "user-lob-a",
    path_user: str | None = None,
    query: dict[str, Any] | None = None,
    headers: dict[str, Any] | None = None,
    multi_query: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """A REST proxy integration event, with the authorizer's context as API Gateway passes it
    (``username`` None: no authorizer context at all)."""
    authorizer = {"principalId": SUB, "integrationLatency": 12, "username": username, "sub": SUB, "clientId": CLIENT_ID}
    path_user = username if path_user is None else path_user
    if multi_query is None and query:
        multi_query = {k: [v] for k, v in query.items()}
    return {
        "resource": "/{user_id}",
        "path": f"/{path_user}",
        "httpMethod": "GET",
        "headers": headers or {"Accept": "text/html"},
        "queryStringParameters": query,
        "multiValueQueryStringParameters": multi_query,
        "pathParameters": {"user_id": path_user} if path_user else None,
        "requestContext": {
            "requestId": "req-" + str(uuid.uuid4()),
            "stage": "dev",
            "authorizer": authorizer if username is not None else None,
        },
    }
