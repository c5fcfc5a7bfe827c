"""DNS (promise 17): private zones and forwarding rules serve this project's hosts, never a domain
that AWS shares between every customer's hosts.

A private hosted zone is authoritative for its whole name: a zone (or a forwarding rule) for
`execute-api.<region>.amazonaws.com` answers for every API Gateway host of the region, so any
other API that a notebook or a corporate client calls no longer resolves (or reaches the private
endpoint, whose policy admits only this project's API). The hub serves the single host
`<api-id>.execute-api.<region>.amazonaws.com` instead.
"""

from __future__ import annotations

import re
from typing import Final

from ._props import get
from .model import MANDATORY, Props, Rule
from .resource_types import DNS_RECORD, HOSTED_ZONE, RESOLVER_RULE

# Domains under which AWS serves many customers' hosts: a zone or rule may name one host below them.
SHARED_SERVICE_DOMAIN: Final = re.compile(r"^(\*\.)?(execute-api)\.[a-z0-9-]+\.amazonaws\.com\.?$", re.IGNORECASE)
_NAME_PROPS: Final = {HOSTED_ZONE: "name", RESOLVER_RULE: "domainName", DNS_RECORD: "name"}


def check_dns_single_host(resource_type: str, props: Props) -> list[str]:
    key = _NAME_PROPS.get(resource_type)
    if key is None:
        return []
    name = get(props, key)
    if not isinstance(name, str):
        return []
    match = SHARED_SERVICE_DOMAIN.match(name)
    if not match:
        return []
    what = {HOSTED_ZONE: "a private hosted zone", RESOLVER_RULE: "a forwarding rule", DNS_RECORD: "a record"}
    return [
        f"{what[resource_type]} for {name}: it answers for every {match.group(2).lower()} host of the region, so other "
        "APIs stop resolving for every VPC and network that uses it; serve only <api-id>."
        f"{name.removeprefix('*.')} (docs/network.md#1-the-private-apis-host)"
    ]


DNS_API_HOST_ONLY: Final = Rule(
    name="dns-api-host-only",
    issue=17,
    enforcement=MANDATORY,
    description="No private hosted zone, forwarding rule or wildcard record for a whole execute-api.<region>."
    "amazonaws.com domain: only single API hosts (<api-id>.execute-api...).",
    guards="every other API Gateway host of the region captured for the central VPC, the LOB VPCs and on-premises",
    resource_check=check_dns_single_host,
)

RULES: Final = (DNS_API_HOST_ONLY,)
