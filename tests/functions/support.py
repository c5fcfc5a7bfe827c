"""Helpers the handler tests share: calling a handler, reading its answer and its log lines."""

from __future__ import annotations

import json
import re

import pytest

from testkit.aws import LOB_A, LOB_B, LOB_C
from testkit.events import auth_event


def allow(authorizer, authorization: str, **kw) -> dict:
    return authorizer.handler(auth_event(authorization, **kw), None)


def refused(authorizer, capsys, event) -> str:
    """Assert the handler refuses with exactly Exception("Unauthorized"); return the logged reason."""
    capsys.readouterr()
    with pytest.raises(Exception) as err:
        authorizer.handler(event, None)
    assert type(err.value) is Exception and err.value.args == ("Unauthorized",)
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines()]
    refusals = [line for line in lines if line["event"] == "refused"]
    assert len(refusals) == 1, lines
    return refusals[0]["reason"]


def bearer(token: str) -> str:
    return f"Bearer {token}"


def call(presigned, event) -> dict:
    return presigned.handler(event, None)


def body(response) -> dict:
    return json.loads(response["body"])


def audit_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"presigned-url"' in line]


def assert_failure(presigned, event, status: int, message_part: str) -> dict:
    response = call(presigned, event)
    assert response["statusCode"] == status, response
    assert (
        response["headers"]["Content-Type"] == "application/json" and response["headers"]["Cache-Control"] == "no-store"
    )
    data = body(response)
    assert set(data) == {"message", "requestId"} and data["requestId"] == event["requestContext"]["requestId"]
    assert message_part in data["message"], data["message"]
    # never an ARN, an account id or a stack trace
    assert "arn:" not in response["body"] and "Traceback" not in response["body"]
    assert not re.search(r"\d{12}", data["message"]) and not any(
        a in response["body"] for a in (LOB_A, LOB_B, LOB_C, "123456789012")
    )
    return data
