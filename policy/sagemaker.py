"""SageMaker (promise 10): Studio domains reach the internet only through their VPC, name the person on
every session of their execution role, and keep one person's spaces, apps and network apart from
the others'; an app nobody uses stops by itself, and apps start only on the instance types allowed."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, Final

from ._props import get, number, strings
from ._references import index
from .iam_documents import condition_values, covers_action, effect, identity_documents
from .model import MANDATORY, Props, Resource, Rule
from .resource_types import DOMAIN, INGRESS_RULE, SECURITY_GROUP, SECURITY_GROUP_RULE


def check_domain_vpc_only(resource_type: str, props: Props) -> list[str]:
    if resource_type != DOMAIN:
        return []
    mode = get(props, "appNetworkAccessType")
    if mode != "VpcOnly":
        return [
            f"appNetworkAccessType is {mode or 'unset (PublicInternetOnly)'}: Studio apps reach the internet directly; use VpcOnly"
        ]
    return []


SAGEMAKER_DOMAIN_VPC_ONLY: Final = Rule(
    name="sagemaker-domain-vpc-only",
    issue=10,
    enforcement=MANDATORY,
    description="SageMaker domains use AppNetworkAccessType VpcOnly.",
    guards="Studio apps with direct internet access, outside the LOB VPC's controls",
    resource_check=check_domain_vpc_only,
)

# --------------------------------------------------------------------------- the person on every session

IDENTITY_CONFIG: Final = "USER_PROFILE_NAME"


def check_execution_role_identity(resource_type: str, props: Props) -> list[str]:
    if resource_type != DOMAIN:
        return []
    value = get(props, "domainSettings", "executionRoleIdentityConfig")
    if value != IDENTITY_CONFIG:
        return [
            f"domainSettings.executionRoleIdentityConfig is {value or 'unset (DISABLED)'}: the shared execution "
            f"role's sessions do not say which person acted (CloudTrail, per-person S3 prefixes); use {IDENTITY_CONFIG}"
        ]
    return []


SAGEMAKER_EXECUTION_IDENTITY: Final = Rule(
    name="sagemaker-execution-identity",
    issue=10,
    enforcement=MANDATORY,
    description="SageMaker domains set ExecutionRoleIdentityConfig USER_PROFILE_NAME (the person as source identity).",
    guards="actions of a shared execution role that CloudTrail cannot tie to a person, and per-person S3 prefixes "
    "that match nobody",
    resource_check=check_execution_role_identity,
)

# --------------------------------------------------------------------------- spaces and apps: the owner's

SPACE_WRITES: Final = ("sagemaker:CreateSpace", "sagemaker:UpdateSpace", "sagemaker:DeleteSpace")
APP_WRITES: Final = ("sagemaker:CreateApp", "sagemaker:DeleteApp")
OWNER_KEY: Final = "sagemaker:OwnerUserProfileArn"
SHARING_KEY: Final = "sagemaker:SpaceSharingType"
CALLER: Final = "${sagemaker:UserProfileName}"
_OWNER_OPERATORS: Final = {"arnlike", "arnequals", "stringequals", "stringlike"}


def _owned_by_caller(statement: Mapping[str, Any]) -> bool:
    """An equality condition on the space's owner naming the caller's own profile (no IfExists)."""
    return any(
        operator.lower() in _OWNER_OPERATORS and values and all(v.endswith(f"/{CALLER}") for v in values)
        for operator, values in condition_values(statement, OWNER_KEY)
    )


def _only_sharing(statement: Mapping[str, Any], kinds: set[str]) -> bool:
    found = [
        set(values)
        for operator, values in condition_values(statement, SHARING_KEY)
        if operator.lower() == "stringequals" and values
    ]
    return bool(found) and all(f <= kinds for f in found)


def _outside_spaces_of_caller(statement: Mapping[str, Any]) -> bool:
    """Apps of no space (owner key null) on the caller's own profile's ARNs."""
    null = any(
        operator.lower() == "null" and values == ["true"] for operator, values in condition_values(statement, OWNER_KEY)
    )
    resources = strings(statement.get("Resource"))
    return null and bool(resources) and all(f"/{CALLER}/" in r for r in resources)


def check_private_spaces(resource_type: str, props: Props) -> list[str]:
    """Identity policies change only the caller's own spaces, and apps only in their own private spaces,
    in shared spaces, or of their own profile."""
    problems = []
    for doc in identity_documents(resource_type, props):
        for label, statement in doc.statements():
            if effect(statement) != "allow":
                continue
            spaces = [a for a in SPACE_WRITES if covers_action(statement, a)]
            if spaces and not _owned_by_caller(statement):
                problems.append(
                    f"{label} allows {', '.join(spaces)} without {OWNER_KEY} naming the caller ({CALLER}): "
                    "anyone with the role changes or deletes other people's spaces"
                )
            apps = [a for a in APP_WRITES if covers_action(statement, a)]
            if apps and not (
                (_owned_by_caller(statement) and _only_sharing(statement, {"Private"}))
                or _only_sharing(statement, {"Shared"})
                or _outside_spaces_of_caller(statement)
            ):
                problems.append(
                    f"{label} allows {', '.join(apps)} beyond the caller's own private spaces, shared spaces and "
                    f"own profile ({OWNER_KEY} + {SHARING_KEY} Private, {SHARING_KEY} Shared, or Null {OWNER_KEY} "
                    f"on {CALLER}'s ARNs): anyone with the role stops other people's apps"
                )
    return problems


SAGEMAKER_PRIVATE_SPACES: Final = Rule(
    name="sagemaker-private-spaces",
    issue=10,
    enforcement=MANDATORY,
    description="A policy that allows Create/Update/DeleteSpace conditions it on sagemaker:OwnerUserProfileArn = the "
    "caller's profile; Create/DeleteApp only in the caller's private spaces, in shared spaces, or outside spaces on "
    "the caller's own profile (AWS's private-space conditions).",
    guards="one user of a LOB deleting or changing another's spaces, or stopping their apps",
    resource_check=check_private_spaces,
)

# --------------------------------------------------------------------------- Studio's security groups

# AWS: NFS to the domain's EFS and the app port range, within the Studio security group.
STUDIO_PORTS: Final = ((2049, 2049), (8192, 65535))


def _studio_groups(resources: Sequence[Resource]) -> dict[str, Resource]:
    by_key = index(resources)
    groups: dict[str, Resource] = {}
    for domain in (r for r in resources if r.type == DOMAIN):
        ids = [
            *strings(get(domain.props, "defaultUserSettings", "securityGroups")),
            *strings(get(domain.props, "defaultSpaceSettings", "securityGroups")),
        ]
        for group_id in ids:
            group = by_key.get(group_id)
            if group is not None and group.type == SECURITY_GROUP:
                groups[group.urn] = group
    return groups


def _rule_group(rule: Resource, by_key: Mapping[str, Resource]) -> Resource | None:
    group = by_key.get(str(get(rule.props, "securityGroupId")))
    return group if group is not None and group.type == SECURITY_GROUP else None


def _ports_problem(props: Props) -> str | None:
    protocol = str(get(props, "ipProtocol") or get(props, "protocol") or "")
    first, last = number(get(props, "fromPort")), number(get(props, "toPort"))
    if protocol in ("-1", "all") or first is None or last is None:
        return "every protocol and port"
    if protocol.lower() not in ("tcp", "6"):
        return f"protocol {protocol}"
    if not any(low <= first and last <= high for low, high in STUDIO_PORTS):
        return f"ports {int(first)}-{int(last)}"
    return None


def check_studio_group_ports(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    groups = _studio_groups(resources)
    if not groups:
        return []
    by_key = index(resources)
    found = []
    for r in resources:
        inline = r.type == SECURITY_GROUP and r.urn in groups
        if inline:
            for rule in get(r.props, "ingress") or []:
                problem = _ports_problem(rule)
                if problem:
                    found.append(
                        (r, f"an inline ingress rule admits {problem}: Studio needs only NFS 2049 and 8192-65535")
                    )
            continue
        is_rule = r.type == INGRESS_RULE or (r.type == SECURITY_GROUP_RULE and get(r.props, "type") == "ingress")
        group = _rule_group(r, by_key) if is_rule else None
        if group is None or group.urn not in groups:
            continue
        problem = _ports_problem(r.props)
        if problem:
            found.append(
                (
                    r,
                    f"admits {problem} into Studio's security group {group.name}: Studio needs only NFS 2049 and 8192-65535",
                )
            )
    return found


STUDIO_SG_PORTS: Final = Rule(
    name="studio-sg-ports",
    issue=10,
    enforcement=MANDATORY,
    description="Ingress to a domain's security groups is TCP 2049 (NFS) or within 8192-65535 (Studio's apps) only.",
    guards="every port of every Studio app open to every other app of the LOB",
    stack_check=check_studio_group_ports,
)

# --------------------------------------------------------------------------- idle shutdown

# Where a domain sets idle shutdown: JupyterLab and Code Editor for every person, JupyterLab for
# shared spaces (SageMaker has no Code Editor default for spaces).
IDLE_SETTINGS: Final = (
    ("defaultUserSettings", "jupyterLabAppSettings"),
    ("defaultUserSettings", "codeEditorAppSettings"),
    ("defaultSpaceSettings", "jupyterLabAppSettings"),
)


def _idle_problem(idle: object) -> str | None:
    mode = get(idle, "lifecycleManagement")
    if mode != "ENABLED":
        return f"idle shutdown is {mode or 'unset (DISABLED)'}"
    timeout, low, high = (
        number(get(idle, key)) for key in ("idleTimeoutInMinutes", "minIdleTimeoutInMinutes", "maxIdleTimeoutInMinutes")
    )
    if timeout is None:
        return "idle shutdown has no idleTimeoutInMinutes"
    if high is None:
        return "idle shutdown has no maxIdleTimeoutInMinutes (a person may choose any timeout, up to a year)"
    if not (low or timeout) <= timeout <= high:
        return f"idleTimeoutInMinutes {timeout:g} is outside {low or timeout:g}-{high:g}"
    return None


def check_idle_shutdown(resource_type: str, props: Props) -> list[str]:
    if resource_type != DOMAIN:
        return []
    problems = []
    for where in IDLE_SETTINGS:
        problem = _idle_problem(get(props, *where, "appLifecycleManagement", "idleSettings"))
        if problem:
            problems.append(
                f"{'.'.join(where)}.appLifecycleManagement: {problem}: an app left open runs, and is billed per "
                "instance-hour, until someone stops it; enable it with a timeout and the most a person may choose"
            )
    return problems


SAGEMAKER_IDLE_SHUTDOWN: Final = Rule(
    name="sagemaker-idle-shutdown",
    issue=10,
    enforcement=MANDATORY,
    description="SageMaker domains enable idle shutdown (appLifecycleManagement.idleSettings ENABLED, with "
    "idleTimeoutInMinutes and maxIdleTimeoutInMinutes) for JupyterLab and Code Editor apps, and for shared spaces' "
    "JupyterLab apps.",
    guards="a forgotten notebook instance billed by the hour until someone notices",
    resource_check=check_idle_shutdown,
)

# --------------------------------------------------------------------------- app instance types

INSTANCE_TYPES_KEY: Final = "sagemaker:InstanceTypes"
APP_CREATE: Final = "sagemaker:CreateApp"


def _instance_types_limited(statement: Mapping[str, Any]) -> bool:
    """Every instance type of the request must be one of a non-empty list (ForAllValues:StringEquals)."""
    found = [
        values
        for operator, values in condition_values(statement, INSTANCE_TYPES_KEY)
        if operator.lower() == "forallvalues:stringequals"
    ]
    return bool(found) and all(values for values in found)


def check_app_instance_types(resource_type: str, props: Props) -> list[str]:
    """Identity policies allow CreateApp only on a list of instance types."""
    problems = []
    for doc in identity_documents(resource_type, props):
        for label, statement in doc.statements():
            if (
                effect(statement) == "allow"
                and covers_action(statement, APP_CREATE)
                and not _instance_types_limited(statement)
            ):
                problems.append(
                    f"{label} allows {APP_CREATE} without ForAllValues:StringEquals on {INSTANCE_TYPES_KEY}: anyone "
                    "with the role starts apps on any instance type, GPUs included, billed per hour while they run"
                )
    return problems


SAGEMAKER_APP_INSTANCE_TYPES: Final = Rule(
    name="sagemaker-app-instance-types",
    issue=10,
    enforcement=MANDATORY,
    description=f"A policy that allows {APP_CREATE} conditions it on ForAllValues:StringEquals {INSTANCE_TYPES_KEY} "
    "with a list of types (the LOB's lob.appInstanceTypes and `system`).",
    guards="a person starting the largest GPU instance of the region from Studio",
    resource_check=check_app_instance_types,
)

RULES: Final = (
    SAGEMAKER_DOMAIN_VPC_ONLY,
    SAGEMAKER_EXECUTION_IDENTITY,
    SAGEMAKER_PRIVATE_SPACES,
    STUDIO_SG_PORTS,
    SAGEMAKER_IDLE_SHUTDOWN,
    SAGEMAKER_APP_INSTANCE_TYPES,
)
