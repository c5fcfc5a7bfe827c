"""The base of every config model, and the pieces several stacks share: the AWS target and VPC layouts."""

from __future__ import annotations

import ipaddress
import itertools
import re
from collections.abc import Sequence
from typing import Annotated, Any

from pydantic import BaseModel, BeforeValidator, ConfigDict, field_validator, model_validator
from pydantic.alias_generators import to_camel

from .types import AccountId, Network, PolicyArn, Region, RoleArn


class Model(BaseModel):
    """Frozen, camelCase keys, unknown keys refused (a typo is an error, never an ignored setting)."""

    model_config = ConfigDict(extra="forbid", frozen=True, alias_generator=to_camel, populate_by_name=True)


def subnet_problems(vpc_cidr: ipaddress.IPv4Network, subnets: Sequence[tuple[str, ipaddress.IPv4Network]]) -> list[str]:
    """Subnets must lie inside their VPC and not overlap each other (one line per problem)."""
    problems = [f"{key} {net} is not inside vpcCidr {vpc_cidr}" for key, net in subnets if not net.subnet_of(vpc_cidr)]
    problems += [
        f"{ka} {a} overlaps {kb} {b}" for (ka, a), (kb, b) in itertools.combinations(subnets, 2) if a.overlaps(b)
    ]
    return problems


class AwsTarget(Model):
    """Where a stack deploys: one explicit provider, pinned to one account."""

    region: Region = "us-east-1"
    account_id: AccountId
    profile: str | None = None
    assume_role_arn: RoleArn | None = None
    # The permissions boundary of every role the program creates (docs/platform.md); default: the
    # policy bootstrap/ creates, arn:aws:iam::<accountId>:policy/studio-access-boundary-<stack>.
    permissions_boundary_arn: PolicyArn | None = None

    @model_validator(mode="after")
    def _role_in_account(self) -> AwsTarget:
        if self.assume_role_arn and self.assume_role_arn.split(":")[4] != self.account_id:
            raise ValueError(
                f"assumeRoleArn {self.assume_role_arn} is in another account than accountId {self.account_id}"
            )
        if self.permissions_boundary_arn and self.permissions_boundary_arn.split(":")[4] != self.account_id:
            raise ValueError(
                f"permissionsBoundaryArn {self.permissions_boundary_arn} is in another account than accountId "
                f"{self.account_id}: a boundary is a managed policy of the roles' own account"
            )
        return self

    def boundary_arn(self, stack: str) -> str:
        """The boundary every role of `stack` carries: the configured one, or bootstrap/'s."""
        return self.permissions_boundary_arn or f"arn:aws:iam::{self.account_id}:policy/studio-access-boundary-{stack}"


# Availability zones: an id names the same physical zone in every account (`use1-az1`); a name
# (`us-east-1a`) is mapped to a physical zone per account, so two accounts' `a` may differ.
ZONE_ID = r"[a-z]{2,}\d+-az\d+"
ZONE_NAME = r"[a-z]{2}(-gov)?-[a-z]+-\d[a-z]"
# CloudWatch Logs accepts only these retention periods.
LOG_RETENTION_DAYS = (
    1,
    3,
    5,
    7,
    14,
    30,
    60,
    90,
    120,
    150,
    180,
    365,
    400,
    545,
    731,
    1096,
    1827,
    2192,
    2557,
    2922,
    3288,
    3653,
)
_DIRECTIONS = {"north": "n", "south": "s", "east": "e", "west": "w", "central": "c"}


def is_zone_id(zone: str) -> bool:
    return re.fullmatch(ZONE_ID, zone) is not None


def zone_id_prefix(region: str) -> str | None:
    """The prefix of a region's zone ids (us-east-1 -> use1, ap-northeast-1 -> apne1, us-gov-west-1 ->
    usgw1); None for a region whose name this rule does not cover (its ids are then not checked)."""
    country, *words, number = region.split("-")
    short = ""
    for word in words:
        if word == "gov":
            short += "g"
            continue
        parts = [word]
        for direction in ("north", "south"):  # northeast -> ne, southwest -> sw
            if word.startswith(direction) and word != direction:
                parts = [direction, word[len(direction) :]]
        if any(part not in _DIRECTIONS for part in parts):
            return None
        short += "".join(_DIRECTIONS[part] for part in parts)
    return f"{country}{short}{number}"


def _zone(value: Any) -> str:
    if isinstance(value, str) and (re.fullmatch(ZONE_ID, value) or re.fullmatch(ZONE_NAME, value)):
        return value
    raise ValueError(f"{value!r} is neither an availability zone id (use1-az1, preferred) nor a zone name (us-east-1a)")


Zone = Annotated[str, BeforeValidator(_zone)]


def retention_problem(days: int) -> str | None:
    if days in LOG_RETENTION_DAYS:
        return None
    return f"{days} is not a CloudWatch Logs retention period ({', '.join(map(str, LOG_RETENTION_DAYS))})"


class Zoned(Model):
    """Something laid over two availability zones: two zone ids (preferred: the same physical zones
    in every account) or two names; default: the region's `a` and `b` names (docs/network.md)."""

    availability_zones: tuple[Zone, Zone] | None = None

    def zones(self, region: str) -> tuple[str, str]:
        return self.availability_zones or (f"{region}a", f"{region}b")

    @model_validator(mode="after")
    def _two_zones(self) -> Zoned:
        zones = self.availability_zones
        problems = []
        if zones and zones[0] == zones[1]:
            problems.append("availabilityZones must name two different zones")
        if zones and is_zone_id(zones[0]) != is_zone_id(zones[1]):
            problems.append(
                f"availabilityZones mixes a zone id and a zone name ({zones[0]}, {zones[1]}): "
                "give two zone ids (preferred, e.g. use1-az1) or two names"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    def zone_problems(self, key: str, region: str) -> list[str]:
        """Zones that are not in `region` (checked where the stack's region is known)."""
        problems = []
        prefix = zone_id_prefix(region)
        for zone in self.availability_zones or ():
            if is_zone_id(zone) and prefix and not zone.startswith(f"{prefix}-az"):
                problems.append(
                    f"{key}.availabilityZones: {zone} is not a zone id of region {region} (those start with {prefix}-az)"
                )
            elif not is_zone_id(zone) and not (zone.startswith(region) and len(zone) == len(region) + 1):
                problems.append(f"{key}.availabilityZones: {zone} is not a zone of region {region}")
        return problems


class FlowLogged(Model):
    """A VPC whose traffic is recorded: flow logs to CloudWatch Logs, kept this many days."""

    flow_log_retention_days: int = 90

    @field_validator("flow_log_retention_days")
    @classmethod
    def _flow_log_retention(cls, days: int) -> int:
        problem = retention_problem(days)
        if problem:
            raise ValueError(problem)
        return days


class VpcLayout(Zoned, FlowLogged):
    """A VPC with a private and an attachment subnet in each of two availability zones, and its flow logs."""

    vpc_cidr: Network
    private_subnets: tuple[Network, Network]
    attachment_subnets: tuple[Network, Network]

    @model_validator(mode="after")
    def _subnets_fit(self) -> VpcLayout:
        subnets = [("privateSubnets", s) for s in self.private_subnets]
        subnets += [("attachmentSubnets", s) for s in self.attachment_subnets]
        problems = subnet_problems(self.vpc_cidr, subnets)
        problems += [
            f"{key} {net} is smaller than /28, the smallest subnet AWS allows"
            for key, net in subnets
            if net.prefixlen > 28
        ]
        if self.vpc_cidr.prefixlen < 16 or self.vpc_cidr.prefixlen > 28:
            problems.append(f"vpcCidr {self.vpc_cidr} must be between /16 and /28 (an AWS limit)")
        if problems:
            raise ValueError("\n".join(problems))
        return self
