"""Endpoint policies (`policy/endpoints.py`): the data perimeter, its exceptions, and the declared opt-out."""

from __future__ import annotations

import pytest

from contracts.tags import ENDPOINT_POLICY_AWS_DEFAULT, ENDPOINT_POLICY_PERIMETER, ENDPOINT_POLICY_TAG
from policy.endpoints import is_perimeter_statement, perimeter_problem
from policy.model import ADVISORY, MANDATORY
from policy.resource_types import ROLE_POLICY, VPC_ENDPOINT, VPC_ENDPOINT_POLICY
from tests.policy.support import by_name, check, doc, res

ORG = {"aws:PrincipalOrgID": "o-abcdefghij", "aws:ResourceOrgID": "o-abcdefghij"}
ACCOUNTS = {"aws:PrincipalAccount": ["111111111111", "222222222222"], "aws:ResourceAccount": ["111111111111"]}


def _allow(condition=None, **fields):
    statement = {"Effect": "Allow", "Principal": "*", "Action": "sagemaker:*", "Resource": "*"} | fields
    if condition is not None:
        statement["Condition"] = condition
    return statement


@pytest.mark.parametrize(
    "statement",
    [
        _allow({"StringEquals": ORG}),
        _allow({"StringEquals": ACCOUNTS}),
        _allow(
            {"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}, Resource=["arn:aws:sagemaker:us-east-1:aws:hub/*"]
        ),
        _allow(
            {"StringEquals": {"aws:ResourceOrgID": "o-abcdefghij"}},
            Principal={"Federated": "*"},
            Action=["sts:AssumeRoleWithSAML", "sts:AssumeRoleWithWebIdentity"],
        ),
        _allow(None, Action="execute-api:Invoke", Resource=["arn:aws:execute-api:us-east-1:111111111111:a1b2c3/*"]),
        {"Effect": "Deny", "Principal": "*", "Action": "*", "Resource": "*"},
    ],
    ids=["organization", "accounts", "aws-owned", "federation", "named-api", "deny"],
)
def test_statements_inside_the_perimeter(statement):
    assert perimeter_problem(statement) is None


@pytest.mark.parametrize(
    "statement, says",
    [
        (_allow(None), "principals bounded by aws:PrincipalOrgID or aws:PrincipalAccount and resources bounded"),
        (_allow({"StringEquals": {"aws:PrincipalOrgID": "o-abcdefghij"}}), "resources bounded by"),
        (_allow({"StringEquals": {"aws:ResourceOrgID": "o-abcdefghij"}}), "principals bounded by"),
        (_allow({"StringEqualsIfExists": ORG}), "principals bounded by"),
        (_allow({"StringLike": {"aws:PrincipalOrgID": "o-*", "aws:ResourceOrgID": "o-*"}}), "principals bounded by"),
        (_allow({"StringEquals": ORG}, NotResource="arn:aws:s3:::x"), "uses NotResource"),
        (
            _allow(
                {"StringEquals": {"aws:ResourceOrgID": "o-abcdefghij"}},
                Action="sts:AssumeRole",
                Principal={"Federated": "*"},
            ),
            "principals bounded by",
        ),
        (_allow(None, Action="execute-api:Invoke", Resource=["arn:aws:execute-api:us-east-1:*:*/*"]), "named APIs"),
        (
            _allow(None, Action="execute-api:*", Resource=["arn:aws:execute-api:us-east-1:111111111111:a1b2c3/*"]),
            "named APIs",
        ),
    ],
)
def test_statements_outside_the_perimeter(statement, says):
    problem = perimeter_problem(statement)
    assert problem is not None and says in problem
    assert not is_perimeter_statement(statement)


def _endpoint(name="sts", policy=None, tag=ENDPOINT_POLICY_PERIMETER, id_="vpce-1"):
    props = {"vpcEndpointType": "Interface", "tags": {ENDPOINT_POLICY_TAG: tag} if tag else {}}
    if policy is not None:
        props["policy"] = policy
    return res(VPC_ENDPOINT, name, props, id_=id_)


def test_an_endpoint_with_a_perimeter_policy_inline_or_attached_passes():
    stack_check = by_name("endpoint-data-perimeter").stack_check
    assert by_name("endpoint-data-perimeter").enforcement == MANDATORY
    assert stack_check([_endpoint(policy=doc(_allow({"StringEquals": ORG})))]) == []
    attached = res(
        VPC_ENDPOINT_POLICY,
        "api-policy",
        {
            "vpcEndpointId": "vpce-1",
            "policy": doc(
                _allow(None, Action="execute-api:Invoke", Resource=["arn:aws:execute-api:us-east-1:111111111111:abc/*"])
            ),
        },
    )
    assert stack_check([_endpoint(), attached]) == []


def test_an_open_policy_or_a_declared_perimeter_without_a_policy_fails():
    stack_check = by_name("endpoint-data-perimeter").stack_check
    [(where, problem)] = stack_check([_endpoint(policy=doc(_allow(None, Action="*")))])
    assert where.name == "sts" and "outside the data perimeter" in problem
    [(where, problem)] = stack_check([_endpoint()])
    assert where.name == "sts" and "has no policy" in problem
    bad = res(
        VPC_ENDPOINT_POLICY,
        "late",
        {"vpcEndpointId": "vpce-1", "policy": doc(_allow({"StringEquals": {"aws:PrincipalOrgID": "o-x"}}))},
    )
    [(where, problem)] = stack_check([_endpoint(), bad])
    assert where.name == "late" and "resources bounded" in problem


def test_the_declared_opt_out_passes_the_mandatory_rule_and_is_reported():
    opted_out = _endpoint(tag=ENDPOINT_POLICY_AWS_DEFAULT)
    assert by_name("endpoint-data-perimeter").stack_check([opted_out]) == []
    rule = by_name("endpoint-policy-opt-out")
    assert rule.enforcement == ADVISORY
    [(where, problem)] = rule.stack_check([opted_out])
    assert where.name == "sts" and "the config's opt-out" in problem
    [(_, problem)] = rule.stack_check([_endpoint(tag=None)])
    assert "no policy and no declared opt-out" in problem
    assert rule.stack_check([_endpoint(policy=doc(_allow({"StringEquals": ORG})))]) == []
    # a deployed endpoint reports AWS's default as its policy output: still the declared opt-out
    aws_default = doc({"Effect": "Allow", "Principal": "*", "Action": "*", "Resource": "*"})
    deployed = _endpoint(policy=aws_default, tag=ENDPOINT_POLICY_AWS_DEFAULT)
    assert by_name("endpoint-data-perimeter").stack_check([deployed]) == []
    [(where, _)] = rule.stack_check([deployed])
    assert where.name == "sts"
    gateway = res(VPC_ENDPOINT, "s3", {"vpcEndpointType": "Gateway"})
    assert rule.stack_check([gateway]) == []


def test_the_iam_rules_leave_a_bounded_endpoint_statement_to_the_perimeter_rule():
    bounded = {"policy": doc(_allow({"StringEquals": ORG}, Action="*"))}
    assert check("iam-no-wildcard-actions", VPC_ENDPOINT, bounded) == []
    assert check("iam-sensitive-actions-scoped", VPC_ENDPOINT, bounded) == []
    open_ = {"policy": doc(_allow(None, Action="*"))}
    assert check("iam-no-wildcard-actions", VPC_ENDPOINT, open_)
    assert check("iam-sensitive-actions-scoped", VPC_ENDPOINT_POLICY, open_)
    # an identity policy is a grant: the same statement there is still refused
    assert check("iam-no-wildcard-actions", ROLE_POLICY, bounded)
