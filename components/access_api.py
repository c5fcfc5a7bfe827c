"""The access proxy's private REST API: `GET /<stage>/{user_id}` and `GET /<stage>/{user_id}/targets`
behind a JWT authorizer, and the sign-in page at `GET /<stage>/` without one.

Endpoint type PRIVATE, with a resource policy that allows `execute-api:Invoke` only through the
central `execute-api` interface endpoint and denies everything else; a REQUEST authorizer on
the `Authorization` header on both person routes; an AWS_PROXY integration of each to the
presigned-URL function (a Studio URL; the person's LOBs and spaces); a deployment
redone whenever anything it serves changes; a stage with access logs, X-Ray tracing, execution
logs without request bodies (they would hold the bearer token) and throttling; invoke
permissions scoped to this API. Optionally, API Gateway's account-wide CloudWatch role.

The sign-in page (`components/site`, docs/sign-in.md) is the one route without an authorizer: a
MOCK integration whose integration response is the page itself, with its security headers
(strict CSP, nosniff, no referrer, no-store) as static header mappings. It reaches no function,
holds no secret, and is still only reachable through the execute-api endpoint (the resource
policy covers every route).

A part of `AccessProxy`, not a component of its own: its resources are children of the proxy,
so their URNs are the ones deployed stacks already have (see `components/access_proxy.py`).
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Any, Final, Literal

import pulumi
import pulumi_aws as aws

from contracts import proof

from . import iam, site
from .access_identity import SignInEndpoints

ACCESS_LOG_FORMAT: Final = json.dumps(
    {
        "requestId": "$context.requestId",
        "ip": "$context.identity.sourceIp",
        "vpce": "$context.identity.vpceId",
        "principal": "$context.authorizer.principalId",
        "method": "$context.httpMethod",
        "path": "$context.path",
        "status": "$context.status",
        "authorizerError": "$context.authorizer.error",
        "latencyMs": "$context.responseLatency",
        "requestTime": "$context.requestTime",
    },
    separators=(",", ":"),
)

# What AWS documents for API Gateway's CloudWatch role: the actions of the managed policy
# AmazonAPIGatewayPushToCloudWatchLogs (which grants them on "*").
API_GATEWAY_LOGS_ACTIONS: Final = [
    "logs:CreateLogGroup",
    "logs:CreateLogStream",
    "logs:DescribeLogGroups",
    "logs:DescribeLogStreams",
    "logs:FilterLogEvents",
    "logs:GetLogEvents",
    "logs:PutLogEvents",
]


@dataclass(frozen=True, kw_only=True)
class ApiSettings:
    stage: str
    # How long API Gateway caches the authorizer's answer for one token.
    authorizer_ttl_seconds: int
    throttling_rate_limit: float
    throttling_burst_limit: int
    execution_logging_level: Literal["ERROR", "INFO", "OFF"]
    # Set API Gateway's account-wide CloudWatch role here (True), or rely on the role already set
    # in this account and region (False; the config makes the operator name it). Access logs,
    # always on, need one whatever the execution logging level.
    manage_account_logging_role: bool


@dataclass(frozen=True, kw_only=True)
class PrivateApiArgs:
    region: str
    account_id: str
    settings: ApiSettings
    log_retention_days: int
    # The central execute-api interface endpoint: the only way in.
    execute_api_endpoint_id: pulumi.Input[str]
    # The authorizer function, and the function behind `GET /{user_id}` and `GET /{user_id}/targets`.
    authorizer_name: pulumi.Input[str]
    authorizer_invoke_arn: pulumi.Input[str]
    backend_name: pulumi.Input[str]
    backend_invoke_arn: pulumi.Input[str]
    # The sign-in page at GET /<stage>/ (None: no page).
    sign_in: SignInEndpoints | None = None


class PrivateApi:
    """The REST API, its authorizer, method, deployment, stage and logging, under `parent`."""

    api: aws.apigateway.RestApi
    authorizer: aws.apigateway.Authorizer
    method: aws.apigateway.Method
    integration: aws.apigateway.Integration
    # GET /{user_id}/targets: the same authorizer and function.
    targets_method: aws.apigateway.Method
    targets_integration: aws.apigateway.Integration
    deployment: aws.apigateway.Deployment
    stage: aws.apigateway.Stage
    access_logs: aws.cloudwatch.LogGroup
    # API Gateway's account settings, when managed here.
    account: aws.apigateway.Account | None
    url: pulumi.Output[str]
    # The sign-in page: GET / on the root resource, and the page's URL (`<url>/`).
    page_method: aws.apigateway.Method | None
    page_url: pulumi.Output[str]

    def __init__(self, name: str, args: PrivateApiArgs, parent: pulumi.Resource) -> None:
        child, settings = pulumi.ResourceOptions(parent=parent), args.settings
        vpce = args.execute_api_endpoint_id
        self.api = aws.apigateway.RestApi(
            f"{name}-api",
            description="studio-access: presigned Studio URLs, reachable only through the central execute-api endpoint",
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(
                types="PRIVATE", vpc_endpoint_ids=[vpce]
            ),
            policy=iam.document(
                {
                    "Effect": "Allow",
                    "Principal": "*",
                    "Action": "execute-api:Invoke",
                    "Resource": "execute-api:/*",
                    "Condition": {"StringEquals": {"aws:SourceVpce": vpce}},
                },
                {
                    "Effect": "Deny",
                    "Principal": "*",
                    "Action": "execute-api:Invoke",
                    "Resource": "execute-api:/*",
                    "Condition": {"StringNotEquals": {"aws:SourceVpce": vpce}},
                },
            ),
            opts=child,
        )
        resource = aws.apigateway.Resource(
            f"{name}-user", rest_api=self.api.id, parent_id=self.api.root_resource_id, path_part="{user_id}", opts=child
        )
        self.authorizer = aws.apigateway.Authorizer(
            f"{name}-jwt",
            rest_api=self.api.id,
            type="REQUEST",
            identity_source="method.request.header.Authorization",
            authorizer_uri=args.authorizer_invoke_arn,
            authorizer_result_ttl_in_seconds=settings.authorizer_ttl_seconds,
            opts=child,
        )
        self.method = aws.apigateway.Method(
            f"{name}-get-user",
            rest_api=self.api.id,
            resource_id=resource.id,
            http_method="GET",
            authorization="CUSTOM",
            authorizer_id=self.authorizer.id,
            request_parameters={"method.request.path.user_id": True},
            opts=child,
        )
        self.integration = aws.apigateway.Integration(
            f"{name}-get-user",
            rest_api=self.api.id,
            resource_id=resource.id,
            http_method=self.method.http_method,
            type="AWS_PROXY",
            integration_http_method="POST",
            uri=args.backend_invoke_arn,
            timeout_milliseconds=12000,
            opts=child,
        )
        self.targets_method, self.targets_integration, targets_path = self._targets(name, resource, args, child)
        self.page_method = None
        page: list[pulumi.Resource] = []
        served: list[pulumi.Output[Any]] = []
        if args.sign_in is not None:
            self.page_method, page, served = _sign_in_page(name, self.api, settings.stage, args.sign_in, parent)
        # A deployment is a snapshot: a new one whenever anything it serves changes.
        fingerprint = pulumi.Output.json_dumps(
            [
                *served,
                self.api.policy,
                resource.path_part,
                self.method.authorization,
                self.method.authorizer_id,
                self.authorizer.identity_source,
                self.authorizer.authorizer_uri,
                self.authorizer.authorizer_result_ttl_in_seconds,
                self.integration.uri,
                self.integration.timeout_milliseconds,
                targets_path,
                self.targets_method.authorization,
                self.targets_method.authorizer_id,
                self.targets_integration.uri,
            ]
        ).apply(lambda text: hashlib.sha256(text.encode()).hexdigest())
        self.deployment = aws.apigateway.Deployment(
            f"{name}-api",
            rest_api=self.api.id,
            triggers={"fingerprint": fingerprint},
            opts=pulumi.ResourceOptions(
                parent=parent,
                depends_on=[self.method, self.integration, self.targets_method, self.targets_integration, *page],
            ),
        )
        self.account = None
        logging_ready: list[pulumi.Resource] = []
        if settings.manage_account_logging_role:  # access logs need it even with execution logs OFF
            self.account = _account_logging_role(name, args, parent)
            logging_ready.append(self.account)
        self.access_logs = aws.cloudwatch.LogGroup(
            f"{name}-api-access",
            name=f"/studio-access/{pulumi.get_stack()}/api-access",
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        self.stage = aws.apigateway.Stage(
            f"{name}-api",
            rest_api=self.api.id,
            deployment=self.deployment.id,
            stage_name=settings.stage,
            xray_tracing_enabled=True,
            access_log_settings=aws.apigateway.StageAccessLogSettingsArgs(
                destination_arn=self.access_logs.arn, format=ACCESS_LOG_FORMAT
            ),
            opts=pulumi.ResourceOptions(parent=parent, depends_on=logging_ready),
        )
        aws.apigateway.MethodSettings(
            f"{name}-api",
            rest_api=self.api.id,
            stage_name=self.stage.stage_name,
            method_path="*/*",
            settings=aws.apigateway.MethodSettingsSettingsArgs(
                logging_level=settings.execution_logging_level,
                data_trace_enabled=False,  # full request logs would contain the bearer token
                metrics_enabled=True,
                throttling_rate_limit=settings.throttling_rate_limit,
                throttling_burst_limit=settings.throttling_burst_limit,
            ),
            opts=pulumi.ResourceOptions(parent=parent, depends_on=logging_ready),
        )
        # Invoke permissions scoped to this API: the authorizer, and GET /{user_id} (and below) on the stage.
        aws.lambda_.Permission(
            f"{name}-authorizer-invoke",
            function=args.authorizer_name,
            action="lambda:InvokeFunction",
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(self.api.execution_arn, "/authorizers/", self.authorizer.id),
            opts=child,
        )
        aws.lambda_.Permission(
            f"{name}-presigned-url-invoke",
            function=args.backend_name,
            action="lambda:InvokeFunction",
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(self.api.execution_arn, f"/{settings.stage}/GET/*"),
            opts=child,
        )
        self.url = pulumi.Output.concat(
            "https://", self.api.id, f".execute-api.{args.region}.amazonaws.com/{settings.stage}"
        )
        self.page_url = pulumi.Output.concat(self.url, "/")

    def _targets(
        self, name: str, user: aws.apigateway.Resource, args: PrivateApiArgs, child: pulumi.ResourceOptions
    ) -> tuple[aws.apigateway.Method, aws.apigateway.Integration, pulumi.Output[str]]:
        """GET /{user_id}/targets: what the person may open, behind the same authorizer (whose
        policy allows exactly this path and GET /{user_id}), answered by the same function."""
        resource = aws.apigateway.Resource(
            f"{name}-user-targets", rest_api=self.api.id, parent_id=user.id, path_part=proof.TARGETS, opts=child
        )
        method = aws.apigateway.Method(
            f"{name}-get-targets",
            rest_api=self.api.id,
            resource_id=resource.id,
            http_method="GET",
            authorization="CUSTOM",
            authorizer_id=self.authorizer.id,
            request_parameters={"method.request.path.user_id": True},
            opts=child,
        )
        integration = aws.apigateway.Integration(
            f"{name}-get-targets",
            rest_api=self.api.id,
            resource_id=resource.id,
            http_method=method.http_method,
            type="AWS_PROXY",
            integration_http_method="POST",
            uri=args.backend_invoke_arn,
            timeout_milliseconds=12000,
            opts=child,
        )
        return method, integration, resource.path_part


def _page_settings(stage: str, sign_in: SignInEndpoints) -> pulumi.Output[site.PageSettings]:
    values = pulumi.Output.all(
        sign_in.authorize_url, sign_in.token_url, sign_in.logout_url, sign_in.client_id, sign_in.issuer
    )
    return values.apply(
        lambda v: site.PageSettings(
            provider=sign_in.provider,
            authorize_url=v[0],
            token_url=v[1],
            logout_url=v[2],
            client_id=v[3],
            issuer=v[4],
            username_claim=sign_in.username_claim,
            scopes=sign_in.scopes,
            stage=stage,
        )
    )


def _sign_in_page(
    name: str, api: aws.apigateway.RestApi, stage: str, sign_in: SignInEndpoints, parent: pulumi.Resource
) -> tuple[aws.apigateway.Method, list[pulumi.Resource], list[pulumi.Output[Any]]]:
    """GET / without authorizer: a MOCK integration answering the page and its headers; its
    resources, and what the deployment's fingerprint must watch."""
    child = pulumi.ResourceOptions(parent=parent)
    page = _page_settings(stage, sign_in).apply(site.render)
    method = aws.apigateway.Method(
        f"{name}-get-page",
        rest_api=api.id,
        resource_id=api.root_resource_id,
        http_method="GET",
        authorization="NONE",  # the one route without an authorizer (policy: api-unauthenticated-page-only)
        opts=child,
    )
    integration = aws.apigateway.Integration(
        f"{name}-get-page",
        rest_api=api.id,
        resource_id=api.root_resource_id,
        http_method=method.http_method,
        type="MOCK",
        # A MOCK integration answers the status its request template names; no request body passes.
        request_templates={"application/json": '{"statusCode": 200}'},
        passthrough_behavior="NEVER",
        opts=child,
    )
    response = aws.apigateway.MethodResponse(
        f"{name}-get-page",
        rest_api=api.id,
        resource_id=api.root_resource_id,
        http_method=method.http_method,
        status_code="200",
        response_parameters={f"method.response.header.{h}": True for h in site.HEADER_NAMES},
        opts=child,
    )
    integration_response = aws.apigateway.IntegrationResponse(
        f"{name}-get-page",
        rest_api=api.id,
        resource_id=api.root_resource_id,
        http_method=method.http_method,
        status_code=response.status_code,
        # Static values: the whole text between the outer single quotes (the CSP's own quotes included).
        response_parameters=page.apply(
            lambda p: {f"method.response.header.{h}": f"'{v}'" for h, v in p.headers.items()}
        ),
        # The only template, whatever the Accept header; the page holds no VTL syntax ($, #).
        response_templates=page.apply(lambda p: {"text/html": p.html}),
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[integration]),
    )
    served = [
        method.authorization,
        integration.type,
        integration_response.response_parameters,
        integration_response.response_templates,
    ]
    return method, [method, integration, response, integration_response], served


def _account_logging_role(name: str, args: PrivateApiArgs, parent: pulumi.Resource) -> aws.apigateway.Account:
    """API Gateway's account-wide CloudWatch role: execution and access logs of every REST API of
    the account and region go through it, so it gets what AWS documents for it
    (AmazonAPIGatewayPushToCloudWatchLogs' actions), on the account's log groups of this region.

    Kept on destroy (role, policy and setting): pulumi-aws 7 resets the account setting when an
    `Account` is deleted, which would stop the logs of every other API of the account."""
    kept = pulumi.ResourceOptions(parent=parent, retain_on_delete=True)
    role = aws.iam.Role(
        f"{name}-apigateway-logs",
        description="API Gateway account CloudWatch role (execution and access logs of every REST API in the region)",
        # The trust AWS documents for this role: API Gateway assumes it for the whole
        # account and region, outside any request, so no aws:SourceAccount/SourceArn is
        # promised; a condition here could make `Account` fail on the first deploy.
        assume_role_policy=iam.service_trust("apigateway.amazonaws.com"),
        opts=kept,
    )
    groups = f"arn:aws:logs:{args.region}:{args.account_id}:log-group:*"
    policy = aws.iam.RolePolicy(
        f"{name}-apigateway-logs",
        role=role.id,
        policy=iam.document(
            {
                "Sid": "PushToCloudWatchLogs",
                "Effect": "Allow",
                "Action": API_GATEWAY_LOGS_ACTIONS,
                "Resource": [groups, f"{groups}:log-stream:*"],
            },
        ),
        opts=kept,
    )
    return aws.apigateway.Account(
        f"{name}-apigateway-account",
        cloudwatch_role_arn=role.arn,
        opts=pulumi.ResourceOptions(parent=parent, depends_on=[policy], retain_on_delete=True),
    )
