"""Lambda (promises 3 and 4): current runtime, tracing, the presigned-URL function in a VPC, declared
log groups, no secrets in the environment."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Final

from contracts.tags import FUNCTION_TAG, PRESIGNED_URL_FUNCTION

from ._props import get, strings, tags_of
from .cloudwatch import has_retention
from .model import MANDATORY, Props, Resource, Rule
from .resource_types import FUNCTION, LOG_GROUP

MIN_PYTHON_MINOR: Final = 12
# The tags (key, value) these rules tell functions apart by; the components set them.
KEYED_TAGS: Final = ((FUNCTION_TAG, PRESIGNED_URL_FUNCTION),)


def check_lambda(resource_type: str, props: Props) -> list[str]:
    """Supported Python runtime (3.12+), active tracing; the presigned-URL function in a VPC."""
    if resource_type != FUNCTION:
        return []
    problems = []
    runtime = get(props, "runtime")
    match = re.fullmatch(r"python3\.(\d+)", runtime) if isinstance(runtime, str) else None
    if not match or int(match.group(1)) < MIN_PYTHON_MINOR:
        problems.append(
            f"runtime is {runtime or 'unset (a container image)'}: use a supported Python runtime, python3.{MIN_PYTHON_MINOR} or newer"
        )
    if get(props, "tracingConfig", "mode") != "Active":
        problems.append(f"tracingConfig.mode is {get(props, 'tracingConfig', 'mode') or 'unset'}, not Active")
    if tags_of(props).get(FUNCTION_TAG) == PRESIGNED_URL_FUNCTION:
        subnets = strings(get(props, "vpcConfig", "subnetIds"))
        groups = strings(get(props, "vpcConfig", "securityGroupIds"))
        if not subnets or not groups:
            problems.append(
                "the presigned-URL function is not in a VPC (vpcConfig.subnetIds and securityGroupIds): "
                "its STS and SageMaker calls would leave through the public endpoints"
            )
    return problems


LAMBDA_RUNTIME_TRACING_VPC: Final = Rule(
    name="lambda-runtime-tracing-vpc",
    issue=3,
    enforcement=MANDATORY,
    description="Lambda functions run Python 3.12 or newer with active tracing; the presigned-URL function runs in a VPC.",
    guards="runtimes without security fixes; untraceable calls; STS and SageMaker calls over public endpoints",
    resource_check=check_lambda,
)


def lambda_log_group(props: Props) -> str | None:
    """The log group a function writes to: its logging config's, or Lambda's default."""
    group = get(props, "loggingConfig", "logGroup")
    if isinstance(group, str) and group:
        return group
    name = get(props, "name")
    return f"/aws/lambda/{name}" if isinstance(name, str) and name else None


def check_lambda_log_groups(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """Each function's log group is declared in the stack, with a retention period."""
    groups = {r.props.get("name"): r for r in resources if r.type == LOG_GROUP}
    found = []
    for fn in (r for r in resources if r.type == FUNCTION):
        name = lambda_log_group(fn.props)
        if name is None:
            found.append((fn, "neither loggingConfig.logGroup nor a name: cannot tell which log group it writes to"))
            continue
        group = groups.get(name)
        if group is None:
            found.append(
                (fn, f"its log group {name} is not declared in this stack: Lambda creates it without retention")
            )
        elif not has_retention(group.props):
            found.append((fn, f"its log group {name} has no retention period (retentionInDays)"))
    return found


LAMBDA_LOG_GROUP_RETENTION: Final = Rule(
    name="lambda-log-group-retention",
    issue=3,
    enforcement=MANDATORY,
    description="Each Lambda function's log group is declared in the stack with a retention period.",
    guards="log groups Lambda creates on its own, kept forever and outside the stack",
    stack_check=check_lambda_log_groups,
)

# fmt: off
_SECRET_WORDS: Final = {
    "SECRET", "SECRETS", "PASSWORD", "PASSWORDS", "PASSWD", "PWD", "PASSPHRASE",
    "CREDENTIAL", "CREDENTIALS", "APIKEY", "PRIVATEKEY",
}
_SECRET_LAST_WORDS: Final = {"TOKEN", "TOKENS"}
_KEY_QUALIFIERS: Final = {"API", "PRIVATE", "SECRET", "ACCESS", "SIGNING", "ENCRYPTION", "CLIENT", "MASTER", "AUTH", "HMAC"}
# A name ending like this says where a secret lives or how it is handled, not the secret itself.
_REFERENCE_SUFFIXES: Final = {
    "ARN", "NAME", "ID", "IDS", "PARAMETER", "PARAM", "PATH", "FILE", "REF", "LENGTH",
    "TTL", "SECONDS", "MINUTES", "HOURS", "DAYS", "VERSION", "POLICY", "ISSUER", "USE", "TYPE",
}
# fmt: on
_SECRET_VALUES: Final = [
    ("an AWS access key id", re.compile(r"\b(AKIA|ASIA)[A-Z0-9]{16}\b")),
    ("a JSON web token", re.compile(r"\beyJ[A-Za-z0-9_-]{5,}\.eyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*")),
    ("a private key", re.compile(r"-----BEGIN [A-Z ]*PRIVATE KEY-----")),
    ("a GitHub token", re.compile(r"\b(gh[pousr]_[A-Za-z0-9]{36,}|github_pat_[A-Za-z0-9_]{22,})")),
    ("a Slack token", re.compile(r"\bxox[abposr]-[A-Za-z0-9-]{10,}")),
    ("a live API secret key", re.compile(r"\b[rs]k_live_[A-Za-z0-9]{16,}")),
    ("a Google API key", re.compile(r"\bAIza[0-9A-Za-z_-]{35}\b")),
    ("a URL with a password", re.compile(r"[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@", re.IGNORECASE)),
]


def _words(key: str) -> list[str]:
    spaced = re.sub(r"([a-z0-9])([A-Z])", r"\1_\2", key)
    return [w.upper() for w in re.split(r"[^A-Za-z0-9]+", spaced) if w]


def secret_like_name(key: str) -> bool:
    words = _words(key)
    if not words or words[-1] in _REFERENCE_SUFFIXES:
        return False
    if any(w in _SECRET_WORDS for w in words) or words[-1] in _SECRET_LAST_WORDS:
        return True
    return len(words) >= 2 and words[-1] == "KEY" and words[-2] in _KEY_QUALIFIERS


def secret_like_value(value: str) -> str | None:
    """What the value looks like, if it looks like a credential (never the value itself)."""
    for what, pattern in _SECRET_VALUES:
        if pattern.search(value):
            return what
    if (
        re.fullmatch(r"[A-Za-z0-9/+]{40}", value)
        and re.search(r"[A-Z]", value)
        and re.search(r"[a-z]", value)
        and re.search(r"[0-9]", value)
    ):
        return "an AWS secret access key"
    return None


def check_lambda_environment(resource_type: str, props: Props) -> list[str]:
    """No environment variable that looks like a secret, by name or by value."""
    if resource_type != FUNCTION:
        return []
    variables = get(props, "environment", "variables")
    if not isinstance(variables, Mapping):
        return []
    problems = []
    for key in sorted(variables):
        value = variables[key]
        if secret_like_name(key):
            problems.append(
                f"environment variable {key} is named like a secret: anyone who can read the function's "
                "configuration reads it; keep secrets in Secrets Manager or SSM and pass their names"
            )
        elif isinstance(value, str) and (what := secret_like_value(value)):
            problems.append(
                f"the value of environment variable {key} looks like {what}: keep secrets out of the configuration"
            )
    return problems


LAMBDA_ENV_NO_SECRETS: Final = Rule(
    name="lambda-env-no-secrets",
    issue=4,
    enforcement=MANDATORY,
    description="No Lambda environment variable looks like a secret, by name or by value.",
    guards="credentials readable by anyone with lambda:GetFunctionConfiguration, and in the state file",
    resource_check=check_lambda_environment,
)

RULES: Final = (LAMBDA_RUNTIME_TRACING_VPC, LAMBDA_LOG_GROUP_RETENTION, LAMBDA_ENV_NO_SECRETS)
