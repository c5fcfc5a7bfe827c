"""The access proxy's identity alone: a locked-down Cognito pool (MFA required, threat protection,
short-lived revocable tokens, each user mailed their own first password), or an OIDC issuer passed
through, and the authorizer's environment (names from contracts.authorizer_env) either way."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pulumi
import pytest

from components.access_identity import (
    CognitoArgs,
    CognitoGroup,
    CognitoUser,
    Identity,
    IdentityArgs,
    OidcArgs,
    TokenChecks,
)
from contracts import authorizer_env as env
from contracts.tags import THREAT_PROTECTION_TAG
from policy import cognito as rules
from tests.components.conftest import REGION, Graph, Parent

POOL = "aws:cognito/userPool:UserPool"
CLIENT = "aws:cognito/userPoolClient:UserPoolClient"
USER = "aws:cognito/user:User"
RISK = "aws:cognito/riskConfiguration:RiskConfiguration"

COGNITO = CognitoArgs(
    pool_name="people",
    password_minimum_length=14,
    access_token_validity_minutes=15,
    refresh_token_validity_minutes=720,
    allow_password_auth=False,
    deletion_protection=True,
    users=(CognitoUser(username="ann", email="ann@example.com"), CognitoUser(username="bob", email="bob@example.com")),
)
OIDC = OidcArgs(issuer="https://login.example.com/tenant", client_ids=("app-1", "app-2"))
CHECKS = TokenChecks(username_claim="username", leeway_seconds=5)


def _identity(provider: CognitoArgs | OidcArgs = COGNITO, checks: TokenChecks = CHECKS) -> Parent:
    args = IdentityArgs(region=REGION, provider=provider, checks=checks)
    return Parent(lambda parent: Identity("access", args, parent=parent))


def test_pool_admits_only_admin_created_users_with_strong_passwords(graph: Graph) -> None:
    graph.build(_identity)
    pool = graph.one(POOL, "access-users").inputs
    assert pool["name"] == "people" and pool["deletionProtection"] == "ACTIVE"
    assert pool["adminCreateUserConfig"] == {"allowAdminCreateUserOnly": True}
    policy = pool["passwordPolicy"]
    assert policy["minimumLength"] == 14 and policy["temporaryPasswordValidityDays"] == 3
    assert all(policy[k] for k in ("requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols"))
    assert pool["usernameConfiguration"] == {"caseSensitive": False}


def test_mfa_is_required_with_totp_and_never_sms(graph: Graph) -> None:
    graph.build(_identity)
    pool = graph.one(POOL, "access-users").inputs
    assert pool["mfaConfiguration"] == "ON" and pool["softwareTokenMfaConfiguration"] == {"enabled": True}
    assert "smsConfiguration" not in pool and "smsAuthenticationMessage" not in pool
    assert rules.check_cognito_mfa(POOL, pool) == []


def test_threat_protection_is_enforced_on_the_plus_plan_by_default(graph: Graph) -> None:
    graph.build(_identity)
    pool = graph.one(POOL, "access-users").inputs
    assert pool["userPoolAddOns"] == {"advancedSecurityMode": "ENFORCED"} and pool["userPoolTier"] == "PLUS"
    assert pool["tags"] == {THREAT_PROTECTION_TAG: "ENFORCED"}
    risk = graph.one(RISK, "access-risk").inputs
    assert risk["userPoolId"] == graph.one(POOL, "access-users").id
    assert risk["compromisedCredentialsRiskConfiguration"] == {
        "eventFilters": ["SIGN_IN", "PASSWORD_CHANGE"],
        "actions": {"eventAction": "BLOCK"},
    }
    actions = risk["accountTakeoverRiskConfiguration"]["actions"]
    assert {level: a["eventAction"] for level, a in actions.items()} == {
        "highAction": "BLOCK",
        "mediumAction": "MFA_REQUIRED",
        "lowAction": "NO_ACTION",
    }
    assert not any(a["notify"] for a in actions.values())  # mails would need SES
    assert rules.check_threat_protection(POOL, pool) == rules.check_threat_protection_opt_out(POOL, pool) == []


@pytest.mark.parametrize("mode, tier", [("AUDIT", "PLUS"), ("OFF", "ESSENTIALS")])
def test_threat_protection_opt_out_is_declared_on_the_pool(graph: Graph, mode: str, tier: str) -> None:
    graph.build(lambda: _identity(replace(COGNITO, threat_protection=mode)))  # type: ignore[arg-type]
    pool = graph.one(POOL, "access-users").inputs
    assert pool["userPoolAddOns"] == {"advancedSecurityMode": mode} and pool["userPoolTier"] == tier
    assert pool["tags"] == {THREAT_PROTECTION_TAG: mode}
    assert len(graph.of_type(RISK)) == (0 if mode == "OFF" else 1)
    # The opt-out passes the mandatory rule (it is declared) and is reported by the advisory one.
    assert rules.check_threat_protection(POOL, pool) == []
    assert rules.check_threat_protection_opt_out(POOL, pool)


def test_client_has_no_secret_no_oauth_flows_and_no_password_auth(graph: Graph) -> None:
    graph.build(_identity)
    client = graph.one(CLIENT, "access-client").inputs
    assert client["generateSecret"] is False and client["allowedOauthFlowsUserPoolClient"] is False
    assert "allowedOauthFlows" not in client
    assert client["explicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["preventUserExistenceErrors"] == "ENABLED"


def test_client_tokens_are_short_lived_and_revocable(graph: Graph) -> None:
    graph.build(_identity)
    client = graph.one(CLIENT, "access-client").inputs
    assert client["enableTokenRevocation"] is True
    assert (client["accessTokenValidity"], client["idTokenValidity"], client["refreshTokenValidity"]) == (15, 15, 720)
    assert client["tokenValidityUnits"] == {"accessToken": "minutes", "idToken": "minutes", "refreshToken": "minutes"}
    assert rules.check_token_lifetimes(CLIENT, client) == []


def test_password_auth_only_when_allowed(graph: Graph) -> None:
    graph.build(lambda: _identity(replace(COGNITO, allow_password_auth=True)))
    client = graph.one(CLIENT, "access-client").inputs
    assert "ALLOW_USER_PASSWORD_AUTH" in client["explicitAuthFlows"]


def test_each_user_is_mailed_their_own_temporary_password(graph: Graph) -> None:
    graph.build(_identity)
    users = {u.inputs["username"]: u.inputs for u in graph.of_type(USER)}
    assert set(users) == {"ann", "bob"}
    for name, user in users.items():
        assert user["desiredDeliveryMediums"] == ["EMAIL"]
        assert user["attributes"] == {"email": f"{name}@example.com", "email_verified": "true"}
        assert not {"temporaryPassword", "password", "messageAction"} & set(user)
        assert rules.check_own_first_password(USER, user) == []


@pulumi.runtime.test
def test_cognito_authorizer_environment(graph: Graph) -> pulumi.Output[None]:
    identity: Identity = _identity().part
    assert identity.user_pool is not None and identity.user_pool_client is not None

    def check(values: list[Any]) -> None:
        environment, pool_id, client_id = values
        assert environment == {
            env.TOKEN_ISSUER.name: f"https://cognito-idp.{REGION}.amazonaws.com/{pool_id}",
            env.ALLOWED_CLIENT_IDS.name: client_id,
            env.TOKEN_USE.name: "access",
            env.USERNAME_CLAIM.name: "username",
            env.LEEWAY_SECONDS.name: "5",
            env.GROUPS_CLAIM.name: "cognito:groups",
        }

    return pulumi.Output.all(
        pulumi.Output.from_input(identity.authorizer_environment), identity.user_pool.id, identity.user_pool_client.id
    ).apply(check)


def test_oidc_issuer_makes_nothing(graph: Graph) -> None:
    graph.build(lambda: _identity(OIDC))
    assert [r.type for r in graph.resources] == [Parent.TYPE]


@pulumi.runtime.test
def test_oidc_authorizer_environment(graph: Graph) -> pulumi.Output[None]:
    checks = TokenChecks(
        username_claim="preferred_username",
        leeway_seconds=0,
        audience="api://studio",
        jwks_url="https://login.example.com/keys",
    )
    identity: Identity = _identity(OIDC, checks).part
    assert identity.user_pool is None and identity.user_pool_client is None

    def check(environment: dict[str, Any]) -> None:
        assert environment == {
            env.TOKEN_ISSUER.name: "https://login.example.com/tenant",
            env.ALLOWED_CLIENT_IDS.name: "app-1,app-2",
            # Set, and empty: token_use is Cognito's claim, the check is off.
            env.TOKEN_USE.name: "",
            env.USERNAME_CLAIM.name: "preferred_username",
            env.LEEWAY_SECONDS.name: "0",
            env.GROUPS_CLAIM.name: "groups",  # the usual claim of OIDC issuers
            env.JWKS_URL.name: "https://login.example.com/keys",
            env.AUDIENCE.name: "api://studio",
        }

    return pulumi.Output.from_input(identity.authorizer_environment).apply(check)


@pulumi.runtime.test
def test_email_as_username_requires_a_verified_email(graph: Graph) -> pulumi.Output[None]:
    identity: Identity = _identity(OIDC, replace(CHECKS, username_claim="email")).part

    def check(environment: dict[str, Any]) -> None:
        assert environment[env.USERNAME_CLAIM.name] == "email"
        assert environment[env.REQUIRE_EMAIL_VERIFIED.name] == "true"
        assert env.REQUIRED_TOKEN_TYPE.name not in environment

    return pulumi.Output.from_input(identity.authorizer_environment).apply(check)


@pulumi.runtime.test
def test_rfc9068_access_token_type_when_asked(graph: Graph) -> pulumi.Output[None]:
    identity: Identity = _identity(OIDC, replace(CHECKS, username_claim="sub", require_access_token_type=True)).part

    def check(environment: dict[str, Any]) -> None:
        assert environment[env.REQUIRED_TOKEN_TYPE.name] == "at+jwt"
        assert env.REQUIRE_EMAIL_VERIFIED.name not in environment

    return pulumi.Output.from_input(identity.authorizer_environment).apply(check)


@pulumi.runtime.test
def test_oidc_without_client_ids_leaves_the_client_check_unset(graph: Graph) -> pulumi.Output[None]:
    identity: Identity = _identity(OidcArgs(issuer="https://login.example.com"), replace(CHECKS, token_use="id")).part

    def check(environment: dict[str, Any]) -> None:
        assert env.ALLOWED_CLIENT_IDS.name not in environment
        assert environment[env.TOKEN_USE.name] == "id"

    return pulumi.Output.from_input(identity.authorizer_environment).apply(check)


# ---------------------------------------------------------------------------- groups (issue 15)

GROUP = "aws:cognito/userGroup:UserGroup"
IN_GROUP = "aws:cognito/userInGroup:UserInGroup"


def test_cognito_groups_and_their_members_are_made_from_the_args(graph: Graph) -> None:
    groups = (
        CognitoGroup(name="studio-lob-a", members=("ann", "bob"), lobs=("lob-a",)),
        CognitoGroup(name="studio-all", members=("bob",), lobs=("lob-a", "lob-b")),
        CognitoGroup(name="studio-empty", lobs=("lob-b",)),
    )
    graph.build(lambda: _identity(replace(COGNITO, groups=groups)))
    pool = graph.one(POOL, "access-users")
    made = {g.inputs["name"]: g for g in graph.of_type(GROUP)}
    assert set(made) == {"studio-lob-a", "studio-all", "studio-empty"}
    assert all(g.inputs["userPoolId"] == pool.id for g in made.values())
    assert made["studio-all"].inputs["description"] == "studio-access: opens lob-a, lob-b"
    members = sorted((m.inputs["groupName"], m.inputs["username"]) for m in graph.of_type(IN_GROUP))
    assert members == [("studio-all", "bob"), ("studio-lob-a", "ann"), ("studio-lob-a", "bob")]
    assert all(m.inputs["userPoolId"] == pool.id for m in graph.of_type(IN_GROUP))


def test_a_member_who_is_not_a_user_of_the_pool_is_refused(graph: Graph) -> None:
    groups = (CognitoGroup(name="g", members=("carol",), lobs=("lob-a",)),)
    with pytest.raises(ValueError, match="member carol is not one of the pool's users"):
        graph.build(lambda: _identity(replace(COGNITO, groups=groups)))


def test_no_groups_makes_no_group(graph: Graph) -> None:
    graph.build(_identity)
    assert graph.of_type(GROUP) == [] and graph.of_type(IN_GROUP) == []


@pulumi.runtime.test
def test_the_groups_claim_of_an_oidc_issuer_is_configurable(graph: Graph) -> pulumi.Output[None]:
    identity: Identity = _identity(OIDC, replace(CHECKS, groups_claim="roles")).part

    def check(environment: dict[str, Any]) -> None:
        assert environment[env.GROUPS_CLAIM.name] == "roles"

    return pulumi.Output.from_input(identity.authorizer_environment).apply(check)
