"""The platform keys of issue 14: API Gateway's account logging role (an explicit choice), the Studio
bucket's force destroy, the permissions boundary. Each bad value gives one line with key and fix."""

from __future__ import annotations

import pytest

API = "studio-access:access.api"


def _api(project, **values):
    project.edit("shared", lambda c: c["studio-access:access"]["api"].update(values))


def _api_without(project, *keys):
    project.edit("shared", lambda c: [c["studio-access:access"]["api"].pop(k, None) for k in keys])


@pytest.mark.parametrize("level", ["OFF", "ERROR", "INFO"])
def test_every_execution_logging_level_loads_with_either_choice(project, level):
    _api(project, executionLoggingLevel=level)
    assert project.load("shared").config.access.api.manages_account_logging_role is True
    _api(project, accountLoggingRole="existing", accountLoggingRoleArn="arn:aws:iam::111111111111:role/apigw-logs")
    api = project.load("shared").config.access.api
    assert api.manages_account_logging_role is False and api.execution_logging_level == level


@pytest.mark.parametrize("level", ["OFF", "ERROR", "INFO"])
def test_no_choice_is_refused_with_the_reason(project, level):
    _api(project, executionLoggingLevel=level)
    _api_without(project, "accountLoggingRole")
    [(file, key, message)] = project.problems("shared")
    assert (file, key) == ("Pulumi.shared.yaml", API)
    assert "accountLoggingRole is required" in message and "access logs fail" in message


@pytest.mark.parametrize("level", ["OFF", "ERROR", "INFO"])
def test_existing_without_naming_the_role_is_refused(project, level):
    # OFF included: access logs need the account role whatever the execution log level.
    _api(project, executionLoggingLevel=level, accountLoggingRole="existing")
    [(_, key, message)] = project.problems("shared")
    assert key == API and "needs accountLoggingRoleArn" in message and "aws apigateway get-account" in message


def test_the_named_role_is_one_of_the_shared_account(project):
    _api(project, accountLoggingRole="existing", accountLoggingRoleArn="arn:aws:iam::999999999999:role/apigw-logs")
    [(_, _, message)] = project.problems("shared")
    assert "another account than aws.accountId 111111111111" in message


def test_manage_takes_no_role_arn(project):
    _api(project, accountLoggingRoleArn="arn:aws:iam::111111111111:role/apigw-logs")
    [(_, key, message)] = project.problems("shared")
    assert key == API and "only for accountLoggingRole existing" in message


def test_the_old_key_says_what_replaced_it(project):
    _api(project, manageAccountLoggingRole=False)
    [(_, key, message)] = project.problems("shared")
    assert key == API and "was replaced by accountLoggingRole" in message


def test_force_destroy_defaults_to_keeping_the_data(project):
    assert project.load("lob-a").config.lob.studio_bucket_force_destroy is False


def test_the_permissions_boundary_defaults_to_bootstraps_policy(project):
    aws = project.load("lob-a").config.aws
    assert aws.boundary_arn("lob-a") == "arn:aws:iam::222222222222:policy/studio-access-boundary-lob-a"
    project.edit("lob-a", lambda c: c["studio-access:aws"].update(permissionsBoundaryArn="not-an-arn"))
    [(_, key, message)] = project.problems("lob-a")
    assert key == "studio-access:aws.permissionsBoundaryArn" and "IAM managed policy ARN" in message
