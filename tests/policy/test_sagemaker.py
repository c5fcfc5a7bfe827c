"""SageMaker rules (`policy/sagemaker.py`)."""

from __future__ import annotations

import pytest

from policy.resource_types import DOMAIN, INGRESS_RULE, ROLE_POLICY, SECURITY_GROUP
from tests.policy.support import by_name, check, doc, res


def test_domains_must_be_vpc_only():
    assert check("sagemaker-domain-vpc-only", DOMAIN, {"appNetworkAccessType": "VpcOnly", "authMode": "IAM"}) == []
    [problem] = check("sagemaker-domain-vpc-only", DOMAIN, {"appNetworkAccessType": "PublicInternetOnly"})
    assert "use VpcOnly" in problem
    assert check("sagemaker-domain-vpc-only", DOMAIN, {"authMode": "IAM"})


# --------------------------------------------------------------------------- the person on every session


def test_domains_name_the_person_on_the_execution_roles_sessions():
    rule = "sagemaker-execution-identity"
    good = {"appNetworkAccessType": "VpcOnly", "domainSettings": {"executionRoleIdentityConfig": "USER_PROFILE_NAME"}}
    assert check(rule, DOMAIN, good) == []
    [problem] = check(rule, DOMAIN, {"domainSettings": {"executionRoleIdentityConfig": "DISABLED"}})
    assert "use USER_PROFILE_NAME" in problem
    assert check(rule, DOMAIN, {"appNetworkAccessType": "VpcOnly"})


# --------------------------------------------------------------------------- spaces and apps: the owner's

CALLER = "arn:aws:sagemaker:us-east-1:222222222222:user-profile/d-abc/${sagemaker:UserProfileName}"
OWNER = {"ArnLike": {"sagemaker:OwnerUserProfileArn": CALLER}}
SPACES = "arn:aws:sagemaker:us-east-1:222222222222:space/d-abc/*"
APPS = "arn:aws:sagemaker:us-east-1:222222222222:app/d-abc/*"
SPACE_WRITES = ["sagemaker:CreateSpace", "sagemaker:UpdateSpace", "sagemaker:DeleteSpace"]
APP_WRITES = ["sagemaker:CreateApp", "sagemaker:DeleteApp"]


def _private(*statements):
    return check("sagemaker-private-spaces", ROLE_POLICY, {"policy": doc(*statements)})


def test_aws_private_space_conditions_pass():
    assert (
        _private(
            {
                "Effect": "Allow",
                "Action": SPACE_WRITES,
                "Resource": SPACES,
                "Condition": OWNER | {"StringEquals": {"sagemaker:SpaceSharingType": ["Private", "Shared"]}},
            },
            {
                "Effect": "Allow",
                "Action": APP_WRITES,
                "Resource": APPS,
                "Condition": OWNER | {"StringEquals": {"sagemaker:SpaceSharingType": ["Private"]}},
            },
            {
                "Effect": "Allow",
                "Action": APP_WRITES,
                "Resource": APPS,
                "Condition": {"StringEquals": {"sagemaker:SpaceSharingType": ["Shared"]}},
            },
            {
                "Effect": "Allow",
                "Action": APP_WRITES,
                "Resource": "arn:aws:sagemaker:us-east-1:222222222222:app/d-abc/${sagemaker:UserProfileName}/*",
                "Condition": {"Null": {"sagemaker:OwnerUserProfileArn": "true"}},
            },
            {"Effect": "Allow", "Action": ["sagemaker:DescribeSpace", "sagemaker:ListSpaces"], "Resource": "*"},
        )
        == []
    )


@pytest.mark.parametrize(
    "condition",
    [
        None,
        {"StringEquals": {"sagemaker:SpaceSharingType": ["Private"]}},
        {"ArnLike": {"sagemaker:OwnerUserProfileArn": "arn:aws:sagemaker:us-east-1:222222222222:user-profile/d-abc/*"}},
        {"ArnLikeIfExists": {"sagemaker:OwnerUserProfileArn": CALLER}},
    ],
)
def test_changing_anyones_spaces_fails(condition):
    statement = {"Effect": "Allow", "Action": "sagemaker:DeleteSpace", "Resource": SPACES}
    [problem] = _private(statement | ({"Condition": condition} if condition else {}))
    assert "sagemaker:DeleteSpace" in problem and "other people's spaces" in problem


@pytest.mark.parametrize(
    "statement",
    [
        {"Effect": "Allow", "Action": "sagemaker:DeleteApp", "Resource": APPS},
        {"Effect": "Allow", "Action": "sagemaker:*", "Resource": "*"},
        # private spaces among the kinds, without naming the owner: anyone's private space apps
        {
            "Effect": "Allow",
            "Action": APP_WRITES,
            "Resource": APPS,
            "Condition": {"StringEquals": {"sagemaker:SpaceSharingType": ["Private", "Shared"]}},
        },
        {
            "Effect": "Allow",
            "Action": APP_WRITES,
            "Resource": APPS,
            "Condition": {"Null": {"sagemaker:OwnerUserProfileArn": "true"}},
        },
    ],
)
def test_stopping_anyones_apps_fails(statement):
    problems = _private(statement)
    assert any("other people's apps" in p for p in problems)


# --------------------------------------------------------------------------- Studio's security groups

DOMAIN_SG = "sg-0studio"


def _studio_stack(*rules):
    group = res(SECURITY_GROUP, "studio", {"vpcId": "vpc-1"}, id_=DOMAIN_SG)
    domain = res(DOMAIN, "domain", {"defaultUserSettings": {"securityGroups": [DOMAIN_SG]}})
    other = res(SECURITY_GROUP, "other", {"vpcId": "vpc-1"}, id_="sg-0other")
    return [group, domain, other, *rules]


def _rule(name, group, **props):
    base = {"securityGroupId": group, "ipProtocol": "tcp", "referencedSecurityGroupId": DOMAIN_SG}
    return res(INGRESS_RULE, name, base | props)


def _ports(resources):
    stack_check = by_name("studio-sg-ports").stack_check
    assert stack_check is not None
    return stack_check(resources)


def test_nfs_and_the_app_ports_within_studio_pass():
    rules = [_rule("nfs", DOMAIN_SG, fromPort=2049, toPort=2049), _rule("apps", DOMAIN_SG, fromPort=8192, toPort=65535)]
    assert _ports(_studio_stack(*rules)) == []


@pytest.mark.parametrize(
    "props, what",
    [
        ({"ipProtocol": "-1"}, "every protocol and port"),
        ({"fromPort": 22, "toPort": 22}, "ports 22-22"),
        ({"fromPort": 0, "toPort": 65535}, "ports 0-65535"),
        ({"ipProtocol": "udp", "fromPort": 2049, "toPort": 2049}, "protocol udp"),
    ],
)
def test_other_ports_into_studio_fail(props, what):
    [(resource, message)] = _ports(_studio_stack(_rule("wide", DOMAIN_SG, **props)))
    assert resource.name == "wide" and what in message


def test_other_groups_are_not_studios():
    assert _ports(_studio_stack(_rule("elsewhere", "sg-0other", ipProtocol="-1"))) == []


# --------------------------------------------------------------------------- idle shutdown

IDLE = {"lifecycleManagement": "ENABLED", "idleTimeoutInMinutes": 60, "minIdleTimeoutInMinutes": 60}


def _domain(user_lab=None, user_editor=None, space_lab=None, **extra):
    def app(idle):
        return {"appLifecycleManagement": {"idleSettings": idle}} if idle is not None else {}

    default = IDLE | {"maxIdleTimeoutInMinutes": 480}
    return {
        "defaultUserSettings": {
            "jupyterLabAppSettings": app(default if user_lab is None else user_lab),
            "codeEditorAppSettings": app(default if user_editor is None else user_editor),
        },
        "defaultSpaceSettings": {"jupyterLabAppSettings": app(default if space_lab is None else space_lab)},
        **extra,
    }


def test_idle_shutdown_on_every_app_kind_with_a_bounded_choice_passes():
    assert check("sagemaker-idle-shutdown", DOMAIN, _domain()) == []


@pytest.mark.parametrize(
    "settings, what",
    [
        ({"user_lab": {"lifecycleManagement": "DISABLED"}}, "defaultUserSettings.jupyterLabAppSettings"),
        ({"user_editor": {}}, "defaultUserSettings.codeEditorAppSettings"),
        ({"space_lab": IDLE}, "defaultSpaceSettings.jupyterLabAppSettings"),  # no maximum: any timeout
        ({"user_lab": {"lifecycleManagement": "ENABLED", "maxIdleTimeoutInMinutes": 480}}, "jupyterLabAppSettings"),
        ({"user_editor": IDLE | {"idleTimeoutInMinutes": 600, "maxIdleTimeoutInMinutes": 480}}, "outside 60-480"),
    ],
)
def test_idle_shutdown_off_unset_or_unbounded_fails(settings, what):
    [problem] = check("sagemaker-idle-shutdown", DOMAIN, _domain(**settings))
    assert what in problem and "billed per instance-hour" in problem


def test_a_domain_without_any_idle_settings_fails_for_each_app_kind():
    problems = check("sagemaker-idle-shutdown", DOMAIN, {"appNetworkAccessType": "VpcOnly"})
    assert len(problems) == 3 and all("unset (DISABLED)" in p for p in problems)
    assert check("sagemaker-idle-shutdown", ROLE_POLICY, {"policy": "{}"}) == []


# --------------------------------------------------------------------------- app instance types

TYPES = ["ml.t3.medium", "ml.m5.large", "system"]
LIMITED = {"ForAllValues:StringEquals": {"sagemaker:InstanceTypes": TYPES}}


def _types(*statements):
    return check("sagemaker-app-instance-types", ROLE_POLICY, {"policy": doc(*statements)})


def test_create_app_on_listed_instance_types_passes():
    statement = {"Effect": "Allow", "Action": APP_WRITES, "Resource": APPS, "Condition": OWNER | LIMITED}
    deny = {"Effect": "Deny", "Action": "sagemaker:CreateApp", "Resource": "*"}
    assert _types(statement, deny, {"Effect": "Allow", "Action": "sagemaker:DeleteApp", "Resource": APPS}) == []


@pytest.mark.parametrize(
    "condition",
    [
        None,
        OWNER,
        # any one allowed type in the request would do: a GPU beside it passes
        {"ForAnyValue:StringEquals": {"sagemaker:InstanceTypes": TYPES}},
        {"StringEquals": {"sagemaker:InstanceTypes": TYPES}},
        {"ForAllValues:StringEquals": {"sagemaker:InstanceTypes": []}},
    ],
)
def test_create_app_on_any_instance_type_fails(condition):
    statement = {"Effect": "Allow", "Action": "sagemaker:CreateApp", "Resource": APPS}
    [problem] = _types(statement | ({"Condition": condition} if condition else {}))
    assert "sagemaker:CreateApp" in problem and "any instance type" in problem


def test_a_wildcard_action_that_covers_create_app_is_held_to_the_same_limit():
    assert _types({"Effect": "Allow", "Action": "sagemaker:Create*", "Resource": APPS})
    assert _types({"Effect": "Allow", "Action": "sagemaker:Create*", "Resource": APPS, "Condition": LIMITED}) == []
