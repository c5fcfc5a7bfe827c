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
