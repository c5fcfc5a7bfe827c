"""The one place that reads other stacks. Components take plain inputs and never see this."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi

from . import outputs


@dataclass(frozen=True)
class SharedOutputs:
    """What a LOB stack takes from the shared stack."""

    transit_gateway_id: pulumi.Output[str]
    ram_share_arn: pulumi.Output[str]
    resolver_rule_ids: pulumi.Output[dict[str, str]]
    central_vpc_cidr: pulumi.Output[str]
    sagemaker_api_endpoint_id: pulumi.Output[str]
    studio_endpoint_id: pulumi.Output[str]
    presigned_url_role_arn: pulumi.Output[str]
    access_role_name: pulumi.Output[str]


def _require(ref: pulumi.StackReference, fqn: str, name: str) -> pulumi.Output[Any]:
    """An output of `fqn`; a missing one fails with both stacks and the output named."""
    if name not in outputs.READ_BY_LOB:
        raise ValueError(f"{name} is not declared in outputs.READ_BY_LOB")
    reader = pulumi.get_stack()

    def check(values: dict[str, Any]) -> Any:
        if name not in values:
            raise pulumi.RunError(
                f"stack {reader} reads output {name!r} that stack {fqn} does not export "
                f"(it exports: {', '.join(sorted(values)) or 'nothing'}); deploy {fqn} first"
            )
        return values[name]

    return ref.outputs.apply(check)


def read_shared(fqn: str, opts: pulumi.ResourceOptions | None = None) -> SharedOutputs:
    ref = pulumi.StackReference(fqn, opts=opts)
    return SharedOutputs(
        transit_gateway_id=_require(ref, fqn, outputs.TRANSIT_GATEWAY_ID),
        ram_share_arn=_require(ref, fqn, outputs.RAM_SHARE_ARN),
        resolver_rule_ids=_require(ref, fqn, outputs.RESOLVER_RULE_IDS),
        central_vpc_cidr=_require(ref, fqn, outputs.CENTRAL_VPC_CIDR),
        sagemaker_api_endpoint_id=_require(ref, fqn, outputs.SAGEMAKER_API_ENDPOINT_ID),
        studio_endpoint_id=_require(ref, fqn, outputs.STUDIO_ENDPOINT_ID),
        presigned_url_role_arn=_require(ref, fqn, outputs.PRESIGNED_URL_ROLE_ARN),
        access_role_name=_require(ref, fqn, outputs.ACCESS_ROLE_NAME),
    )
