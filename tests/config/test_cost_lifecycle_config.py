"""The keys of issue 16: idle shutdown and app instance types per LOB, the budgets, and the guard on a
domain's replacing fields (lob.domainLock, lob.allowDomainReplacement). Each bad value gives one line
naming the key and the fix."""

from __future__ import annotations

import pytest

LOB = "studio-access:lob"
LOCK = {
    "name": "lob-a",
    "domainName": "sagemaker-domain-lob-a",
    "vpcCidr": "10.100.0.0/16",
    "privateSubnets": ["10.100.10.0/24", "10.100.11.0/24"],
}


def _lob(project, stack="lob-a", **values):
    project.edit(stack, lambda c: c[LOB].update(values))


def _without(project, *keys, stack="lob-a"):
    project.edit(stack, lambda c: [c[LOB].pop(k, None) for k in keys])


# --------------------------------------------------------------------------- idle shutdown


def test_idle_shutdown_defaults_to_an_hour_with_a_working_day_at_most(project):
    idle = project.load("lob-b").config.lob.idle_shutdown
    assert (idle.idle_timeout_minutes, idle.min_idle_timeout_minutes, idle.max_idle_timeout_minutes) == (60, 60, 480)


def test_idle_shutdown_takes_a_default_and_the_range_a_person_may_choose(project):
    _lob(project, idleShutdown={"idleTimeoutMinutes": 120, "minIdleTimeoutMinutes": 90, "maxIdleTimeoutMinutes": 720})
    idle = project.load("lob-a").config.lob.idle_shutdown
    assert (idle.idle_timeout_minutes, idle.min_idle_timeout_minutes, idle.max_idle_timeout_minutes) == (120, 90, 720)


@pytest.mark.parametrize(
    "idle, key, words",
    [
        ({"idleTimeoutMinutes": 30}, "idleShutdown.idleTimeoutMinutes", "greater than or equal to 60"),
        ({"maxIdleTimeoutMinutes": 600000}, "idleShutdown.maxIdleTimeoutMinutes", "less than or equal to 525600"),
        (
            {"idleTimeoutMinutes": 600},
            "idleShutdown",
            "must lie between minIdleTimeoutMinutes 60 and maxIdleTimeoutMinutes 480",
        ),
        ({"enabled": False}, "idleShutdown.enabled", "unknown key"),
    ],
)
def test_idle_timeouts_outside_sagemakers_range_or_out_of_order_are_refused(project, idle, key, words):
    _lob(project, idleShutdown=idle)
    [(file, found, message)] = project.problems("lob-a")
    assert (file, found) == ("Pulumi.lob-a.yaml", f"{LOB}.{key}") and words in message


# --------------------------------------------------------------------------- app instance types


def test_small_cpu_instances_by_default(project):
    assert project.load("lob-a").config.lob.app_instance_types == [
        "ml.t3.medium",
        "ml.t3.large",
        "ml.m5.large",
        "ml.m5.xlarge",
    ]


def test_the_lob_chooses_its_instance_types(project):
    _lob(project, appInstanceTypes=["ml.t3.medium", "ml.g5.xlarge"])
    assert project.load("lob-a").config.lob.app_instance_types == ["ml.t3.medium", "ml.g5.xlarge"]


@pytest.mark.parametrize(
    "types, key, words",
    [
        ([], "appInstanceTypes", "at least 1 item"),
        (["t3.medium"], "appInstanceTypes[0]", "SageMaker app instance type"),
        (["ml.*"], "appInstanceTypes[0]", "SageMaker app instance type"),
        (["ml.t3.medium", "ml.t3.medium"], "appInstanceTypes", "duplicate appInstanceTypes: ml.t3.medium"),
        ([f"ml.m5.{n}xlarge" for n in range(51)], "appInstanceTypes", "at most 50 items"),
    ],
)
def test_bad_instance_types_are_refused(project, types, key, words):
    _lob(project, appInstanceTypes=types)
    [(_, found, message)] = project.problems("lob-a")
    assert found == f"{LOB}.{key}" and words in message


# --------------------------------------------------------------------------- budgets


def test_no_budget_unless_configured(project):
    assert project.load("lob-b").config.lob.budget is None


@pytest.mark.parametrize("stack, key", [("lob-a", "studio-access:lob.budget"), ("shared", "studio-access:budget")])
def test_a_budget_with_an_address_or_a_topic(project, stack, key):
    topic = "arn:aws:sns:us-east-1:222222222222:cost-alerts"
    budget = {"monthlyUsd": 250, "snsTopicArn": topic}

    def edit(c):
        if stack == "shared":
            c["studio-access:budget"] = budget
        else:
            c[LOB]["budget"] = budget

    project.edit(stack, edit)
    cfg = project.load(stack).config
    loaded = cfg.budget if stack == "shared" else cfg.lob.budget
    assert loaded is not None
    assert (loaded.monthly_usd, loaded.sns_topic_arn, loaded.thresholds, loaded.alert_on) == (
        250,
        topic,
        [80, 100],
        ["ACTUAL", "FORECASTED"],
    )


@pytest.mark.parametrize(
    "budget, key, words",
    [
        ({"monthlyUsd": 100}, "budget", "needs alertEmails or snsTopicArn"),
        ({"monthlyUsd": 100, "alertEmails": []}, "budget", "needs alertEmails or snsTopicArn"),
        ({"monthlyUsd": 0, "alertEmails": ["a@example.com"]}, "budget.monthlyUsd", "greater than 0"),
        ({"alertEmails": ["a@example.com"]}, "budget.monthlyUsd", "required key is missing"),
        ({"monthlyUsd": 100, "alertEmails": ["not-an-address"]}, "budget.alertEmails[0]", "email address"),
        ({"monthlyUsd": 100, "snsTopicArn": "cost-alerts"}, "budget.snsTopicArn", "SNS topic ARN"),
        ({"monthlyUsd": 100, "alertEmails": ["a@example.com"], "thresholds": []}, "budget.thresholds", "at least 1"),
        (
            {"monthlyUsd": 100, "alertEmails": ["a@example.com"], "thresholds": [80, 80]},
            "budget",
            "duplicate thresholds: 80",
        ),
        ({"monthlyUsd": 100, "alertEmails": ["a@example.com"], "alertOn": ["LATER"]}, "budget.alertOn[0]", "ACTUAL"),
        (
            {"monthlyUsd": 100, "alertEmails": [f"p{i}@example.com" for i in range(11)]},
            "budget.alertEmails",
            "at most 10",
        ),
    ],
)
def test_bad_budgets_are_refused_with_the_key(project, budget, key, words):
    _lob(project, budget=budget)
    [(_, found, message)] = project.problems("lob-a")
    assert found == f"{LOB}.{key}" and words in message


def test_the_shared_budget_is_checked_the_same_way(project):
    project.edit("shared", lambda c: c.update({"studio-access:budget": {"monthlyUsd": 100}}))
    [(file, key, message)] = project.problems("shared")
    assert (file, key) == (
        "Pulumi.shared.yaml",
        "studio-access:budget",
    ) and "needs alertEmails or snsTopicArn" in message


# --------------------------------------------------------------------------- the domain's replacing fields


def test_a_config_that_matches_the_lock_loads(project):
    _lob(project, domainLock=LOCK)
    assert project.load("lob-a").config.lob.domain_lock is not None
    # the default zones written out are the same zones
    _lob(project, domainLock=LOCK | {"availabilityZones": ["us-east-1a", "us-east-1b"]})
    project.load("lob-a")


@pytest.mark.parametrize(
    "change, shown",
    [
        (
            {
                "vpcCidr": "10.101.0.0/16",
                "privateSubnets": ["10.101.10.0/24", "10.101.11.0/24"],
                "attachmentSubnets": ["10.101.20.0/24", "10.101.21.0/24"],
            },
            "lob.vpcCidr 10.100.0.0/16 -> 10.101.0.0/16",
        ),
        (
            {"privateSubnets": ["10.100.12.0/24", "10.100.11.0/24"]},
            "lob.privateSubnets [10.100.10.0/24, 10.100.11.0/24] -> [10.100.12.0/24, 10.100.11.0/24]",
        ),
        ({"domainName": "studio-lob-a"}, "lob.domainName sagemaker-domain-lob-a -> studio-lob-a"),
        (
            {"availabilityZones": ["use1-az1", "use1-az2"]},
            "lob.availabilityZones (unset: the region's a and b) -> [use1-az1, use1-az2]",
        ),
    ],
    ids=["vpc", "subnets", "name", "zones"],
)
def test_a_change_that_replaces_the_domain_is_refused_with_the_reason_and_the_opt_in(project, change, shown):
    _lob(project, domainLock=LOCK, **change)
    [(file, key, message)] = project.problems("lob-a")
    assert (file, key) == ("Pulumi.lob-a.yaml", f"{LOB}.domainLock")
    assert message.startswith(shown)
    assert "replaces the Studio domain sagemaker-domain-lob-a" in message and "empty home file system" in message
    assert "set lob.allowDomainReplacement: sagemaker-domain-lob-a" in message


def test_the_operator_consents_by_the_domains_name(project):
    _lob(project, domainLock=LOCK, domainName="studio-lob-a", allowDomainReplacement="sagemaker-domain-lob-a")
    lob = project.load("lob-a").config.lob
    assert lob.domain == "studio-lob-a" and lob.allow_domain_replacement == "sagemaker-domain-lob-a"


def test_consent_naming_another_domain_is_no_consent(project):
    # naming the new domain instead of the one replaced: still refused, with the right name
    _lob(project, domainLock=LOCK, domainName="studio-lob-a", allowDomainReplacement="studio-lob-a")
    [(_, key, message)] = project.problems("lob-a")
    assert key == f"{LOB}.domainLock" and "allowDomainReplacement: sagemaker-domain-lob-a" in message
    # without a lock, consent (to delete it: docs/lifecycle.md) names the domain the stack has
    _without(project, "domainLock", "domainName")
    _lob(project, allowDomainReplacement="sagemaker-domain-lob-b")
    [(_, key, message)] = project.problems("lob-a")
    assert key == LOB and "allowDomainReplacement: sagemaker-domain-lob-a" in message


def test_the_lock_is_checked_like_the_lob_it_records(project):
    _lob(project, domainLock=LOCK | {"vpcCidr": "10.100.0.0/33"})
    [(_, key, _)] = project.problems("lob-a")
    assert key == f"{LOB}.domainLock.vpcCidr"
    _lob(project, domainLock={k: v for k, v in LOCK.items() if k != "privateSubnets"})
    [(_, key, message)] = project.problems("lob-a")
    assert key == f"{LOB}.domainLock.privateSubnets" and "required" in message


def test_changes_that_keep_the_domain_pass_the_lock(project):
    _lob(
        project,
        domainLock=LOCK,
        attachmentSubnets=["10.100.30.0/24", "10.100.31.0/24"],
        userProfiles=["user-lob-a", "someone-else"],
        idleShutdown={"idleTimeoutMinutes": 120},
        appInstanceTypes=["ml.t3.medium"],
        homeEfsOnDelete="Delete",
    )
    project.load("lob-a")
