"""Patterns of names that the stack config and the handlers both check (full matches)."""

from __future__ import annotations

from typing import Final

# SageMaker's pattern for domain, user profile and space names.
SAGEMAKER_NAME: Final = r"[a-zA-Z0-9](-*[a-zA-Z0-9]){0,62}"
# SageMaker's DomainId pattern.
DOMAIN_ID: Final = r"d-(-*[a-z0-9]){1,61}"
# An IAM role name.
IAM_ROLE_NAME: Final = r"[\w+=,.@-]{1,64}"
# A 12-digit AWS account id.
ACCOUNT_ID: Final = r"\d{12}"
# An AWS region (commercial, GovCloud, ISO).
REGION: Final = r"[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-\d"
# A LOB name: used in resource names, table items and tags.
LOB_NAME: Final = r"[a-z0-9]([a-z0-9-]{0,30}[a-z0-9])?"
