"""AccessProxy alone, composed of its parts: the presigned-URL function's reach, its environment,
and resource names and parents that keep deployed URNs."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Network as Net
from typing import Any

from components.access_api import ApiSettings
from components.access_identity import CognitoArgs, CognitoUser, TokenChecks
from components.access_mappings import LobAccount, UserMapping
from components.access_proxy import AccessProxy, AccessProxyArgs
from components.vpc import VpcLayout
from contracts import authorizer_env, presigned_url_env, tags
from tests.components.conftest import ACCOUNT, REGION, SG, SG_IN, SG_OUT, STACK, Graph, by_sid
from tools import mock_keys

ARGS = AccessProxyArgs(
    region=REGION,
    account_id=ACCOUNT,
    network=VpcLayout(
        cidr=Net("10.70.0.0/16"),
        private_subnets=(Net("10.70.1.0/24"), Net("10.70.2.0/24")),
        attachment_subnets=(Net("10.70.3.0/28"), Net("10.70.3.16/28")),
        zones=("us-east-1a", "us-east-1b"),
    ),
    transit_gateway_id="tgw-0d0d0d0d0d0d0d0d0",
    central_vpc_cidr="10.60.0.0/16",
    hosted_zone_ids={"sts": "ZSTS0000000000", "sagemaker-api": "ZAPI0000000000"},
    execute_api_endpoint_id="vpce-0e0e0e0e0e0e0e0e0",
    lobs=(LobAccount(name="red", account_id="444444444444"), LobAccount(name="blue", account_id="555555555555")),
    users=(UserMapping(username="ann", lob="red"),),
    identity=CognitoArgs(
        pool_name="people",
        password_minimum_length=12,
        access_token_validity_minutes=60,
        allow_password_auth=False,
        deletion_protection=True,
        users=(CognitoUser(username="ann", email="ann@example.com"),),
    ),
    token_checks=TokenChecks(username_claim="username", leeway_seconds=0),
    access_role_name="StudioDoor",
    url_expires_seconds=30,
    cache_ttl_seconds=0,
    log_retention_days=30,
    table_deletion_protection=True,
    api=ApiSettings(
        stage="dev",
        authorizer_ttl_seconds=120,
        throttling_rate_limit=10.0,
        throttling_burst_limit=20,
        execution_logging_level="ERROR",
        manage_account_logging_role=True,
    ),
)
FUNCTION = "aws:lambda/function:Function"
PROXY = "studio-access:access_proxy:AccessProxy"


def _proxy(**changes: Any) -> AccessProxy:
    return AccessProxy("access", replace(ARGS, **changes))


def test_presigned_url_role_may_assume_only_the_given_lobs_access_roles(graph: Graph) -> None:
    graph.build(_proxy)
    found = by_sid(graph.one("aws:iam/rolePolicy:RolePolicy", "access-presigned-url").inputs["policy"])
    assert found["AssumeLobAccessRoles"]["Action"] == ["sts:AssumeRole", "sts:SetSourceIdentity"]
    assert found["AssumeLobAccessRoles"]["Resource"] == [
        "arn:aws:iam::444444444444:role/StudioDoor",
        "arn:aws:iam::555555555555:role/StudioDoor",
    ]
    tables = [graph.one("aws:dynamodb/table:Table", f"access-{k}").outputs["arn"] for k in ("users", "lobs")]
    assert found["ReadMappings"] == {
        "Sid": "ReadMappings",
        "Effect": "Allow",
        "Action": ["dynamodb:GetItem"],
        "Resource": tables,
    }
    assert set(found) == {"OwnLogs", "Traces", "ReadMappings", "AssumeLobAccessRoles", "VpcNetworkInterfaces"}
    authorizer = by_sid(graph.one("aws:iam/rolePolicy:RolePolicy", "access-authorizer").inputs["policy"])
    assert set(authorizer) == {"OwnLogs", "Traces", "SignProofs"}
    key = graph.one("aws:kms/key:Key", "access-proof")
    assert authorizer["SignProofs"] == {
        "Sid": "SignProofs",
        "Effect": "Allow",
        "Action": "kms:Sign",
        "Resource": key.outputs["arn"],
    }


def test_presigned_url_function_in_the_access_vpc_reaching_only_the_hub_and_dynamodb(graph: Graph) -> None:
    graph.build(_proxy)
    group = graph.one(SG, "access-presigned-url")
    vpc = graph.one(FUNCTION, "access-presigned-url").inputs["vpcConfig"]
    assert sorted(graph.by_id(s).name for s in vpc["subnetIds"]) == ["access-private-0", "access-private-1"]
    assert vpc["securityGroupIds"] == [group.id]
    assert group.inputs["vpcId"] == graph.one("aws:ec2/vpc:Vpc", "access-vpc").id
    prefix_list = graph.one("aws:ec2/vpcEndpoint:VpcEndpoint", "access-dynamodb").outputs["prefixListId"]
    egress = sorted(
        (r["ipProtocol"], r["fromPort"], r.get("cidrIpv4") or r["prefixListId"]) for r in graph.rules(SG_OUT, group)
    )
    assert egress == sorted([("tcp", 443, "10.60.0.0/16"), ("tcp", 443, prefix_list)])
    assert graph.rules(SG_IN, group) == []
    assert "vpcConfig" not in graph.one(FUNCTION, "access-authorizer").inputs


def test_functions_get_the_environment_their_handlers_read(graph: Graph) -> None:
    graph.build(_proxy)
    P, A = presigned_url_env, authorizer_env
    env = graph.one(FUNCTION, "access-presigned-url").inputs["environment"]["variables"]
    tables = {k: graph.one("aws:dynamodb/table:Table", f"access-{k}").outputs["name"] for k in ("users", "lobs")}
    assert env == {
        P.USERS_TABLE.name: tables["users"],
        P.LOBS_TABLE.name: tables["lobs"],
        P.ACCESS_ROLE_NAME.name: "StudioDoor",
        P.URL_EXPIRES_SECONDS.name: "30",
        P.CACHE_TTL_SECONDS.name: "0",
        P.PROOF_PUBLIC_KEY.name: public_key_of(graph.one("aws:kms/key:Key", "access-proof")),
    }
    pool = graph.one("aws:cognito/userPool:UserPool", "access-users")
    env = graph.one(FUNCTION, "access-authorizer").inputs["environment"]["variables"]
    assert env[A.TOKEN_ISSUER.name] == f"https://cognito-idp.{REGION}.amazonaws.com/{pool.id}"
    assert env[A.ALLOWED_CLIENT_IDS.name] == graph.one("aws:cognito/userPoolClient:UserPoolClient", "access-client").id
    assert env[A.PROOF_KEY_ID.name] == graph.one("aws:kms/key:Key", "access-proof").outputs["arn"]
    assert env[A.PROOF_TTL_SECONDS.name] == "120"  # API Gateway's authorizer TTL


def public_key_of(key: Any) -> str:
    """What the mocks' GetPublicKey answers for this key (tools.mock_keys)."""
    return mock_keys.key_pair(f"{STACK}/{key.outputs['arn']}").public_der_b64()


def test_a_proof_lives_as_long_as_api_gateway_caches_the_answer(graph: Graph) -> None:
    graph.build(lambda: _proxy(api=replace(ARGS.api, authorizer_ttl_seconds=300)))
    env = graph.one(FUNCTION, "access-authorizer").inputs["environment"]["variables"]
    assert env[authorizer_env.PROOF_TTL_SECONDS.name] == "300"


def test_session_length_only_when_given(graph: Graph) -> None:
    graph.build(lambda: _proxy(session_expiration_seconds=7200))
    env = graph.one(FUNCTION, "access-presigned-url").inputs["environment"]["variables"]
    assert env[presigned_url_env.SESSION_EXPIRATION_SECONDS.name] == "7200"


def test_functions_tagged_for_the_policy_pack(graph: Graph) -> None:
    graph.build(_proxy)
    assert {f.name: f.inputs["tags"][tags.FUNCTION_TAG] for f in graph.of_type(FUNCTION)} == {
        "access-authorizer": tags.AUTHORIZER_FUNCTION,
        "access-presigned-url": tags.PRESIGNED_URL_FUNCTION,
    }


def test_api_backed_by_the_two_functions_through_the_given_endpoint(graph: Graph) -> None:
    graph.build(_proxy)
    api = graph.one("aws:apigateway/restApi:RestApi", "access-api").inputs
    assert api["endpointConfiguration"]["vpcEndpointIds"] == ["vpce-0e0e0e0e0e0e0e0e0"]
    authorizer = graph.one("aws:apigateway/authorizer:Authorizer", "access-jwt").inputs
    assert authorizer["authorizerUri"] == graph.one(FUNCTION, "access-authorizer").outputs["invokeArn"]
    integration = graph.one("aws:apigateway/integration:Integration", "access-get-user").inputs
    assert integration["uri"] == graph.one(FUNCTION, "access-presigned-url").outputs["invokeArn"]


def test_access_vpc_resolves_the_given_hub_zones(graph: Graph) -> None:
    graph.build(_proxy)
    vpc = graph.one("aws:ec2/vpc:Vpc", "access-vpc")
    associations = graph.of_type("aws:route53/zoneAssociation:ZoneAssociation")
    assert {(a.name, a.inputs["zoneId"], a.inputs["vpcId"]) for a in associations} == {
        ("access-sts", "ZSTS0000000000", vpc.id),
        ("access-sagemaker-api", "ZAPI0000000000", vpc.id),
    }
    attachment = graph.one("aws:ec2transitgateway/vpcAttachment:VpcAttachment", "access-tgw")
    assert attachment.inputs["transitGatewayId"] == "tgw-0d0d0d0d0d0d0d0d0"


def test_the_parts_resources_are_children_of_the_proxy_under_their_deployed_names(graph: Graph) -> None:
    """The URNs of deployed stacks: every part's resource directly under AccessProxy (no new component types)."""
    graph.build(_proxy)
    proxy = graph.one(PROXY, "access")
    components = {r.type for r in graph.resources if not r.custom}
    assert components == {PROXY, "studio-access:vpc:TgwVpc"}
    children = {(r.type.split(":")[-1], r.name) for r in graph.resources if r.parent == proxy.urn}
    assert {
        ("Table", "access-users"),
        ("Table", "access-lobs"),
        ("TableItem", "access-lob-red"),
        ("TableItem", "access-user-ann"),
        ("VpcEndpoint", "access-dynamodb"),
        ("UserPool", "access-users"),
        ("UserPoolClient", "access-client"),
        ("User", "access-ann"),
        ("Function", "access-authorizer"),
        ("Function", "access-presigned-url"),
        ("Role", "access-presigned-url"),
        ("LogGroup", "access-authorizer"),
        ("RestApi", "access-api"),
        ("Authorizer", "access-jwt"),
        ("Stage", "access-api"),
        ("Account", "access-apigateway-account"),
    } <= children
    assert all(r.urn.split("::")[2].endswith(f"{PROXY}${r.type}") for r in graph.resources if r.parent == proxy.urn)
