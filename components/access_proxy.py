"""The access proxy of the shared-services account.

A private REST API (reachable only through the central `execute-api` endpoint) with a Lambda
REQUEST authorizer that verifies the identity provider's JWT, in front of the presigned-URL
function. That function runs in the access VPC (attached to the TGW, resolving STS and the
SageMaker API to the central endpoints), reads the users and LOBs tables through a gateway
endpoint, assumes the LOB's access role and answers with a short-lived Studio URL. The tables'
items and the Cognito users come from the stack config: adding a user is a config change.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from typing import Optional, Sequence

import pulumi
import pulumi_aws as aws

from . import iam, packaging, security
from .config import PROJECT_DIR, AccessConfig, IdentityConfig, LobEntry, UserEntry
from .vpc import TgwVpc, TgwVpcArgs

FUNCTIONS_DIR = PROJECT_DIR / "functions"
# Tag that tells the policy pack which function is which.
FUNCTION_TAG = "studio-access:function"
ACCESS_LOG_FORMAT = json.dumps(
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


@dataclass(frozen=True, kw_only=True)
class AccessProxyArgs:
    region: str
    account_id: str
    access: AccessConfig
    identity: IdentityConfig
    lobs: Sequence[LobEntry]
    users: Sequence[UserEntry]
    zones: tuple[str, str]
    transit_gateway_id: pulumi.Input[str]
    central_vpc_cidr: str
    # Private hosted zones of the hub the access VPC must resolve (STS, SageMaker API).
    hosted_zone_ids: dict[str, pulumi.Input[str]]
    execute_api_endpoint_id: pulumi.Input[str]
    temporary_password: Optional[pulumi.Input[str]] = None


def access_role_arn(account_id: str, role_name: str) -> str:
    return f"arn:aws:iam::{account_id}:role/{role_name}"


_doc = iam.document


class AccessProxy(pulumi.ComponentResource):
    network: TgwVpc
    users_table: aws.dynamodb.Table
    lobs_table: aws.dynamodb.Table
    user_pool: Optional[aws.cognito.UserPool]
    user_pool_client: Optional[aws.cognito.UserPoolClient]
    token_issuer: pulumi.Output[str]
    authorizer_function: aws.lambda_.Function
    presigned_url_function: aws.lambda_.Function
    presigned_url_role: aws.iam.Role
    api: aws.apigateway.RestApi
    stage: aws.apigateway.Stage
    api_url: pulumi.Output[str]

    def __init__(self, name: str, args: AccessProxyArgs, opts: Optional[pulumi.ResourceOptions] = None):
        super().__init__("studio-access:access_proxy:AccessProxy", name, None, opts)
        self._name = name
        self._args = args
        child = pulumi.ResourceOptions(parent=self)
        access = args.access

        # --- network: the access VPC on the TGW, resolving STS and SageMaker API centrally
        self.network = TgwVpc(
            name, TgwVpcArgs(layout=access, zones=args.zones, transit_gateway_id=args.transit_gateway_id), opts=child
        )
        vpc_id = self.network.vpc.id
        for key, zone_id in args.hosted_zone_ids.items():
            aws.route53.ZoneAssociation(f"{name}-{key}", zone_id=zone_id, vpc_id=vpc_id, vpc_region=args.region, opts=child)

        # --- tables (the sample's schema: PK, LOB / PK, ACCOUNT_ID)
        self.users_table = self._table("users")
        self.lobs_table = self._table("lobs")
        table_arns = [self.users_table.arn, self.lobs_table.arn]
        self.dynamodb_endpoint = aws.ec2.VpcEndpoint(
            f"{name}-dynamodb",
            vpc_id=vpc_id,
            service_name=f"com.amazonaws.{args.region}.dynamodb",
            vpc_endpoint_type="Gateway",
            route_table_ids=[self.network.private_route_table.id],
            # Through this endpoint, only reads of the two tables.
            policy=_doc(
                {"Effect": "Allow", "Principal": "*", "Action": ["dynamodb:GetItem"], "Resource": table_arns}
            ),
            tags={"Name": f"{name}-dynamodb"},
            opts=child,
        )
        for lob in args.lobs:
            self._item(self.lobs_table, f"lob-{lob.name}", {"PK": lob.name, "ACCOUNT_ID": lob.account_id})
        for user in args.users:
            item = {"PK": user.username, "LOB": user.lob}
            if user.profile:
                item["PROFILE"] = user.profile
            self._item(self.users_table, f"user-{user.username}", item)

        # --- identity
        self.user_pool = self.user_pool_client = None
        if args.identity.provider == "cognito":
            self._cognito()
            self.token_issuer = pulumi.Output.concat(
                f"https://cognito-idp.{args.region}.amazonaws.com/", self.user_pool.id
            )
            allowed_clients: pulumi.Input[str] = self.user_pool_client.id
        else:
            self.token_issuer = pulumi.Output.from_input(args.identity.issuer)
            allowed_clients = ",".join(args.identity.client_ids)

        # --- functions
        self.authorizer_function, authorizer_role = self._function(
            "authorizer",
            "authorizer",
            environment=self._authorizer_environment(allowed_clients),
            timeout=5,
            memory=256,
        )
        self.function_security_group = security.security_group(
            f"{name}-presigned-url", vpc_id, "Presigned-URL function: HTTPS to the central endpoints and DynamoDB", self
        )
        security.rules(
            f"{name}-presigned-url-central", "out", self.function_security_group, protocols=["tcp"], port=443,
            cidrs=[args.central_vpc_cidr], description="STS and SageMaker API through the central endpoints", parent=self,
        )
        security.rules(
            f"{name}-presigned-url-dynamodb", "out", self.function_security_group, protocols=["tcp"], port=443,
            prefix_lists=[self.dynamodb_endpoint.prefix_list_id], description="DynamoDB through the gateway endpoint",
            parent=self,
        )
        env = {
            "USERS_TABLE": self.users_table.name,
            "LOBS_TABLE": self.lobs_table.name,
            "ACCESS_ROLE_NAME": access.access_role_name,
            "URL_EXPIRES_SECONDS": str(access.url_expires_seconds),
            "CACHE_TTL_SECONDS": str(access.cache_ttl_seconds),
        }
        if access.session_expiration_seconds:
            env["SESSION_EXPIRATION_SECONDS"] = str(access.session_expiration_seconds)
        self.presigned_url_function, self.presigned_url_role = self._function(
            "presigned-url",
            "presigned_url",
            environment=env,
            timeout=10,
            memory=512,
            vpc=aws.lambda_.FunctionVpcConfigArgs(
                subnet_ids=[s.id for s in self.network.private_subnets],
                security_group_ids=[self.function_security_group.id],
            ),
            extra_statements=[
                {"Sid": "ReadMappings", "Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": table_arns},
                {
                    "Sid": "AssumeLobAccessRoles",
                    "Effect": "Allow",
                    "Action": "sts:AssumeRole",
                    "Resource": sorted(access_role_arn(lob.account_id, access.access_role_name) for lob in args.lobs),
                },
                {
                    # Lambda manages the function's network interfaces with its role; IAM has no
                    # ARN for an interface that does not exist yet (as in AWSLambdaVPCAccessExecutionRole).
                    "Sid": "VpcNetworkInterfaces",
                    "Effect": "Allow",
                    "Action": [
                        "ec2:AssignPrivateIpAddresses",
                        "ec2:CreateNetworkInterface",
                        "ec2:DeleteNetworkInterface",
                        "ec2:DescribeNetworkInterfaces",
                        "ec2:DescribeSubnets",
                        "ec2:UnassignPrivateIpAddresses",
                    ],
                    "Resource": "*",
                },
            ],
        )

        self._api(args)
        self.register_outputs(
            {
                "apiId": self.api.id,
                "apiUrl": self.api_url,
                "usersTable": self.users_table.name,
                "lobsTable": self.lobs_table.name,
                "presignedUrlRoleArn": self.presigned_url_role.arn,
            }
        )

    # ------------------------------------------------------------------ pieces

    def _table(self, kind: str) -> aws.dynamodb.Table:
        return aws.dynamodb.Table(
            f"{self._name}-{kind}",
            billing_mode="PAY_PER_REQUEST",
            hash_key="PK",
            attributes=[aws.dynamodb.TableAttributeArgs(name="PK", type="S")],
            point_in_time_recovery=aws.dynamodb.TablePointInTimeRecoveryArgs(enabled=True),
            server_side_encryption=aws.dynamodb.TableServerSideEncryptionArgs(enabled=True),
            deletion_protection_enabled=self._args.access.table_deletion_protection,
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _item(self, table: aws.dynamodb.Table, key: str, item: dict[str, str]) -> None:
        aws.dynamodb.TableItem(
            f"{self._name}-{key}",
            table_name=table.name,
            hash_key=table.hash_key,
            item=json.dumps({k: {"S": v} for k, v in item.items()}, sort_keys=True),
            opts=pulumi.ResourceOptions(parent=self),
        )

    def _cognito(self) -> None:
        identity, child = self._args.identity, pulumi.ResourceOptions(parent=self)
        self.user_pool = aws.cognito.UserPool(
            f"{self._name}-users",
            name=identity.pool_name,
            deletion_protection="ACTIVE" if identity.deletion_protection else "INACTIVE",
            admin_create_user_config=aws.cognito.UserPoolAdminCreateUserConfigArgs(allow_admin_create_user_only=True),
            password_policy=aws.cognito.UserPoolPasswordPolicyArgs(
                minimum_length=identity.password_minimum_length,
                require_lowercase=True,
                require_uppercase=True,
                require_numbers=True,
                require_symbols=True,
                temporary_password_validity_days=3,
            ),
            mfa_configuration=identity.mfa,
            software_token_mfa_configuration=(
                aws.cognito.UserPoolSoftwareTokenMfaConfigurationArgs(enabled=True) if identity.mfa != "OFF" else None
            ),
            auto_verified_attributes=["email"],
            account_recovery_setting=aws.cognito.UserPoolAccountRecoverySettingArgs(
                recovery_mechanisms=[aws.cognito.UserPoolAccountRecoverySettingRecoveryMechanismArgs(name="verified_email", priority=1)]
            ),
            username_configuration=aws.cognito.UserPoolUsernameConfigurationArgs(case_sensitive=False),
            opts=child,
        )
        flows = ["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"]
        if identity.allow_password_auth:
            flows.append("ALLOW_USER_PASSWORD_AUTH")
        self.user_pool_client = aws.cognito.UserPoolClient(
            f"{self._name}-client",
            name="studio-access",
            user_pool_id=self.user_pool.id,
            generate_secret=False,
            explicit_auth_flows=flows,
            allowed_oauth_flows_user_pool_client=False,
            prevent_user_existence_errors="ENABLED",
            enable_token_revocation=True,
            access_token_validity=identity.access_token_validity_minutes,
            id_token_validity=identity.access_token_validity_minutes,
            token_validity_units=aws.cognito.UserPoolClientTokenValidityUnitsArgs(
                access_token="minutes", id_token="minutes", refresh_token="days"
            ),
            refresh_token_validity=30,
            opts=child,
        )
        for user in self._args.users:
            aws.cognito.User(
                f"{self._name}-{user.username}",
                user_pool_id=self.user_pool.id,
                username=user.username,
                attributes={"email": user.email, "email_verified": "true"} if user.email else None,
                # With an email, Cognito mails a generated temporary password; without, the stack
                # secret is the temporary one. Either way the first sign-in must change it.
                desired_delivery_mediums=["EMAIL"] if user.email else None,
                message_action=None if user.email else "SUPPRESS",
                temporary_password=None if user.email else self._args.temporary_password,
                opts=child,
            )

    def _authorizer_environment(self, allowed_clients: pulumi.Input[str]) -> dict:
        identity = self._args.identity
        cognito = identity.provider == "cognito"
        env = {
            "TOKEN_ISSUER": self.token_issuer,
            "ALLOWED_CLIENT_IDS": allowed_clients,
            "TOKEN_USE": identity.token_use if identity.token_use is not None else ("access" if cognito else ""),
            "USERNAME_CLAIM": identity.username_claim,
            "LEEWAY_SECONDS": str(identity.leeway_seconds),
        }
        if identity.jwks_url:
            env["JWKS_URL"] = identity.jwks_url
        if identity.audience:
            env["AUDIENCE"] = identity.audience
        return {k: v for k, v in env.items() if v != "" or k == "TOKEN_USE"}

    def _function(
        self,
        kind: str,
        folder: str,
        *,
        environment: dict,
        timeout: int,
        memory: int,
        vpc: Optional[aws.lambda_.FunctionVpcConfigArgs] = None,
        extra_statements: Sequence[dict] = (),
    ) -> tuple[aws.lambda_.Function, aws.iam.Role]:
        name, child = f"{self._name}-{kind}", pulumi.ResourceOptions(parent=self)
        package = packaging.build(FUNCTIONS_DIR / folder, f"{pulumi.get_stack()}-{kind}")
        log_group = aws.cloudwatch.LogGroup(
            name,
            name=f"/studio-access/{pulumi.get_stack()}/{kind}",
            retention_in_days=self._args.access.log_retention_days,
            opts=child,
        )
        role = aws.iam.Role(name, description=f"studio-access {kind} function", assume_role_policy=iam.service_trust("lambda.amazonaws.com"), opts=child)
        policy = aws.iam.RolePolicy(
            name,
            role=role.id,
            policy=_doc(
                {
                    "Sid": "OwnLogs",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": pulumi.Output.concat(log_group.arn, ":*"),
                },
                {
                    # X-Ray has no resource-level permissions.
                    "Sid": "Traces",
                    "Effect": "Allow",
                    "Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
                    "Resource": "*",
                },
                *extra_statements,
            ),
            opts=child,
        )
        function = aws.lambda_.Function(
            name,
            description=f"studio-access {kind}",
            runtime=packaging.LAMBDA_RUNTIME,
            architectures=[packaging.LAMBDA_ARCHITECTURE],
            handler="app.handler",
            code=pulumi.FileArchive(str(package.path)),
            source_code_hash=package.sha256,
            role=role.arn,
            timeout=timeout,
            memory_size=memory,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables=environment),
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON", log_group=log_group.name, application_log_level="INFO", system_log_level="WARN"
            ),
            vpc_config=vpc,
            tags={FUNCTION_TAG: kind},
            # The role's policy must exist before Lambda checks it (VPC interfaces, logs).
            opts=pulumi.ResourceOptions(parent=self, depends_on=[log_group, policy]),
        )
        return function, role

    def _api(self, args: AccessProxyArgs) -> None:
        name, child, api_cfg = self._name, pulumi.ResourceOptions(parent=self), args.access.api
        vpce = args.execute_api_endpoint_id
        self.api = aws.apigateway.RestApi(
            f"{name}-api",
            description="studio-access: presigned Studio URLs, reachable only through the central execute-api endpoint",
            endpoint_configuration=aws.apigateway.RestApiEndpointConfigurationArgs(types="PRIVATE", vpc_endpoint_ids=[vpce]),
            policy=_doc(
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
        authorizer = aws.apigateway.Authorizer(
            f"{name}-jwt",
            rest_api=self.api.id,
            type="REQUEST",
            identity_source="method.request.header.Authorization",
            authorizer_uri=self.authorizer_function.invoke_arn,
            authorizer_result_ttl_in_seconds=api_cfg.authorizer_ttl_seconds,
            opts=child,
        )
        method = aws.apigateway.Method(
            f"{name}-get-user",
            rest_api=self.api.id,
            resource_id=resource.id,
            http_method="GET",
            authorization="CUSTOM",
            authorizer_id=authorizer.id,
            request_parameters={"method.request.path.user_id": True},
            opts=child,
        )
        integration = aws.apigateway.Integration(
            f"{name}-get-user",
            rest_api=self.api.id,
            resource_id=resource.id,
            http_method=method.http_method,
            type="AWS_PROXY",
            integration_http_method="POST",
            uri=self.presigned_url_function.invoke_arn,
            timeout_milliseconds=12000,
            opts=child,
        )
        # A deployment is a snapshot: a new one whenever anything it serves changes.
        fingerprint = pulumi.Output.json_dumps(
            [
                self.api.policy,
                resource.path_part,
                method.authorization,
                method.authorizer_id,
                authorizer.identity_source,
                authorizer.authorizer_uri,
                authorizer.authorizer_result_ttl_in_seconds,
                integration.uri,
                integration.timeout_milliseconds,
            ]
        ).apply(lambda text: hashlib.sha256(text.encode()).hexdigest())
        deployment = aws.apigateway.Deployment(
            f"{name}-api",
            rest_api=self.api.id,
            triggers={"fingerprint": fingerprint},
            opts=pulumi.ResourceOptions(parent=self, depends_on=[method, integration]),
        )
        logging_ready: list[pulumi.Resource] = []
        if api_cfg.manage_account_logging_role and api_cfg.execution_logging_level != "OFF":
            logging_ready.append(self._account_logging_role())
        access_logs = aws.cloudwatch.LogGroup(
            f"{name}-api-access",
            name=f"/studio-access/{pulumi.get_stack()}/api-access",
            retention_in_days=args.access.log_retention_days,
            opts=child,
        )
        self.stage = aws.apigateway.Stage(
            f"{name}-api",
            rest_api=self.api.id,
            deployment=deployment.id,
            stage_name=api_cfg.stage,
            xray_tracing_enabled=True,
            access_log_settings=aws.apigateway.StageAccessLogSettingsArgs(
                destination_arn=access_logs.arn, format=ACCESS_LOG_FORMAT
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=logging_ready),
        )
        aws.apigateway.MethodSettings(
            f"{name}-api",
            rest_api=self.api.id,
            stage_name=self.stage.stage_name,
            method_path="*/*",
            settings=aws.apigateway.MethodSettingsSettingsArgs(
                logging_level=api_cfg.execution_logging_level,
                data_trace_enabled=False,  # full request logs would contain the bearer token
                metrics_enabled=True,
                throttling_rate_limit=api_cfg.throttling_rate_limit,
                throttling_burst_limit=api_cfg.throttling_burst_limit,
            ),
            opts=pulumi.ResourceOptions(parent=self, depends_on=logging_ready),
        )
        # Invoke permissions scoped to this API: the authorizer, and GET /{user_id} on the stage.
        aws.lambda_.Permission(
            f"{name}-authorizer-invoke",
            function=self.authorizer_function.name,
            action="lambda:InvokeFunction",
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(self.api.execution_arn, "/authorizers/", authorizer.id),
            opts=child,
        )
        aws.lambda_.Permission(
            f"{name}-presigned-url-invoke",
            function=self.presigned_url_function.name,
            action="lambda:InvokeFunction",
            principal="apigateway.amazonaws.com",
            source_arn=pulumi.Output.concat(self.api.execution_arn, f"/{api_cfg.stage}/GET/*"),
            opts=child,
        )
        self.api_url = pulumi.Output.concat(
            "https://", self.api.id, f".execute-api.{args.region}.amazonaws.com/{api_cfg.stage}"
        )

    def _account_logging_role(self) -> aws.apigateway.Account:
        """API Gateway's account-wide CloudWatch role: execution logging fails without it."""
        name, child, args = self._name, pulumi.ResourceOptions(parent=self), self._args
        role = aws.iam.Role(
            f"{name}-apigateway-logs",
            description="API Gateway account CloudWatch role (execution logs)",
            # The trust AWS documents for this role: API Gateway assumes it for the whole
            # account and region, outside any request, so no aws:SourceAccount/SourceArn is
            # promised; a condition here could make `Account` fail on the first deploy.
            assume_role_policy=iam.service_trust("apigateway.amazonaws.com"),
            opts=child,
        )
        groups = f"arn:aws:logs:{args.region}:{args.account_id}:log-group:API-Gateway-Execution-Logs_*"
        policy = aws.iam.RolePolicy(
            f"{name}-apigateway-logs",
            role=role.id,
            policy=_doc(
                {
                    "Sid": "ExecutionLogs",
                    "Effect": "Allow",
                    "Action": [
                        "logs:CreateLogGroup",
                        "logs:CreateLogStream",
                        "logs:DescribeLogStreams",
                        "logs:PutLogEvents",
                        "logs:PutRetentionPolicy",
                    ],
                    "Resource": [groups, f"{groups}:*"],
                },
                {"Sid": "FindGroups", "Effect": "Allow", "Action": ["logs:DescribeLogGroups"], "Resource": "*"},
            ),
            opts=child,
        )
        return aws.apigateway.Account(
            f"{name}-apigateway-account",
            cloudwatch_role_arn=role.arn,
            opts=pulumi.ResourceOptions(parent=self, depends_on=[policy]),
        )
