"""The shared stack's config (`role: shared`): network hub, access proxy, identity, LOBs, users, simulator."""

from __future__ import annotations

import ipaddress
import itertools
import re
from typing import Annotated, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from contracts import tables

from .base import LOG_RETENTION_DAYS, AwsTarget, FlowLogged, Model, VpcLayout, Zoned, subnet_problems
from .budget import BudgetConfig
from .types import (
    AccountId,
    Address,
    InstanceType,
    LobName,
    Network,
    OrganizationArn,
    RoleArn,
    RoleName,
    SageMakerName,
    StackName,
    pattern,
)


class EndpointPolicies(Model):
    """Data-perimeter policies on the hub's interface endpoints, one switch per endpoint (all on by
    default). Off: the endpoint keeps AWS's default policy (any principal, any resource), e.g. `sts`
    when corporate machines use the central STS endpoint for accounts outside the perimeter
    (docs/network.md#8-endpoint-policies). The policy pack reports every endpoint switched off."""

    sagemaker_api: bool = True
    sagemaker_runtime: bool = True
    studio: bool = True
    execute_api: bool = True
    sts: bool = True

    def enabled(self) -> frozenset[str]:
        """The endpoint keys (network_hub's: `sagemaker-api`, ...) whose policy is on."""
        return frozenset(name.replace("_", "-") for name, on in self.model_dump().items() if on)


class HubConfig(VpcLayout):
    """The central network hub; defaults reproduce the sample (but for the hardening of docs/network.md)."""

    vpc_cidr: Network = ipaddress.IPv4Network("10.0.0.0/16")
    private_subnets: tuple[Network, Network] = (
        ipaddress.IPv4Network("10.0.8.0/21"),
        ipaddress.IPv4Network("10.0.16.0/21"),
    )
    attachment_subnets: tuple[Network, Network] = (
        ipaddress.IPv4Network("10.0.24.0/24"),
        ipaddress.IPv4Network("10.0.25.0/24"),
    )
    transit_gateway_asn: int = 65000
    resolver_inbound_ips: tuple[Address, Address] = (
        ipaddress.IPv4Address("10.0.15.133"),
        ipaddress.IPv4Address("10.0.20.133"),
    )
    resolver_outbound_ips: tuple[Address, Address] = (
        ipaddress.IPv4Address("10.0.15.134"),
        ipaddress.IPv4Address("10.0.20.134"),
    )
    on_prem_cidrs: list[Network] = [ipaddress.IPv4Network("192.168.10.0/24")]
    # `false` switches every endpoint's policy off; a map switches single endpoints (`sts: false`).
    endpoint_policies: EndpointPolicies = EndpointPolicies()

    @field_validator("endpoint_policies", mode="before")
    @classmethod
    def _all_endpoint_policies(cls, value: object) -> object:
        if isinstance(value, bool):
            return {name: value for name in EndpointPolicies.model_fields}
        return value

    @model_validator(mode="after")
    def _hub_rules(self) -> HubConfig:
        problems = []
        asn = self.transit_gateway_asn
        if not (64512 <= asn <= 65534 or 4200000000 <= asn <= 4294967294):
            problems.append(f"transitGatewayAsn {asn} is not a private ASN (64512-65534 or 4200000000-4294967294)")
        ips = list(self.resolver_inbound_ips) + list(self.resolver_outbound_ips)
        if len(set(ips)) != len(ips):
            problems.append("resolver IPs must all differ")
        for key, pair in (
            ("resolverInboundIps", self.resolver_inbound_ips),
            ("resolverOutboundIps", self.resolver_outbound_ips),
        ):
            for zone, (ip, subnet) in enumerate(zip(pair, self.private_subnets, strict=False)):
                hosts = list(itertools.islice(subnet.hosts(), 3))  # AWS reserves .1-.3 and the last
                if ip not in subnet:
                    problems.append(f"{key}[{zone}] {ip} is not in privateSubnets[{zone}] {subnet} (same zone)")
                elif ip in hosts or ip == subnet.broadcast_address or ip == subnet.network_address:
                    problems.append(f"{key}[{zone}] {ip} is an address AWS reserves in {subnet}")
        if problems:
            raise ValueError("\n".join(problems))
        return self


# Studio sessions: SageMaker accepts 1800-43200 s; this project allows at most 8 hours.
MAX_STUDIO_SESSION_SECONDS = 8 * 3600
# Claims that many issuers let the person change (their own email, display or login name):
# refused as identity.usernameClaim unless identity.allowMutableUsernameClaim names the claim.
MUTABLE_CLAIMS = ("email", "preferred_username", "name", "nickname", "upn", "unique_name")
# The sign-in page (docs/sign-in.md): Cognito's managed login domain prefix (lowercase letters,
# digits, hyphens; AWS refuses prefixes holding aws, amazon or cognito), and the scopes it asks for.
DOMAIN_PREFIX_RESERVED = ("aws", "amazon", "cognito")
COGNITO_SCOPES = ("openid", "email", "profile", "phone")
HttpsEndpoint = Annotated[str, pattern(r"https://[^\s/?#$'\";,]+(/[^\s?#$'\";,]*)?", "https URL without query")]


def default_domain_prefix(stack: str, account_id: str) -> str:
    """`studio-access-<stack>-<account id>`: unique per account and stack, within Cognito's rules."""
    name = re.sub(r"-+", "-", re.sub(r"[^a-z0-9-]", "-", stack.lower()))
    for word in DOMAIN_PREFIX_RESERVED:
        name = name.replace(word, "")
    name = re.sub(r"-+", "-", name).strip("-")[:36].strip("-")
    return "-".join(p for p in ("studio-access", name, account_id) if p)


class ApiConfig(Model):
    """The private REST API in front of the presigned-URL function."""

    stage: Annotated[str, pattern(r"[A-Za-z0-9_-]{1,64}", "API stage name")] = "dev"
    # API Gateway reuses an allow for the same token this long (at most the access token's
    # lifetime: SharedStackConfig checks it against identity.accessTokenValidityMinutes).
    authorizer_ttl_seconds: int = Field(default=120, ge=0, le=3600)
    throttling_rate_limit: float = Field(default=10.0, gt=0, le=10000)
    throttling_burst_limit: int = Field(default=20, ge=1, le=5000)
    execution_logging_level: Literal["ERROR", "INFO", "OFF"] = "ERROR"
    # API Gateway's CloudWatch role is ONE setting per account and region, used by every REST API
    # there for execution and access logs; this stack's access logs are always on, so it is always
    # needed. `manage`: this stack sets it to a role of its own, replacing whatever role was set
    # (other APIs of the account then log through this one) and keeping it on destroy;
    # `existing`: a role is already set, named in accountLoggingRoleArn. No default: replacing
    # an account-wide setting is the operator's choice (docs/platform.md).
    account_logging_role: Literal["manage", "existing"] | None = None
    account_logging_role_arn: RoleArn | None = None
    # Replaced by accountLoggingRole; read only to say so.
    manage_account_logging_role: bool | None = None

    @model_validator(mode="after")
    def _account_logging_role(self) -> ApiConfig:
        problem = None
        choice, arn = self.account_logging_role, self.account_logging_role_arn
        if self.manage_account_logging_role is not None:
            problem = (
                "manageAccountLoggingRole was replaced by accountLoggingRole: `manage` (this stack sets API "
                "Gateway's account-wide CloudWatch role) or `existing` with accountLoggingRoleArn (see docs/platform.md)"
            )
        elif choice is None:
            problem = (
                "accountLoggingRole is required: `manage` (this stack sets API Gateway's CloudWatch role for the "
                "whole account and region, replacing any role set there) or `existing` (a role is already set: "
                "name it in accountLoggingRoleArn); the stage's access logs fail without one, whatever "
                "executionLoggingLevel says (docs/platform.md)"
            )
        elif choice == "existing" and arn is None:
            problem = (
                "accountLoggingRole existing needs accountLoggingRoleArn: the role already set in API Gateway's "
                "settings of this account and region (`aws apigateway get-account`), as confirmation; without a "
                "role the stage's access logs fail, whatever executionLoggingLevel says"
            )
        elif choice == "manage" and arn is not None:
            problem = "accountLoggingRoleArn is only for accountLoggingRole existing; `manage` creates its own role"
        if problem:
            raise ValueError(problem)
        return self

    @property
    def manages_account_logging_role(self) -> bool:
        return self.account_logging_role == "manage"


class AccessConfig(VpcLayout):
    """The access proxy (shared account): its VPC, tables, functions and API; defaults reproduce the sample."""

    vpc_cidr: Network = ipaddress.IPv4Network("10.17.0.0/16")
    private_subnets: tuple[Network, Network] = (
        ipaddress.IPv4Network("10.17.8.0/24"),
        ipaddress.IPv4Network("10.17.16.0/24"),
    )
    attachment_subnets: tuple[Network, Network] = (
        ipaddress.IPv4Network("10.17.64.0/24"),
        ipaddress.IPv4Network("10.17.4.0/24"),
    )
    # The role every LOB stack creates and the presigned-URL function assumes.
    access_role_name: RoleName = "SagemakerStudioAccessRole"
    url_expires_seconds: int = Field(default=20, ge=5, le=300)  # SageMaker's ExpiresInSeconds range
    # A Studio session lasts at most a working day (SageMaker's own default would be 12 hours).
    session_expiration_seconds: int = Field(default=MAX_STUDIO_SESSION_SECONDS, ge=1800, le=MAX_STUDIO_SESSION_SECONDS)
    cache_ttl_seconds: int = Field(default=60, ge=0, le=3600)
    log_retention_days: int = 30
    table_deletion_protection: bool = True
    # Validated also when absent (from {}): accountLoggingRole has no default.
    api: ApiConfig = Field(default_factory=dict, validate_default=True)

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            raise ValueError(
                f"{days} is not a CloudWatch Logs retention period ({', '.join(map(str, LOG_RETENTION_DAYS))})"
            )
        return days


class IdentityConfig(Model):
    """Who signs the tokens the authorizer accepts: a Cognito pool this stack creates, or an OIDC issuer."""

    provider: Literal["cognito", "oidc"] = "cognito"
    # cognito
    pool_name: Annotated[str, pattern(r"[\w\s+=,.@-]{1,128}", "user pool name")] = "SageMakerPool"
    password_minimum_length: int = Field(default=12, ge=12, le=99)
    # TOTP MFA for everyone; OFF and OPTIONAL are refused (a stolen password alone would sign in).
    mfa: Literal["OFF", "OPTIONAL", "ON"] = "ON"
    # Cognito threat protection (the Plus feature plan); AUDIT or OFF is an opt-out the policy
    # pack reports (docs/security.md#mfa-and-threat-protection).
    threat_protection: Literal["ENFORCED", "AUDIT", "OFF"] = "ENFORCED"
    # Access and ID tokens: 5 (Cognito's minimum) to 60 minutes. A signed-out or disabled person's
    # token keeps passing the authorizer's signature check until it expires.
    access_token_validity_minutes: int = Field(default=30, ge=5, le=60)
    # Refresh tokens: 60 (Cognito's minimum) minutes to one day; then the person signs in again.
    refresh_token_validity_minutes: int = Field(default=1440, ge=60, le=1440)
    allow_password_auth: bool = False
    deletion_protection: bool = True
    # oidc
    issuer: Annotated[str, pattern(r"https://[^\s/?#]+(/[^\s?#]*)?", "https issuer URL")] | None = None
    jwks_url: Annotated[str, pattern(r"https://[^\s?#]+", "https JWKS URL")] | None = None
    audience: str | None = None
    client_ids: list[str] = []
    username_claim: str = "username"
    # The one mutable claim (MUTABLE_CLAIMS) the operator accepts as usernameClaim, by name.
    allow_mutable_username_claim: str | None = None
    # RFC 9068: the token's header must say typ at+jwt (an access token, not an ID token).
    require_access_token_type: bool = False
    token_use: str | None = None  # default: "access" for Cognito, no check for OIDC
    leeway_seconds: int = Field(default=0, ge=0, le=120)
    # oidc: the claim with the person's groups (default groups); Cognito's are in cognito:groups.
    groups_claim: Annotated[str, pattern(r"[\x21-\x7e]{1,256}", "claim name")] | None = None
    # The sign-in page (docs/sign-in.md). cognito: the managed login domain's prefix
    # (<prefix>.auth.<region>.amazoncognito.com; default studio-access-<stack>-<account id>).
    domain_prefix: Annotated[str, pattern(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?", "Cognito domain prefix")] | None = (
        None
    )
    # oidc: the issuer's endpoints (its discovery document's authorization_endpoint, token_endpoint,
    # end_session_endpoint) and the page's own client (public, PKCE); no page without the first two.
    authorization_endpoint: HttpsEndpoint | None = None
    token_endpoint: HttpsEndpoint | None = None
    end_session_endpoint: HttpsEndpoint | None = None
    page_client_id: Annotated[str, pattern(r"[\w.:@-]{1,255}", "OAuth client id")] | None = None
    # What the page asks the identity provider for (openid is required).
    sign_in_scopes: list[Annotated[str, pattern(r"[A-Za-z0-9_.:/-]{1,256}", "OAuth scope")]] = [
        "openid",
        "email",
        "profile",
    ]

    @field_validator("mfa", mode="before")
    @classmethod
    def _mfa_required(cls, mfa: object) -> object:
        if isinstance(mfa, bool):  # YAML 1.1 reads an unquoted ON as true, OFF as false
            mfa = "ON" if mfa else "OFF"
        if mfa != "ON":
            raise ValueError(
                f"{mfa} is refused: MFA is required (ON, TOTP), or a stolen password alone opens Studio; "
                "write mfa: ON (or drop the key)"
            )
        return mfa

    @model_validator(mode="after")
    def _provider_settings(self) -> IdentityConfig:
        problems = []
        if self.provider == "oidc":
            if not self.issuer:
                problems.append("provider oidc needs issuer (the https URL in the tokens' iss claim)")
            if not (self.audience or self.client_ids):
                problems.append("provider oidc needs audience or clientIds: tokens of any client would pass otherwise")
            problems += self._username_claim_problems()
            problems += self._oidc_page_problems()
        else:
            given = [
                k
                for k, v in (
                    ("issuer", self.issuer),
                    ("jwksUrl", self.jwks_url),
                    ("audience", self.audience),
                    ("clientIds", self.client_ids),
                    ("allowMutableUsernameClaim", self.allow_mutable_username_claim),
                    ("requireAccessTokenType", self.require_access_token_type),
                    ("groupsClaim", self.groups_claim not in (None, COGNITO_GROUPS_CLAIM)),
                    ("authorizationEndpoint", self.authorization_endpoint),
                    ("tokenEndpoint", self.token_endpoint),
                    ("endSessionEndpoint", self.end_session_endpoint),
                    ("pageClientId", self.page_client_id),
                )
                if v
            ]
            if given:
                problems.append(f"{', '.join(given)}: only for provider oidc; Cognito's come from the pool")
            problems += self._domain_prefix_problems()
            other = sorted(set(self.sign_in_scopes) - set(COGNITO_SCOPES))
            if other:
                problems.append(
                    f"signInScopes {', '.join(other)}: the Cognito client offers only {', '.join(COGNITO_SCOPES)}"
                )
        if "openid" not in self.sign_in_scopes:
            problems.append("signInScopes must include openid: the page checks the ID token's nonce")
        if self.refresh_token_validity_minutes <= self.access_token_validity_minutes:
            problems.append(
                f"refreshTokenValidityMinutes {self.refresh_token_validity_minutes} must be longer than "
                f"accessTokenValidityMinutes {self.access_token_validity_minutes}, or every refresh signs the person out"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def _domain_prefix_problems(self) -> list[str]:
        prefix = self.domain_prefix
        reserved = [w for w in DOMAIN_PREFIX_RESERVED if prefix and w in prefix]
        if reserved:
            return [f"domainPrefix {prefix} holds {', '.join(reserved)}, which Cognito refuses in a domain prefix"]
        return []

    def _oidc_page_problems(self) -> list[str]:
        """The sign-in page needs both endpoints and the page's client, or none of them (no page)."""
        problems = []
        if self.domain_prefix:
            problems.append("domainPrefix: only for provider cognito (the issuer's endpoints name its hosts)")
        endpoints = {"authorizationEndpoint": self.authorization_endpoint, "tokenEndpoint": self.token_endpoint}
        if any(endpoints.values()) and not all(endpoints.values()):
            missing = ", ".join(k for k, v in endpoints.items() if not v)
            problems.append(f"the sign-in page needs authorizationEndpoint and tokenEndpoint: {missing} is missing")
        page = all(endpoints.values())
        if page and not self.page_client_id:
            problems.append("the sign-in page needs pageClientId: the issuer's public client (PKCE) for the page")
        if not page and (self.page_client_id or self.end_session_endpoint):
            problems.append("pageClientId and endSessionEndpoint need authorizationEndpoint and tokenEndpoint")
        if page and self.client_ids and self.page_client_id not in self.client_ids:
            problems.append(
                f"pageClientId {self.page_client_id} is not in clientIds ({', '.join(self.client_ids)}): "
                "the authorizer would refuse the page's tokens"
            )
        return problems

    @property
    def has_sign_in_page(self) -> bool:
        return self.provider == "cognito" or bool(self.authorization_endpoint and self.token_endpoint)

    def _username_claim_problems(self) -> list[str]:
        claim, allowed = self.username_claim, self.allow_mutable_username_claim
        problems = []
        if claim.lower() in MUTABLE_CLAIMS and allowed != claim:
            problems.append(
                f"usernameClaim {claim} is a claim many issuers let the person change, so whoever renames "
                f"themselves gets that username's Studio: use an immutable claim (sub, oid, an employee id), "
                f"or accept {claim} by name with allowMutableUsernameClaim: {claim}"
            )
        if allowed is not None and allowed != claim:
            problems.append(
                f"allowMutableUsernameClaim {allowed} is not usernameClaim {claim}: it accepts only the claim it names"
            )
        return problems


class UserEntry(Model):
    """A person: with Cognito, a user the stack creates (and may put in groups); their own LOB, if
    any (an exception on top of their groups: docs/entitlements.md), and the Studio user profile
    (default: the username)."""

    # Usernames become user profile names and IAM resource ARNs: SageMaker's pattern.
    username: SageMakerName
    # A per-person entitlement (the users table's LOB); none: their groups alone say.
    lob: LobName | None = None
    profile: SageMakerName | None = None
    # Required with provider cognito: Cognito mails this person their own temporary password.
    email: Annotated[str, pattern(r"[^@\s]+@[^@\s]+\.[^@\s]+", "email address")] | None = None

    @property
    def profile_name(self) -> str:
        return self.profile or self.username


# Where Cognito puts a person's groups in the access token.
COGNITO_GROUPS_CLAIM = "cognito:groups"
# A group the stack creates in Cognito: these characters (a subset of Cognito's own), at most 128.
COGNITO_GROUP_NAME = r"[\w.+=@-]{1,128}"
# An identity provider's group as its tokens carry it: printable, at most 256 characters (the
# authorizer signs no longer one into its proof: contracts.proof.MAX_GROUP_LENGTH).
GroupName = Annotated[str, pattern(r"[^\x00-\x1f\x7f]{1,256}", "group name (printable, at most 256 characters)")]


class GroupEntry(Model):
    """An identity provider group and the LOBs its members may open (docs/entitlements.md). With
    Cognito the stack creates the group and puts its `members` (usernames of `users`) in it; with
    an OIDC issuer the group and its members are the issuer's (in the identity.groupsClaim claim)."""

    name: GroupName
    lobs: list[LobName] = Field(min_length=1)
    members: list[SageMakerName] = []


class RamConfig(Model):
    """How the Transit Gateway and resolver rules are shared."""

    # Share with the whole organization (no invitations) instead of the listed LOB accounts.
    organization_arn: OrganizationArn | None = None
    # Needed to share with accounts outside the organization (they then accept the invitation).
    allow_external_principals: bool = False

    @model_validator(mode="after")
    def _no_external_with_org(self) -> RamConfig:
        if self.organization_arn and self.allow_external_principals:
            raise ValueError("allowExternalPrincipals must be false when sharing with an organization")
        return self


class LobEntry(Model):
    """A LOB as the shared stack knows it."""

    name: LobName
    account_id: AccountId
    # The LOB's stack in this project (default: the LOB name); its file gives the VPC CIDR.
    stack: StackName | None = None
    # Needed only when the LOB's stack file is not in this project directory.
    vpc_cidr: Network | None = None

    @property
    def stack_name(self) -> str:
        return self.stack or self.name


class OnPremConfig(Zoned, FlowLogged):
    """The sample's stand-in for a corporate network: a VPC peered with the central VPC, a
    bastion and a private Windows host with a browser. Off by default."""

    enabled: bool = False
    vpc_cidr: Network = ipaddress.IPv4Network("192.168.10.0/24")
    private_subnets: tuple[Network, Network] = (
        ipaddress.IPv4Network("192.168.10.0/26"),
        ipaddress.IPv4Network("192.168.10.64/26"),
    )
    public_subnets: tuple[Network, Network] = (
        ipaddress.IPv4Network("192.168.10.128/26"),
        ipaddress.IPv4Network("192.168.10.192/26"),
    )
    key_pair_name: Annotated[str, pattern(r"[\x20-\x7e]{1,255}", "EC2 key pair name")] | None = None
    # Who may reach the bastion over SSH: required when enabled, never the whole internet.
    bastion_allowed_cidr: Network | None = None
    bastion_instance_type: InstanceType = "t3a.nano"
    windows_instance_type: InstanceType = "t3a.medium"
    install_browser: bool = True

    @model_validator(mode="after")
    def _simulator_rules(self) -> OnPremConfig:
        problems = []
        subnets = [("privateSubnets", s) for s in self.private_subnets] + [
            ("publicSubnets", s) for s in self.public_subnets
        ]
        problems += subnet_problems(self.vpc_cidr, subnets)
        if self.bastion_allowed_cidr is not None and self.bastion_allowed_cidr.prefixlen < 8:
            problems.append(
                f"bastionAllowedCidr {self.bastion_allowed_cidr} opens SSH to (a large part of) the internet; name your own range"
            )
        if self.enabled:
            problems += [
                f"{key} is required when enabled"
                for key, value in (
                    ("keyPairName", self.key_pair_name),
                    ("bastionAllowedCidr", self.bastion_allowed_cidr),
                )
                if value is None
            ]
        if problems:
            raise ValueError("\n".join(problems))
        return self


class SharedStackConfig(Model):
    role: Literal["shared"]
    aws: AwsTarget
    tags: dict[str, str] = {}
    hub: HubConfig = HubConfig()
    access: AccessConfig = Field(default_factory=dict, validate_default=True)  # access.api has a required key
    ram: RamConfig = RamConfig()
    lobs: list[LobEntry] = Field(min_length=1)
    identity: IdentityConfig = IdentityConfig()
    users: list[UserEntry] = []
    # Identity provider groups mapped to LOBs (with Cognito, also their members).
    groups: list[GroupEntry] = []
    on_prem: OnPremConfig = OnPremConfig()
    # A monthly cost budget of the shared account, with alerts (optional).
    budget: BudgetConfig | None = None

    @model_validator(mode="after")
    def _logging_role_in_account(self) -> SharedStackConfig:
        arn = self.access.api.account_logging_role_arn
        if arn and arn.split(":")[4] != self.aws.account_id:
            raise ValueError(
                f"access.api.accountLoggingRoleArn {arn} is in another account than aws.accountId "
                f"{self.aws.account_id}: API Gateway's CloudWatch role is a role of its own account"
            )
        return self

    @model_validator(mode="after")
    def _authorizer_cache_within_token(self) -> SharedStackConfig:
        ttl, minutes = self.access.api.authorizer_ttl_seconds, self.identity.access_token_validity_minutes
        if ttl > minutes * 60:
            raise ValueError(
                f"access.api.authorizerTtlSeconds {ttl} outlives identity.accessTokenValidityMinutes {minutes} "
                f"({minutes * 60} s): API Gateway would keep allowing a token after it expired or was revoked; "
                f"set authorizerTtlSeconds to {minutes * 60} or less"
            )
        return self

    @model_validator(mode="after")
    def _on_prem_is_routed(self) -> SharedStackConfig:
        sim = self.on_prem
        if sim.enabled and not any(sim.vpc_cidr.subnet_of(c) for c in self.hub.on_prem_cidrs):
            raise ValueError(
                f"onPrem.vpcCidr {sim.vpc_cidr} must be inside one of hub.onPremCidrs "
                f"({', '.join(map(str, self.hub.on_prem_cidrs))}): only those reach the central endpoints"
            )
        return self

    @model_validator(mode="after")
    def _zones_in_region(self) -> SharedStackConfig:
        region = self.aws.region
        problems = [
            p
            for key, zoned in (("hub", self.hub), ("access", self.access), ("onPrem", self.on_prem))
            for p in zoned.zone_problems(key, region)
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @field_validator("users")
    @classmethod
    def _known_lobs(cls, users: list[UserEntry], info: ValidationInfo) -> list[UserEntry]:
        names = [u.username.lower() for u in users]  # Cognito usernames are case-insensitive
        dupes = sorted({n for n in names if names.count(n) > 1})
        problems = [f"duplicate username: {', '.join(dupes)}"] if dupes else []
        lobs = {lob.name for lob in info.data.get("lobs") or []}
        problems += [
            f"user {u.username} maps to LOB {u.lob}, which lobs does not list ({', '.join(sorted(lobs))})"
            for u in users
            if lobs and u.lob is not None and u.lob not in lobs
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return users

    @field_validator("groups")
    @classmethod
    def _known_groups(cls, groups: list[GroupEntry], info: ValidationInfo) -> list[GroupEntry]:
        """Distinct groups of known LOBs; with Cognito, names it accepts and members from users;
        with OIDC, no members (the issuer's); the mapping small enough for its item."""
        names = [g.name for g in groups]
        problems = [f"duplicate group: {d}" for d in sorted({n for n in names if names.count(n) > 1})]
        lobs = {lob.name for lob in info.data.get("lobs") or []}
        identity = info.data.get("identity")
        users = info.data.get("users")
        cognito = identity is not None and identity.provider == "cognito"
        known_users = {u.username.lower() for u in users or []}
        for group in groups:
            unknown = [lob for lob in group.lobs if lobs and lob not in lobs]
            if unknown:
                problems.append(
                    f"group {group.name} maps to LOB {', '.join(unknown)}, which lobs does not list "
                    f"({', '.join(sorted(lobs))})"
                )
            for what, values in (("LOB", group.lobs), ("member", [m.lower() for m in group.members])):
                dupes = sorted({v for v in values if values.count(v) > 1})
                if dupes:
                    problems.append(f"group {group.name}: duplicate {what} {', '.join(dupes)}")
            if cognito and not re.fullmatch(COGNITO_GROUP_NAME, group.name):
                problems.append(
                    f"group {group.name!r}: a Cognito group this stack creates is named with letters, digits "
                    "and _.+=@- (at most 128)"
                )
            if identity is not None and not cognito and group.members:
                problems.append(
                    f"group {group.name}: members only with provider cognito; an OIDC issuer's groups and their "
                    "members are the issuer's (identity.groupsClaim names the claim that carries them)"
                )
            if cognito and users is not None:
                missing = [m for m in group.members if m.lower() not in known_users]
                if missing:
                    problems.append(
                        f"group {group.name}: member {', '.join(missing)} is not in users (Cognito users are "
                        "created from users entries, each with their email)"
                    )
        size = len(tables.group_map_text({g.name: g.lobs for g in groups}).encode())
        if size > tables.MAX_GROUP_MAP_BYTES:
            problems.append(
                f"the group mapping takes {size} bytes, more than {tables.MAX_GROUP_MAP_BYTES} "
                "(it is one DynamoDB item): map fewer or shorter groups"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return groups

    @field_validator("lobs")
    @classmethod
    def _unique_lobs(cls, lobs: list[LobEntry], info: ValidationInfo) -> list[LobEntry]:
        problems = []
        for what, values in (
            ("LOB name", [lob.name for lob in lobs]),
            ("LOB stack", [lob.stack_name for lob in lobs]),
            ("LOB account", [lob.account_id for lob in lobs]),
        ):
            for dupe in sorted({v for v in values if values.count(v) > 1}):
                where = ", ".join(
                    f"lobs[{i}] {lob.name}" for i, (lob, v) in enumerate(zip(lobs, values, strict=False)) if v == dupe
                )
                extra = (
                    ": one access role name per account, so two LOBs cannot share an account"
                    if what == "LOB account"
                    else ""
                )
                problems.append(f"duplicate {what} {dupe} in {where}{extra}")
        target = info.data.get("aws")
        own = [lob.name for lob in lobs if target and lob.account_id == target.account_id]
        if own and target:
            problems.append(
                f"LOB {', '.join(own)} uses the shared account {target.account_id}; "
                "RAM cannot share with the owning account"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return lobs

    def lob(self, name: str | None) -> LobEntry | None:
        return next((lob for lob in self.lobs if lob.name == name), None)

    @property
    def groups_claim(self) -> str:
        """The claim the authorizer reads the person's groups from."""
        if self.identity.provider == "cognito":
            return COGNITO_GROUPS_CLAIM
        return self.identity.groups_claim or "groups"

    def group_lobs(self) -> dict[str, tuple[str, ...]]:
        """The groups' mapping to LOBs, as the LOBs table's mapping item holds it."""
        return {group.name: tuple(group.lobs) for group in self.groups}

    def entitled_lobs(self, user: UserEntry) -> dict[str, str]:
        """The LOBs this config entitles a Cognito user to, each with why (its row, or a group);
        an OIDC issuer's members are its own, unknown here."""
        found = {user.lob: "users entry"} if user.lob else {}
        for group in self.groups:
            if user.username.lower() in (m.lower() for m in group.members):
                for lob in group.lobs:
                    found.setdefault(lob, f"group {group.name}")
        return found
