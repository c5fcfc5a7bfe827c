"""Identity and session rules (`policy/cognito.py`): each with a passing and a failing resource, and a
breach of each new default planted in the example's real plan."""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any

import pytest

from contracts.tags import FUNCTION_TAG, PRESIGNED_URL_FUNCTION, THREAT_PROTECTION_TAG
from policy import runner
from policy.model import ADVISORY, MANDATORY
from policy.resource_types import AUTHORIZER, COGNITO_USER, FUNCTION, USER_POOL, USER_POOL_CLIENT
from tests.policy.support import by_name, check, res

POOL_OK = {
    "mfaConfiguration": "ON",
    "softwareTokenMfaConfiguration": {"enabled": True},
    "userPoolAddOns": {"advancedSecurityMode": "ENFORCED"},
    "userPoolTier": "PLUS",
    "tags": {THREAT_PROTECTION_TAG: "ENFORCED"},
}
CLIENT_OK = {
    "accessTokenValidity": 30.0,
    "idTokenValidity": 30.0,
    "refreshTokenValidity": 1440.0,
    "tokenValidityUnits": {"accessToken": "minutes", "idToken": "minutes", "refreshToken": "minutes"},
    "enableTokenRevocation": True,
}


def test_cognito_passwords_and_flows():
    name = "cognito-password-no-implicit"
    assert check(name, USER_POOL, {"passwordPolicy": {"minimumLength": 12.0}}) == []
    [problem] = check(name, USER_POOL, {"passwordPolicy": {"minimumLength": 8}})
    assert "minimumLength is 8" in problem
    assert "default 8" in check(name, USER_POOL, {})[0]
    assert check(name, USER_POOL_CLIENT, {"allowedOauthFlows": ["code"], "allowedOauthFlowsUserPoolClient": True}) == []
    [problem] = check(name, USER_POOL_CLIENT, {"allowedOauthFlows": ["code", "implicit"]})
    assert "implicit" in problem


def test_mfa_is_required_with_totp_and_no_sms():
    name = "cognito-mfa-required"
    assert by_name(name).enforcement == MANDATORY
    assert check(name, USER_POOL, POOL_OK) == []
    for mfa in ("OPTIONAL", "OFF", None):
        [problem] = check(name, USER_POOL, {**POOL_OK, "mfaConfiguration": mfa})
        assert "not ON" in problem and (mfa or "unset") in problem
    [problem] = check(name, USER_POOL, {**POOL_OK, "softwareTokenMfaConfiguration": {"enabled": False}})
    assert "TOTP" in problem
    [problem] = check(name, USER_POOL, {**POOL_OK, "smsConfiguration": {"externalId": "x", "snsCallerArn": "arn"}})
    assert "SMS" in problem
    assert check(name, USER_POOL_CLIENT, {}) == []


def test_threat_protection_is_enforced_on_plus_unless_the_pool_declares_the_opt_out():
    name = "cognito-threat-protection"
    assert by_name(name).enforcement == MANDATORY
    assert check(name, USER_POOL, POOL_OK) == []
    # Turned off in code while the pool says ENFORCED (or says nothing): caught.
    [problem] = check(name, USER_POOL, {**POOL_OK, "userPoolAddOns": {"advancedSecurityMode": "OFF"}})
    assert "is OFF" in problem and "declares ENFORCED" in problem
    [problem] = check(name, USER_POOL, {k: v for k, v in POOL_OK.items() if k not in ("userPoolAddOns", "tags")})
    assert "is OFF" in problem and "declares nothing" in problem
    # ENFORCED or AUDIT off the Plus plan: Cognito would refuse it.
    [problem] = check(name, USER_POOL, {**POOL_OK, "userPoolTier": "ESSENTIALS"})
    assert "needs userPoolTier PLUS" in problem
    # The config's opt-out, declared on the pool: accepted here, reported by the advisory rule.
    off = {**POOL_OK, "userPoolAddOns": {"advancedSecurityMode": "OFF"}, "userPoolTier": "ESSENTIALS"}
    assert check(name, USER_POOL, {**off, "tags": {THREAT_PROTECTION_TAG: "OFF"}}) == []
    audit = {**POOL_OK, "userPoolAddOns": {"advancedSecurityMode": "AUDIT"}, "tags": {THREAT_PROTECTION_TAG: "AUDIT"}}
    assert check(name, USER_POOL, audit) == []
    # A declaration that does not match what the pool has is no opt-out.
    assert check(name, USER_POOL, {**off, "tags": {THREAT_PROTECTION_TAG: "AUDIT"}})


def test_every_threat_protection_opt_out_is_reported():
    name = "cognito-threat-protection-opt-out"
    assert by_name(name).enforcement == ADVISORY
    assert check(name, USER_POOL, POOL_OK) == []
    for mode in ("AUDIT", "OFF"):
        [problem] = check(name, USER_POOL, {**POOL_OK, "userPoolAddOns": {"advancedSecurityMode": mode}})
        assert f"is {mode}" in problem and "identity.threatProtection" in problem
    assert check(name, USER_POOL, {})  # unset is OFF


def test_tokens_are_short_lived_and_revocable():
    name = "cognito-token-lifetimes"
    assert by_name(name).enforcement == MANDATORY
    assert check(name, USER_POOL_CLIENT, CLIENT_OK) == []
    # Units count, with Cognito's defaults (hours; refresh: days) where none is given: 1 hour and
    # 1 day pass, 60 hours and 2 days do not.
    hourly = {**CLIENT_OK, "accessTokenValidity": 1, "tokenValidityUnits": {"accessToken": "hours"}}
    assert check(name, USER_POOL_CLIENT, {**hourly, "idTokenValidity": 1, "refreshTokenValidity": 1}) == []
    [problem] = check(name, USER_POOL_CLIENT, {**hourly, "idTokenValidity": 60, "refreshTokenValidity": 1})
    assert "idTokenValidity is 60 hours" in problem
    [problem] = check(name, USER_POOL_CLIENT, {**CLIENT_OK, "accessTokenValidity": 90})
    assert "accessTokenValidity is 90 minutes" in problem
    units = {"accessToken": "minutes", "idToken": "minutes", "refreshToken": "days"}
    [problem] = check(name, USER_POOL_CLIENT, {**CLIENT_OK, "refreshTokenValidity": 2, "tokenValidityUnits": units})
    assert "refreshTokenValidity is 48 hours" in problem
    # Cognito's defaults (access 1 hour, refresh 30 days): the refresh token is too long.
    [problem] = check(name, USER_POOL_CLIENT, {"enableTokenRevocation": True})
    assert "refreshTokenValidity is 720 hours" in problem
    [problem] = check(name, USER_POOL_CLIENT, {**CLIENT_OK, "enableTokenRevocation": False})
    assert "enableTokenRevocation" in problem


def test_users_get_no_password_from_the_stack():
    name = "cognito-own-first-password"
    assert by_name(name).enforcement == MANDATORY
    mailed = {"username": "ann", "desiredDeliveryMediums": ["EMAIL"], "attributes": {"email": "ann@example.com"}}
    assert check(name, COGNITO_USER, mailed) == []
    shared = {"username": "bob", "messageAction": "SUPPRESS", "temporaryPassword": "Shared-Pass-1"}
    [problem] = check(name, COGNITO_USER, shared)
    assert problem.startswith("temporaryPassword is set") and "Shared-Pass-1" not in problem
    assert check(name, COGNITO_USER, {"username": "bob", "password": "Perm-1234567"})


def _authorizer(ttl: Any) -> dict[str, Any]:
    return {"type": "REQUEST"} | ({} if ttl is None else {"authorizerResultTtlInSeconds": ttl})


def test_the_authorizer_cache_never_outlives_the_access_token():
    rule = by_name("authorizer-cache-within-token-lifetime")
    assert rule.enforcement == MANDATORY and rule.stack_check is not None
    client = res(USER_POOL_CLIENT, "client", CLIENT_OK)  # 30 minutes
    ok = res(AUTHORIZER, "jwt", _authorizer(1800))
    assert rule.stack_check([client, ok]) == []
    long = res(AUTHORIZER, "jwt", _authorizer(3600))
    [(where, problem)] = rule.stack_check([client, long])
    assert where is long and "3600" in problem and "1800 s" in problem
    unset = res(AUTHORIZER, "jwt", _authorizer(None))  # API Gateway's default 300 s
    assert rule.stack_check([res(USER_POOL_CLIENT, "c", {**CLIENT_OK, "accessTokenValidity": 4}), unset])
    # An external issuer: no client in the stack, its token lifetime is the config's to bound.
    assert rule.stack_check([long]) == []


def _function(variables: dict[str, str], kind: str | None = None) -> dict[str, Any]:
    return {"environment": {"variables": variables}, "tags": {FUNCTION_TAG: kind} if kind else {}}


def test_email_as_the_username_requires_email_verified():
    name = "authorizer-email-verified"
    assert by_name(name).enforcement == MANDATORY
    assert check(name, FUNCTION, _function({"USERNAME_CLAIM": "username"})) == []
    assert check(name, FUNCTION, _function({"USERNAME_CLAIM": "email", "REQUIRE_EMAIL_VERIFIED": "true"})) == []
    [problem] = check(name, FUNCTION, _function({"USERNAME_CLAIM": "email"}))
    assert "REQUIRE_EMAIL_VERIFIED=true" in problem
    assert check(name, FUNCTION, _function({"USERNAME_CLAIM": "email", "REQUIRE_EMAIL_VERIFIED": "false"}))


def test_studio_sessions_end_within_8_hours():
    name = "studio-session-max-8h"
    assert by_name(name).enforcement == MANDATORY
    presigned = lambda v: _function(v, PRESIGNED_URL_FUNCTION)  # noqa: E731
    assert check(name, FUNCTION, presigned({"SESSION_EXPIRATION_SECONDS": "28800"})) == []
    assert check(name, FUNCTION, presigned({"SESSION_EXPIRATION_SECONDS": "3600"})) == []
    [problem] = check(name, FUNCTION, presigned({"SESSION_EXPIRATION_SECONDS": "43200"}))
    assert "43200" in problem and "8 hours" in problem
    [problem] = check(name, FUNCTION, presigned({}))
    assert "unset (SageMaker's default, 12 hours)" in problem
    assert check(name, FUNCTION, _function({}, "authorizer")) == []  # not the presigned-URL function


# --------------------------------------------------------------------------- breaches planted in the real plan


def _find(resources: list[dict], type_: str, name: str) -> dict:
    [found] = [r for r in resources if r["type"] == type_ and r["name"] == name]
    return found


def _update(type_: str, name: str, **inputs: Any) -> Callable[[list[dict]], None]:
    return lambda rs: _find(rs, type_, name)["inputs"].update(inputs)


def _env(name: str, **variables: str) -> Callable[[list[dict]], None]:
    return lambda rs: _find(rs, FUNCTION, name)["inputs"]["environment"]["variables"].update(variables)


def _drop_env(name: str, variable: str) -> Callable[[list[dict]], None]:
    return lambda rs: _find(rs, FUNCTION, name)["inputs"]["environment"]["variables"].pop(variable)


# (rule, resource the violation lands on, planted breach); each default of issue 13 at least once.
BREACHES = [
    ("cognito-mfa-required", "access-users", _update(USER_POOL, "access-users", mfaConfiguration="OPTIONAL")),
    (
        "cognito-mfa-required",
        "access-users",
        _update(USER_POOL, "access-users", softwareTokenMfaConfiguration={"enabled": False}),
    ),
    (
        "cognito-threat-protection",
        "access-users",
        _update(USER_POOL, "access-users", userPoolAddOns={"advancedSecurityMode": "OFF"}),
    ),
    ("cognito-threat-protection", "access-users", _update(USER_POOL, "access-users", userPoolTier="ESSENTIALS")),
    (
        "cognito-threat-protection-opt-out",
        "access-users",
        _update(
            USER_POOL,
            "access-users",
            userPoolAddOns={"advancedSecurityMode": "OFF"},
            tags={THREAT_PROTECTION_TAG: "OFF"},
        ),
    ),
    ("cognito-token-lifetimes", "access-client", _update(USER_POOL_CLIENT, "access-client", accessTokenValidity=90)),
    (
        "cognito-token-lifetimes",
        "access-client",
        _update(
            USER_POOL_CLIENT,
            "access-client",
            refreshTokenValidity=30,
            tokenValidityUnits={"accessToken": "minutes", "idToken": "minutes", "refreshToken": "days"},
        ),
    ),
    (
        "cognito-token-lifetimes",
        "access-client",
        _update(USER_POOL_CLIENT, "access-client", enableTokenRevocation=False),
    ),
    (
        "cognito-own-first-password",
        "access-user-lob-a",
        _update(COGNITO_USER, "access-user-lob-a", messageAction="SUPPRESS", temporaryPassword="Shared-Pass-1"),
    ),
    (
        "authorizer-cache-within-token-lifetime",
        "access-jwt",
        _update(AUTHORIZER, "access-jwt", authorizerResultTtlInSeconds=3600),
    ),
    ("authorizer-email-verified", "access-authorizer", _env("access-authorizer", USERNAME_CLAIM="email")),
    ("studio-session-max-8h", "access-presigned-url", _env("access-presigned-url", SESSION_EXPIRATION_SECONDS="43200")),
    ("studio-session-max-8h", "access-presigned-url", _drop_env("access-presigned-url", "SESSION_EXPIRATION_SECONDS")),
]


@pytest.fixture(scope="module")
def shared_resources(planned) -> list[dict]:
    return planned["shared"].to_json()["resources"]


def test_the_example_plan_has_every_new_default_and_no_violation(shared_resources):
    pool = _find(shared_resources, USER_POOL, "access-users")["inputs"]
    assert (pool["mfaConfiguration"], pool["userPoolTier"], pool["userPoolAddOns"]) == (
        "ON",
        "PLUS",
        {"advancedSecurityMode": "ENFORCED"},
    )
    client = _find(shared_resources, USER_POOL_CLIENT, "access-client")["inputs"]
    assert (client["accessTokenValidity"], client["refreshTokenValidity"], client["enableTokenRevocation"]) == (
        30,
        1440,
        True,
    )
    assert _find(shared_resources, AUTHORIZER, "access-jwt")["inputs"]["authorizerResultTtlInSeconds"] == 120
    presigned = _find(shared_resources, FUNCTION, "access-presigned-url")["inputs"]["environment"]["variables"]
    assert presigned["SESSION_EXPIRATION_SECONDS"] == "28800"
    assert runner.evaluate("shared", shared_resources) == []


@pytest.mark.parametrize("rule, resource, breach", BREACHES, ids=[f"{b[0]}:{i}" for i, b in enumerate(BREACHES)])
def test_a_breach_of_each_default_is_caught(shared_resources, rule, resource, breach):
    resources = copy.deepcopy(shared_resources)
    breach(resources)
    hits = [v for v in runner.evaluate("shared", resources) if v.rule == rule]
    assert {v.resource for v in hits} == {resource}
    assert all(v.enforcement == by_name(rule).enforcement for v in hits)
    if by_name(rule).enforcement == ADVISORY:  # the declared opt-out: reported, and nothing mandatory
        assert not [v for v in runner.evaluate("shared", resources) if v.enforcement == MANDATORY]
