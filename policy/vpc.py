"""Every VPC's basics (promise 19): its traffic recorded, its default security group closed.

Flow logs of all traffic (accepted and rejected) are what an investigation of the network starts
from; the log group's retention is `cloudwatch.py`'s rule. A VPC's default security group admits
everything from itself and lets everything out: whatever lands in it by mistake (an endpoint or
an instance created without a group) talks freely, so each VPC's default group is taken over with
no rule at all.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from ._props import get, mappings
from ._references import index, referenced
from .model import MANDATORY, Resource, Rule
from .resource_types import DEFAULT_SECURITY_GROUP, FLOW_LOG, VPC


def _attached(resources: Sequence[Resource], type_: str) -> dict[str, list[Resource]]:
    """VPC URN -> its resources of `type_` (by their vpcId)."""
    by_key = index(resources)
    found: dict[str, list[Resource]] = {}
    for r in resources:
        if r.type == type_:
            for vpc in referenced(r, by_key, "vpcId", VPC):
                found.setdefault(vpc.urn, []).append(r)
    return found


def check_flow_logs(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    logs = _attached(resources, FLOW_LOG)
    found: list[tuple[Resource, str]] = []
    for vpc in resources:
        if vpc.type != VPC:
            continue
        mine = logs.get(vpc.urn, [])
        if not mine:
            found.append((vpc, "has no flow logs: nothing records who talked to what in it"))
            continue
        complete = [f for f in mine if get(f.props, "trafficType") == "ALL" and get(f.props, "logDestination")]
        if not complete:
            for flow_log in mine:
                found.append(
                    (
                        flow_log,
                        f"records {get(flow_log.props, 'trafficType') or 'no'} traffic"
                        f"{'' if get(flow_log.props, 'logDestination') else ' to no destination'}: "
                        "record ALL (accepted and rejected) to a log group",
                    )
                )
    return found


VPC_FLOW_LOGS: Final = Rule(
    name="vpc-flow-logs",
    issue=19,
    enforcement=MANDATORY,
    description="Every VPC has flow logs of ALL traffic to a destination (its log group's retention: "
    "log-group-retention).",
    guards="a network with no record of its connections to investigate",
    stack_check=check_flow_logs,
)


def check_default_security_groups(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    groups = _attached(resources, DEFAULT_SECURITY_GROUP)
    found: list[tuple[Resource, str]] = []
    for vpc in resources:
        if vpc.type != VPC:
            continue
        mine = groups.get(vpc.urn, [])
        if not mine:
            found.append(
                (
                    vpc,
                    "leaves its default security group as AWS made it (all traffic from itself, all out): "
                    "take it over with an aws.ec2.DefaultSecurityGroup without rules",
                )
            )
        for group in mine:
            rules = [
                f"{key}[{i}]" for key in ("ingress", "egress") for i, _ in enumerate(mappings(get(group.props, key)))
            ]
            if rules:
                found.append(
                    (group, f"has rules ({', '.join(rules)}): a VPC's default security group admits and sends nothing")
                )
    return found


VPC_DEFAULT_SG_CLOSED: Final = Rule(
    name="vpc-default-sg-closed",
    issue=19,
    enforcement=MANDATORY,
    description="Every VPC's default security group is managed in the stack with no ingress and no egress rule.",
    guards="anything placed in a VPC without its own group talking freely",
    stack_check=check_default_security_groups,
)

RULES: Final = (VPC_FLOW_LOGS, VPC_DEFAULT_SG_CLOSED)
