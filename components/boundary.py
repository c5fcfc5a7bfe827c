"""A permissions boundary on every IAM role the program creates, whichever component creates it.

The CI roles of `bootstrap/` may create and change roles only when the request carries the
stack's boundary (`iam:PermissionsBoundary`), and the boundary caps what any of those roles can
do (no IAM, no change of its own boundary). So every `aws.iam.Role` must carry it: a stack
transformation sets `permissions_boundary` on each role as it is registered, in every component,
without each component's Args having to pass it along. A role that already names a boundary
keeps it (the policy pack then checks it is there).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Final

import pulumi

ROLE_TYPE: Final = "aws:iam/role:Role"
BOUNDARY_PROP: Final = "permissions_boundary"


def boundary_transformation(
    boundary_arn: str,
) -> Callable[[pulumi.ResourceTransformationArgs], pulumi.ResourceTransformationResult | None]:
    """A transformation that gives every role without a boundary `boundary_arn`."""

    def transform(args: pulumi.ResourceTransformationArgs) -> pulumi.ResourceTransformationResult | None:
        if args.type_ != ROLE_TYPE or args.props.get(BOUNDARY_PROP) is not None:
            return None
        return pulumi.ResourceTransformationResult({**args.props, BOUNDARY_PROP: boundary_arn}, args.opts)

    return transform


def apply_to_stack(boundary_arn: str) -> None:
    """Every role registered from now on in this stack carries `boundary_arn`."""
    pulumi.runtime.register_stack_transformation(boundary_transformation(boundary_arn))
