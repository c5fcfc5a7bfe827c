"""API Gateway rules (`policy/apigateway.py`): a passing and a failing resource each."""

from __future__ import annotations

import json

import pytest

from policy.resource_types import METHOD, METHOD_SETTINGS, REST_API, REST_API_POLICY, STAGE
from tests.policy.support import VPCE, by_name, check, doc, res

API_POLICY = doc(
    {
        "Effect": "Allow",
        "Principal": "*",
        "Action": "execute-api:Invoke",
        "Resource": "execute-api:/*",
        "Condition": {"StringEquals": {"aws:SourceVpce": VPCE}},
    },
    {
        "Effect": "Deny",
        "Principal": "*",
        "Action": "execute-api:Invoke",
        "Resource": "execute-api:/*",
        "Condition": {"StringNotEquals": {"aws:SourceVpce": VPCE}},
    },
)


def test_private_api_bound_to_its_endpoint_passes():
    props = {"endpointConfiguration": {"types": "PRIVATE", "vpcEndpointIds": [VPCE]}, "policy": API_POLICY}
    assert check("api-private-source-vpce", REST_API, props) == []
    # the list form of `types`, and a policy given as an object
    props = {"endpointConfiguration": {"types": ["PRIVATE"]}, "policy": json.loads(API_POLICY)}
    assert check("api-private-source-vpce", REST_API, props) == []


@pytest.mark.parametrize("types", [None, "EDGE", "REGIONAL", ["PRIVATE", "REGIONAL"]])
def test_api_that_is_not_private_fails(types):
    props = {"policy": API_POLICY} | ({"endpointConfiguration": {"types": types}} if types else {})
    [problem] = check("api-private-source-vpce", REST_API, props)
    assert "use PRIVATE" in problem


def test_api_policy_allowing_invoke_without_source_vpce_fails():
    open_policy = doc(
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"}
    )
    [problem] = check(
        "api-private-source-vpce", REST_API, {"endpointConfiguration": {"types": "PRIVATE"}, "policy": open_policy}
    )
    assert "has no aws:SourceVpce condition" in problem and "statement 0" in problem
    # the same document in a separate RestApiPolicy resource
    assert check("api-private-source-vpce", REST_API_POLICY, {"restApiId": "abc", "policy": open_policy})


@pytest.mark.parametrize(
    "condition, why",
    [
        ({"StringEqualsIfExists": {"aws:SourceVpce": VPCE}}, "IfExists"),
        ({"StringLike": {"aws:sourcevpce": "vpce-*"}}, "matches any endpoint"),
        ({"StringEquals": {"aws:SourceVpc": "vpc-1"}}, "no aws:SourceVpce condition"),
    ],
)
def test_api_policy_with_a_weak_endpoint_condition_fails(condition, why):
    policy = doc(
        {"Effect": "Allow", "Principal": "*", "Action": ["execute-api:*"], "Resource": "*", "Condition": condition}
    )
    [problem] = check(
        "api-private-source-vpce", REST_API, {"endpointConfiguration": {"types": "PRIVATE"}, "policy": policy}
    )
    assert why in problem


def test_one_proper_binding_is_enough_since_conditions_all_apply():
    condition = {"StringEquals": {"aws:SourceVpce": VPCE}, "StringLikeIfExists": {"aws:SourceVpce": "*"}}
    policy = doc(
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*", "Condition": condition}
    )
    assert (
        check("api-private-source-vpce", REST_API, {"endpointConfiguration": {"types": "PRIVATE"}, "policy": policy})
        == []
    )


def test_a_deny_that_does_not_cover_the_allowed_resources_does_not_bind_them():
    policy = doc(
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "execute-api:/*"},
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "execute-api:Invoke",
            "Resource": "execute-api:/dev/GET/*",
            "Condition": {"StringNotEquals": {"aws:SourceVpce": VPCE}},
        },
    )
    assert check("api-private-source-vpce", REST_API, {"endpointConfiguration": {"types": "PRIVATE"}, "policy": policy})


def test_unconditional_allow_is_fine_when_a_deny_outside_the_endpoint_backs_it():
    policy = doc(
        {"Effect": "Allow", "Principal": "*", "Action": "execute-api:Invoke", "Resource": "*"},
        {
            "Effect": "Deny",
            "Principal": "*",
            "Action": "execute-api:Invoke",
            "Resource": "*",
            "Condition": {"StringNotEquals": {"aws:SourceVpce": [VPCE]}},
        },
    )
    assert (
        check("api-private-source-vpce", REST_API, {"endpointConfiguration": {"types": "PRIVATE"}, "policy": policy})
        == []
    )


def test_methods_with_an_authorizer_pass_and_a_missing_authorizer_fails():
    name = "api-authorizers-logs-tracing"
    assert check(name, METHOD, {"httpMethod": "GET", "authorization": "CUSTOM", "authorizerId": "abc"}) == []
    assert check(name, METHOD, {"httpMethod": "GET", "authorization": "AWS_IAM"}) == []
    [problem] = check(name, METHOD, {"httpMethod": "POST", "authorization": "CUSTOM"})
    assert "without an authorizerId" in problem
    # NONE is api-unauthenticated-page-only's (it needs the method's resource and integration)
    assert check(name, METHOD, {"httpMethod": "GET", "authorization": "NONE"}) == []


def test_execution_logs_must_not_hold_full_requests():
    name = "api-authorizers-logs-tracing"
    settings = {"loggingLevel": "ERROR", "dataTraceEnabled": False, "metricsEnabled": True}
    assert check(name, METHOD_SETTINGS, {"methodPath": "*/*", "stageName": "dev", "settings": settings}) == []
    [problem] = check(name, METHOD_SETTINGS, {"methodPath": "*/*", "settings": settings | {"dataTraceEnabled": True}})
    assert "bearer tokens" in problem


def test_stages_need_access_logs_and_tracing():
    name = "api-authorizers-logs-tracing"
    good = {
        "stageName": "dev",
        "xrayTracingEnabled": True,
        "accessLogSettings": {"destinationArn": "arn:aws:logs:us-east-1:1:log-group:x", "format": "{}"},
    }
    assert check(name, STAGE, good) == []
    problems = check(name, STAGE, {"stageName": "dev"})
    assert len(problems) == 2 and "access logs" in problems[0] and "X-Ray" in problems[1]


# --------------------------------------------------------------------------- the account role first

ACCOUNT_TYPE = "aws:apigateway/account:Account"


def check_stack(name, resources):
    stack_check = by_name(name).stack_check
    assert stack_check is not None, f"{name} is a resource rule"
    return stack_check(resources)


def _logging_stack(*, stage_deps: tuple[str, ...], settings_deps: tuple[str, ...], with_account: bool = True):
    account = res(ACCOUNT_TYPE, "apigateway-account", {"cloudwatchRoleArn": "arn:aws:iam::111111111111:role/logs"})
    stage = res(STAGE, "api", {"stageName": "dev"}, deps=stage_deps)
    settings = res(METHOD_SETTINGS, "api", {"methodPath": "*/*"}, deps=settings_deps)
    return ([account] if with_account else []) + [stage, settings], account.urn


def test_stages_that_wait_for_the_account_role_pass():
    urn = res(ACCOUNT_TYPE, "apigateway-account", {}).urn
    resources, _ = _logging_stack(stage_deps=(urn,), settings_deps=(urn,))
    assert check_stack("api-account-logging-role-first", resources) == []


def test_a_stage_before_the_account_role_fails():
    urn = res(ACCOUNT_TYPE, "apigateway-account", {}).urn
    resources, _ = _logging_stack(stage_deps=(), settings_deps=(urn,))
    [(resource, message)] = check_stack("api-account-logging-role-first", resources)
    assert resource.type == STAGE and "CloudWatch Logs role ARN must be set" in message


def test_without_an_account_setting_in_the_stack_nothing_is_asked():
    # `existing`: the role is already set outside the stack (the config makes the operator name it).
    resources, _ = _logging_stack(stage_deps=(), settings_deps=(), with_account=False)
    assert check_stack("api-account-logging-role-first", resources) == []


# --------------------------------------------------------------------------- only the page unauthenticated

API_RESOURCE_TYPE = "aws:apigateway/resource:Resource"
INTEGRATION_TYPE = "aws:apigateway/integration:Integration"


def _page_stack(*, auth="NONE", verb="GET", on_resource=False, integration="MOCK", linked_by="dependency"):
    """An API with GET /{user_id} behind the authorizer and one more method (the page, or a breach)."""
    api = res(REST_API, "api", {"endpointConfiguration": {"types": "PRIVATE"}}, id_="a1b2c3")
    user = res(
        API_RESOURCE_TYPE, "user", {"restApi": "a1b2c3", "pathPart": "{user_id}"}, id_="res-user", deps=(api.urn,)
    )
    get_user = res(
        METHOD,
        "get-user",
        {"restApi": "a1b2c3", "resourceId": "res-user", "httpMethod": "GET", "authorization": "CUSTOM"},
        deps=(api.urn, user.urn),
    )
    where = ("res-user", (api.urn, user.urn)) if on_resource else ("root-1", (api.urn,))
    page = res(
        METHOD,
        "page",
        {"restApi": "a1b2c3", "resourceId": where[0], "httpMethod": verb, "authorization": auth},
        deps=where[1],
    )
    linked = (page.urn,) if linked_by in ("dependency", "unknown ids") else ()
    props = {"restApi": "a1b2c3", "resourceId": where[0], "httpMethod": verb, "type": integration}
    if linked_by == "unknown ids":
        props = {"restApi": None, "resourceId": None, "httpMethod": verb, "type": integration}
    integration_ = res(INTEGRATION_TYPE, "page", props, deps=(api.urn, *linked))
    return [api, user, get_user, page, integration_]


def test_the_sign_in_page_is_the_one_unauthenticated_route():
    name = "api-unauthenticated-page-only"
    assert check_stack(name, _page_stack()) == []
    # found by its values alone, and by its dependency alone (ids unknown during a first preview)
    assert check_stack(name, _page_stack(linked_by="values")) == []
    assert check_stack(name, _page_stack(linked_by="unknown ids")) == []


@pytest.mark.parametrize(
    "breach, why",
    [
        ({"on_resource": True}, "GET /{user_id} has authorization NONE"),
        ({"verb": "POST"}, "POST / has authorization NONE: only GET /"),
        ({"integration": "AWS_PROXY"}, "its integration is AWS_PROXY"),
        ({"integration": "HTTP_PROXY", "linked_by": "values"}, "its integration is HTTP_PROXY"),
        ({"auth": None}, "its integration is"),  # unset authorization counts as none
    ],
)
def test_any_other_unauthenticated_method_fails(breach, why):
    stack = _page_stack(**breach)
    if breach.get("auth", "NONE") is None:
        stack[3] = res(METHOD, "page", {"restApi": "a1b2c3", "resourceId": "root-1", "httpMethod": "GET"})
        stack[4] = res(INTEGRATION_TYPE, "page", {"type": "AWS_PROXY"}, deps=(stack[3].urn,))
    [(resource, message)] = check_stack("api-unauthenticated-page-only", stack)
    assert resource.name == "page" and resource.type == METHOD
    assert why in message


def test_a_root_method_whose_integration_is_missing_fails():
    stack = _page_stack(linked_by="none")
    stack[4] = res(
        INTEGRATION_TYPE, "other", {"restApi": "a1b2c3", "resourceId": "res-user", "httpMethod": "GET", "type": "MOCK"}
    )
    [(_, message)] = check_stack("api-unauthenticated-page-only", stack)
    assert "none found" in message
