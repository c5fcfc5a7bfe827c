"""The test gateway itself: API Gateway's policy evaluation and request handling, without AWS."""

from __future__ import annotations

import pytest

from .gateway import Gateway, evaluate_policy

ARN = "arn:aws:execute-api:us-east-1:123456789012:e2eapi0001/dev/GET/user-lob-a"
PREFIX = "arn:aws:execute-api:us-east-1:123456789012:e2eapi0001/dev/GET/"


def policy(*statements):
    return {"Version": "2012-10-17", "Statement": list(statements)}


def allow(resource, action="execute-api:Invoke"):
    return {"Effect": "Allow", "Action": action, "Resource": resource}


@pytest.mark.parametrize(
    "doc, expected",
    [
        (policy(allow(ARN)), "Allow"),
        (policy(allow([PREFIX + "someone", ARN])), "Allow"),
        (policy(allow(PREFIX + "user-lob-b")), "ImplicitDeny"),
        (policy(allow(PREFIX + "*")), "Allow"),  # why the authorizer screens `*` in usernames
        (policy(allow(PREFIX + "user-lob-?")), "Allow"),
        (policy(allow(PREFIX + "user-lob-??")), "ImplicitDeny"),
        (policy(allow(PREFIX + "user.lob.a")), "ImplicitDeny"),  # `.` is literal, not a regex
        (policy(allow(PREFIX + "USER-LOB-A")), "ImplicitDeny"),  # resources are case-sensitive
        (policy(allow(ARN, "Execute-API:invoke")), "Allow"),  # actions are not
        (policy(allow(ARN, "execute-api:*")), "Allow"),
        (policy(allow(ARN, "execute-api:ManageConnections")), "ImplicitDeny"),
        (policy(allow(ARN), {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": PREFIX + "*"}), "Deny"),
        (policy({"Effect": "Deny", "Action": "*", "Resource": PREFIX + "other"}, allow(ARN)), "Allow"),
        ({"Version": "2012-10-17", "Statement": allow(ARN)}, "Allow"),  # a single statement object
        (policy(), "ImplicitDeny"),
    ],
)
def test_evaluate_policy(doc, expected):
    assert evaluate_policy(doc, "execute-api:Invoke", ARN) == expected


@pytest.mark.parametrize(
    "doc",
    [
        {},
        None,
        policy({"Effect": "Maybe", "Action": "*", "Resource": "*"}),
        policy({"Effect": "Allow", "NotAction": "x", "Resource": ARN}),
        policy({"Effect": "Allow", "Action": "execute-api:Invoke", "Resource": [ARN, 3]}),
    ],
)
def test_evaluate_policy_refuses_documents_api_gateway_would_not_take(doc):
    with pytest.raises(ValueError):
        evaluate_policy(doc, "execute-api:Invoke", ARN)


class Stubs:
    def __init__(self, result=None, error=None):
        self.result, self.error = result, error
        self.auth_events, self.proxy_events = [], []

    def authorizer(self, event, context):
        self.auth_events.append(event)
        if self.error:
            raise self.error
        return self.result

    def integration(self, event, context):
        self.proxy_events.append(event)
        return {"statusCode": 302, "headers": {"Location": "https://studio.example/x"}, "body": ""}


def allowed(user="user-lob-a", **context):
    return {
        "principalId": "sub-1",
        "policyDocument": policy(allow(PREFIX + user)),
        "context": {"username": user, "sub": "sub-1", **context},
    }


def gateway(stubs, **kw):
    return Gateway(stubs.authorizer, stubs.integration, region="us-east-1", account="123456789012", **kw)


BEARER = [("Authorization", "Bearer t0ken")]


def test_no_authorization_header_is_401_without_the_authorizer():
    stubs = Stubs(allowed())
    for headers in ([], [("Authorization", "  ")]):
        reply = gateway(stubs).handle("GET", "/dev/user-lob-a", headers)
        assert reply.status == 401 and reply.headers["x-amzn-ErrorType"] == "UnauthorizedException"
    assert stubs.auth_events == []


@pytest.mark.parametrize(
    "error, status", [(Exception("Unauthorized"), 401), (Exception("boom"), 500), (KeyError("x"), 500)]
)
def test_authorizer_errors(error, status):
    reply = gateway(Stubs(error=error)).handle("GET", "/dev/user-lob-a", BEARER)
    assert reply.status == status


@pytest.mark.parametrize(
    "result",
    [
        None,
        {"policyDocument": policy(allow(ARN))},
        {**allowed(), "context": {"nested": {"a": 1}}},
        {**allowed(), "policyDocument": {"Statement": [{"Effect": "Allow"}]}},
    ],
)
def test_malformed_authorizer_result_is_500(result):
    stubs = Stubs(result)
    assert gateway(stubs).handle("GET", "/dev/user-lob-a", BEARER).status == 500
    assert stubs.proxy_events == []


def test_request_event_and_proxy_event_carry_what_api_gateway_sends():
    stubs = Stubs(allowed(admin=True, level=3))
    reply = gateway(stubs).handle("GET", "/dev/user-lob-a?space=s1", [*BEARER, ("authorization", "Bearer other")])
    assert reply.status == 302 and reply.headers["Location"] == "https://studio.example/x"
    (auth,) = stubs.auth_events
    assert auth["type"] == "REQUEST" and auth["methodArn"] == ARN
    assert auth["multiValueHeaders"] == {"Authorization": ["Bearer t0ken"], "authorization": ["Bearer other"]}
    assert auth["pathParameters"] == {"user_id": "user-lob-a"}
    (proxy,) = stubs.proxy_events
    assert proxy["requestContext"]["authorizer"] == {
        "username": "user-lob-a",
        "sub": "sub-1",
        "admin": "true",
        "level": "3",
        "principalId": "sub-1",
    }
    assert proxy["queryStringParameters"] == {"space": "s1"}
    assert proxy["requestContext"]["requestId"] == auth["requestContext"]["requestId"]


def test_policy_is_cached_per_token_for_the_ttl():
    now = [0.0]
    stubs = Stubs(allowed())
    gw = gateway(stubs, authorizer_ttl=120, clock=lambda: now[0])
    assert gw.handle("GET", "/dev/user-lob-a", BEARER).status == 302
    reply = gw.handle("GET", "/dev/user-lob-b", BEARER)  # same token, another path: the cached policy
    assert reply.status == 403 and reply.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    assert len(stubs.auth_events) == 1
    now[0] = 121
    gw.handle("GET", "/dev/user-lob-a", BEARER)
    assert len(stubs.auth_events) == 2
    gw0 = gateway(stubs, authorizer_ttl=0)
    gw0.handle("GET", "/dev/user-lob-a", BEARER), gw0.handle("GET", "/dev/user-lob-a", BEARER)
    assert len(stubs.auth_events) == 4


def test_explicit_deny_message():
    stubs = Stubs(
        {
            **allowed(),
            "policyDocument": policy(allow(ARN), {"Effect": "Deny", "Action": "execute-api:Invoke", "Resource": ARN}),
        }
    )
    reply = gateway(stubs).handle("GET", "/dev/user-lob-a", BEARER)
    assert reply.status == 403 and b"explicit deny" in reply.body


def test_failing_integration_is_502_and_unknown_routes_403():
    stubs = Stubs(allowed())
    stubs.integration = lambda event, context: {"no": "statusCode"}
    assert gateway(stubs).handle("GET", "/dev/user-lob-a", BEARER).status == 502
    for path in ("/prod/user-lob-a", "/dev/", "/dev/a/b"):
        assert gateway(stubs).handle("GET", path, BEARER).status == 403


def test_the_targets_route_has_its_own_method_arn_and_resource():
    """GET /<stage>/{user_id}/targets: the authorizer sees its method ARN (a policy for the user's
    path alone does not open it); the function gets the resource `/{user_id}/targets`."""
    stubs = Stubs(allowed())
    reply = gateway(stubs).handle("GET", "/dev/user-lob-a/targets", BEARER)
    assert reply.status == 403 and reply.headers["x-amzn-ErrorType"] == "AccessDeniedException"
    (auth,) = stubs.auth_events
    assert auth["methodArn"] == ARN + "/targets" and auth["resource"] == "/{user_id}/targets"
    both = {**allowed(), "policyDocument": policy(allow([ARN, ARN + "/targets"]))}
    stubs = Stubs(both)
    assert gateway(stubs).handle("GET", "/dev/user-lob-a/targets", BEARER).status == 302
    (proxy,) = stubs.proxy_events
    assert (proxy["resource"], proxy["path"]) == ("/{user_id}/targets", "/user-lob-a/targets")
    assert proxy["pathParameters"] == {"user_id": "user-lob-a"}
    assert proxy["requestContext"]["resourcePath"] == "/{user_id}/targets"
    for path in ("/dev/user-lob-a/other", "/dev/user-lob-a/targets/x", "/dev//targets"):
        assert gateway(stubs).handle("GET", path, BEARER).status == 403
