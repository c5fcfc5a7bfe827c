"""The access proxy's identity provider: who signs people in, and how the authorizer checks them.

Either a Cognito user pool made here (admin-created users only, strong passwords, TOTP MFA
required, threat protection, an app client without secret, short-lived tokens that can be
revoked) with the users the stack config lists, each mailed their own temporary password, and
its groups with their members (the access token's `cognito:groups`, which the authorizer signs
into its proof: `GROUPS_CLAIM`), or an external OIDC issuer whose values are passed through
(its groups claim configurable). Either way the result is what the authorizer function needs to
verify a token: its environment (`contracts.authorizer_env`).

The sign-in page (`components/site`, docs/sign-in.md) signs in with the authorization code flow
and PKCE: with Cognito, through the pool's managed login domain (`<prefix>.auth.<region>.
amazoncognito.com`), the app client allowing the code flow only, back to the page's own URL
alone; with an OIDC issuer, through the endpoints the config names. `sign_in` is what the page
needs either way (None: no page).

A part of `AccessProxy`, not a component of its own: its resources are children of the proxy,
so their URNs are the ones deployed stacks already have (see `components/access_proxy.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal
from urllib.parse import urlsplit

import pulumi
import pulumi_aws as aws

from contracts import authorizer_env as env
from contracts.tags import THREAT_PROTECTION_TAG

# The claim whose value an issuer's user may change unless verified: checked with email_verified.
EMAIL_CLAIM = "email"
# RFC 9068's media type of JWT access tokens, in the header's typ.
ACCESS_TOKEN_TYPE = "at+jwt"
# Where the person's groups are: Cognito's claim, and the usual one of OIDC issuers.
COGNITO_GROUPS_CLAIM, OIDC_GROUPS_CLAIM = "cognito:groups", "groups"
# Cognito's feature plan that threat protection needs, and the one without it.
PLUS_TIER, ESSENTIALS_TIER = "PLUS", "ESSENTIALS"
# What the sign-in page asks for by default (openid: an ID token carrying the page's nonce).
SIGN_IN_SCOPES = ("openid", "email", "profile")
# Cognito's managed login (not the classic hosted UI): version 2 of a prefix domain.
MANAGED_LOGIN_VERSION = 2


@dataclass(frozen=True, kw_only=True)
class CognitoUser:
    username: str
    # Cognito mails this person a temporary password of their own, which the first sign-in changes.
    email: str


@dataclass(frozen=True, kw_only=True)
class CognitoGroup:
    """A Cognito group of the pool and its members (config as code, like the users): the group's
    name reaches the authorizer in the access token's `cognito:groups` claim."""

    name: str
    members: tuple[str, ...] = ()
    # What it opens (in the group's description, for whoever looks at the pool).
    lobs: tuple[str, ...] = ()


@dataclass(frozen=True, kw_only=True)
class CognitoArgs:
    """A user pool and app client made by the stack. MFA (TOTP) is always required."""

    pool_name: str
    password_minimum_length: int
    access_token_validity_minutes: int
    allow_password_auth: bool
    deletion_protection: bool
    # Refresh tokens: at most a day, then the person signs in again.
    refresh_token_validity_minutes: int = 1440
    # Cognito threat protection; ENFORCED and AUDIT need the Plus feature plan.
    threat_protection: Literal["ENFORCED", "AUDIT", "OFF"] = "ENFORCED"
    users: tuple[CognitoUser, ...] = ()
    # Groups and their members, each member one of `users`.
    groups: tuple[CognitoGroup, ...] = ()
    # The managed login domain's prefix, for the sign-in page (None: no domain, no OAuth flows).
    domain_prefix: str | None = None
    sign_in_scopes: tuple[str, ...] = SIGN_IN_SCOPES


@dataclass(frozen=True, kw_only=True)
class OidcArgs:
    """An external OIDC issuer: nothing is made, its values go to the authorizer."""

    issuer: str
    # The token's client_id must be one of them (none: not checked; then the audience is).
    client_ids: tuple[str, ...] = ()
    # The sign-in page: the issuer's endpoints and the page's public client (None: no page).
    authorization_endpoint: str | None = None
    token_endpoint: str | None = None
    end_session_endpoint: str | None = None
    page_client_id: str | None = None
    sign_in_scopes: tuple[str, ...] = SIGN_IN_SCOPES


@dataclass(frozen=True, kw_only=True)
class TokenChecks:
    """What the authorizer checks in a token beyond its signature, issuer and client."""

    username_claim: str
    leeway_seconds: int
    # RFC 9068: require typ at+jwt in the token's header (OIDC issuers that issue JWT access tokens).
    require_access_token_type: bool = False
    # The required token_use claim; None: "access" for Cognito, not checked for an OIDC issuer.
    token_use: str | None = None
    audience: str | None = None
    # The issuer's key set; None: the issuer's /.well-known/jwks.json.
    jwks_url: str | None = None
    # The claim with the person's groups; None: Cognito's cognito:groups (an OIDC issuer: groups).
    groups_claim: str | None = None


@dataclass(frozen=True, kw_only=True)
class IdentityArgs:
    region: str
    provider: CognitoArgs | OidcArgs
    checks: TokenChecks
    # The sign-in page's URL (`https://<api-id>.execute-api.<region>.amazonaws.com/<stage>/`): the
    # Cognito client's only callback and logout URL. Needed with a Cognito domain prefix.
    page_url: pulumi.Input[str] | None = None


@dataclass(frozen=True, kw_only=True)
class SignInEndpoints:
    """What the sign-in page needs from the identity provider (`components.site.PageSettings`)."""

    provider: Literal["cognito", "oidc"]
    authorize_url: pulumi.Input[str]
    token_url: pulumi.Input[str]
    logout_url: pulumi.Input[str] | None
    client_id: pulumi.Input[str]
    issuer: pulumi.Input[str]
    username_claim: str
    scopes: tuple[str, ...]
    # The hosts a person's browser reaches besides the API's (docs/sign-in.md).
    hosts: pulumi.Input[list[str]]


class Identity:
    """A Cognito pool, client and users under `parent`, or an OIDC issuer; the authorizer's environment."""

    user_pool: aws.cognito.UserPool | None
    user_pool_client: aws.cognito.UserPoolClient | None
    # Cognito's managed login domain, with the sign-in page.
    user_pool_domain: aws.cognito.UserPoolDomain | None
    # What the sign-in page needs; None: no page (an OIDC issuer without its endpoints in config).
    sign_in: SignInEndpoints | None
    issuer: pulumi.Output[str]
    # Comma-separated client ids the authorizer accepts; None: not checked.
    client_ids: pulumi.Input[str] | None
    # The authorizer function's environment (names from contracts.authorizer_env).
    authorizer_environment: dict[str, pulumi.Input[str]]

    def __init__(self, name: str, args: IdentityArgs, parent: pulumi.Resource) -> None:
        self.user_pool = self.user_pool_client = self.user_pool_domain = None
        self.sign_in = None
        provider, checks = args.provider, args.checks
        if isinstance(provider, CognitoArgs):
            pool, client = self._cognito(name, provider, args.page_url, parent)
            self.user_pool, self.user_pool_client = pool, client
            self.issuer = pulumi.Output.concat(f"https://cognito-idp.{args.region}.amazonaws.com/", pool.id)
            self.client_ids = client.id
            token_use = "access"
            if provider.domain_prefix:
                self.user_pool_domain = self._managed_login(name, provider.domain_prefix, pool, client, parent)
                host = f"{provider.domain_prefix}.auth.{args.region}.amazoncognito.com"
                self.sign_in = SignInEndpoints(
                    provider="cognito",
                    authorize_url=f"https://{host}/oauth2/authorize",
                    token_url=f"https://{host}/oauth2/token",
                    logout_url=f"https://{host}/logout",
                    client_id=client.id,
                    issuer=self.issuer,
                    username_claim=checks.username_claim or "username",
                    scopes=provider.sign_in_scopes,
                    # The managed login pages load their scripts and styles from this host too.
                    hosts=[host],
                )
        else:
            self.issuer = pulumi.Output.from_input(provider.issuer)
            self.client_ids = ",".join(provider.client_ids) or None
            token_use = ""  # token_use is Cognito's claim; an OIDC issuer is checked by audience or client
            authorize, token = provider.authorization_endpoint, provider.token_endpoint
            if authorize and token:
                assert provider.page_client_id, "the config requires pageClientId with the endpoints"
                logout = provider.end_session_endpoint
                self.sign_in = SignInEndpoints(
                    provider="oidc",
                    authorize_url=authorize,
                    token_url=token,
                    logout_url=logout,
                    client_id=provider.page_client_id,
                    issuer=provider.issuer,
                    username_claim=checks.username_claim,
                    scopes=provider.sign_in_scopes,
                    hosts=sorted({urlsplit(u).netloc for u in (authorize, token, logout) if u}),
                )
        environment: dict[str, pulumi.Input[str]] = {env.TOKEN_ISSUER.name: self.issuer}
        if self.client_ids is not None:
            environment[env.ALLOWED_CLIENT_IDS.name] = self.client_ids
        # Set even when empty: empty turns the check off, unset would mean the handler's default.
        environment[env.TOKEN_USE.name] = checks.token_use if checks.token_use is not None else token_use
        if checks.username_claim:
            environment[env.USERNAME_CLAIM.name] = checks.username_claim
        if checks.username_claim == EMAIL_CLAIM:
            # An email names a person only once the issuer has verified that they own it.
            environment[env.REQUIRE_EMAIL_VERIFIED.name] = "true"
        if checks.require_access_token_type:
            environment[env.REQUIRED_TOKEN_TYPE.name] = ACCESS_TOKEN_TYPE
        environment[env.LEEWAY_SECONDS.name] = str(checks.leeway_seconds)
        # Always set: the groups the proof carries (docs/entitlements.md).
        default_groups = COGNITO_GROUPS_CLAIM if isinstance(provider, CognitoArgs) else OIDC_GROUPS_CLAIM
        environment[env.GROUPS_CLAIM.name] = checks.groups_claim or default_groups
        if checks.jwks_url:
            environment[env.JWKS_URL.name] = checks.jwks_url
        if checks.audience:
            environment[env.AUDIENCE.name] = checks.audience
        self.authorizer_environment = environment

    @staticmethod
    def _managed_login(
        name: str, prefix: str, pool: aws.cognito.UserPool, client: aws.cognito.UserPoolClient, parent: pulumi.Resource
    ) -> aws.cognito.UserPoolDomain:
        """The pool's managed login domain, and the client's style (Cognito's own: managed login
        serves a client's pages only once it has one)."""
        child = pulumi.ResourceOptions(parent=parent)
        domain = aws.cognito.UserPoolDomain(
            f"{name}-domain",
            domain=prefix,
            user_pool_id=pool.id,
            managed_login_version=MANAGED_LOGIN_VERSION,
            opts=child,
        )
        aws.cognito.ManagedLoginBranding(
            f"{name}-login-style",
            user_pool_id=pool.id,
            client_id=client.id,
            use_cognito_provided_values=True,
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[domain]),
        )
        return domain

    @staticmethod
    def _cognito(
        name: str, args: CognitoArgs, page_url: pulumi.Input[str] | None, parent: pulumi.Resource
    ) -> tuple[aws.cognito.UserPool, aws.cognito.UserPoolClient]:
        child = pulumi.ResourceOptions(parent=parent)
        protected = args.threat_protection != "OFF"
        pool = aws.cognito.UserPool(
            f"{name}-users",
            name=args.pool_name,
            deletion_protection="ACTIVE" if args.deletion_protection else "INACTIVE",
            admin_create_user_config=aws.cognito.UserPoolAdminCreateUserConfigArgs(allow_admin_create_user_only=True),
            password_policy=aws.cognito.UserPoolPasswordPolicyArgs(
                minimum_length=args.password_minimum_length,
                require_lowercase=True,
                require_uppercase=True,
                require_numbers=True,
                require_symbols=True,
                temporary_password_validity_days=3,
            ),
            # TOTP for everyone (no SMS: codes by text message can be intercepted); a person
            # without an authenticator enrols one at the first sign-in (MFA_SETUP).
            mfa_configuration="ON",
            software_token_mfa_configuration=aws.cognito.UserPoolSoftwareTokenMfaConfigurationArgs(enabled=True),
            # Threat protection (compromised credentials, risky sign-ins) is a Plus feature.
            user_pool_tier=PLUS_TIER if protected else ESSENTIALS_TIER,
            user_pool_add_ons=aws.cognito.UserPoolUserPoolAddOnsArgs(advanced_security_mode=args.threat_protection),
            auto_verified_attributes=["email"],
            account_recovery_setting=aws.cognito.UserPoolAccountRecoverySettingArgs(
                recovery_mechanisms=[
                    aws.cognito.UserPoolAccountRecoverySettingRecoveryMechanismArgs(name="verified_email", priority=1)
                ]
            ),
            username_configuration=aws.cognito.UserPoolUsernameConfigurationArgs(case_sensitive=False),
            # The mode the config chose, for the policy pack: anything but ENFORCED is an opt-out.
            tags={THREAT_PROTECTION_TAG: args.threat_protection},
            opts=child,
        )
        flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        if args.allow_password_auth:
            flows.append("ALLOW_USER_PASSWORD_AUTH")
        oauth: dict[str, Any] = {"allowed_oauth_flows_user_pool_client": False}
        if args.domain_prefix:
            if page_url is None:
                raise ValueError("a Cognito domain prefix needs the sign-in page's URL (IdentityArgs.page_url)")
            # The sign-in page: the code flow only (the page adds PKCE), back to the page alone.
            oauth = {
                "allowed_oauth_flows_user_pool_client": True,
                "allowed_oauth_flows": ["code"],
                "allowed_oauth_scopes": list(args.sign_in_scopes),
                "callback_urls": [page_url],
                "logout_urls": [page_url],
                "supported_identity_providers": ["COGNITO"],
            }
        client = aws.cognito.UserPoolClient(
            f"{name}-client",
            name="studio-access",
            user_pool_id=pool.id,
            generate_secret=False,
            explicit_auth_flows=flows,
            **oauth,
            prevent_user_existence_errors="ENABLED",
            # Sign-out (RevokeToken, AdminUserGlobalSignOut) ends the refresh token.
            enable_token_revocation=True,
            access_token_validity=args.access_token_validity_minutes,
            id_token_validity=args.access_token_validity_minutes,
            refresh_token_validity=args.refresh_token_validity_minutes,
            token_validity_units=aws.cognito.UserPoolClientTokenValidityUnitsArgs(
                access_token="minutes", id_token="minutes", refresh_token="minutes"
            ),
            opts=child,
        )
        if protected:
            # What ENFORCED does: a sign-in or password change with credentials known to have
            # leaked is blocked, and so is a sign-in Cognito rates high-risk (MFA is already
            # required at every sign-in). No notification mails (they would need SES).
            aws.cognito.RiskConfiguration(
                f"{name}-risk",
                user_pool_id=pool.id,
                compromised_credentials_risk_configuration=aws.cognito.RiskConfigurationCompromisedCredentialsRiskConfigurationArgs(
                    event_filters=["SIGN_IN", "PASSWORD_CHANGE"],
                    actions=aws.cognito.RiskConfigurationCompromisedCredentialsRiskConfigurationActionsArgs(
                        event_action="BLOCK"
                    ),
                ),
                account_takeover_risk_configuration=aws.cognito.RiskConfigurationAccountTakeoverRiskConfigurationArgs(
                    actions=aws.cognito.RiskConfigurationAccountTakeoverRiskConfigurationActionsArgs(
                        high_action=aws.cognito.RiskConfigurationAccountTakeoverRiskConfigurationActionsHighActionArgs(
                            event_action="BLOCK", notify=False
                        ),
                        medium_action=aws.cognito.RiskConfigurationAccountTakeoverRiskConfigurationActionsMediumActionArgs(
                            event_action="MFA_REQUIRED", notify=False
                        ),
                        low_action=aws.cognito.RiskConfigurationAccountTakeoverRiskConfigurationActionsLowActionArgs(
                            event_action="NO_ACTION", notify=False
                        ),
                    )
                ),
                opts=child,
            )
        users = {}
        for user in args.users:
            users[user.username] = aws.cognito.User(
                f"{name}-{user.username}",
                user_pool_id=pool.id,
                username=user.username,
                attributes={"email": user.email, "email_verified": "true"},
                # Cognito generates this person's temporary password and mails it to them; the
                # first sign-in must change it. No password passes through the stack.
                desired_delivery_mediums=["EMAIL"],
                opts=child,
            )
        for group in args.groups:
            made = aws.cognito.UserGroup(
                f"{name}-group-{group.name}",
                user_pool_id=pool.id,
                name=group.name,
                description=f"studio-access: opens {', '.join(group.lobs) or 'nothing'}"[:2048],
                opts=child,
            )
            for member in group.members:
                if member not in users:
                    raise ValueError(f"group {group.name}: member {member} is not one of the pool's users")
                aws.cognito.UserInGroup(
                    f"{name}-group-{group.name}-{member}",
                    user_pool_id=pool.id,
                    group_name=made.name,
                    username=users[member].username,
                    opts=child,
                )
        return pool, client
