"""What each stack should have deployed: the offline plan's resources, in the deployed stack's ids.

The plan (`tools.plan`, run from the same stack files) says which endpoints, records, zone
associations, rule associations, users, items and function environments the program creates;
its ids are the mocks'. `Translation` pairs each id-like output of the plan with the same output
of the deployed stack (`GENERATED`), so an expected value such as a function's `USERS_TABLE` or
a LOB role's trusted principal reads as it must be in AWS. A value that comes from config (a
username, a CIDR, a stage name) is the same in both and is left alone.

Everything here is pure: plans as `StackPlan.to_json()` dicts (or a `plan --json` file's stacks),
outputs as plain dicts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from components import outputs as out
from contracts import authorizer_env, presigned_url_env, tables, tags

# Outputs whose value AWS generates (ids, ARNs, generated names): the plan's are the mocks'.
GENERATED = (
    out.CENTRAL_VPC_ID,
    out.TRANSIT_GATEWAY_ID,
    out.RAM_SHARE_ARN,
    out.RESOLVER_RULE_IDS,
    out.ENDPOINT_IDS,
    out.HOSTED_ZONE_IDS,
    out.SAGEMAKER_API_ENDPOINT_ID,
    out.STUDIO_ENDPOINT_ID,
    out.ACCESS_VPC_ID,
    out.API_ID,
    out.API_URL,
    out.USER_POOL_ID,
    out.USER_POOL_CLIENT_ID,
    out.TOKEN_ISSUER,
    out.USERS_TABLE,
    out.LOBS_TABLE,
    out.PRESIGNED_URL_ROLE_ARN,
    out.VPC_ID,
    out.DOMAIN_ID,
    out.DOMAIN_ARN,
    out.EXECUTION_ROLE_ARN,
    out.STUDIO_BUCKET,
    out.ACCESS_ROLE_ARN,
)
SECRET = "[secret]"

Resource = Mapping[str, Any]  # {"type", "name", "id", "inputs", ...} as in `plan --json`


class Translation:
    """Planned (mock) values -> deployed values, applied to any string inside a JSON value."""

    def __init__(self, pairs: Mapping[str, str]):
        # Longest first, so an ARN is replaced whole before an id inside it.
        self.pairs = dict(sorted(pairs.items(), key=lambda kv: -len(kv[0])))

    @classmethod
    def between(
        cls, planned: Mapping[str, Mapping[str, Any]], deployed: Mapping[str, Mapping[str, Any]]
    ) -> Translation:
        """planned, deployed: {stack: outputs}."""
        pairs: dict[str, str] = {}
        for stack, plan_outputs in planned.items():
            if stack not in deployed:
                continue
            for key in GENERATED:
                if key in plan_outputs and key in deployed[stack]:
                    _pair(plan_outputs[key], deployed[stack][key], pairs)
        return cls(pairs)

    def __call__(self, value: Any) -> Any:
        if isinstance(value, str):
            for planned, deployed in self.pairs.items():
                if planned in value:
                    value = value.replace(planned, deployed)
            return value
        if isinstance(value, Mapping):
            return {k: self(v) for k, v in value.items()}
        if isinstance(value, list | tuple):
            return [self(v) for v in value]
        return value


def _pair(planned: Any, deployed: Any, pairs: dict[str, str]) -> None:
    if isinstance(planned, Mapping) and isinstance(deployed, Mapping):
        for key in planned.keys() & deployed.keys():
            _pair(planned[key], deployed[key], pairs)
    elif isinstance(planned, list) and isinstance(deployed, list) and len(planned) == len(deployed):
        for a, b in zip(planned, deployed, strict=True):
            _pair(a, b, pairs)
    elif (
        isinstance(planned, str)
        and isinstance(deployed, str)
        and planned != deployed
        and deployed != SECRET
        and len(planned) >= 6  # an id, never a short word that could sit inside another value
    ):
        pairs[planned] = deployed


# --------------------------------------------------------------------------- the shared stack


@dataclass(frozen=True)
class Record:
    zone: str  # endpoint key of the zone (hostedZoneIds' key)
    name: str  # the record's name, without the final dot
    endpoint: str  # endpoint key the alias must point at


@dataclass(frozen=True)
class Item:
    table: str  # the output naming the table: usersTable or lobsTable
    key_name: str  # the hash key's name
    key: str  # its value
    attributes: dict[str, str]  # every string attribute the stack writes


@dataclass(frozen=True)
class Authorizer:
    type: str
    identity_source: str


@dataclass(frozen=True)
class SharedExpected:
    # The Name tag of the TGW route table new attachments (every LOB's) join; None: the plan
    # leaves the TGW's own default.
    default_route_table: str | None
    # {VPC output (centralVpcId, accessVpcId): the Name tag of its attachment's route table}
    attachments: dict[str, str | None]
    endpoints: tuple[str, ...]  # endpoint keys, each with its zone and resolver rule
    records: tuple[Record, ...]
    access_zones: tuple[str, ...]  # zone keys associated with the access VPC
    principals: tuple[str, ...]  # the RAM share's principals (accounts or the organization)
    stage: str
    authorizer: Authorizer | None
    # function kind (contracts.tags) -> {variable: value}; None: a value the mocks made up (a key, a
    # generated id no output names): set, but not compared
    environments: dict[str, dict[str, str | None]]
    cognito_users: tuple[str, ...]
    items: tuple[Item, ...]


def generated_ids(resources: list[Resource], tr: Translation) -> set[str]:
    """The plan's mock ids that no output translates (a resource named by AWS, not by the config)."""

    def leaves(value: Any) -> set[str]:
        if isinstance(value, Mapping):
            return set().union(*(leaves(v) for v in value.values())) if value else set()
        if isinstance(value, list):
            return set().union(*(leaves(v) for v in value)) if value else set()
        return {value} if isinstance(value, str) else set()

    return {
        str(r["id"])
        for r in resources
        if isinstance(r.get("id"), str)
        and len(r["id"]) >= 6
        and r["id"] not in tr.pairs
        and r["id"] not in leaves(r.get("inputs") or {})  # named by the config: the same in AWS
    }


def _of_type(resources: list[Resource], type_: str) -> list[Resource]:
    return [r for r in resources if r.get("type") == type_]


def _inputs(resource: Resource) -> dict[str, Any]:
    inputs: dict[str, Any] = resource.get("inputs") or {}
    return inputs


def _json(value: Any) -> Any:
    return json.loads(value) if isinstance(value, str) else value


def config_values(config: Any) -> frozenset[str]:
    """Every value of a stack's validated config (defaults included) as the program would write it
    into an environment variable, and the functions' contract defaults."""
    found: set[str] = set()

    def walk(value: Any) -> None:
        if isinstance(value, Mapping):
            for v in value.values():
                walk(v)
        elif isinstance(value, list | tuple):
            for v in value:
                walk(v)
        elif isinstance(value, bool):
            found.add("true" if value else "false")
        elif value is not None:
            found.add(str(value))

    walk(config)
    found |= {v.default for v in (*authorizer_env.ALL, *presigned_url_env.ALL) if v.default is not None}
    return frozenset(found)


def _explained(planned: Any, tr: Translation, known: frozenset[str], generated: set[str]) -> bool:
    """Does the planned value say what AWS must hold? Yes when it is (made of) config values or holds
    a deployed output; no when it is something only the mocks made up (a key, a generated id)."""
    text, translated = str(planned), str(tr(planned))
    if any(g in translated for g in generated):
        return False
    return translated != text or all(part.strip() in known for part in text.split(","))


def shared_expected(plan: Mapping[str, Any], tr: Translation, known: frozenset[str] = frozenset()) -> SharedExpected:
    """plan: the shared stack's `{"resources": [...], "outputs": {...}}`; known: `config_values` of its
    config (an environment value that is neither known nor holds an output is checked for presence)."""
    resources: list[Resource] = list(plan.get("resources", []))
    planned = plan.get("outputs", {})
    endpoint_ids: dict[str, str] = dict(planned.get(out.ENDPOINT_IDS) or {})
    zone_keys = {zone_id: key for key, zone_id in (planned.get(out.HOSTED_ZONE_IDS) or {}).items()}

    records = []
    for r in _of_type(resources, "aws:route53/record:Record"):
        inputs = _inputs(r)
        zone = zone_keys.get(inputs.get("zoneId", ""))
        aliases = inputs.get("aliases") or []
        target = next(
            (
                key
                for key, endpoint_id in endpoint_ids.items()
                for alias in aliases
                if str(alias.get("name", "")).startswith(endpoint_id)
            ),
            None,
        )
        if zone and target:
            records.append(Record(zone, str(tr(inputs.get("name", ""))).rstrip("."), target))

    access_vpc = planned.get(out.ACCESS_VPC_ID)
    access_zones = tuple(
        zone_keys[_inputs(r)["zoneId"]]
        for r in _of_type(resources, "aws:route53/zoneAssociation:ZoneAssociation")
        if _inputs(r).get("vpcId") == access_vpc and _inputs(r).get("zoneId") in zone_keys
    )

    stages = [str(_inputs(r).get("stageName", "")) for r in _of_type(resources, "aws:apigateway/stage:Stage")]
    authorizer = next(
        (
            Authorizer(str(_inputs(r).get("type", "")), str(_inputs(r).get("identitySource", "")))
            for r in _of_type(resources, "aws:apigateway/authorizer:Authorizer")
        ),
        None,
    )

    environments = {}
    generated = generated_ids(resources, tr)
    for r in _of_type(resources, "aws:lambda/function:Function"):
        inputs = _inputs(r)
        kind = (inputs.get("tags") or {}).get(tags.FUNCTION_TAG)
        if kind:
            variables = (inputs.get("environment") or {}).get("variables") or {}
            environments[str(kind)] = {
                str(k): str(tr(v)) if _explained(v, tr, known, generated) else None for k, v in variables.items()
            }

    table_outputs = {planned.get(key): key for key in (out.USERS_TABLE, out.LOBS_TABLE) if planned.get(key)}
    items = []
    for r in _of_type(resources, "aws:dynamodb/tableItem:TableItem"):
        inputs = _inputs(r)
        table = table_outputs.get(inputs.get("tableName"))
        attributes = tables.strings(_json(tr(inputs.get("item") or "{}")))
        hash_key = str(inputs.get("hashKey") or tables.KEY)
        if table and hash_key in attributes:
            items.append(Item(table, hash_key, attributes[hash_key], attributes))

    default_table, attachments = _route_tables(resources, planned)
    return SharedExpected(
        default_route_table=default_table,
        attachments=attachments,
        endpoints=tuple(endpoint_ids),
        records=tuple(records),
        access_zones=access_zones,
        principals=tuple(
            str(_inputs(r).get("principal"))
            for r in _of_type(resources, "aws:ram/principalAssociation:PrincipalAssociation")
        ),
        stage=stages[0] if stages else "",
        authorizer=authorizer,
        environments=environments,
        cognito_users=tuple(str(_inputs(r).get("username")) for r in _of_type(resources, "aws:cognito/user:User")),
        items=tuple(items),
    )


def _route_tables(resources: list[Resource], planned: Mapping[str, Any]) -> tuple[str | None, dict[str, str | None]]:
    """The TGW's default association table and each shared VPC's attachment table, by Name tag
    (the ids are the mocks'; the tags come from the program, the same when deployed)."""
    names = {
        r.get("id"): str((_inputs(r).get("tags") or {}).get("Name", ""))
        for r in _of_type(resources, "aws:ec2transitgateway/routeTable:RouteTable")
    }
    default = next(
        (
            names.get(_inputs(r).get("transitGatewayRouteTableId"))
            for r in _of_type(
                resources, "aws:ec2transitgateway/defaultRouteTableAssociation:DefaultRouteTableAssociation"
            )
        ),
        None,
    )
    associated = {
        _inputs(r).get("transitGatewayAttachmentId"): names.get(_inputs(r).get("transitGatewayRouteTableId"))
        for r in _of_type(resources, "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation")
    }
    attachments: dict[str, str | None] = {}
    for r in _of_type(resources, "aws:ec2transitgateway/vpcAttachment:VpcAttachment"):
        inputs = _inputs(r)
        vpc = next(
            (key for key in (out.CENTRAL_VPC_ID, out.ACCESS_VPC_ID) if planned.get(key) == inputs.get("vpcId")), None
        )
        if vpc is None:
            continue
        if r.get("id") in associated:
            attachments[vpc] = associated[r.get("id")] or None
        elif inputs.get("transitGatewayDefaultRouteTableAssociation") is not False:
            attachments[vpc] = default or None
        else:
            attachments[vpc] = None
    ordered = {key: attachments[key] for key in (out.CENTRAL_VPC_ID, out.ACCESS_VPC_ID) if key in attachments}
    return default or None, ordered


# --------------------------------------------------------------------------- a LOB stack


@dataclass(frozen=True)
class LobExpected:
    accept_share: bool  # outside the organization: the LOB accepts the RAM invitation
    rules: tuple[str, ...]  # endpoint keys of the resolver rules associated with the LOB VPC
    network_access: str  # the domain's AppNetworkAccessType
    subnet_cidrs: frozenset[str]  # the domain's subnets, by CIDR
    profiles: tuple[str, ...]
    trust_actions: frozenset[str]  # what the access role's trust allows the function role


def lob_expected(plan: Mapping[str, Any], shared_plan: Mapping[str, Any]) -> LobExpected:
    resources: list[Resource] = list(plan.get("resources", []))
    shared_outputs = shared_plan.get("outputs", {})
    rule_keys = {rule_id: key for key, rule_id in (shared_outputs.get(out.RESOLVER_RULE_IDS) or {}).items()}
    subnet_cidrs = {r.get("id"): _inputs(r).get("cidrBlock") for r in _of_type(resources, "aws:ec2/subnet:Subnet")}
    domain = next(iter(_of_type(resources, "aws:sagemaker/domain:Domain")), {})
    domain_inputs = _inputs(domain) if domain else {}

    function_role = shared_outputs.get(out.PRESIGNED_URL_ROLE_ARN)
    role_name = shared_outputs.get(out.ACCESS_ROLE_NAME)
    trust_actions: set[str] = set()
    for r in _of_type(resources, "aws:iam/role:Role"):
        inputs = _inputs(r)
        if inputs.get("name") != role_name:
            continue
        for statement in _json(inputs.get("assumeRolePolicy") or "{}").get("Statement", []):
            if statement.get("Effect") == "Allow" and function_role in _listed(
                (statement.get("Principal") or {}).get("AWS")
            ):
                trust_actions |= set(_listed(statement.get("Action")))

    return LobExpected(
        accept_share=bool(_of_type(resources, "aws:ram/resourceShareAccepter:ResourceShareAccepter")),
        rules=tuple(
            rule_keys[_inputs(r)["resolverRuleId"]]
            for r in _of_type(resources, "aws:route53/resolverRuleAssociation:ResolverRuleAssociation")
            if _inputs(r).get("resolverRuleId") in rule_keys
        ),
        network_access=str(domain_inputs.get("appNetworkAccessType", "")),
        subnet_cidrs=frozenset(str(subnet_cidrs[s]) for s in domain_inputs.get("subnetIds", []) if subnet_cidrs.get(s)),
        profiles=tuple(
            str(_inputs(r).get("userProfileName")) for r in _of_type(resources, "aws:sagemaker/userProfile:UserProfile")
        ),
        trust_actions=frozenset(trust_actions),
    )


def _listed(value: Any) -> list[Any]:
    if value is None:
        return []
    return list(value) if isinstance(value, list | tuple) else [value]
