"""One of the access proxy's Lambda functions: its package, log group, role and function.

Used twice, for the authorizer and the presigned-URL function. The role may write the
function's own log group and X-Ray traces and do what the caller's extra statements allow, no
more; the function is tagged with `contracts.tags.FUNCTION_TAG` so the policy pack knows which is
which, logs JSON to its own group, is traced, and waits for its role's policy.

A part of `AccessProxy`, not a component of its own: its resources are children of the proxy,
so their URNs are the ones deployed stacks already have (see `components/access_proxy.py`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pulumi
import pulumi_aws as aws

from contracts.tags import FUNCTION_TAG

from . import iam, packaging


@dataclass(frozen=True, kw_only=True)
class FunctionVpc:
    """The subnets and security groups a function runs in."""

    subnet_ids: Sequence[pulumi.Input[str]]
    security_group_ids: Sequence[pulumi.Input[str]]


@dataclass(frozen=True, kw_only=True)
class RoleDependent:
    """What a function's role must exist for: more statements for its policy, more environment
    (e.g. a KMS key whose key policy names the role, and the function that uses the key)."""

    statements: Sequence[Mapping[str, Any]] = ()
    environment: Mapping[str, pulumi.Input[str]] = field(default_factory=dict)


@dataclass(frozen=True, kw_only=True)
class FunctionArgs:
    # The function's name suffix, package and log group name, and its FUNCTION_TAG value
    # (contracts.tags.AUTHORIZER_FUNCTION or PRESIGNED_URL_FUNCTION).
    kind: str
    # The handler's folder (`app.handler`), under components.paths.FUNCTIONS_DIR.
    source: Path
    environment: Mapping[str, pulumi.Input[str]]
    timeout: int
    memory: int
    log_retention_days: int
    vpc: FunctionVpc | None = None
    # Statements of the role's policy beyond its own logs and traces.
    statements: Sequence[Mapping[str, Any]] = ()
    # Called with the role once it is declared, before its policy and the function.
    with_role: Callable[[aws.iam.Role], RoleDependent] | None = None


class LambdaFunction:
    """A function, its role and its log group, under `parent`, all named `{name}-{kind}`."""

    function: aws.lambda_.Function
    role: aws.iam.Role
    log_group: aws.cloudwatch.LogGroup

    def __init__(self, name: str, args: FunctionArgs, parent: pulumi.Resource) -> None:
        kind, stack = args.kind, pulumi.get_stack()
        name, child = f"{name}-{kind}", pulumi.ResourceOptions(parent=parent)
        package = packaging.build(args.source, f"{stack}-{kind}")
        self.log_group = aws.cloudwatch.LogGroup(
            name,
            name=f"/studio-access/{stack}/{kind}",
            retention_in_days=args.log_retention_days,
            opts=child,
        )
        self.role = aws.iam.Role(
            name,
            description=f"studio-access {kind} function",
            assume_role_policy=iam.service_trust("lambda.amazonaws.com"),
            opts=child,
        )
        extra = args.with_role(self.role) if args.with_role else RoleDependent()
        policy = aws.iam.RolePolicy(
            name,
            role=self.role.id,
            policy=iam.document(
                {
                    "Sid": "OwnLogs",
                    "Effect": "Allow",
                    "Action": ["logs:CreateLogStream", "logs:PutLogEvents"],
                    "Resource": pulumi.Output.concat(self.log_group.arn, ":*"),
                },
                {
                    # X-Ray has no resource-level permissions.
                    "Sid": "Traces",
                    "Effect": "Allow",
                    "Action": ["xray:PutTelemetryRecords", "xray:PutTraceSegments"],
                    "Resource": "*",
                },
                *(dict(statement) for statement in (*args.statements, *extra.statements)),
            ),
            opts=child,
        )
        vpc = args.vpc
        self.function = aws.lambda_.Function(
            name,
            description=f"studio-access {kind}",
            runtime=packaging.LAMBDA_RUNTIME,
            architectures=[packaging.LAMBDA_ARCHITECTURE],
            handler="app.handler",
            code=pulumi.FileArchive(str(package.path)),
            source_code_hash=package.sha256,
            role=self.role.arn,
            timeout=args.timeout,
            memory_size=args.memory,
            environment=aws.lambda_.FunctionEnvironmentArgs(variables={**args.environment, **extra.environment}),
            tracing_config=aws.lambda_.FunctionTracingConfigArgs(mode="Active"),
            logging_config=aws.lambda_.FunctionLoggingConfigArgs(
                log_format="JSON", log_group=self.log_group.name, application_log_level="INFO", system_log_level="WARN"
            ),
            vpc_config=(
                aws.lambda_.FunctionVpcConfigArgs(
                    subnet_ids=list(vpc.subnet_ids), security_group_ids=list(vpc.security_group_ids)
                )
                if vpc
                else None
            ),
            tags={FUNCTION_TAG: kind},
            # The role's policy must exist before Lambda checks it (VPC interfaces, logs).
            opts=pulumi.ResourceOptions(parent=parent, depends_on=[self.log_group, policy]),
        )
