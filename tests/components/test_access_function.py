"""The access proxy's Lambda function alone: role, log group and function, as the Args say."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from components import packaging
from components.access_function import FunctionArgs, FunctionVpc, LambdaFunction, RoleDependent
from contracts import tags
from tests.components.conftest import STACK, Graph, Parent, by_sid, statements

FUNCTION = "aws:lambda/function:Function"
ROLE = "aws:iam/role:Role"
READ = {"Sid": "ReadSomething", "Effect": "Allow", "Action": ["dynamodb:GetItem"], "Resource": "arn:aws:dynamodb:x"}


@pytest.fixture
def args(tmp_path: Path) -> FunctionArgs:
    (tmp_path / "app.py").write_text("def handler(event, context):\n    return {}\n")
    return FunctionArgs(
        kind=tags.PRESIGNED_URL_FUNCTION,
        source=tmp_path,
        environment={"SOME_NAME": "some value"},
        timeout=7,
        memory=384,
        log_retention_days=90,
        statements=(READ,),
    )


def _function(args: FunctionArgs, **changes: Any) -> Parent:
    return Parent(lambda parent: LambdaFunction("access", replace(args, **changes), parent=parent))


def test_role_trusts_lambda_only(graph: Graph, args: FunctionArgs) -> None:
    graph.build(lambda: _function(args))
    role = graph.one(ROLE, "access-presigned-url").inputs
    assert statements(role["assumeRolePolicy"]) == [
        {"Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}
    ]
    assert "managedPolicyArns" not in role


def test_role_writes_its_own_logs_and_traces_and_does_what_it_is_given(graph: Graph, args: FunctionArgs) -> None:
    graph.build(lambda: _function(args))
    policy = graph.one("aws:iam/rolePolicy:RolePolicy", "access-presigned-url")
    assert policy.inputs["role"] == graph.one(ROLE, "access-presigned-url").id
    found = by_sid(policy.inputs["policy"])
    assert set(found) == {"OwnLogs", "Traces", "ReadSomething"}
    group = graph.one("aws:cloudwatch/logGroup:LogGroup", "access-presigned-url")
    assert found["OwnLogs"]["Resource"] == group.outputs["arn"] + ":*"
    assert found["OwnLogs"]["Action"] == ["logs:CreateLogStream", "logs:PutLogEvents"]
    assert found["ReadSomething"] == READ


def test_function_as_given_tagged_traced_and_logging_json_to_its_group(graph: Graph, args: FunctionArgs) -> None:
    graph.build(lambda: _function(args))
    function = graph.one(FUNCTION, "access-presigned-url")
    fn = function.inputs
    assert fn["tags"] == {tags.FUNCTION_TAG: tags.PRESIGNED_URL_FUNCTION}
    assert fn["environment"] == {"variables": {"SOME_NAME": "some value"}}
    assert (fn["timeout"], fn["memorySize"], fn["handler"]) == (7, 384, "app.handler")
    assert (fn["runtime"], fn["architectures"]) == (packaging.LAMBDA_RUNTIME, [packaging.LAMBDA_ARCHITECTURE])
    assert fn["role"] == graph.one(ROLE, "access-presigned-url").outputs["arn"]
    assert fn["tracingConfig"] == {"mode": "Active"}
    group = graph.one("aws:cloudwatch/logGroup:LogGroup", "access-presigned-url")
    assert group.inputs == {"name": f"/studio-access/{STACK}/presigned-url", "retentionInDays": 90}
    assert fn["loggingConfig"]["logGroup"] == group.inputs["name"] and fn["loggingConfig"]["logFormat"] == "JSON"
    assert fn["code"].path.endswith(f"{STACK}-presigned-url.zip") and len(fn["sourceCodeHash"]) == 44
    policy = graph.one("aws:iam/rolePolicy:RolePolicy", "access-presigned-url")
    assert {group.urn, policy.urn} <= set(function.dependencies)


def test_outside_a_vpc_unless_given_one(graph: Graph, args: FunctionArgs) -> None:
    graph.build(lambda: _function(args))
    assert "vpcConfig" not in graph.one(FUNCTION, "access-presigned-url").inputs


def test_in_the_given_subnets_and_groups(graph: Graph, args: FunctionArgs) -> None:
    vpc = FunctionVpc(subnet_ids=["subnet-1", "subnet-2"], security_group_ids=["sg-1"])
    graph.build(lambda: _function(args, vpc=vpc))
    assert graph.one(FUNCTION, "access-presigned-url").inputs["vpcConfig"] == {
        "subnetIds": ["subnet-1", "subnet-2"],
        "securityGroupIds": ["sg-1"],
    }


def test_two_instances_side_by_side(graph: Graph, args: FunctionArgs) -> None:
    def make() -> Parent:
        def both(parent: Any) -> list[LambdaFunction]:
            return [
                LambdaFunction("access", replace(args, kind=kind), parent=parent)
                for kind in (tags.AUTHORIZER_FUNCTION, tags.PRESIGNED_URL_FUNCTION)
            ]

        return Parent(both)

    graph.build(make)
    assert sorted(f.inputs["tags"][tags.FUNCTION_TAG] for f in graph.of_type(FUNCTION)) == sorted(tags.FUNCTIONS)
    assert sorted(r.name for r in graph.of_type(ROLE)) == ["access-authorizer", "access-presigned-url"]


def test_what_needs_the_role_joins_its_policy_and_the_environment(graph: Graph, args: FunctionArgs) -> None:
    """`with_role` sees the declared role (e.g. to name it in a key policy) before its policy and the
    function exist, and adds statements and environment to them."""
    seen: list[Any] = []

    def with_role(role: Any) -> RoleDependent:
        seen.append(role)
        statement = {"Sid": "UseTheKey", "Effect": "Allow", "Action": "kms:Sign", "Resource": "arn:aws:kms:k"}
        return RoleDependent(statements=[statement], environment={"KEY_NAME": role.arn})

    graph.build(lambda: _function(args, with_role=with_role))
    role = graph.one(ROLE, "access-presigned-url")
    assert len(seen) == 1
    assert set(by_sid(graph.one("aws:iam/rolePolicy:RolePolicy", "access-presigned-url").inputs["policy"])) == {
        "OwnLogs",
        "Traces",
        "ReadSomething",
        "UseTheKey",
    }
    env = graph.one(FUNCTION, "access-presigned-url").inputs["environment"]["variables"]
    assert env == {"SOME_NAME": "some value", "KEY_NAME": role.outputs["arn"]}
