"""The access proxy's private API alone: only through the given endpoint, only behind the authorizer."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

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


def test_account_logging_role_for_execution_logs_first(graph: Graph) -> None:
    graph.build(_api)
    account = graph.one("aws:apigateway/account:Account", "access-apigateway-account")
    role = graph.one("aws:iam/role:Role", "access-apigateway-logs")
    assert account.inputs["cloudwatchRoleArn"] == role.outputs["arn"]
    assert statements(role.inputs["assumeRolePolicy"]) == [
        {"Effect": "Allow", "Principal": {"Service": "apigateway.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    (groups,) = [
        s
        for s in statements(graph.one("aws:iam/rolePolicy:RolePolicy", "access-apigateway-logs").inputs["policy"])
        if s["Sid"] == "ExecutionLogs"
    ]
    prefix = f"arn:aws:logs:{REGION}:{ACCOUNT}:log-group:API-Gateway-Execution-Logs_*"
    assert groups["Resource"] == [prefix, f"{prefix}:*"]
    assert account.urn in graph.one("aws:apigateway/stage:Stage", "access-api").dependencies


def test_no_account_role_when_left_to_someone_else(graph: Graph) -> None:
    graph.build(lambda: _api(settings=replace(SETTINGS, manage_account_logging_role=False)))
    assert graph.of_type("aws:apigateway/account:Account") == []


def test_no_account_role_when_execution_logging_is_off(graph: Graph) -> None:
    graph.build(lambda: _api(settings=replace(SETTINGS, execution_logging_level="OFF")))
    assert graph.of_type("aws:apigateway/account:Account") == []
