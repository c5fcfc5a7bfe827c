"""Security group rules as separate resources: one rule, one port range, one source.

Security groups are created without inline rules (the provider then removes AWS's default
allow-all egress), and every rule is its own `aws.vpc.SecurityGroup{Ingress,Egress}Rule`, so a
policy check and a reviewer see exactly which port is open to which range.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Literal

import pulumi
import pulumi_aws as aws


def security_group(
    name: str, vpc_id: pulumi.Input[str], description: str, parent: pulumi.Resource
) -> aws.ec2.SecurityGroup:
    return aws.ec2.SecurityGroup(
        name,
        vpc_id=vpc_id,
        description=description,
        tags={"Name": name},
        opts=pulumi.ResourceOptions(parent=parent),
    )


def _peer(
    cidr: pulumi.Input[str] | None, group: pulumi.Input[str] | None, prefix_list: pulumi.Input[str] | None
) -> dict[str, pulumi.Input[str] | None]:
    return {
        "cidr_ipv4": cidr,
        "referenced_security_group_id": group,
        "prefix_list_id": prefix_list,
    }


def rules(
    name: str,
    direction: Literal["in", "out"],
    group: aws.ec2.SecurityGroup,
    *,
    protocols: Sequence[str],
    port: int | None,
    cidrs: Sequence[pulumi.Input[str]] = (),
    groups: Sequence[pulumi.Input[str]] = (),
    prefix_lists: Sequence[pulumi.Input[str]] = (),
    description: str,
    parent: pulumi.Resource,
    tags: dict[str, str] | None = None,
) -> list[pulumi.CustomResource]:
    """One rule per (protocol, peer). `port=None` with protocol "-1" means all traffic."""
    kind = aws.vpc.SecurityGroupIngressRule if direction == "in" else aws.vpc.SecurityGroupEgressRule
    peers = (
        [_peer(c, None, None) for c in cidrs]
        + [_peer(None, g, None) for g in groups]
        + [_peer(None, None, p) for p in prefix_lists]
    )
    created = []
    for protocol in protocols:
        for index, peer in enumerate(peers):
            ports = {} if port is None else {"from_port": port, "to_port": port}
            created.append(
                kind(
                    f"{name}-{protocol if protocol != '-1' else 'all'}-{index}",
                    security_group_id=group.id,
                    ip_protocol=protocol,
                    description=description,
                    tags=tags,
                    opts=pulumi.ResourceOptions(parent=parent),
                    **ports,
                    **peer,
                )
            )
    return created
