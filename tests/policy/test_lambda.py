"""Lambda rules (`policy/lambda_.py`): runtime, tracing, the VPC, log groups, secrets in the environment."""

from __future__ import annotations

import pytest

from contracts.tags import AUTHORIZER_FUNCTION, FUNCTION_TAG, PRESIGNED_URL_FUNCTION
from policy.resource_types import FUNCTION, LOG_GROUP
from tests.policy.support import by_name, check, res

# The presigned-URL function as the program declares it.
PRESIGNED_URL = {
    "runtime": "python3.14",
    "tracingConfig": {"mode": "Active"},
    "loggingConfig": {"logFormat": "JSON", "logGroup": "/studio-access/shared/presigned-url"},
    "tags": {FUNCTION_TAG: PRESIGNED_URL_FUNCTION},
    "vpcConfig": {"subnetIds": ["subnet-1", "subnet-2"], "securityGroupIds": ["sg-1"]},
    "environment": {
        "variables": {"USERS_TABLE": "users", "TOKEN_ISSUER": "https://cognito-idp.x/pool", "TOKEN_USE": "access"}
    },
}


def test_a_current_traced_function_in_a_vpc_passes():
    assert check("lambda-runtime-tracing-vpc", FUNCTION, PRESIGNED_URL) == []
    assert check("lambda-runtime-tracing-vpc", FUNCTION, PRESIGNED_URL | {"runtime": "python3.12"}) == []


@pytest.mark.parametrize("runtime", ["python3.11", "python3.9", "nodejs22.x", None])
def test_an_old_or_non_python_runtime_fails(runtime):
    props = {k: v for k, v in PRESIGNED_URL.items() if k != "runtime"} | ({"runtime": runtime} if runtime else {})
    [problem] = check("lambda-runtime-tracing-vpc", FUNCTION, props)
    assert "python3.12 or newer" in problem


def test_untraced_function_fails():
    [problem] = check(
        "lambda-runtime-tracing-vpc", FUNCTION, PRESIGNED_URL | {"tracingConfig": {"mode": "PassThrough"}}
    )
    assert "PassThrough, not Active" in problem


def test_presigned_url_function_outside_a_vpc_fails_but_the_authorizer_may_be():
    no_vpc = {k: v for k, v in PRESIGNED_URL.items() if k != "vpcConfig"}
    [problem] = check("lambda-runtime-tracing-vpc", FUNCTION, no_vpc)
    assert "not in a VPC" in problem
    authorizer = no_vpc | {"tags": {FUNCTION_TAG: AUTHORIZER_FUNCTION}}
    assert check("lambda-runtime-tracing-vpc", FUNCTION, authorizer) == []


def test_function_log_group_declared_with_retention_passes_and_missing_or_unretained_fails():
    fn = res(FUNCTION, "fn", PRESIGNED_URL)
    group = res(LOG_GROUP, "logs", {"name": "/studio-access/shared/presigned-url", "retentionInDays": 30})
    stack_check = by_name("lambda-log-group-retention").stack_check
    assert stack_check([fn, group]) == []
    [(where, problem)] = stack_check([fn])
    assert where is fn and "not declared in this stack" in problem
    forever = res(LOG_GROUP, "logs", {"name": "/studio-access/shared/presigned-url"})
    [(_, problem)] = stack_check([fn, forever])
    assert "no retention" in problem
    # Without a logging config, Lambda's default group /aws/lambda/<name> is the one to declare.
    default = res(FUNCTION, "fn", {"name": "fn-1", "runtime": "python3.13"})
    assert stack_check([default, res(LOG_GROUP, "g", {"name": "/aws/lambda/fn-1", "retentionInDays": 7})]) == []


@pytest.mark.parametrize(
    "key",
    ["DB_PASSWORD", "clientSecret", "API_KEY", "GITHUB_TOKEN", "accessToken", "PRIVATE_KEY", "AWS_SECRET_ACCESS_KEY"],
)
def test_environment_variables_named_like_secrets_fail(key):
    props = PRESIGNED_URL | {"environment": {"variables": {key: "x"}}}
    [problem] = check("lambda-env-no-secrets", FUNCTION, props)
    assert key in problem and "named like a secret" in problem


@pytest.mark.parametrize(
    "value, what",
    [
        ("AKIAIOSFODNN7EXAMPLE", "AWS access key id"),
        ("wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY", "AWS secret access key"),
        ("eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxMjMifQ.c2lnbmF0dXJl", "JSON web token"),
        ("-----BEGIN RSA PRIVATE KEY-----\nMIIE", "private key"),
        ("postgres://admin:hunter2@db.internal:5432/app", "URL with a password"),
        ("ghp_" + "a1B2" * 9, "GitHub token"),
    ],
)
def test_environment_values_shaped_like_secrets_fail_without_echoing_them(value, what):
    props = PRESIGNED_URL | {"environment": {"variables": {"SETTING": value}}}
    [problem] = check("lambda-env-no-secrets", FUNCTION, props)
    assert what in problem and value not in problem


def test_ordinary_environment_passes():
    env = {
        "USERS_TABLE": "access-users-a1c4e87",
        "TOKEN_ISSUER": "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_Ab",
        "TOKEN_USE": "access",
        "ALLOWED_CLIENT_IDS": "76y0swa6uveenpstq0jp0gqpdd",
        "DB_PASSWORD_SECRET_ARN": "arn:aws:secretsmanager:x",
        "CACHE_TTL_SECONDS": "60",
        "JWKS_URL": "https://issuer.example.com/.well-known/jwks.json",
    }
    assert check("lambda-env-no-secrets", FUNCTION, PRESIGNED_URL | {"environment": {"variables": env}}) == []
