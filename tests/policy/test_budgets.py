"""Budget rules (`policy/budgets.py`)."""

from __future__ import annotations

import pytest

from policy.budgets import BUDGET
from tests.policy.support import check

RULE = "budget-alerts-subscribed"


def _notification(**changes):
    base = {
        "notificationType": "ACTUAL",
        "comparisonOperator": "GREATER_THAN",
        "threshold": 80,
        "thresholdType": "PERCENTAGE",
        "subscriberEmailAddresses": ["owner@example.com"],
    }
    return {k: v for k, v in (base | changes).items() if v is not None}


def _budget(*notifications, limit="500.00"):
    return {"budgetType": "COST", "timeUnit": "MONTHLY", "limitAmount": limit, "notifications": list(notifications)}


def test_a_budget_whose_alerts_reach_someone_passes():
    by_topic = _notification(
        subscriberEmailAddresses=None, subscriberSnsTopicArns=["arn:aws:sns:us-east-1:222222222222:cost"]
    )
    assert check(RULE, BUDGET, _budget(_notification(), by_topic)) == []
    assert check(RULE, "aws:s3/bucket:Bucket", {}) == []


def test_a_budget_without_notifications_fails():
    [problem] = check(RULE, BUDGET, _budget())
    assert "alerts nobody" in problem


@pytest.mark.parametrize(
    "notification, what",
    [
        (_notification(subscriberEmailAddresses=None), "reaches nobody"),
        (_notification(subscriberEmailAddresses=[]), "reaches nobody"),
        (_notification(threshold=0), "no positive threshold"),
        (_notification(threshold=None), "no positive threshold"),
    ],
)
def test_a_notification_that_reaches_nobody_or_never_fires_fails(notification, what):
    [problem] = check(RULE, BUDGET, _budget(_notification(), notification))
    assert problem.startswith("notifications[1]") and what in problem


@pytest.mark.parametrize("limit", [None, "0", "-5"])
def test_a_budget_without_a_positive_limit_fails(limit):
    [problem] = check(RULE, BUDGET, _budget(_notification(), limit=limit))
    assert problem.startswith("limitAmount")
