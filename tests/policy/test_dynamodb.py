"""DynamoDB rules (`policy/dynamodb.py`)."""

from __future__ import annotations

from policy.model import ADVISORY
from policy.resource_types import TABLE
from tests.policy.support import by_name, check

GOOD_TABLE = {
    "pointInTimeRecovery": {"enabled": True},
    "serverSideEncryption": {"enabled": True},
    "deletionProtectionEnabled": True,
}


def test_tables_with_recovery_and_encryption_pass_and_without_fail():
    assert check("dynamodb-pitr-encryption", TABLE, GOOD_TABLE) == []
    problems = check("dynamodb-pitr-encryption", TABLE, {"pointInTimeRecovery": {"enabled": False}})
    assert len(problems) == 2 and "point-in-time" in problems[0] and "encryption" in problems[1]


def test_table_deletion_protection_is_advisory():
    assert by_name("dynamodb-deletion-protection").enforcement == ADVISORY
    assert check("dynamodb-deletion-protection", TABLE, GOOD_TABLE) == []
    assert check("dynamodb-deletion-protection", TABLE, GOOD_TABLE | {"deletionProtectionEnabled": False})
