"""Just-in-time user profiles (promise 21, issue 15): whatever may create a SageMaker user profile
creates it in one domain, tagged with the person its session was assumed for, and tags profiles
only while creating them.

A LOB that opts in (`lob.justInTimeProfiles`) lets its access role create a profile for the
person the presigned-URL function assumed it for. Without these conditions the role could create
profiles under any name, in any domain of the account, tagged as anyone (a tag other tools trust
to say whose profile it is), or retag an existing profile to another person. Read from every
identity policy in the plan (roles' inline and attached documents, managed, user and group
policies); unknown values of a preview (resources not yet created) are not judged."""

from __future__ import annotations

import re
from typing import Final

from contracts.tags import PERSON_TAG

from ._props import strings
from .iam_documents import condition_values, covers_action, effect, identity_documents
from .model import MANDATORY, Props, Rule

CREATE_PROFILE_ACTION: Final = "sagemaker:CreateUserProfile"
ADD_TAGS_ACTION: Final = "sagemaker:AddTags"
SESSION_PERSON: Final = "${aws:SourceIdentity}"
# One domain's user profiles: user-profile/<domain id>/* (or a named profile of it).
_ONE_DOMAINS_PROFILES: Final = re.compile(r"arn:aws[a-z-]*:sagemaker:[a-z0-9-]+:\d{12}:user-profile/d-[a-z0-9-]+/[^/]+")
_PROFILE_ARN: Final = re.compile(r"arn:[^:]*:sagemaker:[^:]*:[^:]*:(user-profile|\*)")


def _known(value: str) -> bool:
    """A value the plan knows (a preview leaves not-yet-created ARNs unknown)."""
    return value.startswith("arn:") or value == "*"


def _creation_problems(label: str, statement: Props) -> list[str]:
    problems = []
    resources = strings(statement.get("Resource"))
    if "NotResource" in statement:
        problems.append(f"{label} allows {CREATE_PROFILE_ACTION} on every resource but some (NotResource)")
    wide = [r for r in resources if _known(r) and not _ONE_DOMAINS_PROFILES.fullmatch(r)]
    if wide:
        problems.append(
            f"{label} allows {CREATE_PROFILE_ACTION} on {', '.join(wide)}: only one domain's profiles "
            "(user-profile/<domain id>/*)"
        )
    person = [values for operator, values in condition_values(statement, f"aws:RequestTag/{PERSON_TAG}")]
    if not any(
        operator == "StringEquals" and values == [SESSION_PERSON]
        for operator, values in condition_values(statement, f"aws:RequestTag/{PERSON_TAG}")
    ):
        problems.append(
            f"{label} allows {CREATE_PROFILE_ACTION} without StringEquals aws:RequestTag/{PERSON_TAG} = "
            f"{SESSION_PERSON}{' (it has ' + str(person) + ')' if person else ''}: a profile tagged as anyone"
        )
    keys = condition_values(statement, "aws:TagKeys")
    if not any(operator == "ForAllValues:StringEquals" and values == [PERSON_TAG] for operator, values in keys):
        problems.append(
            f"{label} allows {CREATE_PROFILE_ACTION} without ForAllValues:StringEquals aws:TagKeys = [{PERSON_TAG}]: "
            "other tags (another tool's notion of the owner) could come with it"
        )
    return problems


def _tagging_problems(label: str, statement: Props) -> list[str]:
    resources = strings(statement.get("Resource"))
    on_profiles = "NotResource" in statement or any(_PROFILE_ARN.match(r) or r == "*" for r in resources)
    if not on_profiles:
        return []
    actions = condition_values(statement, "sagemaker:TaggingAction")
    if any(operator == "StringEquals" and values == ["CreateUserProfile"] for operator, values in actions):
        return []
    return [
        f"{label} allows {ADD_TAGS_ACTION} on user profiles beyond their creation (no StringEquals "
        "sagemaker:TaggingAction = CreateUserProfile): a profile could be retagged as another person's"
    ]


def check_profile_creation(resource_type: str, props: Props) -> list[str]:
    problems: list[str] = []
    for doc in identity_documents(resource_type, props):
        for label, statement in doc.statements():
            if effect(statement) != "allow":
                continue
            if covers_action(statement, CREATE_PROFILE_ACTION):
                problems += _creation_problems(label, statement)
            if covers_action(statement, ADD_TAGS_ACTION) and not covers_action(statement, CREATE_PROFILE_ACTION):
                problems += _tagging_problems(label, statement)
    return problems


SAGEMAKER_PROFILES_FOR_THE_SESSIONS_PERSON: Final = Rule(
    name="sagemaker-profiles-for-the-sessions-person",
    issue=21,
    enforcement=MANDATORY,
    description=(
        "A policy that allows sagemaker:CreateUserProfile allows it on one domain's profiles, only tagged "
        f"{PERSON_TAG} = ${{aws:SourceIdentity}} and with no other tag key; sagemaker:AddTags on user profiles "
        "only while creating them (sagemaker:TaggingAction)."
    ),
    guards="profiles created under any name, in any domain, or tagged (and retagged) as another person",
    resource_check=check_profile_creation,
)

RULES: Final = (SAGEMAKER_PROFILES_FOR_THE_SESSIONS_PERSON,)
