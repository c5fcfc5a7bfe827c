"""Not tests: a deployed studio-access, built in moto (server mode) from the offline plan.

`build` creates, with boto3 in each account, what the plan of the test project says the stacks
deploy (the names, items, environments, trust and role policies come from the plan's resources,
with the plan's mock ids replaced by moto's), and returns the stacks' outputs as `pulumi stack
output --json` would give them.

What moto cannot hold is kept here, and answered by `fakes.Fakes` for the one call that reads it:
- RAM invitations (moto has no GetResourceShareInvitations): `invitations`;
- an association of a resolver rule with a VPC of another account (moto's AssociateResolverRule
  finds only the caller's own rules): `rule_associations`, read by ListResolverRuleAssociations;
- SageMaker user profiles (moto has none): `profiles`, read by DescribeUserProfile.
Two things are built differently from AWS, no call faked: a LOB's Transit Gateway attachment is
created by the TGW's own account (moto has no RAM-shared TGW; the doctor reads attachments from
the TGW's owner anyway), and a domain's status is planted in moto's backend (moto has no API
that changes it).
"""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import boto3

from components import outputs as out
from contracts import tags
from tools.doctor.expect import GENERATED, Translation

REGION = "us-east-1"
ADMIN_ROLE = "world-admin"
DOCTOR_ROLE = "studio-access-doctor"


def session_in(endpoint: str, account: str) -> Any:
    """An admin session in `account` (moto maps assumed-role credentials to the role's account)."""
    base = boto3.session.Session(aws_access_key_id="AKIAWORLD", aws_secret_access_key="world", region_name=REGION)
    creds = base.client("sts", endpoint_url=endpoint).assume_role(
        RoleArn=f"arn:aws:iam::{account}:role/{ADMIN_ROLE}", RoleSessionName="world"
    )["Credentials"]
    return boto3.session.Session(
        aws_access_key_id=creds["AccessKeyId"],
        aws_secret_access_key=creds["SecretAccessKey"],
        aws_session_token=creds["SessionToken"],
        region_name=REGION,
    )


@dataclass
class World:
    endpoint: str
    plans: Mapping[str, Mapping[str, Any]]
    accounts: dict[str, str]  # stack -> account
    sessions: dict[str, Any] = field(default_factory=dict)  # account -> admin session (made before any hook)
    clients: dict[tuple[str, str], Any] = field(default_factory=dict)
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    invitations: dict[tuple[str, str], str] = field(default_factory=dict)  # (account, share ARN) -> status
    rule_associations: dict[tuple[str, str], dict[str, str]] = field(
        default_factory=dict
    )  # (account, vpc) -> {rule: status}
    profiles: dict[tuple[str, str], dict[str, str]] = field(default_factory=dict)  # (account, domain) -> {name: status}

    def client(self, stack_or_account: str, service: str) -> Any:
        account = self.accounts.get(stack_or_account, stack_or_account)
        if account not in self.sessions:
            self.sessions[account] = session_in(self.endpoint, account)
        if (account, service) not in self.clients:
            self.clients[(account, service)] = self.sessions[account].client(service, endpoint_url=self.endpoint)
        return self.clients[(account, service)]

    def translation(self) -> Translation:
        return Translation.between({s: p["outputs"] for s, p in self.plans.items()}, self.outputs)

    def translated(self, value: Any) -> Any:
        """A planned value in moto's ids; a mock id left in it is a bug of this builder."""
        result = self.translation()(value)
        text = json.dumps(result)
        for stack, plan in self.plans.items():
            for key in GENERATED:
                planned = plan["outputs"].get(key)
                for mock in planned.values() if isinstance(planned, dict) else [planned]:
                    if isinstance(mock, str) and len(mock) >= 6 and stack in self.outputs:
                        assert mock not in text, f"{mock} ({stack} {key}) left in {text[:200]}"
        return result


def resources(plan: Mapping[str, Any], type_: str) -> list[dict[str, Any]]:
    return [r for r in plan["resources"] if r["type"] == type_]


def _zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as z:
        z.writestr("app.py", "def handler(event, context):\n    return {}\n")
    return buffer.getvalue()


def build(endpoint: str, plans: Mapping[str, Mapping[str, Any]], accounts: dict[str, str]) -> World:
    world = World(endpoint, plans, accounts)
    for account in sorted(set(accounts.values())):
        world.client(account, "sts")  # every admin session before any hook
    _shared(world, "shared")
    for stack in sorted(s for s in plans if s != "shared"):
        _lob(world, stack, "shared")
    return world


# --------------------------------------------------------------------------- the shared stack


def _vpc(ec2: Any, cidr: str, subnets: list[tuple[str, str]]) -> tuple[str, list[str]]:
    vpc = ec2.create_vpc(CidrBlock=cidr)["Vpc"]["VpcId"]
    ids = [ec2.create_subnet(VpcId=vpc, CidrBlock=c, AvailabilityZone=az)["Subnet"]["SubnetId"] for c, az in subnets]
    return vpc, ids


def _subnet_layout(plan: Mapping[str, Any], vpc_mock: str) -> list[tuple[str, str, str]]:
    """(name, cidr, az) of the planned subnets of a planned VPC."""
    return [
        (r["name"], r["inputs"]["cidrBlock"], r["inputs"]["availabilityZone"])
        for r in resources(plan, "aws:ec2/subnet:Subnet")
        if r["inputs"]["vpcId"] == vpc_mock
    ]


def _shared(world: World, stack: str) -> None:
    plan, account = world.plans[stack], world.accounts[stack]
    planned = plan["outputs"]
    c = lambda service: world.client(account, service)  # noqa: E731
    ec2 = c("ec2")

    tgw_inputs = resources(plan, "aws:ec2transitgateway/transitGateway:TransitGateway")[0]["inputs"]
    tgw = ec2.create_transit_gateway(
        Description=tgw_inputs["description"],
        Options={
            "AmazonSideAsn": int(tgw_inputs["amazonSideAsn"]),
            "AutoAcceptSharedAttachments": tgw_inputs["autoAcceptSharedAttachments"],
            "DefaultRouteTableAssociation": tgw_inputs["defaultRouteTableAssociation"],
            "DefaultRouteTablePropagation": tgw_inputs["defaultRouteTablePropagation"],
            "DnsSupport": tgw_inputs["dnsSupport"],
        },
    )["TransitGateway"]

    # the API first: its id names the execute-api zone
    api = c("apigateway").create_rest_api(name="access-api", endpointConfiguration={"types": ["PRIVATE"]})
    stage_name = resources(plan, "aws:apigateway/stage:Stage")[0]["inputs"]["stageName"]
    world.outputs[stack] = {
        out.API_ID: api["id"],
        out.API_URL: f"https://{api['id']}.execute-api.{REGION}.amazonaws.com/{stage_name}",
    }

    layouts = {key: _subnet_layout(plan, planned[key]) for key in (out.CENTRAL_VPC_ID, out.ACCESS_VPC_ID)}
    vpc_cidrs = {r["id"]: r["inputs"]["cidrBlock"] for r in resources(plan, "aws:ec2/vpc:Vpc")}
    central, central_subnets = _vpc(
        ec2, vpc_cidrs[planned[out.CENTRAL_VPC_ID]], [(c_, az) for _, c_, az in layouts[out.CENTRAL_VPC_ID]]
    )
    access, _ = _vpc(ec2, vpc_cidrs[planned[out.ACCESS_VPC_ID]], [(c_, az) for _, c_, az in layouts[out.ACCESS_VPC_ID]])
    subnet_ids = {
        mock["id"]: real
        for mock, real in zip(
            [
                r
                for r in resources(plan, "aws:ec2/subnet:Subnet")
                if r["inputs"]["vpcId"] == planned[out.CENTRAL_VPC_ID]
            ],
            central_subnets,
            strict=True,
        )
    }
    _tgw_tables(
        world,
        plan,
        account,
        tgw["TransitGatewayId"],
        {planned[out.CENTRAL_VPC_ID]: central, planned[out.ACCESS_VPC_ID]: access},
    )
    group = ec2.create_security_group(GroupName="world", Description="world", VpcId=central)["GroupId"]

    # endpoints, zones, records
    endpoint_keys = {mock: key for key, mock in planned[out.ENDPOINT_IDS].items()}
    endpoints: dict[str, dict[str, Any]] = {}
    for r in resources(plan, "aws:ec2/vpcEndpoint:VpcEndpoint"):
        key = endpoint_keys.get(r["id"])
        if key is None:
            continue
        endpoints[key] = ec2.create_vpc_endpoint(
            VpcId=central,
            ServiceName=r["inputs"]["serviceName"],
            VpcEndpointType="Interface",
            SubnetIds=[subnet_ids[s] for s in r["inputs"]["subnetIds"]],
            SecurityGroupIds=[group],
            PrivateDnsEnabled=bool(r["inputs"]["privateDnsEnabled"]),
        )["VpcEndpoint"]
    r53 = c("route53")
    zone_keys = {mock: key for key, mock in planned[out.HOSTED_ZONE_IDS].items()}
    zones: dict[str, str] = {}
    for r in resources(plan, "aws:route53/zone:Zone"):
        key = zone_keys[r["id"]]
        zones[key] = r53.create_hosted_zone(
            Name=world.translated(r["inputs"]["name"]),
            CallerReference=f"world-{key}",
            HostedZoneConfig={"Comment": r["inputs"]["comment"], "PrivateZone": True},
            VPC={"VPCRegion": REGION, "VPCId": central},
        )["HostedZone"]["Id"].rsplit("/", 1)[-1]

    # resolver endpoints and rules
    resolver = c("route53resolver")
    resolver_ids: dict[str, str] = {}
    for r in resources(plan, "aws:route53/resolverEndpoint:ResolverEndpoint"):
        resolver_ids[r["id"]] = resolver.create_resolver_endpoint(
            CreatorRequestId=r["name"],
            Name=r["inputs"]["name"],
            SecurityGroupIds=[group],
            Direction=r["inputs"]["direction"],
            IpAddresses=[{"SubnetId": subnet_ids[a["subnetId"]], "Ip": a["ip"]} for a in r["inputs"]["ipAddresses"]],
        )["ResolverEndpoint"]["Id"]
    rule_keys = {mock: key for key, mock in planned[out.RESOLVER_RULE_IDS].items()}
    rules: dict[str, dict[str, Any]] = {}
    for r in resources(plan, "aws:route53/resolverRule:ResolverRule"):
        rules[rule_keys[r["id"]]] = resolver.create_resolver_rule(
            CreatorRequestId=r["name"],
            Name=r["inputs"]["name"],
            RuleType=r["inputs"]["ruleType"],
            DomainName=world.translated(r["inputs"]["domainName"]),
            TargetIps=[{"Ip": t["ip"], "Port": int(t["port"])} for t in r["inputs"]["targetIps"]],
            ResolverEndpointId=resolver_ids[r["inputs"]["resolverEndpointId"]],
        )["ResolverRule"]

    # RAM: the TGW and the rules, to the planned principals
    share_inputs = resources(plan, "aws:ram/resourceShare:ResourceShare")[0]["inputs"]
    share = c("ram").create_resource_share(
        name=share_inputs["name"],
        allowExternalPrincipals=bool(share_inputs["allowExternalPrincipals"]),
        resourceArns=[tgw["TransitGatewayArn"], *(r["Arn"] for r in rules.values())],
        principals=[
            r["inputs"]["principal"] for r in resources(plan, "aws:ram/principalAssociation:PrincipalAssociation")
        ],
    )["resourceShare"]

    # identity: the pool, its client and users
    idp = c("cognito-idp")
    pool = idp.create_user_pool(PoolName="SageMakerPool")["UserPool"]
    client_id = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="studio-access")["UserPoolClient"][
        "ClientId"
    ]
    for r in resources(plan, "aws:cognito/user:User"):
        idp.admin_create_user(UserPoolId=pool["Id"], Username=r["inputs"]["username"], MessageAction="SUPPRESS")

    # the tables (their items once the outputs exist)
    ddb = c("dynamodb")
    table_names = {out.USERS_TABLE: "access-users-world01", out.LOBS_TABLE: "access-lobs-world01"}
    for name in table_names.values():
        ddb.create_table(
            TableName=name,
            KeySchema=[{"AttributeName": "PK", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "PK", "AttributeType": "S"}],
            BillingMode="PAY_PER_REQUEST",
        )

    # the functions' roles (policies once the outputs exist)
    iam = c("iam")
    role_arns = {}
    for r in resources(plan, "aws:iam/role:Role"):
        role_arns[r["id"]] = iam.create_role(
            RoleName=f"{r['name']}-world01", AssumeRolePolicyDocument=r["inputs"]["assumeRolePolicy"]
        )["Role"]["Arn"]
    function_role = role_arns[planned[out.PRESIGNED_URL_ROLE_ARN].rsplit("/", 1)[-1]]

    issuer = f"https://cognito-idp.{REGION}.amazonaws.com/{pool['Id']}"
    world.outputs[stack] = {
        **{k: v for k, v in planned.items() if k not in GENERATED},  # config values, e.g. accessRoleName
        out.CENTRAL_VPC_ID: central,
        out.TRANSIT_GATEWAY_ID: tgw["TransitGatewayId"],
        out.RAM_SHARE_ARN: share["resourceShareArn"],
        out.RESOLVER_RULE_IDS: {k: r["Id"] for k, r in rules.items()},
        out.ENDPOINT_IDS: {k: e["VpcEndpointId"] for k, e in endpoints.items()},
        out.HOSTED_ZONE_IDS: zones,
        out.SAGEMAKER_API_ENDPOINT_ID: endpoints["sagemaker-api"]["VpcEndpointId"],
        out.STUDIO_ENDPOINT_ID: endpoints["studio"]["VpcEndpointId"],
        out.ACCESS_VPC_ID: access,
        **world.outputs[stack],
        out.USER_POOL_ID: pool["Id"],
        out.USER_POOL_CLIENT_ID: client_id,
        out.TOKEN_ISSUER: issuer,
        **table_names,
        out.PRESIGNED_URL_ROLE_ARN: function_role,
    }

    # what needs the outputs: records, zone associations, items, policies, functions, the API
    dns = {k: e["DnsEntries"][0] for k, e in endpoints.items()}
    for r in resources(plan, "aws:route53/record:Record"):
        key = zone_keys[r["inputs"]["zoneId"]]
        r53.change_resource_record_sets(
            HostedZoneId=zones[key],
            ChangeBatch={
                "Changes": [
                    {
                        "Action": "CREATE",
                        "ResourceRecordSet": {
                            "Name": world.translated(r["inputs"]["name"]),
                            "Type": "A",
                            "AliasTarget": {
                                "HostedZoneId": dns[key]["HostedZoneId"],
                                "DNSName": dns[key]["DnsName"],
                                "EvaluateTargetHealth": True,
                            },
                        },
                    }
                ]
            },
        )
    for r in resources(plan, "aws:route53/zoneAssociation:ZoneAssociation"):
        r53.associate_vpc_with_hosted_zone(
            HostedZoneId=zones[zone_keys[r["inputs"]["zoneId"]]],
            VPC={"VPCRegion": REGION, "VPCId": world.translated(r["inputs"]["vpcId"])},
        )
    for r in resources(plan, "aws:dynamodb/tableItem:TableItem"):
        ddb.put_item(TableName=world.translated(r["inputs"]["tableName"]), Item=json.loads(r["inputs"]["item"]))
    for r in resources(plan, "aws:iam/rolePolicy:RolePolicy"):
        iam.put_role_policy(
            RoleName=role_arns[r["inputs"]["role"]].rsplit("/", 1)[-1],
            PolicyName=r["name"],
            PolicyDocument=world.translated(r["inputs"]["policy"]),
        )
    lam = c("lambda")
    function_arns = {}
    for r in resources(plan, "aws:lambda/function:Function"):
        kind = r["inputs"]["tags"][tags.FUNCTION_TAG]
        function_arns[kind] = lam.create_function(
            FunctionName=f"access-{kind}-world01",
            Runtime="python3.12",
            Role=role_arns[r["inputs"]["role"].rsplit("/", 1)[-1]],
            Handler="app.handler",
            Code={"ZipFile": _zip()},
            Environment={"Variables": world.translated(r["inputs"]["environment"]["variables"])},
            Tags={tags.FUNCTION_TAG: kind},
        )["FunctionArn"]

    def invoke_arn(kind: str) -> str:
        return f"arn:aws:apigateway:{REGION}:lambda:path/2015-03-31/functions/{function_arns[kind]}/invocations"

    gateway = c("apigateway")
    root = next(r["id"] for r in gateway.get_resources(restApiId=api["id"])["items"] if r["path"] == "/")
    planned_authorizer = resources(plan, "aws:apigateway/authorizer:Authorizer")[0]["inputs"]
    authorizer = gateway.create_authorizer(
        restApiId=api["id"],
        name="access-jwt",
        type=planned_authorizer["type"],
        identitySource=planned_authorizer["identitySource"],
        authorizerUri=invoke_arn(tags.AUTHORIZER_FUNCTION),
        authorizerResultTtlInSeconds=int(planned_authorizer["authorizerResultTtlInSeconds"]),
    )
    resource = gateway.create_resource(restApiId=api["id"], parentId=root, pathPart="{user_id}")
    gateway.put_method(
        restApiId=api["id"],
        resourceId=resource["id"],
        httpMethod="GET",
        authorizationType="CUSTOM",
        authorizerId=authorizer["id"],
    )
    gateway.put_integration(
        restApiId=api["id"],
        resourceId=resource["id"],
        httpMethod="GET",
        type="AWS_PROXY",
        integrationHttpMethod="POST",
        uri=invoke_arn(tags.PRESIGNED_URL_FUNCTION),
    )
    gateway.create_deployment(restApiId=api["id"], stageName=stage_name)


def _tgw_tables(world: World, plan: Mapping[str, Any], account: str, tgw: str, vpcs: dict[str, str]) -> None:
    """The plan's TGW route tables (by their Name tags), the table new attachments join, and the
    shared VPCs' attachments in their tables. moto's ModifyTransitGateway changes the options it
    describes but not the table new attachments join, and its AssociateTransitGatewayRouteTable
    not the association it describes: both are set in its backend too."""
    from moto.ec2.models import ec2_backends

    ec2, backend = world.client(account, "ec2"), ec2_backends[account][REGION]
    tables = {
        r["id"]: ec2.create_transit_gateway_route_table(
            TransitGatewayId=tgw,
            TagSpecifications=[
                {
                    "ResourceType": "transit-gateway-route-table",
                    "Tags": [{"Key": "Name", "Value": r["inputs"]["tags"]["Name"]}],
                }
            ],
        )["TransitGatewayRouteTable"]["TransitGatewayRouteTableId"]
        for r in resources(plan, "aws:ec2transitgateway/routeTable:RouteTable")
    }
    for r in resources(plan, "aws:ec2transitgateway/defaultRouteTableAssociation:DefaultRouteTableAssociation"):
        table = tables[r["inputs"]["transitGatewayRouteTableId"]]
        ec2.modify_transit_gateway(TransitGatewayId=tgw, Options={"AssociationDefaultRouteTableId": table})
        backend.transit_gateways[tgw].default_route_table = backend.transit_gateways_route_tables[table]
    attachments = {}
    for r in resources(plan, "aws:ec2transitgateway/vpcAttachment:VpcAttachment"):
        attachments[r["id"]] = ec2.create_transit_gateway_vpc_attachment(
            TransitGatewayId=tgw, VpcId=vpcs[r["inputs"]["vpcId"]], SubnetIds=[]
        )["TransitGatewayVpcAttachment"]["TransitGatewayAttachmentId"]
    for r in resources(plan, "aws:ec2transitgateway/routeTableAssociation:RouteTableAssociation"):
        attachment = backend.transit_gateway_attachments[attachments[r["inputs"]["transitGatewayAttachmentId"]]]
        attachment.transit_gateway_route_table = backend.transit_gateways_route_tables[
            tables[r["inputs"]["transitGatewayRouteTableId"]]
        ]


# --------------------------------------------------------------------------- a LOB stack


def _lob(world: World, stack: str, shared_stack: str) -> None:
    plan, account = world.plans[stack], world.accounts[stack]
    planned, shared = plan["outputs"], world.outputs[shared_stack]
    c = lambda service: world.client(account, service)  # noqa: E731
    ec2 = c("ec2")
    layout = _subnet_layout(plan, planned[out.VPC_ID])
    vpc_cidr = next(r["inputs"]["cidrBlock"] for r in resources(plan, "aws:ec2/vpc:Vpc"))
    vpc, subnet_list = _vpc(ec2, vpc_cidr, [(cidr, az) for _, cidr, az in layout])
    subnet_ids = {
        mock["id"]: real
        for mock, real in zip(
            [r for r in resources(plan, "aws:ec2/subnet:Subnet") if r["inputs"]["vpcId"] == planned[out.VPC_ID]],
            subnet_list,
            strict=True,
        )
    }
    attachment = resources(plan, "aws:ec2transitgateway/vpcAttachment:VpcAttachment")[0]["inputs"]
    world.client(
        world.accounts[shared_stack], "ec2"
    ).create_transit_gateway_vpc_attachment(  # the TGW's owner: see above
        TransitGatewayId=shared[out.TRANSIT_GATEWAY_ID],
        VpcId=vpc,
        SubnetIds=[subnet_ids[s] for s in attachment["subnetIds"]],
    )
    if resources(plan, "aws:ram/resourceShareAccepter:ResourceShareAccepter"):
        world.invitations[(account, shared[out.RAM_SHARE_ARN])] = "ACCEPTED"
    world.rule_associations[(account, vpc)] = {
        world.translated(r["inputs"]["resolverRuleId"]): "COMPLETE"
        for r in resources(plan, "aws:route53/resolverRuleAssociation:ResolverRuleAssociation")
    }

    iam = c("iam")
    execution = resources(plan, "aws:iam/role:Role")
    role_arns = {}
    for r in execution:
        name = r["inputs"].get("name") or f"{r['name']}-world01"
        role_arns[r["id"]] = iam.create_role(
            RoleName=name, AssumeRolePolicyDocument=world.translated(r["inputs"]["assumeRolePolicy"])
        )["Role"]["Arn"]
    domain_inputs = resources(plan, "aws:sagemaker/domain:Domain")[0]["inputs"]
    domain = c("sagemaker").create_domain(
        DomainName=domain_inputs["domainName"].replace("sagemaker-domain-", "")[:20],
        AuthMode=domain_inputs["authMode"],
        AppNetworkAccessType=domain_inputs["appNetworkAccessType"],
        DefaultUserSettings={"ExecutionRole": role_arns[planned[out.EXECUTION_ROLE_ARN].rsplit("/", 1)[-1]]},
        SubnetIds=[subnet_ids[s] for s in domain_inputs["subnetIds"]],
        VpcId=vpc,
    )
    domain_id = domain["DomainArn"].rsplit("/", 1)[-1]
    world.profiles[(account, domain_id)] = {
        r["inputs"]["userProfileName"]: "InService" for r in resources(plan, "aws:sagemaker/userProfile:UserProfile")
    }
    access_role = role_arns[planned[out.ACCESS_ROLE_ARN].rsplit("/", 1)[-1]]
    world.outputs[stack] = {
        **{k: v for k, v in planned.items() if k not in GENERATED},
        out.VPC_ID: vpc,
        out.DOMAIN_ID: domain_id,
        out.DOMAIN_ARN: domain["DomainArn"],
        out.EXECUTION_ROLE_ARN: role_arns[planned[out.EXECUTION_ROLE_ARN].rsplit("/", 1)[-1]],
        out.STUDIO_BUCKET: f"{stack}-studio-world01",
        out.ACCESS_ROLE_ARN: access_role,
    }
    for r in resources(plan, "aws:iam/rolePolicy:RolePolicy"):
        iam.put_role_policy(
            RoleName=role_arns[r["inputs"]["role"]].rsplit("/", 1)[-1],
            PolicyName=r["name"],
            PolicyDocument=world.translated(r["inputs"]["policy"]),
        )
