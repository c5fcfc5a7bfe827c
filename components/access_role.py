"""The role in a LOB account that the presigned-URL function assumes, once per person.

Trusted only by that function's role in the shared account, and only with a source identity:
the trust allows `sts:AssumeRole` and `sts:SetSourceIdentity` and requires `sts:SourceIdentity`
to be set, so every session of this role names the person it was assumed for (the function sets
the username), in this account's CloudTrail and on every call the session makes. Allowed only to
create presigned URLs for this domain's user profiles, and the reads the function needs to find
the domain and to tell a shared or own private space from someone else's (`DescribeSpace` on
this domain's spaces, and to list them for the person's `/targets`), every statement bound to
the central SageMaker API and Studio endpoints by `aws:sourceVpce`: a URL is checked again when
it is opened, so the same URL fails anywhere but through the central Studio endpoint. Nothing
else is attached. Tagged `contracts.tags.ROLE_TAG` so the policy pack holds its trust to this shape.

Just-in-time profiles (`lob.justInTimeProfiles`, off by default): the role may also create a user
profile in this domain, and only tagged `contracts.tags.PERSON_TAG` = the session's source
identity (the person it was assumed for) and with no other tag (`aws:RequestTag`, `aws:TagKeys`),
and add that tag only as part of the creation (`sagemaker:TaggingAction`), AWS's tag-on-create
pattern. The profile takes the domain's default settings (its execution role): nothing is passed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pulumi
import pulumi_aws as aws

from contracts import tags

from . import iam

# What the presigned-URL function calls in a LOB account.
PRESIGN_ACTIONS = ["sagemaker:CreatePresignedDomainUrl"]
LOOKUP_ACTIONS = ["sagemaker:DescribeDomain", "sagemaker:DescribeUserProfile"]
SPACE_ACTIONS = ["sagemaker:DescribeSpace"]
LIST_ACTIONS = ["sagemaker:ListDomains", "sagemaker:ListSpaces"]  # no resource-level permissions in IAM
# Just-in-time profiles: create one (tagged), and the tagging that is part of the creation.
CREATE_PROFILE_ACTIONS = ["sagemaker:CreateUserProfile"]
TAG_ON_CREATE_ACTIONS = ["sagemaker:AddTags"]
# The policy variable of the session's source identity: the person the function assumed the role for.
SESSION_PERSON = "${aws:SourceIdentity}"
# The trust: assume the role, and set the session's source identity (which the trust requires).
TRUST_ACTIONS = ["sts:AssumeRole", "sts:SetSourceIdentity"]


def trust_statement(presigned_url_role_arn: pulumi.Input[str]) -> dict[str, Any]:
    """Only the presigned-URL function's role, and only with a source identity."""
    return {
        "Sid": "ThePresignedUrlFunctionAsAPerson",
        "Effect": "Allow",
        "Principal": {"AWS": presigned_url_role_arn},
        "Action": TRUST_ACTIONS,
        # A request without SourceIdentity has no sts:SourceIdentity: StringLike "*" fails.
        "Condition": {"StringLike": {"sts:SourceIdentity": "*"}},
    }


@dataclass(frozen=True, kw_only=True)
class AccessRoleArgs:
    role_name: pulumi.Input[str]
    region: str
    account_id: str
    domain_id: pulumi.Input[str]
    domain_arn: pulumi.Input[str]
    # From the shared stack:
    presigned_url_role_arn: pulumi.Input[str]
    sagemaker_api_endpoint_id: pulumi.Input[str]
    studio_endpoint_id: pulumi.Input[str]
    # lob.justInTimeProfiles: the role may create a person's user profile in this domain.
    just_in_time_profiles: bool = False


def just_in_time_statements(profiles: pulumi.Input[str], endpoints: dict[str, Any]) -> list[dict[str, Any]]:
    """Create a user profile of this domain tagged with the session's person and nothing else,
    and add that tag only while creating it; through the central endpoints."""
    person_tag = {f"aws:RequestTag/{tags.PERSON_TAG}": SESSION_PERSON}
    only_person_tag = {"ForAllValues:StringEquals": {"aws:TagKeys": [tags.PERSON_TAG]}}
    return [
        {
            "Sid": "CreateProfilesForTheSessionsPerson",
            "Effect": "Allow",
            "Action": CREATE_PROFILE_ACTIONS,
            "Resource": profiles,
            "Condition": {"StringEquals": {**endpoints, **person_tag}, **only_person_tag},
        },
        {
            "Sid": "TagProfilesOnlyWhenCreating",
            "Effect": "Allow",
            "Action": TAG_ON_CREATE_ACTIONS,
            "Resource": profiles,
            "Condition": {
                "StringEquals": {**endpoints, **person_tag, "sagemaker:TaggingAction": "CreateUserProfile"},
                **only_person_tag,
            },
        },
    ]


class AccessRole(pulumi.ComponentResource):
    role: aws.iam.Role

    def __init__(self, name: str, args: AccessRoleArgs, opts: pulumi.ResourceOptions | None = None):
        super().__init__("studio-access:access_role:AccessRole", name, None, opts)
        child = pulumi.ResourceOptions(parent=self)
        self.role = aws.iam.Role(
            f"{name}-role",
            name=args.role_name,
            description="Assumed by the studio-access presigned-URL function of the shared account",
            max_session_duration=3600,
            assume_role_policy=iam.document(trust_statement(args.presigned_url_role_arn)),
            tags={tags.ROLE_TAG: tags.LOB_ACCESS_ROLE},
            opts=child,
        )
        endpoints = {"aws:sourceVpce": [args.sagemaker_api_endpoint_id, args.studio_endpoint_id]}
        through_central_endpoints = {"StringEquals": endpoints}
        profiles = pulumi.Output.concat(
            f"arn:aws:sagemaker:{args.region}:{args.account_id}:user-profile/", args.domain_id, "/*"
        )
        spaces = pulumi.Output.concat(f"arn:aws:sagemaker:{args.region}:{args.account_id}:space/", args.domain_id, "/*")
        aws.iam.RolePolicy(
            f"{name}-policy",
            role=self.role.id,
            policy=iam.document(
                {
                    "Sid": "PresignThisDomainsProfiles",
                    "Effect": "Allow",
                    "Action": PRESIGN_ACTIONS,
                    "Resource": profiles,
                    "Condition": through_central_endpoints,
                },
                {
                    "Sid": "FindTheDomainAndProfile",
                    "Effect": "Allow",
                    "Action": LOOKUP_ACTIONS,
                    "Resource": [args.domain_arn, profiles],
                    "Condition": through_central_endpoints,
                },
                {
                    "Sid": "TellSharedAndOwnSpaces",
                    "Effect": "Allow",
                    "Action": SPACE_ACTIONS,
                    "Resource": spaces,
                    "Condition": through_central_endpoints,
                },
                {
                    "Sid": "ListDomainsAndSpaces",
                    "Effect": "Allow",
                    "Action": LIST_ACTIONS,
                    "Resource": "*",
                    "Condition": through_central_endpoints,
                },
                *(just_in_time_statements(profiles, endpoints) if args.just_in_time_profiles else ()),
            ),
            opts=child,
        )
        self.register_outputs({"roleArn": self.role.arn})
