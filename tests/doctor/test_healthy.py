"""A healthy emulated deployment (moto server, built from the plan): every link ok, and what the
doctor does to get there: only reads, each allowed by bootstrap/doctor.yaml, through sessions
that refuse anything else; the outputs from files or the backend; what it says when it cannot read."""

from __future__ import annotations

import ast
import json
from collections import Counter

import pytest

from components import outputs as out
from components.paths import PROJECT_DIR
from testkit.aws import error
from tests.tools.fakes import FakeBackend
from tools.doctor import readonly
from tools.doctor.accounts import Access, open_account

from . import cfn
from .conftest import ACCOUNTS, Doctor, Result
from .world import DOCTOR_ROLE, REGION

FAKED = {
    ("iam", "SimulatePrincipalPolicy"),
    ("ram", "GetResourceShareInvitations"),
    ("route53resolver", "ListResolverRuleAssociations"),
    ("sagemaker", "DescribeUserProfile"),
}


@pytest.fixture(scope="module")
def healthy(deployed: Doctor) -> tuple[Doctor, Result]:
    deployed.fakes.calls.clear()
    return deployed, deployed.run()


def test_a_healthy_deployment_is_all_ok(healthy):
    doctor, result = healthy
    assert result.not_ok() == []
    assert result.code == 0 and result.report["ok"] is True
    plans = doctor.plans
    kinds = Counter((link["stack"], link["link"].split(" ")[0]) for link in result.links)
    # every endpoint, zone and rule of the plan, each LOB's rule associations and profiles
    endpoints = len(plans["shared"]["outputs"][out.ENDPOINT_IDS])
    assert kinds[("shared", "endpoint")] == endpoints
    assert kinds[("shared", "hosted")] == endpoints
    assert (
        sum(1 for link in result.links if link["link"].startswith("resolver rule ") and link["stack"] == "shared")
        == endpoints
    )
    for lob in ("lob-a", "lob-b"):
        rules = [r for r in plans[lob]["resources"] if r["type"].endswith("ResolverRuleAssociation")]
        assert sum(1 for link in result.links if link["stack"] == lob and "rule association" in link["link"]) == len(
            rules
        )
    links = {(link["stack"], link["link"]) for link in result.links}
    assert ("lob-a", "RAM invitation") in links  # lob-a is outside the organization
    assert ("lob-b", "RAM invitation") not in links
    assert {("shared", "function authorizer"), ("shared", "function presigned-url")} <= links
    assert {("lob-b", "function role may assume the access role"), ("lob-b", "access role trust")} <= links


def test_the_doctor_only_reads(healthy):
    doctor, _ = healthy
    calls = doctor.fakes.calls
    assert calls
    writes = {(c.service, c.operation, c.account) for c in calls if not readonly.is_read(c.operation)}
    # the one exception: AssumeRole into each account's doctor role, with the base credentials
    assert writes == {("sts", "AssumeRole", "base")}
    assert {(c.service, c.operation) for c in calls if c.faked} == FAKED


def test_every_call_is_allowed_by_the_read_only_policy(healthy):
    doctor, _ = healthy
    policies = {
        kind: cfn.statements(
            cfn.render({"AccountKind": kind, "TrustedPrincipalArns": "arn:aws:iam::999999999999:role/ops"}, account)
        )
        for kind, account in (("shared", ACCOUNTS["shared"]), ("lob", ACCOUNTS["lob-a"]))
    }
    kind_of = {account: ("shared" if stack == "shared" else "lob") for stack, account in ACCOUNTS.items()}
    denied = sorted(
        {
            (kind_of[c.account], readonly.iam_action(c.service, c.operation))
            for c in doctor.fakes.calls
            if c.account != "base"
            and c.operation != "GetCallerIdentity"  # needs no permission
            and not cfn.allows(policies[kind_of[c.account]], readonly.iam_action(c.service, c.operation))
        }
    )
    assert denied == []


def _fetched_operations() -> set[tuple[str, str]]:
    """Every (service, operation) tools/doctor/fetch.py can call: its call(...) and pages(...) literals."""
    tree = ast.parse((PROJECT_DIR / "tools" / "doctor" / "fetch.py").read_text())
    found = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", None) in ("call", "pages"):
            service, operation = node.args[1], node.args[2]
            if isinstance(service, ast.Constant) and isinstance(operation, ast.Constant):
                found.add((str(service.value), str(operation.value)))
    return found


def test_every_read_the_doctor_can_make_is_a_read_and_in_the_policy(healthy):
    doctor, _ = healthy
    operations = _fetched_operations()
    recorded = {(c.service, c.operation) for c in doctor.fakes.calls if c.service != "sts"}
    assert recorded <= operations  # the static list is complete
    assert all(readonly.is_read(op) for _, op in operations)
    union = [
        s
        for kind in ("shared", "lob")
        for s in cfn.statements(cfn.render({"AccountKind": kind, "TrustedPrincipalArns": "arn:aws:iam::9:role/x"}, "1"))
    ]
    assert [op for op in sorted(operations) if not cfn.allows(union, readonly.iam_action(*op))] == []


def test_the_sessions_refuse_writes_before_sending_them(healthy):
    account = open_account(
        ACCOUNTS["shared"], REGION, Access(role_arn=f"arn:aws:iam::{ACCOUNTS['shared']}:role/{DOCTOR_ROLE}")
    )
    assert account.session is not None, account.problem
    ec2 = account.client("ec2")
    before = len(ec2.describe_vpcs()["Vpcs"])
    with pytest.raises(readonly.WriteRefused, match="ec2:CreateVpc refused"):
        ec2.create_vpc(CidrBlock="10.99.0.0/16")
    assert len(ec2.describe_vpcs()["Vpcs"]) == before


def test_a_read_refused_is_could_not_check_not_broken(healthy):
    doctor, _ = healthy
    doctor.fakes.overrides["sagemaker.DescribeDomain"] = lambda params, account: (
        error(403, "AccessDeniedException", "not allowed") if account == ACCOUNTS["lob-b"] else None
    )
    try:
        result = doctor.run("--stack", "lob-b")
    finally:
        doctor.fakes.overrides.clear()
    assert result.broken() == []
    unchecked = [link for link in result.links if link["status"] == "unchecked"]
    assert [(link["stack"], link["link"]) for link in unchecked] == [("lob-b", "Studio domain")]
    assert "AccessDeniedException" in unchecked[0]["detail"] and "sagemaker:DescribeDomain" in unchecked[0]["detail"]
    assert result.code == 3


def test_no_credentials_for_an_account_leaves_its_links_unchecked(healthy):
    doctor, _ = healthy
    result = doctor.run("--profile", "lob-b=no-such-profile")
    lob_b = [link for link in result.links if link["stack"] == "lob-b"]
    # what is read in the shared account (the TGW's view of the attachment, the function role) still is
    read_in_shared = {"transit gateway attachment", "function role may assume the access role"}
    assert {link["link"] for link in lob_b if link["status"] == "ok"} == read_in_shared
    unchecked = [link for link in lob_b if link["link"] not in read_in_shared]
    assert unchecked and all(
        link["status"] == "unchecked" and "no-such-profile" in link["detail"] for link in unchecked
    )
    assert [link for link in result.links if link["stack"] != "lob-b" and link["status"] != "ok"] == []
    assert result.code == 3


def test_outputs_from_the_backend(healthy):
    doctor, _ = healthy
    fqn = "organization/studio-access/{}".format
    backend = FakeBackend(deployed={fqn(s): v for s, v in doctor.world.outputs.items() if s != "lob-a"})
    result = doctor.run("--stack", "lob-b", "--stack", "lob-a", with_outputs=False, backend=backend)
    assert {s for s, _ in backend.selects} == {fqn("shared"), fqn("lob-a"), fqn("lob-b")}
    assert {link["stack"] for link in result.links} == {"lob-a", "lob-b"}  # shared read, not checked
    assert [link for link in result.links if link["stack"] == "lob-b" and link["status"] != "ok"] == []
    (missing,) = [link for link in result.links if link["stack"] == "lob-a" and link["link"] == "stack outputs"]
    assert missing["status"] == "broken" and 'make deploy ARGS="up --stack lob-a"' in missing["fix"]
    assert result.code == 1


def test_the_text_report(healthy):
    doctor, _ = healthy
    result = doctor.run("--stack", "lob-b", json_out=False)
    lines = result.out.splitlines()
    assert lines[0].startswith(
        "lob-b (organization/studio-access/lob-b, account 333333333333, us-east-1, read with role"
    )
    body = [line for line in lines[1:-1] if line]
    assert body and all(line.split()[0] == "ok" for line in body)
    assert lines[-1].startswith(f"{len(body)} ok, 0 broken, 0 could not be checked (exit 0)")


def test_a_plan_file_instead_of_planning(healthy, tmp_path):
    doctor, _ = healthy
    plan = tmp_path / "plan.json"
    plan.write_text(json.dumps({"stacks": doctor.plans}))  # as python -m tools.plan --json writes it

    def no_plan(stacks, project_dir):
        raise AssertionError("planned although a plan file was given")

    result = doctor.run("--stack", "lob-a", "--plan", str(plan), planner=no_plan)
    assert result.code == 0 and result.not_ok() == []
