"""AWS Budgets (promise 14, what runs is paid for within bounds): a budget tells someone when the
account's spend passes it."""

from __future__ import annotations

from typing import Final

from ._props import get, mappings, number, strings
from .model import MANDATORY, Props, Rule

BUDGET: Final = "aws:budgets/budget:Budget"


def check_budget_alerts(resource_type: str, props: Props) -> list[str]:
    if resource_type != BUDGET:
        return []
    problems = []
    limit = number(get(props, "limitAmount"))
    if limit is None or limit <= 0:
        problems.append(f"limitAmount is {get(props, 'limitAmount') or 'unset'}: no amount to alert against")
    notifications = mappings(get(props, "notifications"))
    if not notifications:
        problems.append("no notifications: the budget alerts nobody when the account's spend passes it")
    for index, notification in enumerate(notifications):
        subscribers = strings(notification.get("subscriberEmailAddresses"))
        subscribers += strings(notification.get("subscriberSnsTopicArns"))
        if not subscribers:
            problems.append(
                f"notifications[{index}] has no subscriberEmailAddresses or subscriberSnsTopicArns: "
                "its alert reaches nobody"
            )
        threshold = number(notification.get("threshold"))
        if threshold is None or threshold <= 0:
            problems.append(f"notifications[{index}] has no positive threshold: it never fires, or always does")
    return problems


BUDGET_ALERTS_SUBSCRIBED: Final = Rule(
    name="budget-alerts-subscribed",
    issue=14,
    enforcement=MANDATORY,
    description="Every AWS budget has a positive limit and at least one notification; each notification has a "
    "positive threshold and an email or SNS subscriber.",
    guards="a budget that is passed without anyone being told",
    resource_check=check_budget_alerts,
)

RULES: Final = (BUDGET_ALERTS_SUBSCRIBED,)
