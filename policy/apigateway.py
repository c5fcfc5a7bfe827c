"""API Gateway (promises 1 and 2): a private API, bound to its endpoints; authorizers, logs and tracing;
the sign-in page as the only unauthenticated route."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Final

from ._props import get, strings
from ._references import index, referenced
from .iam_documents import covers_action, documents, effect, endpoint_binding_problem
from .model import MANDATORY, Props, Resource, Rule
from .resource_types import API_RESOURCE, INTEGRATION, METHOD, METHOD_SETTINGS, REST_API, REST_API_POLICY, STAGE

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


def unauthenticated(props: Props) -> bool:
    """A method without authorization (NONE, or not known to be anything else)."""
    auth = get(props, "authorization")
    return not isinstance(auth, str) or auth.upper() == "NONE"


def check_api_methods_and_stages(resource_type: str, props: Props) -> list[str]:
    """Every method's authorizer is named; stages have access logs and X-Ray tracing; no full request
    logs. (Methods without authorization: `api-unauthenticated-page-only`.)"""
    problems = []
    if resource_type == METHOD:
        auth = get(props, "authorization")
        method = f"{get(props, 'httpMethod') or '?'} method"
        # (NONE: only the sign-in page may; a stack rule, it needs the method's resource and integration)
        named = not unauthenticated(props) and str(auth).upper() in ("CUSTOM", "COGNITO_USER_POOLS")
        if named and not get(props, "authorizerId"):
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
    description="Every API method that names an authorizer type has its authorizer; stages have access logs and X-Ray tracing; execution logs never hold full requests.",
    guards="a route whose authorizer is missing; calls that leave no trace; bearer tokens in logs",
    resource_check=check_api_methods_and_stages,
)


def _integrations_of(method: Resource, resources: Sequence[Resource]) -> list[Resource]:
    """The method's integrations: those that depend on it, or name its API, resource and HTTP method."""
    key = tuple(get(method.props, k) for k in ("restApi", "resourceId", "httpMethod"))
    found = []
    for r in resources:
        if r.type != INTEGRATION:
            continue
        depends = method.urn in r.dependencies or any(method.urn in d for d in r.property_dependencies.values())
        same = None not in key and tuple(get(r.props, k) for k in ("restApi", "resourceId", "httpMethod")) == key
        if depends or same:
            found.append(r)
    return found


def check_unauthenticated_page_only(resources: Sequence[Resource]) -> list[tuple[Resource, str]]:
    """A method without authorization is the sign-in page or nothing: GET on the API's root resource
    (no `aws.apigateway.Resource` under it), answered by a MOCK integration (no function behind it)."""
    by_key = index(resources)
    found = []
    for method in resources:
        if method.type != METHOD or not unauthenticated(method.props):
            continue
        verb = str(get(method.props, "httpMethod") or "?")
        resource = referenced(method, by_key, "resourceId", API_RESOURCE)
        if resource:
            path = get(resource[0].props, "pathPart") or "?"
            found.append(
                (
                    method,
                    f"{verb} /{path} has authorization NONE: anyone who reaches the API calls it unauthenticated; "
                    "only the sign-in page (GET / with a MOCK integration) may go without an authorizer",
                )
            )
            continue
        if verb.upper() != "GET":
            found.append((method, f"{verb} / has authorization NONE: only GET / (the sign-in page) may"))
            continue
        integrations = _integrations_of(method, resources)
        kinds = sorted({str(get(i.props, "type") or "?") for i in integrations})
        if not integrations or kinds != ["MOCK"]:
            shown = ", ".join(kinds) or "none found"
            found.append(
                (
                    method,
                    f"GET / has authorization NONE and its integration is {shown}: the unauthenticated sign-in "
                    "page must be a MOCK integration that reaches no function",
                )
            )
    return found


API_UNAUTHENTICATED_PAGE_ONLY: Final = Rule(
    name="api-unauthenticated-page-only",
    issue=2,
    enforcement=MANDATORY,
    description="Only the sign-in page may be unauthenticated: a method with authorization NONE is GET on the API's root resource, answered by a MOCK integration.",
    guards="an unauthenticated route to the presigned-URL function, or to anything but the static sign-in page",
    stack_check=check_unauthenticated_page_only,
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

RULES: Final = (
    API_PRIVATE_SOURCE_VPCE,
    API_AUTHORIZERS_LOGS_TRACING,
    API_UNAUTHENTICATED_PAGE_ONLY,
    API_ACCOUNT_LOGGING_ROLE_FIRST,
)
