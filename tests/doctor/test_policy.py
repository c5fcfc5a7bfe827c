"""bootstrap/doctor.yaml: the role the doctor assumes in each account reads and does nothing else."""

from __future__ import annotations

import re

import pytest

from components.paths import PROJECT_DIR
from tools.doctor import readonly

from . import cfn

OPS = "arn:aws:iam::999999999999:role/operators"
CI = "arn:aws:iam::999999999999:role/ci"
ACCOUNT = "111111111111"


def rendered(kind: str) -> dict:
    return cfn.render({"AccountKind": kind, "TrustedPrincipalArns": f"{OPS},{CI}"}, ACCOUNT)


@pytest.mark.parametrize("kind", ["shared", "lob"])
def test_trusted_only_by_the_principals_given(kind):
    role = rendered(kind)["DoctorRole"]["Properties"]
    (statement,) = role["AssumeRolePolicyDocument"]["Statement"]
    assert statement == {"Effect": "Allow", "Principal": {"AWS": [OPS, CI]}, "Action": "sts:AssumeRole"}
    assert role["ManagedPolicyArns"] == ["<DoctorPolicy>"] and "Policies" not in role


@pytest.mark.parametrize("kind", ["shared", "lob"])
def test_every_action_is_a_read(kind):
    statements = cfn.statements(rendered(kind))
    assert statements and all(s["Effect"] == "Allow" for s in statements)
    for s in statements:
        for action in cfn.listed(s["Action"]):
            name = action.split(":")[1]
            assert "*" not in action, action
            assert readonly.is_read(name) or action == "apigateway:GET", action


@pytest.mark.parametrize("kind", ["shared", "lob"])
def test_star_resources_only_where_iam_has_no_resource_scoping_and_only_in_the_region(kind):
    for s in cfn.statements(rendered(kind)):
        if "*" in cfn.listed(s["Resource"]):
            assert s["Resource"] == "*" and s["Condition"] == {"StringEquals": {"aws:RequestedRegion": "us-east-1"}}
            assert all(a.split(":")[1].startswith(("Describe", "List", "Get")) for a in s["Action"])
        else:
            assert all(r.startswith("arn:aws:") for r in cfn.listed(s["Resource"]))


def test_each_kind_of_account_gets_only_its_own_reads():
    shared = {a for s in cfn.statements(rendered("shared")) for a in cfn.listed(s["Action"])}
    lob = {a for s in cfn.statements(rendered("lob")) for a in cfn.listed(s["Action"])}
    assert "dynamodb:GetItem" in shared and "dynamodb:GetItem" not in lob
    assert "sagemaker:DescribeDomain" in lob and "sagemaker:DescribeDomain" not in shared
    assert shared & lob == {"iam:SimulatePrincipalPolicy"}  # the function role there, the access role here


def test_lob_role_reads_only_the_access_role_of_iam():
    (access,) = [s for s in cfn.statements(rendered("lob")) if s["Sid"] == "AccessRole"]
    assert access["Resource"] == f"arn:aws:iam::{ACCOUNT}:role/SagemakerStudioAccessRole"


def test_the_docs_list_every_action_of_the_policy():
    doc = (PROJECT_DIR / "docs" / "doctor.md").read_text()
    actions = {a for kind in ("shared", "lob") for s in cfn.statements(rendered(kind)) for a in cfn.listed(s["Action"])}
    missing = sorted(a for a in actions if not re.search(rf"`{re.escape(a)}`", doc))
    assert missing == []
