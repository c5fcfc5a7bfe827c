"""The run: for each stack, read the facts its links need (`fetch`) and judge them (`shared_links`,
`lob_links`), in the order a request travels. Reads go through each stack's `Account`; a read that
fails makes only the links that need it "could not check".
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar

from components import outputs as out
from contracts import tags

from . import fetch
from . import lob_links as lob
from . import shared_links as hub
from .accounts import Account
from .expect import Item, Translation, lob_expected, shared_expected
from .fetch import need
from .links import Link, Unreadable, Where
from .sources import NotDeployed

T = TypeVar("T")
SIMULATION_PROFILE = "doctor-probe"  # the profile name simulated when a domain has none


@dataclass
class StackRun:
    """What the doctor knows of one stack before reading AWS."""

    stack: str
    fqn: str
    role: str  # "shared" | "lob"
    account_id: str
    region: str
    depends_on: tuple[str, ...]
    plan: Mapping[str, Any]  # the offline plan of the stack: {"resources": [...], "outputs": {...}}
    outputs: Mapping[str, Any] | Unreadable
    account: Account
    config: frozenset[str] = frozenset()  # expect.config_values of the stack's config

    @property
    def where(self) -> Where:
        return Where(self.stack, self.account_id, self.fqn)


def attempt(read: Callable[..., T], *args: Any) -> T | Unreadable:
    """read(*args), or why it could not be read."""
    try:
        return read(*args)
    except Unreadable as exc:
        return exc


def partition(region: str) -> str:
    return "aws-cn" if region.startswith("cn-") else "aws-us-gov" if region.startswith("us-gov-") else "aws"


def diagnose(stacks: Mapping[str, StackRun], picked: list[str]) -> list[Link]:
    """Links of the picked stacks, in that order; `stacks` also holds the stacks they reference."""
    deployed = {s: r.outputs for s, r in stacks.items() if isinstance(r.outputs, Mapping)}
    tr = Translation.between({s: r.plan.get("outputs", {}) for s, r in stacks.items()}, deployed)
    links: list[Link] = []
    for name in picked:
        run = stacks[name]
        links.append(credentials(run))
        if isinstance(run.outputs, Unreadable):
            links.append(outputs_link(run, run.outputs))
            continue
        if run.role == "shared":
            links += shared_checks(run, run.outputs, tr)
        else:
            links += lob_checks(run, run.outputs, stacks[run.depends_on[0]], tr)
    return links


def credentials(run: StackRun) -> Link:
    w, account = run.where, run.account
    if account.session is None:
        return w.unchecked("credentials", run.account_id, account.problem)
    return w.ok("credentials", run.account_id, f"reading as {account.caller}")


def outputs_link(run: StackRun, problem: Unreadable) -> Link:
    w = run.where
    if isinstance(problem, NotDeployed):
        return w.broken("stack outputs", run.fqn, str(problem), f'deploy it: make deploy ARGS="up --stack {run.stack}"')
    return w.unchecked("stack outputs", run.fqn, str(problem))


# --------------------------------------------------------------------------- the shared stack


def shared_checks(run: StackRun, o: Mapping[str, Any], tr: Translation) -> list[Link]:
    w, acct, stack = run.where, run.account, run.stack
    exp = shared_expected(run.plan, tr, run.config)
    arn_head = f"arn:{partition(run.region)}"
    links: list[Link] = []

    # --- the Transit Gateway and its share
    tgw_id = str(o.get(out.TRANSIT_GATEWAY_ID, "?"))
    tgw = attempt(lambda: fetch.transit_gateway(acct, need(o, out.TRANSIT_GATEWAY_ID, stack)))
    tables = attempt(lambda: fetch.route_tables(acct, need(o, out.TRANSIT_GATEWAY_ID, stack)))
    default_table = table_id(tables, exp.default_route_table)
    links.append(
        hub.transit_gateway(
            w,
            tgw_id,
            _or(tables, tgw) if exp.default_route_table else tgw,
            _known(default_table),
            exp.default_route_table,
        )
    )
    for vpc_key, name in exp.attachments.items():
        vpc_id = str(o.get(vpc_key, "?"))
        found = attempt(_attachment, acct, o, stack, vpc_key)
        links.append(
            lob.attachment(
                w,
                tgw_id,
                vpc_id,
                _or(tables, found) if name else found,
                _known(table_id(tables, name)),
                w,
                table_name=name,
                link=f"transit gateway attachment {'central' if vpc_key == out.CENTRAL_VPC_ID else 'access'} VPC",
            )
        )

    rule_ids: dict[str, str] = dict(o.get(out.RESOLVER_RULE_IDS) or {})
    share_arn = str(o.get(out.RAM_SHARE_ARN, "?"))
    shared = {"the Transit Gateway": f"{arn_head}:ec2:{run.region}:{run.account_id}:transit-gateway/{tgw_id}"} | {
        f"rule {key}": f"{arn_head}:route53resolver:{run.region}:{run.account_id}:resolver-rule/{rule_id}"
        for key, rule_id in rule_ids.items()
    }
    found_share = attempt(lambda: fetch.resource_share(acct, need(o, out.RAM_SHARE_ARN, stack)))
    resources = attempt(lambda: fetch.share_associations(acct, need(o, out.RAM_SHARE_ARN, stack), "RESOURCE"))
    links.append(hub.share(w, share_arn, found_share, resources, shared))
    principals = attempt(lambda: fetch.share_associations(acct, need(o, out.RAM_SHARE_ARN, stack), "PRINCIPAL"))
    links += [hub.share_principal(w, share_arn, p, principals) for p in exp.principals]

    # --- the endpoints, and the zones that point their names at them
    endpoint_ids: dict[str, str] = dict(o.get(out.ENDPOINT_IDS) or {})
    central_vpc = str(o.get(out.CENTRAL_VPC_ID, "?"))
    endpoints: dict[str, tuple[str, Any]] = {}
    for key in exp.endpoints or tuple(endpoint_ids):
        endpoint_id = endpoint_ids.get(key, "?")
        endpoints[key] = (
            endpoint_id,
            attempt(_endpoint, acct, o, stack, key, endpoint_id),
        )
        links.append(hub.endpoint(w, key, endpoint_id, central_vpc, endpoints[key][1]))

    zone_ids: dict[str, str] = dict(o.get(out.HOSTED_ZONE_IDS) or {})
    zones: dict[str, Any] = {}
    for key in exp.endpoints or tuple(zone_ids):
        zone_id = zone_ids.get(key, "?")
        zones[key] = attempt(_zone, acct, o, stack, key, zone_id)
        records = attempt(fetch.record_sets, acct, zone_id)
        wanted = [r for r in exp.records if r.zone == key]
        links.append(hub.zone(w, key, zone_id, central_vpc, zones[key], records, wanted, endpoints))

    # --- name resolution: the inbound endpoint answers from the zones, the rules forward to it
    rules = {key: attempt(fetch.resolver_rule, acct, rule_id) for key, rule_id in rule_ids.items()}
    readable = [r for r in rules.values() if isinstance(r, dict)]
    targets = {str(t.get("Ip")) for r in readable for t in r.get("TargetIps") or []}
    resolvers = attempt(lambda: fetch.resolver_endpoints(acct))
    inbound_ips = attempt(
        lambda: {
            str(e["Id"]): fetch.resolver_endpoint_ips(acct, str(e["Id"]))
            for e in (resolvers if isinstance(resolvers, list) else [])
            if e.get("Direction") == "INBOUND" and e.get("HostVPCId") == central_vpc
        }
    )
    links.append(hub.resolver_inbound(w, central_vpc, resolvers, inbound_ips, targets))
    outbound_ids = sorted({str(r.get("ResolverEndpointId")) for r in readable if r.get("ResolverEndpointId")})
    for endpoint_id in outbound_ids:
        found = resolvers if isinstance(resolvers, Unreadable) else _by_id(resolvers, endpoint_id)
        links.append(hub.resolver_outbound(w, endpoint_id, found))
    held = set().union(*inbound_ips.values()) if isinstance(inbound_ips, dict) and inbound_ips else set()
    for key, rule_id in rule_ids.items():
        zone_fact = zones.get(key)
        domain = zone_fact["HostedZone"].get("Name") if isinstance(zone_fact, dict) else None
        links.append(hub.resolver_rule(w, key, rule_id, rules[key], domain, held))

    # --- the access VPC resolves STS and the SageMaker API to the central endpoints
    access_vpc = str(o.get(out.ACCESS_VPC_ID, "?"))
    for key in exp.access_zones:
        fact = attempt(_access_zone, acct, o, stack, key, zones)
        links.append(hub.access_zone(w, key, zone_ids.get(key, "?"), access_vpc, fact))

    # --- the private API, its stage and authorizer, the two functions
    api_id = str(o.get(out.API_ID, "?"))
    links.append(hub.api(w, api_id, attempt(lambda: fetch.rest_api(acct, need(o, out.API_ID, stack)))))
    stage_name = exp.stage or str(o.get(out.API_URL, "")).rstrip("/").rsplit("/", 1)[-1]
    found_stage = attempt(lambda: fetch.stage(acct, need(o, out.API_ID, stack), stage_name))
    deployment = attempt(
        lambda: (
            fetch.deployment(acct, api_id, str(found_stage.get("deploymentId")))
            if isinstance(found_stage, dict)
            else None
        )
    )
    links.append(hub.stage(w, api_id, stage_name, found_stage, deployment))
    authorizers = attempt(lambda: fetch.authorizers(acct, need(o, out.API_ID, stack)))
    methods = attempt(lambda: fetch.integrations(acct, need(o, out.API_ID, stack)))
    links.append(hub.authorizer(w, api_id, exp.authorizer, authorizers, methods))

    for kind, arn, role in _functions(exp.authorizer, authorizers, methods, o):
        if isinstance(arn, Unreadable):
            links.append(w.unchecked(f"function {kind}", "?", str(arn)))
            continue
        found = attempt(fetch.function, acct, arn) if arn else None
        links.append(hub.function(w, kind, arn, found, exp.environments.get(kind), role))

    # --- the people: users in the pool, items in the tables
    pool = o.get(out.USER_POOL_ID)
    if pool:
        for user in exp.cognito_users:
            links.append(hub.cognito_user(w, str(pool), user, attempt(fetch.cognito_user, acct, str(pool), user)))
    for item in exp.items:
        table = str(o.get(item.table, "?"))
        found_item = attempt(_item, acct, o, stack, item)
        links.append(hub.table_item(w, table, item, found_item))
    return links


def _endpoint(acct: Account, o: Mapping[str, Any], stack: str, key: str, endpoint_id: str) -> Any:
    need(o.get(out.ENDPOINT_IDS) or {}, key, stack)
    return fetch.vpc_endpoint(acct, endpoint_id)


def _zone(acct: Account, o: Mapping[str, Any], stack: str, key: str, zone_id: str) -> Any:
    need(o.get(out.HOSTED_ZONE_IDS) or {}, key, stack)
    return fetch.hosted_zone(acct, zone_id)


def _access_zone(acct: Account, o: Mapping[str, Any], stack: str, key: str, zones: Mapping[str, Any]) -> Any:
    need(o, out.ACCESS_VPC_ID, stack)
    known = zones.get(key)
    if isinstance(known, Unreadable):
        raise known
    return known if key in zones else _zone(acct, o, stack, key, str((o.get(out.HOSTED_ZONE_IDS) or {}).get(key)))


def _item(acct: Account, o: Mapping[str, Any], stack: str, item: Item) -> Any:
    return fetch.table_item(acct, need(o, item.table, stack), item.key_name, item.key)


def _by_id(items: list[dict[str, Any]], item_id: str) -> dict[str, Any] | None:
    return next((i for i in items if i.get("Id") == item_id), None)


def _functions(
    expected: Any, authorizers: Any, methods: Any, o: Mapping[str, Any]
) -> list[tuple[str, str | Unreadable | None, str | None]]:
    """(kind, function ARN, the role it must run as) for the authorizer and the presigned-URL function,
    found where the API invokes them."""
    found: list[tuple[str, str | Unreadable | None, str | None]] = []
    if isinstance(authorizers, Unreadable):
        found.append((tags.AUTHORIZER_FUNCTION, authorizers, None))
    else:
        matching = [
            a
            for a in authorizers
            if expected is None or (a.get("type"), a.get("identitySource")) == (expected.type, expected.identity_source)
        ]
        uri = str((matching or authorizers or [{}])[0].get("authorizerUri", ""))
        found.append((tags.AUTHORIZER_FUNCTION, hub.function_arn(uri), None))
    if isinstance(methods, Unreadable):
        found.append((tags.PRESIGNED_URL_FUNCTION, methods, None))
    else:
        arns = [hub.function_arn(str(m.get("uri", ""))) for m in methods if m.get("type") == "AWS_PROXY"]
        found.append(
            (tags.PRESIGNED_URL_FUNCTION, next((a for a in arns if a), None), o.get(out.PRESIGNED_URL_ROLE_ARN))
        )
    return found


# --------------------------------------------------------------------------- a LOB stack


def lob_checks(run: StackRun, o: Mapping[str, Any], shared: StackRun, tr: Translation) -> list[Link]:
    w, acct, stack = run.where, run.account, run.stack
    so: Mapping[str, Any] = shared.outputs if isinstance(shared.outputs, Mapping) else {}
    sw, sacct = shared.where, shared.account
    exp = lob_expected(run.plan, shared.plan)
    links: list[Link] = []

    def shared_output(key: str) -> Any:
        if isinstance(shared.outputs, Unreadable):
            raise Unreadable(f"the shared stack's outputs: {shared.outputs}")
        return need(so, key, shared.stack)

    # --- onto the network: the share, the attachment, the forwarding rules
    share_arn = str(so.get(out.RAM_SHARE_ARN, "?"))
    if exp.accept_share:
        invitations = attempt(lambda: fetch.share_invitations(acct, shared_output(out.RAM_SHARE_ARN)))
        links.append(lob.invitation(w, share_arn, invitations, sw))

    tgw_id, vpc_id = str(so.get(out.TRANSIT_GATEWAY_ID, "?")), str(o.get(out.VPC_ID, "?"))
    attached = attempt(
        lambda: fetch.attachment(sacct, shared_output(out.TRANSIT_GATEWAY_ID), need(o, out.VPC_ID, stack))
    )
    # the table every new attachment joins: the plan's (by name), else the TGW's own default
    planned_table = shared_expected(shared.plan, tr, shared.config).default_route_table
    if planned_table:
        tables = attempt(lambda: fetch.route_tables(sacct, shared_output(out.TRANSIT_GATEWAY_ID)))
        expected_table, attached = _known(table_id(tables, planned_table)), _or(tables, attached)
    else:
        tgw = attempt(lambda: fetch.transit_gateway(sacct, shared_output(out.TRANSIT_GATEWAY_ID)))
        expected_table, attached = _default_route_table(tgw), _or(tgw, attached)
    links.append(lob.attachment(w, tgw_id, vpc_id, attached, expected_table, sw, table_name=planned_table))

    rule_ids: Mapping[str, str] = so.get(out.RESOLVER_RULE_IDS) or {}
    associations = attempt(lambda: fetch.rule_associations(acct, need(o, out.VPC_ID, stack)))
    for key in exp.rules:
        rule_id = rule_ids.get(key)
        fact = associations if rule_id else Unreadable(f"the shared stack has no resolver rule {key} in its outputs")
        links.append(lob.rule_association(w, key, rule_id or "?", vpc_id, fact))

    # --- the domain and its profiles
    domain_id = str(o.get(out.DOMAIN_ID, "?"))
    domain = attempt(lambda: fetch.domain(acct, need(o, out.DOMAIN_ID, stack)))
    subnets = attempt(
        lambda: fetch.subnets(acct, list(domain.get("SubnetIds") or [])) if isinstance(domain, dict) else []
    )
    links.append(lob.domain(w, domain_id, domain, vpc_id, exp.network_access, subnets, exp.subnet_cidrs))
    profiles = exp.profiles or tuple(o.get(out.USER_PROFILE_NAMES) or [])
    for name in profiles:
        found = attempt(_profile, acct, o, stack, name)
        links.append(lob.user_profile(w, domain_id, name, found))

    # --- the access role: who may assume it, and what it may do from where
    role_name = str(so.get(out.ACCESS_ROLE_NAME) or str(o.get(out.ACCESS_ROLE_ARN, "?")).rsplit("/", 1)[-1])
    function_role = str(so.get(out.PRESIGNED_URL_ROLE_ARN, "?"))
    role = attempt(lambda: shared_output(out.PRESIGNED_URL_ROLE_ARN) and fetch.role(acct, role_name))
    links.append(lob.trust(w, role_name, role, function_role, exp.trust_actions))

    role_arn = str(o.get(out.ACCESS_ROLE_ARN) or f"arn:{partition(run.region)}:iam::{run.account_id}:role/{role_name}")
    assume = attempt(
        lambda: fetch.simulate(sacct, shared_output(out.PRESIGNED_URL_ROLE_ARN), "sts:AssumeRole", role_arn)
    )
    links.append(lob.assumable(w, function_role, role_arn, assume, sw))

    profile_arn = (
        f"arn:{partition(run.region)}:sagemaker:{run.region}:{run.account_id}:user-profile/"
        f"{domain_id}/{profiles[0] if profiles else SIMULATION_PROFILE}"
    )
    action = "sagemaker:CreatePresignedDomainUrl"
    through = {}
    for label, key in (
        ("the SageMaker API endpoint", out.SAGEMAKER_API_ENDPOINT_ID),
        ("the Studio endpoint", out.STUDIO_ENDPOINT_ID),
    ):
        vpce = str(so.get(key, "?"))
        through[label] = (
            vpce,
            attempt(_simulate_from, acct, role_arn, action, profile_arn, shared_output, key),
        )
    without = attempt(lambda: fetch.simulate(acct, role_arn, action, profile_arn))
    links.append(lob.presign(w, role_arn, profile_arn, through, without))
    return links


def _profile(acct: Account, o: Mapping[str, Any], stack: str, name: str) -> Any:
    return fetch.user_profile(acct, need(o, out.DOMAIN_ID, stack), name)


def _simulate_from(
    acct: Account, role_arn: str, action: str, resource: str, shared_output: Callable[[str], Any], key: str
) -> Any:
    """The simulation with aws:sourceVpce = the shared stack's output `key` (an endpoint id)."""
    return fetch.simulate(acct, role_arn, action, resource, {"aws:sourceVpce": shared_output(key)})


def table_id(tables: Any, name: str | None) -> str | Unreadable | None:
    """The id of the TGW route table tagged Name=`name` (None: no name, or no such table)."""
    if isinstance(tables, Unreadable):
        return tables
    if not name:
        return None
    for table in tables:
        if any(t.get("Key") == "Name" and t.get("Value") == name for t in table.get("Tags") or []):
            return str(table.get("TransitGatewayRouteTableId"))
    return None


def _known(value: str | Unreadable | None) -> str | None:
    return None if isinstance(value, Unreadable) else value


def _or(first: Any, then: Any) -> Any:
    """`first` when it could not be read (the link that needs both is unchecked), else `then`."""
    return first if isinstance(first, Unreadable) else then


def _attachment(acct: Account, o: Mapping[str, Any], stack: str, vpc_key: str) -> Any:
    return fetch.attachment(acct, need(o, out.TRANSIT_GATEWAY_ID, stack), need(o, vpc_key, stack))


def _default_route_table(tgw: Any) -> str | None:
    if not isinstance(tgw, dict):
        return None
    options = tgw.get("Options") or {}
    if options.get("DefaultRouteTableAssociation") != "enable":
        return None
    table = options.get("AssociationDefaultRouteTableId")
    return str(table) if table else None
