"""The network (promises 11 and 12): security group ingress (internet, public ranges, the bastion's
tagged SSH rule) and interface endpoints' security groups.

Ingress is read from every shape that carries it: a security group's inline `ingress`,
`ec2.SecurityGroupRule` (type ingress) and `vpc.SecurityGroupIngressRule`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from contracts.tags import BASTION_SSH, PURPOSE_TAG

from ._props import get, mappings, number, strings, tags_of
from ._references import index, referenced
from .model import ADVISORY, MANDATORY, Props, Resource, Rule
from .resource_types import INGRESS_RULE, SECURITY_GROUP, SECURITY_GROUP_RULE, VPC_ENDPOINT

# The tags (key, value) these rules tell the bastion's SSH rule apart by; the simulator sets it.
KEYED_TAGS: Final = ((PURPOSE_TAG, BASTION_SSH),)

_INTERNAL_V4: Final = [
    ipaddress.IPv4Network(n) for n in ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "100.64.0.0/10")
]
_INTERNAL_V6: Final = [ipaddress.IPv6Network(n) for n in ("fc00::/7", "fe80::/10")]
_WORLD_PREFIX: Final = {4: 8, 6: 16}  # shorter than this is (a large part of) the internet


# --------------------------------------------------------------------------- ingress, whatever carries it


@dataclass(frozen=True)
class _Ingress:
    where: str
    protocol: str
    from_port: float | None
    to_port: float | None
    cidrs: tuple[str, ...]
    tags: Mapping[str, Any]


def _ingress(resource_type: str, props: Props) -> list[_Ingress]:
    """The ingress permissions a resource grants, whatever resource type carries them."""
    if resource_type == SECURITY_GROUP:
        return [
            _Ingress(
                f"ingress[{i}]",
                str(block.get("protocol", "")),
                number(block.get("fromPort")),
                number(block.get("toPort")),
                tuple(strings(block.get("cidrBlocks")) + strings(block.get("ipv6CidrBlocks"))),
                tags_of(props),
            )
            for i, block in enumerate(mappings(get(props, "ingress")))
        ]
    if resource_type == SECURITY_GROUP_RULE and get(props, "type") == "ingress":
        cidrs = strings(get(props, "cidrBlocks")) + strings(get(props, "ipv6CidrBlocks"))
        protocol = str(get(props, "protocol") or "")
        return [
            _Ingress("rule", protocol, number(get(props, "fromPort")), number(get(props, "toPort")), tuple(cidrs), {})
        ]
    if resource_type == INGRESS_RULE:
        cidrs = strings(get(props, "cidrIpv4")) + strings(get(props, "cidrIpv6"))
        protocol = str(get(props, "ipProtocol") or "")
        return [
            _Ingress(
                "rule",
                protocol,
                number(get(props, "fromPort")),
                number(get(props, "toPort")),
                tuple(cidrs),
                tags_of(props),
            )
        ]
    return []


def _all_ports(rule: _Ingress) -> bool:
    protocol = rule.protocol.lower()
    if protocol in ("-1", "all"):
        return True
    if protocol in ("tcp", "udp", "6", "17"):
        low = rule.from_port if rule.from_port is not None else 0
        high = rule.to_port if rule.to_port is not None else 65535
        return low <= 1 and high >= 65535
    return False


def _port(value: float | None) -> str:
    return "?" if value is None else str(int(value))


def _describe(rule: _Ingress) -> str:
    if rule.protocol.lower() in ("-1", "all"):
        return "all traffic"
    if rule.from_port == rule.to_port:
        return f"{rule.protocol} {_port(rule.from_port)}"
    return f"{rule.protocol} {_port(rule.from_port)}-{_port(rule.to_port)}"


def _is_bastion(rule: _Ingress) -> bool:
    return rule.tags.get(PURPOSE_TAG) == BASTION_SSH


def _internal(net: ipaddress.IPv4Network | ipaddress.IPv6Network) -> bool:
    if isinstance(net, ipaddress.IPv4Network):
        return any(net.subnet_of(r) for r in _INTERNAL_V4)
    return any(net.subnet_of(r) for r in _INTERNAL_V6)


# --------------------------------------------------------------------------- 11: ingress from outside


def check_sg_internet_ingress(resource_type: str, props: Props) -> list[str]:
    """No ingress from 0.0.0.0/0, ::/0 (or a /1../7); the bastion's tag only on SSH."""
    problems = []
    for rule in _ingress(resource_type, props):
        prefix = "" if rule.where == "rule" else f"{rule.where}: "
        for cidr in rule.cidrs:
            try:
                net = ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                problems.append(f"{prefix}ingress source {cidr!r} is not a CIDR block")
                continue
            if net.prefixlen == 0:
                problems.append(f"{prefix}ingress from {cidr} ({_describe(rule)}): the whole internet may connect")
            elif net.prefixlen < _WORLD_PREFIX[net.version]:
                problems.append(
                    f"{prefix}ingress from {cidr} ({_describe(rule)}): a large part of the internet may connect"
                )
        if _is_bastion(rule) and not (
            rule.protocol.lower() in ("tcp", "6") and rule.from_port == 22 and rule.to_port == 22
        ):
            problems.append(
                f"{prefix}tagged {PURPOSE_TAG}={BASTION_SSH} but admits {_describe(rule)}: the tag is only for the bastion's SSH (TCP 22)"
            )
    return problems


SG_NO_INTERNET_INGRESS: Final = Rule(
    name="sg-no-internet-ingress",
    issue=11,
    enforcement=MANDATORY,
    description="No security group ingress from 0.0.0.0/0 or ::/0 (or any range shorter than /8, /16 for IPv6); the bastion tag only on TCP 22.",
    guards="endpoints, resolvers or hosts open to the internet",
    resource_check=check_sg_internet_ingress,
)


def check_sg_public_ingress(resource_type: str, props: Props) -> list[str]:
    """Ingress from a public range only on the on-premises simulator's tagged bastion rule."""
    problems = []
    for rule in _ingress(resource_type, props):
        if _is_bastion(rule):
            continue
        prefix = "" if rule.where == "rule" else f"{rule.where}: "
        for cidr in rule.cidrs:
            try:
                net = ipaddress.ip_network(cidr, strict=False)
            except ValueError:
                continue  # reported by the mandatory rule
            if net.prefixlen >= _WORLD_PREFIX[net.version] and not _internal(net):
                problems.append(
                    f"{prefix}ingress from {cidr} ({_describe(rule)}), a public range: only the on-premises "
                    f"simulator's bastion rule (tagged {PURPOSE_TAG}={BASTION_SSH}) is reached from outside"
                )
    return problems


SG_PUBLIC_INGRESS_BASTION_ONLY: Final = Rule(
    name="sg-public-ingress-bastion-only",
    issue=11,
    enforcement=ADVISORY,
    description="Ingress from a public (non-RFC 1918) range only on the on-premises simulator's tagged bastion SSH rule.",
    guards="a public address admitted where only internal ranges belong (advisory: a corporate network may use public space)",
    resource_check=check_sg_public_ingress,
)

# --------------------------------------------------------------------------- 12: interface endpoints


def check_interface_endpoint_groups(resource_type: str, props: Props) -> list[str]:
    if resource_type != VPC_ENDPOINT or get(props, "vpcEndpointType") != "Interface":
        return []
    if not strings(get(props, "securityGroupIds")):
        return ["interface endpoint without securityGroupIds: it gets the VPC's default security group"]
    return []


ENDPOINT_HAS_SECURITY_GROUPS: Final = Rule(
    name="endpoint-has-security-groups",
    issue=12,
    enforcement=MANDATORY,
    description="Interface endpoints have their own security groups.",
    guards="an endpoint behind the VPC's default security group",
    resource_check=check_interface_endpoint_groups,
)


def check_endpoint_groups_not_all_ports(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """No ingress rule of an interface endpoint's security group opens every port."""
    by_key = index(resources)
    endpoint_groups: dict[str, list[str]] = {}  # group URN -> endpoint names
    for ep in resources:
        if ep.type != VPC_ENDPOINT or ep.props.get("vpcEndpointType") != "Interface":
            continue
        for group in referenced(ep, by_key, "securityGroupIds", SECURITY_GROUP):
            endpoint_groups.setdefault(group.urn, []).append(ep.name)
    found = []
    for r in resources:
        if r.type == SECURITY_GROUP:
            groups = [r] if r.urn in endpoint_groups else []
        elif r.type in (SECURITY_GROUP_RULE, INGRESS_RULE):
            groups = [g for g in referenced(r, by_key, "securityGroupId", SECURITY_GROUP) if g.urn in endpoint_groups]
        else:
            continue
        for group in groups:
            for rule in _ingress(r.type, r.props):
                if _all_ports(rule):
                    where = "" if rule.where == "rule" else f"{rule.where} "
                    endpoints = ", ".join(sorted(endpoint_groups[group.urn]))
                    found.append(
                        (
                            r,
                            f"{where}opens all ports ({_describe(rule)}) on {group.name}, the security group of interface "
                            f"endpoint(s) {endpoints}; an endpoint needs only 443",
                        )
                    )
    return found


ENDPOINT_SG_NOT_ALL_PORTS: Final = Rule(
    name="endpoint-sg-not-all-ports",
    issue=12,
    enforcement=MANDATORY,
    description="No ingress rule of an interface endpoint's security group opens every port.",
    guards="an endpoint group that admits all traffic instead of HTTPS",
    stack_check=check_endpoint_groups_not_all_ports,
)

RULES: Final = (
    SG_NO_INTERNET_INGRESS,
    SG_PUBLIC_INGRESS_BASTION_ONLY,
    ENDPOINT_HAS_SECURITY_GROUPS,
    ENDPOINT_SG_NOT_ALL_PORTS,
)
