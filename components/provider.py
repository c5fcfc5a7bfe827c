"""One explicit AWS provider per stack, pinned to the configured account."""

from __future__ import annotations

import pulumi
import pulumi_aws as aws

from .config import PROJECT, AwsTarget


def default_tags(stack: str, extra: dict[str, str], lob: str | None = None) -> dict[str, str]:
    tags = {"project": PROJECT, "stack": stack, **extra}
    if lob:
        tags["lob"] = lob
    return tags


def make_provider(target: AwsTarget, tags: dict[str, str]) -> aws.Provider:
    return aws.Provider(
        "aws",
        region=target.region,
        allowed_account_ids=[target.account_id],
        profile=target.profile,
        assume_roles=(
            [
                aws.ProviderAssumeRoleArgs(
                    role_arn=target.assume_role_arn,
                    session_name=f"{PROJECT}-{pulumi.get_stack()}",
                )
            ]
            if target.assume_role_arn
            else None
        ),
        default_tags=aws.ProviderDefaultTagsArgs(tags=tags),
    )
