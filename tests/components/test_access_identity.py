"""The access proxy's identity alone: a locked-down Cognito pool, or an OIDC issuer passed through,
and the authorizer's environment (names from contracts.authorizer_env) either way."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pulumi

from components.access_identity import CognitoArgs, CognitoUser, Identity, IdentityArgs, OidcArgs, TokenChecks
from contracts import authorizer_env as env
from tests.components.conftest import REGION, Graph, Parent, secret_value

COGNITO = CognitoArgs(
    pool_name="people",
    password_minimum_length=14,
    mfa="ON",
    access_token_validity_minutes=30,
    allow_password_auth=False,
    deletion_protection=True,
    users=(CognitoUser(username="ann", email="ann@example.com"), CognitoUser(username="bob")),
    temporary_password=None,  # set per test (an Output belongs to the event loop of the run that made it)
)
OIDC = OidcArgs(issuer="https://login.example.com/tenant", client_ids=("app-1", "app-2"))
CHECKS = TokenChecks(username_claim="username", leeway_seconds=5)


def _identity(provider: CognitoArgs | OidcArgs = COGNITO, checks: TokenChecks = CHECKS) -> Parent:
    if isinstance(provider, CognitoArgs) and provider.temporary_password is None:
        provider = replace(provider, temporary_password=pulumi.Output.secret("Temporary-Pass-1"))
    args = IdentityArgs(region=REGION, provider=provider, checks=checks)
    return Parent(lambda parent: Identity("access", args, parent=parent))


def test_pool_admits_only_admin_created_users_with_strong_passwords_and_mfa(graph: Graph) -> None:
    graph.build(_identity)
    pool = graph.one("aws:cognito/userPool:UserPool", "access-users").inputs
    assert pool["name"] == "people" and pool["deletionProtection"] == "ACTIVE"
    assert pool["adminCreateUserConfig"] == {"allowAdminCreateUserOnly": True}
    policy = pool["passwordPolicy"]
    assert policy["minimumLength"] == 14 and policy["temporaryPasswordValidityDays"] == 3
    assert all(policy[k] for k in ("requireLowercase", "requireUppercase", "requireNumbers", "requireSymbols"))
    assert pool["mfaConfiguration"] == "ON" and pool["softwareTokenMfaConfiguration"] == {"enabled": True}
    assert pool["usernameConfiguration"] == {"caseSensitive": False}


def test_client_has_no_secret_no_oauth_flows_and_no_password_auth(graph: Graph) -> None:
    graph.build(_identity)
    client = graph.one("aws:cognito/userPoolClient:UserPoolClient", "access-client").inputs
    assert client["generateSecret"] is False and client["allowedOauthFlowsUserPoolClient"] is False
    assert "allowedOauthFlows" not in client
    assert client["explicitAuthFlows"] == ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
    assert client["preventUserExistenceErrors"] == "ENABLED" and client["enableTokenRevocation"] is True
    assert (client["accessTokenValidity"], client["idTokenValidity"]) == (30, 30)


def test_password_auth_only_when_allowed(graph: Graph) -> None:
    graph.build(lambda: _identity(replace(COGNITO, allow_password_auth=True)))
    client = graph.one("aws:cognito/userPoolClient:UserPoolClient", "access-client").inputs
    assert "ALLOW_USER_PASSWORD_AUTH" in client["explicitAuthFlows"]


def test_users_get_a_mailed_or_the_secret_temporary_password(graph: Graph) -> None:
    graph.build(_identity)
    ann = graph.one("aws:cognito/user:User", "access-ann").inputs
    assert ann["desiredDeliveryMediums"] == ["EMAIL"] and "temporaryPassword" not in ann
    assert ann["attributes"] == {"email": "ann@example.com", "email_verified": "true"}
    bob = graph.one("aws:cognito/user:User", "access-bob").inputs
    assert bob["messageAction"] == "SUPPRESS" and secret_value(bob["temporaryPassword"]) == "Temporary-Pass-1"
    assert "desiredDeliveryMediums" not in bob and "attributes" not in bob


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
            env.JWKS_URL.name: "https://login.example.com/keys",
            env.AUDIENCE.name: "api://studio",
        }

    return pulumi.Output.from_input(identity.authorizer_environment).apply(check)


@pulumi.runtime.test
def test_oidc_without_client_ids_leaves_the_client_check_unset(graph: Graph) -> pulumi.Output[None]:
    identity: Identity = _identity(OidcArgs(issuer="https://login.example.com"), replace(CHECKS, token_use="id")).part

    def check(environment: dict[str, Any]) -> None:
        assert env.ALLOWED_CLIENT_IDS.name not in environment
        assert environment[env.TOKEN_USE.name] == "id"

    return pulumi.Output.from_input(identity.authorizer_environment).apply(check)
