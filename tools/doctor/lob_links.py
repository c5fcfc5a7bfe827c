"""A LOB stack's links, judged from facts: pure functions, AWS response shapes in, `Link` out."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import unquote

from .links import Link, Where, redeploy
from .shared_links import Fact, unreadable


def invitation(w: Where, share_arn: str, invitations: Fact, shared: Where) -> Link:
    """shared: where the share is (to re-invite)."""
    link = "RAM invitation"
    if problem := unreadable(invitations):
        return w.unchecked(link, share_arn, str(problem))
    if not invitations:
        return w.broken(
            link,
            share_arn,
            "no invitation to the share (lob.acceptRamShare is true: the account is outside the organization)",
            redeploy(
                shared.account,
                shared.stack,
                shared.fqn,
                f"the share must invite account {w.account} (ram.allowExternalPrincipals: true and the LOB in lobs)",
            ),
            account=shared.account,
        )
    latest = max(invitations, key=lambda i: str(i.get("invitationTimestamp", "")))
    status, arn = latest.get("status"), latest.get("resourceShareInvitationArn", "?")
    if status == "ACCEPTED":
        return w.ok(link, share_arn, "accepted")
    if status == "PENDING":
        return w.broken(
            link,
            share_arn,
            "pending: the Transit Gateway and the resolver rules are not visible in this account",
            f"in account {w.account}: aws ram accept-resource-share-invitation --resource-share-invitation-arn {arn} "
            f'(or pulumi refresh --yes --stack {w.fqn}, then make deploy ARGS="up --stack {w.stack}")',
        )
    return w.broken(
        link,
        share_arn,
        f"invitation {status}",
        redeploy(shared.account, shared.stack, shared.fqn, f"the share must invite account {w.account} again")
        + f'; then in account {w.account}: make deploy ARGS="up --stack {w.stack}" accepts it',
        account=shared.account,
    )


def attachment(
    w: Where,
    tgw_id: str,
    vpc_id: str,
    found: Fact,
    route_table: str | None,
    shared: Where,
    *,
    table_name: str | None = None,
    link: str = "transit gateway attachment",
) -> Link:
    """found: the attachment as the TGW's owner sees it; route_table: the id of the table it must be
    associated with (None: not checked), table_name: that table's Name tag when the plan names one."""
    resource = f"{vpc_id} to {tgw_id}"
    if problem := unreadable(found):
        return w.unchecked(link, resource, str(problem))
    if table_name and route_table is None:
        return w.broken(
            link,
            resource,
            f"the Transit Gateway has no route table {table_name!r}",
            redeploy(shared.account, shared.stack, shared.fqn, f"the route table {table_name!r} of {tgw_id} is gone"),
            account=shared.account,
        )
    if found is None:
        return w.broken(
            link,
            resource,
            "the VPC is not attached to the Transit Gateway",
            w.redeploy(f"the attachment of {vpc_id} to {tgw_id} is gone")
            + " (outside the organization, accept the RAM invitation first)",
        )
    attachment_id, state = str(found.get("TransitGatewayAttachmentId", "?")), found.get("State")
    if state == "pendingAcceptance":
        return w.broken(
            link,
            attachment_id,
            "pending acceptance by the Transit Gateway's owner",
            f"in account {shared.account}: aws ec2 accept-transit-gateway-vpc-attachment "
            f"--transit-gateway-attachment-id {attachment_id} (the hub's TGW auto-accepts; was it changed?)",
            account=shared.account,
        )
    if state != "available":
        return w.drifted(link, attachment_id, f"state {state}", f"the attachment {attachment_id} is {state}")
    association = found.get("Association") or {}
    associated = association.get("TransitGatewayRouteTableId") if association.get("State") == "associated" else None
    if route_table and associated != route_table:
        return w.broken(
            link,
            attachment_id,
            f"associated with {associated or 'no route table'}, not {route_table}"
            + (f" ({table_name})" if table_name else ""),
            f"in account {shared.account}: aws ec2 associate-transit-gateway-route-table "
            f"--transit-gateway-route-table-id {route_table} --transit-gateway-attachment-id {attachment_id}"
            + (" (disassociate it from the other first)" if associated else ""),
            account=shared.account,
        )
    return w.ok(
        link, attachment_id, f"available, in route table {associated}" + (f" ({table_name})" if table_name else "")
    )


def rule_association(w: Where, key: str, rule_id: str, vpc_id: str, associations: Fact) -> Link:
    link = f"resolver rule association {key}"
    resource = f"{rule_id} in {vpc_id}"
    if problem := unreadable(associations):
        return w.unchecked(link, resource, str(problem))
    found = [a for a in associations if a.get("ResolverRuleId") == rule_id]
    if not found:
        return w.broken(
            link,
            resource,
            f"the VPC does not follow the {key} rule: its name resolves to the public service",
            w.redeploy(f"the association of rule {rule_id} ({key}) with {vpc_id} is gone")
            + " (if the rule is not visible in this account, the RAM share comes first)",
        )
    status = found[0].get("Status")
    if status != "COMPLETE":
        return w.broken(
            link,
            str(found[0].get("Id", resource)),
            f"status {status}: {found[0].get('StatusMessage', '')}".rstrip(": "),
            "wait a minute and run the doctor again"
            if status == "CREATING"
            else w.redeploy(f"the association of rule {rule_id} with {vpc_id} is {status}"),
        )
    return w.ok(link, str(found[0].get("Id", resource)), "COMPLETE")


def domain(
    w: Where,
    domain_id: str,
    found: Fact,
    vpc_id: str,
    network_access: str,
    subnets: Fact,
    subnet_cidrs: frozenset[str],
) -> Link:
    """subnets: the domain's subnets (DescribeSubnets); subnet_cidrs: the CIDRs the plan gives them."""
    link = "Studio domain"
    if problem := unreadable(found, subnets):
        return w.unchecked(link, domain_id, str(problem))
    if found is None:
        return w.drifted(link, domain_id, "no such domain", f"the domain {domain_id} is gone")
    status = found.get("Status")
    if status != "InService":
        reason = found.get("FailureReason") or ""
        detail = f"status {status}" + (f": {reason}" if reason else "")
        if status in ("Pending", "Updating"):
            fix = "wait a few minutes and run the doctor again"
        elif status == "Deleting":
            fix = w.redeploy(f"the domain {domain_id} is being deleted")
        else:
            fix = (
                f"in account {w.account}: the domain {domain_id} is {status}"
                + (f" ({reason})" if reason else "")
                + f'; fix the cause, then pulumi refresh --yes --stack {w.fqn} and make deploy ARGS="up --stack {w.stack}"'
            )
        return w.broken(link, domain_id, detail, fix)
    if network_access and found.get("AppNetworkAccessType") != network_access:
        return w.drifted(
            link,
            domain_id,
            f"{found.get('AppNetworkAccessType')}, not {network_access}: Studio traffic leaves the VPC",
            f"the domain {domain_id} must be {network_access}",
        )
    if found.get("VpcId") != vpc_id:
        return w.drifted(link, domain_id, f"in {found.get('VpcId')}, not {vpc_id}", f"the domain must be in {vpc_id}")
    have = {str(s.get("CidrBlock")) for s in subnets}
    if subnet_cidrs and have != set(subnet_cidrs):
        return w.drifted(
            link,
            domain_id,
            f"subnets {', '.join(sorted(have)) or 'none'}, the plan says {', '.join(sorted(subnet_cidrs))}",
            f"the domain {domain_id}'s subnets",
        )
    return w.ok(link, domain_id, f"InService, {found.get('AppNetworkAccessType')}, subnets {', '.join(sorted(have))}")


def user_profile(w: Where, domain_id: str, name: str, found: Fact) -> Link:
    link = f"user profile {name}"
    resource = f"{domain_id}/{name}"
    if problem := unreadable(found):
        return w.unchecked(link, resource, str(problem))
    if found is None:
        return w.drifted(link, resource, "no such profile", f"the profile {name} of {domain_id} is gone")
    status = found.get("Status", "InService")
    if status != "InService":
        reason = found.get("FailureReason") or ""
        return w.broken(
            link,
            resource,
            f"status {status}" + (f": {reason}" if reason else ""),
            "wait a few minutes and run the doctor again"
            if status in ("Pending", "Updating")
            else w.redeploy(f"the profile {name} is {status}"),
        )
    return w.ok(link, resource, "InService")


def trust_document(role: Mapping[str, Any]) -> dict[str, Any]:
    document = role.get("AssumeRolePolicyDocument") or {}
    if isinstance(document, str):
        document = json.loads(unquote(document))
    return dict(document)


def _listed(value: Any) -> list[str]:
    if value is None:
        return []
    return [str(v) for v in value] if isinstance(value, list | tuple) else [str(value)]


def trusted(document: Mapping[str, Any]) -> dict[str, set[str]]:
    """{principal: the actions it is allowed} from a trust policy's Allow statements."""
    grants: dict[str, set[str]] = {}
    for statement in _listed_statements(document):
        if statement.get("Effect") != "Allow":
            continue
        principal = statement.get("Principal")
        names = ["*"] if principal == "*" else [p for v in (principal or {}).values() for p in _listed(v)]
        for name in names:
            grants.setdefault(name, set()).update(_listed(statement.get("Action")))
    return grants


def _listed_statements(document: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    statements = document.get("Statement") or []
    return [statements] if isinstance(statements, Mapping) else list(statements)


def trust(w: Where, role_name: str, found: Fact, function_role: str, actions: frozenset[str]) -> Link:
    link = "access role trust"
    if problem := unreadable(found):
        return w.unchecked(link, role_name, str(problem))
    if found is None:
        return w.drifted(link, role_name, "no such role", f"the access role {role_name} is gone")
    arn = str(found.get("Arn", role_name))
    grants = trusted(trust_document(found))
    wanted = actions or frozenset({"sts:AssumeRole"})
    others = sorted(p for p in grants if p != function_role)
    if function_role not in grants or not wanted <= grants[function_role]:
        shown = ", ".join(sorted(grants)) or "nobody"
        return w.drifted(
            link,
            arn,
            f"trusts {shown}, not the presigned-URL function's role {function_role} ({', '.join(sorted(wanted))})",
            f"the trust policy of {role_name} must name {function_role}",
        )
    if others:
        return w.drifted(
            link,
            arn,
            f"also trusts {', '.join(others)}",
            f"the trust policy of {role_name} must name only {function_role}",
        )
    return w.ok(link, arn, f"trusts only {function_role} ({', '.join(sorted(grants[function_role]))})")


def allowed(result: Fact) -> bool:
    return isinstance(result, Mapping) and result.get("EvalDecision") == "allowed"


def assumable(w: Where, function_role: str, role_arn: str, result: Fact, shared: Where) -> Link:
    """The function role's own policy (simulated in the shared account) allows assuming the access role."""
    link = "function role may assume the access role"
    if problem := unreadable(result):
        return w.unchecked(link, role_arn, str(problem), account=shared.account)
    if not allowed(result):
        return w.broken(
            link,
            function_role,
            f"IAM says {result.get('EvalDecision')} for sts:AssumeRole on {role_arn}",
            redeploy(
                shared.account,
                shared.stack,
                shared.fqn,
                f"the policy of {function_role} must allow sts:AssumeRole on {role_arn} (is the LOB in the shared stack's lobs?)",
            ),
            account=shared.account,
        )
    return w.ok(link, function_role, f"sts:AssumeRole on {role_arn}: allowed", account=shared.account)


def presign(w: Where, role_arn: str, profile_arn: str, through: Mapping[str, tuple[str, Fact]], without: Fact) -> Link:
    """through: {endpoint label: (vpce id, simulation with aws:sourceVpce = it)}; without: no aws:sourceVpce."""
    link = "access role presigns only through the central endpoints"
    if problem := unreadable(without, *(fact for _, fact in through.values())):
        return w.unchecked(link, role_arn, str(problem))
    if allowed(without):
        return w.drifted(
            link,
            role_arn,
            "CreatePresignedDomainUrl is allowed without aws:sourceVpce: a URL would open from anywhere",
            f"the policy of {role_arn} must hold the aws:sourceVpce condition on the central endpoints",
        )
    denied = [f"{label} ({vpce})" for label, (vpce, fact) in through.items() if not allowed(fact)]
    if denied:
        return w.drifted(
            link,
            role_arn,
            f"CreatePresignedDomainUrl on {profile_arn} is denied through {', '.join(denied)}",
            f"the policy of {role_arn} must allow the central endpoints {', '.join(denied)}",
        )
    shown = ", ".join(f"{label} ({vpce})" for label, (vpce, _) in through.items())
    return w.ok(link, role_arn, f"allowed through {shown}, denied without aws:sourceVpce")
