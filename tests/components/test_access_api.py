"""The access proxy's private API alone: only through the given endpoint, only behind the authorizer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from components.access_api import ApiSettings, PrivateApi, PrivateApiArgs
from tests.components.conftest import ACCOUNT, REGION, Graph, Parent, new_graph, statements

VPCE = "vpce-0c0c0c0c0c0c0c0c0"
AUTHORIZER_ARN = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111111111111:function:authz/invocations"
BACKEND_ARN = "arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/arn:aws:lambda:us-east-1:111111111111:function:urls/invocations"
SETTINGS = ApiSettings(
    stage="prod",
    authorizer_ttl_seconds=300,
    throttling_rate_limit=5.0,
    throttling_burst_limit=9,
    execution_logging_level="INFO",
    manage_account_logging_role=True,
)
ARGS = PrivateApiArgs(
    region=REGION,
    account_id=ACCOUNT,
    settings=SETTINGS,
    log_retention_days=14,
    execute_api_endpoint_id=VPCE,
    authorizer_name="authz",
    authorizer_invoke_arn=AUTHORIZER_ARN,
    backend_name="urls",
    backend_invoke_arn=BACKEND_ARN,
)
API = "aws:apigateway/restApi:RestApi"


def _api(**changes: Any) -> Parent:
    return Parent(lambda parent: PrivateApi("access", replace(ARGS, **changes), parent=parent))


def test_private_and_reachable_only_through_the_given_endpoint(graph: Graph) -> None:
    graph.build(_api)
    api = graph.one(API, "access-api").inputs
    assert api["endpointConfiguration"] == {"types": "PRIVATE", "vpcEndpointIds": [VPCE]}
    allow, deny = statements(api["policy"])
    invoke = {"Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}
    assert allow == {"Effect": "Allow", **invoke, "Condition": {"StringEquals": {"aws:SourceVpce": VPCE}}}
    assert deny == {"Effect": "Deny", **invoke, "Condition": {"StringNotEquals": {"aws:SourceVpce": VPCE}}}


def test_get_user_behind_the_request_authorizer_proxied_to_the_backend(graph: Graph) -> None:
    graph.build(_api)
    authorizer = graph.one("aws:apigateway/authorizer:Authorizer", "access-jwt")
    assert authorizer.inputs["type"] == "REQUEST"
    assert authorizer.inputs["identitySource"] == "method.request.header.Authorization"
    assert authorizer.inputs["authorizerUri"] == AUTHORIZER_ARN
    assert authorizer.inputs["authorizerResultTtlInSeconds"] == 300
    method = graph.one("aws:apigateway/method:Method", "access-get-user").inputs
    assert (method["httpMethod"], method["authorization"], method["authorizerId"]) == ("GET", "CUSTOM", authorizer.id)
    assert graph.one("aws:apigateway/resource:Resource", "access-user").inputs["pathPart"] == "{user_id}"
    integration = graph.one("aws:apigateway/integration:Integration", "access-get-user").inputs
    assert (integration["type"], integration["integrationHttpMethod"]) == ("AWS_PROXY", "POST")
    assert integration["uri"] == BACKEND_ARN and integration["timeoutMilliseconds"] < 29000


def test_get_targets_behind_the_same_authorizer_proxied_to_the_same_backend(graph: Graph) -> None:
    """GET /{user_id}/targets (issue 15): a child of the user resource, the same authorizer (whose
    policy allows exactly this path and GET /{user_id}), the same function."""
    graph.build(_api)
    authorizer = graph.one("aws:apigateway/authorizer:Authorizer", "access-jwt")
    user = graph.one("aws:apigateway/resource:Resource", "access-user")
    targets = graph.one("aws:apigateway/resource:Resource", "access-user-targets")
    assert (targets.inputs["parentId"], targets.inputs["pathPart"]) == (user.id, "targets")
    method = graph.one("aws:apigateway/method:Method", "access-get-targets").inputs
    assert (method["resourceId"], method["httpMethod"]) == (targets.id, "GET")
    assert (method["authorization"], method["authorizerId"]) == ("CUSTOM", authorizer.id)
    assert method["requestParameters"] == {"method.request.path.user_id": True}
    integration = graph.one("aws:apigateway/integration:Integration", "access-get-targets").inputs
    assert (integration["type"], integration["integrationHttpMethod"], integration["uri"]) == (
        "AWS_PROXY",
        "POST",
        BACKEND_ARN,
    )
    assert integration["resourceId"] == targets.id and integration["timeoutMilliseconds"] < 29000
    # every method but the sign-in page's (none here) is behind the authorizer
    methods = graph.of_type("aws:apigateway/method:Method")
    assert sorted(m.name for m in methods) == ["access-get-targets", "access-get-user"]
    assert all(m.inputs["authorization"] == "CUSTOM" for m in methods)
    deployment = graph.one("aws:apigateway/deployment:Deployment", "access-api")
    for kind in ("method:Method", "integration:Integration"):
        assert graph.one(f"aws:apigateway/{kind}", "access-get-targets").urn in deployment.dependencies


def test_invoke_permissions_scoped_to_this_api(graph: Graph) -> None:
    graph.build(_api)
    execution = graph.one(API, "access-api").outputs["executionArn"]
    authorizer = graph.one("aws:apigateway/authorizer:Authorizer", "access-jwt")
    permissions = {p.name: p.inputs for p in graph.of_type("aws:lambda/permission:Permission")}
    assert {n: (p["function"], p["sourceArn"]) for n, p in permissions.items()} == {
        "access-authorizer-invoke": ("authz", f"{execution}/authorizers/{authorizer.id}"),
        "access-presigned-url-invoke": ("urls", f"{execution}/prod/GET/*"),
    }
    assert all(p["principal"] == "apigateway.amazonaws.com" for p in permissions.values())


def test_stage_traces_logs_without_bodies_and_throttles(graph: Graph) -> None:
    graph.build(_api)
    stage = graph.one("aws:apigateway/stage:Stage", "access-api")
    assert stage.inputs["stageName"] == "prod" and stage.inputs["xrayTracingEnabled"] is True
    logs = graph.one("aws:cloudwatch/logGroup:LogGroup", "access-api-access")
    assert logs.inputs["retentionInDays"] == 14
    assert stage.inputs["accessLogSettings"]["destinationArn"] == logs.outputs["arn"]
    settings = graph.one("aws:apigateway/methodSettings:MethodSettings", "access-api").inputs["settings"]
    assert settings["dataTraceEnabled"] is False and settings["loggingLevel"] == "INFO"
    assert (settings["throttlingRateLimit"], settings["throttlingBurstLimit"]) == (5.0, 9)


def test_deployment_is_redone_when_what_it_serves_changes(graph: Graph) -> None:
    graph.build(_api)
    deployment = graph.one("aws:apigateway/deployment:Deployment", "access-api")
    assert graph.one("aws:apigateway/method:Method", "access-get-user").urn in deployment.dependencies
    assert graph.one("aws:apigateway/integration:Integration", "access-get-user").urn in deployment.dependencies
    other = new_graph()
    other.build(lambda: _api(settings=replace(SETTINGS, authorizer_ttl_seconds=60)))
    changed = other.one("aws:apigateway/deployment:Deployment", "access-api")
    assert len(changed.inputs["triggers"]["fingerprint"]) == 64
    assert changed.inputs["triggers"] != deployment.inputs["triggers"]


def test_account_logging_role_gets_what_api_gateway_documents(graph: Graph) -> None:
    graph.build(_api)
    account = graph.one("aws:apigateway/account:Account", "access-apigateway-account")
    role = graph.one("aws:iam/role:Role", "access-apigateway-logs")
    assert account.inputs["cloudwatchRoleArn"] == role.outputs["arn"]
    assert statements(role.inputs["assumeRolePolicy"]) == [
        {"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    (push,) = statements(graph.one("aws:iam/rolePolicy:RolePolicy", "access-apigateway-logs").inputs["policy"])
    # AmazonAPIGatewayPushToCloudWatchLogs' actions, on every log group of the account in this region:
    # the role is account-wide, and the stage's access log group is not an execution log group.
    assert sorted(push["Action"]) == [
        "logs:CreateLogGroup",
        "logs:CreateLogStream",
        "logs:DescribeLogGroups",
        "logs:DescribeLogStreams",
        "logs:FilterLogEvents",
        "logs:GetLogEvents",
        "logs:PutLogEvents",
    ]
    groups = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:*"
    assert push["Resource"] == [groups, f"{groups}:log-stream:*"]
    access_logs = graph.one("aws:cloudwatch/logGroup:LogGroup", "access-api-access").outputs["arn"]
    assert access_logs.startswith(f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:")


@pytest.mark.parametrize("level", ["OFF", "ERROR", "INFO"])
@pytest.mark.parametrize("manage", [True, False])
def test_every_logging_combination_has_the_account_role_before_the_stage(level: str, manage: bool) -> None:
    """Access logs are always on and need the account role whatever the execution log level: with
    `manage` the stage and its method settings wait for the Account setting; without it (the config
    made the operator name the role already set) nothing here touches the account setting."""
    graph = new_graph()
    graph.build(
        lambda: _api(settings=replace(SETTINGS, execution_logging_level=level, manage_account_logging_role=manage))
    )
    stage = graph.one("aws:apigateway/stage:Stage", "access-api")
    assert stage.inputs["accessLogSettings"]["destinationArn"]
    settings = graph.one("aws:apigateway/methodSettings:MethodSettings", "access-api")
    assert settings.inputs["settings"]["loggingLevel"] == level
    accounts = graph.of_type("aws:apigateway/account:Account")
    roles = [r for r in graph.of_type("aws:iam/role:Role") if r.name == "access-apigateway-logs"]
    if manage:
        (account,) = accounts
        assert account.urn in stage.dependencies and account.urn in settings.dependencies
        assert len(roles) == 1
    else:
        assert accounts == [] and roles == []
