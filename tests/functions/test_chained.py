"""The authorizer's real output is the function's input, as API Gateway would pass it along."""

from __future__ import annotations

import fnmatch
import json
import os

import pytest

from testkit.aws import LOB_A
from testkit.events import auth_event, fn_event
from testkit.kms import SECRET_KEY, SESSION_TOKEN
from testkit.proofs import API_ID
from testkit.tokens import cognito_claims, sign


def api_gateway_allows(policy: dict, method_arn: str) -> bool:
    """IAM's evaluation of an authorizer policy for one method ARN (Allow statements, * and ? wildcards)."""
    for statement in policy["policyDocument"]["Statement"]:
        resources = statement["Resource"] if isinstance(statement["Resource"], list) else [statement["Resource"]]
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        if (
            statement["Effect"] == "Allow"
            and "execute-api:Invoke" in actions
            and any(fnmatch.fnmatchcase(method_arn, r) for r in resources)
        ):
            return True
    return False


@pytest.fixture(autouse=True)
def kms_knows_the_shared_credentials(auth_env, aws, kms_server):
    """Both functions run with the emulated world's credentials here (moto's, while it is up):
    KMS checks the authorizer's signatures with them."""
    kms_server.secret, kms_server.token = os.environ["AWS_SECRET_ACCESS_KEY"], os.environ.get("AWS_SESSION_TOKEN")
    yield
    kms_server.secret, kms_server.token = SECRET_KEY, SESSION_TOKEN


def through_the_gateway(authorizer, presigned, token: str, path_user: str) -> dict:
    method_arn = f"arn:aws:execute-api:us-east-1:123456789012:{API_ID}/dev/GET/{path_user}"
    try:
        policy = authorizer.handler(auth_event(f"Bearer {token}", method_arn=method_arn), None)
    except Exception as error:
        assert str(error) == "Unauthorized"
        return {"statusCode": 401}
    if not api_gateway_allows(policy, method_arn):
        return {"statusCode": 403}
    event = fn_event(path_user=path_user, token=token, proof=None)
    event["requestContext"]["authorizer"] = {
        "principalId": policy["principalId"],
        "integrationLatency": 3,
        **policy["context"],
    }
    return presigned.handler(event, None)


def test_a_token_opens_its_own_studio_and_nobody_elses(authorizer, presigned, auth_env, aws, key):
    token = sign(key, cognito_claims("user-lob-a"))
    response = through_the_gateway(authorizer, presigned, token, "user-lob-a")
    assert response["statusCode"] == 302 and aws.presigned[-1]["account"] == LOB_A
    assert aws.presigned[-1]["UserProfileName"] == "user-lob-a"
    assert through_the_gateway(authorizer, presigned, token, "user-lob-b")["statusCode"] == 403
    assert through_the_gateway(authorizer, presigned, token + "x", "user-lob-a")["statusCode"] == 401
    assert len(aws.presigned) == 1


def test_a_mapped_token_user_without_a_table_entry_gets_403_from_the_function(
    authorizer, presigned, auth_env, aws, key
):
    token = sign(key, cognito_claims("user-lob-c"))
    response = through_the_gateway(authorizer, presigned, token, "user-lob-c")
    message = json.loads(response["body"])["message"]
    assert response["statusCode"] == 403 and message == "You are not entitled to any line of business."


def test_the_policy_cannot_be_widened_by_a_wildcard_username(authorizer, presigned, auth_env, aws, key):
    """Were '*' let through, the cached policy would open every user's path."""
    token = sign(key, cognito_claims("*"))
    assert through_the_gateway(authorizer, presigned, token, "user-lob-a")["statusCode"] == 401
    assert aws.presigned == []
