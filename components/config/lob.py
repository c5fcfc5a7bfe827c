"""A LOB stack's config (`role: lob`): its VPC-only Studio domain and the shared stack it reads."""

from __future__ import annotations

import re
from typing import Literal

from pydantic import model_validator

from .base import AwsTarget, Model, VpcLayout
from .sources import PROJECT
from .types import LobName, QualifiedStackName, SageMakerName


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
