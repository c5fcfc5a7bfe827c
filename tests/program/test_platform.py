"""The platform items of issue 14 on the planned stacks: API Gateway's account logging role for every
execution log level and choice, each plan passing the policy pack."""

from __future__ import annotations

import json

import pytest

from policy import runner
from tests.conftest import one, resources

ACCOUNT = "aws:apigateway/account:Account"
EXISTING_ROLE = "arn:aws:iam::111111111111:role/apigw-logs"


@pytest.mark.parametrize("level", ["OFF", "ERROR", "INFO"])
@pytest.mark.parametrize("choice", ["manage", "existing"])
def test_every_logging_combination_plans_with_the_account_role_before_the_stage(project, level, choice):
    api = {"executionLoggingLevel": level, "accountLoggingRole": choice}
    if choice == "existing":
        api["accountLoggingRoleArn"] = EXISTING_ROLE
    project.edit("shared", lambda c: c["studio-access:access"]["api"].update(api))
    shared = project.plan(["shared"])["shared"]
    stage = one(shared, "aws:apigateway/stage:Stage", "access-api")
    settings = one(shared, "aws:apigateway/methodSettings:MethodSettings", "access-api")
    assert settings.inputs["settings"]["loggingLevel"] == level
    assert stage.inputs["accessLogSettings"]["destinationArn"]  # access logs at every level
    accounts = resources(shared, ACCOUNT)
    if choice == "manage":
        (account,) = accounts
        role = one(shared, "aws:iam/role:Role", "access-apigateway-logs")
        assert account.inputs["cloudwatchRoleArn"] == role.outputs["arn"]
        assert account.urn in stage.dependencies and account.urn in settings.dependencies
        (push,) = json.loads(one(shared, "aws:iam/rolePolicy:RolePolicy", "access-apigateway-logs").inputs["policy"])[
            "Statement"
        ]
        access_group = one(shared, "aws:cloudwatch/logGroup:LogGroup", "access-api-access").inputs["name"]
        groups = push["Resource"][0]
        assert groups.endswith(":log-group:*") and "logs:PutLogEvents" in push["Action"], access_group
    else:
        assert accounts == [] and not [r for r in resources(shared, "aws:iam/role:Role") if "apigateway" in r.name]
    violations = runner.evaluate("shared", shared.to_json()["resources"])
    assert [v for v in violations if v.enforcement == "mandatory"] == []
