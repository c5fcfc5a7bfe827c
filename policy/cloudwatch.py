"""CloudWatch Logs (promise 14): every log group has a retention period."""

from __future__ import annotations

from typing import Final

from ._props import number
from .model import MANDATORY, Props, Rule
from .resource_types import LOG_GROUP


def has_retention(props: Props) -> bool:
    """Does the log group (its props) keep its logs for a limited number of days?"""
    days = number(props.get("retentionInDays"))
    return days is not None and days > 0


def check_log_group_retention(resource_type: str, props: Props) -> list[str]:
    if resource_type == LOG_GROUP and not has_retention(props):
        return ["retentionInDays is unset: logs are kept (and paid for) forever"]
    return []


LOG_GROUP_RETENTION: Final = Rule(
    name="log-group-retention",
    issue=14,
    enforcement=MANDATORY,
    description="CloudWatch log groups have a retention period.",
    guards="logs kept (and paid for) forever",
    resource_check=check_log_group_retention,
)

RULES: Final = (LOG_GROUP_RETENTION,)
