"""A monthly cost budget of one account, with its alerts (`lob.budget` and the shared stack's `budget`).

Optional: without the key the stack creates no budget. With it, the budget covers the whole
account it is deployed to (every service, not only this project's resources) and alerts by email
and/or one SNS topic when the month's actual or forecasted cost passes each threshold (percent of
`monthlyUsd`). AWS Budgets sends each alert to at most 10 email addresses and one SNS topic.
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import Field, model_validator

from .base import Model
from .types import pattern

# AWS Budgets: a notification has at most one SNS subscriber and 10 email subscribers.
MAX_ALERT_EMAILS = 10
MAX_THRESHOLDS = 5

Email = Annotated[str, pattern(r"[^@\s]+@[^@\s]+\.[^@\s]+", "email address")]
SnsTopicArn = Annotated[str, pattern(r"arn:aws[a-z-]*:sns:[a-z0-9-]+:\d{12}:[A-Za-z0-9_-]{1,256}", "SNS topic ARN")]


class BudgetConfig(Model):
    """A monthly cost budget of the stack's account and who is told when it runs over."""

    # The budgeted amount per calendar month, in US dollars.
    monthly_usd: float = Field(gt=0, le=1_000_000_000)
    alert_emails: list[Email] = Field(default=[], max_length=MAX_ALERT_EMAILS)
    # A topic whose access policy lets budgets.amazonaws.com publish (docs/lifecycle.md#budgets).
    sns_topic_arn: SnsTopicArn | None = None
    # Percent of monthlyUsd; one alert per threshold and kind.
    thresholds: list[Annotated[float, Field(gt=0, le=1000)]] = Field(
        default=[80.0, 100.0], min_length=1, max_length=MAX_THRESHOLDS
    )
    # ACTUAL: the month's cost so far passed the threshold; FORECASTED: AWS forecasts it will.
    alert_on: list[Literal["ACTUAL", "FORECASTED"]] = Field(default=["ACTUAL", "FORECASTED"], min_length=1)

    @model_validator(mode="after")
    def _someone_is_told(self) -> BudgetConfig:
        problems = []
        if not self.alert_emails and self.sns_topic_arn is None:
            problems.append(
                "a budget needs alertEmails or snsTopicArn: an alert that reaches nobody is no alert "
                "(add alertEmails: [you@example.com], or drop the budget key)"
            )
        for what, values in (
            ("alertEmails", [e.lower() for e in self.alert_emails]),
            ("thresholds", [f"{t:g}" for t in self.thresholds]),
            ("alertOn", [str(k) for k in self.alert_on]),
        ):
            dupes = sorted({v for v in values if values.count(v) > 1})
            if dupes:
                problems.append(f"duplicate {what}: {', '.join(dupes)}")
        if problems:
            raise ValueError("\n".join(problems))
        return self
