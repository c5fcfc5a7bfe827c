"""Safe lifecycle of the LOB stacks (issue 16): a config change that would replace a domain is refused
with the reason and the opt-in; the domain is protected unless the operator consented by name; the
destroy order is in the dependencies; budgets are planned where configured."""

from __future__ import annotations

import pulumi_aws as aws
import pytest

from components import studio_domain
from policy import runner
from tests.conftest import one, resources
from tools import plan as plan_tool

LOB = "studio-access:lob"
LOCK_A = {
    "name": "lob-a",
    "domainName": "sagemaker-domain-lob-a",
    "vpcCidr": "10.100.0.0/16",
    "privateSubnets": ["10.100.10.0/24", "10.100.11.0/24"],
}


def _lob(project, stack="lob-a", **values):
    project.edit(stack, lambda c: c[LOB].update(values))


def test_a_plan_that_would_replace_a_domain_stops_with_the_reason_and_the_opt_in(project, capsys):
    _lob(project, domainLock=LOCK_A, privateSubnets=["10.100.12.0/24", "10.100.13.0/24"])
    assert plan_tool.main(["--quiet"], project.path) == 2
    err = capsys.readouterr().err
    [line] = [line for line in err.splitlines() if "domainLock" in line]
    assert line.strip().startswith("Pulumi.lob-a.yaml: studio-access:lob.domainLock: lob.privateSubnets ")
    assert "replaces the Studio domain sagemaker-domain-lob-a" in line
    assert "set lob.allowDomainReplacement: sagemaker-domain-lob-a" in line


def test_with_consent_the_new_domain_is_planned(project):
    _lob(
        project,
        domainLock=LOCK_A,
        privateSubnets=["10.100.12.0/24", "10.100.13.0/24"],
        allowDomainReplacement="sagemaker-domain-lob-a",
    )
    lob = project.plan(["lob-a"])["lob-a"]
    domain = one(lob, "aws:sagemaker/domain:Domain", "lob-a-domain").inputs
    cidrs = sorted(
        r.inputs["cidrBlock"] for r in resources(lob, "aws:ec2/subnet:Subnet") if r.id in domain["subnetIds"]
    )
    assert cidrs == ["10.100.12.0/24", "10.100.13.0/24"]
    assert [v for v in runner.evaluate("lob-a", lob.to_json()["resources"]) if v.enforcement == "mandatory"] == []


def test_a_config_that_matches_its_lock_plans_as_before(project, planned):
    _lob(project, domainLock=LOCK_A)
    lob = project.plan(["lob-a"])["lob-a"]
    assert len(lob.resources) == len(planned["lob-a"].resources)


@pytest.fixture
def protected(monkeypatch):
    """Each planned domain's `protect` and `delete_before_replace`, as the program sets them."""
    seen: dict[str, tuple[bool | None, bool | None]] = {}
    original = aws.sagemaker.Domain

    def recording(name, *args, opts=None, **kwargs):
        seen[name] = (opts.protect, opts.delete_before_replace)
        return original(name, *args, opts=opts, **kwargs)

    monkeypatch.setattr(studio_domain.aws.sagemaker, "Domain", recording)
    return seen


def test_every_domain_is_protected_and_replaced_by_deleting_it_first(protected, project):
    project.plan()
    assert protected == {"lob-a-domain": (True, True), "lob-b-domain": (True, True)}


def test_consent_lifts_the_protection_of_that_domain_only(protected, project):
    # no lock: consent to delete the domain (the destroy of docs/lifecycle.md)
    _lob(project, allowDomainReplacement="sagemaker-domain-lob-a")
    project.plan()
    assert protected == {"lob-a-domain": (False, True), "lob-b-domain": (True, True)}


@pytest.mark.parametrize("stack", ["lob-a", "lob-b"])
def test_the_destroy_order_is_in_the_dependencies(planned, stack):
    """Pulumi deletes a resource before what it depends on: profiles and the access role before the
    domain, the domain before its network and its execution role."""
    lob = planned[stack]
    domain = one(lob, "aws:sagemaker/domain:Domain", f"{stack}-domain")
    for profile in resources(lob, "aws:sagemaker/userProfile:UserProfile"):
        assert domain.urn in profile.dependencies
    access_policy = one(lob, "aws:iam/rolePolicy:RolePolicy", f"{stack}-access-policy")
    assert domain.urn in access_policy.dependencies
    assert domain.urn in one(lob, "aws:iam/rolePolicy:RolePolicy", f"{stack}-execution").dependencies
    before_domain = {
        one(lob, "aws:ec2/route:Route", f"{stack}-default-to-tgw").urn,
        one(lob, "aws:iam/role:Role", f"{stack}-execution").urn,
        one(lob, "aws:ec2/securityGroup:SecurityGroup", f"{stack}-studio").urn,
        *(r.urn for r in resources(lob, "aws:ec2/subnet:Subnet") if r.id in domain.inputs["subnetIds"]),
    }
    assert before_domain <= set(domain.dependencies)


def test_budgets_are_planned_where_the_config_sets_them(planned):
    shared = one(planned["shared"], "aws:budgets/budget:Budget", "shared-budget").inputs
    lob_a = one(planned["lob-a"], "aws:budgets/budget:Budget", "lob-a-budget").inputs
    assert resources(planned["lob-b"], "aws:budgets/budget:Budget") == []
    assert (shared["name"], shared["limitAmount"], shared["accountId"]) == (
        "studio-access-shared",
        "800.00",
        "111111111111",
    )
    assert (lob_a["name"], lob_a["limitAmount"], lob_a["accountId"]) == (
        "studio-access-lob-a",
        "500.00",
        "222222222222",
    )
    assert {n["subscriberEmailAddresses"][0] for n in lob_a["notifications"]} == {"lob-a-owner@example.com"}
    assert len(lob_a["notifications"]) == 4  # 80 and 100 %, actual and forecasted
    assert (
        planned["lob-a"].cost.usage_based()[
            "AWS Budgets: the first two budgets of an account free, then $0.02 a day each (other budgets count)"
        ]
        == 1
    )


def test_a_budget_to_a_topic_is_planned_with_the_topic(project):
    topic = "arn:aws:sns:us-east-1:333333333333:cost-alerts"
    _lob(
        project,
        stack="lob-b",
        budget={"monthlyUsd": 90, "snsTopicArn": topic, "thresholds": [100], "alertOn": ["FORECASTED"]},
    )
    lob = project.plan(["lob-b"])["lob-b"]
    [notification] = one(lob, "aws:budgets/budget:Budget", "lob-b-budget").inputs["notifications"]
    assert (notification["notificationType"], notification["threshold"], notification["subscriberSnsTopicArns"]) == (
        "FORECASTED",
        100,
        [topic],
    )
