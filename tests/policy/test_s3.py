"""S3 rules (`policy/s3.py`): the VPC's S3 gateway endpoint admits named buckets, for the account's principals."""

from __future__ import annotations

import pytest

from policy.resource_types import VPC_ENDPOINT
from tests.policy.support import check, doc

RULE = "s3-gateway-named-buckets"
IN_ACCOUNT = {"StringEquals": {"aws:PrincipalAccount": "222222222222"}}


def _endpoint(policy: str | None, **extra) -> dict:
    props = {"serviceName": "com.amazonaws.us-east-1.s3", "vpcEndpointType": "Gateway", **extra}
    return props | ({"policy": policy} if policy is not None else {})


GOOD = doc(
    {
        "Sid": "StudioBucket",
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["s3:GetObject", "s3:PutObject", "s3:ListBucket"],
        "Resource": ["arn:aws:s3:::lob-a-studio-1234", "arn:aws:s3:::lob-a-studio-1234/*"],
        "Condition": IN_ACCOUNT,
    },
    {
        "Sid": "AwsOwnedReadOnly",
        "Effect": "Allow",
        "Principal": "*",
        "Action": ["s3:GetObject", "s3:ListBucket"],
        "Resource": ["arn:aws:s3:::jumpstart-cache-prod-us-east-1", "arn:aws:s3:::jumpstart-cache-prod-us-east-1/*"],
        "Condition": IN_ACCOUNT,
    },
)


def test_named_buckets_for_the_accounts_principals_pass():
    assert check(RULE, VPC_ENDPOINT, _endpoint(GOOD)) == []


def test_an_s3_gateway_endpoint_without_a_policy_fails():
    [problem] = check(RULE, VPC_ENDPOINT, _endpoint(None))
    assert "has no policy" in problem and "any bucket of any account" in problem


@pytest.mark.parametrize("resource", ["*", "arn:aws:s3:::*", "arn:aws:s3:::lob-a-*/*", "arn:aws:s3:::"])
def test_any_bucket_fails(resource):
    statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": resource}
    problems = check(RULE, VPC_ENDPOINT, _endpoint(doc(statement | {"Condition": IN_ACCOUNT})))
    assert [p for p in problems if "name the buckets" in p]


def test_named_buckets_for_any_principal_fail():
    statement = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": "arn:aws:s3:::b/*"}
    [problem] = check(RULE, VPC_ENDPOINT, _endpoint(doc(statement)))
    assert "aws:PrincipalAccount" in problem
    wild = statement | {"Condition": {"StringLike": {"aws:PrincipalAccount": "*"}}}
    assert check(RULE, VPC_ENDPOINT, _endpoint(doc(wild)))


def test_not_resource_fails_and_denies_are_left_alone():
    allow = {"Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "NotResource": "arn:aws:s3:::b/*"}
    assert check(RULE, VPC_ENDPOINT, _endpoint(doc(allow | {"Condition": IN_ACCOUNT})))
    deny = {"Effect": "Deny", "Principal": "*", "Action": "s3:*", "Resource": "*"}
    assert check(RULE, VPC_ENDPOINT, _endpoint(doc(deny))) == []


def test_other_endpoints_are_not_this_rules():
    dynamodb = {"serviceName": "com.amazonaws.us-east-1.dynamodb", "vpcEndpointType": "Gateway"}
    interface_s3 = _endpoint(None, vpcEndpointType="Interface")
    assert check(RULE, VPC_ENDPOINT, dynamodb) == [] == check(RULE, VPC_ENDPOINT, interface_s3)
