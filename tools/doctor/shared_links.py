"""The shared stack's links, judged from facts: pure functions, AWS response shapes in, `Link` out.

A fact is what `fetch` read: a dict or list as AWS returns it, `None` when the resource does not
exist, or an `Unreadable` when it could not be read (the link is then "could not check").
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from components import outputs as out

from .expect import Authorizer, Item, Record
from .links import Link, Unreadable, Where

Fact = Any  # dict | list | None | Unreadable


def unreadable(*facts: Fact) -> Unreadable | None:
    return next((f for f in facts if isinstance(f, Unreadable)), None)


def dns(name: str) -> str:
    """A DNS name as Route 53 and EC2 may spell it (`\\052` for `*`, a final dot, capitals), compared."""
    return name.replace("\\052", "*").rstrip(".").lower()


def endpoint_dns_names(endpoint: Mapping[str, Any]) -> set[str]:
    return {dns(e.get("DnsName", "")) for e in endpoint.get("DnsEntries") or [] if e.get("DnsName")}


# --------------------------------------------------------------------------- network


def transit_gateway(
    w: Where, tgw_id: str, tgw: Fact, default_table: str | None = None, default_name: str | None = None
) -> Link:
    """default_table: the id of the route table the plan makes new attachments join (by its Name
    tag, default_name); None with a name: no such table."""
    link = "transit gateway"
    if problem := unreadable(tgw):
        return w.unchecked(link, tgw_id, str(problem))
    if tgw is None:
        return w.drifted(link, tgw_id, "no such Transit Gateway", f"the Transit Gateway {tgw_id} is gone")
    state = tgw.get("State", "?")
    if state == "pending":
        return w.broken(link, tgw_id, "state pending", "wait a few minutes and run the doctor again")
    if state != "available":
        return w.drifted(link, tgw_id, f"state {state}", f"the Transit Gateway {tgw_id} is {state}")
    if default_name:
        options = tgw.get("Options") or {}
        joined = (
            options.get("AssociationDefaultRouteTableId")
            if options.get("DefaultRouteTableAssociation") == "enable"
            else None
        )
        if default_table is None or joined != default_table:
            where = (
                f"the route table {default_table} ({default_name})"
                if default_table
                else f"a route table {default_name!r}"
            )
            return w.drifted(
                link,
                tgw_id,
                f"new attachments join {joined or 'no route table'}, not {where}",
                f"the Transit Gateway {tgw_id}'s default association must be {where}",
            )
        return w.ok(link, tgw_id, f"available, new attachments join {default_table} ({default_name})")
    return w.ok(link, tgw_id, "available")


def share(w: Where, share_arn: str, found: Fact, associations: Fact, shared: Mapping[str, str]) -> Link:
    """shared: {label: resource ARN} the share must hold (the TGW, each resolver rule)."""
    link = "RAM share"
    if problem := unreadable(found, associations):
        return w.unchecked(link, share_arn, str(problem))
    if found is None:
        return w.drifted(link, share_arn, "no such resource share", f"the RAM share {share_arn} is gone")
    if found.get("status") != "ACTIVE":
        return w.drifted(link, share_arn, f"status {found.get('status')}", f"the RAM share {share_arn} is not ACTIVE")
    held = {a.get("associatedEntity") for a in associations if a.get("status") == "ASSOCIATED"}
    missing = [label for label, arn in shared.items() if arn not in held]
    if missing:
        return w.drifted(
            link,
            share_arn,
            f"does not share {', '.join(missing)}",
            f"the RAM share {share_arn} lacks {', '.join(f'{m} ({shared[m]})' for m in missing)}",
        )
    return w.ok(link, share_arn, f"ACTIVE, shares {', '.join(shared)}")


def share_principal(w: Where, share_arn: str, principal: str, associations: Fact) -> Link:
    link = f"RAM share principal {principal}"
    if problem := unreadable(associations):
        return w.unchecked(link, share_arn, str(problem))
    found = [a for a in associations if a.get("associatedEntity") == principal]
    status = found[0].get("status") if found else None
    if status == "ASSOCIATED":
        return w.ok(link, share_arn, "associated")
    if status == "ASSOCIATING":
        return w.broken(
            link,
            share_arn,
            "associating: an account outside the organization has not accepted the invitation yet",
            f"in account {principal}: accept the invitation (its LOB stack's RAM invitation link), then run the doctor again",
        )
    detail = f"status {status}: {found[0].get('statusMessage', '')}".strip(": ") if found else "not a principal"
    return w.drifted(link, share_arn, detail, f"the RAM share {share_arn} does not include {principal}")


def endpoint(w: Where, key: str, endpoint_id: str, central_vpc: str, found: Fact) -> Link:
    link = f"endpoint {key}"
    if problem := unreadable(found):
        return w.unchecked(link, endpoint_id, str(problem))
    if found is None:
        return w.drifted(link, endpoint_id, "no such VPC endpoint", f"the {key} endpoint {endpoint_id} is gone")
    state = str(found.get("State", "?"))
    if state.lower() != "available":
        return w.drifted(link, endpoint_id, f"state {state}", f"the {key} endpoint {endpoint_id} is {state}")
    if found.get("PrivateDnsEnabled"):
        return w.broken(
            link,
            endpoint_id,
            "private DNS is on: AWS's zone for the service shadows the hub's own zone",
            f"in account {w.account}: aws ec2 modify-vpc-endpoint --vpc-endpoint-id {endpoint_id} --no-private-dns-enabled "
            f'(the stack sets it off; or pulumi refresh and make deploy ARGS="up --stack {w.stack}")',
        )
    if found.get("VpcId") != central_vpc:
        return w.drifted(
            link,
            endpoint_id,
            f"in {found.get('VpcId')}, not the central VPC {central_vpc}",
            f"the {key} endpoint must be in {central_vpc}",
        )
    return w.ok(link, endpoint_id, "available, private DNS off")


def zone(
    w: Where,
    key: str,
    zone_id: str,
    central_vpc: str,
    found: Fact,
    records: Fact,
    wanted: Sequence[Record],
    endpoints: Mapping[str, tuple[str, Fact]],
) -> Link:
    """wanted: the records of this zone; endpoints: {endpoint key: (id, fact)}."""
    link = f"hosted zone {key}"
    if problem := unreadable(found, records):
        return w.unchecked(link, zone_id, str(problem))
    if found is None:
        return w.drifted(link, zone_id, "no such hosted zone", f"the {key} hosted zone {zone_id} is gone")
    name = dns(found.get("HostedZone", {}).get("Name", ""))
    vpcs = {v.get("VPCId") for v in found.get("VPCs") or []}
    if central_vpc not in vpcs:
        return w.drifted(
            link,
            f"{zone_id} ({name})",
            f"not associated with the central VPC {central_vpc}",
            f"the hosted zone {zone_id} ({name}) must be associated with {central_vpc}",
        )
    shown = []
    for record in wanted:
        endpoint_id, endpoint_fact = endpoints.get(record.endpoint, ("?", None))
        if problem := unreadable(endpoint_fact):
            return w.unchecked(link, f"{zone_id} ({name})", str(problem))
        targets = endpoint_dns_names(endpoint_fact) if endpoint_fact else set()
        sets = [
            r
            for r in records
            if dns(r.get("Name", "")) == dns(record.name) and r.get("Type") == "A" and r.get("AliasTarget")
        ]
        if not sets:
            return w.drifted(
                link,
                f"{zone_id} ({name})",
                f"no alias A record {record.name} (to endpoint {endpoint_id})",
                f"the hosted zone {zone_id} lacks the alias A record {record.name} -> {endpoint_id}",
            )
        alias = dns(sets[0]["AliasTarget"].get("DNSName", ""))
        if alias not in targets:
            return w.drifted(
                link,
                f"{zone_id} ({name})",
                f"{record.name} points at {alias}, not at endpoint {endpoint_id}",
                f"the record {record.name} in {zone_id} must alias the DNS name of {endpoint_id}",
            )
        shown.append(f"{record.name} -> {endpoint_id}")
    return w.ok(link, f"{zone_id} ({name})", "; ".join(shown) or "associated with the central VPC")


# --------------------------------------------------------------------------- DNS resolution


def resolver_inbound(w: Where, central_vpc: str, endpoints: Fact, ips: Fact, targets: set[str]) -> Link:
    """ips: {endpoint id: [ip]} of the inbound endpoints; targets: where the rules forward."""
    link = "resolver inbound endpoint"
    if problem := unreadable(endpoints, ips):
        return w.unchecked(link, central_vpc, str(problem))
    inbound = [e for e in endpoints if e.get("Direction") == "INBOUND" and e.get("HostVPCId") == central_vpc]
    if not inbound:
        return w.drifted(
            link,
            central_vpc,
            "no inbound endpoint in the central VPC",
            f"the Route 53 Resolver inbound endpoint of {central_vpc} is gone",
        )
    for e in inbound:
        held = set(ips.get(e.get("Id"), []))
        if e.get("Status") == "OPERATIONAL" and targets <= held:
            return w.ok(link, str(e.get("Id")), f"OPERATIONAL at {', '.join(sorted(held))}")
    e = inbound[0]
    if e.get("Status") != "OPERATIONAL":
        return w.drifted(
            link,
            str(e.get("Id")),
            f"status {e.get('Status')}: {e.get('StatusMessage', '')}",
            f"the inbound endpoint {e.get('Id')} is {e.get('Status')}",
        )
    listening = sorted(ips.get(e.get("Id"), []))
    return w.drifted(
        link,
        str(e.get("Id")),
        f"the rules forward to {', '.join(sorted(targets))}, it listens on {', '.join(listening) or 'nothing'}",
        f"the inbound endpoint {e.get('Id')} must hold the addresses of hub.resolverInboundIps",
    )


def resolver_outbound(w: Where, endpoint_id: str, found: Fact) -> Link:
    link = "resolver outbound endpoint"
    if problem := unreadable(found):
        return w.unchecked(link, endpoint_id, str(problem))
    if found is None:
        return w.drifted(link, endpoint_id, "no such endpoint", f"the outbound endpoint {endpoint_id} is gone")
    if found.get("Direction") != "OUTBOUND" or found.get("Status") != "OPERATIONAL":
        return w.drifted(
            link,
            endpoint_id,
            f"{found.get('Direction')}, status {found.get('Status')}: {found.get('StatusMessage', '')}",
            f"the outbound endpoint {endpoint_id} is not an OPERATIONAL outbound endpoint",
        )
    return w.ok(link, endpoint_id, "OPERATIONAL")


def resolver_rule(w: Where, key: str, rule_id: str, found: Fact, domain: str | None, inbound_ips: set[str]) -> Link:
    """domain: the name of the key's hosted zone (None: unknown); inbound_ips: the inbound endpoint's."""
    link = f"resolver rule {key}"
    if problem := unreadable(found):
        return w.unchecked(link, rule_id, str(problem))
    if found is None:
        return w.drifted(link, rule_id, "no such rule", f"the resolver rule {rule_id} ({key}) is gone")
    if found.get("Status") != "COMPLETE" or found.get("RuleType") != "FORWARD":
        return w.drifted(
            link,
            rule_id,
            f"{found.get('RuleType')}, status {found.get('Status')}: {found.get('StatusMessage', '')}",
            f"the resolver rule {rule_id} must be a COMPLETE FORWARD rule",
        )
    name = dns(found.get("DomainName", ""))
    if domain is not None and name != dns(domain):
        return w.drifted(
            link, rule_id, f"forwards {name}, not {dns(domain)}", f"the rule {rule_id} must forward {domain}"
        )
    targets = {t.get("Ip") for t in found.get("TargetIps") or []}
    if inbound_ips and not targets <= inbound_ips:
        return w.drifted(
            link,
            rule_id,
            f"forwards to {', '.join(sorted(str(t) for t in targets))}, not to the inbound endpoint",
            f"the rule {rule_id} must forward to {', '.join(sorted(inbound_ips))}",
        )
    return w.ok(link, rule_id, f"FORWARD {name} -> {', '.join(sorted(str(t) for t in targets))}")


def access_zone(w: Where, key: str, zone_id: str, access_vpc: str, found: Fact) -> Link:
    link = f"access VPC zone association {key}"
    if problem := unreadable(found):
        return w.unchecked(link, zone_id, str(problem))
    if found is None:
        return w.drifted(link, zone_id, "no such hosted zone", f"the {key} hosted zone {zone_id} is gone")
    name = dns(found.get("HostedZone", {}).get("Name", ""))
    if access_vpc not in {v.get("VPCId") for v in found.get("VPCs") or []}:
        return w.drifted(
            link,
            f"{zone_id} ({name})",
            f"not associated with the access VPC {access_vpc}: the presigned-URL function resolves {name} publicly",
            f"the hosted zone {zone_id} ({name}) must be associated with the access VPC {access_vpc}",
        )
    return w.ok(link, f"{zone_id} ({name})", f"associated with {access_vpc}")


# --------------------------------------------------------------------------- the API and its functions


def api(w: Where, api_id: str, found: Fact) -> Link:
    link = "private API"
    if problem := unreadable(found):
        return w.unchecked(link, api_id, str(problem))
    if found is None:
        return w.drifted(link, api_id, "no such REST API", f"the REST API {api_id} is gone")
    types = (found.get("endpointConfiguration") or {}).get("types") or []
    if types != ["PRIVATE"]:
        return w.drifted(
            link, api_id, f"endpoint type {', '.join(types) or 'none'}", "the API's endpoint type is PRIVATE"
        )
    return w.ok(link, api_id, "PRIVATE")


def stage(w: Where, api_id: str, name: str, found: Fact, deployment: Fact) -> Link:
    link = "API stage"
    resource = f"{api_id}/{name}"
    if problem := unreadable(found, deployment):
        return w.unchecked(link, resource, str(problem))
    if found is None:
        return w.drifted(link, resource, "no such stage", f"the stage {name} of API {api_id} is gone")
    if deployment is None:
        return w.drifted(
            link,
            resource,
            f"its deployment {found.get('deploymentId')} does not exist",
            f"the stage {name} has no deployment",
        )
    return w.ok(link, resource, f"deployed ({found.get('deploymentId')})")


def authorizer(w: Where, api_id: str, expected: Authorizer | None, found: Fact, methods: Fact) -> Link:
    link = "API authorizer"
    if problem := unreadable(found, methods):
        return w.unchecked(link, api_id, str(problem))
    if expected is None:
        return w.ok(link, api_id, "the plan has no authorizer")
    matching = [
        a for a in found if a.get("type") == expected.type and a.get("identitySource") == expected.identity_source
    ]
    if not matching:
        shown = ", ".join(f"{a.get('type')} on {a.get('identitySource')}" for a in found) or "none"
        return w.drifted(
            link,
            api_id,
            f"no {expected.type} authorizer on {expected.identity_source} (found: {shown})",
            f"the API {api_id} lacks its {expected.type} authorizer",
        )
    ids = {a.get("id") for a in matching}
    open_methods = [
        f"{m.get('httpMethod')} {m.get('path')}"
        for m in methods
        if m.get("type") == "AWS_PROXY" and (m.get("authorizationType") != "CUSTOM" or m.get("authorizerId") not in ids)
    ]
    if open_methods:
        return w.drifted(
            link,
            api_id,
            f"{', '.join(open_methods)} not behind the authorizer",
            f"every method of API {api_id} must use the authorizer {', '.join(sorted(map(str, ids)))}",
        )
    return w.ok(link, str(matching[0].get("id")), f"{expected.type} on {expected.identity_source}")


def function_arn(uri: str) -> str | None:
    """arn:aws:apigateway:<region>:lambda:path/2015-03-31/functions/<function ARN>/invocations -> the ARN."""
    if "/functions/" not in uri:
        return None
    return uri.split("/functions/", 1)[1].removesuffix("/invocations")


def function(
    w: Where,
    kind: str,
    arn: str | None,
    found: Fact,
    environment: Mapping[str, str | None] | None,
    role_arn: str | None = None,
) -> Link:
    """environment: what the plan expects (None: not planned); role_arn: the role it must run as."""
    link = f"function {kind}"
    if arn is None:
        return w.drifted(link, "?", "the API does not invoke it", f"the API's integration with the {kind} function")
    if problem := unreadable(found):
        return w.unchecked(link, arn, str(problem))
    if found is None:
        return w.drifted(link, arn, "no such function", f"the {kind} function {arn} is gone")
    state, update = found.get("State", "Active"), found.get("LastUpdateStatus", "Successful")
    name = str(found.get("FunctionName", arn))
    if state == "Inactive":
        return w.broken(
            link,
            name,
            "Inactive (idle for weeks): the first request fails while Lambda reactivates it",
            "nothing to repair: the next invocation reactivates it; run the doctor again a few minutes after",
        )
    if state != "Active" or update not in ("Successful", None):
        reason = found.get("StateReason") or found.get("LastUpdateStatusReason") or ""
        return w.drifted(
            link,
            name,
            f"state {state}, last update {update}: {reason}".rstrip(": "),
            f"the {kind} function {name} is {state} ({reason or update})",
        )
    if role_arn and found.get("Role") != role_arn:
        return w.drifted(
            link, name, f"runs as {found.get('Role')}, not {role_arn}", f"the {kind} function must run as {role_arn}"
        )
    if environment is not None:
        have = (found.get("Environment") or {}).get("Variables") or {}
        wrong = environment_differences(environment, have)
        if wrong:
            return w.drifted(
                link,
                name,
                f"environment differs from the plan: {'; '.join(wrong)}",
                f"the {kind} function {name}'s environment",
            )
    variables = environment or {}
    unknown = sorted(k for k, v in variables.items() if v is None)
    return w.ok(
        link,
        name,
        f"Active, environment as planned ({len(variables)} variables"
        + (f"; {', '.join(unknown)} generated: set, not compared)" if unknown else ")"),
    )


def environment_differences(expected: Mapping[str, str | None], have: Mapping[str, str]) -> list[str]:
    """expected: {variable: value}, None for "set, value not compared"."""
    wrong = [
        f"{k} unset" + (f" (want {v!r})" if v is not None else "") for k, v in sorted(expected.items()) if k not in have
    ]
    wrong += [
        f"{k}={have[k]!r} (want {v!r})"
        for k, v in sorted(expected.items())
        if k in have and v is not None and have[k] != v
    ]
    wrong += [f"{k} set but not planned" for k in sorted(set(have) - set(expected))]
    return wrong


# --------------------------------------------------------------------------- people


def cognito_user(w: Where, pool_id: str, username: str, found: Fact) -> Link:
    link = f"user {username}"
    resource = f"{pool_id}/{username}"
    if problem := unreadable(found):
        return w.unchecked(link, resource, str(problem))
    if found is None:
        return w.drifted(
            link,
            resource,
            "not in the user pool",
            f"the user {username} is gone from pool {pool_id} (recreated, they get a new temporary password)",
        )
    if found.get("Enabled") is False:
        return w.broken(
            link,
            resource,
            "disabled",
            f"in account {w.account}: if not cut off on purpose, aws cognito-idp admin-enable-user "
            f"--user-pool-id {pool_id} --username {username}; if on purpose, remove them from the stack's users",
        )
    return w.ok(link, resource, f"enabled, {found.get('UserStatus', '?')}")


def table_item(w: Where, table: str, expected: Item, found: Fact) -> Link:
    kind = "user" if expected.table == out.USERS_TABLE else "LOB"
    link = f"{kind} item {expected.key}"
    resource = f"{table}/{expected.key}"
    if problem := unreadable(found):
        return w.unchecked(link, resource, str(problem))
    if found is None:
        return w.broken(
            link,
            resource,
            f"no item {expected.key} in table {table}",
            w.redeploy(f"the item {expected.key} is gone from table {table}")
            + (
                "; if the person was cut off on purpose, remove them from the shared stack's users instead"
                if kind == "user"
                else ""
            ),
        )
    have = {name: value.get("S") for name, value in found.items() if isinstance(value, dict)}
    wrong = [f"{k}={have.get(k)!r} (want {v!r})" for k, v in sorted(expected.attributes.items()) if have.get(k) != v]
    if wrong:
        return w.drifted(
            link,
            resource,
            f"differs from the config: {'; '.join(wrong)}",
            f"the item {expected.key} of table {table} was edited",
        )
    return w.ok(link, resource, "present, as configured")
