"""SageMaker (promise 10): Studio domains reach the internet only through their VPC."""

from __future__ import annotations

from typing import Final

from ._props import get
from .model import MANDATORY, Props, Rule
from .resource_types import DOMAIN


def check_domain_vpc_only(resource_type: str, props: Props) -> list[str]:
    if resource_type != DOMAIN:
        return []
    mode = get(props, "appNetworkAccessType")
    if mode != "VpcOnly":
        return [
            f"appNetworkAccessType is {mode or 'unset (PublicInternetOnly)'}: Studio apps reach the internet directly; use VpcOnly"
        ]
    return []


SAGEMAKER_DOMAIN_VPC_ONLY: Final = Rule(
    name="sagemaker-domain-vpc-only",
    issue=10,
    enforcement=MANDATORY,
    description="SageMaker domains use AppNetworkAccessType VpcOnly.",
    guards="Studio apps with direct internet access, outside the LOB VPC's controls",
    resource_check=check_domain_vpc_only,
)

RULES: Final = (SAGEMAKER_DOMAIN_VPC_ONLY,)
