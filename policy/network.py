"""The network (promises 11 and 12): security group ingress (internet, public ranges, the bastion's
tagged SSH rule) and interface endpoints' security groups: one per endpoint, admitting only its
callers. Each ingress rule of an endpoint's group says which kind of client its range is
(`PURPOSE_TAG`: on-premises, access VPC, LOB VPC); the Studio endpoint admits on-premises only and
execute-api on-premises and the access VPC, so a leaked presigned URL or token does nothing from a
LOB VPC. A range must be the same kind everywhere in the stack, so a LOB range cannot pass for an
on-premises one under its tag.

Ingress is read from every shape that carries it: a security group's inline `ingress`,
`ec2.SecurityGroupRule` (type ingress) and `vpc.SecurityGroupIngressRule`.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final

from contracts.tags import (
    BASTION_SSH,
    ENDPOINT_CLIENT_ACCESS_VPC,
    ENDPOINT_CLIENT_LOB_VPC,
    ENDPOINT_CLIENT_ON_PREMISES,
    ENDPOINT_CLIENTS,
    PURPOSE_TAG,
)

from ._props import get, mappings, number, strings, tags_of
from ._references import index, referenced
from .model import ADVISORY, MANDATORY, Props, Resource, Rule
from .resource_types import INGRESS_RULE, SECURITY_GROUP, SECURITY_GROUP_RULE, VPC_ENDPOINT

# The tags (key, value) these rules tell rules apart by: the bastion's SSH rule (the simulator sets
# it) and the kinds of client of the hub's endpoint rules.
KEYED_TAGS: Final = ((PURPOSE_TAG, BASTION_SSH), *((PURPOSE_TAG, kind) for kind in ENDPOINT_CLIENTS))

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
    # A peer that is no range: a security group or a prefix list.
    other_peer: str | None = None


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
        peer = (
            get(props, "sourceSecurityGroupId") or get(props, "prefixListIds") or (True if get(props, "self") else None)
        )
        return [
            _Ingress(
                "rule",
                protocol,
                number(get(props, "fromPort")),
                number(get(props, "toPort")),
                tuple(cidrs),
                {},
                _other_peer(peer),
            )
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
                _other_peer(get(props, "referencedSecurityGroupId") or get(props, "prefixListId")),
            )
        ]
    return []


def _other_peer(value: Any) -> str | None:
    if value is True:
        return "the group itself"
    found = strings(value)
    return ", ".join(found) if found else None


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
    groups = _endpoint_groups(resources)
    found = []
    for r, group, rule in _group_ingress(resources, groups):
        if _all_ports(rule):
            where = "" if rule.where == "rule" else f"{rule.where} "
            endpoints = ", ".join(sorted(e.name for e in groups[group.urn]))
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


# --------------------------------------------------------------------------- 12: each endpoint its callers

# Endpoints (by the end of their service name) that admit only some kinds of client; the others
# admit any kind (LOB VPCs, the access VPC, on-premises), each range tagged with its kind.
_RESTRICTED: Final = {
    ".studio": ("Studio", (ENDPOINT_CLIENT_ON_PREMISES,)),
    ".execute-api": ("execute-api", (ENDPOINT_CLIENT_ON_PREMISES, ENDPOINT_CLIENT_ACCESS_VPC)),
}
# When two ranges of different kinds overlap, the lie is on the more privileged kind's rule.
_PRIVILEGE: Final = {ENDPOINT_CLIENT_ON_PREMISES: 3, ENDPOINT_CLIENT_ACCESS_VPC: 2, ENDPOINT_CLIENT_LOB_VPC: 1}


def _interface_endpoints(resources: Sequence[Resource]) -> list[Resource]:
    return [r for r in resources if r.type == VPC_ENDPOINT and r.props.get("vpcEndpointType") == "Interface"]


def _endpoint_groups(resources: Sequence[Resource]) -> dict[str, list[Resource]]:
    """Security group URN -> the interface endpoints that use it."""
    by_key = index(resources)
    groups: dict[str, list[Resource]] = {}
    for ep in _interface_endpoints(resources):
        for group in referenced(ep, by_key, "securityGroupIds", SECURITY_GROUP):
            groups.setdefault(group.urn, []).append(ep)
    return groups


def check_endpoint_own_group(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """Each interface endpoint has a security group of its own."""
    groups = _endpoint_groups(resources)
    found = []
    for r in resources:
        endpoints = groups.get(r.urn, [])
        if r.type == SECURITY_GROUP and len(endpoints) > 1:
            names = ", ".join(sorted(e.name for e in endpoints))
            found.append(
                (
                    r,
                    f"is the security group of endpoints {names}: each endpoint needs its own, admitting only the "
                    "ranges that call it",
                )
            )
    return found


ENDPOINT_OWN_SECURITY_GROUP: Final = Rule(
    name="endpoint-own-security-group",
    issue=12,
    enforcement=MANDATORY,
    description="No two interface endpoints share a security group.",
    guards="every client range admitted to every endpoint (a LOB VPC to the Studio endpoint)",
    stack_check=check_endpoint_own_group,
)


def _group_ingress(
    resources: Sequence[Resource], groups: Mapping[str, object]
) -> list[tuple[Resource, Resource, _Ingress]]:
    """(ingress resource, security group, ingress) for every ingress of a group in `groups` (by URN):
    the group's inline rules and the rule resources that name it."""
    by_key = index(resources)
    found = []
    for r in resources:
        if r.type == SECURITY_GROUP:
            owners = [r] if r.urn in groups else []
        elif r.type in (SECURITY_GROUP_RULE, INGRESS_RULE):
            owners = [g for g in referenced(r, by_key, "securityGroupId", SECURITY_GROUP) if g.urn in groups]
        else:
            continue
        found += [(r, group, rule) for group in owners for rule in _ingress(r.type, r.props)]
    return found


def _endpoint_rules(resources: Sequence[Resource]) -> list[tuple[Resource, Resource, _Ingress]]:
    """(ingress resource, endpoint, ingress) for every ingress of an interface endpoint's group."""
    groups = _endpoint_groups(resources)
    return [(r, ep, rule) for r, group, rule in _group_ingress(resources, groups) for ep in groups[group.urn]]


def _restriction(endpoint: Resource) -> tuple[str, tuple[str, ...]] | None:
    service = str(endpoint.props.get("serviceName") or "")
    return next((found for suffix, found in _RESTRICTED.items() if service.endswith(suffix)), None)


def _kind_name(kind: str) -> str:
    return kind.removeprefix("endpoint-client-").replace("-", " ")


def check_endpoint_clients(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """The Studio and execute-api endpoints admit only tagged ranges of their kinds of client; a
    tagged range is one kind everywhere (so a LOB range cannot pass for an on-premises one)."""
    found: list[tuple[Resource, str]] = []
    ranges: list[tuple[Resource, str, ipaddress.IPv4Network | ipaddress.IPv6Network]] = []
    for r, endpoint, rule in _endpoint_rules(resources):
        kind = rule.tags.get(PURPOSE_TAG)
        where = "" if rule.where == "rule" else f"{rule.where}: "
        restriction = _restriction(endpoint)
        if restriction:
            label, allowed = restriction
            if rule.other_peer is not None:
                found.append(
                    (
                        r,
                        f"{where}the {label} endpoint {endpoint.name} admits {rule.other_peer}: it admits only "
                        f"{' and '.join(map(_kind_name, allowed))} ranges, each tagged",
                    )
                )
            if rule.cidrs and kind not in ENDPOINT_CLIENTS:
                found.append(
                    (
                        r,
                        f"{where}the {label} endpoint {endpoint.name} admits {', '.join(rule.cidrs)} without saying "
                        f"which client it is ({PURPOSE_TAG} one of {', '.join(ENDPOINT_CLIENTS)})",
                    )
                )
            elif rule.cidrs and kind not in allowed:
                found.append(
                    (
                        r,
                        f"{where}the {label} endpoint {endpoint.name} admits {_kind_name(str(kind))} range(s) "
                        f"{', '.join(rule.cidrs)}: only {' and '.join(map(_kind_name, allowed))} ranges call it "
                        "(a leaked presigned URL or token must do nothing from anywhere else)",
                    )
                )
        if kind not in ENDPOINT_CLIENTS:
            continue
        for cidr in rule.cidrs:
            try:
                ranges.append((r, str(kind), ipaddress.ip_network(cidr, strict=False)))
            except ValueError:
                continue
    reported: set[tuple[str, str]] = set()
    for r, kind, net in ranges:
        for other, other_kind, other_net in ranges:
            if other_kind == kind or net.version != other_net.version or not net.overlaps(other_net):
                continue
            if _PRIVILEGE.get(kind, 0) < _PRIVILEGE.get(other_kind, 0) or (r.urn, str(net)) in reported:
                continue
            reported.add((r.urn, str(net)))
            found.append(
                (
                    r,
                    f"tags {net} as {_kind_name(kind)} but it overlaps {other_net}, a {_kind_name(other_kind)} range "
                    f"on {other.name}: a range is one kind of client everywhere",
                )
            )
    return found


ENDPOINT_SG_CLIENTS: Final = Rule(
    name="endpoint-sg-clients",
    issue=12,
    enforcement=MANDATORY,
    description=f"The Studio endpoint admits only on-premises ranges, execute-api only on-premises and access-VPC "
    f"ranges, each tagged with its kind ({PURPOSE_TAG}); a tagged range is the same kind on every endpoint rule of "
    "the stack.",
    guards="a presigned Studio URL or an API token used from a LOB VPC; a LOB range passed off as on-premises",
    stack_check=check_endpoint_clients,
)

RULES: Final = (
    SG_NO_INTERNET_INGRESS,
    SG_PUBLIC_INGRESS_BASTION_ONLY,
    ENDPOINT_HAS_SECURITY_GROUPS,
    ENDPOINT_SG_NOT_ALL_PORTS,
    ENDPOINT_OWN_SECURITY_GROUP,
    ENDPOINT_SG_CLIENTS,
)
