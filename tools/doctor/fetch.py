"""The AWS reads: one function per fact, each a Describe/Get/List/Simulate call in one account.

Every function returns the fact as AWS shapes it (a dict or a list of dicts), `None` when the
resource does not exist, and raises `Unreadable` when it cannot tell (access denied, throttled,
no credentials): the judges (`shared_links`, `lob_links`) turn the facts into links.
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from typing import Any

from botocore import xform_name
from botocore.exceptions import BotoCoreError, ClientError

from .accounts import Account
from .links import Unreadable

# Error codes that mean "there is no such resource" (a fact), not "cannot tell".
_ABSENT_SUFFIXES = ("NotFound", "NotFoundException", "NotFoundFault")
_ABSENT = {
    "NoSuchEntity",
    "NoSuchHostedZone",
    "ResourceNotFound",
    "ResourceNotFoundException",
    "UnknownResourceException",
}


def absent(error: ClientError) -> bool:
    code = str(error.response.get("Error", {}).get("Code", ""))
    return code in _ABSENT or code.endswith(_ABSENT_SUFFIXES)


def call(account: Account, service: str, operation: str, **params: Any) -> dict[str, Any] | None:
    """One read; None when the resource is absent."""
    client = account.client(service)
    try:
        result: dict[str, Any] = getattr(client, xform_name(operation))(**params)
    except ClientError as exc:
        if absent(exc):
            return None
        error = exc.response.get("Error", {})
        raise Unreadable(f"{service}:{operation} in account {account.account_id}: {error.get('Code')}") from exc
    except BotoCoreError as exc:
        raise Unreadable(f"{service}:{operation} in account {account.account_id}: {exc}") from exc
    return result


def pages(account: Account, service: str, operation: str, key: str, **params: Any) -> Iterator[dict[str, Any]]:
    """Every item under `key` of a paginated read (an absent parent: no items)."""
    client = account.client(service)
    try:
        if client.can_paginate(xform_name(operation)):
            for page in client.get_paginator(xform_name(operation)).paginate(**params):
                yield from page.get(key, [])
        else:
            yield from (call(account, service, operation, **params) or {}).get(key, [])
    except ClientError as exc:
        if absent(exc):
            return
        error = exc.response.get("Error", {})
        raise Unreadable(f"{service}:{operation} in account {account.account_id}: {error.get('Code')}") from exc
    except BotoCoreError as exc:
        raise Unreadable(f"{service}:{operation} in account {account.account_id}: {exc}") from exc


def need(outputs: Mapping[str, Any], key: str, stack: str) -> Any:
    """A stack output the check needs; its absence is a reason not to check."""
    value = outputs.get(key)
    if value in (None, "", [], {}):
        raise Unreadable(f"stack {stack} has no output {key} (deployed by an older program? run make deploy)")
    if value == "[secret]":
        raise Unreadable(f"stack {stack}'s output {key} is a secret")
    return value


# --------------------------------------------------------------------------- the shared account


def transit_gateway(account: Account, tgw_id: str) -> dict[str, Any] | None:
    found = call(account, "ec2", "DescribeTransitGateways", TransitGatewayIds=[tgw_id]) or {}
    return next((t for t in found.get("TransitGateways", []) if t.get("TransitGatewayId") == tgw_id), None)


def resource_share(account: Account, share_arn: str) -> dict[str, Any] | None:
    shares = pages(
        account, "ram", "GetResourceShares", "resourceShares", resourceOwner="SELF", resourceShareArns=[share_arn]
    )
    return next((s for s in shares if s.get("resourceShareArn") == share_arn), None)


def share_associations(account: Account, share_arn: str, kind: str) -> list[dict[str, Any]]:
    """kind: PRINCIPAL or RESOURCE."""
    return [
        a
        for a in pages(
            account,
            "ram",
            "GetResourceShareAssociations",
            "resourceShareAssociations",
            associationType=kind,
            resourceShareArns=[share_arn],
        )
        if a.get("resourceShareArn") == share_arn
    ]


def vpc_endpoint(account: Account, endpoint_id: str) -> dict[str, Any] | None:
    found = call(account, "ec2", "DescribeVpcEndpoints", VpcEndpointIds=[endpoint_id]) or {}
    return next((e for e in found.get("VpcEndpoints", []) if e.get("VpcEndpointId") == endpoint_id), None)


def hosted_zone(account: Account, zone_id: str) -> dict[str, Any] | None:
    """{"HostedZone": ..., "VPCs": [...]}."""
    return call(account, "route53", "GetHostedZone", Id=zone_id)


def record_sets(account: Account, zone_id: str) -> list[dict[str, Any]]:
    return list(pages(account, "route53", "ListResourceRecordSets", "ResourceRecordSets", HostedZoneId=zone_id))


def resolver_rule(account: Account, rule_id: str) -> dict[str, Any] | None:
    found = call(account, "route53resolver", "GetResolverRule", ResolverRuleId=rule_id)
    return found.get("ResolverRule") if found else None


def resolver_endpoints(account: Account) -> list[dict[str, Any]]:
    return list(pages(account, "route53resolver", "ListResolverEndpoints", "ResolverEndpoints"))


def resolver_endpoint_ips(account: Account, endpoint_id: str) -> list[str]:
    return [
        a["Ip"]
        for a in pages(
            account, "route53resolver", "ListResolverEndpointIpAddresses", "IpAddresses", ResolverEndpointId=endpoint_id
        )
        if "Ip" in a
    ]


def rest_api(account: Account, api_id: str) -> dict[str, Any] | None:
    return call(account, "apigateway", "GetRestApi", restApiId=api_id)


def stage(account: Account, api_id: str, name: str) -> dict[str, Any] | None:
    return call(account, "apigateway", "GetStage", restApiId=api_id, stageName=name)


def deployment(account: Account, api_id: str, deployment_id: str) -> dict[str, Any] | None:
    return call(account, "apigateway", "GetDeployment", restApiId=api_id, deploymentId=deployment_id)


def authorizers(account: Account, api_id: str) -> list[dict[str, Any]]:
    return list(pages(account, "apigateway", "GetAuthorizers", "items", restApiId=api_id))


def integrations(account: Account, api_id: str) -> list[dict[str, Any]]:
    """Every method's integration, each with the method's `path`, `httpMethod` and `authorizerId`."""
    found = []
    for resource in pages(account, "apigateway", "GetResources", "items", restApiId=api_id):
        for method in resource.get("resourceMethods") or {}:
            got = call(
                account, "apigateway", "GetMethod", restApiId=api_id, resourceId=resource["id"], httpMethod=method
            )
            integration = (got or {}).get("methodIntegration") or call(
                account, "apigateway", "GetIntegration", restApiId=api_id, resourceId=resource["id"], httpMethod=method
            )
            found.append(
                {
                    **(integration or {}),
                    "path": resource.get("path", ""),
                    "httpMethod": method,
                    "authorizationType": (got or {}).get("authorizationType"),
                    "authorizerId": (got or {}).get("authorizerId"),
                }
            )
    return found


def function(account: Account, name_or_arn: str) -> dict[str, Any] | None:
    return call(account, "lambda", "GetFunctionConfiguration", FunctionName=name_or_arn)


def cognito_user(account: Account, pool_id: str, username: str) -> dict[str, Any] | None:
    """The user (ListUsers with a filter: AdminGetUser is not a read by its name, nor needed)."""
    quoted = username.replace("\\", "\\\\").replace('"', '\\"')
    users = pages(account, "cognito-idp", "ListUsers", "Users", UserPoolId=pool_id, Filter=f'username = "{quoted}"')
    return next((u for u in users if u.get("Username") == username), None)


def table_item(account: Account, table: str, key_name: str, key: str) -> dict[str, Any] | None:
    found = call(account, "dynamodb", "GetItem", TableName=table, Key={key_name: {"S": key}}, ConsistentRead=True)
    item: dict[str, Any] | None = (found or {}).get("Item")
    return item


def attachment(account: Account, tgw_id: str, vpc_id: str) -> dict[str, Any] | None:
    """The VPC's attachment to the TGW, as the TGW's owner sees it (state, route table association)."""
    found = list(
        pages(
            account,
            "ec2",
            "DescribeTransitGatewayAttachments",
            "TransitGatewayAttachments",
            Filters=[
                {"Name": "transit-gateway-id", "Values": [tgw_id]},
                {"Name": "resource-id", "Values": [vpc_id]},
            ],
        )
    )
    live = [a for a in found if a.get("State") not in ("deleted", "deleting")]
    return (live or found)[0] if found else None


def route_tables(account: Account, tgw_id: str) -> list[dict[str, Any]]:
    return list(
        pages(
            account,
            "ec2",
            "DescribeTransitGatewayRouteTables",
            "TransitGatewayRouteTables",
            Filters=[{"Name": "transit-gateway-id", "Values": [tgw_id]}],
        )
    )


def simulate(
    account: Account, principal_arn: str, action: str, resource: str, context: Mapping[str, str] | None = None
) -> dict[str, Any]:
    """IAM's decision for `principal_arn`'s policies: {"EvalDecision": "allowed" | ..., ...}."""
    entries = [
        {"ContextKeyName": key, "ContextKeyValues": [value], "ContextKeyType": "string"}
        for key, value in (context or {}).items()
    ]
    found = call(
        account,
        "iam",
        "SimulatePrincipalPolicy",
        PolicySourceArn=principal_arn,
        ActionNames=[action],
        ResourceArns=[resource],
        ContextEntries=entries,
    )
    if found is None:
        raise Unreadable(f"IAM cannot simulate {principal_arn}: no such principal")
    results = found.get("EvaluationResults") or [{}]
    result: dict[str, Any] = results[0]
    return result


# --------------------------------------------------------------------------- a LOB account


def share_invitations(account: Account, share_arn: str) -> list[dict[str, Any]]:
    return [
        i
        for i in pages(
            account,
            "ram",
            "GetResourceShareInvitations",
            "resourceShareInvitations",
            resourceShareArns=[share_arn],
        )
        if i.get("resourceShareArn") == share_arn
    ]


def rule_associations(account: Account, vpc_id: str) -> list[dict[str, Any]]:
    return [
        a
        for a in pages(
            account,
            "route53resolver",
            "ListResolverRuleAssociations",
            "ResolverRuleAssociations",
            Filters=[{"Name": "VPCId", "Values": [vpc_id]}],
        )
        if a.get("VPCId") == vpc_id
    ]


def domain(account: Account, domain_id: str) -> dict[str, Any] | None:
    return call(account, "sagemaker", "DescribeDomain", DomainId=domain_id)


def subnets(account: Account, subnet_ids: list[str]) -> list[dict[str, Any]]:
    if not subnet_ids:
        return []
    return list(
        pages(account, "ec2", "DescribeSubnets", "Subnets", Filters=[{"Name": "subnet-id", "Values": subnet_ids}])
    )


def user_profile(account: Account, domain_id: str, name: str) -> dict[str, Any] | None:
    return call(account, "sagemaker", "DescribeUserProfile", DomainId=domain_id, UserProfileName=name)


def role(account: Account, name: str) -> dict[str, Any] | None:
    found = call(account, "iam", "GetRole", RoleName=name)
    return found.get("Role") if found else None
