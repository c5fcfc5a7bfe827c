"""One explicit AWS provider per stack, pinned to the configured account."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import pulumi
import pulumi_aws as aws


@dataclass(frozen=True, kw_only=True)
class ProviderArgs:
    project: str
    region: str
    account_id: str
    # The default tags of every resource of the stack.
    tags: Mapping[str, str]
    profile: str | None = None
    # A role the provider assumes (in account_id); None: the caller's own credentials.
    assume_role_arn: str | None = None


def default_tags(project: str, stack: str, extra: Mapping[str, str], lob: str | None = None) -> dict[str, str]:
    tags = {"project": project, "stack": stack, **extra}
    if lob:
        tags["lob"] = lob
    return tags


def make_provider(args: ProviderArgs) -> aws.Provider:
    return aws.Provider(
        "aws",
        region=args.region,
        allowed_account_ids=[args.account_id],
        profile=args.profile,
        assume_roles=(
            [
                aws.ProviderAssumeRoleArgs(
                    role_arn=args.assume_role_arn,
                    session_name=f"{args.project}-{pulumi.get_stack()}",
                )
            ]
            if args.assume_role_arn
            else None
        ),
        default_tags=aws.ProviderDefaultTagsArgs(tags=dict(args.tags)),
    )
