"""The base of every config model, and the pieces several stacks share: the AWS target and VPC layouts."""

from __future__ import annotations

import ipaddress
import itertools
from collections.abc import Sequence

from pydantic import BaseModel, ConfigDict, model_validator
from pydantic.alias_generators import to_camel

from .types import AccountId, AvailabilityZone, Network, PolicyArn, Region, RoleArn


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


class Zoned(Model):
    """Something laid over two availability zones (default: the region's `a` and `b`)."""

    availability_zones: tuple[AvailabilityZone, AvailabilityZone] | None = None

    def zones(self, region: str) -> tuple[str, str]:
        return self.availability_zones or (f"{region}a", f"{region}b")


class VpcLayout(Zoned):
    """A VPC with a private and an attachment subnet in each of two availability zones."""

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
        if self.availability_zones and self.availability_zones[0] == self.availability_zones[1]:
            problems.append("availabilityZones must name two different zones")
        if problems:
            raise ValueError("\n".join(problems))
        return self
