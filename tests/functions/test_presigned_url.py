"""The presigned-URL function against moto (DynamoDB, STS, SageMaker ListDomains), with
CreatePresignedDomainUrl answered at the botocore level: every failure, the caches, the audit line."""

from __future__ import annotations

import json
import re
import time

import pytest

from contracts import tables
from testkit.aws import LOB_A, LOB_B, LOB_C, LOBS_TABLE, ROLE_NAME, USERS_TABLE, error
from testkit.events import fn_event
from tools import handlers

aws_module = handlers.module("presigned_url", "aws")
cache_module = handlers.module("presigned_url", "cache")
errors_module = handlers.module("presigned_url", "errors")
handler_module = handlers.module("presigned_url", "handler")
settings_module = handlers.module("presigned_url", "settings")


def call(presigned, event) -> dict:
    return presigned.handler(event, None)


def body(response) -> dict:
    return json.loads(response["body"])


def audit_lines(capsys) -> list[dict]:
    return [json.loads(line) for line in capsys.readouterr().out.splitlines() if '"presigned-url"' in line]


def assert_failure(presigned, event, status: int, message_part: str) -> dict:
    response = call(presigned, event)
    assert response["statusCode"] == status, response
    assert (
        response["headers"]["Content-Type"] == "application/json" and response["headers"]["Cache-Control"] == "no-store"
    )
    data = body(response)
    assert set(data) == {"message", "requestId"} and data["requestId"] == event["requestContext"]["requestId"]
    assert message_part in data["message"], data["message"]
    # never an ARN, an account id or a stack trace
    assert "arn:" not in response["body"] and "Traceback" not in response["body"]
    assert not re.search(r"\d{12}", data["message"]) and not any(
        a in response["body"] for a in (LOB_A, LOB_B, LOB_C, "123456789012")
    )
    return data


# ---------------------------------------------------------------------------- success


def test_a_mapped_user_is_redirected_to_a_url_made_with_the_lob_role(presigned, aws):
    response = call(presigned, fn_event())
    domain = aws.domains[(LOB_A, "sagemaker-domain-lob-a")]
    assert response == {
        "statusCode": 302,
        "headers": {
            "Cache-Control": "no-store",
            "Location": f"https://{domain}.studio.us-east-1.sagemaker.aws/auth?token=SECRET-PRESIGNED-TOKEN",
        },
        "body": "",
    }
    assert aws.presigned == [
        {
            "account": LOB_A,
            "role": f"arn:aws:iam::{LOB_A}:role/{ROLE_NAME}",
            "DomainId": domain,
            "UserProfileName": "user-lob-a",
            "ExpiresInSeconds": 20,
        }
    ]
    assert aws.operations() == ["GetItem", "GetItem", "AssumeRole", "ListDomains", "CreatePresignedDomainUrl"]
    assume = aws.calls[2].params
    assert assume["RoleArn"] == f"arn:aws:iam::{LOB_A}:role/{ROLE_NAME}" and assume["DurationSeconds"] == 3600
    assert [c.params["TableName"] for c in aws.calls[:2]] == [USERS_TABLE, LOBS_TABLE]


def test_accept_json_gets_the_url_in_a_body(presigned, aws):
    response = call(presigned, fn_event(headers={"accept": "text/html, Application/JSON;q=0.9"}))
    assert response["statusCode"] == 200 and response["headers"]["Cache-Control"] == "no-store"
    assert body(response) == {"url": aws.presigned[0] and response and body(response)["url"], "expiresInSeconds": 20}
    assert body(response)["url"].startswith("https://") and "Location" not in response["headers"]


def test_profile_and_domain_id_from_the_items(presigned, aws):
    domain = aws.domains[(LOB_A, "sagemaker-domain-lob-a")]
    aws.put_user("alice", "lob-a", profile="data-scientist")
    aws.put_lob("lob-a", LOB_A, domain_id=domain)
    aws.calls.clear()
    assert call(presigned, fn_event("alice"))["statusCode"] == 302
    assert aws.presigned[-1]["UserProfileName"] == "data-scientist" and aws.presigned[-1]["DomainId"] == domain
    assert "ListDomains" not in aws.operations()


def test_session_expiration_url_expiry_space_and_landing_are_passed(presigned, aws, monkeypatch):
    monkeypatch.setenv("SESSION_EXPIRATION_SECONDS", "1800")
    monkeypatch.setenv("URL_EXPIRES_SECONDS", "300")
    handlers.reset("presigned_url")
    query = {"space": "my-space-1", "landing": "app:JupyterLab:lab/tree/work"}
    assert call(presigned, fn_event(query=query))["statusCode"] == 302
    sent = aws.presigned[-1]
    assert (sent["ExpiresInSeconds"], sent["SessionExpirationDurationInSeconds"]) == (300, 1800)
    assert (sent["SpaceName"], sent["LandingUri"]) == ("my-space-1", "app:JupyterLab:lab/tree/work")


# ---------------------------------------------------------------------------- the caller


def test_no_authorizer_context_is_403_never_a_trust_in_the_path(presigned, aws):
    assert_failure(presigned, fn_event(None, path_user="user-lob-a"), 403, "no authorizer context")
    event = fn_event()
    event["requestContext"]["authorizer"] = {"principalId": "x"}
    assert_failure(presigned, event, 403, "no authorizer context")
    del event["requestContext"]
    response = call(presigned, event)
    assert response["statusCode"] == 403 and body(response)["requestId"]
    assert aws.calls == []


@pytest.mark.parametrize("username", ["x" * 129, "a\nb", "tab\there"])
def test_a_username_the_authorizer_would_never_pass_is_403(presigned, aws, username):
    assert_failure(presigned, fn_event(username), 403, "not a valid username")
    assert aws.calls == []


def test_another_users_path_is_403(presigned, aws):
    assert_failure(presigned, fn_event("user-lob-a", path_user="user-lob-b"), 403, "your own Studio")
    event = fn_event()
    event["pathParameters"] = None
    assert_failure(presigned, event, 403, "your own Studio")
    assert aws.calls == [] and aws.presigned == []


@pytest.mark.parametrize(
    "query, message",
    [
        ({"space": "bad_space"}, "space: not a SageMaker space name"),
        ({"space": "-x"}, "space: not a SageMaker space name"),
        ({"space": "a" * 64}, "space: not a SageMaker space name"),
        ({"landing": "https://evil.example.com"}, "landing: must start with one of studio::"),
        ({"landing": "app:JupyterLab:../../x"}, "landing: must start with one of"),
        ({"landing": "app:JupyterLab:a b"}, "landing: must start with one of"),
        ({"landing": "studio::" + "a" * 1100}, "landing: must start with one of"),
        ({"redirect": "x"}, "unknown query parameter(s) 'redirect'"),
    ],
)
def test_bad_query_parameters_are_400_naming_them(presigned, aws, query, message):
    assert_failure(presigned, fn_event(query=query), 400, message)
    assert aws.presigned == []


def test_a_repeated_query_parameter_is_400(presigned, aws):
    event = fn_event(query={"space": "a"}, multi_query={"space": ["a", "b"]})
    assert_failure(presigned, event, 400, "'space' given more than once")


@pytest.mark.parametrize("landing", ["studio::", "studio::home", "app:CodeEditor:", "app:JupyterLab:lab/tree/a.ipynb"])
def test_landing_uris_sagemaker_accepts_pass(presigned, aws, landing):
    assert call(presigned, fn_event(query={"landing": landing}))["statusCode"] == 302
    assert aws.presigned[-1]["LandingUri"] == landing


# ---------------------------------------------------------------------------- the mapping


def test_an_unmapped_user_is_403(presigned, aws):
    aws.put_user("nobody-lob", None)
    assert_failure(presigned, fn_event("stranger"), 403, "user 'stranger' is not mapped to a line of business")
    assert_failure(presigned, fn_event("nobody-lob"), 403, "user 'nobody-lob' has no LOB")


def test_an_unmapped_lob_is_404(presigned, aws):
    aws.put_user("carol", "lob-x")
    assert_failure(presigned, fn_event("carol"), 404, "LOB 'lob-x' is not mapped")


@pytest.mark.parametrize(
    "account, domain", [("12345", None), ("abcdefghijkl", None), (None, None), (LOB_A, "domain-1"), (LOB_A, "")]
)
def test_a_bad_lob_item_is_404(presigned, aws, account, domain):
    aws.put_user("dave", "lob-bad")
    aws.put_lob("lob-bad", account, domain_id=domain)
    assert_failure(presigned, fn_event("dave"), 404, "LOB 'lob-bad' has an invalid item")


def test_a_bad_profile_name_is_404(presigned, aws):
    aws.put_user("erin", "lob-a", profile="not_a_profile!")
    assert_failure(presigned, fn_event("erin"), 404, "no valid SageMaker profile name")


def test_no_domain_is_404_and_only_in_service_domains_count(presigned, aws):
    aws.put_user("frank", "lob-c")
    aws.put_lob("lob-c", LOB_C)
    assert_failure(presigned, fn_event("frank"), 404, "LOB 'lob-c' has no InService SageMaker domain")
    handlers.reset("presigned_url")
    domain = aws.create_domain(LOB_C, "being-deleted", profiles=["frank"])
    aws.set_domain_status(LOB_C, domain, "Deleting")
    assert_failure(presigned, fn_event("frank"), 404, "no InService SageMaker domain")


def test_several_in_service_domains_are_refused_naming_them(presigned, aws):
    aws.put_user("grace", "lob-c")
    aws.put_lob("lob-c", LOB_C)
    first = aws.create_domain(LOB_C, "domain-one", profiles=["grace"])
    second = aws.create_domain(LOB_C, "domain-two", profiles=["grace"])
    data = assert_failure(presigned, fn_event("grace"), 409, "several InService domains")
    assert f"{first} (domain-one)" in data["message"] and f"{second} (domain-two)" in data["message"]
    assert "DOMAIN_ID" in data["message"] and aws.presigned == []


def test_no_profile_is_404_and_forgets_the_discovered_domain(presigned, aws):
    aws.put_user("heidi", "lob-a")  # no profile 'heidi' in the domain
    assert_failure(presigned, fn_event("heidi"), 404, "no such user profile")
    aws.calls.clear()
    assert_failure(presigned, fn_event("heidi"), 404, "no such user profile")
    assert aws.operations() == ["ListDomains", "CreatePresignedDomainUrl"]


# ---------------------------------------------------------------------------- AWS errors


def test_access_denied_on_assume_role_is_502(presigned, aws):
    aws.overrides["sts.AssumeRole"] = lambda params: error(
        403, "AccessDenied", f"User: arn:aws:sts::123456789012:x is not authorized on arn:aws:iam::{LOB_A}:role/x"
    )
    data = assert_failure(presigned, fn_event(), 502, "access role refused")
    assert aws.presigned == [] and data


def test_throttling_after_standard_retries_is_503(presigned, aws, monkeypatch):
    """The throttled answer comes from the HTTP layer, so botocore's standard retries run: 3 attempts."""
    import botocore.endpoint
    from botocore import handlers as botocore_handlers
    from botocore.awsrequest import AWSResponse
    from moto.core.models import botocore_stubber

    attempts, sleeps = [], []

    class Raw:
        def stream(self, **_):
            yield json.dumps({"__type": "ThrottlingException", "message": "Rate exceeded"}).encode()

    def throttled(request, **_):
        attempts.append(request.url)
        botocore_stubber.enabled = False  # moto has no CreatePresignedDomainUrl: keep it out of this one
        return AWSResponse(request.url, 400, {"Content-Type": "application/x-amz-json-1.1"}, Raw())

    monkeypatch.setattr(botocore.endpoint.time, "sleep", sleeps.append)
    aws.overrides["sagemaker.CreatePresignedDomainUrl"] = lambda params: "http"
    spec = ("before-send.sagemaker.CreatePresignedDomainUrl", throttled, botocore_handlers.REGISTER_FIRST)
    botocore_handlers.BUILTIN_HANDLERS.append(spec)
    try:
        handlers.reset("presigned_url")
        response = call(presigned, fn_event())
    finally:
        botocore_handlers.BUILTIN_HANDLERS.remove(spec)
        botocore_stubber.enabled = True
    assert response["statusCode"] == 503 and "throttling" in body(response)["message"]
    assert len(attempts) == 3 and len(sleeps) == 2
    assert attempts[0] == "https://api.sagemaker.us-east-1.amazonaws.com/"


def test_the_clients_use_standard_retries_short_timeouts_and_the_regional_sts_endpoint(presigned, aws):
    call(presigned, fn_event())
    state = handler_module.state()
    clients = [state.dynamodb, state.sts, state.accounts.get(LOB_A)]
    for client in clients:
        config = client.meta.config
        assert config.retries == {"mode": "standard", "total_max_attempts": 3}
        assert config.connect_timeout + config.read_timeout < 10
    assert state.sts.meta.endpoint_url == "https://sts.us-east-1.amazonaws.com"
    assert state.accounts.get(LOB_A).meta.region_name == "us-east-1"


def test_an_endpoint_override_in_the_environment_wins_for_emulators(presigned, aws, monkeypatch):
    monkeypatch.setenv("AWS_ENDPOINT_URL", "http://127.0.0.1:5999")
    handlers.reset("presigned_url")
    assert handler_module.state().sts.meta.endpoint_url == "http://127.0.0.1:5999"


def test_any_other_error_is_500_without_details(presigned, aws, monkeypatch, capsys):
    monkeypatch.setenv("USERS_TABLE", "no-such-table")
    handlers.reset("presigned_url")
    assert_failure(presigned, fn_event(), 500, "internal error")
    line = audit_lines(capsys)[-1]
    assert line["outcome"] == "error" and line["error"].startswith("GetItem: ResourceNotFoundException")


def test_an_unexpected_exception_is_500_with_the_request_id(presigned, aws):
    aws.overrides["sagemaker.CreatePresignedDomainUrl"] = lambda params: (_ for _ in ()).throw(
        RuntimeError(f"arn:aws:iam::{LOB_A}:role/x")
    )
    assert_failure(presigned, fn_event(), 500, "internal error")


# ---------------------------------------------------------------------------- caches


def test_a_warm_request_makes_exactly_one_aws_call(presigned, aws, capsys):
    call(presigned, fn_event())
    aws.calls.clear()
    capsys.readouterr()
    for _ in range(3):
        assert call(presigned, fn_event())["statusCode"] == 302
    assert aws.operations() == ["CreatePresignedDomainUrl"] * 3
    assert [line["awsCalls"] for line in audit_lines(capsys)] == [1, 1, 1]
    # a second user of the same LOB reuses the account's credentials and domain
    aws.put_user("ivan", "lob-a", profile="data-scientist")
    aws.calls.clear()
    call(presigned, fn_event("ivan"))
    assert aws.operations() == ["GetItem", "CreatePresignedDomainUrl"]


def test_the_mapping_is_read_again_after_the_ttl(presigned, aws, monkeypatch):
    now = [time.time()]
    monkeypatch.setattr(cache_module, "now", lambda: now[0])
    call(presigned, fn_event())
    now[0] += 59
    aws.calls.clear()
    call(presigned, fn_event())
    assert aws.operations() == ["CreatePresignedDomainUrl"]
    now[0] += 2
    aws.calls.clear()
    call(presigned, fn_event())
    assert aws.operations() == ["GetItem", "GetItem", "ListDomains", "CreatePresignedDomainUrl"]


def test_a_removed_user_loses_access_after_the_ttl(presigned, aws, monkeypatch):
    now = [time.time()]
    monkeypatch.setattr(cache_module, "now", lambda: now[0])
    assert call(presigned, fn_event())["statusCode"] == 302
    aws.dynamodb().delete_item(TableName=USERS_TABLE, Key=tables.typed({tables.KEY: "user-lob-a"}))
    now[0] += 61
    assert call(presigned, fn_event())["statusCode"] == 403


def test_credentials_are_refreshed_five_minutes_before_they_expire(presigned, aws, monkeypatch):
    monkeypatch.setenv("CACHE_TTL_SECONDS", "3600")
    handlers.reset("presigned_url")
    now = [time.time()]
    monkeypatch.setattr(cache_module, "now", lambda: now[0])
    call(presigned, fn_event())
    first_key = handler_module.state().accounts.get(LOB_A)
    now[0] += 3600 - 300 - 5  # moto's credentials last 3600 s from the real clock
    aws.calls.clear()
    call(presigned, fn_event())
    assert aws.operations() == ["CreatePresignedDomainUrl"]
    now[0] += 10
    aws.calls.clear()
    call(presigned, fn_event())
    assert aws.operations() == ["AssumeRole", "CreatePresignedDomainUrl"]
    assert handler_module.state().accounts.get(LOB_A) is not first_key


def test_credentials_and_clients_are_per_account(presigned, aws):
    call(presigned, fn_event("user-lob-a"))
    call(presigned, fn_event("user-lob-b"))
    assert [(p["account"], p["role"]) for p in aws.presigned] == [
        (LOB_A, f"arn:aws:iam::{LOB_A}:role/{ROLE_NAME}"),
        (LOB_B, f"arn:aws:iam::{LOB_B}:role/{ROLE_NAME}"),
    ]
    assert aws.operations().count("AssumeRole") == 2
    aws.calls.clear()
    call(presigned, fn_event("user-lob-a"))
    call(presigned, fn_event("user-lob-b"))
    assert aws.operations() == ["CreatePresignedDomainUrl"] * 2


def test_caches_are_bounded_and_expire(presigned):
    now = [0.0]
    cache = cache_module.TTLCache(ttl=60, max_size=3, clock=lambda: now[0])
    for i in range(1000):
        cache.put(f"user-{i}", i)
    assert len(cache) == 3 and cache.get("user-999") == 999 and cache.get("user-0") is None
    cache.get("user-997")  # recently used: kept
    cache.put("new", 1)
    assert cache.get("user-997") == 997 and cache.get("user-998") is None
    now[0] = 60
    assert cache.get("user-997") is None
    cache.put("expired", 1, expires_at=59)
    assert cache.get("expired") is None and len(cache) <= 3
    zero = cache_module.TTLCache(ttl=0, max_size=3, clock=lambda: now[0])
    zero.put("x", 1)
    assert zero.get("x") is None


def test_a_flood_of_distinct_usernames_cannot_grow_the_caches(presigned, aws, monkeypatch):
    monkeypatch.setattr(aws_module, "MAX_USERS", 5)
    handlers.reset("presigned_url")
    for i in range(20):
        aws.put_user(f"flood-{i}", "lob-a", profile="data-scientist")
    for i in range(20):
        call(presigned, fn_event(f"flood-{i}"))
        call(presigned, fn_event(f"unmapped-{i}"))
    state = handler_module.state()
    assert len(state.users) == 5 and len(state.lobs) == 1 and len(state.accounts) == 1


# ---------------------------------------------------------------------------- the audit line


def test_one_audit_line_per_request_without_the_url(presigned, aws, capsys):
    call(presigned, fn_event())
    event = fn_event("user-lob-a", path_user="user-lob-b")
    call(presigned, event)
    out = capsys.readouterr().out
    assert "SECRET-PRESIGNED-TOKEN" not in out and "studio.us-east-1.sagemaker.aws" not in out
    lines = [json.loads(line) for line in out.splitlines()]
    assert [line["event"] for line in lines] == ["presigned-url", "presigned-url"]
    ok, forbidden = lines
    domain = aws.domains[(LOB_A, "sagemaker-domain-lob-a")]
    assert {k: ok[k] for k in ("username", "lob", "account", "domain", "outcome", "status", "awsCalls")} == {
        "username": "user-lob-a",
        "lob": "lob-a",
        "account": LOB_A,
        "domain": domain,
        "outcome": "ok",
        "status": 302,
        "awsCalls": 5,
    }
    assert ok["requestId"].startswith("req-") and isinstance(ok["latencyMs"], float)
    assert (
        forbidden["outcome"] == "forbidden"
        and forbidden["status"] == 403
        and forbidden["requestId"] == event["requestContext"]["requestId"]
    )


# ---------------------------------------------------------------------------- settings


@pytest.mark.parametrize(
    "name, value, problem",
    [
        ("USERS_TABLE", "", "USERS_TABLE: required"),
        ("LOBS_TABLE", " ", "LOBS_TABLE: required"),
        ("ACCESS_ROLE_NAME", "role/with/slash", "ACCESS_ROLE_NAME: 'role/with/slash' is not an IAM role name"),
        ("URL_EXPIRES_SECONDS", "4", "URL_EXPIRES_SECONDS: 4 is outside 5-300"),
        ("URL_EXPIRES_SECONDS", "301", "URL_EXPIRES_SECONDS: 301 is outside 5-300"),
        ("URL_EXPIRES_SECONDS", "twenty", "URL_EXPIRES_SECONDS: 'twenty' is not an integer"),
        ("SESSION_EXPIRATION_SECONDS", "1799", "SESSION_EXPIRATION_SECONDS: 1799 is outside 1800-43200"),
        ("SESSION_EXPIRATION_SECONDS", "43201", "SESSION_EXPIRATION_SECONDS: 43201 is outside 1800-43200"),
        ("CACHE_TTL_SECONDS", "-1", "CACHE_TTL_SECONDS: -1 is outside 0-3600"),
        ("AWS_REGION", "mars", "AWS_REGION: 'mars' is not a region"),
    ],
)
def test_bad_settings_name_the_variable(presigned, name, value, problem):
    env = {"USERS_TABLE": "u", "LOBS_TABLE": "l", "ACCESS_ROLE_NAME": "r", "AWS_REGION": "us-east-1", name: value}
    with pytest.raises(errors_module.ConfigError) as err:
        settings_module.load_settings(env)
    assert problem in str(err.value)


def test_defaults_and_partitions(presigned):
    s = settings_module.load_settings(
        {"USERS_TABLE": "u", "LOBS_TABLE": "l", "ACCESS_ROLE_NAME": "r", "AWS_REGION": "cn-north-1"}
    )
    assert (s.url_expires, s.session_expiration, s.cache_ttl) == (20, None, 60)
    assert s.role_arn("111111111111") == "arn:aws-cn:iam::111111111111:role/r"
    assert s.sts_endpoint == "https://sts.cn-north-1.amazonaws.com.cn"


def test_on_lambda_a_bad_environment_stops_the_container_start():
    import os
    import subprocess
    import sys

    from components.paths import PROJECT_DIR

    path = os.pathsep.join([str(handlers.folder("presigned_url")), str(PROJECT_DIR)])
    env = dict(os.environ, AWS_LAMBDA_FUNCTION_NAME="presigned", PYTHONPATH=path, AWS_REGION="us-east-1")
    env.update(USERS_TABLE="u", LOBS_TABLE="l", ACCESS_ROLE_NAME="r", URL_EXPIRES_SECONDS="600")
    run = subprocess.run([sys.executable, "-c", "import app"], env=env, capture_output=True, text=True, timeout=60)
    assert run.returncode != 0 and "URL_EXPIRES_SECONDS: 600 is outside 5-300" in run.stdout


# ---------------------------------------------------------------------------- any input


from hypothesis import HealthCheck, given, settings  # noqa: E402
from hypothesis import strategies as st  # noqa: E402

_json = st.recursive(
    st.none() | st.booleans() | st.integers() | st.text(max_size=30),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=10), inner, max_size=3),
    max_leaves=10,
)
_usernames = st.sampled_from(["user-lob-a", "user-lob-b", "stranger", "", "x" * 200, "a\x00b"]) | st.text(max_size=40)


@st.composite
def _events(draw):
    username = draw(_usernames | _json)
    event = fn_event(
        username if isinstance(username, str) else "user-lob-a",
        path_user=draw(st.just(None) | _usernames),
        query=draw(
            st.none() | st.dictionaries(st.sampled_from(["space", "landing", "x"]), st.text(max_size=30), max_size=2)
        ),
        headers=draw(
            st.none() | st.dictionaries(st.sampled_from(["Accept", "accept", "X"]), st.text(max_size=30), max_size=2)
        ),
    )
    if not isinstance(username, str):
        event["requestContext"]["authorizer"]["username"] = username
    if draw(st.booleans()):
        key = draw(
            st.sampled_from(
                [
                    "requestContext",
                    "pathParameters",
                    "queryStringParameters",
                    "headers",
                    "multiValueQueryStringParameters",
                ]
            )
        )
        event[key] = draw(_json)
    return event


@settings(
    max_examples=150, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow]
)
@given(event=_events())
def test_any_request_gets_a_clear_answer_never_a_crash_or_a_500(presigned, aws, event):
    response = call(presigned, event)
    assert response["statusCode"] in (200, 302, 400, 403, 404), response
    assert response["headers"]["Cache-Control"] == "no-store"
    if response["statusCode"] >= 400:
        data = body(response)
        assert set(data) == {"message", "requestId"} and data["message"]
