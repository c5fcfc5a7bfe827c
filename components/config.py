"""Stack configuration: typed, validated once at start, with errors that name file, key and problem.

Every stack of the project is one `Pulumi.<stack>.yaml`. Keys live in the `studio-access:`
namespace; `studio-access:role` says which part of the system the stack builds:

* `shared` (the shared-services account): network hub, later the access proxy;
* `lob` (one line-of-business account each): the VPC-only SageMaker Studio domain.

The models forbid unknown keys (a typo is an error, never a silently ignored setting). Rules that
span stacks (overlapping CIDRs anywhere the Transit Gateway routes, a LOB stack naming a LOB the
shared stack does not list, accounts and regions that must agree) are checked by reading the
sibling stack files of the same project, before any resource is registered: a bad value stops
the program with nothing created.
"""

from __future__ import annotations

import difflib
import ipaddress
import itertools
import json
import re
import typing
from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, Callable, Literal, Optional, Union

import yaml
from pulumi.errors import RunError
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
    model_validator,
)
from pydantic.alias_generators import to_camel

PROJECT = "studio-access"
NAMESPACE = f"{PROJECT}:"
PROJECT_DIR = Path(__file__).resolve().parent.parent
# Keys read with require_secret, never validated or printed as plain values.
SECRET_KEYS = ("temporaryPassword",)
# The effect a LOB stack reports when its shared stack file is invalid (after the causes).
SHARED_INVALID = "is invalid (its problems are listed above); this stack is checked once it is fixed"


class ConfigError(RunError):
    """A stack configuration problem. `problems` are `(file, key, message)` triples."""

    def __init__(self, problems: list[tuple[str, str, str]]):
        self.problems = problems
        super().__init__(
            "invalid stack configuration:\n"
            + "\n".join(f"  {file}: {key}: {msg}" for file, key, msg in problems)
        )


# --------------------------------------------------------------------------- value types


def _network(value: Any) -> ipaddress.IPv4Network:
    if isinstance(value, ipaddress.IPv4Network):
        return value
    if not isinstance(value, str) or "/" not in value:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block like 10.0.0.0/16")
    try:
        return ipaddress.IPv4Network(value, strict=True)
    except ipaddress.AddressValueError:
        raise ValueError(f"{value!r} is not an IPv4 CIDR block like 10.0.0.0/16") from None
    except ipaddress.NetmaskValueError:
        raise ValueError(f"{value!r} has an invalid prefix length") from None
    except ValueError:
        fixed = ipaddress.IPv4Network(value, strict=False)
        raise ValueError(f"{value!r} has host bits set; did you mean {fixed}?") from None


def _address(value: Any) -> ipaddress.IPv4Address:
    try:
        return ipaddress.IPv4Address(str(value))
    except ValueError:
        raise ValueError(f"{value!r} is not an IPv4 address") from None


def _account_id(value: Any) -> str:
    if isinstance(value, bool):
        raise ValueError("an AWS account id is 12 digits, as a quoted string")
    if isinstance(value, (int, float)):
        # YAML reads an unquoted id as a number: leading zeros are lost, and 0-7 digits after a
        # leading zero make it octal (012345670123 -> 1402433619). Never guess which it was.
        raise ValueError(
            f"{value} was read as a number, not an account id: quote it in the stack file "
            '(accountId: "123456789012"), so YAML keeps every digit'
        )
    if not isinstance(value, str) or not re.fullmatch(r"\d{12}", value):
        raise ValueError(f"{value!r} is not an AWS account id (12 digits)")
    return value


def _pattern(regex: str, what: str):
    compiled = re.compile(regex)

    def check(value: str) -> str:
        if not compiled.fullmatch(value):
            raise ValueError(f"{value!r} is not a valid {what} (pattern {regex})")
        return value

    return AfterValidator(check)


Network = Annotated[ipaddress.IPv4Network, BeforeValidator(_network)]
Address = Annotated[ipaddress.IPv4Address, BeforeValidator(_address)]
AccountId = Annotated[str, BeforeValidator(_account_id)]
Region = Annotated[str, _pattern(r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d", "AWS region")]
# Used in resource names, table items and tags.
LobName = Annotated[str, _pattern(r"[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?", "LOB name")]
# SageMaker's pattern for domain and user profile names.
SageMakerName = Annotated[
    str, _pattern(r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}", "SageMaker domain or profile name")
]
StackName = Annotated[str, _pattern(r"[A-Za-z0-9_.-]+", "Pulumi stack name")]
QualifiedStackName = Annotated[
    str, _pattern(r"[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+/[A-Za-z0-9_.-]+", "org/project/stack name")
]
RoleArn = Annotated[str, _pattern(r"arn:aws[a-z-]*:iam::\d{12}:role/[\w+=,.@/-]+", "IAM role ARN")]
OrganizationArn = Annotated[
    str,
    _pattern(r"arn:aws[a-z-]*:organizations::\d{12}:organization/o-[a-z0-9]{10,32}", "organization ARN"),
]
AvailabilityZone = Annotated[str, _pattern(r"[a-z]{2}(-gov)?-[a-z]+-\d[a-z]", "availability zone name")]


class _Model(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        frozen=True,
        alias_generator=to_camel,
        populate_by_name=True,
    )


# --------------------------------------------------------------------------- shared pieces


class AwsTarget(_Model):
    """Where a stack deploys: one explicit provider, pinned to one account."""

    region: Region = "us-east-1"
    account_id: AccountId
    profile: Optional[str] = None
    assume_role_arn: Optional[RoleArn] = None

    @model_validator(mode="after")
    def _role_in_account(self) -> "AwsTarget":
        if self.assume_role_arn and self.assume_role_arn.split(":")[4] != self.account_id:
            raise ValueError(
                f"assumeRoleArn {self.assume_role_arn} is in another account than accountId {self.account_id}"
            )
        return self


class _Zoned(_Model):
    """Something laid over two availability zones (default: the region's `a` and `b`)."""

    availability_zones: Optional[tuple[AvailabilityZone, AvailabilityZone]] = None

    def zones(self, region: str) -> tuple[str, str]:
        return self.availability_zones or (f"{region}a", f"{region}b")


class _VpcLayout(_Zoned):
    """A VPC with a private and an attachment subnet in each of two availability zones."""

    vpc_cidr: Network
    private_subnets: tuple[Network, Network]
    attachment_subnets: tuple[Network, Network]

    @model_validator(mode="after")
    def _subnets_fit(self) -> "_VpcLayout":
        subnets = [("privateSubnets", s) for s in self.private_subnets] + [
            ("attachmentSubnets", s) for s in self.attachment_subnets
        ]
        problems = [
            f"{key} {net} is not inside vpcCidr {self.vpc_cidr}"
            for key, net in subnets
            if not net.subnet_of(self.vpc_cidr)
        ]
        problems += [
            f"{ka} {a} overlaps {kb} {b}"
            for (ka, a), (kb, b) in itertools.combinations(subnets, 2)
            if a.overlaps(b)
        ]
        problems += [
            f"{key} {net} is smaller than /28, the smallest subnet AWS allows"
            for key, net in subnets
            if net.prefixlen > 28
        ]
        if self.vpc_cidr.prefixlen < 16 or self.vpc_cidr.prefixlen > 28:
            problems.append(f"vpcCidr {self.vpc_cidr} must be between /16 and /28 (an AWS limit)")
        if self.availability_zones and self.availability_zones[0] == self.availability_zones[1]:
            problems.append("availabilityZones must name two different zones")
        if problems:
            raise ValueError("\n".join(problems))
        return self


# --------------------------------------------------------------------------- the shared stack


class HubConfig(_VpcLayout):
    """The central network hub; defaults reproduce the sample."""

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

    @model_validator(mode="after")
    def _hub_rules(self) -> "HubConfig":
        problems = []
        asn = self.transit_gateway_asn
        if not (64512 <= asn <= 65534 or 4200000000 <= asn <= 4294967294):
            problems.append(
                f"transitGatewayAsn {asn} is not a private ASN (64512-65534 or 4200000000-4294967294)"
            )
        ips = list(self.resolver_inbound_ips) + list(self.resolver_outbound_ips)
        if len(set(ips)) != len(ips):
            problems.append("resolver IPs must all differ")
        for key, pair in (
            ("resolverInboundIps", self.resolver_inbound_ips),
            ("resolverOutboundIps", self.resolver_outbound_ips),
        ):
            for zone, (ip, subnet) in enumerate(zip(pair, self.private_subnets)):
                hosts = list(itertools.islice(subnet.hosts(), 3))  # AWS reserves .1-.3 and the last
                if ip not in subnet:
                    problems.append(
                        f"{key}[{zone}] {ip} is not in privateSubnets[{zone}] {subnet} (same zone)"
                    )
                elif ip in hosts or ip == subnet.broadcast_address or ip == subnet.network_address:
                    problems.append(f"{key}[{zone}] {ip} is an address AWS reserves in {subnet}")
        if problems:
            raise ValueError("\n".join(problems))
        return self


# CloudWatch Logs accepts only these retention periods.
LOG_RETENTION_DAYS = (1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653)


class ApiConfig(_Model):
    """The private REST API in front of the presigned-URL function."""

    stage: Annotated[str, _pattern(r"[A-Za-z0-9_-]{1,64}", "API stage name")] = "dev"
    authorizer_ttl_seconds: int = Field(default=120, ge=0, le=3600)
    throttling_rate_limit: float = Field(default=10.0, gt=0, le=10000)
    throttling_burst_limit: int = Field(default=20, ge=1, le=5000)
    execution_logging_level: Literal["ERROR", "INFO", "OFF"] = "ERROR"
    # API Gateway's account-wide CloudWatch role (needed for execution logs). Set to false when
    # another stack of this account and region already manages `aws.apigateway.Account`.
    manage_account_logging_role: bool = True


class AccessConfig(_VpcLayout):
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
    access_role_name: Annotated[str, _pattern(r"[\w+=,.@-]{1,64}", "IAM role name")] = "SagemakerStudioAccessRole"
    url_expires_seconds: int = Field(default=20, ge=5, le=300)  # SageMaker's ExpiresInSeconds range
    session_expiration_seconds: Optional[int] = Field(default=None, ge=1800, le=43200)
    cache_ttl_seconds: int = Field(default=60, ge=0, le=3600)
    log_retention_days: int = 30
    table_deletion_protection: bool = True
    api: ApiConfig = ApiConfig()

    @field_validator("log_retention_days")
    @classmethod
    def _retention(cls, days: int) -> int:
        if days not in LOG_RETENTION_DAYS:
            raise ValueError(f"{days} is not a CloudWatch Logs retention period ({', '.join(map(str, LOG_RETENTION_DAYS))})")
        return days


class IdentityConfig(_Model):
    """Who signs the tokens the authorizer accepts: a Cognito pool this stack creates, or an OIDC issuer."""

    provider: Literal["cognito", "oidc"] = "cognito"
    # cognito
    pool_name: Annotated[str, _pattern(r"[\w\s+=,.@-]{1,128}", "user pool name")] = "SageMakerPool"
    password_minimum_length: int = Field(default=12, ge=12, le=99)
    mfa: Literal["OFF", "OPTIONAL", "ON"] = "OPTIONAL"
    access_token_validity_minutes: int = Field(default=60, ge=5, le=1440)
    allow_password_auth: bool = False
    deletion_protection: bool = True
    # oidc
    issuer: Optional[Annotated[str, _pattern(r"https://[^\s/?#]+(/[^\s?#]*)?", "https issuer URL")]] = None
    jwks_url: Optional[Annotated[str, _pattern(r"https://[^\s?#]+", "https JWKS URL")]] = None
    audience: Optional[str] = None
    client_ids: list[str] = []
    username_claim: str = "username"
    token_use: Optional[str] = None  # default: "access" for Cognito, no check for OIDC
    leeway_seconds: int = Field(default=0, ge=0, le=120)

    @model_validator(mode="after")
    def _provider_settings(self) -> "IdentityConfig":
        problems = []
        if self.provider == "oidc":
            if not self.issuer:
                problems.append("provider oidc needs issuer (the https URL in the tokens' iss claim)")
            if not (self.audience or self.client_ids):
                problems.append("provider oidc needs audience or clientIds: tokens of any client would pass otherwise")
        else:
            given = [k for k, v in (("issuer", self.issuer), ("jwksUrl", self.jwks_url), ("audience", self.audience), ("clientIds", self.client_ids)) if v]
            if given:
                problems.append(f"{', '.join(given)}: only for provider oidc; Cognito's come from the pool")
        if problems:
            raise ValueError("\n".join(problems))
        return self


class UserEntry(_Model):
    """A person who may open Studio: their LOB, and the Studio user profile (default: the username)."""

    # Usernames become user profile names and IAM resource ARNs: SageMaker's pattern.
    username: SageMakerName
    lob: LobName
    profile: Optional[SageMakerName] = None
    # Cognito mails the temporary password here; without it, the stack secret temporaryPassword is used.
    email: Optional[Annotated[str, _pattern(r"[^@\s]+@[^@\s]+\.[^@\s]+", "email address")]] = None

    @property
    def profile_name(self) -> str:
        return self.profile or self.username


class RamConfig(_Model):
    """How the Transit Gateway and resolver rules are shared."""

    # Share with the whole organization (no invitations) instead of the listed LOB accounts.
    organization_arn: Optional[OrganizationArn] = None
    # Needed to share with accounts outside the organization (they then accept the invitation).
    allow_external_principals: bool = False

    @model_validator(mode="after")
    def _no_external_with_org(self) -> "RamConfig":
        if self.organization_arn and self.allow_external_principals:
            raise ValueError(
                "allowExternalPrincipals must be false when sharing with an organization"
            )
        return self


class LobEntry(_Model):
    """A LOB as the shared stack knows it."""

    name: LobName
    account_id: AccountId
    # The LOB's stack in this project (default: the LOB name); its file gives the VPC CIDR.
    stack: Optional[StackName] = None
    # Needed only when the LOB's stack file is not in this project directory.
    vpc_cidr: Optional[Network] = None

    @property
    def stack_name(self) -> str:
        return self.stack or self.name


class OnPremConfig(_Zoned):
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
    key_pair_name: Optional[Annotated[str, _pattern(r"[\x20-\x7e]{1,255}", "EC2 key pair name")]] = None
    # Who may reach the bastion over SSH: required when enabled, never the whole internet.
    bastion_allowed_cidr: Optional[Network] = None
    bastion_instance_type: Annotated[str, _pattern(r"[a-z][a-z0-9-]*\.[a-z0-9]+", "EC2 instance type")] = "t3a.nano"
    windows_instance_type: Annotated[str, _pattern(r"[a-z][a-z0-9-]*\.[a-z0-9]+", "EC2 instance type")] = "t3a.medium"
    install_browser: bool = True

    @model_validator(mode="after")
    def _simulator_rules(self) -> "OnPremConfig":
        problems = []
        subnets = [("privateSubnets", s) for s in self.private_subnets] + [("publicSubnets", s) for s in self.public_subnets]
        problems += [f"{k} {n} is not inside vpcCidr {self.vpc_cidr}" for k, n in subnets if not n.subnet_of(self.vpc_cidr)]
        problems += [
            f"{ka} {a} overlaps {kb} {b}" for (ka, a), (kb, b) in itertools.combinations(subnets, 2) if a.overlaps(b)
        ]
        if self.bastion_allowed_cidr is not None and self.bastion_allowed_cidr.prefixlen < 8:
            problems.append(
                f"bastionAllowedCidr {self.bastion_allowed_cidr} opens SSH to (a large part of) the internet; name your own range"
            )
        if self.enabled:
            problems += [f"{key} is required when enabled" for key, value in (
                ("keyPairName", self.key_pair_name), ("bastionAllowedCidr", self.bastion_allowed_cidr)
            ) if value is None]
        if problems:
            raise ValueError("\n".join(problems))
        return self


class SharedStackConfig(_Model):
    role: Literal["shared"]
    aws: AwsTarget
    tags: dict[str, str] = {}
    hub: HubConfig = HubConfig()
    access: AccessConfig = AccessConfig()
    ram: RamConfig = RamConfig()
    lobs: list[LobEntry] = Field(min_length=1)
    identity: IdentityConfig = IdentityConfig()
    users: list[UserEntry] = []
    on_prem: OnPremConfig = OnPremConfig()

    @model_validator(mode="after")
    def _on_prem_is_routed(self) -> "SharedStackConfig":
        sim = self.on_prem
        if sim.enabled and not any(sim.vpc_cidr.subnet_of(c) for c in self.hub.on_prem_cidrs):
            raise ValueError(
                f"onPrem.vpcCidr {sim.vpc_cidr} must be inside one of hub.onPremCidrs "
                f"({', '.join(map(str, self.hub.on_prem_cidrs))}): only those reach the central endpoints"
            )
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
            if lobs and u.lob not in lobs
        ]
        if problems:
            raise ValueError("\n".join(problems))
        return users

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
                where = ", ".join(f"lobs[{i}] {lob.name}" for i, (lob, v) in enumerate(zip(lobs, values)) if v == dupe)
                extra = (
                    ": one access role name per account, so two LOBs cannot share an account"
                    if what == "LOB account"
                    else ""
                )
                problems.append(f"duplicate {what} {dupe} in {where}{extra}")
        target = info.data.get("aws")
        own = [lob.name for lob in lobs if target and lob.account_id == target.account_id]
        if own:
            problems.append(
                f"LOB {', '.join(own)} uses the shared account {target.account_id}; "
                "RAM cannot share with the owning account"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return lobs

    def lob(self, name: str) -> Optional[LobEntry]:
        return next((lob for lob in self.lobs if lob.name == name), None)


# --------------------------------------------------------------------------- a LOB stack


class LobConfig(_VpcLayout):
    name: LobName
    # Fully qualified name of the shared stack: <org>/studio-access/<stack>.
    shared_stack: QualifiedStackName
    # True when the LOB account is outside the shared account's organization: the LOB stack
    # then accepts the RAM invitation before it attaches to the Transit Gateway.
    accept_ram_share: bool = False
    domain_name: Optional[SageMakerName] = None
    user_profiles: list[SageMakerName] = []
    # `central`: SageMaker runtime through the shared endpoint and forwarding rule;
    # `local`: an interface endpoint in this VPC (with private DNS) instead.
    runtime_endpoint: Literal["central", "local"] = "central"
    # An existing bucket for Studio data; by default the stack creates one.
    studio_bucket: Optional[str] = None
    # What happens to the domain's home EFS (every user's notebooks) when the domain is
    # deleted: kept (`Retain`, the safe default; its mount targets then hold the subnets, so
    # `pulumi destroy` stops until it is removed by hand) or deleted with it (`Delete`).
    home_efs_on_delete: Literal["Retain", "Delete"] = "Retain"

    @model_validator(mode="after")
    def _lob_rules(self) -> "LobConfig":
        problems = []
        dupes = sorted({p for p in self.user_profiles if self.user_profiles.count(p) > 1})
        if dupes:
            problems.append(f"duplicate userProfiles: {', '.join(dupes)}")
        if self.shared_stack.split("/")[1] != PROJECT:
            problems.append(
                f"sharedStack {self.shared_stack} is not a stack of project {PROJECT}"
            )
        if self.studio_bucket is not None and not re.fullmatch(
            r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", self.studio_bucket
        ):
            problems.append(f"studioBucket {self.studio_bucket!r} is not a valid S3 bucket name")
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def domain(self) -> str:
        return self.domain_name or f"sagemaker-domain-{self.name}"

    @property
    def shared_stack_name(self) -> str:
        return self.shared_stack.split("/")[2]


class LobStackConfig(_Model):
    role: Literal["lob"]
    aws: AwsTarget
    tags: dict[str, str] = {}
    lob: LobConfig


StackConfig = Union[SharedStackConfig, LobStackConfig]
_MODELS: dict[str, type[_Model]] = {"shared": SharedStackConfig, "lob": LobStackConfig}


# --------------------------------------------------------------------------- raw config sources


def stack_file(stack: str, project_dir: Path = PROJECT_DIR) -> Path:
    return project_dir / f"Pulumi.{stack}.yaml"


def read_stack_file(path: Path) -> dict[str, Any]:
    """The `config:` map of a stack file, keys as written (`studio-access:hub`, `aws:region`, ...)."""
    try:
        doc = yaml.safe_load(path.read_text()) or {}
    except yaml.YAMLError as exc:
        raise ConfigError([(path.name, "(file)", f"not valid YAML: {exc}")]) from None
    if not isinstance(doc, dict):
        raise ConfigError([(path.name, "(file)", "a stack file is a YAML mapping")])
    config = doc.get("config") or {}
    if not isinstance(config, dict):
        raise ConfigError([(path.name, "config", "must be a mapping of keys to values")])
    return config


def decode_runtime_value(value: Any) -> Any:
    """Pulumi hands structured config to the program as JSON text; scalars stay text."""
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.loads(value)
        except json.JSONDecodeError:
            return value
    return value


def project_values(config: dict[str, Any]) -> dict[str, Any]:
    """Only this project's keys, without the namespace; JSON text decoded."""
    return {
        key[len(NAMESPACE) :]: decode_runtime_value(value)
        for key, value in config.items()
        if key.startswith(NAMESPACE)
    }


# --------------------------------------------------------------------------- validation


def _key(loc: tuple) -> str:
    out = NAMESPACE.rstrip(":")
    for i, part in enumerate(loc):
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += (":" if i == 0 else ".") + str(part)
    return out


def _field_model(annotation: Any) -> Optional[type[BaseModel]]:
    """The model class inside an annotation (Optional[M], list[M], tuple[M, M]), if any."""
    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        return annotation
    for arg in typing.get_args(annotation):
        found = _field_model(arg)
        if found:
            return found
    return None


def _allowed_keys(model: type[BaseModel], loc: tuple) -> list[str]:
    current: Optional[type[BaseModel]] = model
    for part in loc[:-1]:
        if current is None:
            return []
        if isinstance(part, int):
            continue
        field = next(
            (f for n, f in current.model_fields.items() if (f.alias or n) == part), None
        )
        current = _field_model(field.annotation) if field else None
    if current is None:
        return []
    return [f.alias or n for n, f in current.model_fields.items()]


def _nearest(word: str, candidates: list[str]) -> Optional[str]:
    found = difflib.get_close_matches(word, candidates, n=1, cutoff=0.6)
    return found[0] if found else None


def _messages(model: type[BaseModel], err: dict) -> list[str]:
    """One message per problem (a validator reports several as lines)."""
    if err["type"] == "extra_forbidden":
        allowed = _allowed_keys(model, err["loc"])
        near = _nearest(str(err["loc"][-1]), allowed)
        hint = f"did you mean {near}? " if near else ""
        return ["unknown key: " + hint + (f"allowed: {', '.join(allowed)}" if allowed else "")]
    if err["type"] == "missing":
        return ["required key is missing"]
    msg = err["msg"]
    msg = msg[len("Value error, ") :] if msg.startswith("Value error, ") else msg
    return msg.split("\n")


def validate_values(values: dict[str, Any], file: str) -> StackConfig:
    """Validate one stack's `studio-access:` values (namespace stripped) into its model."""
    role = values.get("role")
    if role not in _MODELS:
        got = "missing" if role is None else f"{role!r} is not"
        raise ConfigError([(file, _key(("role",)), f"{got} one of: shared, lob")])
    model = _MODELS[role]
    try:
        return model.model_validate(values)
    except ValidationError as exc:
        raise ConfigError(
            [(file, _key(err["loc"]), msg) for err in exc.errors() for msg in _messages(model, err)]
        ) from None


# Namespaces a stack file may use besides this project's: the engine's own settings.
ENGINE_NAMESPACE = "pulumi:"


def _project_keys() -> list[str]:
    keys = {f.alias or n for m in _MODELS.values() for n, f in m.model_fields.items()}
    return sorted(NAMESPACE + k for k in keys | set(SECRET_KEYS))


def check_foreign_keys(config: dict[str, Any], file: str) -> list[tuple[str, str, str]]:
    """Keys this project would silently ignore: `aws:` settings, other namespaces, typos of ours."""
    problems = []
    for key in sorted(config):
        if key.startswith(NAMESPACE) or key.startswith(ENGINE_NAMESPACE):
            continue
        if key.startswith("aws:"):
            problems.append(
                (
                    file,
                    key,
                    "not used: default AWS providers are disabled; set studio-access:aws "
                    "(region, accountId, profile or assumeRoleArn) instead",
                )
            )
            continue
        namespace, _, rest = key.rpartition(":")
        ours = not namespace or _nearest(namespace, [PROJECT]) is not None
        near = _nearest(NAMESPACE + rest, _project_keys()) if ours else None
        what = f"unknown namespace {namespace}:" if namespace else "a key without a namespace"
        fix = f"did you mean {near}?" if near else f"this project reads only {NAMESPACE}... keys"
        problems.append((file, key, f"{what}; nothing reads it ({fix})"))
    return problems


def unquoted_account_ids(text: str) -> list[tuple[str, str]]:
    """`(key path, value)` of every `accountId` written as a plain (unquoted) YAML scalar.

    YAML readers differ on such a value (a number, octal with a leading zero, or text), so the
    file itself must say it is text.
    """
    try:
        root = yaml.compose(text)
    except yaml.YAMLError:
        return []  # read_stack_file names the syntax error
    found: list[tuple[str, str]] = []

    def walk(node: Any, path: str) -> None:
        if isinstance(node, yaml.MappingNode):
            for key, value in node.value:
                name = f"{path}.{key.value}" if path else str(key.value)
                if key.value == "accountId" and isinstance(value, yaml.ScalarNode) and value.style is None:
                    found.append((name, value.value))
                walk(value, name)
        elif isinstance(node, yaml.SequenceNode):
            for i, item in enumerate(node.value):
                walk(item, f"{path}[{i}]")

    walk(root, "")
    return found


def check_stack_file_settings(path: Path) -> list[tuple[str, str, str]]:
    """Settings a stack file must carry for a real `pulumi up` (not seen by the program itself)."""
    config = read_stack_file(path)
    problems = []
    disabled = config.get("pulumi:disable-default-providers")
    if not isinstance(disabled, list) or not ({"aws", "*"} & set(disabled)):
        problems.append(
            (
                path.name,
                "pulumi:disable-default-providers",
                "must list aws, so no resource can fall back to ambient credentials",
            )
        )
    for key, value in unquoted_account_ids(path.read_text()):
        key = key[len("config.") :] if key.startswith("config.") else key
        problems.append(
            (
                path.name,
                key.replace(".", ":", 1) if key.startswith(PROJECT + ".") else key,
                f"{value} is not quoted: YAML may read it as a number (leading zeros lost, or octal); "
                f'write accountId: "{value}"',
            )
        )
    return problems


# --------------------------------------------------------------------------- rules across stacks


@dataclass(frozen=True)
class RoutedRange:
    """A CIDR the Transit Gateway routes to, and where it is configured."""

    label: str
    cidr: ipaddress.IPv4Network
    file: str
    key: str


def load_stack_file_config(stack: str, project_dir: Path = PROJECT_DIR) -> StackConfig:
    path = stack_file(stack, project_dir)
    if not path.exists():
        raise ConfigError([(path.name, "(file)", "not found")])
    config = read_stack_file(path)
    plain = {k: v for k, v in config.items() if k[len(NAMESPACE) :] not in SECRET_KEYS}
    return validate_values(project_values(plain), path.name)


def _lob_stack_values(entry: LobEntry, project_dir: Path) -> Optional[dict]:
    """The raw `studio-access:lob` map of a LOB's stack file, if the project has that file."""
    path = stack_file(entry.stack_name, project_dir)
    if not path.exists():
        return None
    raw = project_values(read_stack_file(path)).get("lob")
    return raw if isinstance(raw, dict) else {}


def user_problems(
    cfg: SharedStackConfig, file: str, secrets: set[str], project_dir: Path
) -> list[tuple[str, str, str]]:
    """Users need a profile in their LOB's domain, and a way to get a first password."""
    problems = []
    for index, user in enumerate(cfg.users):
        key = f"{NAMESPACE}users[{index}]"
        entry = cfg.lob(user.lob)
        raw = _lob_stack_values(entry, project_dir) if entry else None
        profiles = raw.get("userProfiles") if raw else None
        if isinstance(profiles, list) and user.profile_name not in profiles:
            problems.append(
                (
                    file,
                    f"{key}.profile" if user.profile else f"{key}.username",
                    f"profile {user.profile_name} is not in {NAMESPACE}lob.userProfiles of "
                    f"{stack_file(entry.stack_name, project_dir).name} ({', '.join(profiles) or 'none'})",
                )
            )
        if cfg.identity.provider == "cognito" and not user.email and "temporaryPassword" not in secrets:
            problems.append(
                (
                    file,
                    f"{key}.email",
                    "no email and no secret studio-access:temporaryPassword: the user could never sign in "
                    "(give an email, or `pulumi config set --secret studio-access:temporaryPassword ...`)",
                )
            )
    return problems


def _lob_cidr(
    entry: LobEntry, index: int, shared_file: str, project_dir: Path
) -> tuple[Optional[RoutedRange], list[tuple[str, str, str]]]:
    """A LOB's VPC CIDR: from its entry in the shared stack or its own stack file."""
    key = f"{NAMESPACE}lobs[{index}]"
    path = stack_file(entry.stack_name, project_dir)
    raw = _lob_stack_values(entry, project_dir)
    from_file = None
    if raw is not None:
        try:
            from_file = _network(raw.get("vpcCidr"))
        except ValueError:
            from_file = None  # that stack's own validation names the problem
    if entry.vpc_cidr and from_file and entry.vpc_cidr != from_file:
        return None, [
            (
                shared_file,
                f"{key}.vpcCidr",
                f"{entry.vpc_cidr} differs from {NAMESPACE}lob.vpcCidr {from_file} in {path.name}",
            )
        ]
    if entry.vpc_cidr:
        return RoutedRange(f"LOB {entry.name}", entry.vpc_cidr, shared_file, f"{key}.vpcCidr"), []
    if from_file:
        return RoutedRange(f"LOB {entry.name}", from_file, path.name, f"{NAMESPACE}lob.vpcCidr"), []
    return None, [
        (
            shared_file,
            key,
            f"no vpcCidr for LOB {entry.name}: set it here or add a valid {path.name}",
        )
    ]


def routed_ranges(
    shared: SharedStackConfig, shared_file: str, project_dir: Path = PROJECT_DIR
) -> tuple[list[RoutedRange], list[tuple[str, str, str]]]:
    ranges = [
        RoutedRange("central VPC", shared.hub.vpc_cidr, shared_file, f"{NAMESPACE}hub.vpcCidr"),
        RoutedRange("access VPC", shared.access.vpc_cidr, shared_file, f"{NAMESPACE}access.vpcCidr"),
    ]
    ranges += [
        RoutedRange(f"on-premises {cidr}", cidr, shared_file, f"{NAMESPACE}hub.onPremCidrs[{i}]")
        for i, cidr in enumerate(shared.hub.on_prem_cidrs)
    ]
    problems = []
    for index, entry in enumerate(shared.lobs):
        found, errs = _lob_cidr(entry, index, shared_file, project_dir)
        problems += errs
        if found:
            ranges.append(found)
    return ranges, problems


def overlap_problems(ranges: list[RoutedRange]) -> list[tuple[str, str, str]]:
    return [
        (
            a.file,
            a.key,
            f"{a.label} {a.cidr} overlaps {b.label} {b.cidr} ({b.file}: {b.key}); "
            "the Transit Gateway routes between them, so they must not overlap",
        )
        for a, b in itertools.combinations(ranges, 2)
        if a.cidr.overlaps(b.cidr)
    ]


def check_lob(
    stack: str, cfg: LobStackConfig, file: str, project_dir: Path = PROJECT_DIR
) -> tuple[Optional[SharedStackConfig], list[tuple[str, str, str]]]:
    """A LOB stack against the shared stack it names. Returns the shared config too."""
    lob = cfg.lob
    key = f"{NAMESPACE}lob"
    shared_path = stack_file(lob.shared_stack_name, project_dir)
    if not shared_path.exists():
        return None, [
            (file, f"{key}.sharedStack", f"{lob.shared_stack}: {shared_path.name} not found in the project")
        ]
    try:
        shared = load_stack_file_config(lob.shared_stack_name, project_dir)
    except ConfigError as exc:
        # The causes first, then what they stop.
        return None, exc.problems + [(file, f"{key}.sharedStack", f"{shared_path.name} {SHARED_INVALID}")]
    if not isinstance(shared, SharedStackConfig):
        return None, [(file, f"{key}.sharedStack", f"{shared_path.name} is not a shared stack")]
    entry = shared.lob(lob.name)
    if entry is None:
        known = ", ".join(e.name for e in shared.lobs)
        return shared, [
            (
                file,
                f"{key}.name",
                f"LOB {lob.name!r} is not listed in {shared_path.name} {NAMESPACE}lobs (known: {known})",
            )
        ]
    problems = []
    if entry.stack_name != stack:
        problems.append(
            (file, f"{key}.name", f"{shared_path.name} maps LOB {lob.name} to stack {entry.stack_name}, not {stack}")
        )
    if entry.account_id != cfg.aws.account_id:
        problems.append(
            (
                file,
                f"{NAMESPACE}aws.accountId",
                f"{cfg.aws.account_id} differs from {entry.account_id}, the account {shared_path.name} lists for LOB {lob.name}",
            )
        )
    if shared.aws.region != cfg.aws.region:
        problems.append(
            (
                file,
                f"{NAMESPACE}aws.region",
                f"{cfg.aws.region} differs from the shared stack's {shared.aws.region}; "
                "a Transit Gateway attaches VPCs of its own region only",
            )
        )
    if lob.accept_ram_share and shared.ram.organization_arn:
        problems.append(
            (
                file,
                f"{key}.acceptRamShare",
                "must be false: the shared stack shares with an organization, which sends no invitation",
            )
        )
    if lob.accept_ram_share and not shared.ram.allow_external_principals:
        problems.append(
            (
                file,
                f"{key}.acceptRamShare",
                f"an account outside the organization needs {NAMESPACE}ram.allowExternalPrincipals: true in {shared_path.name}",
            )
        )
    ranges, _ = routed_ranges(shared, shared_path.name, project_dir)
    ours = RoutedRange(f"LOB {lob.name}", lob.vpc_cidr, file, f"{key}.vpcCidr")
    others = [r for r in ranges if r.label != ours.label]
    problems += [
        (file, ours.key, msg)
        for _, _, msg in overlap_problems([ours] + others)
        if msg.startswith(ours.label + " ")
    ]
    return shared, problems


@dataclass(frozen=True)
class LoadedStack:
    """A validated stack config, with what it needs to know about the other stacks."""

    stack: str
    file: str
    config: StackConfig
    # Shared stack: every range the TGW routes (for security groups). LOB stack: its shared config.
    routed: tuple[RoutedRange, ...] = ()
    shared: Optional[SharedStackConfig] = None
    # Secret keys (namespace stripped) the stack holds; their values come from pulumi.Config.
    secrets: frozenset[str] = frozenset()


def _secrets(config: dict[str, Any], file: str, is_secret) -> tuple[set[str], list[tuple[str, str, str]]]:
    """The secret keys present, each of which must really be stored as a secret."""
    present, problems = set(), []
    for name in SECRET_KEYS:
        key = f"{NAMESPACE}{name}"
        if key not in config:
            continue
        value = config[key]
        if (isinstance(value, dict) and "secure" in value) or (is_secret and is_secret(key)):
            present.add(name)
        else:
            problems.append((file, key, f"must be stored as a secret: pulumi config set --secret {key} <value>"))
    return present, problems


def load(
    stack: str,
    config: dict[str, Any],
    project_dir: Path = PROJECT_DIR,
    is_secret: Optional[Callable[[str], bool]] = None,
) -> LoadedStack:
    """Validate a stack's whole config map (as the Pulumi runtime or the stack file holds it)."""
    file = stack_file(stack, project_dir).name
    problems = check_foreign_keys(config, file)
    secrets, secret_problems = _secrets(config, file, is_secret)
    problems += secret_problems
    plain = {k: v for k, v in config.items() if k[len(NAMESPACE) :] not in SECRET_KEYS}
    try:
        cfg = validate_values(project_values(plain), file)
    except ConfigError as exc:
        raise ConfigError(problems + exc.problems) from None
    if isinstance(cfg, SharedStackConfig):
        ranges, range_problems = routed_ranges(cfg, file, project_dir)
        problems += range_problems + overlap_problems(ranges)
        problems += user_problems(cfg, file, secrets, project_dir)
        loaded = LoadedStack(stack, file, cfg, routed=tuple(ranges), secrets=frozenset(secrets))
    else:
        shared, lob_problems = check_lob(stack, cfg, file, project_dir)
        problems += lob_problems
        loaded = LoadedStack(stack, file, cfg, shared=shared)
    if problems:
        raise ConfigError(problems)
    return loaded
