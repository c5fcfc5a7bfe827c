"""DynamoDB (promise 5): the mapping tables can be recovered, are encrypted, and are not deleted by accident."""

from __future__ import annotations

from typing import Final

from ._props import get
from .model import ADVISORY, MANDATORY, Props, Rule
from .resource_types import TABLE


def check_dynamodb(resource_type: str, props: Props) -> list[str]:
    if resource_type != TABLE:
        return []
    problems = []
    if get(props, "pointInTimeRecovery", "enabled") is not True:
        problems.append("point-in-time recovery is off (pointInTimeRecovery.enabled): a bad write cannot be undone")
    if get(props, "serverSideEncryption", "enabled") is not True:
        problems.append("server-side encryption with a KMS key is off (serverSideEncryption.enabled)")
    return problems


DYNAMODB_PITR_ENCRYPTION: Final = Rule(
    name="dynamodb-pitr-encryption",
    issue=5,
    enforcement=MANDATORY,
    description="DynamoDB tables have point-in-time recovery and server-side encryption.",
    guards="lost or corrupted user/LOB mappings with no way back; data at rest under an AWS-owned key only",
    resource_check=check_dynamodb,
)


def check_dynamodb_deletion_protection(resource_type: str, props: Props) -> list[str]:
    if resource_type == TABLE and get(props, "deletionProtectionEnabled") is not True:
        return ["deletion protection is off (deletionProtectionEnabled): a replacement or destroy deletes the mappings"]
    return []


DYNAMODB_DELETION_PROTECTION: Final = Rule(
    name="dynamodb-deletion-protection",
    issue=5,
    enforcement=ADVISORY,
    description="DynamoDB tables have deletion protection.",
    guards="a replacement or destroy that deletes the mappings",
    resource_check=check_dynamodb_deletion_protection,
)

RULES: Final = (DYNAMODB_PITR_ENCRYPTION, DYNAMODB_DELETION_PROTECTION)
