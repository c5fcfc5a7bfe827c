"""CloudWatch Logs rules (`policy/cloudwatch.py`)."""

from __future__ import annotations

from policy.resource_types import LOG_GROUP
from tests.policy.support import check


def test_log_groups_need_retention():
    assert check("log-group-retention", LOG_GROUP, {"name": "x", "retentionInDays": 30.0}) == []
    assert check("log-group-retention", LOG_GROUP, {"name": "x"})
    assert check("log-group-retention", LOG_GROUP, {"name": "x", "retentionInDays": 0})
