"""A LOB stack's config (`role: lob`): its VPC-only Studio domain and the shared stack it reads."""

from __future__ import annotations

import re
from typing import Annotated, Any, Literal

from pydantic import Field, ValidationInfo, field_validator, model_validator

from .base import AwsTarget, Model, VpcLayout, Zone, is_zone_id
from .budget import BudgetConfig
from .sources import PROJECT
from .types import LobName, Network, QualifiedStackName, SageMakerName, pattern

# SageMaker accepts idle timeouts of 60 to 525600 minutes (a year).
MIN_IDLE_MINUTES, MAX_IDLE_MINUTES = 60, 525_600
# The app instance types a person may start by default: small CPU instances (docs/lifecycle.md).
DEFAULT_APP_INSTANCE_TYPES = ("ml.t3.medium", "ml.t3.large", "ml.m5.large", "ml.m5.xlarge")
AppInstanceType = Annotated[
    str, pattern(r"ml\.[a-z0-9]+\.[a-z0-9]+", "SageMaker app instance type (ml.<family>.<size>, e.g. ml.t3.medium)")
]


class IdleShutdownConfig(Model):
    """Studio's idle shutdown of JupyterLab and Code Editor apps (always on): the default timeout,
    and the range a person may choose for their own spaces."""

    idle_timeout_minutes: int = Field(default=60, ge=MIN_IDLE_MINUTES, le=MAX_IDLE_MINUTES)
    min_idle_timeout_minutes: int = Field(default=60, ge=MIN_IDLE_MINUTES, le=MAX_IDLE_MINUTES)
    max_idle_timeout_minutes: int = Field(default=480, ge=MIN_IDLE_MINUTES, le=MAX_IDLE_MINUTES)

    @model_validator(mode="after")
    def _in_range(self) -> IdleShutdownConfig:
        low, default, high = self.min_idle_timeout_minutes, self.idle_timeout_minutes, self.max_idle_timeout_minutes
        if not low <= default <= high:
            raise ValueError(
                f"idleTimeoutMinutes {default} must lie between minIdleTimeoutMinutes {low} and "
                f"maxIdleTimeoutMinutes {high}"
            )
        return self


class DomainLock(Model):
    """The fields of the deployed domain that replace it when they change (docs/lifecycle.md): the
    LOB name (it names the resources), the domain name, the VPC and the private subnets' ranges and
    zones. Absent `availabilityZones` means the region's `a` and `b` zones, as in `lob`."""

    name: LobName
    domain_name: SageMakerName
    vpc_cidr: Network
    private_subnets: tuple[Network, Network]
    availability_zones: tuple[Zone, Zone] | None = None


def _zones_key(zones: Any) -> tuple[str, ...] | None:
    """Zones as they place the subnets: None for the default (a region's `a` and `b` names)."""
    if zones is None:
        return None
    first, second = (str(z) for z in zones)
    if not is_zone_id(first) and first[:-1] == second[:-1] and (first[-1], second[-1]) == ("a", "b"):
        return None
    return (first, second)


def _shown(value: Any) -> str:
    if value is None:
        return "(unset: the region's a and b)"
    if isinstance(value, tuple | list):
        return "[" + ", ".join(map(str, value)) + "]"
    return str(value)


def domain_lock_changes(lock: DomainLock, current: dict[str, Any]) -> list[tuple[str, str, str]]:
    """(key, locked, current) for every replacing field whose current value differs from the lock;
    `current` holds the LobConfig's validated values by field name (missing ones are skipped)."""
    name = current.get("name")
    domain = current.get("domain_name") or (f"sagemaker-domain-{name}" if name else None)
    now: dict[str, Any] = {
        "name": name,
        "domainName": domain,
        "vpcCidr": current.get("vpc_cidr"),
        "privateSubnets": current.get("private_subnets"),
    }
    locked: dict[str, Any] = {
        "name": lock.name,
        "domainName": lock.domain_name,
        "vpcCidr": lock.vpc_cidr,
        "privateSubnets": lock.private_subnets,
    }
    changes = [(k, _shown(locked[k]), _shown(v)) for k, v in now.items() if v is not None and v != locked[k]]
    if "availability_zones" in current:
        was, zones = _zones_key(lock.availability_zones), _zones_key(current["availability_zones"])
        if was != zones:
            changes.append(("availabilityZones", _shown(was), _shown(zones)))
    return changes


class LobConfig(VpcLayout):
    name: LobName
    # Fully qualified name of the shared stack: <org>/studio-access/<stack>.
    shared_stack: QualifiedStackName
    # True when the LOB account is outside the shared account's organization: the LOB stack
    # then accepts the RAM invitation before it attaches to the Transit Gateway.
    accept_ram_share: bool = False
    domain_name: SageMakerName | None = None
    user_profiles: list[SageMakerName] = []
    # `central`: SageMaker runtime through the shared endpoint and forwarding rule;
    # `local`: an interface endpoint in this VPC (with private DNS) instead.
    runtime_endpoint: Literal["central", "local"] = "central"
    # An existing bucket for Studio data; by default the stack creates one.
    studio_bucket: str | None = None
    # What happens to the domain's home EFS (every user's notebooks) when the domain is
    # deleted: kept (`Retain`, the safe default; its mount targets then hold the subnets, so
    # `pulumi destroy` stops until it is removed by hand) or deleted with it (`Delete`).
    home_efs_on_delete: Literal["Retain", "Delete"] = "Retain"
    # Empty the bucket this stack creates when the stack is destroyed (S3 refuses to delete a
    # bucket with objects in it). Off by default: the notebooks' data is kept unless asked.
    studio_bucket_force_destroy: bool = False
    # Idle JupyterLab and Code Editor apps stop after this long (docs/lifecycle.md#idle-shutdown).
    idle_shutdown: IdleShutdownConfig = IdleShutdownConfig()
    # The app instance types the execution role may start (`sagemaker:InstanceTypes`); `system`
    # (the instance-less default apps) is always allowed.
    # (At most 50: they are repeated in four statements of a role policy IAM limits to 10,240 characters.)
    app_instance_types: list[AppInstanceType] = Field(
        default=list(DEFAULT_APP_INSTANCE_TYPES), min_length=1, max_length=50
    )
    # A monthly cost budget of this LOB's account, with alerts (optional).
    budget: BudgetConfig | None = None
    # An entitled person without a user profile gets one on first open, made by the access role
    # in this domain only, tagged with the person (docs/entitlements.md#just-in-time-profiles).
    just_in_time_profiles: bool = False
    # The operator's consent, by the domain's name, to replace (or destroy) it: lifts the guard
    # below and the domain's `protect` for this deploy (docs/lifecycle.md#replacing-a-domain).
    allow_domain_replacement: SageMakerName | None = None
    # The replacing fields of the deployed domain: a config that differs is refused unless
    # allowDomainReplacement names the domain (replacing it loses every home directory).
    domain_lock: DomainLock | None = None

    @field_validator("app_instance_types")
    @classmethod
    def _unique_instance_types(cls, types: list[str]) -> list[str]:
        dupes = sorted({t for t in types if types.count(t) > 1})
        if dupes:
            raise ValueError(f"duplicate appInstanceTypes: {', '.join(dupes)}")
        return types

    @field_validator("domain_lock")
    @classmethod
    def _domain_not_replaced(cls, lock: DomainLock | None, info: ValidationInfo) -> DomainLock | None:
        allowed = info.data.get("allow_domain_replacement")
        if lock is None or allowed == lock.domain_name:
            return lock
        changes = domain_lock_changes(lock, info.data)
        if changes:
            what = "; ".join(f"lob.{key} {was} -> {now}" for key, was, now in changes)
            raise ValueError(
                f"{what}: this replaces the Studio domain {lock.domain_name} recorded here, and a new domain "
                "starts with a new, empty home file system and no spaces (every person's notebooks stay with "
                f"the old one). If that is intended, set lob.allowDomainReplacement: {lock.domain_name}; after "
                "the deploy, record the new values here and remove allowDomainReplacement (docs/lifecycle.md)"
            )
        return lock

    @model_validator(mode="after")
    def _lob_rules(self) -> LobConfig:
        problems = []
        dupes = sorted({p for p in self.user_profiles if self.user_profiles.count(p) > 1})
        if dupes:
            problems.append(f"duplicate userProfiles: {', '.join(dupes)}")
        if self.shared_stack.split("/")[1] != PROJECT:
            problems.append(f"sharedStack {self.shared_stack} is not a stack of project {PROJECT}")
        if self.studio_bucket is not None and not re.fullmatch(r"[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]", self.studio_bucket):
            problems.append(f"studioBucket {self.studio_bucket!r} is not a valid S3 bucket name")
        if self.studio_bucket is not None and self.studio_bucket_force_destroy:
            problems.append(
                "studioBucketForceDestroy empties only the bucket this stack creates; "
                "a configured studioBucket is never emptied by it (remove one of the two)"
            )
        replaced = self.domain_lock.domain_name if self.domain_lock else self.domain
        if self.allow_domain_replacement is not None and self.allow_domain_replacement != replaced:
            problems.append(
                f"allowDomainReplacement names {self.allow_domain_replacement}, but the domain it would let go is "
                f"{replaced}{' (domainLock)' if self.domain_lock else ''}: consent is given by that name, "
                f"allowDomainReplacement: {replaced}"
            )
        if problems:
            raise ValueError("\n".join(problems))
        return self

    @property
    def domain(self) -> str:
        return self.domain_name or f"sagemaker-domain-{self.name}"

    @property
    def shared_stack_name(self) -> str:
        return self.shared_stack.split("/")[2]


class LobStackConfig(Model):
    role: Literal["lob"]
    aws: AwsTarget
    tags: dict[str, str] = {}
    lob: LobConfig

    @model_validator(mode="after")
    def _zones_in_region(self) -> LobStackConfig:
        problems = self.lob.zone_problems("lob", self.aws.region)
        if problems:
            raise ValueError("\n".join(problems))
        return self
