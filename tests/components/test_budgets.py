"""AccountBudget alone: a monthly cost budget of the account, one alert per threshold and kind."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from components.budgets import AccountBudget, AccountBudgetArgs
from policy import budgets as rules
from tests.components.conftest import ACCOUNT, Graph

BUDGET = "aws:budgets/budget:Budget"
ARGS = AccountBudgetArgs(stack="lob-red", account_id=ACCOUNT, monthly_usd=1234.5, alert_emails=("owner@example.com",))


def _budget(graph: Graph, **changes: Any) -> dict[str, Any]:
    graph.build(lambda: AccountBudget("red-budget", replace(ARGS, **changes)))
    inputs: dict[str, Any] = graph.one(BUDGET, "red-budget").inputs
    return inputs


def test_a_monthly_cost_budget_of_the_whole_account(graph: Graph) -> None:
    budget = _budget(graph)
    assert (budget["budgetType"], budget["timeUnit"], budget["limitAmount"], budget["limitUnit"]) == (
        "COST",
        "MONTHLY",
        "1234.50",
        "USD",
    )
    assert budget["name"] == "studio-access-lob-red" and budget["accountId"] == ACCOUNT
    assert "costFilters" not in budget and "filterExpression" not in budget  # every cost of the account


def test_one_alert_per_threshold_and_kind_by_email(graph: Graph) -> None:
    budget = _budget(graph)
    alerts = {(n["notificationType"], n["threshold"]) for n in budget["notifications"]}
    assert alerts == {("ACTUAL", 80), ("ACTUAL", 100), ("FORECASTED", 80), ("FORECASTED", 100)}
    for n in budget["notifications"]:
        assert (n["comparisonOperator"], n["thresholdType"]) == ("GREATER_THAN", "PERCENTAGE")
        assert n["subscriberEmailAddresses"] == ["owner@example.com"] and "subscriberSnsTopicArns" not in n
    assert rules.check_budget_alerts(BUDGET, budget) == []


def test_alerts_to_a_topic_only_and_chosen_thresholds(graph: Graph) -> None:
    topic = "arn:aws:sns:us-east-1:111111111111:cost-alerts"
    budget = _budget(graph, alert_emails=(), sns_topic_arn=topic, thresholds=(50.0, 120.0), alert_on=("ACTUAL",))
    assert [(n["notificationType"], n["threshold"]) for n in budget["notifications"]] == [
        ("ACTUAL", 50),
        ("ACTUAL", 120),
    ]
    assert all(
        n["subscriberSnsTopicArns"] == [topic] and "subscriberEmailAddresses" not in n for n in budget["notifications"]
    )


@pytest.mark.parametrize(
    "changes", [{"alert_emails": ()}, {"thresholds": ()}, {"alert_on": ()}], ids=["nobody", "no-threshold", "no-kind"]
)
def test_a_budget_that_would_alert_nobody_is_refused(changes: dict[str, Any]) -> None:
    with pytest.raises(ValueError):
        replace(ARGS, **changes)
