"""A monthly cost budget of one account, with alerts by email and/or an SNS topic.

The budget covers every cost of the account it is created in (the stack's provider): a LOB
account holds one LOB, so its budget is that LOB's spend, Studio apps included; the shared
account's covers the hub and the access proxy, and whatever else runs there. One alert per
threshold (percent of the monthly amount) and kind: `ACTUAL` when the month's cost so far passes
it, `FORECASTED` when AWS forecasts that it will by the end of the month.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

import pulumi
import pulumi_aws as aws

AlertKind = Literal["ACTUAL", "FORECASTED"]


def budget_name(stack: str) -> str:
    """The budget's name: unique in its account (AWS Budgets' rule), one per stack."""
    return f"studio-access-{stack}"


@dataclass(frozen=True, kw_only=True)
class AccountBudgetArgs:
    stack: str
    account_id: str
    monthly_usd: float
    alert_emails: tuple[str, ...] = ()
    sns_topic_arn: str | None = None
    thresholds: tuple[float, ...] = (80.0, 100.0)
    alert_on: tuple[AlertKind, ...] = ("ACTUAL", "FORECASTED")

    def __post_init__(self) -> None:
        if not self.alert_emails and self.sns_topic_arn is None:
            raise ValueError("a budget's alerts need an email address or an SNS topic")
        if not self.thresholds or not self.alert_on:
            raise ValueError("a budget needs at least one threshold and one kind of alert")


class AccountBudget(pulumi.ComponentResource):
    budget: aws.budgets.Budget

    def __init__(self, name: str, args: AccountBudgetArgs, opts: pulumi.ResourceOptions | None = None) -> None:
        super().__init__("studio-access:budgets:AccountBudget", name, None, opts)
        self.budget = aws.budgets.Budget(
            name,
            name=budget_name(args.stack),
            account_id=args.account_id,
            budget_type="COST",
            time_unit="MONTHLY",
            limit_amount=f"{args.monthly_usd:.2f}",
            limit_unit="USD",
            notifications=[
                aws.budgets.BudgetNotificationArgs(
                    notification_type=kind,
                    comparison_operator="GREATER_THAN",
                    threshold=threshold,
                    threshold_type="PERCENTAGE",
                    subscriber_email_addresses=list(args.alert_emails) or None,
                    subscriber_sns_topic_arns=[args.sns_topic_arn] if args.sns_topic_arn else None,
                )
                for kind in args.alert_on
                for threshold in args.thresholds
            ],
            opts=pulumi.ResourceOptions(parent=self),
        )
        self.register_outputs({"budgetName": self.budget.name})
