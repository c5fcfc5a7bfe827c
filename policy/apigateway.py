"""API Gateway (promises 1 and 2): a private API, bound to its endpoints; authorizers, logs and tracing."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from ._props import get, strings
from .iam_documents import covers_action, documents, effect, endpoint_binding_problem
from .model import MANDATORY, Props, Resource, Rule
from .resource_types import METHOD, METHOD_SETTINGS, REST_API, REST_API_POLICY, STAGE

INVOKE_ACTION: Final = "execute-api:Invoke"


def check_api_private(resource_type: str, props: Props) -> list[str]:
    """REST APIs are PRIVATE; their resource policy allows invoke only with aws:SourceVpce."""
    problems = []
    if resource_type == REST_API:
        types = strings(get(props, "endpointConfiguration", "types"))
        if types != ["PRIVATE"]:
            shown = ", ".join(types) or "unset (EDGE)"
            problems.append(
                f"endpointConfiguration.types is {shown}: the API is reachable from the internet; use PRIVATE"
            )
    if resource_type not in (REST_API, REST_API_POLICY):
        return problems
    for doc in documents(resource_type, props):
        statements = doc.statements()
        for label, statement in statements:
            if effect(statement) != "allow" or not covers_action(statement, INVOKE_ACTION):
                continue
            problem = endpoint_binding_problem(statements, statement, INVOKE_ACTION, "aws:SourceVpce")
            if problem:
                problems.append(f"{label} allows {INVOKE_ACTION} but {problem}: anyone who reaches the API may call it")
    return problems


API_PRIVATE_SOURCE_VPCE: Final = Rule(
    name="api-private-source-vpce",
    issue=1,
    enforcement=MANDATORY,
    description="REST APIs are PRIVATE and their resource policy allows execute-api:Invoke only with aws:SourceVpce.",
    guards="an API reachable from the internet, or from any VPC endpoint of any account",
    resource_check=check_api_private,
)


def check_api_methods_and_stages(resource_type: str, props: Props) -> list[str]:
    """Every method has an authorizer; stages have access logs and X-Ray tracing; no full request logs."""
    problems = []
    if resource_type == METHOD:
        auth = get(props, "authorization")
        method = f"{get(props, 'httpMethod') or '?'} method"
        if not isinstance(auth, str) or auth.upper() == "NONE":
            problems.append(
                f"{method} has authorization {auth or 'unset'}: anyone who reaches the API calls it unauthenticated"
            )
        elif auth.upper() in ("CUSTOM", "COGNITO_USER_POOLS") and not get(props, "authorizerId"):
            problems.append(f"{method} has authorization {auth} without an authorizerId")
    elif resource_type == STAGE:
        stage = get(props, "stageName") or "?"
        if not get(props, "accessLogSettings", "destinationArn") or not get(props, "accessLogSettings", "format"):
            problems.append(
                f"stage {stage} has no access logs (accessLogSettings.destinationArn and format): calls leave no trace"
            )
        if get(props, "xrayTracingEnabled") is not True:
            problems.append(f"stage {stage} has X-Ray tracing off (xrayTracingEnabled)")
    elif resource_type == METHOD_SETTINGS and get(props, "settings", "dataTraceEnabled") is True:
        problems.append(
            f"settings.dataTraceEnabled logs full requests of {get(props, 'methodPath') or '?'}: the logs would hold the callers' bearer tokens"
        )
    return problems


API_AUTHORIZERS_LOGS_TRACING: Final = Rule(
    name="api-authorizers-logs-tracing",
    issue=2,
    enforcement=MANDATORY,
    description="Every API method has an authorizer (no NONE); stages have access logs and X-Ray tracing; execution logs never hold full requests.",
    guards="an unauthenticated route to the presigned-URL function; calls that leave no trace; bearer tokens in logs",
    resource_check=check_api_methods_and_stages,
)

API_GATEWAY_ACCOUNT: Final = "aws:apigateway/account:Account"
# A stage's logging settings need the account's CloudWatch role first (its access logs, whatever
# the execution log level): these wait for the Account setting when the stack manages it.
_NEEDS_LOGGING_ROLE: Final = (STAGE, METHOD_SETTINGS)


def check_account_logging_role_first(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """In a stack that sets API Gateway's account CloudWatch role, stages and method settings wait for it."""
    accounts = [r for r in resources if r.type == API_GATEWAY_ACCOUNT]
    if not accounts:
        return []
    found = []
    for r in resources:
        if r.type not in _NEEDS_LOGGING_ROLE:
            continue
        missing = [a for a in accounts if a.urn not in r.dependencies]
        if missing:
            found.append(
                (
                    r,
                    f"does not depend on {missing[0].name} (API Gateway's account CloudWatch role): created first, "
                    'it fails with "CloudWatch Logs role ARN must be set in account settings"',
                )
            )
    return found


API_ACCOUNT_LOGGING_ROLE_FIRST: Final = Rule(
    name="api-account-logging-role-first",
    issue=2,
    enforcement=MANDATORY,
    description="In a stack that sets API Gateway's account CloudWatch role (aws.apigateway.Account), every stage "
    "and method settings resource depends on it.",
    guards="a first deploy whose stage fails because its access logs need the account role not yet set",
    stack_check=check_account_logging_role_first,
)

RULES: Final = (API_PRIVATE_SOURCE_VPCE, API_AUTHORIZERS_LOGS_TRACING, API_ACCOUNT_LOGGING_ROLE_FIRST)
