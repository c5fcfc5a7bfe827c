"""Cognito rules (`policy/cognito.py`)."""

from __future__ import annotations

from policy.model import ADVISORY
from policy.resource_types import USER_POOL, USER_POOL_CLIENT
from tests.policy.support import by_name, check


def test_cognito_passwords_and_flows():
    name = "cognito-password-no-implicit"
    assert check(name, USER_POOL, {"passwordPolicy": {"minimumLength": 12.0}}) == []
    [problem] = check(name, USER_POOL, {"passwordPolicy": {"minimumLength": 8}})
    assert "minimumLength is 8" in problem
    assert "default 8" in check(name, USER_POOL, {})[0]
    assert check(name, USER_POOL_CLIENT, {"allowedOauthFlows": ["code"], "allowedOauthFlowsUserPoolClient": True}) == []
    [problem] = check(name, USER_POOL_CLIENT, {"allowedOauthFlows": ["code", "implicit"]})
    assert "implicit" in problem


def test_cognito_mfa_is_advisory():
    assert by_name("cognito-mfa").enforcement == ADVISORY
    assert check("cognito-mfa", USER_POOL, {"mfaConfiguration": "OPTIONAL"}) == []
    assert check("cognito-mfa", USER_POOL, {"mfaConfiguration": "OFF"})
    assert check("cognito-mfa", USER_POOL, {})
